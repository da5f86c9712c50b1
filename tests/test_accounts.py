"""Accounts (klaviyo-behavior.md §1): the open account, and declared accounts that isolate."""

from __future__ import annotations

import pytest
from conftest import OTHER_PRIVATE
from conftest import OTHER_PUBLIC
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app
from mockserver.domain.accounts import AccountConfigError
from mockserver.domain.accounts import Accounts


@pytest.fixture
def declared():
    app = create_app(
        {
            "TESTING": True,
            "ACCOUNTS": [
                f"{PUBLIC}:{PRIVATE}",
                {"public_key": OTHER_PUBLIC, "private_keys": [OTHER_PRIVATE]},
            ],
        }
    )
    return app.test_client(), app.extensions["klaviyo_mock"]


def search(client, key, email="a@b.com"):
    return client.get("/api/v2/people/search", query_string={"email": email, "api_key": key})


def test_open_account_accepts_any_non_empty_key(client, klaviyo):
    send(client, "identify", {"token": "anything", "properties": {"$email": "a@b.com"}})
    send(client, "identify", {"token": "pk_whatever", "properties": {"$email": "a@b.com"}})
    assert len(klaviyo.profiles("default")) == 1
    assert search(client, "some-key").status_code == 200
    assert search(client, PRIVATE).status_code == 200


def test_declared_accounts_are_isolated(declared):
    client, klaviyo = declared
    send(
        client,
        "identify",
        {"token": PUBLIC, "properties": {"$email": "a@b.com", "$first_name": "One"}},
    )
    send(
        client,
        "identify",
        {"token": OTHER_PUBLIC, "properties": {"$email": "a@b.com", "$first_name": "Two"}},
    )
    [one] = klaviyo.profiles(PUBLIC)
    [two] = klaviyo.profiles(OTHER_PUBLIC)
    assert one.id != two.id
    assert (one.attributes, two.attributes) == ({"first_name": "One"}, {"first_name": "Two"})
    assert search(client, PRIVATE).json == {"id": one.id}
    assert search(client, OTHER_PRIVATE).json == {"id": two.id}


@pytest.mark.parametrize("token", ["ZZZ999", PRIVATE, "", None])
def test_unknown_public_key_answers_1_and_stores_nothing(declared, token):
    client, klaviyo = declared
    payload = {"properties": {"$email": "a@b.com"}} | (
        {"token": token} if token is not None else {}
    )
    assert send(client, "identify", payload).data == b"1"
    assert klaviyo.profiles(PUBLIC) == [] and klaviyo.profiles(OTHER_PUBLIC) == []
    assert klaviyo.journal.entries()[0].decisions[0].startswith("dropped: ")


def test_public_key_is_not_a_private_key(declared):
    client, _ = declared
    assert search(client, PUBLIC).status_code == 403


def test_reset_one_account_keeps_the_other(declared):
    client, klaviyo = declared
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "a@b.com"}})
    send(client, "identify", {"token": OTHER_PUBLIC, "properties": {"$email": "a@b.com"}})
    klaviyo.reset(PUBLIC)
    assert klaviyo.profiles(PUBLIC) == []
    assert len(klaviyo.profiles(OTHER_PUBLIC)) == 1
    assert search(client, PRIVATE).status_code == 404


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        pytest.param(["AbC12:" + PRIVATE], "6 letters or digits", id="short-public"),
        pytest.param(["AbC123:pk_short"], "pk_ and 34", id="bad-private"),
        pytest.param(
            [f"AbC123:{PRIVATE}", f"AbC123:{OTHER_PRIVATE}"], "declared twice", id="public-twice"
        ),
        pytest.param(
            [f"AbC123:{PRIVATE}", f"XyZ789:{PRIVATE}"], "declared twice", id="private-twice"
        ),
        pytest.param([{"private_keys": [PRIVATE]}], "needs public_key", id="no-public"),
    ],
)
def test_bad_account_declarations_are_refused(entries, message):
    with pytest.raises(AccountConfigError, match=message):
        Accounts.from_config(entries)


