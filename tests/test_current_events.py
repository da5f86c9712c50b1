"""Today's events and metrics (klaviyo-behavior.md §5, current-api.md §5): POST /api/events,
GET /api/events[/{id}], the event's profile and metric, GET /api/metrics[/{id}]. Every answer
is checked against stable.json by the ``app`` fixture."""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from current import ACCOUNT
from current import E2
from current import HEADERS
from current import PERSON
from current import PHONE
from current import T0
from current import E
from current import error
from current import event_body
from current import iso
from current import state

from mockserver.api.jsonapi import encode_cursor
from mockserver.families.events.models import event_uuid


def post(
    client,
    body: Any,
    path: str = "/api/events",
    headers=HEADERS,
    content_type="application/vnd.api+json",
):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type=content_type, headers=headers)


def get(client, path: str, headers=HEADERS, **query: str):
    return client.get(path, query_string=query, headers=headers)


def track(client, event: str, when: int, **properties: Any):
    """A legacy Track call."""
    payload = {
        "token": PUBLIC,
        "event": event,
        "customer_properties": {"$email": E},
        "properties": properties,
        "time": when,
    }
    return client.post("/api/track", data=json.dumps(payload), content_type="application/json")


def seed(client, *events: tuple[str, str, int]) -> list[str]:
    """POST one event per (metric, email, time); the ids of the events, in that order."""
    for metric, email, when in events:
        assert post(client, event_body(metric, {"email": email}, time=iso(when))).status_code == 202
    listed = get(client, "/api/events", **{"page[size]": "1000"}).json["data"]
    by_key = {
        (e["attributes"]["timestamp"], e["relationships"]["metric"]["data"]["id"]): e["id"]
        for e in listed
    }
    metrics = {m["attributes"]["name"]: m["id"] for m in get(client, "/api/metrics").json["data"]}
    return [by_key[when, metrics[metric]] for metric, _, when in events]


# -- POST /api/events ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "profile", "attributes", "identifiers", "properties"),
    [
        ("/api/events", "application/vnd.api+json", {"email": E}, {}, {"email": E}, {"Sku": "1"}),
        (
            "/api/events/",
            "application/json",
            {"email": "  Betty@Example.com "},
            {},
            {"email": E},
            {"Sku": "1"},
        ),
        (
            "/api/events",
            "application/json",
            {"phone_number": PHONE},
            {},
            {"phone_number": PHONE},
            {"Sku": "1"},
        ),
        (
            "/api/events",
            "application/json",
            {"external_id": "u-1"},
            {},
            {"external_id": "u-1"},
            {"Sku": "1"},
        ),
        (
            "/api/events",
            "application/json",
            {"anonymous_id": "anon-1"},
            {},
            {"anonymous_id": "anon-1"},
            {"Sku": "1"},
        ),
        (
            "/api/events",
            "application/json",
            {"_kx": "kx-1"},
            {},
            {"exchange_id": "kx-1"},
            {"Sku": "1"},
        ),
        (
            "/api/events",
            "application/json",
            {"email": E},
            {"value": 9.99},
            {"email": E},
            {"Sku": "1", "$value": 9.99},
        ),
        (
            "/api/events",
            "application/json",
            {"email": E},
            {"value": 10, "value_currency": "EUR", "unique_id": "o-1", "backfill": True},
            {"email": E},
            {"Sku": "1", "$value": 10, "$value_currency": "EUR"},
        ),
        (
            "/api/events",
            "application/json",
            {"email": E},
            {"value": None, "time": None},
            {"email": E},
            {"Sku": "1"},
        ),
    ],
)
def test_create_event(
    client, klaviyo, path, content_type, profile, attributes, identifiers, properties
):
    before = int(time.time())
    response = post(
        client, event_body(profile=profile, **attributes), path, content_type=content_type
    )
    assert (response.status_code, response.data) == (202, b"")
    [person] = klaviyo.profiles(ACCOUNT)
    assert {k.value: v for k, v in person.identifiers.items()} == identifiers
    [event] = klaviyo.store.events(ACCOUNT)
    assert event.profile_id == person.id
    assert event.properties == properties
    assert before <= event.timestamp <= int(time.time())
    assert [m.name for m in klaviyo.store.metrics(ACCOUNT)] == ["Placed Order"]
    [entry] = klaviyo.journal.entries()
    assert entry.profiles == (person.id,)
    assert any(d.startswith("recorded event") for d in entry.decisions)


