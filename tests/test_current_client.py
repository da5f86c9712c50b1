"""Today's client endpoints (klaviyo-behavior.md §5, current-api.md §6): POST /client/events and
POST /client/profiles, with ``?company_id=`` and no private key. 202 with no body; a profile's
identifiers never change through them. Every answer is checked against stable.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from current import ACCOUNT
from current import E2
from current import HEADERS as PRIVATE_HEADERS
from current import PERSON
from current import PHONE
from current import T0
from current import E
from current import error
from current import event_body
from current import iso
from current import state

HEADERS = {"revision": "2026-07-15"}
PHONE2 = "+15555550199"


def profile_body(attributes: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {"data": {"type": "profile", "attributes": attributes, **data}}


def post(client, path: str, body: Any, company_id: str | None = PUBLIC, headers=HEADERS):
    query = {} if company_id is None else {"company_id": company_id}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        path, query_string=query, data=data, content_type="application/json", headers=headers
    )


def client_event(client, profile: dict[str, Any], when: int = T0, **attributes: Any):
    return post(client, "/client/events", event_body(profile=profile, time=iso(when), **attributes))


def client_profile(client, attributes: dict[str, Any], **data: Any):
    return post(client, "/client/profiles", profile_body(attributes, **data))


def identifiers(klaviyo) -> list[dict[str, str]]:
    return [{k.value: v for k, v in p.identifiers.items()} for p in klaviyo.profiles(ACCOUNT)]


SEND = {
    "event": lambda client, profile: client_event(client, profile),
    "profile": lambda client, profile: client_profile(client, profile),
}


@pytest.mark.parametrize("via", SEND)
@pytest.mark.parametrize(
    ("history", "call", "after"),
    [
        pytest.param([], {"email": E}, [{"email": E}], id="creates-by-email"),
        pytest.param(
            [],
            {"anonymous_id": "anon-1"},
            [{"anonymous_id": "anon-1"}],
            id="creates-by-anonymous-id",
        ),
        pytest.param([], {"_kx": "kx-1"}, [{"exchange_id": "kx-1"}], id="creates-by-kx"),
        pytest.param(
            [{"anonymous_id": "anon-1"}],
            {"anonymous_id": "anon-1", "email": E},
            [{"anonymous_id": "anon-1", "email": E}],
            id="anonymous-id-matches-email-added",
        ),
        pytest.param(
            [{"_kx": "kx-1", "email": E}],
            {"_kx": "kx-1"},
            [{"exchange_id": "kx-1", "email": E}],
            id="kx-matches",
        ),
        pytest.param(
            [{"email": E}],
            {"email": E, "phone_number": PHONE},
            [{"email": E, "phone_number": PHONE}],
            id="missing-identifier-is-added",
        ),
        pytest.param(
            [{"email": E, "external_id": "u-1"}],
            {"email": E, "external_id": "u-2"},
            [{"email": E, "external_id": "u-1"}],
            id="external-id-kept",
        ),
        pytest.param(
            [{"external_id": "u-1", "email": E}],
            {"external_id": "u-1", "email": E2},
            [{"external_id": "u-1", "email": E}],
            id="email-kept",
        ),
        pytest.param(
            [{"anonymous_id": "anon-1", "phone_number": PHONE}],
            {"anonymous_id": "anon-1", "phone_number": PHONE2},
            [{"anonymous_id": "anon-1", "phone_number": PHONE}],
            id="phone-kept",
        ),
        pytest.param(
            [{"email": E}, {"phone_number": PHONE}],
            {"email": E, "phone_number": PHONE},
            [{"email": E}, {"phone_number": PHONE}],
            id="conflict-no-409-no-move",
        ),
    ],
)
def test_client_calls_never_change_identifiers(client, klaviyo, via, history, call, after):
    for n, attributes in enumerate(history):
        assert client_event(client, attributes, when=T0 - 10 - n).status_code == 202
    response = SEND[via](client, call)
    assert (response.status_code, response.data) == (202, b"")
    assert identifiers(klaviyo) == after


def test_client_event_is_recorded(client, klaviyo):
    response = client_event(client, {"anonymous_id": "anon-1"}, value=5, unique_id="o-1")
    assert (response.status_code, response.data) == (202, b"")
    [event] = klaviyo.store.events(ACCOUNT)
    assert event.properties == {"Sku": "1", "$value": 5}
    assert event.timestamp == T0
    listed = client.get("/api/events", headers=PRIVATE_HEADERS).json["data"]
    assert [e["id"] for e in listed] == [event.id]
    assert (
        client_event(client, {"anonymous_id": "anon-1"}, when=T0 + 9, unique_id="o-1").status_code
        == 202
    )
    assert len(klaviyo.store.events(ACCOUNT)) == 1  # unique_id deduplicates here too


def test_client_profile_sets_attributes_and_properties(client, klaviyo):
    client_profile(client, {"email": E, "first_name": "Betty", "properties": {"tier": "gold"}})
    meta = {"patch_properties": {"append": {"skus": "1"}, "unset": "tier"}}
    response = client_profile(client, {"email": E, "last_name": "Smith"}, meta=meta)
    assert response.status_code == 202
    [person] = klaviyo.profiles(ACCOUNT)
    assert person.attributes == {"first_name": "Betty", "last_name": "Smith"}
    assert person.properties == {"skus": ["1"]}
    [entry] = klaviyo.journal.entries(limit=1)
    assert entry.profiles == (person.id,) and entry.account == ACCOUNT


def test_client_profile_by_id(client, klaviyo):
    client_profile(client, {"email": E})
    [person] = klaviyo.profiles(ACCOUNT)
    assert client_profile(client, {"first_name": "B"}, id=person.id).status_code == 202
    assert klaviyo.profiles(ACCOUNT)[0].attributes == {"first_name": "B"}


def test_client_profile_for_an_unknown_id_is_dropped(client, klaviyo):
    response = client_profile(client, {"first_name": "B"}, id="01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert response.status_code == 202
    assert state(klaviyo) == ([], [], [])


# -- refused calls: the documented envelope, and no change -----------------------------------

ENDPOINTS = ("/client/events", "/client/profiles")


def _valid(path: str) -> dict[str, Any]:
    return event_body() if path.startswith("/client/events") else profile_body({"email": E})


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("company_id", "headers", "status", "source"),
    [
        (None, HEADERS, 400, {"parameter": "company_id"}),
        ("", HEADERS, 400, {"parameter": "company_id"}),
        (PUBLIC, {}, 400, {"parameter": "revision"}),
        (PUBLIC, {"revision": "15-07-2026"}, 400, {"parameter": "revision"}),
        (PUBLIC, {"revision": "2999-01-01"}, 404, {"parameter": "revision"}),
    ],
)
def test_company_id_and_revision_are_checked(
    client, klaviyo, path, company_id, headers, status, source
):
    entry = error(post(client, path, _valid(path), company_id=company_id, headers=headers), status)
    assert entry["source"] == source
    assert state(klaviyo) == ([], [], [])


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("company_id", ["XyZ789", "nope", PRIVATE])
def test_declared_accounts_refuse_an_unknown_company_id(client, klaviyo, path, company_id):
    klaviyo.declare_accounts([f"{PUBLIC}:{PRIVATE}"])
    entry = error(post(client, path, _valid(path), company_id=company_id), 400)
    assert entry["source"] == {"parameter": "company_id"}
    assert klaviyo.profiles(PUBLIC) == []


@pytest.mark.parametrize("path", [*ENDPOINTS, "/client/events/", "/client/profiles/"])
def test_declared_accounts_take_their_company_id(client, klaviyo, path):
    """The mobile SDKs' paths end in ``/``."""
    klaviyo.declare_accounts([f"{PUBLIC}:{PRIVATE}"])
    assert post(client, path, _valid(path)).status_code == 202
    assert len(klaviyo.profiles(PUBLIC)) == 1


