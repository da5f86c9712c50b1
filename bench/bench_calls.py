"""Per-call cost of the calls that resolve identity, at 1,000 and at 100,000 stored profiles.

Legacy Identify, Track and people search, and today's API: create, look up by email, import
and update a profile. Each call goes through the whole stack in process (Flask test client, wire
decoding, marshmallow, identity resolution, the TinyDB store), as a user's in-process test
would. Both states are built first, then measured in alternating rounds, so that drift on the
machine hits both sizes alike; the figure per size is the median of the rounds. Target: ratio
under 1.25 (issues 2 and 6).

    python bench/bench_calls.py [--sizes 1000 100000] [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from common import Call
from common import b64
from common import client_us

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
                former={},
                consent={},
            ),
        )
    return app.test_client()


"""method, path, keyword arguments for the test client, the status expected."""

CURRENT = {"Authorization": "Klaviyo-API-Key pk_bench", "revision": "2026-07-15"}


def legacy(path: str, payload: dict[str, Any]) -> Call:
    return "GET", path, {"query_string": {"data": b64(payload)}}, 200


def current(method: str, path: str, status: int, body: Any = None, **query: str) -> Call:
    kwargs: dict[str, Any] = {"headers": CURRENT, "query_string": query}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/vnd.api+json")
    return method, path, kwargs, status


def profile(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "profile", "attributes": attributes}}


def identify_new(size: int) -> Call:
    email = f"new{next(counter)}@x.com"
    return legacy("/api/identify", {"token": "AbC123", "properties": {"$email": email}})


def identify_existing(size: int) -> Call:
    i = next(counter) % size
    properties = {"$email": f"seed{i}@example.com", "n": i}
    return legacy("/api/identify", {"token": "AbC123", "properties": properties})


def track(size: int) -> Call:
    i = next(counter)
    return legacy(
        "/api/track",
        {
            "token": "AbC123",
            "event": "Placed Order",
            "customer_properties": {"$id": f"ext-{i % size}"},
            "properties": {"$event_id": f"order-{i}", "$value": 10},
        },
    )


def search(size: int) -> Call:
    email = f"seed{next(counter) % size}@example.com"
    query = {"email": email, "api_key": "pk_bench"}
    return "GET", "/api/v2/people/search", {"query_string": query}, 200


def create_profile(size: int) -> Call:
    return current("POST", "/api/profiles", 201, profile(email=f"made{next(counter)}@x.com"))


def find_by_email(size: int) -> Call:
    email = f"seed{next(counter) % size}@example.com"
    return current("GET", "/api/profiles", 200, filter=f'equals(email,"{email}")')


def import_existing(size: int) -> Call:
    i = next(counter)
    body = profile(email=f"seed{i % size}@example.com", properties={"n": i})
    return current("POST", "/api/profile-import", 200, body)


def update_profile(size: int) -> Call:
    i = next(counter)
    profile_id = f"seed{i % size:022d}"
    body = {"data": {"type": "profile", "id": profile_id, "attributes": {"title": str(i)}}}
    return current("PATCH", f"/api/profiles/{profile_id}", 200, body)


OPERATIONS: dict[str, Callable[[int], Call]] = {
    "identify (new profile)": identify_new,
    "identify (existing)": identify_existing,
    "track (existing)": track,
    "people search": search,
    "POST /api/profiles": create_profile,
    "GET profiles by email": find_by_email,
    "profile-import (exist.)": import_existing,
    "PATCH profile": update_profile,
}


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
        for name, make in OPERATIONS.items():
            for size, client in clients.items():
                cost = client_us(client, size, make, args.calls)
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