def test_account_with_several_private_keys():
    second = "pk_" + "c3" * 17
    accounts = Accounts.from_config([f"{PUBLIC}:{PRIVATE},{second}"])
    assert accounts.for_private_key(PRIVATE) is accounts.for_private_key(second)
    assert accounts.open is None


# -- today's API: GET /api/accounts and key scopes --------------------------------------------

SCOPED = "pk_" + "s" * 34
FULL = "pk_" + "f" * 34


def scoped_app(**details):
    account = {
        "public_key": "ScO123",
        "private_keys": [{"key": SCOPED, "scopes": ["profiles:read", "lists:write"]}, FULL],
        **details,
    }
    return create_app({"TESTING": True, "ACCOUNTS": [account]}).test_client()


def call(client, method, path, key, body=None):
    headers = {"Authorization": f"Klaviyo-API-Key {key}", "revision": "2026-07-15"}
    return client.open(path, method=method, headers=headers, json=body)


def test_get_accounts_shows_the_declared_account():
    client = scoped_app(timezone="US/Eastern", contact_information={"organization_name": "Shop"})
    [account] = call(client, "GET", "/api/accounts", FULL).json["data"]
    assert account["id"] == "ScO123"
    attributes = account["attributes"]
    assert (attributes["public_api_key"], attributes["timezone"]) == ("ScO123", "US/Eastern")
    assert attributes["contact_information"]["organization_name"] == "Shop"
    one = call(client, "GET", "/api/accounts/ScO123", FULL)
    assert one.json["data"]["id"] == "ScO123"
    assert call(client, "GET", "/api/accounts/XyZ789", FULL).status_code == 404


def test_the_open_account_answers_with_the_placeholder_key(client):
    [account] = call(client, "GET", "/api/accounts", "anything").json["data"]
    assert account["attributes"]["public_api_key"] == "MoCk01"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/profiles", 200),  # profiles:read
        ("GET", "/api/lists", 200),  # lists:read, granted by lists:write
        ("POST", "/api/lists", 201),  # lists:write
        ("GET", "/api/events", 403),  # events:read
        ("POST", "/api/profiles", 403),  # profiles:write
        ("GET", "/api/accounts", 403),  # accounts:read
    ],
)
def test_a_scoped_key_may_call_what_its_scopes_cover(method, path, status):
    client = scoped_app()
    body = None
    if method == "POST":
        kind = path.rsplit("/", 1)[1].rstrip("s")
        attributes = {"name": "L"} if kind == "list" else {"email": "a@x.com"}
        body = {"data": {"type": kind, "attributes": attributes}}
    answer = call(client, method, path, SCOPED, body)
    assert answer.status_code == status, answer.json
    if status == 403:
        [error] = answer.json["errors"]
        assert error["code"] == "permission_denied"
    assert call(client, method, path, FULL, body).status_code != 403


def test_scopes_in_a_flag_and_in_a_scenario():
    from mockserver import scenario

    flag = Accounts.from_config([f"ScO123:{SCOPED}=profiles:read+lists:write,{FULL}"])
    loaded = scenario.load(
        "scoped.yaml",
        "description: scoped\naccounts:\n  - public_key: ScO123\n    private_keys:\n"
        f"      - key: {SCOPED}\n        scopes: [profiles:read, lists:write]\n      - {FULL}\n",
    )
    declared = Accounts.from_config(loaded.data["accounts"])
    for accounts in (flag, declared):
        [account] = accounts.declared
        assert account.scopes == {SCOPED: frozenset({"profiles:read", "lists:write"})}
        assert account.allows(SCOPED, ["lists:read", "events:write"]) == ("events:write",)
        assert account.allows(FULL, ["events:write"]) == ()


@pytest.mark.parametrize(
    "entry",
    [
        {"public_key": "ScO123", "private_keys": [{"key": SCOPED, "scopes": "profiles:read"}]},
        {"public_key": "ScO123", "private_keys": [{"key": SCOPED, "scopes": ["everything"]}]},
        {"public_key": "ScO123", "private_keys": [{"scopes": ["profiles:read"]}]},
    ],
    ids=["scopes-not-a-list", "not-a-scope", "no-key"],
)
def test_malformed_scopes_are_refused(entry):
    with pytest.raises(AccountConfigError):
        Accounts.from_config([entry])
