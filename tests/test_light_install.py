"""The plugin's light dependency set: installed into a fresh virtual environment beside an
application on Flask 2.3 and marshmallow 3 (which the server's own ranges exclude), it drives a
mock that is already running (``--klaviyo-mock-url``), in process calls and handle alike.

This installs from the package index (pip's cache makes later runs fast); it is the one test
that needs the network."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mockserver import create_app
from mockserver.testing import over_http
from mockserver.testing import serve

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ["flask==2.3.3", "marshmallow==3.26.1", "pytest==8.4.2"]

SUITE = """
import base64, json

from importlib.metadata import version

import requests


def test_an_application_on_old_flask_tests_against_the_running_mock(klaviyo_mock, klaviyo_live):
    assert version("flask").startswith("2.3.")
    assert version("marshmallow").startswith("3.")
    data = {"token": "AbC123", "properties": {"$email": "light@example.com"}}
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    answer = requests.get("https://a.klaviyo.com/api/identify", params={"data": encoded})
    assert answer.text == "1"
    assert klaviyo_mock.profile(email="light@example.com")
    assert klaviyo_live.url == klaviyo_mock.url


def test_the_in_process_app_asks_for_the_server_extra(klaviyo_mock_app):
    pass
"""


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``command`` as a user runs it: not as one of this suite's pytest-xdist workers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("light") / "venv"
    made = run(sys.executable, "-m", "venv", str(venv))
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = run(
        str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        *APPLICATION, str(ROOT),
    )  # fmt: skip
    if installed.returncode != 0 and "No matching distribution" in installed.stderr:
        pytest.skip(f"the package index is not reachable: {installed.stderr[-300:]}")
    assert installed.returncode == 0, installed.stderr
    return python


def test_the_plugin_installs_beside_flask_2_and_marshmallow_3(light_venv):
    listed = run(str(light_venv), "-m", "pip", "list", "--format=freeze").stdout
    assert "Flask==2.3.3" in listed and "marshmallow==3.26.1" in listed
    assert "klaviyo-mock==" in listed
    assert "waitress" not in listed and "tinydb" not in listed


def test_the_light_plugin_drives_a_running_mock(light_venv, tmp_path):
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    with serve(create_app()) as server:
        result = run(
            str(light_venv), "-m", "pytest", "-q", "-p", "no:cacheprovider",
            f"--klaviyo-mock-url={server.url}", "test_suite.py",
            cwd=tmp_path,
        )  # fmt: skip
        profiles = over_http(server.url).profiles()
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "install klaviyo-mock[server], or drive a running mock" in result.stdout
    assert [p["email"] for p in profiles] == ["light@example.com"]
