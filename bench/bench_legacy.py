"""Per-call cost of Identify, Track and people search at 1,000 and at 100,000 stored profiles.

Each call goes through the whole stack in process (Flask test client, wire decoding, marshmallow,
identity resolution, the TinyDB store), as a user's in-process test would. Both states are built
first, then measured in alternating rounds, so that drift on the machine hits both sizes alike;
the figure per size is the median of the rounds. Target: ratio under 1.25 (issues 2 and 6).

    python bench/bench_legacy.py [--sizes 1000 100000] [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable

from common import b64

from mockserver import create_app
from mockserver.app import store_of
from mockserver.domain.models import IdentifierKind
from mockserver.domain.models import Profile

TARGET = 1.25
STAMP = "2026-01-01T00:00:00+00:00"
counter = itertools.count()


def seeded_client(size: int):
    app = create_app({"SEED": 1})
    store = store_of(app)
    for i in range(size):
        store.save_profile(
            "default",
            Profile(
                id=f"seed{i:022d}",
                created=STAMP,
                updated=STAMP,
                identifiers={
                    IdentifierKind.EMAIL: f"seed{i}@example.com",
                    IdentifierKind.EXTERNAL_ID: f"ext-{i}",
                },
                attributes={"first_name": "Seed", "last_name": str(i)},
                properties={"plan": "pro", "seats": i % 7, "tags": ["a", "b"]},
            ),
        )
    return app.test_client()


def identify_new(size: int) -> str:
    return b64({"token": "AbC123", "properties": {"$email": f"new{next(counter)}@x.com"}})


def identify_existing(size: int) -> str:
    i = next(counter) % size
    return b64({"token": "AbC123", "properties": {"$email": f"seed{i}@example.com", "n": i}})


def track(size: int) -> str:
    i = next(counter)
    return b64(
        {
            "token": "AbC123",
            "event": "Placed Order",
            "customer_properties": {"$id": f"ext-{i % size}"},
            "properties": {"$event_id": f"order-{i}", "$value": 10},
        }
    )


def search(size: int) -> str:
    return f"seed{next(counter) % size}@example.com"


OPERATIONS: dict[str, tuple[str, Callable[[int], str]]] = {
    "identify (new profile)": ("/api/identify", identify_new),
    "identify (existing)": ("/api/identify", identify_existing),
    "track (existing)": ("/api/track", track),
    "people search": ("/api/v2/people/search", search),
}


def measure(client, size: int, path: str, make: Callable[[int], str], calls: int) -> float:
    """Microseconds per call for ``calls`` calls (payloads built beforehand)."""
    payloads = [make(size) for _ in range(calls)]
    expected = b"1" if path in ("/api/identify", "/api/track") else None
    started = time.perf_counter()
    for payload in payloads:
        if expected:
            response = client.get(path, query_string={"data": payload})
            ok = response.data == expected
        else:
            response = client.get(path, query_string={"email": payload, "api_key": "pk_bench"})
            ok = response.status_code == 200
        if not ok:
            raise SystemExit(
                f"unexpected answer {response.status_code} {response.data!r} from {path}"
            )
    return (time.perf_counter() - started) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(1_000, 100_000))
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    small, large = args.sizes

    started = time.perf_counter()
    clients = {size: seeded_client(size) for size in (small, large)}
    print(f"seeded {small:,} and {large:,} profiles in {time.perf_counter() - started:.1f} s")

    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        # "identify (new profile)" adds profiles: the small state starts each round at its size
        # again (the large one grows by a few percent over the run, which can only hurt it)
        clients[small] = seeded_client(small)
        for name, (path, make) in OPERATIONS.items():
            for size, client in clients.items():
                cost = measure(client, size, path, make, args.calls)
                samples.setdefault((name, size), []).append(cost)

    print(f"\n{'operation':<24}{f'µs/call @{small:,}':>18}{f'µs/call @{large:,}':>20}{'ratio':>8}")
    worst = 0.0
    for name in OPERATIONS:
        low = statistics.median(samples[(name, small)])
        high = statistics.median(samples[(name, large)])
        worst = max(worst, high / low)
        print(f"{name:<24}{low:>18.1f}{high:>20.1f}{high / low:>8.2f}")
    verdict = "PASS" if worst < TARGET else "FAIL"
    print(f"\nworst ratio {worst:.2f} (target < {TARGET}): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
