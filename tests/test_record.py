"""Recording: the journal written as a scenario (``GET /__mock__/journal?format=scenario``, the
handle's ``record()``, ``run.py --record FILE``): replayed, it passes; edited, it fails and says
why; what cannot be replayed is refused with the reason."""

from __future__ import annotations

import base64
import json
import textwrap

import pytest
import requests
import yaml
from test_server import start  # noqa: F401  (the fixture)

from mockserver import create_app
from mockserver.app import store_of
from mockserver.domain.service import Klaviyo
from mockserver.scenario import RecordError
from mockserver.scenario import record
from mockserver.store import TinyDBStore
from mockserver.testing import in_process
from mockserver.testing import mock_klaviyo

KLAVIYO = "https://a.klaviyo.com"
CURRENT = {
    "Authorization": "Klaviyo-API-Key pk_test",
    "revision": "2026-07-15",
    "Content-Type": "application/vnd.api+json",
}


def identify(properties: dict, base: str = KLAVIYO) -> str:
    data = base64.b64encode(json.dumps({"token": "AbC123", "properties": properties}).encode())
    return requests.get(f"{base}/api/identify", params={"data": data.decode()}, timeout=10).text


def track_form(event: str, email: str) -> str:
    data = {"token": "AbC123", "event": event, "customer_properties": {"$email": email}}
    return requests.post(f"{KLAVIYO}/api/track", data={"data": json.dumps(data)}, timeout=10).text


def a_session() -> None:
    """What an integration did: an email change through $id that left a duplicate, a profile
    made and changed through today's API (by its id), and an event."""
    identify({"$id": "betty-1", "$email": "betty@example.com"})
    identify({"$id": "betty-1", "$email": "betty.new@example.com"})
    identify({"$email": "betty@example.com", "$first_name": "Betty"})
    body = {"data": {"type": "profile", "attributes": {"email": "sam@example.com"}}}
    sam = requests.post(f"{KLAVIYO}/api/profiles", json=body, headers=CURRENT, timeout=10)
    sam_id = sam.json()["data"]["id"]
    change = {"data": {"type": "profile", "id": sam_id, "attributes": {"first_name": "Sam"}}}
    path = f"{KLAVIYO}/api/profiles/{sam_id}"
    assert requests.patch(path, json=change, headers=CURRENT, timeout=10).status_code == 200
    assert track_form("Placed Order", "sam@example.com") == "1"


def test_a_recorded_session_replays_and_passes(klaviyo_mock, tmp_path):
    a_session()
    recorded = tmp_path / "session.yaml"
    text = klaviyo_mock.record(recorded)
    assert recorded.read_text() == text
    document = yaml.safe_load(text)
    assert [next(iter(step)) for step in document["steps"]] == [
        "identify", "identify", "identify", "request", "request", "track"
    ]  # fmt: skip
    assert [step.get("as") for step in document["steps"]] == ["P1", "P1", "P2", "P3", "P3", "P3"]
    assert document["steps"][4]["request"]["path"] == "/api/profiles/${P3}"
    assert document["expect"]["profile_count"] == 3
    assert document["expect"]["duplicates"] == [["P1", "P2"]]
    fresh = in_process(create_app({"TESTING": True}))
    assert "passed, 6 step(s)" in fresh.run_scenario(recorded)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (("profile_count: 3", "profile_count: 2"), "expect.profile_count: expected 2, found 3"),
        (("first_name: Sam", "first_name: Samuel"), "attributes"),
        (("status: 201", "status: 409"), "status: expected 409, found 201"),
        (("duplicates:\n  - - P1\n    - P2", "duplicates: []"), "expect.duplicates"),
    ],
    ids=["count", "attribute", "status", "duplicates"],
)
def test_an_edited_recording_fails_and_says_why(klaviyo_mock, tmp_path, edit, said):
    a_session()
    text = klaviyo_mock.record()
    old, new = edit
    assert old in text
    edited = tmp_path / "edited.yaml"
    edited.write_text(text.replace(old, new, 1))
    fresh = in_process(create_app({"TESTING": True}))
    with pytest.raises(AssertionError) as failed:
        fresh.run_scenario(edited)
    assert said in str(failed.value)


def test_a_recording_starts_from_the_loaded_scenario(klaviyo_mock, tmp_path):
    given = tmp_path / "given.yaml"
    given.write_text(
        textwrap.dedent(
            """\
            description: Betty is a customer already.
            given:
              profiles:
                - {as: Betty, email: betty@example.com, attributes: {first_name: Betty}}
            """
        )
    )
    betty = klaviyo_mock.load_scenario(given)["Betty"]
    change = {"data": {"type": "profile", "id": betty, "attributes": {"last_name": "Jones"}}}
    answer = requests.patch(
        f"{KLAVIYO}/api/profiles/{betty}", json=change, headers=CURRENT, timeout=10
    )
    assert answer.status_code == 200
    identify({"$email": "betty@example.com", "$phone_number": "+15005550006"})
    document = yaml.safe_load(klaviyo_mock.record())
    assert document["given"]["profiles"][0]["as"] == "Betty"
    assert document["steps"][0]["request"]["path"] == "/api/profiles/${Betty}"
    assert [step["as"] for step in document["steps"]] == ["Betty", "Betty"]
    replay = tmp_path / "replay.yaml"
    replay.write_text(yaml.safe_dump(document, sort_keys=False))
    assert "passed" in in_process(create_app({"TESTING": True})).run_scenario(replay)