def test_event_updates_the_profile_it_identifies(client, klaviyo):
    profile = {
        "email": E,
        "first_name": "Betty",
        "properties": {"tier": "gold"},
        "location": {"city": "Paris"},
    }
    post(client, event_body(profile=profile))
    patch = {"patch_properties": {"append": {"skus": "92538"}}}
    post(
        client, event_body(profile={"email": E, "last_name": "Smith", "meta": patch}, time=iso(T0))
    )
    [person] = klaviyo.profiles(ACCOUNT)
    assert person.attributes == {"first_name": "Betty", "last_name": "Smith", "city": "Paris"}
    assert person.properties == {"tier": "gold", "skus": ["92538"]}
    assert len(klaviyo.store.events(ACCOUNT)) == 2


def test_event_with_identifiers_of_two_profiles_is_never_a_409(client, klaviyo):
    """Email selects A (the current identity order); the phone stays on B."""
    post(client, event_body(profile={"email": E}))
    post(client, event_body(profile={"phone_number": PHONE}, time=iso(T0)))
    a, b = klaviyo.profiles(ACCOUNT)
    response = post(
        client, event_body(profile={"email": E, "phone_number": PHONE}, time=iso(T0 + 1))
    )
    assert response.status_code == 202
    assert [p.identifiers for p in klaviyo.profiles(ACCOUNT)] == [a.identifiers, b.identifiers]
    assert klaviyo.store.events(ACCOUNT)[-1].profile_id == a.id
    assert any("stays there" in d for d in klaviyo.journal.entries()[0].decisions)


def test_event_by_profile_id(client, klaviyo):
    post(client, event_body(profile={"email": E}))
    [person] = klaviyo.profiles(ACCOUNT)
    response = post(client, event_body(profile={}, profile_id=person.id, time=iso(T0)))
    assert response.status_code == 202
    assert [e.profile_id for e in klaviyo.store.events(ACCOUNT)] == [person.id, person.id]


def test_event_for_an_unknown_profile_id_is_dropped(client, klaviyo):
    """202 like Klaviyo's queue, and nothing stored (*chosen*); the journal says why."""
    response = post(client, event_body(profile={}, profile_id="01HZZZZZZZZZZZZZZZZZZZZZZZ"))
    assert response.status_code == 202
    assert state(klaviyo) == ([], [], [])
    assert any(d.startswith("dropped") for d in klaviyo.journal.entries()[0].decisions)


@pytest.mark.parametrize(
    ("second", "stored"),
    [
        ({"metric": "Placed Order", "email": E, "unique_id": "o-1"}, 1),
        ({"metric": "Refunded Order", "email": E, "unique_id": "o-1"}, 2),
        ({"metric": "Placed Order", "email": E2, "unique_id": "o-1"}, 2),
        ({"metric": "Placed Order", "email": E, "unique_id": "o-2"}, 2),
        ({"metric": "Placed Order", "email": E, "time": iso(T0 + 5)}, 2),  # not the same key
    ],
)
def test_unique_id_deduplicates_per_profile_and_metric(client, klaviyo, second, stored):
    post(client, event_body(unique_id="o-1", time=iso(T0 + 5)))
    body = event_body(
        second["metric"], {"email": second["email"]}, unique_id=second.get("unique_id")
    )
    body["data"]["attributes"]["time"] = second.get("time", iso(T0 + 9))
    assert post(client, body).status_code == 202
    assert len(klaviyo.store.events(ACCOUNT)) == stored


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [
        ("2024-01-01T00:00:00.100Z", "2024-01-01T00:00:00.900Z", 1),  # one second: one event
        ("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00", 1),  # the same instant
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", 2),
    ],
)
def test_without_unique_id_the_time_to_the_second_deduplicates(
    client, klaviyo, first, second, stored
):
    post(client, event_body(time=first))
    post(client, event_body(time=second))
    events = klaviyo.store.events(ACCOUNT)
    assert len(events) == stored
    assert events[0].timestamp == T0  # truncated to the second


