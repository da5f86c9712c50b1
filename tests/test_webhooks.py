"""Webhooks and webhook topics (``/api/webhooks``, ``/api/webhook-topics``): Klaviyo's topic
catalog, the same for every account and back after a reset; webhooks created, read back,
changed and deleted, subscribed to topics that exist, calling https urls, their secret kept and
never shown. Every answer is checked against the document by the ``client`` fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import OTHER_PRIVATE
from conftest import PRIVATE
from conftest import current
from current import error

from mockserver.families.webhooks.models import TOPICS

SENT_SMS = "event:klaviyo.sent_sms"
OPENED = "event:klaviyo.opened_email"
URL = "https://hooks.example.com/klaviyo/events?source=mock"


def topics(*ids: str) -> dict[str, Any]:
    return {"webhook-topics": {"data": [{"type": "webhook-topic", "id": i} for i in ids]}}


def body(topic_ids: tuple[str, ...] = (SENT_SMS,), **attributes: Any) -> dict[str, Any]:
    given = {"name": "Orders", "endpoint_url": URL, "secret_key": "s3cret", **attributes}
    return {"data": {"type": "webhook", "attributes": given, "relationships": topics(*topic_ids)}}


def change(webhook_id: str, relationships: dict[str, Any] | None = None, **attributes: Any):
    data: dict[str, Any] = {"type": "webhook", "id": webhook_id, "attributes": attributes}
    if relationships is not None:
        data["relationships"] = relationships
    return {"data": data}


def make(client, topic_ids: tuple[str, ...] = (SENT_SMS,), **attributes: Any) -> dict[str, Any]:
    answer = current(client, "POST", "/api/webhooks", body(topic_ids, **attributes))
    assert answer.status_code == 201, answer.json
    return dict(answer.json["data"])


def listed(client) -> list[str]:
    return [w["id"] for w in current(client, "GET", "/api/webhooks").json["data"]]


def topic_ids(client, webhook_id: str) -> list[str]:
    answer = current(client, "GET", f"/api/webhooks/{webhook_id}?include=webhook-topics")
    assert answer.status_code == 200, answer.json
    linked = [t["id"] for t in answer.json["data"]["relationships"]["webhook-topics"]["data"]]
    assert [t["id"] for t in answer.json.get("included", [])] == linked
    return linked


# -- the topic catalog -------------------------------------------------------------------------


def test_the_topic_catalog_is_klaviyos_system_topics(client):
    answer = current(client, "GET", "/api/webhook-topics")
    assert answer.status_code == 200
    assert [t["id"] for t in answer.json["data"]] == list(TOPICS)
    assert SENT_SMS in TOPICS  # the document's own example
    one = current(client, "GET", f"/api/webhook-topics/{SENT_SMS}")
    assert one.status_code == 200 and one.json["data"]["id"] == SENT_SMS


def test_an_unknown_topic_is_404(client):
    error(current(client, "GET", "/api/webhook-topics/event:klaviyo.teleported"), 404)


def test_the_catalog_comes_back_after_a_reset(client):
    make(client)
    assert client.post("/__mock__/reset").status_code == 200
    assert listed(client) == []
    again = current(client, "GET", "/api/webhook-topics").json["data"]
    assert [t["id"] for t in again] == list(TOPICS)


def test_every_account_has_the_same_topics(two_accounts):
    client = two_accounts.test_client()
    seen = []
    for key in (PRIVATE, OTHER_PRIVATE):
        headers = {"Authorization": f"Klaviyo-API-Key {key}"}
        answer = current(client, "GET", "/api/webhook-topics", headers=headers)
        seen.append([t["id"] for t in answer.json["data"]])
    assert seen == [list(TOPICS), list(TOPICS)]


# -- webhooks ----------------------------------------------------------------------------------


def test_a_webhook_is_created_enabled_and_read_back(client):
    made = make(client, (SENT_SMS, OPENED), description="SMS and opens")
    attributes = made["attributes"]
    assert {k: attributes[k] for k in ("name", "description", "endpoint_url", "enabled")} == {
        "name": "Orders",
        "description": "SMS and opens",
        "endpoint_url": URL,
        "enabled": True,
    }
    read = current(client, "GET", f"/api/webhooks/{made['id']}").json["data"]
    assert read["attributes"] == attributes
    assert listed(client) == [made["id"]]
    assert topic_ids(client, made["id"]) == [SENT_SMS, OPENED]


def test_without_a_description_it_is_null(client):
    assert make(client)["attributes"]["description"] is None


def test_the_secret_is_kept_but_never_shown(client, klaviyo):
    made = make(client, secret_key="first")
    for answer in (
        json.dumps(made),
        current(client, "GET", f"/api/webhooks/{made['id']}").get_data(as_text=True),
        current(client, "GET", "/api/webhooks").get_data(as_text=True),
    ):
        assert "secret_key" not in answer and "first" not in answer
    account = klaviyo.accounts.open
    assert klaviyo.backend(account).resources.extra("webhook", made["id"]) == {
        "secret_key": "first"
    }
    current(client, "PATCH", f"/api/webhooks/{made['id']}", change(made["id"], secret_key="next"))
    assert klaviyo.backend(account).resources.extra("webhook", made["id"]) == {"secret_key": "next"}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"name": "Renamed"}, {"name": "Renamed"}),
        ({"enabled": False}, {"enabled": False}),
        (
            {"endpoint_url": "https://other.example.com:8443/in"},
            {"endpoint_url": "https://other.example.com:8443/in"},
        ),
        ({"description": "now described"}, {"description": "now described"}),
        ({"description": None}, {"description": None}),
        ({"name": None, "endpoint_url": None, "enabled": None}, {}),
    ],
    ids=["name", "disabled", "endpoint", "description", "description-cleared", "nulls-keep"],
)
def test_a_change_is_read_back(client, attributes, expected):
    made = make(client, description="before")
    answer = current(
        client, "PATCH", f"/api/webhooks/{made['id']}", change(made["id"], **attributes)
    )
    assert answer.status_code == 200, answer.json
    read = current(client, "GET", f"/api/webhooks/{made['id']}").json["data"]["attributes"]
    assert read == answer.json["data"]["attributes"]
    assert read == {**made["attributes"], **expected, "updated_at": read["updated_at"]}


def test_a_change_of_topics_replaces_them(client):
    made = make(client, (SENT_SMS,))
    patch = change(made["id"], relationships=topics(OPENED, OPENED, SENT_SMS))
    assert current(client, "PATCH", f"/api/webhooks/{made['id']}", patch).status_code == 200
    assert topic_ids(client, made["id"]) == [OPENED, SENT_SMS]
    untouched = change(made["id"], name="Kept topics")
    assert current(client, "PATCH", f"/api/webhooks/{made['id']}", untouched).status_code == 200
    assert topic_ids(client, made["id"]) == [OPENED, SENT_SMS]


def test_a_deleted_webhook_is_gone(client):
    made, kept = make(client), make(client, name="Kept")
    assert current(client, "DELETE", f"/api/webhooks/{made['id']}").status_code == 204
    error(current(client, "GET", f"/api/webhooks/{made['id']}"), 404)
    error(current(client, "DELETE", f"/api/webhooks/{made['id']}"), 404)
    assert listed(client) == [kept["id"]]


# -- bad input ---------------------------------------------------------------------------------

BAD_CREATES = [
    (
        "http",
        body(endpoint_url="http://hooks.example.com/in"),
        400,
        "/data/attributes/endpoint_url",
    ),
    ("no-scheme", body(endpoint_url="hooks.example.com/in"), 400, "/data/attributes/endpoint_url"),
    ("no-host", body(endpoint_url="https:///in"), 400, "/data/attributes/endpoint_url"),
    (
        "spaces",
        body(endpoint_url="https://hooks.example.com/a b"),
        400,
        "/data/attributes/endpoint_url",
    ),
    ("blank-name", body(name="  "), 400, "/data/attributes/name"),
    ("blank-secret", body(secret_key=""), 400, "/data/attributes/secret_key"),
    ("no-topics", body(()), 400, "/data/relationships/webhook-topics/data"),
    (
        "unknown-topic",
        body((SENT_SMS, "event:klaviyo.nope")),
        404,
        "/data/relationships/webhook-topics/data/1/id",
    ),
]


@pytest.mark.parametrize(
    ("payload", "status", "pointer"),
    [case[1:] for case in BAD_CREATES],
    ids=[case[0] for case in BAD_CREATES],
)
def test_a_bad_create_is_refused_and_makes_nothing(client, payload, status, pointer):
    assert error(current(client, "POST", "/api/webhooks", payload), status)["source"] == {
        "pointer": pointer
    }
    assert listed(client) == []


def test_a_create_without_a_secret_is_400(client):
    payload = body()
    del payload["data"]["attributes"]["secret_key"]
    found = error(current(client, "POST", "/api/webhooks", payload), 400)
    assert found["source"] == {"pointer": "/data/attributes/secret_key"}


BAD_CHANGES = [
    (
        "http",
        {"endpoint_url": "http://plain.example.com"},
        None,
        400,
        "/data/attributes/endpoint_url",
    ),
    ("blank-name", {"name": ""}, None, 400, "/data/attributes/name"),
    ("no-topics", {}, topics(), 400, "/data/relationships/webhook-topics/data"),
    (
        "unknown-topic",
        {"name": "x"},
        topics("event:klaviyo.nope"),
        404,
        "/data/relationships/webhook-topics/data/0/id",
    ),
]


@pytest.mark.parametrize(
    ("attributes", "relationships", "status", "pointer"),
    [case[1:] for case in BAD_CHANGES],
    ids=[case[0] for case in BAD_CHANGES],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    client, attributes, relationships, status, pointer
):
    made = make(client)
    before = current(client, "GET", f"/api/webhooks/{made['id']}").json
    patch = change(made["id"], relationships, **attributes)
    found = error(current(client, "PATCH", f"/api/webhooks/{made['id']}", patch), status)
    assert found["source"] == {"pointer": pointer}
    assert current(client, "GET", f"/api/webhooks/{made['id']}").json == before
    assert topic_ids(client, made["id"]) == [SENT_SMS]


def test_a_change_naming_another_id_is_400(client):
    made = make(client)
    found = error(
        current(client, "PATCH", f"/api/webhooks/{made['id']}", change("01OTHER", name="x")), 400
    )
    assert found["source"] == {"pointer": "/data/id"}


def test_an_unknown_webhook_is_404(client):
    missing = "01HF7AYTK76RHR4F17G6DGTRGF"
    error(current(client, "GET", f"/api/webhooks/{missing}"), 404)
    error(current(client, "PATCH", f"/api/webhooks/{missing}", change(missing, name="x")), 404)
