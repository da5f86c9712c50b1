"""Regressions from reviewing the scenario format, the fixtures and the admin API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
import responses
from conftest import PUBLIC
from conftest import b64
from conftest import identify_through_requests as identify
from conftest import run_scenario_text as run

from mockserver import scenario
from mockserver.testing import DuplicatesError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kwargs", [{"emial": "a@b.com"}, {"email": None}, {"email": ""}, {}])
def test_find_profile_refuses_what_it_cannot_look_up(klaviyo_mock, kwargs):
    identify(**{"$email": "a@b.com"})
    with pytest.raises(TypeError):
        klaviyo_mock.find_profile(**kwargs)


@pytest.mark.parametrize(
    "path",
    [
        "/__mock__/profiles?emial=a@b.com",
        "/__mock__/journal?identifer=x",
        "/__mock__/duplicates?x=1",
    ],
)
def test_admin_refuses_unknown_parameters(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "Unknown parameter" in response.json["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("limit", "status", "count"),
    [("0", 200, 0), ("1", 200, 1), ("%C2%B2", 400, None), ("-1", 400, None)],
)
def test_journal_limit(client, limit, status, count):
    for n in range(3):
        client.get(
            "/api/identify",
            query_string={"data": b64({"token": PUBLIC, "properties": {"$email": f"p{n}@b.com"}})},
        )
    response = client.get(f"/__mock__/journal?limit={limit}")
    assert response.status_code == status
    if count is not None:
        assert len(response.json["entries"]) == count


def test_journal_finds_phone_numbers_in_any_format(client):
    client.get(
        "/api/identify",
        query_string={
            "data": b64({"token": PUBLIC, "properties": {"$phone_number": "+14155550100"}})
        },
    )
    assert (
        len(
            client.get("/__mock__/journal", query_string={"identifier": "+1 (415) 555-0100"}).json[
                "entries"
            ]
        )
        == 1
    )


def test_yaml_dates_stay_strings():
    report = run(
        "description: x\ngiven:\n  profiles:\n    - {email: a@b.com, properties: {Signed: 2024-01-01}}\nsteps:\n  - identify: {$email: a@b.com, Birthday: 1990-05-01}\nexpect:\n  profiles:\n    - {find: {email: a@b.com}, properties: {Signed: '2024-01-01', Birthday: '1990-05-01'}}\n"
    )
    assert report.passed, report.text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "description: x\nexpect: {}\nexpect: {}\n",
            "the key 'expect' is given twice",
            id="repeated-key",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - {email: a@b.com, properties: {1: x}}\n",
            "given.profiles[0].properties.1: a value JSON cannot carry",
            id="integer-key",
        ),
        pytest.param(
            "description: x\nsteps:\n  - request: {path: /x}\n    account: AbC123\n",
            "steps[0].account: A request step sends what it says",
            id="account-on-request",
        ),
        pytest.param(
            "description: x\nsteps:\n  - request: {path: /x}\n    account: AbC123\n",
            "steps[0].account: A request step",
            id="account-on-request",
        ),
        pytest.param(
            "description: x\nsteps:\n  - concurrently: [{identify: {$id: u}}]\n    encoding: form\n",
            "steps[0].encoding: Put expect, as, encoding and account",
            id="encoding-on-group",
        ),
        pytest.param(
            "description: x\nsteps:\n  - request: {path: /x, json: {}, form: {a: b}}\n",
            "steps[0].request: Give one of json, form, body.",
            id="json-and-form",
        ),
        pytest.param(
            "description: x\naccounts:\n  - {public_key: AbC123, private_keys: []}\n",
            "accounts[0].private_keys: Shorter than minimum length 1.",
            id="no-private-key",
        ),
    ],
)
def test_mistakes_that_used_to_pass_silently(text, message):
    with pytest.raises(scenario.ScenarioError) as error:
        scenario.load("t.yaml", text)
    assert message in str(error.value)


def test_a_step_that_reuses_a_name_asserts_it_landed_on_that_profile():
    given = "description: x\ngiven:\n  profiles: [{as: A, email: a@b.com}]\nsteps:\n"
    same = run(given + "  - identify: {$email: a@b.com}\n    as: A\n")
    assert same.passed, same.text()
    other = run(given + "  - identify: {$email: c@d.com}\n    as: A\n")
    assert not other.passed
    assert "steps[0].as: expected 'the profile named A (" in other.text()


def test_an_unknown_key_that_is_another_places_key_gets_no_circular_hint():
    with pytest.raises(scenario.ScenarioError) as error:
        scenario.load(
            "t.yaml", "description: x\ngiven:\n  profiles:\n    - {name: B, email: a@b.com}\n"
        )
    assert "given.profiles[0].name: unknown key" in str(error.value)
    assert "did you mean 'name'" not in str(error.value)


def test_a_later_step_can_reuse_an_earlier_steps_name():
    steps = "description: x\nsteps:\n  - identify: {$id: u1}\n    as: A\n"
    landed = run(steps + "  - identify: {$id: u1, $email: a@b.com}\n    as: A\n")
    assert landed.passed, landed.text()
    elsewhere = run(steps + "  - identify: {$email: z@b.com}\n    as: A\n")
    assert "steps[1].as: expected 'the profile named A (" in elsewhere.text()


def test_a_request_step_names_the_profile_it_landed_on():
    create = (
        "  - request:\n      method: POST\n      path: /api/profiles\n"
        "      headers: {Authorization: 'Klaviyo-API-Key pk_x', revision: '2026-07-15'}\n"
        "      json: {data: {type: profile, attributes: {email: a@b.com}}}\n"
        "    expect: {status: 201}\n    as: A\n"
    )
    report = run(
        "description: x\nsteps:\n" + create + "  - identify: {$email: a@b.com}\n    as: A\n"
        "expect:\n  profiles:\n    - {find: {email: a@b.com}, is: A}\n"
    )
    assert report.passed, report.text()


def test_a_step_cannot_name_a_profile_after_a_list():
    text = "description: x\ngiven:\n  lists: [{name: L, as: A}]\nsteps:\n  - identify: {$email: a@b.com}\n    as: A\n"
    with pytest.raises(scenario.ScenarioError, match=r"steps\[0\]\.as: the name 'A' is taken"):
        run(text)


def test_references_work_in_expect():
    report = run(
        "description: x\nsteps:\n  - identify: {$id: u1}\n    as: A\nexpect:\n  profiles:\n    - {find: {external_id: u1}, is: A}\n  duplicates: []\n"
    )
    assert report.passed
    failing = run(
        "description: x\nsteps:\n  - identify: {$email: a@b.com}\n    as: A\nexpect:\n  profiles:\n    - {find: {email: a@b.com}, identifiers: {external_id: '${A}'}}\n"
    )
    assert "identifiers: expected {'external_id': '" in failing.text()


def test_non_utf8_file_is_named_and_the_others_still_run(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"description: \xff\n")
    good = ROOT / "scenarios" / "row-01-id-matches.yaml"
    result = subprocess.run(
        [sys.executable, "run.py", "--check", str(bad), str(good)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"{bad}: not UTF-8 text" in result.stderr
    assert "row-01-id-matches" in result.stdout
    assert result.returncode == 1


def test_fixture_errors_name_the_file(klaviyo_mock, tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("description: x\nstep: []\n")
    with pytest.raises(RuntimeError, match=r"mine\.yaml: step: unknown key"):
        klaviyo_mock.run_scenario(bad)
    with pytest.raises(AssertionError, match=r"row-01-id-matches\.yaml"):
        broken = tmp_path / "row-01-id-matches.yaml"
        broken.write_text(
            (ROOT / "scenarios" / "row-01-id-matches.yaml")
            .read_text()
            .replace("profile_count: 1", "profile_count: 9")
        )
        klaviyo_mock.run_scenario(broken)


def test_running_scenarios_twice_starts_from_a_clean_slate(klaviyo_live):
    example = ROOT / "scenarios" / "story-email-change.yaml"  # declares an account
    klaviyo_live.run_scenario(example)
    klaviyo_live.run_scenario(example)
    klaviyo_live.load_scenario(example)


def test_the_row_9_link_survives_the_duplicate_changing_its_email(klaviyo_mock):
    identify(**{"$id": "betty-1", "$email": "betty@example.com"})
    identify(**{"$id": "betty-1", "$email": "betty.new@example.com"})
    identify(**{"$email": "betty@example.com", "$id": "q-1"})
    identify(**{"$id": "q-1", "$email": "q@example.com"})
    klaviyo_mock.assert_duplicates([{"external_id": "betty-1"}, {"external_id": "q-1"}])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"$id": "betty@example.com"}, {"$email": "Betty@Example.com"}),
        ({"$email": "betty@example.com"}, {"$id": "betty@example.com"}),
        ({"$id": "+14155550100"}, {"$phone_number": "(415) 555-0100"}),
    ],
)
def test_an_id_that_is_another_profiles_email_or_phone_is_evidence(klaviyo_mock, first, second):
    identify(**first)
    identify(**second)
    [group] = klaviyo_mock.duplicates()
    assert group["evidence"][0]["kind"] == "shared_value"


def test_assert_duplicates_messages_use_the_selectors(klaviyo_mock):
    identify(**{"$email": "a@b.com"})
    identify(**{"$id": "u1"})
    with pytest.raises(
        DuplicatesError,
        match=r"expected duplicate groups \[\['email a@b.com', 'external_id u1'\]\], found 0",
    ):
        klaviyo_mock.assert_duplicates([{"email": "a@b.com"}, {"external_id": "u1"}])
    with pytest.raises(TypeError, match="two or more"):
        klaviyo_mock.assert_duplicates([])
    with pytest.raises(TypeError, match="two or more"):
        klaviyo_mock.assert_duplicates([[{"email": "a@b.com"}, {"external_id": "u1"}]][0][:1])
    with pytest.raises(DuplicatesError, match="same profile"):
        klaviyo_mock.assert_duplicates([{"email": "a@b.com"}, {"email": "A@B.com"}])


def test_other_mocks_go_on_the_fixtures_responses(klaviyo_mock):
    klaviyo_mock.responses.add(
        responses.GET, "https://api.example.com/user", json={"email": "a@b.com"}
    )
    email = requests.get("https://api.example.com/user").json()["email"]
    assert identify(**{"$email": email}).text == "1"
    assert klaviyo_mock.find_profile(email="a@b.com") is not None


def test_the_live_handle_works_inside_a_tests_own_responses_mock(klaviyo_live):
    with responses.RequestsMock() as mine:
        mine.add(responses.GET, "https://api.example.com/x", body="ok")
        assert requests.get("https://api.example.com/x").text == "ok"
        assert klaviyo_live.profiles() == []


# -- from reviewing the legacy v1/v2 endpoints ---------------------------------------------------


def v2(client, method, path, body=None):
    return client.open(f"{path}?api_key=pk_x", method=method, json=body)


@pytest.fixture
def news(client):
    return v2(client, "POST", "/api/v2/lists", {"list_name": "News"}).json["list_id"]


@pytest.mark.parametrize("bad", [None, "a@b.com", 5, ["x"]])
def test_a_member_list_with_a_non_object_is_400_and_stores_nothing(client, klaviyo, news, bad):
    response = v2(
        client, "POST", f"/api/v2/list/{news}/members", {"profiles": [{"email": "a@b.com"}, bad]}
    )
    assert response.status_code == 400
    assert klaviyo.profiles("default") == []


def test_resubscribing_to_a_double_opt_in_list_keeps_a_member(client):
    body = {"list_name": "D", "opt_in_process": "double_opt_in"}
    double = v2(client, "POST", "/api/v2/lists", body).json["list_id"]
    v2(client, "POST", f"/api/v2/list/{double}/members", {"profiles": [{"email": "a@b.com"}]})
    again = v2(
        client, "POST", f"/api/v2/list/{double}/subscribe", {"profiles": [{"email": "a@b.com"}]}
    )
    assert [m["email"] for m in again.json] == ["a@b.com"]
    assert len(v2(client, "GET", f"/api/v2/group/{double}/members/all").json["records"]) == 1


def test_members_all_markers_survive_removals(client, news, monkeypatch):
    from mockserver.api import lists

    monkeypatch.setattr(lists, "BATCH", 3)
    people = [{"email": f"p{n}@b.com"} for n in range(8)]
    v2(client, "POST", f"/api/v2/list/{news}/members", {"profiles": people})
    first = v2(client, "GET", f"/api/v2/group/{news}/members/all").json
    v2(client, "DELETE", f"/api/v2/list/{news}/members", {"emails": ["p0@b.com", "p1@b.com"]})
    second = v2(
        client, "GET", f"/api/v2/group/{news}/members/all", {"marker": first["marker"]}
    ).json
    assert [r["email"] for r in first["records"]] == ["p0@b.com", "p1@b.com", "p2@b.com"]
    assert [r["email"] for r in second["records"]] == ["p3@b.com", "p4@b.com", "p5@b.com"]


def test_an_exclusion_carries_the_phone_number(client, news):
    v2(
        client,
        "POST",
        f"/api/v2/list/{news}/subscribe",
        {"profiles": [{"phone_number": "+15555550100"}]},
    )
    v2(client, "DELETE", f"/api/v2/list/{news}/subscribe", {"phone_numbers": ["+15555550100"]})
    [record] = v2(client, "GET", f"/api/v2/list/{news}/exclusions/all").json["records"]
    assert (record["phone_number"], record["phone_reason"]) == ("+15555550100", "Unsubscribed")


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("9999-12-31", "9999-12-31", 400),
        ("253402300799", "253402300799", 400),
        ("20210104", "20210105", 200),
    ],
)
def test_export_date_edges(client, start, end, status):
    client.get(
        "/api/track",
        query_string={
            "data": b64(
                {
                    "token": PUBLIC,
                    "event": "E",
                    "customer_properties": {"$email": "a@b.com"},
                    "time": 1609718400,
                }
            )
        },
    )
    metric = v2(client, "GET", "/api/v1/metrics").json["data"][0]["id"]
    response = client.get(
        f"/api/v1/metric/{metric}/export",
        query_string={"start_date": start, "end_date": end, "api_key": "k"},
    )
    assert response.status_code == status
    if status == 200:
        assert response.json["results"][0]["data"][0] == {
            "date": "2021-01-04 00:00:00",
            "values": [1],
        }


def test_not_found_messages_keep_the_ids_case(client):
    response = client.get("/api/v1/metric/AbCxYz/timeline?api_key=k")
    assert response.json["message"] == "No metric AbCxYz."


def test_put_person_takes_unprefixed_identifiers(client, klaviyo):
    client.get(
        "/api/identify",
        query_string={"data": b64({"token": PUBLIC, "properties": {"$email": "a@b.com"}})},
    )
    pid = klaviyo.profiles("default")[0].id
    response = client.put(
        f"/api/v1/person/{pid}?email=z@b.com&phone_number=%2B15555550100&api_key=k"
    )
    assert (response.json["$email"], response.json["$phone_number"]) == ("z@b.com", "+15555550100")
    assert client.get("/api/v2/people/search?phone_number=%2B15555550100&api_key=k").json == {
        "id": pid
    }


def test_a_deletion_leaves_no_evidence_naming_the_person(client, klaviyo):
    for props in ({"$email": "e@b.com"}, {"$id": "u"}, {"$email": "e@b.com", "$id": "u"}):
        client.get(
            "/api/identify", query_string={"data": b64({"token": PUBLIC, "properties": props})}
        )
    assert klaviyo.store.evidence("default")
    client.post("/api/v2/data-privacy/deletion-request?api_key=k", json={"email": "e@b.com"})
    assert klaviyo.store.evidence("default") == []
