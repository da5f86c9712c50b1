"""``python run.py`` as a user runs it: a real process, a real socket, signals."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import b64

from mockserver.server import settings

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), *args],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                self._ready.set()
        self._ready.set()

    def wait_ready(self) -> Server:
        assert self._ready.wait(10), "server did not start"
        assert self.url, "".join(self.lines)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        return self.process.wait(10)

    def log(self) -> str:
        """What the server wrote so far; once it has exited, all of it."""
        if self.process.poll() is not None:
            self._reader.join(5)
        return "".join(self.lines)


@pytest.fixture
def start():
    servers: list[Server] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Server:
        server = Server("--port", "0", *args, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()
        server.process.stderr.close()


def identify(url: str, email: str, token: str = PUBLIC) -> requests.Response:
    data = b64({"token": token, "properties": {"$email": email}})
    return requests.get(f"{url}/api/identify", params={"data": data}, timeout=5)


def search(url: str, email: str, key: str = PRIVATE) -> requests.Response:
    return requests.get(
        f"{url}/api/v2/people/search", params={"email": email, "api_key": key}, timeout=5
    )


def test_serves_identify_and_logs_one_line_per_request(start):
    server = start().wait_ready()
    assert server.url.startswith("http://127.0.0.1:")
    response = identify(server.url, "a@b.com")
    assert (response.status_code, response.text) == (200, "1")
    assert search(server.url, "a@b.com").status_code == 200
    assert server.stop() == 0
    assert re.search(r'127\.0\.0\.1 "GET /api/identify\?data=\S+" 200 [\d.]+ ms', server.log())
    assert '"GET /api/v2/people/search?' in server.log()


def test_quiet_turns_the_request_log_off(start):
    server = start("--quiet").wait_ready()
    identify(server.url, "a@b.com")
    server.stop()
    assert "/api/identify" not in server.log()


def test_chunked_form_post_like_node_klaviyo(start):
    server = start().wait_ready()
    host, port = server.url.removeprefix("http://").split(":")
    body = b"data=" + quote('{"properties":{"email":"n@k.com"},"token":"AbC123"}').encode()
    head = (
        "POST /api/identify HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\n"
        "User-Agent: Klaviyo-Node.js/1.1.3\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
    )
    chunks = [body[:20], body[20:], b""]
    request = head.encode() + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(b"\r\n\r\n1")
    assert search(server.url, "n@k.com").status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_saves_the_state_and_a_restart_finds_it(start, tmp_path, sig):
    db = tmp_path / "state.json"
    first = start("--db", str(db)).wait_ready()
    assert identify(first.url, "keep@me.com").text == "1"
    assert first.stop(sig) == 0
    assert db.exists()
    assert "state saved to" in first.log()

    second = start("--db", str(db)).wait_ready()
    found = search(second.url, "keep@me.com")
    assert found.status_code == 200
    second.stop()


def test_settings_from_the_environment(start):
    env = {"KLAVIYO_MOCK_ACCOUNTS": f"{PUBLIC}:{PRIVATE}", "KLAVIYO_MOCK_QUIET": "true"}
    server = start(env=env).wait_ready()
    identify(server.url, "a@b.com")
    assert search(server.url, "a@b.com").status_code == 200
    assert search(server.url, "a@b.com", key="pk_" + "9" * 34).status_code == 403
    server.stop()
    assert "accounts: 1" in server.log()
    assert "/api/identify" not in server.log()


def test_command_line_beats_the_environment(start):
    server = start("--host", "127.0.0.1", env={"KLAVIYO_MOCK_HOST": "0.0.0.0"}).wait_ready()
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(("--port", "99999"), {}, "not a port", id="port-too-big"),
        pytest.param(("--threads", "0"), {}, "at least 1", id="no-threads"),
        pytest.param(("--host", "999.1.1.1"), {}, "cannot listen", id="bad-host"),
        pytest.param(("--account", "bad"), {}, "public key 'bad'", id="bad-account"),
        pytest.param((), {"KLAVIYO_MOCK_THREADS": "many"}, "expected an integer", id="bad-env"),
        pytest.param((), {"KLAVIYO_MOCK_QUIET": "maybe"}, "expected true or false", id="bad-bool"),
    ],
)
def test_bad_settings_exit_2_with_a_message(start, args, env, message):
    server = start(*args, env=env)
    assert server.process.wait(10) == 2
    time.sleep(0.1)
    assert message in server.log()


def test_corrupt_state_file_exits_2_and_keeps_the_file(start, tmp_path):
    db = tmp_path / "state.json"
    db.write_text('{"default/profiles": {"1": ')
    server = start("--db", str(db))
    assert server.process.wait(10) == 2
    time.sleep(0.1)
    assert "not a readable state file" in server.log()
    assert db.read_text() == '{"default/profiles": {"1": '


def test_a_large_payload_fits_in_a_get(start):
    server = start("--quiet").wait_ready()
    data = b64(
        {
            "token": PUBLIC,
            "properties": {"$email": "big@b.com", **{f"p{i}": "x" * 90_000 for i in range(4)}},
        }
    )
    response = requests.get(f"{server.url}/api/identify", params={"data": data}, timeout=10)
    assert (response.status_code, response.text) == (200, "1")
    server.stop()


def test_sighup_saves_too(start, tmp_path):
    db = tmp_path / "state.json"
    server = start("--db", str(db)).wait_ready()
    identify(server.url, "hup@b.com")
    assert server.stop(signal.SIGHUP) == 0
    assert "hup@b.com" in db.read_text()


def test_an_empty_variable_counts_as_unset(start):
    server = start(env={"KLAVIYO_MOCK_DB": "", "KLAVIYO_MOCK_SEED": ""}).wait_ready()
    assert "state in memory" in server.log()
    server.stop()


def test_unwritable_state_file_fails_at_start(start, tmp_path):
    (tmp_path / "a-file").write_text("")
    server = start("--db", str(tmp_path / "a-file" / "state.json"))
    assert server.process.wait(10) == 2
    time.sleep(0.1)
    assert "cannot write the state file" in server.log()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"KLAVIYO_MOCK_PORT": "70000"}, "not a port"),
        ({"KLAVIYO_MOCK_THREADS": "0"}, "at least 1"),
    ],
)
def test_environment_values_are_checked_like_flags(environ, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        settings([], environ)


def test_settings_layer_defaults_environment_and_flags():
    config = settings(
        ["--port", "9001"], {"KLAVIYO_MOCK_PORT": "9000", "KLAVIYO_MOCK_QUIET": "yes"}
    )
    assert (config["PORT"], config["QUIET"], config["HOST"]) == (9001, True, "127.0.0.1")


def test_a_scenario_seeds_a_state_file_once(start, tmp_path):
    db = tmp_path / "state.json"
    row = str(ROOT / "scenarios" / "row-11-email-and-id-on-two-profiles.yaml")
    first = start("--db", str(db), "--scenario", row).wait_ready()
    assert search(first.url, "betty@example.com").status_code == 200
    assert first.stop() == 0
    second = start("--db", str(db), "--scenario", row).wait_ready()
    assert search(second.url, "betty@example.com").status_code == 200
    second.stop()
    assert "holds state; not loading" in second.log()


def test_two_servers_cannot_share_a_state_file(start, tmp_path):
    db = tmp_path / "state.json"
    first = start("--db", str(db)).wait_ready()
    second = start("--db", str(db))
    assert second.process.wait(10) == 2
    time.sleep(0.1)
    assert "in use by another process" in second.log()
    first.stop()


def test_a_second_signal_does_not_cut_the_save_short(start, tmp_path):
    db = tmp_path / "state.json"
    server = start("--db", str(db)).wait_ready()
    identify(server.url, "twice@b.com")
    server.process.send_signal(signal.SIGTERM)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(10) == 0
    deadline = time.monotonic() + 5  # the log is read by a thread: give it the last lines
    while "stopped" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "state saved" in server.log() and "stopped" in server.log()
    again = start("--db", str(db)).wait_ready()
    assert search(again.url, "twice@b.com").status_code == 200
    again.stop()
