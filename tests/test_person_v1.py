"""/api/v1/person/{id} GET and PUT (legacy-api.md §6), with the v1 error bodies."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app


@pytest.fixture
def betty(client, klaviyo):
    send(
        client,
        "identify",
        {
            "token": PUBLIC,
            "properties": {
                "$email": "betty@example.com",
                "$id": "b-1",
                "$first_name": "Betty",
                "Plan": "Free",
                "tags": ["a"],
            },
        },
    )
    return klaviyo.profiles("default")[0].id


def put(client, pid, query: str, **kwargs):
    return client.put(f"/api/v1/person/{pid}?{query}&api_key={PRIVATE}", **kwargs)


def test_get_person_has_every_special_field(client, betty):
    person = client.get(f"/api/v1/person/{betty}?api_key={PRIVATE}").json
    assert person["object"] == "person" and person["id"] == betty
    assert (person["$email"], person["email"], person["$id"]) == (
        "betty@example.com",
        "betty@example.com",
        "b-1",
    )
    assert (person["$first_name"], person["first_name"], person["$last_name"], person["$city"]) == (
        "Betty",
        "Betty",
        "",
        "",
    )
    assert (person["Plan"], person["tags"]) == ("Free", ["a"])
    assert len(person["created"]) == 19 and person["created"][10] == " "


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param(
            {"query": f"{quote('$first_name')}=Z&Plan=Pro", "headers": {"Content-Length": "0"}},
            id="pk-3.1.7",
        ),
        pytest.param(
            {
                "query": f"{quote('$first_name')}=Z&Plan=Pro",
                "content_type": "application/x-www-form-urlencoded",
            },
            id="node-klaviyo",
        ),
        pytest.param({"query": f"{quote('$first_name')}=Z&Plan=Pro"}, id="sdk"),
    ],
)
def test_put_sets_properties_from_the_query(client, betty, request_kwargs):
    query = request_kwargs.pop("query")
    response = put(client, betty, query, **request_kwargs)
    assert response.status_code == 200
    assert (response.json["$first_name"], response.json["Plan"], response.json["tags"]) == (
        "Z",
        "Pro",
        ["a"],
    )


def test_put_unsets(client, klaviyo, betty):
    names = quote('["Plan", "$first_name", "x y"]')
    response = put(client, betty, f"{quote('$unset')}={names}")
    assert response.status_code == 200
    [profile] = klaviyo.profiles("default")
    assert profile.attributes == {} and profile.properties == {"tags": ["a"]}


def test_put_changes_an_email_and_the_old_one_is_free(client, klaviyo, betty):
    response = put(client, betty, f"{quote('$email')}=betty.new@example.com")
    assert response.json["$email"] == "betty.new@example.com"
    search = client.get(
        "/api/v2/people/search", query_string={"email": "betty.new@example.com", "api_key": PRIVATE}
    )
    assert search.json == {"id": betty}
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "betty@example.com"}})
    [group] = klaviyo.duplicates("default")  # the old email, taken again: row 9's evidence
    assert betty in group.profiles


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(
            f"{quote('$email')}=taken@example.com",
            "$email taken@example.com already belongs to another profile",
        ),
        pytest.param(f"{quote('$id')}=t-1", "$id t-1 already belongs to another profile"),
        pytest.param(f"{quote('$email')}=not-an-email", "is not a valid email address"),
        pytest.param(quote("$unset") + "=" + quote('["$email"]'), "$email is an identifier"),
        pytest.param(f"{quote('$unset')}=Plan", "$unset must be a JSON list"),
        pytest.param(quote("$unset") + "=" + quote("[1]"), "$unset must be a JSON list"),
    ],
)
def test_put_refusals_change_nothing(client, klaviyo, betty, query, message):
    send(
        client,
        "identify",
        {"token": PUBLIC, "properties": {"$email": "taken@example.com", "$id": "t-1"}},
    )
    before = {p.id: p for p in klaviyo.profiles("default")}
    response = put(client, betty, query)
    assert response.status_code == 400
    assert response.json["status"] == 400 and message in response.json["message"]
    assert {p.id: p for p in klaviyo.profiles("default")} == before


@pytest.mark.parametrize("method", ["get", "put"])
def test_unknown_person_is_a_v1_404(client, method):
    response = getattr(client, method)(f"/api/v1/person/01NOBODY?api_key={PRIVATE}")
    assert (response.status_code, response.json) == (
        404,
        {"status": 404, "message": "There is no person with id 01NOBODY."},
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "You must specify an API key to make requests."),
        ("pk_" + "0" * 34, "The API key specified is invalid."),
    ],
)
def test_v1_auth_errors(key, message):
    client = create_app({"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}"]}).test_client()
    query = f"?api_key={key}" if key else ""
    response = client.get(f"/api/v1/person/01ABC{query}")
    assert (response.status_code, response.json) == (403, {"status": 403, "message": message})
