"""The TinyDB store: indexes kept in step, isolation, persistence that is atomic and safe."""

from __future__ import annotations

import json
import os

import pytest

from mockserver.domain.models import Event
from mockserver.domain.models import Evidence
from mockserver.domain.models import EvidenceKind
from mockserver.domain.models import IdentifierKind
from mockserver.domain.models import Metric
from mockserver.domain.models import Profile
from mockserver.store import InPlaceTable
from mockserver.store import StateFileError
from mockserver.store import TinyDBStore

EMAIL, EXT = IdentifierKind.EMAIL, IdentifierKind.EXTERNAL_ID
T = "2026-01-01T00:00:00+00:00"


def profile(pid="P", **identifiers):
    return Profile(
        pid,
        T,
        T,
        {IdentifierKind(k): v for k, v in identifiers.items()},
        {"first_name": "A"},
        {"n": {"x": 1}},
    )


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    return TinyDBStore(tmp_path / "state.json" if request.param == "file" else None)


def test_save_and_get_round_trip(store):
    store.save_profile("acct", profile(email="a@b.com"))
    assert store.get_profile("acct", "P") == profile(email="a@b.com")
    assert store.owner_of("acct", EMAIL, "a@b.com") == "P"
    assert store.get_profile("acct", "missing") is None


def test_replacing_a_profile_moves_its_index_entries(store):
    store.save_profile("acct", profile(email="old@b.com", external_id="U"))
    store.save_profile("acct", profile(email="new@b.com"))
    assert store.owner_of("acct", EMAIL, "old@b.com") is None
    assert store.owner_of("acct", EXT, "U") is None
    assert store.owner_of("acct", EMAIL, "new@b.com") == "P"
    assert store.count_profiles("acct") == 1
    assert store.get_profile("acct", "P").identifiers == {EMAIL: "new@b.com"}


def test_an_identifier_cannot_be_on_two_profiles(store):
    store.save_profile("acct", profile("P", email="a@b.com"))
    with pytest.raises(ValueError, match="already belongs to P"):
        store.save_profile("acct", profile("Q", email="a@b.com"))
    assert store.count_profiles("acct") == 1


def test_returned_profiles_do_not_alias_stored_state(store):
    store.save_profile("acct", profile(email="a@b.com"))
    got = store.get_profile("acct", "P")
    got.properties["n"]["x"] = 99
    got.attributes["first_name"] = "Z"
    assert store.get_profile("acct", "P") == profile(email="a@b.com")


def test_accounts_are_isolated(store):
    store.save_profile("one", profile(email="a@b.com"))
    assert store.owner_of("two", EMAIL, "a@b.com") is None
    store.save_profile("two", profile(email="a@b.com"))
    store.reset("one")
    assert store.count_profiles("one") == 0
    assert store.count_profiles("two") == 1
    store.reset()
    assert store.count_profiles("two") == 0


def test_events_metrics_and_evidence(store):
    store.save_metric("acct", Metric("MeT789", "Placed Order", T))
    store.add_event("acct", Event("E1", "P", "MeT789", 1_600_000_000, "k", {"a": [1]}, T))
    store.add_evidence("acct", Evidence(EvidenceKind.RACE, ("P", "Q"), "why", T))
    assert store.metric_named("acct", "Placed Order") == Metric("MeT789", "Placed Order", T)
    assert store.has_event("acct", "P", "MeT789", "k")
    assert not store.has_event("acct", "P", "MeT789", "other")
    assert store.events("acct")[0].properties == {"a": [1]}
    assert store.evidence("acct") == [Evidence(EvidenceKind.RACE, ("P", "Q"), "why", T)]
    assert store.metrics("acct") == [Metric("MeT789", "Placed Order", T)]
    assert store.accounts() == ["acct"]


def test_state_survives_flush_and_reopen(tmp_path):
    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    store.save_profile("acct", profile(email="a@b.com"))
    store.save_metric("acct", Metric("MeT789", "Placed Order", T))
    store.add_event("acct", Event("E1", "P", "MeT789", 1, "k", {}, T))
    store.close()

    reopened = TinyDBStore(path)
    assert reopened.get_profile("acct", "P") == profile(email="a@b.com")
    assert reopened.owner_of("acct", EMAIL, "a@b.com") == "P"
    assert reopened.has_event("acct", "P", "MeT789", "k")
    reopened.save_profile("acct", profile("Q", email="c@d.com"))  # doc ids continue, no clash
    assert reopened.count_profiles("acct") == 2


def test_nothing_is_written_per_request(tmp_path):
    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    store.save_profile("acct", profile(email="a@b.com"))
    assert not path.exists()
    store.flush()
    assert json.loads(path.read_text())["acct/profiles"]["1"]["id"] == "P"


def test_flush_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    store.save_profile("acct", profile(email="a@b.com"))
    store.flush()
    before = path.read_bytes()
    store.save_profile("acct", profile("Q", email="c@d.com"))

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.flush()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["state.json"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"acct/profiles": {"1": {"id"', id="truncated"),
        pytest.param(b"\x00\x01garbage", id="binary"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"acct/profiles": 5}', id="table-not-an-object"),
    ],
)
def test_a_corrupt_state_file_is_a_clear_error_and_is_kept(tmp_path, content):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError, match=r"state\.json"):
        TinyDBStore(path)
    assert path.read_bytes() == content


def test_in_place_table_writes_do_not_copy_the_table(tmp_path):
    """The reason InPlaceTable exists: TinyDB's own _update_table rebuilds the table twice."""
    store = TinyDBStore()
    store.save_profile("acct", profile(email="a@b.com"))
    table = store._tables("acct").profiles
    assert isinstance(table, InPlaceTable)
    raw = table.storage.read()["acct/profiles"]
    store.save_profile("acct", profile("Q", email="c@d.com"))
    assert table.storage.read()["acct/profiles"] is raw


@pytest.mark.parametrize(
    "content",
    [
        pytest.param('{"acct/profiles": {"1": {"id": 5}}}', id="profile-without-identifiers"),
        pytest.param(
            json.dumps(
                {"acct/profiles": {"1": {**profile().to_document(), "identifiers": {"bogus": "x"}}}}
            ),
            id="unknown-identifier-kind",
        ),
        pytest.param('{"acct/events": {"1": {"id": "E"}}}', id="event-missing-fields"),
        pytest.param('{"acct/metrics": {"1": []}}', id="metric-not-an-object"),
    ],
)
def test_malformed_documents_are_a_clear_error(tmp_path, content):
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match="malformed document"):
        TinyDBStore(path)
    assert path.read_text() == content


def test_an_unwritable_path_fails_at_start(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StateFileError, match="cannot write"):
        TinyDBStore(blocker / "state.json")
    with pytest.raises(StateFileError, match="not a readable state file"):
        TinyDBStore(tmp_path)  # a directory