def test_legacy_track_and_current_events_share_the_unique_key(client, klaviyo):
    track(client, "Placed Order", T0, **{"$event_id": "o-1"})
    assert post(client, event_body(unique_id="o-1", time=iso(T0 + 60))).status_code == 202
    assert len(klaviyo.store.events(ACCOUNT)) == 1


def test_metric_is_created_on_first_use_only(client, klaviyo):
    for when, name in [
        (T0, "Viewed Product"),
        (T0 + 1, "Viewed Product"),
        (T0 + 2, "Added to Cart"),
    ]:
        post(client, event_body(name, time=iso(when)))
    assert sorted(m.name for m in klaviyo.store.metrics(ACCOUNT)) == [
        "Added to Cart",
        "Viewed Product",
    ]


NOW = int(time.time())
TOO_LATE = iso(NOW + 400 * 24 * 3600)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ("{", "/data/"),
        ("[1]", "/data"),
        ('{"x": 1}', "/data"),
        ("", "/data/"),
        ('{"data": {"type": "event", "attributes": {"properties": {"x": NaN}}}}', "/data/"),
        ('{"data": {"type": "event", "attributes": {"properties": {"x": -Infinity}}}}', "/data/"),
    ],
)
def test_unreadable_body_is_refused_and_changes_nothing(client, klaviyo, body, pointer):
    assert error(post(client, body), 400)["source"] == {"pointer": pointer}
    assert state(klaviyo) == ([], [], [])


def _without(path: str) -> dict[str, Any]:
    body = event_body()
    *parents, last = path.split("/")
    node = body
    for key in parents:
        node = node[key]
    del node[last]
    return body


