"""Framework overhead: an in-process Track against a bare Flask route that answers ``1``.

Both go through Flask's test client with the same request (GET /api/track?data=<base64>), so
the difference is what the mock adds: decoding, validation, identity resolution, the store and
the journal. Target (issue 6): Track costs at most 2x the bare route.

    python bench/bench_overhead.py [--calls 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys

from common import b64
from common import median
from common import per_call_us
from common import verdict
from flask import Flask

from mockserver import create_app

TARGET = 2.0


def bare_app() -> Flask:
    app = Flask("bare")

    @app.route("/api/track", methods=["GET", "POST"])
    def track() -> str:
        return "1"

    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    total = args.calls * args.rounds
    payloads = [
        b64({"token": "AbC123", "event": "Placed Order",
             "customer_properties": {"$email": f"person{i % 500}@example.com"},
             "properties": {"$event_id": f"order-{i}", "$value": 10}})
        for i in range(total)
    ]  # fmt: skip
    clients = {"bare route": bare_app().test_client(), "track": create_app().test_client()}
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for round_ in range(args.rounds):
        for name, client in clients.items():

            def call(i: int, client=client) -> None:
                if client.get("/api/track", query_string={"data": payloads[i]}).data != b"1":
                    raise SystemExit("/api/track did not answer 1")

            samples[name].append(per_call_us(call, args.calls, round_ * args.calls))
    bare, track = median(samples["bare route"]), median(samples["track"])
    print(
        f"bare route: {bare:.1f} µs/call   track: {track:.1f} µs/call"
        f"   (median of {args.rounds} rounds)"
    )
    return (
        0
        if verdict("track / bare route", track / bare, f"<= {TARGET}", track / bare <= TARGET, "x")
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
