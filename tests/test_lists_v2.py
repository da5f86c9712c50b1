"""The legacy v2 lists API (legacy-api.md §7, §11b): lists, members, subscriptions, exclusions."""

from __future__ import annotations

import json

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app


def call(client, method, path, body=None, key_in="body"):
    """As PyPI klaviyo 3.1.7 sends v2 calls: a JSON body with api_key, on every verb."""
    if key_in == "body":
        data = json.dumps({**(body or {}), "api_key": PRIVATE})
        return client.open(path, method=method, data=data, content_type="application/json")
    return client.open(f"{path}?api_key={PRIVATE}", method=method, json=body)  # the SDKs


@pytest.fixture
def news(client):
    return call(client, "POST", "/api/v2/lists", {"list_name": "News"}).json["list_id"]


@pytest.fixture
def double(client):
    body = {"list_name": "Double", "opt_in_process": "double_opt_in"}
    return call(client, "POST", "/api/v2/lists", body).json["list_id"]


def test_list_crud(client, news):
    assert len(news) == 6
    assert call(client, "GET", "/api/v2/lists").json == [{"list_id": news, "list_name": "News"}]
    shown = call(client, "GET", f"/api/v2/list/{news}").json
    assert (shown["list_name"], shown["opt_in_process"]) == ("News", "single_opt_in")
    renamed = client.put(
        f"/api/v2/list/{news}?api_key={PRIVATE}", data={"list_name": "N2"}
    )  # SDK form
    assert (renamed.status_code, renamed.data) == (200, b"")
    assert call(client, "GET", f"/api/v2/list/{news}").json["list_name"] == "N2"
    assert call(client, "DELETE", f"/api/v2/list/{news}").data == b""
    assert call(client, "GET", "/api/v2/lists").json == []
    assert call(client, "GET", f"/api/v2/list/{news}").status_code == 404


def test_sdk_form_create(client):
    response = client.post(f"/api/v2/lists?api_key={PRIVATE}", data={"list_name": "News"})
    assert len(response.json["list_id"]) == 6


def test_members_go_through_identity_resolution(client, klaviyo, news):
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "a@b.com", "$id": "u1"}})
    body = {
        "profiles": [
            {"email": "A@B.com", "Plan": "Pro"},
            {"phone_number": "+15555550100"},
            {"id": "u1"},
        ]
    }
    added = call(client, "POST", f"/api/v2/list/{news}/members", body).json
    profiles = {p.id: p for p in klaviyo.profiles("default")}
    assert len(profiles) == 2  # a@b.com and u1 are one profile
    assert [m.get("email") for m in added] == ["a@b.com", None]  # one person, once
    assert added[1]["phone_number"] == "+15555550100"
    assert profiles[added[0]["id"]].properties == {"Plan": "Pro"}


def test_magento_sends_one_profile_as_an_object(client, news):
    body = {
        "profiles": {
            "email": "m@b.com",
            "$first_name": "M",
            "$source": "Magento",
            "$consent": ["email"],
        }
    }
    [added] = call(client, "POST", f"/api/v2/list/{news}/subscribe", body).json
    assert added["email"] == "m@b.com"


def test_double_opt_in_subscription_waits(client, double):
    assert (
        call(
            client, "POST", f"/api/v2/list/{double}/subscribe", {"profiles": [{"email": "d@b.com"}]}
        ).json
        == []
    )
    assert call(client, "GET", f"/api/v2/list/{double}/members", {"emails": ["d@b.com"]}).json == []
    added = call(
        client, "POST", f"/api/v2/list/{double}/members", {"profiles": [{"email": "d@b.com"}]}
    ).json
    assert [m["email"] for m in added] == ["d@b.com"]  # /members adds without consent


def test_lookups(client, news):
    call(client, "POST", f"/api/v2/list/{news}/members", {"profiles": [{"email": "m@b.com"}]})
    call(client, "POST", f"/api/v2/list/{news}/subscribe", {"profiles": [{"email": "s@b.com"}]})
    everyone = {
        "emails": ["m@b.com", "s@b.com", "nobody@b.com"],
        "phone_numbers": [],
        "push_tokens": [],
    }
    assert {
        m["email"] for m in call(client, "GET", f"/api/v2/list/{news}/members", everyone).json
    } == {"m@b.com", "s@b.com"}
    assert [
        m["email"] for m in call(client, "GET", f"/api/v2/list/{news}/subscribe", everyone).json
    ] == ["s@b.com"]
    sdk = call(
        client, "POST", f"/api/v2/list/{news}/get-members", {"emails": ["m@b.com"]}, key_in="query"
    )
    assert [m["email"] for m in sdk.json] == ["m@b.com"]
    sdk = call(
        client,
        "POST",
        f"/api/v2/list/{news}/get-list-subscriptions",
        {"emails": ["m@b.com"]},
        key_in="query",
    )
    assert sdk.json == []