def _with(path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(event_body())
    *parents, last = path.split("/")
    node = body
    for key in parents:
        node = node[key]
    node[last] = value
    return body


A = "data/attributes"


@pytest.mark.parametrize(
    ("body", "pointer", "detail"),
    [
        (_with("data/type", "events"), "/data/type", "Expected type 'event'"),
        (_without("data/type"), "/data/type", None),
        (_without(A), f"/{A}", None),
        (_without(f"{A}/properties"), f"/{A}/properties", None),
        (_with(f"{A}/properties", None), f"/{A}/properties", None),
        (_with(f"{A}/properties", [1]), f"/{A}/properties", None),
        (
            _with(f"{A}/properties", {str(n): n for n in range(401)}),
            f"/{A}/properties",
            "at most 400 properties",
        ),
        (_without(f"{A}/metric"), f"/{A}/metric", None),
        (_with(f"{A}/metric/data/type", "event"), f"/{A}/metric/data/type", None),
        (_without(f"{A}/metric/data/attributes/name"), f"/{A}/metric/data/attributes/name", None),
        (_with(f"{A}/metric/data/attributes/name", ""), f"/{A}/metric/data/attributes/name", None),
        (
            _with(f"{A}/metric/data/attributes/name", "x" * 128),
            f"/{A}/metric/data/attributes/name",
            "1 to 127",
        ),
        (_with(f"{A}/metric/data/attributes/name", 7), f"/{A}/metric/data/attributes/name", None),
        (_without(f"{A}/profile"), f"/{A}/profile", None),
        (_with(f"{A}/profile/data/type", "person"), f"/{A}/profile/data/type", None),
        (_without(f"{A}/profile/data/attributes"), f"/{PERSON}", None),
        (_with(PERSON, {}), f"/{PERSON}", "One or more identifiers is required"),
        (
            _with(PERSON, {"email": None, "first_name": "B"}),
            f"/{PERSON}",
            "One or more identifiers",
        ),
        (_with(PERSON, {"email": "not-an-email"}), f"/{PERSON}/email", "Invalid email address"),
        (_with(PERSON, {"phone_number": "555"}), f"/{PERSON}/phone_number", "Invalid phone number"),
        (_with(PERSON, {"email": 7}), f"/{PERSON}/email", None),
        (_with(f"{A}/time", "yesterday"), f"/{A}/time", None),
        (_with(f"{A}/time", "1989-12-31T23:59:59Z"), f"/{A}/time", "after the year 1990"),
        (_with(f"{A}/time", TOO_LATE), f"/{A}/time", "up to 1 year in the future"),
        (_with(f"{A}/value", "9.99"), f"/{A}/value", None),
        (_with(f"{A}/value", True), f"/{A}/value", None),
        (_with(f"{A}/unique_id", 7), f"/{A}/unique_id", None),
    ],
)
def test_invalid_event_is_refused_and_changes_nothing(client, klaviyo, body, pointer, detail):
    entry = error(post(client, body), 400)
    assert entry["source"] == {"pointer": pointer}
    assert entry["code"] == "invalid"
    if detail:
        assert detail in entry["detail"]
    assert state(klaviyo) == ([], [], [])


def test_bad_secondary_email_changes_nothing(client, klaviyo):
    """Refused before the profile takes the call's other identifiers (no partial state)."""
    post(client, event_body(profile={"email": E}))
    before = state(klaviyo)
    meta = {"patch_identifiers": {"append": {"email": ["nope"]}}}
    body = event_body(profile={"email": E, "phone_number": PHONE, "meta": meta}, time=iso(T0))
    assert error(post(client, body), 400)["detail"] == "Invalid email address"
    assert state(klaviyo) == before


def test_wrong_media_type_is_refused(client, klaviyo):
    entry = error(post(client, event_body(), content_type="text/plain"), 415)
    assert entry["code"] == "unsupported_media_type"
    assert state(klaviyo) == ([], [], [])


# -- keys and revisions, on every endpoint -----------------------------------------------------

ENDPOINTS = [
    ("POST", "/api/events"),
    ("GET", "/api/events"),
    ("GET", "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ"),
    ("GET", "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/profile"),
    ("GET", "/api/metrics"),
    ("GET", "/api/metrics/AbCdEf"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    ("headers", "status", "code", "source"),
    [
        ({"revision": "2026-07-15"}, 401, "not_authenticated", {"pointer": "/data/"}),
        (
            {"Authorization": "pk_test", "revision": "2026-07-15"},
            401,
            "not_authenticated",
            {"pointer": "/data/"},
        ),
        ({"Authorization": "Klaviyo-API-Key "}, 401, "not_authenticated", {"pointer": "/data/"}),
        ({"Authorization": "Klaviyo-API-Key pk_test"}, 400, "invalid", {"parameter": "revision"}),
        (
            {"Authorization": "Klaviyo-API-Key pk_test", "revision": "July"},
            400,
            "invalid",
            {"parameter": "revision"},
        ),
        (
            {"Authorization": "Klaviyo-API-Key pk_test", "revision": "2026-02-30"},
            400,
            "invalid",
            {"parameter": "revision"},
        ),
        (
            {"Authorization": "Klaviyo-API-Key pk_test", "revision": "2999-01-01"},
            404,
            "not_found",
            {"parameter": "revision"},
        ),
    ],
)
def test_key_and_revision_are_checked(client, klaviyo, method, path, headers, status, code, source):
    response = client.open(
        path,
        method=method,
        data=json.dumps(event_body()),
        content_type="application/json",
        headers=headers,
    )
    entry = error(response, status)
    assert (entry["code"], entry["source"]) == (code, source)
    assert state(klaviyo) == ([], [], [])


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_declared_accounts_refuse_an_unknown_key(client, klaviyo, method, path):
    klaviyo.declare_accounts([f"{PUBLIC}:{PRIVATE}"])
    response = client.open(
        path,
        method=method,
        data=json.dumps(event_body()),
        content_type="application/json",
        headers=HEADERS,
    )
    assert error(response, 401)["detail"] == "Missing or invalid private key."
    assert klaviyo.store.events(PUBLIC) == []


def test_declared_accounts_see_only_their_events(client, klaviyo):
    klaviyo.declare_accounts([f"{PUBLIC}:{PRIVATE}", "XyZ789:pk_" + "b2" * 17])
    mine = {**HEADERS, "Authorization": f"Klaviyo-API-Key {PRIVATE}"}
    theirs = {**HEADERS, "Authorization": "Klaviyo-API-Key pk_" + "b2" * 17}
    assert post(client, event_body(), headers=mine).status_code == 202
    assert len(get(client, "/api/events", headers=mine).json["data"]) == 1
    assert get(client, "/api/events", headers=theirs).json["data"] == []
    assert get(client, "/api/metrics", headers=theirs).json["data"] == []


# -- GET /api/events --------------------------------------------------------------------------

HISTORY = [
    ("Viewed Product", E, T0),
    ("Placed Order", E, T0 + 60),
    ("Viewed Product", E2, T0 + 120),
    ("Placed Order", E2, T0 + 180),
    ("Viewed Product", E, T0 + 240),
]


@pytest.fixture
def history(client) -> list[str]:
    return seed(client, *HISTORY)


def _ids(client, history, text: str) -> str:
    """A filter with {metric:Name} and {profile:email} replaced by ids."""
    events = {e["id"]: e for e in get(client, "/api/events").json["data"]}
    first = events[history[0]]["relationships"]
    second = events[history[2]]["relationships"]
    return (
        text.replace("{viewed}", first["metric"]["data"]["id"])
        .replace("{betty}", first["profile"]["data"]["id"])
        .replace("{other}", second["profile"]["data"]["id"])
        .replace("{placed}", events[history[1]]["relationships"]["metric"]["data"]["id"])
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("equals(metric_id,'{viewed}')", [0, 2, 4]),
        ('equals(metric_id,["{viewed}","{placed}"])', [0, 1, 2, 3, 4]),
        ("equals(profile_id,'{betty}')", [0, 1, 4]),
        ("equals(profile_id,'{betty}'),equals(metric_id,'{placed}')", [1]),
        ("and(equals(profile_id,'{other}'),equals(metric_id,'{viewed}'))", [2]),
        ("equals(profile_id,'01HZZZZZZZZZZZZZZZZZZZZZZZ')", []),
        ("equals(metric_id,'nope00')", []),
        ("has(profile)", [0, 1, 2, 3, 4]),
        ("has(metric)", [0, 1, 2, 3, 4]),
        (f"greater-than(datetime,{iso(T0 + 60)})", [2, 3, 4]),
        (f"greater-or-equal(datetime,'{iso(T0 + 60)}')", [1, 2, 3, 4]),
        ("less-than(datetime,2024-01-01T00:02:00Z)", [0, 1]),
        ("less-or-equal(datetime,2024-01-01T00:02:00Z)", [0, 1, 2]),
        (f"greater-than(timestamp,{T0 + 60})", [2, 3, 4]),
        (f"less-or-equal(timestamp,{T0 + 60})", [0, 1]),
        (f"greater-or-equal(timestamp,{T0 + 60}),less-than(timestamp,{T0 + 180})", [1, 2]),
        (f"equals(profile_id,'{{betty}}'),greater-than(timestamp,{T0})", [1, 4]),
        (f"or(less-than(timestamp,{T0 + 1}),greater-than(timestamp,{T0 + 239}))", [0, 4]),
    ],
)
def test_filters(client, history, text, expected):
    response = get(client, "/api/events", filter=_ids(client, history, text))
    assert response.status_code == 200, response.json
    assert [e["id"] for e in response.json["data"]] == [history[i] for i in expected]


@pytest.mark.parametrize(
    "text",
    [
        "equals(email,'a@b.com')",  # not a field of events
        "any(metric_id,['a','b'])",  # not an operator for it
        "equals(datetime,2024-01-01T00:00:00Z)",
        "has(datetime)",
        "greater-than(datetime,'soon')",
        "greater-than(timestamp,'1704067200')",
        "greater-than(timestamp,true)",
        "equals(profile_id,7)",
        "equals(metric_id,[7])",
        "equals(metric_id,[])",
        "equals(metric_id,'x'",
        "equals(metric_id,x y)",
        "nonsense",
    ],
)
def test_bad_filter_is_a_400(client, history, text):
    entry = error(get(client, "/api/events", filter=text), 400)
    assert entry["source"] == {"parameter": "filter"}


@pytest.mark.parametrize(
    ("text", "index", "count"),
    [
        ("equals(profile_id,'{betty}'),greater-than(timestamp,0)", "profile_id", 3),
        ("and(has(profile),equals(metric_id,'{placed}'))", "metric_id", 2),
        ('equals(metric_id,["{placed}","{viewed}"])', "metric_id", 5),
    ],
)
def test_a_filter_on_profile_or_metric_goes_through_the_index(
    client, klaviyo, history, monkeypatch, text, index, count
):
    """Never a scan of the account's events when the filter names a profile or a metric."""
    seen: list[dict[str, Any]] = []
    events = klaviyo.store.events

    def spy(account, **kwargs):
        seen.append(kwargs)
        return events(account, **kwargs)

    monkeypatch.setattr(klaviyo.store, "events", spy)
    query = _ids(client, history, text)
    seen.clear()
    assert len(get(client, "/api/events", filter=query).json["data"]) == count
    assert seen and all(kwargs.get(index) for kwargs in seen)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, [0, 1, 2, 3, 4]),
        ("timestamp", [0, 1, 2, 3, 4]),
        ("datetime", [0, 1, 2, 3, 4]),
        ("-timestamp", [4, 3, 2, 1, 0]),
        ("-datetime", [4, 3, 2, 1, 0]),
    ],
)
def test_sort(client, history, sort, order):
    query = {} if sort is None else {"sort": sort}
    assert [e["id"] for e in get(client, "/api/events", **query).json["data"]] == [
        history[i] for i in order
    ]


