"""Instructions per call of an in-process Track and of a bare Flask route, counted by valgrind.

Timings on a shared machine drift by several percent from run to run; instruction counts do
not (valgrind's callgrind counts the same whatever else the machine does). Each figure is the
difference between a run that makes 1,000 calls and one that makes none, after the same
warm-up, so start-up and imports cancel out. The requests are bench_http.py's (track.lua):
a JSON body, an existing profile, a new event each time. Not part of ``make bench`` (about a
minute and a half); run it to see what a change to the hot path saves.

    python bench/count_instructions.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from common import ROOT

CALLS = 1000


def payload(i: int, tag: str) -> bytes:
    return json.dumps(
        {
            "token": "AbC123",
            "event": "Placed Order",
            "customer_properties": {"$email": f"p{i % 1000}@example.com"},
            "properties": {"$event_id": f"{i}-{tag}", "$value": 10},
        }
    ).encode()


def child(kind: str, calls: int) -> None:
    """What runs under valgrind: a warm-up over 1,000 profiles, then ``calls`` Tracks."""
    from flask import Flask

    from mockserver.app import create_app

    if kind == "bare":
        app = Flask("bare")
        app.route("/api/track", methods=["GET", "POST"])(lambda: "1")
    else:
        app = create_app({"SEED": 1})
    client = app.test_client()
    for i in range(1000):
        client.post("/api/track", data=payload(i, "warm"), content_type="application/json")
    bodies = [payload(i, "measured") for i in range(calls)]
    for body in bodies:
        client.post("/api/track", data=body, content_type="application/json")


def count(kind: str, calls: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", kind, str(calls),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stderr
    found = re.search(r"refs:\s+([\d,]+)", out)
    assert found, out
    return int(found.group(1).replace(",", ""))


def per_call(kind: str) -> float:
    with ThreadPoolExecutor(2) as pool:
        none, some = pool.map(count, [kind, kind], [0, CALLS])
    return (some - none) / CALLS


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return 0
    if shutil.which("valgrind") is None:
        print("SKIPPED: valgrind is not installed (Debian: apt-get install valgrind)")
        return 0
    bare, track = per_call("bare"), per_call("track")
    print(f"bare route: {bare / 1000:,.0f} k instructions per call")
    print(f"track:      {track / 1000:,.0f} k instructions per call")
    print(
        f"the mock's own: {(track - bare) / 1000:,.0f} k; track / bare route: {track / bare:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
