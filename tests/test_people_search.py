"""GET /api/v2/people/search (legacy-api.md §5) with every key and parameter transport."""

from __future__ import annotations

import json

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app

NO_MATCH = {"detail": "There is no profile matching the given parameters."}


@pytest.fixture
def person(client, klaviyo):
    send(
        client,
        "identify",
        {
            "token": PUBLIC,
            "properties": {"$email": "a@b.com", "$id": "X1", "$phone_number": "+15555550100"},
        },
    )
    return klaviyo.profiles("default")[0].id


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"query_string": {"email": "a@b.com", "api_key": PRIVATE}}, id="sdk-query"),
        pytest.param(
            {
                "data": json.dumps({"email": "a@b.com", "api_key": PRIVATE}),
                "content_type": "application/json",
            },
            id="pk-json-body-on-get",
        ),
        pytest.param(
            {"data": {"email": "a@b.com"}, "headers": {"api-key": PRIVATE}},
            id="php-form-body-and-header",
        ),
        pytest.param(
            {"query_string": {"email": "a@b.com"}, "headers": {"api-key": PRIVATE}}, id="header"
        ),
        pytest.param({"data": {"email": "a@b.com", "api_key": PRIVATE}}, id="form-key"),
        pytest.param(
            {
                "data": json.dumps(
                    {"email": "a@b.com", "phone_numbers": [], "push_tokens": [], "api_key": PRIVATE}
                ),
                "content_type": "application/json",
            },
            id="nk-extra-keys",
        ),
    ],
)
def test_search_transports(client, person, request_kwargs):
    response = client.get("/api/v2/people/search", **request_kwargs)
    assert (response.status_code, response.json) == (200, {"id": person})


@pytest.mark.parametrize(
    ("params", "found"),
    [
        pytest.param({"email": "a@b.com"}, True, id="email"),
        pytest.param({"email": " A@B.COM "}, True, id="email-any-case"),
        pytest.param({"external_id": "X1"}, True, id="external-id"),
        pytest.param({"phone_number": "+15555550100"}, True, id="phone"),
        pytest.param({"phone_number": "(555) 555-0100"}, True, id="phone-other-format"),
        pytest.param({"email": "c@d.com"}, False, id="unknown-email"),
        pytest.param({"external_id": "x1"}, False, id="external-id-is-exact"),
        pytest.param({"phone_number": "nonsense"}, False, id="invalid-phone"),
        pytest.param({"email": "nonsense"}, False, id="invalid-email"),
    ],
)
def test_search_by_each_identifier(client, person, params, found):
    response = client.get("/api/v2/people/search", query_string={**params, "api_key": PRIVATE})
    if found:
        assert (response.status_code, response.json) == (200, {"id": person})
    else:
        assert (response.status_code, response.json) == (404, NO_MATCH)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="none"),
        pytest.param({"email": ""}, id="empty"),
        pytest.param({"email": "a@b.com", "external_id": "X1"}, id="two"),
        pytest.param(
            {"email": "a@b.com", "external_id": "X1", "phone_number": "+15555550100"}, id="three"
        ),
    ],
)
def test_search_needs_exactly_one_identifier(client, person, params):
    response = client.get("/api/v2/people/search", query_string={**params, "api_key": PRIVATE})
    assert response.status_code == 400
    assert "Exactly one of email, phone_number or external_id" in response.json["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": {"a": 1}}, id="email-object"),
        pytest.param({"external_id": ["X1"]}, id="id-list"),
        pytest.param({"email": True}, id="email-bool"),
    ],
)
def test_search_wrong_types_are_400(client, person, body):
    response = client.get(
        "/api/v2/people/search",
        data=json.dumps({**body, "api_key": PRIVATE}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json) == ["detail"]


def test_numeric_external_id_in_json_body(client, klaviyo):
    send(client, "identify", {"token": PUBLIC, "properties": {"$id": 42}})
    response = client.get(
        "/api/v2/people/search",
        data=json.dumps({"external_id": 42, "api_key": PRIVATE}),
        content_type="application/json",
    )
    assert response.json == {"id": klaviyo.profiles("default")[0].id}


def test_body_that_is_not_json_is_400(client):
    response = client.get(
        "/api/v2/people/search?api_key=x", data="{oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["detail"].startswith("JSON parse error")


def test_missing_key_is_403(client):
    response = client.get("/api/v2/people/search", query_string={"email": "a@b.com"})
    assert (response.status_code, response.json) == (
        403,
        {"detail": "You must specify an API key to make requests."},
    )


def test_unknown_key_is_403_when_accounts_are_declared():
    client = create_app({"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}"]}).test_client()
    response = client.get(
        "/api/v2/people/search", query_string={"email": "a@b.com", "api_key": "pk_" + "0" * 34}
    )
    assert (response.status_code, response.json) == (
        403,
        {"detail": "The API key specified is invalid."},
    )


def test_search_follows_an_email_change(client, klaviyo):
    """Rows 7-9 seen through search: the new email finds P, the old one finds nobody."""
    send(client, "identify", {"token": PUBLIC, "properties": {"$id": "U", "$email": "old@x.com"}})
    send(client, "identify", {"token": PUBLIC, "properties": {"$id": "U", "$email": "new@x.com"}})
    p = klaviyo.profiles("default")[0].id
    assert client.get(
        "/api/v2/people/search", query_string={"email": "new@x.com", "api_key": PRIVATE}
    ).json == {"id": p}
    assert (
        client.get(
            "/api/v2/people/search", query_string={"email": "old@x.com", "api_key": PRIVATE}
        ).status_code
        == 404
    )