@pytest.mark.parametrize("sort", ["name", "--timestamp", "", "created", "timestamp,datetime"])
def test_bad_sort_is_a_400(client, sort):
    assert error(get(client, "/api/events", sort=sort), 400)["source"] == {"parameter": "sort"}


@pytest.mark.parametrize(
    ("sort", "order"), [("timestamp", [0, 1, 2, 3, 4]), ("-timestamp", [4, 3, 2, 1, 0])]
)
@pytest.mark.parametrize("cursor_form", ["as-given", "leading-equals", "whole-url"])
def test_cursor_pagination(client, history, sort, order, cursor_form):
    seen: list[str] = []
    query = {"page[size]": "2", "sort": sort}
    pages = 0
    while True:
        response = get(client, "/api/events", **query)
        assert response.status_code == 200, response.json
        pages += 1
        seen.extend(e["id"] for e in response.json["data"])
        links = response.json["links"]
        assert links["self"].startswith("http")
        if "next" not in links:
            break
        next_url = links["next"]
        cursor = next_url.split("page%5Bcursor%5D=")[1]
        query["page[cursor]"] = {
            "as-given": cursor,
            "leading-equals": "=" + cursor,
            "whole-url": next_url,
        }[cursor_form]
    assert pages == 3
    assert seen == [history[i] for i in order]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"page[size]": "0"}, "page[size]"),
        ({"page[size]": "1001"}, "page[size]"),
        ({"page[size]": "two"}, "page[size]"),
        ({"page[cursor]": "garbage!"}, "page[cursor]"),
        ({"page[cursor]": encode_cursor({"a": 1}, "get_events:")}, "page[cursor]"),  # type: ignore[arg-type]
        ({"page[cursor]": encode_cursor(["a", "b"], "get_events:")}, "page[cursor]"),
        ({"page[cursor]": encode_cursor([1, 2, 3], "get_events:")}, "page[cursor]"),
        ({"page[cursor]": encode_cursor([True, "x"], "get_events:")}, "page[cursor]"),
        ({"include": "lists"}, "include"),
        ({"fields[event]": "name"}, "fields[event]"),
        ({"fields[metric]": "email"}, "fields[metric]"),
        ({"fields[profile]": "subscriptions"}, "fields[profile]"),
        ({"fields[attribution]": "name"}, "fields[attribution]"),
    ],
)
def test_bad_query_parameters_are_a_400(client, history, query, parameter):
    assert error(get(client, "/api/events", **query), 400)["source"] == {"parameter": parameter}


