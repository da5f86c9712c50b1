"""The plugin's options, run as a user's suite would run them (pytester): strict mode, driving a
mock that is already running (``--klaviyo-mock-url`` / ``KLAVIYO_MOCK_URL``), and pinning the
live server's port (``--klaviyo-mock-port``)."""

from __future__ import annotations

import socket

import pytest

from mockserver import create_app
from mockserver.testing import over_http
from mockserver.testing import serve

INNER = """
import base64, json
import requests

def track(base, email):
    data = {"token": "AbC123", "event": "E", "customer_properties": {"$email": email}}
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return requests.get(base + "/api/track", params={"data": encoded}, timeout=10).text
"""


@pytest.fixture
def running():
    with serve(create_app()) as server:
        yield server.url


def test_strict_mode_fails_a_test_whose_call_was_dropped(pytester):
    pytester.makepyfile(
        INNER
        + """
def test_drops_an_invalid_email(klaviyo_mock):
    assert track("https://a.klaviyo.com", "not-an-email") == "1"

def test_lands(klaviyo_mock):
    assert track("https://a.klaviyo.com", "ann@example.com") == "1"
"""
    )
    lenient = pytester.runpytest("-p", "no:xdist", "-q")
    lenient.assert_outcomes(passed=2)
    strict = pytester.runpytest("-p", "no:xdist", "-q", "--klaviyo-mock-strict")
    strict.assert_outcomes(passed=2, errors=1)
    strict.stdout.fnmatch_lines(
        [
            "*1 call(s) answered as if all went well dropped or ignored something*",
            "*journal #1 GET /api/track -> 200: ignored $email*",
        ]
    )


def test_a_test_can_turn_strict_mode_on_for_itself(pytester):
    pytester.makepyfile(
        INNER
        + """
def test_strict_here(klaviyo_mock):
    klaviyo_mock.strict = True
    track("https://a.klaviyo.com", "not-an-email")
"""
    )
    pytester.runpytest("-p", "no:xdist", "-q").assert_outcomes(passed=1, errors=1)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_fixtures_drive_a_mock_that_is_already_running(pytester, running, monkeypatch, how):
    pytester.makepyfile(
        INNER
        + f"""
def test_in_process_calls_reach_the_running_mock(klaviyo_mock):
    assert klaviyo_mock.url == "{running}"
    assert track("https://a.klaviyo.com", "ann@example.com") == "1"
    assert klaviyo_mock.profile(email="ann@example.com")

def test_each_test_starts_from_a_reset(klaviyo_mock, klaviyo_live, klaviyo_server):
    assert klaviyo_server.url == "{running}" and klaviyo_server.app is None
    assert klaviyo_live.url == "{running}"
    assert track(klaviyo_live.url, "bob@example.com") == "1"
    assert [p["email"] for p in klaviyo_mock.profiles()] == ["bob@example.com"]
"""
    )
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)  # this suite's own workers
    args = ["-p", "no:xdist", "-q"]
    if how == "option":
        args.append(f"--klaviyo-mock-url={running}")
    else:
        monkeypatch.setenv("KLAVIYO_MOCK_URL", running)
    pytester.runpytest(*args).assert_outcomes(passed=2)
    assert [p["email"] for p in over_http(running).profiles()] == ["bob@example.com"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_live_servers_port_can_be_pinned(pytester):
    port = free_port()
    pytester.makepyfile(
        f"""
import requests

def test_on_the_port(klaviyo_live):
    assert klaviyo_live.url == "http://127.0.0.1:{port}"
    assert requests.get(klaviyo_live.url + "/__mock__/profiles", timeout=5).status_code == 200
"""
    )
    result = pytester.runpytest("-p", "no:xdist", "-q", f"--klaviyo-mock-port={port}")
    result.assert_outcomes(passed=1)


def test_a_running_mock_is_refused_to_several_xdist_workers(pytester, running, monkeypatch):
    """Each worker would reset the one mock under the other's tests."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    pytester.makepyfile("def test_it(klaviyo_mock):\n    pass\n")
    result = pytester.runpytest("-p", "no:xdist", "-q", f"--klaviyo-mock-url={running}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*run the tests that use it on one pytest-xdist worker*"])


def test_a_running_mock_is_reached_whatever_the_proxy_settings(running, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert over_http(running).profiles() == []
