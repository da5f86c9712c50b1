"""Track: events stored against the resolved profile, metrics, deduplication, time, the pixel."""

from __future__ import annotations

import time

import pytest
from conftest import PUBLIC
from conftest import send

PROFILE = {"$email": "a@b.com"}


def track(client, event="Placed Order", encoding="query-base64", **fields):
    payload = {"token": PUBLIC, "event": event, "customer_properties": PROFILE, **fields}
    return send(client, "track", payload, encoding)


def test_track_creates_profile_metric_and_event(client, klaviyo):
    assert (
        track(client, properties={"$value": 10, "item": "Boots"}, time=1_600_000_000).data == b"1"
    )
    [profile] = klaviyo.profiles("default")
    [event] = klaviyo.store.events("default")
    metric = klaviyo.store.metric_named("default", "Placed Order")
    assert event.profile_id == profile.id
    assert event.metric_id == metric.id
    assert len(metric.id) == 6
    assert len(event.id) == 26
    assert event.timestamp == 1_600_000_000
    assert event.properties == {"$value": 10, "item": "Boots"}


def test_metric_is_created_once_per_name(client, klaviyo):
    track(client, properties={"$event_id": "1"})
    track(client, properties={"$event_id": "2"})
    track(client, event="Viewed Product")
    events = klaviyo.store.events("default")
    assert len(events) == 3
    assert len({e.metric_id for e in events}) == 2


@pytest.mark.parametrize(
    ("first", "second", "recorded"),
    [
        pytest.param(
            {"properties": {"$event_id": "e1"}},
            {"properties": {"$event_id": "e1"}},
            1,
            id="same-event-id",
        ),
        pytest.param(
            {"properties": {"$event_id": "e1"}},
            {"properties": {"$event_id": "e2"}},
            2,
            id="other-event-id",
        ),
        pytest.param(
            {"time": 1_600_000_000}, {"time": 1_600_000_000}, 1, id="same-second-no-event-id"
        ),
        pytest.param(
            {"time": 1_600_000_000}, {"time": 1_600_000_000.7}, 1, id="same-second-fraction"
        ),
        pytest.param({"time": 1_600_000_000}, {"time": 1_600_000_001}, 2, id="other-second"),
        pytest.param(
            {"time": 1_600_000_000, "properties": {"$event_id": "x"}},
            {"time": 1_600_000_000, "properties": {"$event_id": "y"}},
            2,
            id="event-id-beats-time",
        ),
        pytest.param(
            {"properties": {"$event_id": 7}},
            {"properties": {"$event_id": "7"}},
            1,
            id="numeric-event-id",
        ),
    ],
)
def test_deduplication(client, klaviyo, first, second, recorded):
    assert track(client, **first).data == b"1"
    assert track(client, **second).data == b"1"
    assert len(klaviyo.store.events("default")) == recorded


def test_same_event_id_on_another_profile_or_metric_is_recorded(client, klaviyo):
    track(client, properties={"$event_id": "e1"})
    track(client, event="Other", properties={"$event_id": "e1"})
    send(
        client,
        "track",
        {
            "token": PUBLIC,
            "event": "Placed Order",
            "customer_properties": {"$email": "c@d.com"},
            "properties": {"$event_id": "e1"},
        },
    )
    assert len(klaviyo.store.events("default")) == 3


@pytest.mark.parametrize("value", [None, "1600000000", 1600000000.0])
def test_time_forms(client, klaviyo, value):
    before = int(time.time())
    assert track(client, time=value).data == b"1"
    [event] = klaviyo.store.events("default")
    if value is None:
        assert before <= event.timestamp <= int(time.time())
    else:
        assert event.timestamp == 1_600_000_000


@pytest.mark.parametrize("offset", [None, 367 * 24 * 3600], ids=["before-2000", "beyond-a-year"])
def test_time_out_of_range_is_dropped_whole(client, klaviyo, offset):
    value = 946_684_799 if offset is None else int(time.time()) + offset
    assert track(client, time=value).data == b"1"
    assert klaviyo.profiles("default") == []
    assert klaviyo.store.events("default") == []
    assert "outside" in klaviyo.journal.entries()[0].decisions[-1]


@pytest.mark.parametrize("endpoint", ["track", "identify"])
@pytest.mark.parametrize("valid", [True, False])
def test_pixel(client, endpoint, valid):
    response = client.get(
        f"/api/{endpoint}", query_string={"data": "e30=" if valid else "!!", "i": "1"}
    )
    assert response.status_code == 200
    assert response.mimetype == "image/gif"
    assert response.data.startswith(b"GIF89a")


def test_extra_fields_clients_add_are_accepted(client, klaviyo):
    """PK adds ip and time null; track_once adds __track_once__; ?test=0 rides along."""
    payload = {"token": PUBLIC, "event": "E", "customer_properties": PROFILE, "ip": "1.2.3.4",
               "time": None, "properties": {"__track_once__": True}}  # fmt: skip
    from conftest import b64

    response = client.get("/api/track", query_string={"data": b64(payload), "test": "0"})
    assert response.data == b"1"
    assert len(klaviyo.store.events("default")) == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        pytest.param(
            {"event": "E", "customer_properties": PROFILE}, "no public key", id="no-token"
        ),
        pytest.param({"token": PUBLIC, "event": "E"}, "no identifier", id="no-customer-properties"),
        pytest.param(
            {"token": PUBLIC, "event": "E", "customer_properties": {"$first_name": "A"}},
            "no identifier",
            id="no-identifier",
        ),
        pytest.param(
            {"token": PUBLIC, "event": "E", "customer_properties": {"$email": "not-an-email"}},
            "no identifier",
            id="invalid-email",
        ),
        pytest.param(
            {"token": PUBLIC, "event": "E", "customer_properties": {"$phone_number": "12"}},
            "no identifier",
            id="invalid-phone",
        ),
    ],
)
def test_well_formed_but_unusable_answers_1_and_stores_nothing(client, klaviyo, payload, reason):
    assert send(client, "track", payload).data == b"1"
    assert klaviyo.profiles("default") == []
    assert klaviyo.store.events("default") == []
    assert any(reason in d for d in klaviyo.journal.entries()[0].decisions)


def test_invalid_identifier_is_ignored_but_the_others_count(client, klaviyo):
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "nope", "$id": "U"}})
    [profile] = klaviyo.profiles("default")
    assert {k.legacy: v for k, v in profile.identifiers.items()} == {"$id": "U"}
    decisions = klaviyo.journal.entries()[0].decisions
    assert decisions[0] == "ignored $email: 'nope' is not a valid email address"


def test_journal_explains_each_call(client, klaviyo):
    send(client, "identify", {"token": PUBLIC, "properties": {"$id": "U"}})
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "e@x.com"}})
    [profile_q, profile_p] = [e for e in klaviyo.journal.entries()]
    p = klaviyo.profiles("default")[0].id
    assert profile_p.decisions == (f"created {p}: no profile has $id U",)
    assert (
        profile_q.decisions[0].startswith("created ") and "$email e@x.com" in profile_q.decisions[0]
    )
    assert profile_q.request["payload"]["properties"] == {"$email": "e@x.com"}
    assert profile_q.response == "1"


def test_integral_float_event_id_is_the_integer(client, klaviyo):
    track(client, properties={"$event_id": 7})
    track(client, properties={"$event_id": 7.0})
    track(client, properties={"$event_id": "7"})
    assert len(klaviyo.store.events("default")) == 1
