"""The generic resources of today's API (issue 12): a generic GET by id and a generic POST
against an in-process Track (target: at most 2x), and listings at 1,000 and 100,000 records of
their type, where the filter can use an index (target: 100,000 / 1,000 at most 1.25).

All calls go through the whole stack in process (Flask's test client, the spec's dispatcher,
query and JSON Schema checks, the generic resources, the TinyDB store, the renderer). The
records are put in the store directly (the store's own ``put``, as a create would), so that
seeding 100,000 of them takes seconds; both states are measured in alternating rounds and the
figure per size is the median of the rounds.

    python bench/bench_generic.py [--sizes 1000 100000] [--calls 1000] [--rounds 5]
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

CALL_TARGET = 2.0
FLAT_TARGET = 1.25
STAMP = "2026-01-01T00:00:00+00:00"
CURRENT = {"Authorization": "Klaviyo-API-Key pk_bench", "revision": "2026-07-15"}
counter = itertools.count()
FEED = {
    "url": "https://example.com/feed.xml",
    "request_method": "get",
    "content_type": "xml",
    "status": "ok",
}


def seeded(size: int):
    """An app whose account holds ``size`` segments (each ``name`` shared by ten of them: an
    index finds ten) and ``size`` web feeds: types with no hand-written rules."""
    app = create_app({"SEED": 1})
    records = store_of(app).records("default")
    for i in range(size):
        records.put(
            "segment",
            {
                "id": f"S{i:07d}",
                "created": STAMP,
                "updated": STAMP,
                "attributes": {
                    "name": f"segment {i // 10}",
                    "definition": {"condition_groups": []},
                    "created": STAMP,
                    "updated": STAMP,
                    "is_active": True,
                    "is_processing": False,
                    "is_starred": False,
                },
                "extra": {},
            },
        )
        records.put(
            "web-feed",
            {
                "id": f"F{i:011d}",
                "created": STAMP,
                "updated": STAMP,
                "attributes": {**FEED, "name": f"feed {i}", "created": STAMP, "updated": STAMP},
                "extra": {},
            },
        )
    return app.test_client()


def current(method: str, path: str, status: int, body: Any = None, **query: str) -> Call:
    kwargs: dict[str, Any] = {"headers": CURRENT, "query_string": query}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/vnd.api+json")
    return method, path, kwargs, status


def track(size: int) -> Call:
    i = next(counter)
    payload = {
        "token": "AbC123",
        "event": "Placed Order",
        "customer_properties": {"$email": f"buyer{i % 1000}@x.com"},
        "properties": {"$event_id": f"order-{i}", "$value": 10},
    }
    return "GET", "/api/track", {"query_string": {"data": b64(payload)}}, 200


def get_by_id(size: int) -> Call:
    return current("GET", f"/api/web-feeds/F{next(counter) % size:011d}", 200)


def create(size: int) -> Call:
    attributes = {k: FEED[k] for k in ("url", "request_method", "content_type")}
    body = {"data": {"type": "web-feed", "attributes": {**attributes, "name": f"{next(counter)}"}}}
    return current("POST", "/api/web-feeds", 201, body)


def first_page(size: int) -> Call:
    return current("GET", "/api/web-feeds", 200)


def filtered(size: int) -> Call:
    name = f"segment {next(counter) % (size // 10)}"
    return current("GET", "/api/segments", 200, filter=f"equals(name,['{name}'])")


def by_ids(size: int) -> Call:
    ids = ",".join(f"'S{(next(counter) * 7 + k) % size:07d}'" for k in range(3))
    return current("GET", "/api/segments", 200, filter=f"any(id,[{ids}])")


def feeds_by_name(size: int) -> Call:
    name = f"feed {next(counter) % size}"
    return current("GET", "/api/web-feeds", 200, filter=f"equals(name,'{name}')")


PER_CALL: dict[str, Callable[[int], Call]] = {
    "in-process Track": track,
    "generic GET by id": get_by_id,
    "generic POST": create,
}
LISTINGS: dict[str, Callable[[int], Call]] = {
    "GET /api/web-feeds (first page)": first_page,
    "GET /api/segments?filter=equals(name)": filtered,
    "GET /api/segments?filter=any(id)": by_ids,
    "GET /api/web-feeds?filter=equals(name)": feeds_by_name,
    "GET /api/web-feeds/{id}": get_by_id,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(1_000, 100_000))
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    small, large = args.sizes
    started = time.perf_counter()
    clients = {size: seeded(size) for size in (small, large)}
    print(
        f"seeded {small:,} and {large:,} segments and web feeds"
        f" in {time.perf_counter() - started:.1f} s"
    )

    ok = True
    costs: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, make in PER_CALL.items():
            costs.setdefault(name, []).append(client_us(clients[small], small, make, args.calls))
    track_cost = statistics.median(costs["in-process Track"])
    print(f"\n{'call':<28}{'µs/call':>10}{'x Track':>10}")
    for name in PER_CALL:
        cost = statistics.median(costs[name])
        print(f"{name:<28}{cost:>10.1f}{cost / track_cost:>10.2f}")
        if name != "in-process Track":
            ok &= cost / track_cost <= CALL_TARGET
    print(f"target: at most {CALL_TARGET}x an in-process Track: {'PASS' if ok else 'FAIL'}")

    samples: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for name, make in LISTINGS.items():
            for size, client in clients.items():
                samples.setdefault((name, size), []).append(
                    client_us(client, size, make, args.calls)
                )
    print(f"\n{'listing':<40}{f'µs @{small:,}':>12}{f'µs @{large:,}':>14}{'ratio':>8}")
    worst = 0.0
    for name in LISTINGS:
        low = statistics.median(samples[(name, small)])
        high = statistics.median(samples[(name, large)])
        worst = max(worst, high / low)
        print(f"{name:<40}{low:>12.1f}{high:>14.1f}{high / low:>8.2f}")
    flat = worst <= FLAT_TARGET
    print(f"worst ratio {worst:.2f} (target at most {FLAT_TARGET}): {'PASS' if flat else 'FAIL'}")
    return 0 if ok and flat else 1


if __name__ == "__main__":
    sys.exit(main())