@pytest.mark.parametrize(
    ("path", "body", "pointer", "detail"),
    [
        ("/client/events", "{", "/data/", None),
        ("/client/profiles", "{", "/data/", None),
        ("/client/profiles", "[]", "/data", None),
        ("/client/events", event_body() | {"data": {"type": "event"}}, "/data/attributes", None),
        (
            "/client/events",
            {"data": {**event_body()["data"], "type": "profile"}},
            "/data/type",
            None,
        ),
        (
            "/client/events",
            event_body(profile={}),
            f"/{PERSON}",
            "One or more identifiers is required",
        ),
        (
            "/client/events",
            event_body(profile={"email": "x"}),
            f"/{PERSON}/email",
            "Invalid email address",
        ),
        ("/client/events", event_body(time="1900-01-01T00:00:00Z"), "/data/attributes/time", None),
        (
            "/client/profiles",
            {"data": {"type": "event", "attributes": {"email": E}}},
            "/data/type",
            None,
        ),
        ("/client/profiles", {"data": {"type": "profile"}}, "/data/attributes", None),
        (
            "/client/profiles",
            profile_body({}),
            "/data/attributes",
            "One or more identifiers is required",
        ),
        (
            "/client/profiles",
            profile_body({"anonymous_id": None}),
            "/data/attributes",
            "One or more identifiers",
        ),
        (
            "/client/profiles",
            profile_body({"phone_number": "555"}),
            "/data/attributes/phone_number",
            "Invalid phone",
        ),
        (
            "/client/profiles",
            profile_body({"email": E, "properties": []}),
            "/data/attributes/properties",
            None,
        ),
        (
            "/client/profiles",
            profile_body({"email": E}, meta={"patch_properties": {"unset": 7}}),
            "/data/meta/patch_properties/unset",
            "Unset must be a string",
        ),
    ],
)
def test_invalid_bodies_are_refused_and_change_nothing(
    client, klaviyo, path, body, pointer, detail
):
    entry = error(post(client, path, body), 400)
    assert (entry["code"], entry["source"]) == ("invalid", {"pointer": pointer})
    if detail:
        assert detail in entry["detail"]
    assert state(klaviyo) == ([], [], [])


def test_bad_secondary_email_leaves_the_profile_as_it_was(client, klaviyo):
    client_profile(client, {"email": E})
    before = state(klaviyo)
    meta = {"patch_identifiers": {"append": {"email": ["nope"]}}}
    response = client_profile(client, {"email": E, "phone_number": PHONE}, meta=meta)
    assert error(response, 400)["detail"] == "Invalid email address"
    assert state(klaviyo) == before


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_private_key_is_not_what_client_endpoints_read(client, klaviyo, path):
    headers = {**HEADERS, "Authorization": f"Klaviyo-API-Key {PRIVATE}"}
    entry = error(post(client, path, _valid(path), company_id=None, headers=headers), 400)
    assert entry["source"] == {"parameter": "company_id"}
