"""Ids: shapes Klaviyo uses, seeded determinism, and uniqueness after a restart."""

from __future__ import annotations

import pytest
from conftest import PUBLIC
from conftest import send

from mockserver import create_app
from mockserver.app import store_of
from mockserver.domain.ports import Ids


def calls(app):
    client = app.test_client()
    for n in range(3):
        send(
            client,
            "track",
            {
                "token": PUBLIC,
                "event": f"Metric {n}",
                "customer_properties": {"$email": f"p{n}@x.com"},
            },
        )
    klaviyo = app.extensions["klaviyo_mock"]
    return (
        [p.id for p in klaviyo.profiles("default")],
        [m.id for m in klaviyo.store.metrics("default")],
        [e.id for e in klaviyo.store.events("default")],
    )


def test_seeded_ids_are_the_same_on_every_run_from_a_fresh_state():
    first = calls(create_app({"SEED": 7}))
    assert first == calls(create_app({"SEED": 7}))
    assert first != calls(create_app({"SEED": 8}))


def test_unseeded_ids_differ():
    assert calls(create_app()) != calls(create_app())


@pytest.mark.parametrize("seed", [None, 1])
def test_id_shapes(seed):
    ids = Ids(seed=seed)
    assert len(ids.ulid()) == 26
    short = ids.short()
    assert len(short) == 6 and short.isalnum()


def test_restart_with_seed_and_state_file_does_not_reuse_ids(tmp_path):
    """A restarted seeded server must not hand out a metric id it already gave."""
    db = tmp_path / "state.json"
    app = create_app({"SEED": 1, "DB": str(db)})
    send(
        app.test_client(),
        "track",
        {
            "token": PUBLIC,
            "event": "Placed Order",
            "customer_properties": {"$email": "a@x.com"},
            "properties": {"$event_id": "1"},
        },
    )
    store_of(app).close()

    again = create_app({"SEED": 1, "DB": str(db)})
    send(
        again.test_client(),
        "track",
        {
            "token": PUBLIC,
            "event": "Viewed Product",
            "customer_properties": {"$email": "a@x.com"},
            "properties": {"$event_id": "1"},
        },
    )
    klaviyo = again.extensions["klaviyo_mock"]
    metrics = klaviyo.store.metrics("default")
    assert len({m.id for m in metrics}) == 2
    assert len(klaviyo.store.events("default")) == 2


def test_a_colliding_generator_still_gives_unique_ids():
    class Stuck(Ids):
        def __init__(self):
            super().__init__(seed=0)
            self.given = iter(["AAAAAA", "AAAAAA", "BBBBBB"])

        def short(self):
            return next(self.given)

    app = create_app()
    klaviyo = app.extensions["klaviyo_mock"]
    klaviyo.ids = Stuck()
    client = app.test_client()
    send(
        client,
        "track",
        {"token": PUBLIC, "event": "One", "customer_properties": {"$email": "a@x.com"}},
    )
    send(
        client,
        "track",
        {"token": PUBLIC, "event": "Two", "customer_properties": {"$email": "a@x.com"}},
    )
    assert sorted(m.id for m in klaviyo.store.metrics("default")) == ["AAAAAA", "BBBBBB"]


def test_ulids_sort_in_the_order_they_were_made():
    ids = Ids()
    made = [ids.ulid() for _ in range(2000)]  # many within one millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)


@pytest.mark.parametrize("seed", [None, 1])
def test_ulids_are_what_python_ulid_makes_of_their_time_and_randomness(seed):
    from datetime import UTC
    from datetime import datetime

    from ulid import ULID

    frozen = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    ids = Ids(clock=lambda: frozen, seed=seed)
    for made in (ids.ulid() for _ in range(3)):  # one millisecond: the time part is reused
        parsed = ULID.from_str(made)
        assert str(ULID.from_bytes(parsed.bytes)) == made
        if seed is None:
            assert parsed.milliseconds == int(frozen.timestamp() * 1000)


def test_a_ulid_takes_the_callers_reading_of_the_clock_when_given_one():
    from datetime import UTC
    from datetime import datetime

    from ulid import ULID

    clock_says = datetime(2026, 1, 2, tzinfo=UTC)
    caller_read = datetime(2026, 1, 1, tzinfo=UTC)
    ids = Ids(clock=lambda: clock_says)
    assert ULID.from_str(ids.ulid(caller_read)).milliseconds == int(caller_read.timestamp() * 1000)
    assert ULID.from_str(ids.ulid()).milliseconds == int(clock_says.timestamp() * 1000)
