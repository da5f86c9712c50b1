"""The benchmark scripts still run against today's code (they are not part of the suite's
figures: ``make bench`` measures; this only keeps them from rotting). Tiny sizes, so a verdict
line may say FAIL; what must not happen is a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "args",
    [
        ["bench/bench_calls.py", "--sizes", "10", "20", "--calls", "3", "--rounds", "1"],
        ["bench/bench_generic.py", "--sizes", "10", "20", "--calls", "3", "--rounds", "1"],
        ["bench/bench_overhead.py", "--calls", "3", "--rounds", "1"],
        ["bench/bench_fixture.py", "--tests", "3", "--rounds", "1"],
        ["bench/count_instructions.py", "--child", "track", "3"],
        ["bench/count_instructions.py", "--child", "bare", "3"],
    ],
    ids=lambda args: " ".join(args[:2]) if "--child" in args else args[0],
)
def test_a_bench_script_runs(args):
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
