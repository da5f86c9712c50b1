"""kill -9 under load (issue 6): bounded loss by default, none of the answered calls with --durable."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
from conftest import PUBLIC
from conftest import b64
from test_server import Server

INTERVAL = 0.2
SLACK = (
    0.3  # scheduling: the flusher wakes a little after its interval, the kill lands a little late
)


def load_then_kill(db, *flags, seconds=1.5, workers=4):
    server = Server("--port", "0", "--quiet", "--db", str(db), *flags).wait_ready()
    answered: list[tuple[str, float]] = []
    stop = threading.Event()

    def worker(n: int) -> None:
        session = requests.Session()
        count = 0
        while not stop.is_set():
            email = f"w{n}-{count}@load.example"
            count += 1
            data = b64({"token": PUBLIC, "properties": {"$email": email}})
            try:
                response = session.get(
                    f"{server.url}/api/identify", params={"data": data}, timeout=2
                )
            except requests.RequestException:
                return
            if response.text == "1":
                answered.append((email, time.monotonic()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    killed_at = time.monotonic()
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    stop.set()
    for thread in threads:
        thread.join(5)
    server.process.stderr.close()

    again = Server("--port", "0", "--quiet", "--db", str(db)).wait_ready()
    try:
        kept = {
            p["email"]
            for p in requests.get(f"{again.url}/__mock__/profiles", timeout=10).json()["profiles"]
        }
    finally:
        again.stop()
        again.process.stderr.close()
    lost = [(email, at) for email, at in answered if email not in kept]
    return answered, lost, killed_at


def test_kill_9_loses_at_most_the_last_interval(tmp_path):
    answered, lost, killed_at = load_then_kill(
        tmp_path / "state.json", "--flush-interval", str(INTERVAL)
    )
    assert len(answered) > 100, "the load did not get going"
    assert all(killed_at - at <= INTERVAL + SLACK for _, at in lost), (
        f"lost calls answered more than {INTERVAL + SLACK} s before the kill: "
        f"{[round(killed_at - at, 3) for _, at in lost][:10]}"
    )


@pytest.mark.parametrize("run", [1, 2])
def test_kill_9_with_durable_loses_no_answered_call(tmp_path, run):
    answered, lost, _ = load_then_kill(tmp_path / "state.json", "--durable", seconds=1.0)
    assert len(answered) > 50, "the load did not get going"
    assert lost == []