def test_remove_and_unsubscribe(client, news):
    call(
        client,
        "POST",
        f"/api/v2/list/{news}/subscribe",
        {"profiles": [{"email": "a@b.com"}, {"email": "c@d.com"}]},
    )
    assert (
        call(client, "DELETE", f"/api/v2/list/{news}/members", {"emails": ["a@b.com"]}).data == b""
    )
    assert (
        call(client, "DELETE", f"/api/v2/list/{news}/subscribe", {"emails": ["c@d.com"]}).data
        == b""
    )
    assert (
        call(client, "GET", f"/api/v2/list/{news}/members", {"emails": ["a@b.com", "c@d.com"]}).json
        == []
    )
    [excluded] = call(client, "GET", f"/api/v2/list/{news}/exclusions/all").json["records"]
    assert (excluded["email"], excluded["reason"]) == ("c@d.com", "Unsubscribed")


def test_all_members_in_batches_with_a_marker(client, news, monkeypatch):
    from mockserver.api import lists

    monkeypatch.setattr(lists, "BATCH", 2)
    people = [{"email": f"p{n}@b.com"} for n in range(5)]
    call(client, "POST", f"/api/v2/list/{news}/members", {"profiles": people})
    seen, marker = [], 0
    for _ in range(5):
        page = call(client, "GET", f"/api/v2/group/{news}/members/all", {"marker": marker}).json
        seen += [r["email"] for r in page["records"]]
        if "marker" not in page:
            break
        marker = page["marker"]
    assert seen == [p["email"] for p in people]


def test_deleting_a_person_removes_their_memberships(client, klaviyo, news):
    call(client, "POST", f"/api/v2/list/{news}/members", {"profiles": [{"email": "a@b.com"}]})
    call(client, "POST", "/api/v2/data-privacy/deletion-request", {"email": "a@b.com"})
    assert call(client, "GET", f"/api/v2/group/{news}/members/all").json == {"records": []}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("GET", "/api/v2/list/NoSuch", None, 404, id="unknown-list"),
        pytest.param(
            "POST",
            "/api/v2/list/NoSuch/members",
            {"profiles": [{"email": "a@b.com"}]},
            404,
            id="unknown-list-members",
        ),
        pytest.param("POST", "/api/v2/lists", {}, 400, id="no-name"),
        pytest.param("POST", "/api/v2/lists", {"list_name": "  "}, 400, id="blank-name"),
        pytest.param(
            "POST",
            "/api/v2/lists",
            {"list_name": "X", "opt_in_process": "triple"},
            400,
            id="bad-opt-in",
        ),
        pytest.param("POST", "LIST/members", {}, 400, id="no-profiles"),
        pytest.param("POST", "LIST/members", {"profiles": "a@b.com"}, 400, id="profiles-a-string"),
        pytest.param(
            "POST", "LIST/members", {"profiles": [{"email": {"a": 1}}]}, 400, id="bad-email-type"
        ),
        pytest.param(
            "POST",
            "LIST/members",
            {"profiles": [{"email": f"p{n}@b.com"} for n in range(101)]},
            400,
            id="over-100",
        ),
        pytest.param(
            "GET", "LIST/members", {"emails": "not-a-list"}, 200, id="comma-string-is-a-list"
        ),
        pytest.param(
            "GET",
            "LIST/members",
            {"emails": [f"p{n}@b.com" for n in range(101)]},
            400,
            id="over-100-emails",
        ),
        pytest.param(
            "GET", "/api/v2/group/LISTID/members/all", {"marker": -1}, 400, id="bad-marker"
        ),
    ],
)
def test_bad_list_requests(client, klaviyo, news, method, path, body, status):
    path = path.replace("LIST/", f"/api/v2/list/{news}/").replace("LISTID", news)
    response = call(client, method, path, body)
    assert response.status_code == status
    if status != 200:
        assert list(response.json) == ["detail"]
    assert klaviyo.profiles("default") == []


def test_lists_belong_to_their_account():
    other = "pk_" + "c3" * 17
    client = create_app(
        {"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}", f"XyZ789:{other}"]}
    ).test_client()
    list_id = call(client, "POST", "/api/v2/lists", {"list_name": "Mine"}).json["list_id"]
    theirs = client.get(f"/api/v2/list/{list_id}?api_key={other}")
    assert theirs.status_code == 404
