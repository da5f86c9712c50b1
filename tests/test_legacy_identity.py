"""The identity table over HTTP, in each encoding real clients use, plus the aliases and nulls."""

from __future__ import annotations

import pytest
from conftest import ENCODINGS
from conftest import PUBLIC
from conftest import send
from tables import IDENTITY_ROWS
from tables import NEW


def people(klaviyo) -> list[dict[str, str]]:
    return [
        {kind.legacy: value for kind, value in p.identifiers.items()}
        for p in klaviyo.profiles("default")
    ]


def normalised(sets):
    return sorted(sorted(s.items()) for s in sets)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("history", "call", "lands_on", "after", "duplicate_groups"), IDENTITY_ROWS
)
def test_identity_table_over_http(
    client, klaviyo, encoding, history, call, lands_on, after, duplicate_groups
):
    for properties in history:
        assert (
            send(client, "identify", {"token": PUBLIC, "properties": properties}, encoding).data
            == b"1"
        )
    before = {p.id for p in klaviyo.profiles("default")}

    response = send(
        client, "track", {"token": PUBLIC, "event": "Viewed", "customer_properties": call}, encoding
    )

    assert response.status_code == 200
    assert response.data == b"1"
    assert response.mimetype == "text/html"
    assert normalised(people(klaviyo)) == normalised(after)
    [event] = klaviyo.store.events("default")
    assert (event.profile_id in before) == (lands_on != NEW)
    assert len(klaviyo.duplicates("default")) == duplicate_groups


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        pytest.param({"email": "a@b.com"}, {"$email": "a@b.com"}, id="email-alias"),
        pytest.param({"id": "X1"}, {"$id": "X1"}, id="id-alias"),
        pytest.param(
            {"phone_number": "+15555550100"}, {"$phone_number": "+15555550100"}, id="phone-alias"
        ),
        pytest.param(
            {"$email": "a@b.com", "email": "other@b.com"}, {"$email": "a@b.com"}, id="prefixed-wins"
        ),
        pytest.param(
            {"$email": None, "email": "a@b.com"},
            {"$email": "a@b.com"},
            id="null-prefixed-alias-used",
        ),
        pytest.param(
            {"$id": 42, "$email": "a@b.com"}, {"$id": "42", "$email": "a@b.com"}, id="numeric-id"
        ),
        pytest.param(
            {"$phone_number": 15555550100}, {"$phone_number": "+15555550100"}, id="numeric-phone"
        ),
        pytest.param(
            {"$exchange_id": "abc.AbC123"}, {"$exchange_id": "abc.AbC123"}, id="exchange-id"
        ),
        pytest.param(
            {"$email": "  Betty@Example.COM "},
            {"$email": "betty@example.com"},
            id="email-normalised",
        ),
        pytest.param(
            {"$phone_number": "(555) 555-0100"}, {"$phone_number": "+15555550100"}, id="us-phone"
        ),
        pytest.param(
            {"$phone_number": "13239169023"},
            {"$phone_number": "+13239169023"},
            id="phone-without-plus",
        ),
        pytest.param(
            {"$email": "a@b.com", "$id": None, "$phone_number": ""},
            {"$email": "a@b.com"},
            id="nulls-absent",
        ),
    ],
)
def test_identifier_forms(client, klaviyo, properties, expected):
    assert send(client, "identify", {"token": PUBLIC, "properties": properties}).data == b"1"
    assert people(klaviyo) == [expected]


def test_aliases_can_be_switched_off():
    from mockserver import create_app

    app = create_app({"TESTING": True, "LEGACY_ALIASES": False})
    client = app.test_client()
    klaviyo = app.extensions["klaviyo_mock"]
    send(client, "identify", {"token": PUBLIC, "properties": {"email": "a@b.com"}})
    assert klaviyo.profiles("default") == []
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "a@b.com", "email": "x"}})
    [profile] = klaviyo.profiles("default")
    assert profile.properties == {"email": "x"}


@pytest.mark.parametrize(
    ("variant", "same_profile"),
    [
        ("BETTY@EXAMPLE.COM", True),
        (" betty@example.com\n", True),
        ("betty@example.org", False),
    ],
)
def test_emails_compare_case_insensitively_after_trimming(client, klaviyo, variant, same_profile):
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "betty@example.com"}})
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": variant}})
    assert len(klaviyo.profiles("default")) == (1 if same_profile else 2)


@pytest.mark.parametrize(
    "variant", ["+1 555 555 0100", "+1-555-555-0100", "15555550100", "(555) 555-0100"]
)
def test_phones_compare_in_e164(client, klaviyo, variant):
    send(client, "identify", {"token": PUBLIC, "properties": {"$phone_number": "+15555550100"}})
    send(client, "identify", {"token": PUBLIC, "properties": {"$phone_number": variant}})
    assert len(klaviyo.profiles("default")) == 1


def test_properties_upsert_key_by_key_and_ignore_nulls(client, klaviyo):
    send(
        client,
        "identify",
        {
            "token": PUBLIC,
            "properties": {"$email": "a@b.com", "$first_name": "Ann", "Plan": "Free", "Team": "x"},
        },
    )
    first = klaviyo.profiles("default")[0]
    send(
        client,
        "identify",
        {
            "token": PUBLIC,
            "properties": {"$email": "a@b.com", "$first_name": None, "Plan": "Pro", "Seats": 3},
        },
    )
    [profile] = klaviyo.profiles("default")
    assert profile.attributes == {"first_name": "Ann"}
    assert profile.properties == {"Plan": "Pro", "Team": "x", "Seats": 3}
    assert profile.created == first.created


def test_php_client_payload_with_every_special_field_null(client, klaviyo):
    """php-klaviyo sends every special attribute, null when unset, and `email` for `$email`."""
    properties = {
        "$id": None, "$first_name": None, "$last_name": None, "$phone_number": None, "$title": None,
        "$organization": None, "$city": "Boston", "email": "php@example.com", "Custom": None,
    }  # fmt: skip
    assert (
        send(client, "identify", {"token": PUBLIC, "properties": properties}, "json-body").data
        == b"1"
    )
    [profile] = klaviyo.profiles("default")
    assert {k.legacy: v for k, v in profile.identifiers.items()} == {"$email": "php@example.com"}
    assert profile.attributes == {"city": "Boston"}
    assert profile.properties == {}


def test_track_updates_the_profile_from_customer_properties(client, klaviyo):
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "a@b.com"}})
    send(
        client,
        "track",
        {
            "token": PUBLIC,
            "event": "Placed Order",
            "customer_properties": {"$email": "a@b.com", "$last_name": "B", "VIP": True},
        },
    )
    [profile] = klaviyo.profiles("default")
    assert profile.attributes == {"last_name": "B"}
    assert profile.properties == {"VIP": True}
