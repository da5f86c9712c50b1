"""POST /api/v2/people/exchange and POST /api/v2/data-privacy/deletion-request (legacy-api.md §1, §10)."""

from __future__ import annotations

import json

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app

NO_MATCH = {"detail": "There is no profile matching the given parameters."}
BETTY_ORDERS = {
    "token": PUBLIC,
    "event": "Placed Order",
    "customer_properties": {"$id": "b-1"},
    "properties": {"$event_id": "o1"},
}
SUBMITTED = "Submitted new deletion task for customer."


@pytest.fixture
def betty(client, klaviyo):
    props = {
        "$email": "betty@example.com",
        "$phone_number": "+15555550100",
        "$id": "b-1",
        "$exchange_id": "kx1.AbC123",
    }
    send(client, "identify", {"token": PUBLIC, "properties": props})
    send(client, "track", BETTY_ORDERS)
    return klaviyo.profiles("default")[0].id


def post(client, path, body, key_in="query"):
    if key_in == "query":  # klaviyo-sdk
        return client.post(
            f"{path}?api_key={PRIVATE}", data=json.dumps(body), content_type="application/json"
        )
    return client.post(
        path, data=json.dumps({**body, "api_key": PRIVATE}), content_type="application/json"
    )  # PyPI klaviyo


@pytest.mark.parametrize("key_in", ["query", "json-body"])
def test_exchange(client, betty, key_in):
    response = post(client, "/api/v2/people/exchange", {"exchange_id": "kx1.AbC123"}, key_in)
    assert (response.status_code, response.json) == (200, {"id": betty})


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        pytest.param({"exchange_id": "nobody.AbC123"}, 404, NO_MATCH, id="unknown"),
        pytest.param({}, 400, {"detail": "exchange_id is required."}, id="missing"),
        pytest.param({"exchange_id": ["x"]}, 400, None, id="not-a-string"),
    ],
)
def test_exchange_errors(client, betty, body, status, answer):
    response = post(client, "/api/v2/people/exchange", body)
    assert response.status_code == status
    if answer is not None:
        assert response.json == answer
    assert list(response.json) == ["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "Betty@Example.com"}, id="email"),
        pytest.param({"phone_number": "(555) 555-0100"}, id="phone"),
        pytest.param("person_id", id="person-id"),
    ],
)
@pytest.mark.parametrize("key_in", ["query", "json-body"])
def test_deletion_removes_the_profile_and_its_events(client, klaviyo, betty, body, key_in):
    body = {"person_id": betty} if body == "person_id" else body
    response = post(client, "/api/v2/data-privacy/deletion-request", body, key_in)
    assert (response.status_code, response.json) == (200, SUBMITTED)
    assert klaviyo.profiles("default") == []
    assert klaviyo.store.events("default") == []
    searched = client.get(
        "/api/v2/people/search", query_string={"email": "betty@example.com", "api_key": PRIVATE}
    )
    assert (searched.status_code, searched.json) == (404, NO_MATCH)
    # everything about her is free again: identifying her makes a new profile, and her old
    # order is not a duplicate of anything
    send(client, "track", BETTY_ORDERS)
    [again] = klaviyo.profiles("default")
    assert again.id != betty
    assert len(klaviyo.store.events("default")) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"email": "nobody@example.com"}, 404, id="unknown-email"),
        pytest.param({"person_id": "01NOBODY"}, 404, id="unknown-id"),
        pytest.param({}, 400, id="none"),
        pytest.param({"email": "betty@example.com", "person_id": "x"}, 400, id="two"),
        pytest.param({"email": {"a": 1}}, 400, id="wrong-type"),
    ],
)
def test_deletion_errors_delete_nothing(client, klaviyo, betty, body, status):
    response = post(client, "/api/v2/data-privacy/deletion-request", body)
    assert response.status_code == status
    assert list(response.json) == ["detail"]
    assert len(klaviyo.profiles("default")) == 1


@pytest.mark.parametrize(
    "path", ["/api/v2/people/exchange", "/api/v2/data-privacy/deletion-request"]
)
def test_a_key_is_required(path):
    client = create_app({"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}"]}).test_client()
    assert client.post(path, json={"email": "a@b.com"}).status_code == 403
    assert (
        client.post(f"{path}?api_key=pk_{'0' * 34}", json={"email": "a@b.com"}).status_code == 403
    )


def test_a_deletion_survives_a_restart(tmp_path):
    db = str(tmp_path / "state.json")
    app = create_app({"TESTING": True, "DB": db, "FLUSH_INTERVAL": 3600})
    client = app.test_client()
    send(client, "identify", {"token": PUBLIC, "properties": {"$email": "gone@example.com"}})
    app.extensions["klaviyo_mock.store"].sync()
    client.post(
        f"/api/v2/data-privacy/deletion-request?api_key={PRIVATE}",
        json={"email": "gone@example.com"},
    )
    app.extensions["klaviyo_mock.store"].close()
    again = create_app({"TESTING": True, "DB": db})
    assert again.extensions["klaviyo_mock"].profiles("default") == []
    again.extensions["klaviyo_mock.store"].close()
