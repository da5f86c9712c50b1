"""Deletion jobs and suppressions of today's API: ``/api/data-privacy-deletion-jobs`` removes
a person as the legacy deletion request does, with what is theirs alone (push tokens,
conversations); the suppression jobs set and lift ``USER_SUPPRESSED``, which stops email
marketing whatever the consent says."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from conftest import new_profile
from current import error
from current import push_token_body

PHONE = "+14155550100"


def deletion(**person: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {"type": "profile", "attributes": {}}
    if "id" in person:
        profile["id"] = person.pop("id")
    profile["attributes"] = person
    return {
        "data": {
            "type": "data-privacy-deletion-job",
            "attributes": {"profile": {"data": profile}},
        }
    }


def with_event(client, email: str) -> None:
    body = {
        "data": {
            "type": "event",
            "attributes": {
                "properties": {},
                "metric": {"data": {"type": "metric", "attributes": {"name": "Viewed"}}},
                "profile": {"data": {"type": "profile", "attributes": {"email": email}}},
            },
        }
    }
    assert current(client, "POST", "/api/events", body).status_code == 202


@pytest.mark.parametrize("by", ["id", "email", "phone_number"])
def test_a_deletion_removes_the_person_and_what_is_theirs(client, by):
    profile_id = new_profile(client, email="gone@x.com", phone_number=PHONE)
    with_event(client, "gone@x.com")
    current(client, "POST", "/api/push-tokens", push_token_body({"email": "gone@x.com"}))
    conversation = current(client, "GET", f"/api/profiles/{profile_id}/conversation").json
    assert conversation["data"]["attributes"]["channel"] == "sms"
    keep = new_profile(client, email="stays@x.com")
    given = {"id": profile_id, "email": "gone@x.com", "phone_number": PHONE}[by]
    answer = current(client, "POST", "/api/data-privacy-deletion-jobs", deletion(**{by: given}))
    assert (answer.status_code, answer.data) == (202, b"")
    assert error(current(client, "GET", f"/api/profiles/{profile_id}"), 404)
    assert current(client, "GET", "/api/events").json["data"] == []
    assert current(client, "GET", "/api/push-tokens").json["data"] == []
    assert [p["id"] for p in current(client, "GET", "/api/profiles").json["data"]] == [keep]


def test_deleting_nobody_is_accepted_and_journaled(client, klaviyo):
    answer = current(client, "POST", "/api/data-privacy-deletion-jobs", deletion(email="no@x.com"))
    assert answer.status_code == 202
    [entry] = klaviyo.journal.entries(path="/api/data-privacy-deletion-jobs", limit=1)
    assert "nobody to delete" in " ".join(entry.decisions)


@pytest.mark.parametrize(
    ("person", "pointer"),
    [
        ({}, "/data/attributes/profile/data"),
        ({"email": "a@x.com", "phone_number": PHONE}, "/data/attributes/profile/data/attributes"),
        ({"email": "  "}, "/data/attributes/profile/data"),
    ],
    ids=["none", "two", "blank"],
)
def test_a_deletion_names_exactly_one_identifier(client, person, pointer):
    new_profile(client, email="a@x.com")
    answer = current(client, "POST", "/api/data-privacy-deletion-jobs", deletion(**person))
    assert error(answer, 400)["source"] == {"pointer": pointer}
    assert len(current(client, "GET", "/api/profiles").json["data"]) == 1


def test_the_legacy_deletion_request_takes_push_tokens_too(client):
    profile_id = new_profile(client, email="legacy@x.com")
    current(client, "POST", "/api/push-tokens", push_token_body({"email": "legacy@x.com"}))
    answer = client.post(
        "/api/v2/data-privacy/deletion-request",
        json={"api_key": "pk_test", "email": "legacy@x.com"},
    )
    assert answer.status_code == 200
    assert error(current(client, "GET", f"/api/profiles/{profile_id}"), 404)
    assert current(client, "GET", "/api/push-tokens").json["data"] == []


# -- suppressions ----------------------------------------------------------------------------


def suppression(kind: str, emails: tuple[str, ...] = (), **related: str) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "attributes": {}}
    if emails:
        data["attributes"]["profiles"] = {
            "data": [{"type": "profile", "attributes": {"email": e}} for e in emails]
        }
    if related:
        data["relationships"] = {
            name: {"data": {"type": name, "id": value}} for name, value in related.items()
        }
    return {"data": data}


SUPPRESS = "profile-suppression-bulk-create-job"
UNSUPPRESS = "profile-suppression-bulk-delete-job"


def email_marketing(client, email: str) -> dict[str, Any]:
    found = current(
        client,
        "GET",
        f"/api/profiles?filter=equals(email,'{email}')&additional-fields[profile]=subscriptions",
    ).json["data"]
    return found[0]["attributes"]["subscriptions"]["email"]["marketing"]


def test_suppressing_and_unsuppressing_by_email(client):
    new_profile(client, email="a@x.com")
    made = current(
        client,
        "POST",
        f"/api/{SUPPRESS}s",
        suppression(SUPPRESS, ("a@x.com", "new@x.com")),
    )
    assert made.status_code == 202
    job = made.json["data"]["attributes"]
    assert (job["status"], job["total_count"], job["completed_count"]) == ("complete", 2, 2)
    marketing = email_marketing(client, "a@x.com")
    assert marketing["can_receive_email_marketing"] is False
    assert [s["reason"] for s in marketing["suppression"]] == ["USER_SUPPRESSED"]
    assert email_marketing(client, "new@x.com")["can_receive_email_marketing"] is False

    again = current(client, "POST", f"/api/{SUPPRESS}s", suppression(SUPPRESS, ("a@x.com",)))
    assert again.json["data"]["attributes"]["skipped_count"] == 1

    lifted = current(client, "POST", f"/api/{UNSUPPRESS}s", suppression(UNSUPPRESS, ("a@x.com",)))
    assert lifted.json["data"]["attributes"]["completed_count"] == 1
    marketing = email_marketing(client, "a@x.com")
    assert (marketing["can_receive_email_marketing"], marketing["suppression"]) == (True, [])


@pytest.mark.parametrize(
    ("emails", "counts"),
    [
        (("ghost1@x.com", "ghost2@x.com"), (2, 0, 2)),
        (("ghost@x.com", "GHOST@x.com"), (1, 0, 1)),  # one person, given twice
        (("a@x.com", "ghost@x.com"), (2, 1, 1)),
    ],
    ids=["two-unknown", "one-unknown-twice", "known-and-unknown"],
)
def test_unsuppressing_counts_each_person_once(client, emails, counts):
    new_profile(client, email="a@x.com")
    current(client, "POST", f"/api/{SUPPRESS}s", suppression(SUPPRESS, ("a@x.com",)))
    job = current(client, "POST", f"/api/{UNSUPPRESS}s", suppression(UNSUPPRESS, emails))
    attributes = job.json["data"]["attributes"]
    assert (
        attributes["total_count"],
        attributes["completed_count"],
        attributes["skipped_count"],
    ) == counts


def test_unsuppressing_keeps_an_unsubscribe(client):
    new_profile(client, email="a@x.com")
    unsubscribe = {
        "data": {
            "type": "profile-subscription-bulk-delete-job",
            "attributes": {
                "profiles": {
                    "data": [
                        {
                            "type": "profile",
                            "attributes": {
                                "email": "a@x.com",
                                "subscriptions": {
                                    "email": {"marketing": {"consent": "UNSUBSCRIBED"}}
                                },
                            },
                        }
                    ]
                }
            },
        }
    }
    assert (
        current(
            client, "POST", "/api/profile-subscription-bulk-delete-jobs", unsubscribe
        ).status_code
        == 202
    )
    current(client, "POST", f"/api/{UNSUPPRESS}s", suppression(UNSUPPRESS, ("a@x.com",)))
    marketing = email_marketing(client, "a@x.com")
    assert [s["reason"] for s in marketing["suppression"]] == ["UNSUBSCRIBE"]
    assert marketing["can_receive_email_marketing"] is False


def test_suppressing_every_member_of_a_list(client):
    list_id = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "L"}}}
    ).json["data"]["id"]
    members = [new_profile(client, email=f"m{i}@x.com") for i in range(3)]
    add = {"data": [{"type": "profile", "id": p} for p in members]}
    current(client, "POST", f"/api/lists/{list_id}/relationships/profiles", add)
    made = current(client, "POST", f"/api/{SUPPRESS}s", suppression(SUPPRESS, list=list_id))
    job = made.json["data"]
    assert job["attributes"]["completed_count"] == 3
    assert all(
        not email_marketing(client, f"m{i}@x.com")["can_receive_email_marketing"] for i in range(3)
    )
    listed = current(client, "GET", f"/api/{SUPPRESS}s?filter=equals(list_id,'{list_id}')")
    assert [j["id"] for j in listed.json["data"]] == [job["id"]]


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (suppression(SUPPRESS), 400, "/data/attributes"),
        (
            suppression(SUPPRESS, ("a@x.com", "no-at-sign")),
            400,
            "/data/attributes/profiles/data/1/attributes/email",
        ),
        (suppression(SUPPRESS, list="NOPE00"), 404, "/data/"),
        (suppression(SUPPRESS, segment="NOPE00"), 404, "/data/"),
        (
            suppression(SUPPRESS, tuple(f"p{i}@x.com" for i in range(101))),
            400,
            "/data/attributes/profiles/data",
        ),
    ],
    ids=["nobody", "bad-email", "unknown-list", "unknown-segment", "over-100"],
)
def test_a_refused_suppression_changes_nothing(client, body, status, pointer):
    new_profile(client, email="a@x.com")
    answer = current(client, "POST", f"/api/{SUPPRESS}s", body)
    assert error(answer, status)["source"] == {"pointer": pointer}
    assert email_marketing(client, "a@x.com")["can_receive_email_marketing"] is True
    assert current(client, "GET", f"/api/{SUPPRESS}s").json["data"] == []
