"""Every scenario file in scenarios/ passes, in process and against the live server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ROWS = {f"row-{n:02d}" for n in range(1, 13)}


def test_there_is_a_scenario_per_identity_table_row_and_the_email_change_story():
    stems = {path.stem[:6] for path in SCENARIOS}
    assert stems >= ROWS
    assert (ROOT / "scenarios" / "story-email-change.yaml").exists()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_in_process(klaviyo_mock, path):
    report = klaviyo_mock.run_scenario(path)
    assert "passed" in report


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_against_the_live_server(klaviyo_live, path):
    report = klaviyo_live.run_scenario(path)
    assert "passed" in report


def test_run_py_check_runs_files_and_reports(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (ROOT / "scenarios" / "row-06-email-only-after-id-only.yaml")
        .read_text()
        .replace("profile_count: 2", "profile_count: 1")
    )
    result = subprocess.run(
        [sys.executable, "run.py", "--check", str(SCENARIOS[0]), str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"scenario {SCENARIOS[0].stem}" in result.stdout
    assert "expect.profile_count: expected 1, found 2" in result.stdout
    assert "journal (newest first):" in result.stdout
    assert result.stdout.rstrip().endswith("1 passed, 1 failed")
