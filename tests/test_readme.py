"""The README's examples are the files in tests/examples, which the suite runs as written."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "tests" / "examples").glob("test_*.py"))


def test_there_is_an_example_per_fixture_one_per_sdk_and_one_for_httpx():
    assert [p.stem for p in EXAMPLES] == [
        "test_example_httpx",
        "test_example_in_process",
        "test_example_klaviyo_api",
        "test_example_live",
        "test_example_sdk",
    ]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_readme_shows_the_example_verbatim(example):
    assert f"```python\n{example.read_text()}```" in (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[2:6] == [
        "```sh",
        "make run    # creates .venv, installs, serves on http://127.0.0.1:8080",
        "make test   # installs the test and lint tools, runs the whole suite",
        "```",
    ]


def test_the_complete_scenario_example_passes(klaviyo_mock, tmp_path):
    import re

    text = (ROOT / "scenarios" / "README.md").read_text()
    example = tmp_path / "example.yaml"
    example.write_text(re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
    assert "passed, 5 step(s)" in klaviyo_mock.run_scenario(example)