def test_a_recording_holds_only_the_calls_since_the_last_reset(klaviyo_mock):
    identify({"$email": "before@example.com"})
    klaviyo_mock.reset()
    identify({"$email": "after@example.com"})
    document = yaml.safe_load(klaviyo_mock.record())
    assert [step["identify"] for step in document["steps"]] == [{"$email": "after@example.com"}]
    assert document["expect"]["profile_count"] == 1


def test_nothing_happened_is_a_recording_too(klaviyo_mock, tmp_path):
    recorded = tmp_path / "empty.yaml"
    klaviyo_mock.record(recorded)
    assert "steps" not in yaml.safe_load(recorded.read_text())
    assert "passed" in in_process(create_app({"TESTING": True})).run_scenario(recorded)


def test_declared_accounts_are_recorded_with_the_key_each_call_sent(tmp_path):
    app = create_app({"TESTING": True, "ACCOUNTS": ["AbC123:pk_" + "a1" * 17]})
    with mock_klaviyo(app):
        identify({"$email": "a@b.com"})
    document = yaml.safe_load(in_process(app).record())
    assert document["accounts"] == [{"public_key": "AbC123", "private_keys": ["pk_" + "a1" * 17]}]
    assert document["steps"][0]["account"] == "AbC123"
    replay = tmp_path / "r.yaml"
    replay.write_text(yaml.safe_dump(document))
    assert "passed" in in_process(create_app({"TESTING": True})).run_scenario(replay)


# -- what cannot be recorded -------------------------------------------------------------------


def test_a_journal_that_lost_calls_is_refused():
    app = create_app({"TESTING": True, "JOURNAL_SIZE": 3})
    with mock_klaviyo(app):
        for n in range(5):
            identify({"$email": f"p{n}@example.com"})
    answer = app.test_client().get("/__mock__/journal", query_string={"format": "scenario"})
    assert answer.status_code == 409
    detail = answer.get_json()["errors"][0]["detail"]
    assert "no longer holds the first 2 call(s)" in detail
    assert "JOURNAL_SIZE" in detail


def test_a_call_too_large_to_keep_whole_is_refused(klaviyo_mock):
    identify({"$email": "big@example.com", "Notes": "x" * 3000})
    with pytest.raises(RuntimeError, match=r"journal #1 \(GET /api/identify\) was too large"):
        klaviyo_mock.record()


def test_a_state_read_from_a_file_is_not_a_known_start():
    """A backend made over a store that holds state (``--db``) does not know what the calls it
    journals started from; after a reset it does."""
    loaded = Klaviyo(_store_with_a_profile())
    with pytest.raises(RecordError, match="not known"):
        record(loaded, loaded.default_account)
    loaded.reset()
    assert "profile_count: 0" in record(loaded, loaded.default_account)


def _store_with_a_profile() -> TinyDBStore:
    app = create_app({"TESTING": True})
    with mock_klaviyo(app):
        identify({"$email": "kept@example.com"})
    return store_of(app)


@pytest.mark.parametrize("query", [{"format": "yaml"}, {"format": "scenario", "limit": "3"}])
def test_the_recording_takes_format_scenario_alone(query):
    app = create_app({"TESTING": True})
    answer = app.test_client().get("/__mock__/journal", query_string=query)
    assert answer.status_code == 400


def test_run_py_records_on_stop(start, tmp_path):  # noqa: F811  (the fixture)
    recorded = tmp_path / "session.yaml"
    server = start("--record", str(recorded)).wait_ready()
    assert identify({"$email": "live@example.com"}, base=server.url) == "1"
    assert server.stop() == 0
    assert "calls recorded to" in server.log()
    document = yaml.safe_load(recorded.read_text())
    assert document["steps"][0]["identify"] == {"$email": "live@example.com"}
    assert "passed" in in_process(create_app({"TESTING": True})).run_scenario(recorded)


def test_a_literal_dollar_brace_in_a_call_is_replayed_as_it_came(klaviyo_mock, tmp_path):
    data = {"token": "AbC123", "event": "E", "customer_properties": {"$email": "a@b.com"}}
    data["properties"] = {"template": "Hello ${name}", "key": "${private_key}"}
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    assert requests.get(f"{KLAVIYO}/api/track", params={"data": encoded}).text == "1"
    recorded = tmp_path / "dollar.yaml"
    klaviyo_mock.record(recorded)
    fresh = in_process(create_app({"TESTING": True}))
    assert "passed" in fresh.run_scenario(recorded)
    [event] = fresh.events()
    assert event["properties"] == {"template": "Hello ${name}", "key": "${private_key}"}


def test_a_recording_never_holds_the_private_key(tmp_path):
    key = "pk_" + "d4" * 17
    app = create_app({"TESTING": True, "ACCOUNTS": [f"AbC123:{key}"]})
    headers = {**CURRENT, "Authorization": f"Klaviyo-API-Key {key}"}
    body = {"data": {"type": "profile", "attributes": {"email": "k@example.com"}}}
    with mock_klaviyo(app):
        requests.post(f"{KLAVIYO}/api/profiles", json=body, headers=headers, timeout=10)
    text = in_process(app).record()
    steps = yaml.safe_load(text)["steps"]
    assert steps[0]["request"]["headers"]["Authorization"] == "Klaviyo-API-Key ${private_key}"
    assert key not in text.split("steps:")[1]  # only the declared accounts name it
    replay = tmp_path / "keyless.yaml"
    replay.write_text(text)
    assert "passed" in in_process(create_app({"TESTING": True})).run_scenario(replay)


def test_a_track_is_replayed_in_the_encoding_it_came_in(klaviyo_mock):
    assert track_form("Placed Order", "form@example.com") == "1"
    [step] = yaml.safe_load(klaviyo_mock.record())["steps"]
    assert step["encoding"] == "form"