def test_page_size_default_is_200_and_max_1000(client, klaviyo):
    post(client, event_body())
    [person] = klaviyo.profiles(ACCOUNT)
    for second in range(1, 201):
        klaviyo.seed_event(ACCOUNT, person.id, "Viewed Product", T0 + second, {})
    first = get(client, "/api/events").json
    assert len(first["data"]) == 200 and "next" in first["links"]
    assert len(get(client, "/api/events", **{"page[size]": "1000"}).json["data"]) == 201


def test_event_resource(client, history):
    response = get(
        client, "/api/events", filter=f"equals(metric_id,'{_ids(client, history, '{placed}')}')"
    )
    event = response.json["data"][0]
    attributes = event["attributes"]
    assert attributes == {
        "timestamp": T0 + 60,
        "event_properties": {"Sku": "1"},
        "datetime": "2024-01-01T00:01:00+00:00",
        "uuid": str(uuid.UUID(attributes["uuid"])),
    }
    assert event["links"]["self"] == f"http://localhost/api/events/{event['id']}/"
    relationships = event["relationships"]
    assert relationships["metric"]["data"]["type"] == "metric"
    assert relationships["profile"]["links"]["related"].endswith(
        f"/api/events/{event['id']}/profile/"
    )
    again = get(client, f"/api/events/{event['id']}").json["data"]
    assert again["attributes"]["uuid"] == attributes["uuid"]  # stable
    uuids = {e["attributes"]["uuid"] for e in get(client, "/api/events").json["data"]}
    assert len(uuids) == len(HISTORY)  # distinct


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "01563e3a-b5d3-d676-4c61-efb99302bd5b"),  # the same bits
        ("not-a-ulid", str(uuid.uuid5(uuid.NAMESPACE_URL, "not-a-ulid"))),
    ],
)
def test_event_uuid(event_id, expected):
    assert event_uuid(event_id) == expected


