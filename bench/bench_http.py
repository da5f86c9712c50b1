"""Track over HTTP on loopback: ``python run.py`` against a bare route on the same WSGI server.

wrk (Debian's ``wrk``) drives each server with the same requests (track.lua: POST /api/track
with a JSON body, a new event each time), 16 connections, after a warm-up. Target (issue 6):
Track throughput is at least 60% of the bare route's. Reports requests/s, p50 and p99.

    python bench/bench_http.py [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import pinned
from common import start_server
from common import verdict

TARGET = 0.6
HERE = Path(__file__).resolve().parent


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    command = [*pinned(1), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-s", str(HERE / "track.lua"), url]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error answers\n{out}")

    def ms(label: str) -> float:
        found = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)\b", out)
        assert found, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rps, out
    return {"rps": float(rps.group(1)), "p50": ms("50%"), "p99": ms("99%")}


def measure(script: str, seconds: int, connections: int) -> dict[str, float]:
    """The server on CPU 0 and wrk on CPU 1, so that neither takes the other's time."""
    process, url = start_server(script=script, cpu=0)
    try:
        wrk(url, 1, connections)  # warm-up
        return wrk(url, seconds, connections)
    finally:
        process.terminate()
        process.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("SKIPPED: wrk is not installed (Debian: apt-get install wrk)")
        return 0
    servers = {"bare route": "bench/bare_server.py", "track (run.py)": "run.py"}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    ratios = []
    for _ in range(args.rounds):  # alternating, so that drift on the machine hits both alike
        for name, script in servers.items():
            rounds[name].append(measure(script, args.seconds, args.connections))
        ratios.append(rounds["track (run.py)"][-1]["rps"] / rounds["bare route"][-1]["rps"])
    print(f"{'server (median of rounds)':<26}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for name, results in rounds.items():
        median = {k: statistics.median(r[k] for r in results) for k in ("rps", "p50", "p99")}
        print(f"{name:<26}{median['rps']:>12.0f}{median['p50']:>9.2f}{median['p99']:>9.2f}")
    print("ratio per round: " + ", ".join(f"{r:.3f}" for r in ratios))
    ratio = statistics.median(ratios)
    return (
        0 if verdict("track / bare route throughput", ratio, f">= {TARGET}", ratio >= TARGET) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
