"""Helpers the benchmark scripts share: payloads, medians, verdict lines, a server process."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def b64(payload: object) -> str:
    return base64.b64encode(json.dumps(payload).encode()).decode()


def per_call_us(call: Callable[[int], object], calls: int, start: int = 0) -> float:
    """Microseconds per call of ``call(i)`` for i in start .. start + calls."""
    began = time.perf_counter()
    for i in range(start, start + calls):
        call(i)
    return (time.perf_counter() - began) / calls * 1e6


#: A request a benchmark sends through Flask's test client: method, path, the test client's
#: keyword arguments, and the status it must answer with.
Call = tuple[str, str, dict[str, Any], int]


def client_us(client: Any, size: int, make: Callable[[int], Call], calls: int) -> float:
    """Microseconds per request for ``calls`` requests ``make(size)`` builds beforehand, sent
    through ``client``; stops the run on an answer that is not the one expected."""
    requests = [make(size) for _ in range(calls)]
    started = time.perf_counter()
    for method, path, kwargs, status in requests:
        response = client.open(path, method=method, **kwargs)
        if response.status_code != status or response.data == b"0":
            raise SystemExit(
                f"unexpected answer {response.status_code} {response.data[:300]!r} from {path}"
            )
    return (time.perf_counter() - started) / calls * 1e6


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(name: str, value: float, target: str, ok: bool, unit: str = "") -> bool:
    print(f"{name}: {value:.3g}{unit} (target {target}): {'PASS' if ok else 'FAIL'}")
    return ok


def pinned(cpu: int) -> list[str]:
    """``taskset -c CPU`` where the machine has it and more than one CPU, else nothing."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu)]
    return []


def start_server(
    *args: str, script: str = "run.py", cpu: int | None = None
) -> tuple[subprocess.Popen[str], str]:
    """Start ``python run.py --port 0 …`` (or another script that prints its URL the same
    way), on one CPU if ``cpu`` is given; return the process and its URL once it listens."""
    process = subprocess.Popen(
        [
            *(pinned(cpu) if cpu is not None else []),
            sys.executable,
            str(ROOT / script),
            "--port",
            "0",
            "--quiet",
            *args,
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            # keep reading, or a full pipe would block the server
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, found.group(1)
    raise RuntimeError(f"{script} did not start")