@pytest.mark.parametrize(
    ("query", "included"),
    [
        ({}, None),
        ({"include": "metric"}, [("metric", "Viewed Product"), ("metric", "Placed Order")]),
        ({"include": "profile"}, [("profile", E), ("profile", E2)]),
        (  # each once, in the order the events name them (each as the include orders them)
            {"include": "profile,metric"},
            [
                ("profile", E),
                ("metric", "Viewed Product"),
                ("metric", "Placed Order"),
                ("profile", E2),
            ],
        ),
        ({"include": "attributions"}, []),
    ],
)
def test_include(client, history, query, included):
    document = get(client, "/api/events", **query).json
    if included is None:
        assert "included" not in document
        return
    found = [
        (r["type"], r["attributes"].get("name") or r["attributes"].get("email"))
        for r in document["included"]
    ]
    assert found == included


def test_sparse_fieldsets(client, history):
    query = {
        "include": "metric,profile",
        "fields[event]": "timestamp,uuid",
        "fields[metric]": "name",
        "fields[profile]": "email,location.city",
    }
    document = get(client, "/api/events", **query).json
    assert set(document["data"][0]["attributes"]) == {"timestamp", "uuid"}
    kinds = {r["type"]: set(r["attributes"]) for r in document["included"]}
    assert kinds == {"metric": {"name"}, "profile": {"email", "location"}}


# -- GET /api/events/{id} and its profile and metric ----------------------------------------


@pytest.mark.parametrize("suffix", ["", "/"])
def test_get_event_with_include(client, history, suffix):
    document = get(client, f"/api/events/{history[1]}{suffix}", include="metric,profile").json
    assert document["data"]["id"] == history[1]
    assert document["links"]["self"] == f"http://localhost/api/events/{history[1]}/"
    assert [r["type"] for r in document["included"]] == ["metric", "profile"]
    assert document["included"][0]["attributes"]["name"] == "Placed Order"
    assert document["included"][1]["attributes"]["email"] == E


def test_event_profile_metric_and_relationships(client, history):
    event = get(client, f"/api/events/{history[2]}").json["data"]
    profile_id = event["relationships"]["profile"]["data"]["id"]
    metric_id = event["relationships"]["metric"]["data"]["id"]
    profile = get(client, f"/api/events/{history[2]}/profile").json["data"]
    assert (profile["id"], profile["attributes"]["email"]) == (profile_id, E2)
    metric = get(client, f"/api/events/{history[2]}/metric", **{"fields[metric]": "name"}).json[
        "data"
    ]
    assert (metric["id"], metric["attributes"]) == (metric_id, {"name": "Viewed Product"})
    for name, related in (("profile", profile_id), ("metric", metric_id)):
        document = get(client, f"/api/events/{history[2]}/relationships/{name}").json
        assert document["data"] == {"type": name, "id": related}


