"""Start-up, reset, loading a big scenario, and memory per profile.

Targets (issue 6): ``python run.py`` answers its first request within 1 s; resetting the state
between tests (what the in-process fixture does) costs under 1 ms at 10,000 profiles; loading a
100,000-profile scenario takes under 10 s; a profile with 5 properties takes under 2 KB.

    python bench/bench_state.py [--profiles 100000]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
import urllib.request

from common import ROOT
from common import median
from common import start_server
from common import verdict

from mockserver import create_app
from mockserver import scenario
from mockserver.domain.commands import IdentifyCommand
from mockserver.domain.commands import ProfileData
from mockserver.domain.models import IdentifierKind

FIVE_PROPERTIES = {"plan": "pro", "seats": 3, "city": "Boston", "vip": True, "score": 0.5}


def first_answer_seconds() -> float:
    """From spawning run.py to its first answered request (the median of three starts)."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        process, url = start_server()
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/__mock__/profiles", timeout=2) as response:
                        response.read()
                    break
                except OSError:
                    time.sleep(0.005)
            times.append(time.perf_counter() - began)
        finally:
            process.terminate()
            process.wait(10)
    return median(times)


def seed(klaviyo: object, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        klaviyo.identify(  # type: ignore[attr-defined]
            IdentifyCommand(
                "AbC123",
                ProfileData(
                    {
                        IdentifierKind.EMAIL: f"person{i}@example.com",
                        IdentifierKind.EXTERNAL_ID: f"ext-{i}",
                    },
                    {},
                    dict(FIVE_PROPERTIES),
                ),
            )
        )


def reset_ms(profiles: int = 10_000, rounds: int = 7) -> tuple[float, float]:
    """Resetting ``profiles`` profiles: through the admin API (``POST /__mock__/reset``, as
    ``klaviyo_live`` does over HTTP, here with Flask's test client), and the backend's own
    ``reset()``, which the in-process fixture calls between tests. The collector is
    off while it runs: a collection that the test's own allocations are due is not the reset's
    cost (it would fall on whatever call came next)."""
    app = create_app()
    client = app.test_client()
    klaviyo = app.extensions["klaviyo_mock"]
    admin, direct = [], []
    for _ in range(rounds):
        for times, reset in (
            (admin, lambda: client.post("/__mock__/reset")),
            (direct, klaviyo.reset),
        ):
            seed(klaviyo, profiles)
            gc.disable()
            began = time.perf_counter()
            reset()
            times.append((time.perf_counter() - began) * 1000)
            gc.enable()
    return median(admin), median(direct)


def big_scenario(count: int, as_json: bool) -> str:
    profiles = [
        {
            "email": f"person{i}@example.com",
            "external_id": f"ext-{i}",
            "properties": FIVE_PROPERTIES,
        }
        for i in range(count)
    ]
    if as_json:
        return json.dumps({"description": f"{count} profiles", "given": {"profiles": profiles}})
    lines = [f"description: {count} profiles", "given:", "  profiles:"]
    lines += [f"    - {json.dumps(p)}" for p in profiles]  # flow style, as a generator writes it
    return "\n".join(lines) + "\n"


def load_seconds(text: str) -> tuple[float, int]:
    app = create_app()
    klaviyo = app.extensions["klaviyo_mock"]
    began = time.perf_counter()
    scenario.seed(klaviyo, scenario.load("big", text))
    return time.perf_counter() - began, len(klaviyo.profiles("default"))


def bytes_per_profile(count: int = 20_000) -> float:
    app = create_app()
    klaviyo = app.extensions["klaviyo_mock"]
    seed(klaviyo, 1000)  # tables and indexes exist before measuring
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    seed(klaviyo, count, start=1000)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    args = parser.parse_args()
    start = first_answer_seconds()
    results = [verdict("run.py: first answer after start", start, "< 1 s", start < 1, " s")]
    admin, direct = reset_ms()
    results.append(
        verdict(
            "reset at 10,000 profiles (in-process fixture)", direct, "< 1 ms", direct < 1, " ms"
        )
    )
    print(f"  (through the admin API, as klaviyo_live resets: {admin:.3f} ms)")
    seconds, loaded = load_seconds(big_scenario(args.profiles, as_json=True))
    assert loaded == args.profiles
    results.append(
        verdict(
            f"load a {args.profiles:,}-profile scenario (JSON)",
            seconds,
            "< 10 s",
            seconds < 10,
            " s",
        )
    )
    yaml_seconds, _ = load_seconds(big_scenario(args.profiles // 10, as_json=False))
    print(
        f"  (the same as YAML: {yaml_seconds * 10:.3g} s,"
        f" extrapolated from {args.profiles // 10:,} profiles)"
    )
    per_profile = bytes_per_profile()
    results.append(
        verdict(
            "memory per profile (5 properties)", per_profile, "< 2048 B", per_profile < 2048, " B"
        )
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
