"""Ids: shapes Klaviyo uses, seeded determinism, and uniqueness after a restart."""

from __future__ import annotations

import re

import pytest
from conftest import PUBLIC
from conftest import send

from mockserver import create_app
from mockserver.app import store_of
from mockserver.domain.ports import Ids
from mockserver.domain.ports import IdShape


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


def test_a_tracked_event_is_stamped_when_stored_never_before_the_profile_it_made():
    """The event's id and ``created`` come from one reading of the clock under the store's
    lock, after the profile is made: a slow clock step between them shows it."""
    import itertools
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from ulid import ULID

    from mockserver.domain.commands import ProfileData
    from mockserver.domain.commands import TrackCommand
    from mockserver.domain.models import IdentifierKind
    from mockserver.domain.service import Klaviyo
    from mockserver.store import TinyDBStore

    ticks = itertools.count()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    klaviyo = Klaviyo(
        TinyDBStore(), clock=lambda: start + timedelta(milliseconds=700 * next(ticks))
    )
    for n in range(3):
        data = ProfileData({IdentifierKind.EMAIL: f"p{n}@example.com"}, {}, {})
        done = klaviyo.track(TrackCommand("AbC123", "Placed Order", data, {}, None))
        assert done.account and done.profile_id and done.event_id
        profile = klaviyo.store.get_profile(done.account, done.profile_id)
        event = klaviyo.store.get_event(done.account, done.event_id)
        assert profile and event
        assert event.created >= profile.created
        assert ULID.from_str(event.id).milliseconds > ULID.from_str(profile.id).milliseconds


def test_a_ulid_refuses_to_carry_an_exhausted_random_part_into_its_time():
    from datetime import UTC
    from datetime import datetime

    frozen = datetime(2026, 1, 1, tzinfo=UTC)
    ids = Ids(clock=lambda: frozen)
    ids.ulid()
    ids._last = (ids._last[0], (1 << 80) - 1)
    with pytest.raises(OverflowError):
        ids.ulid()


@pytest.mark.parametrize(
    ("kind", "shape", "pattern", "attributes"),
    [
        ("form-version", None, r"\d+", {}),  # the document's example: 1234567
        ("flow-action", IdShape.NUMBER, r"\d+", {}),
        ("campaign-send-job", None, r"[0-9A-Z]{26}", {}),
        ("template", None, r"[0-9A-Za-z]{6}", {"name": "T", "editor_type": "CODE", "html": "x"}),
    ],
)
def test_reserved_ids_are_distinct_free_and_in_the_types_shape(kind, shape, pattern, attributes):
    klaviyo = create_app({"SEED": 3}).extensions["klaviyo_mock"]
    account = klaviyo.accounts.account("default")
    taken = klaviyo.backend(account).resources.new_ids(kind, 1, shape)[0]
    klaviyo.backend(account).resources.create(kind, attributes, record_id=taken)
    ids = klaviyo.backend(account).resources.new_ids(kind, 5, shape)
    assert len(set(ids)) == 5
    assert taken not in ids
    assert all(re.fullmatch(pattern, i) for i in ids)
