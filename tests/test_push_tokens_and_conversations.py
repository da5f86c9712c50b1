"""Push tokens (``/api/push-tokens``, ``/client/push-tokens``, ``/client/push-token-unregister``)
and conversations (a profile's SMS thread, and messages sent into it)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from conftest import new_profile
from current import error
from current import push_token_body

CLIENT = {"revision": "2026-07-15"}


def tokens_of(client, profile_id: str) -> list[str]:
    found = current(client, "GET", f"/api/profiles/{profile_id}/push-tokens").json["data"]
    return [t["attributes"]["token"] for t in found]


def test_a_token_identifies_or_creates_its_profile(client):
    known = new_profile(client, email="a@x.com")
    assert (
        current(
            client, "POST", "/api/push-tokens", push_token_body({"email": "a@x.com"})
        ).status_code
        == 202
    )
    current(
        client, "POST", "/api/push-tokens", push_token_body({"email": "new@x.com"}, token="tok-2")
    )
    assert tokens_of(client, known) == ["tok-1"]
    [listed] = current(
        client, "GET", f"/api/push-tokens?filter=equals(profile.id,'{known}')&include=profile"
    ).json["included"]
    assert listed["attributes"]["email"] == "a@x.com"
    emails = sorted(
        p["attributes"]["email"] for p in current(client, "GET", "/api/profiles").json["data"]
    )
    assert emails == ["a@x.com", "new@x.com"]


def test_registering_a_known_token_moves_it_to_the_profile_named(client):
    first = new_profile(client, email="a@x.com")
    second = new_profile(client, email="b@x.com")
    current(client, "POST", "/api/push-tokens", push_token_body({"email": "a@x.com"}))
    current(
        client,
        "POST",
        "/api/push-tokens",
        push_token_body({"email": "b@x.com"}, enablement_status="DENIED"),
    )
    assert (tokens_of(client, first), tokens_of(client, second)) == ([], ["tok-1"])
    [token] = current(client, "GET", "/api/push-tokens").json["data"]
    assert token["attributes"]["enablement_status"] == "DENIED"


def test_unregistering_marks_the_token_and_an_unknown_one_changes_nothing(client):
    current(client, "POST", "/api/push-tokens", push_token_body({"email": "a@x.com"}))
    body = {
        "data": {
            "type": "push-token-unregister",
            "attributes": {
                "token": "tok-1",
                "platform": "ios",
                "vendor": "apns",
                "profile": {"data": {"type": "profile", "attributes": {"email": "a@x.com"}}},
            },
        }
    }
    path = "/client/push-token-unregister?company_id=AbC123"
    assert client.post(path, json=body, headers=CLIENT).status_code == 202
    [token] = current(client, "GET", "/api/push-tokens").json["data"]
    assert token["attributes"]["enablement_status"] == "UNAUTHORIZED"
    body["data"]["attributes"]["token"] = "never-seen"
    assert client.post(path, json=body, headers=CLIENT).status_code == 202
    assert len(current(client, "GET", "/api/push-tokens").json["data"]) == 1


def test_a_client_token_keeps_the_profiles_identifiers(client):
    profile_id = new_profile(client, email="a@x.com", phone_number="+14155550100")
    body = push_token_body({"phone_number": "+14155550100", "email": "other@x.com"})
    assert (
        client.post("/client/push-tokens?company_id=AbC123", json=body, headers=CLIENT).status_code
        == 202
    )
    attributes = current(client, "GET", f"/api/profiles/{profile_id}").json["data"]["attributes"]
    assert attributes["email"] == "a@x.com"
    assert tokens_of(client, profile_id) == ["tok-1"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (push_token_body({"email": "broken"}), "/data/attributes/profile/data/attributes/email"),
        (
            push_token_body({"first_name": "No Identifier"}),
            "/data/attributes/profile/data/attributes",
        ),
        (push_token_body({"email": "a@x.com"}, platform="windows"), "/data/attributes/platform"),
    ],
    ids=["bad-email", "no-identifier", "bad-platform"],
)
def test_a_refused_token_changes_nothing(client, body, pointer):
    answer = current(client, "POST", "/api/push-tokens", body)
    assert error(answer, 400)["source"] == {"pointer": pointer}
    assert current(client, "GET", "/api/push-tokens").json["data"] == []
    assert current(client, "GET", "/api/profiles").json["data"] == []


def test_deleting_a_token_leaves_the_profile(client):
    profile_id = new_profile(client, email="a@x.com")
    current(client, "POST", "/api/push-tokens", push_token_body({"email": "a@x.com"}))
    [token] = current(client, "GET", "/api/push-tokens").json["data"]
    assert current(client, "DELETE", f"/api/push-tokens/{token['id']}").status_code == 204
    assert tokens_of(client, profile_id) == []
    assert current(client, "GET", f"/api/profiles/{profile_id}").status_code == 200


# -- conversations -------------------------------------------------------------------------


def message(conversation: str, text: str = "Hello") -> dict[str, Any]:
    return {
        "data": {
            "type": "conversation-message",
            "attributes": {"body": text},
            "relationships": {
                "conversation": {"data": {"type": "conversation", "id": conversation}}
            },
        }
    }


def test_a_profile_with_a_phone_number_has_one_sms_conversation(client, klaviyo):
    profile_id = new_profile(client, phone_number="+14155550100")
    one = current(client, "GET", f"/api/profiles/{profile_id}/conversation").json["data"]
    listed = current(client, "GET", f"/api/profiles/{profile_id}/conversations").json["data"]
    assert [c["id"] for c in listed] == [one["id"]]
    assert one["attributes"]["channel"] == "sms"
    answer = current(client, "POST", "/api/conversation-messages", message(one["id"]))
    assert (answer.status_code, answer.data) == (202, b"")
    [entry] = klaviyo.journal.entries(path="/api/conversation-messages", limit=1)
    assert list(entry.profiles) == [profile_id]


def test_a_profile_without_a_phone_number_has_no_conversation(client):
    profile_id = new_profile(client, email="a@x.com")
    answer = current(client, "GET", f"/api/profiles/{profile_id}/conversation")
    assert (answer.status_code, answer.json["data"]) == (200, None)
    assert current(client, "GET", f"/api/profiles/{profile_id}/conversations").json["data"] == []


def test_a_message_to_no_conversation_is_404(client):
    answer = current(
        client, "POST", "/api/conversation-messages", message("01NOPE0000000000000000000Z")
    )
    assert error(answer, 404)["source"] == {"pointer": "/data/relationships/conversation/data/id"}