@pytest.mark.parametrize(
    "path",
    [
        "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ",
        "/api/events/nope",
        "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/profile",
        "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/metric",
        "/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ/relationships/profile",
        "/api/metrics/nope00",
    ],
)
def test_unknown_ids_are_a_404(client, history, path):
    entry = error(get(client, path), 404)
    assert entry["code"] == "not_found"
    assert "does not exist" in entry["detail"]


# -- GET /api/metrics --------------------------------------------------------------------------


def test_metrics(client, history):
    document = get(client, "/api/metrics").json
    names = [m["attributes"]["name"] for m in document["data"]]
    assert sorted(names) == ["Placed Order", "Viewed Product"]
    metric = document["data"][0]
    assert set(metric["attributes"]) == {"name", "created", "updated", "integration"}
    assert metric["attributes"]["integration"]["name"] == "API"
    assert metric["links"]["self"] == f"http://localhost/api/metrics/{metric['id']}/"
    assert "next" not in document["links"]
    one = get(client, f"/api/metrics/{metric['id']}", **{"fields[metric]": "name"}).json
    assert one["data"]["attributes"] == {"name": metric["attributes"]["name"]}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("equals(integration.name,'API')", 2),
        ("equals(integration.category,'API')", 2),
        ("equals(integration.name,'Shopify')", 0),
    ],
)
def test_metric_filters(client, history, text, count):
    assert len(get(client, "/api/metrics", filter=text).json["data"]) == count


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"filter": "equals(name,'Placed Order')"}, "filter"),
        ({"filter": "any(integration.name,['API'])"}, "filter"),
        ({"fields[metric]": "email"}, "fields[metric]"),
        ({"include": "profile"}, "include"),
        ({"page[cursor]": "garbage!"}, "page[cursor]"),
        ({"page[cursor]": encode_cursor([1, "x"], "get_events:")}, "page[cursor]"),
    ],
)
def test_bad_metric_queries_are_a_400(client, history, query, parameter):
    assert error(get(client, "/api/metrics", **query), 400)["source"] == {"parameter": parameter}


def test_metrics_page_by_200(client, klaviyo):
    post(client, event_body())
    [person] = klaviyo.profiles(ACCOUNT)
    for n in range(200):
        klaviyo.seed_event(ACCOUNT, person.id, f"Metric {n}", T0, {})
    first = get(client, "/api/metrics").json
    assert len(first["data"]) == 200
    second = client.get(first["links"]["next"], headers=HEADERS).json
    assert "next" not in second["links"]
    seen = [m["id"] for m in first["data"] + second["data"]]
    assert sorted(seen) == sorted(m.id for m in klaviyo.store.metrics(ACCOUNT))


# -- one state with the legacy API -------------------------------------------------------------


def test_a_legacy_track_event_shows_in_get_events(client, klaviyo):
    assert track(client, "Ordered Product", T0, Sku="7", **{"$value": 5}).data == b"1"
    document = get(client, "/api/events", include="metric,profile").json
    [event] = document["data"]
    assert event["attributes"]["event_properties"] == {"Sku": "7", "$value": 5}
    assert event["attributes"]["timestamp"] == T0
    [metric, profile] = document["included"]
    assert metric["attributes"]["name"] == "Ordered Product"
    assert profile["attributes"]["email"] == E


def test_a_current_event_shows_in_the_legacy_timeline(client, klaviyo):
    post(client, event_body("Placed Order", value=9.99, time=iso(T0)))
    response = client.get("/api/v1/metrics/timeline", query_string={"api_key": "pk_test"})
    assert response.status_code == 200, response.json
    [event] = response.json["data"]
    assert event["event_name"] == "Placed Order"
    assert event["timestamp"] == T0
    assert event["event_properties"] == {"Sku": "1", "$value": 9.99}
    assert event["person"]["$email"] == E
    legacy_metrics = client.get("/api/v1/metrics", query_string={"api_key": "pk_test"}).json
    assert [m["name"] for m in legacy_metrics["data"]] == ["Placed Order"]
