"""The pytest plugin: the in-process bridge, the live server, and the handle's assertions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from conftest import KLAVIYO
from conftest import PUBLIC
from conftest import b64
from conftest import identify_through_requests as identify

from mockserver.testing import DuplicatesError

ROOT = Path(__file__).resolve().parent.parent


def test_requests_to_klaviyo_reach_the_app(klaviyo_mock):
    assert identify(**{"$email": "a@b.com"}).text == "1"
    form = requests.post(
        f"{KLAVIYO}/api/track",
        data={
            "data": json.dumps(
                {"token": PUBLIC, "event": "E", "customer_properties": {"$email": "a@b.com"}}
            )
        },
    )
    assert (form.status_code, form.text) == (200, "1")
    found = requests.get(
        f"{KLAVIYO}/api/v2/people/search", json={"email": "a@b.com", "api_key": "pk_x"}
    )
    assert found.json() == {"id": klaviyo_mock.find_profile(email="a@b.com")["id"]}
    missing = requests.get(f"{KLAVIYO}/api/v2/people/search?email=z@b.com&api_key=pk_x")
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "There is no profile matching the given parameters."},
    )


def test_every_call_is_answered_not_consumed(klaviyo_mock):
    """The default responses registry drops a match when two mocks match; ours never do."""
    for n in range(5):
        assert identify(**{"$email": f"p{n}@b.com"}).text == "1"
    assert len(klaviyo_mock.profiles()) == 5


def test_chunked_upload_through_the_bridge(klaviyo_mock):
    body = f"data={json.dumps({'token': PUBLIC, 'properties': {'$email': 'chunk@b.com'}})}"

    def chunks():
        yield body[:10].encode()
        yield body[10:].encode()

    response = requests.post(
        f"{KLAVIYO}/api/identify",
        data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.text == "1"
    assert klaviyo_mock.find_profile(email="chunk@b.com") is not None


def test_unknown_klaviyo_paths_get_a_json_error(klaviyo_mock):
    response = requests.get(f"{KLAVIYO}/api/not-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_other_hosts_are_not_swallowed(klaviyo_mock, klaviyo_live):
    """A request elsewhere goes out for real (here: to the live server on loopback, whose
    handle has just reset it, through the same patched requests)."""
    response = requests.get(f"{klaviyo_live.url}/__mock__/profiles", timeout=5)
    assert response.status_code == 200
    assert response.json()["profiles"] == []


def test_handle_journal_and_reset(klaviyo_mock):
    identify(**{"$email": "a@b.com"})
    [entry] = klaviyo_mock.journal(identifier="a@b.com")
    assert entry["decisions"][0].startswith("created ")
    klaviyo_mock.reset()
    assert klaviyo_mock.profiles() == []


def test_assert_no_duplicates_explains_what_it_found(klaviyo_mock):
    identify(**{"$id": "u1", "$email": "old@b.com"})
    identify(**{"$id": "u1", "$email": "new@b.com"})
    klaviyo_mock.assert_no_duplicates()
    identify(**{"$email": "old@b.com"})
    with pytest.raises(DuplicatesError) as error:
        klaviyo_mock.assert_no_duplicates()
    message = str(error.value)
    assert "expected no duplicate profiles, found 1 group(s)" in message
    assert "email new@b.com, external_id u1" in message and "(email old@b.com)" in message
    assert "because " in message and "held before" in message
    assert "journal #3 GET /api/identify: created" in message


def test_assert_duplicates_by_identifier(klaviyo_mock):
    identify(**{"$email": "a@b.com"})
    identify(**{"$id": "u1"})
    identify(**{"$email": "a@b.com", "$id": "u1"})  # row 11: a conflict
    klaviyo_mock.assert_duplicates([{"email": "a@b.com"}, {"external_id": "u1"}])
    with pytest.raises(DuplicatesError, match="found 1 group"):
        klaviyo_mock.assert_duplicates()
    with pytest.raises(DuplicatesError, match="no profile has"):
        klaviyo_mock.assert_duplicates([{"email": "nobody@b.com"}, {"external_id": "u1"}])


def test_find_profile_takes_one_identifier(klaviyo_mock):
    with pytest.raises(TypeError):
        klaviyo_mock.find_profile(email="a@b.com", external_id="u1")


def test_load_scenario_returns_the_names(klaviyo_mock):
    names = klaviyo_mock.load_scenario(
        ROOT / "scenarios" / "row-11-email-and-id-on-two-profiles.yaml"
    )
    assert set(names) == {"A", "B"}
    assert klaviyo_mock.find_profile(email="betty@example.com")["id"] == names["A"]


def test_run_scenario_failure_is_an_assertion_with_the_report(klaviyo_mock, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (ROOT / "scenarios" / "row-01-id-matches.yaml")
        .read_text()
        .replace("profile_count: 1", "profile_count: 3")
    )
    with pytest.raises(AssertionError, match=r"expect\.profile_count: expected 3, found 1"):
        klaviyo_mock.run_scenario(broken)


def test_live_handle_is_reset_for_each_test_part_1(klaviyo_live):
    response = requests.get(
        f"{klaviyo_live.url}/api/identify",
        params={"data": b64({"token": PUBLIC, "properties": {"$email": "live@b.com"}})},
        timeout=5,
    )
    assert response.text == "1"
    assert len(klaviyo_live.profiles()) == 1


def test_live_handle_is_reset_for_each_test_part_2(klaviyo_live):
    assert klaviyo_live.profiles() == []
