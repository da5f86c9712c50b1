"""Writes about many people at once (issue 12's person operations): events in bulk
(``/api/event-bulk-create-jobs``, ``/client/event-bulk-create``) and the profile bulk import
job (``/api/profile-bulk-import-jobs`` with its profiles, lists and import errors). Each entry
goes through the identity engine as its single-call form does; every answer is checked
against the document by the ``client`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from conftest import new_profile
from current import error


def event(name: str, **attributes: Any) -> dict[str, Any]:
    return {
        "type": "event",
        "attributes": {
            "properties": {"Sku": "1"},
            "metric": {"data": {"type": "metric", "attributes": {"name": name}}},
            **attributes,
        },
    }


def entry(profile: dict[str, Any], *events: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "event-bulk-create",
        "attributes": {
            "profile": {"data": {"type": "profile", "attributes": profile}},
            "events": {"data": list(events)},
        },
    }


def bulk(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "type": "event-bulk-create-job",
            "attributes": {"events-bulk-create": {"data": list(entries)}},
        }
    }


def events_of(client) -> list[tuple[str, str]]:
    found = current(client, "GET", "/api/events?include=metric,profile").json
    names = {
        i["id"]: i["attributes"].get("name") or i["attributes"].get("email")
        for i in found["included"]
    }
    return sorted(
        (
            names[e["relationships"]["profile"]["data"]["id"]],
            names[e["relationships"]["metric"]["data"]["id"]],
        )
        for e in found["data"]
    )


def test_events_in_bulk_land_on_each_entrys_profile(client):
    new_profile(client, email="old@x.com", first_name="Old")
    answer = current(
        client,
        "POST",
        "/api/event-bulk-create-jobs",
        bulk(
            entry({"email": "old@x.com"}, event("Viewed"), event("Bought")),
            entry({"email": "new@x.com"}, event("Viewed")),
        ),
    )
    assert (answer.status_code, answer.data) == (202, b"")
    assert events_of(client) == [
        ("new@x.com", "Viewed"),
        ("old@x.com", "Bought"),
        ("old@x.com", "Viewed"),
    ]
    profiles = current(client, "GET", "/api/profiles").json["data"]
    assert sorted(p["attributes"]["email"] for p in profiles) == ["new@x.com", "old@x.com"]


def test_unique_id_deduplicates_across_the_event_paths(client):
    single = {"data": {**event("Paid", unique_id="order-1"), "type": "event"}}
    single["data"]["attributes"]["profile"] = {
        "data": {"type": "profile", "attributes": {"email": "a@x.com"}}
    }
    assert current(client, "POST", "/api/events", single).status_code == 202
    current(
        client,
        "POST",
        "/api/event-bulk-create-jobs",
        bulk(entry({"email": "a@x.com"}, event("Paid", unique_id="order-1"))),
    )
    assert events_of(client) == [("a@x.com", "Paid")]


def test_an_entry_the_identity_engine_refuses_is_skipped_whole(client, klaviyo):
    current(
        client,
        "POST",
        "/api/event-bulk-create-jobs",
        bulk(
            entry({"email": "not-an-email"}, event("Viewed")),
            entry(
                {"email": "b@x.com"}, event("Viewed"), event("Late", time="1970-01-02T00:00:00Z")
            ),
            entry({"email": "c@x.com"}, event("Viewed")),
        ),
    )
    assert events_of(client) == [("c@x.com", "Viewed")]
    [entry_] = klaviyo.journal.entries(path="/api/event-bulk-create-jobs", limit=1)
    said = " ".join(entry_.decisions)
    assert "events-bulk-create/data/0: skipped, Invalid email address" in said
    assert "events-bulk-create/data/1: skipped" in said


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (bulk(entry({"email": "a@x.com"})), None),  # no events at all is fine: nothing to do
        (
            bulk(entry({"email": "a@x.com"}, event(""))),
            "/data/attributes/events-bulk-create/data/0/attributes/events/data/0/attributes/metric/data/attributes/name",
        ),
        (
            bulk(entry({"email": "a@x.com"}, {"type": "event", "attributes": {"properties": {}}})),
            "/data/attributes/events-bulk-create/data/0/attributes/events/data/0/attributes/metric",
        ),
        (
            {"data": {"type": "event-bulk-create-job", "attributes": {}}},
            "/data/attributes/events-bulk-create",
        ),
    ],
    ids=["no-events", "empty-metric-name", "no-metric", "no-entries"],
)
def test_a_body_refused_records_nothing(client, body, pointer):
    answer = current(client, "POST", "/api/event-bulk-create-jobs", body)
    if pointer is None:
        assert answer.status_code == 202
    else:
        assert error(answer, 400)["source"] == {"pointer": pointer}
    assert current(client, "GET", "/api/events").json["data"] == []


def test_more_than_a_thousand_events_are_refused(client):
    many = entry({"email": "a@x.com"}, *[event("Viewed", unique_id=str(i)) for i in range(1001)])
    answer = current(client, "POST", "/api/event-bulk-create-jobs", bulk(many))
    assert error(answer, 400)["source"] == {"pointer": "/data"}
    assert current(client, "GET", "/api/events").json["data"] == []


def test_client_bulk_events_keep_the_profiles_identifiers(client):
    profile_id = new_profile(client, email="keep@x.com", phone_number="+14155550100")
    body = {
        "data": entry({"phone_number": "+14155550100", "email": "other@x.com"}, event("Opened App"))
    }
    answer = client.post(
        "/client/event-bulk-create?company_id=AbC123",
        json=body,
        headers={"revision": "2026-07-15"},
    )
    assert answer.status_code == 202
    profile = current(client, "GET", f"/api/profiles/{profile_id}").json["data"]
    assert profile["attributes"]["email"] == "keep@x.com"
    assert events_of(client) == [("keep@x.com", "Opened App")]


# -- the profile bulk import job -----------------------------------------------------------


def import_job(*profiles: dict[str, Any], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "profile-bulk-import-job",
        "attributes": {
            "profiles": {
                "data": [{"type": "profile", "attributes": attributes} for attributes in profiles]
            }
        },
    }
    if lists:
        data["relationships"] = {"lists": {"data": [{"type": "list", "id": i} for i in lists]}}
    return {"data": data}


def new_list(client, name: str = "Imported") -> str:
    made = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": name}}}
    )
    return str(made.json["data"]["id"])


def test_an_import_creates_updates_and_reports_each_entry(client):
    old = new_profile(client, email="old@x.com", first_name="Old")
    list_id = new_list(client)
    answer = current(
        client,
        "POST",
        "/api/profile-bulk-import-jobs",
        import_job(
            {"email": "old@x.com", "last_name": "Updated"},
            {"email": "new@x.com"},
            {"email": "broken"},
            lists=(list_id,),
        ),
    )
    assert answer.status_code == 202
    job = answer.json["data"]
    assert job["attributes"]["status"] == "complete"
    counts = {k: job["attributes"][k] for k in ("total_count", "completed_count", "failed_count")}
    assert counts == {"total_count": 3, "completed_count": 2, "failed_count": 1}
    again = current(client, "GET", f"/api/profile-bulk-import-jobs/{job['id']}").json["data"]
    assert again["attributes"]["completed_count"] == 2

    imported = current(client, "GET", f"/api/profile-bulk-import-jobs/{job['id']}/profiles").json
    emails = sorted(p["attributes"]["email"] for p in imported["data"])
    assert emails == ["new@x.com", "old@x.com"]
    updated = current(client, "GET", f"/api/profiles/{old}").json["data"]["attributes"]
    assert (updated["first_name"], updated["last_name"]) == ("Old", "Updated")

    members = current(client, "GET", f"/api/lists/{list_id}/profiles").json["data"]
    assert sorted(p["attributes"]["email"] for p in members) == ["new@x.com", "old@x.com"]
    lists = current(client, "GET", f"/api/profile-bulk-import-jobs/{job['id']}/lists").json
    assert [item["id"] for item in lists["data"]] == [list_id]

    errors = current(client, "GET", f"/api/profile-bulk-import-jobs/{job['id']}/import-errors").json
    [refused] = errors["data"]
    assert refused["attributes"]["detail"] == "Invalid email address"
    assert refused["attributes"]["source"] == {
        "pointer": "/data/attributes/profiles/data/2/attributes/email"
    }
    assert refused["attributes"]["original_payload"]["attributes"] == {"email": "broken"}


def test_an_import_entry_matching_two_profiles_is_an_error_and_evidence(client, klaviyo):
    new_profile(client, email="a@x.com")
    new_profile(client, phone_number="+14155550100")
    answer = current(
        client,
        "POST",
        "/api/profile-bulk-import-jobs",
        import_job({"email": "a@x.com", "phone_number": "+14155550100"}),
    )
    assert answer.json["data"]["attributes"]["failed_count"] == 1
    errors = current(
        client, "GET", f"/api/profile-bulk-import-jobs/{answer.json['data']['id']}/import-errors"
    ).json["data"]
    assert errors[0]["attributes"]["code"] == "duplicate_profile"
    assert len(klaviyo.duplicates(klaviyo.default_account)) == 1


def test_an_import_can_make_the_id_only_and_email_only_duplicate(client):
    """The seed's scenario 6, through a bulk import: an external id alone, then an email
    alone for the same person, make two profiles, as Klaviyo's rules say."""
    current(client, "POST", "/api/profile-bulk-import-jobs", import_job({"external_id": "user-1"}))
    current(client, "POST", "/api/profile-bulk-import-jobs", import_job({"email": "u@x.com"}))
    assert len(current(client, "GET", "/api/profiles").json["data"]) == 2
    current(
        client,
        "POST",
        "/api/profile-bulk-import-jobs",
        import_job({"external_id": "user-2", "email": "u2@x.com"}, {"email": "u2@x.com"}),
    )
    assert len(current(client, "GET", "/api/profiles").json["data"]) == 3


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (import_job(), 400, "/data/attributes/profiles/data"),
        (import_job({"email": "a@x.com"}, lists=("NOPE00",)), 404, "/data/"),
        (
            import_job({"email": "a@x.com", "properties": "not an object"}),
            400,
            "/data/attributes/profiles/data/0/attributes/properties",
        ),
    ],
    ids=["no-profiles", "unknown-list", "bad-properties"],
)
def test_a_refused_import_changes_nothing(client, body, status, pointer):
    answer = current(client, "POST", "/api/profile-bulk-import-jobs", body)
    assert error(answer, status)["source"] == {"pointer": pointer}
    assert current(client, "GET", "/api/profiles").json["data"] == []
    assert current(client, "GET", "/api/profile-bulk-import-jobs").json["data"] == []


def test_import_jobs_are_listed_and_filtered_by_status(client):
    current(client, "POST", "/api/profile-bulk-import-jobs", import_job({"email": "a@x.com"}))
    listed = current(
        client, "GET", "/api/profile-bulk-import-jobs?filter=equals(status,'complete')"
    )
    assert len(listed.json["data"]) == 1
    none = current(client, "GET", "/api/profile-bulk-import-jobs?filter=equals(status,'queued')")
    assert none.json["data"] == []
