"""The admin API under /__mock__: reset, state, profiles, duplicates, journal, scenario load."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import OTHER_PRIVATE
from conftest import OTHER_PUBLIC
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

from mockserver import create_app

ROOT = Path(__file__).resolve().parent.parent


def identify(client, token=PUBLIC, **properties):
    return send(client, "identify", {"token": token, "properties": properties})


@pytest.fixture
def two_accounts_client():
    app = create_app(
        {"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}", f"{OTHER_PUBLIC}:{OTHER_PRIVATE}"]}
    )
    return app.test_client()


def test_reset_everything(client):
    identify(client, **{"$email": "a@b.com"})
    assert client.post("/__mock__/reset").json == {"reset": "all"}
    assert client.get("/__mock__/profiles").json["profiles"] == []
    assert client.get("/__mock__/journal").json["entries"] == []  # admin calls are not journaled


def test_reset_one_account(two_accounts_client):
    identify(two_accounts_client, PUBLIC, **{"$email": "a@b.com"})
    identify(two_accounts_client, OTHER_PUBLIC, **{"$email": "a@b.com"})
    assert two_accounts_client.post(f"/__mock__/reset?account={PUBLIC}").json == {"reset": PUBLIC}
    assert two_accounts_client.get(f"/__mock__/profiles?account={PUBLIC}").json["profiles"] == []
    assert (
        len(two_accounts_client.get(f"/__mock__/profiles?account={OTHER_PUBLIC}").json["profiles"])
        == 1
    )


def test_unknown_account_is_404(two_accounts_client):
    response = two_accounts_client.get("/__mock__/profiles?account=ZZZ999")
    assert response.status_code == 404
    assert "ZZZ999" in response.json["errors"][0]["detail"]


def test_profiles_list_and_find(client):
    identify(client, **{"$email": "a@b.com", "$id": "u1", "$first_name": "Ann", "Plan": "Pro"})
    identify(client, **{"$phone_number": "+15555550100"})
    listed = client.get("/__mock__/profiles").json
    assert listed["account"] == "default"
    assert len(listed["profiles"]) == 2
    [ann] = client.get("/__mock__/profiles?email=A@B.com").json["profiles"]
    assert ann["email"] == "a@b.com" and ann["external_id"] == "u1" and ann["phone_number"] is None
    assert ann["attributes"] == {"first_name": "Ann"} and ann["properties"] == {"Plan": "Pro"}
    assert client.get("/__mock__/profiles?external_id=nobody").json["profiles"] == []


def test_duplicates_report_cites_evidence_and_journal(client):
    identify(client, **{"$id": "u1", "$email": "old@b.com"})
    identify(client, **{"$id": "u1", "$email": "new@b.com"})
    identify(client, **{"$email": "old@b.com"})
    [group] = client.get("/__mock__/duplicates").json["groups"]
    assert [p["email"] for p in group["profiles"]] == ["new@b.com", "old@b.com"]
    assert group["profiles"][0]["former_identifiers"] == {"email": ["old@b.com"]}
    [evidence] = group["evidence"]
    assert evidence["kind"] == "former_identifier"
    assert "which " + group["profiles"][0]["id"] + " held before" in evidence["detail"]
    assert [e["id"] for e in group["journal"]] == [3, 2, 1]
    assert "created" in group["journal"][0]["decisions"][0]


def test_journal_filters(client):
    identify(client, **{"$email": "a@b.com"})
    identify(client, **{"$email": "c@d.com"})
    client.get("/api/v2/people/search", query_string={"email": "a@b.com", "api_key": "k"})
    entries = client.get("/__mock__/journal").json["entries"]
    assert [e["path"] for e in entries] == [
        "/api/v2/people/search",
        "/api/identify",
        "/api/identify",
    ]
    by_email = client.get("/__mock__/journal?identifier=A@B.COM").json["entries"]
    assert [e["id"] for e in by_email] == [3, 1]
    by_path = client.get("/__mock__/journal?path=/api/identify&limit=1").json["entries"]
    assert [e["id"] for e in by_path] == [2]
    profile_id = entries[-1]["profiles"][0]
    assert [
        e["id"] for e in client.get(f"/__mock__/journal?identifier={profile_id}").json["entries"]
    ] == [3, 1]


def test_journal_is_bounded():
    client = create_app({"TESTING": True, "JOURNAL_SIZE": 3}).test_client()
    for n in range(5):
        identify(client, **{"$email": f"p{n}@b.com"})
    assert [e["id"] for e in client.get("/__mock__/journal").json["entries"]] == [5, 4, 3]


def test_journal_limit_must_be_a_number(client):
    assert client.get("/__mock__/journal?limit=x").status_code == 400


def test_state_dump(client):
    send(
        client,
        "track",
        {"token": PUBLIC, "event": "Paid", "customer_properties": {"$email": "a@b.com"}},
    )
    dump = client.get("/__mock__/state").json["accounts"]
    assert list(dump) == ["default"]
    assert [m["name"] for m in dump["default"]["metrics"]] == ["Paid"]
    assert len(dump["default"]["events"]) == 1 and len(dump["default"]["profiles"]) == 1
    assert dump["default"]["lists"] == []
    assert dump["default"]["resources"] == {}


def test_state_dump_shows_generic_resources_and_their_links(client):
    from conftest import current

    tag = current(
        client, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "VIP"}}}
    )
    tag_id = tag.json["data"]["id"]
    made = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "L"}}}
    )
    list_id = made.json["data"]["id"]
    link = {"data": [{"type": "list", "id": list_id}]}
    assert (
        current(client, "POST", f"/api/tags/{tag_id}/relationships/lists", link).status_code == 204
    )
    resources = client.get("/__mock__/state").json["accounts"]["default"]["resources"]
    [shown] = resources["tag"]
    assert (shown["id"], shown["attributes"]["name"]) == (tag_id, "VIP")
    [group] = resources["tag-group"]  # the default group, which a tag without one joins
    assert shown["relationships"] == {"lists": [list_id], "tag-group": [group["id"]]}


def test_scenario_load_seeds_and_run_reports(client):
    text = (ROOT / "scenarios" / "row-11-email-and-id-on-two-profiles.yaml").read_bytes()
    loaded = client.post("/__mock__/scenario?name=row-11", data=text).json
    assert set(loaded["profiles"]) == {"A", "B"}
    assert len(client.get("/__mock__/profiles").json["profiles"]) == 2

    client.post("/__mock__/reset")
    ran = client.post("/__mock__/scenario?name=row-11&run=true", data=text).json
    assert ran["passed"] is True and ran["steps"] == 1 and ran["failures"] == []


def test_bad_scenario_is_400_naming_the_key(client):
    response = client.post("/__mock__/scenario?name=mine.yaml", data=b"description: x\nstep: []\n")
    assert response.status_code == 400
    assert (
        response.json["errors"][0]["detail"]
        == "mine.yaml: step: unknown key (did you mean 'steps'?)"
    )
