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
        {},
        {},
    )


@pytest.fixture
def open_store():
    """TinyDBStore, closed (its log file handle released) at the end of the test."""
    opened = []

    def open_store(*args, **kwargs):
        store = TinyDBStore(*args, **kwargs)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        if store.storage._log is not None:
            store.close()


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path, open_store):
    return open_store(tmp_path / "state.json" if request.param == "file" else None)


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


def test_state_survives_flush_and_reopen(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path)
    store.save_profile("acct", profile(email="a@b.com"))
    store.save_metric("acct", Metric("MeT789", "Placed Order", T))
    store.add_event("acct", Event("E1", "P", "MeT789", 1, "k", {}, T))
    store.close()

    reopened = open_store(path)
    assert reopened.get_profile("acct", "P") == profile(email="a@b.com")
    assert reopened.owner_of("acct", EMAIL, "a@b.com") == "P"
    assert reopened.has_event("acct", "P", "MeT789", "k")
    reopened.save_profile("acct", profile("Q", email="c@d.com"))  # doc ids continue, no clash
    assert reopened.count_profiles("acct") == 2


def test_a_write_appends_to_the_log_and_never_rewrites_the_snapshot(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    snapshot = path.read_bytes()
    store.save_profile("acct", profile(email="a@b.com"))
    store.sync()
    assert path.read_bytes() == snapshot
    [line] = (tmp_path / "state.json.log").read_text().splitlines()
    assert json.loads(line) == {
        "t": "acct/profiles",
        "k": "1",
        "d": profile(email="a@b.com").to_document(),
    }
    store.checkpoint()
    assert json.loads(path.read_text())["acct/profiles"]["1"]["id"] == "P"
    assert (tmp_path / "state.json.log").read_bytes() == b""


def test_checkpoint_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch, open_store):
    path = tmp_path / "state.json"
    store = open_store(path)
    store.save_profile("acct", profile(email="a@b.com"))
    store.checkpoint()
    before = path.read_bytes()
    store.save_profile("acct", profile("Q", email="c@d.com"))

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.checkpoint()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["state.json", "state.json.lock", "state.json.log"]
    monkeypatch.undo()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"acct/profiles": {"1": {"id"', id="truncated"),
        pytest.param(b"\x00\x01garbage", id="binary"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"acct/profiles": 5}', id="table-not-an-object"),
    ],
)
def test_a_corrupt_state_file_is_a_clear_error_and_is_kept(tmp_path, content, open_store):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError, match=r"state\.json"):
        open_store(path)
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
def test_malformed_documents_are_a_clear_error(tmp_path, content, open_store):
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateFileError, match="malformed document"):
        open_store(path)
    assert path.read_text() == content


def test_an_unwritable_path_fails_at_start(tmp_path, open_store):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StateFileError, match="cannot write"):
        open_store(blocker / "state.json")
    with pytest.raises(StateFileError, match="not a readable state file"):
        open_store(tmp_path)  # a directory


def crash(store):
    """What kill -9 leaves: the log as synced so far; no checkpoint; the files let go."""
    store.sync()
    die(store)


def die(store):
    """The process is gone: nothing more is written, the lock is released."""
    storage = store.storage
    storage._stop.set()
    storage._finalizer.detach()
    with storage._log.pending_lock:
        storage._log.pending.clear()
    storage._log.close()
    storage._log = None


def test_a_crash_is_recovered_from_the_log(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="old@b.com", external_id="U"))
    store.save_profile("acct", profile("P", email="new@b.com", external_id="U"))  # a replace
    store.save_profile("acct", profile("Q", email="q@b.com"))
    store.save_metric("acct", Metric("MeT789", "Placed Order", T))
    store.add_event("acct", Event("E1", "P", "MeT789", 1, "k", {"a": 1}, T))
    store.save_profile("gone", profile("G", email="g@b.com"))
    store.reset("gone")  # a drop
    store.save_profile("acct", profile("D", email="d@b.com"))
    store.add_event("acct", Event("E2", "D", "MeT789", 2, "k", {}, T))
    assert store.delete_profile("acct", "D")  # removes
    crash(store)

    recovered = open_store(path)
    assert recovered.get_profile("acct", "P").identifiers == {EMAIL: "new@b.com", EXT: "U"}
    assert recovered.owner_of("acct", EMAIL, "old@b.com") is None
    assert recovered.count_profiles("acct") == 2
    assert recovered.has_event("acct", "P", "MeT789", "k")
    assert recovered.count_profiles("gone") == 0
    assert recovered.get_profile("acct", "D") is None
    assert [e.id for e in recovered.events("acct")] == ["E1"]
    assert (tmp_path / "state.json.log").read_bytes() == b""  # folded into the snapshot at start
    assert json.loads(path.read_text())["acct/profiles"]["2"]["id"] == "Q"


def test_unsynced_changes_are_what_a_crash_loses(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    store.sync()
    store.save_profile("acct", profile("Q", email="c@d.com"))  # still only in memory
    die(store)
    recovered = open_store(path)
    assert [p.id for p in recovered.profiles("acct")] == ["P"]


def test_durable_writes_before_the_lock_is_released(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, durable=True)
    with store.locked():
        store.save_profile("acct", profile("P", email="a@b.com"))
        assert (tmp_path / "state.json.log").read_bytes() == b""  # not yet: same decision
    assert b'"P"' in (tmp_path / "state.json.log").read_bytes()
    store.save_profile("acct", profile("Q", email="c@d.com"))  # outside locked(): at once
    assert b'"Q"' in (tmp_path / "state.json.log").read_bytes()


def test_the_interval_flusher_writes_on_its_own(tmp_path, open_store):
    import time

    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=0.05)
    store.save_profile("acct", profile("P", email="a@b.com"))
    deadline = time.monotonic() + 5
    while b'"P"' not in (tmp_path / "state.json.log").read_bytes():
        assert time.monotonic() < deadline, "the flusher never wrote"
        time.sleep(0.01)
    store.close()


def test_a_torn_last_line_is_dropped(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    crash(store)
    with open(tmp_path / "state.json.log", "ab") as log:
        log.write(b'{"t": "acct/profiles", "k": "2", "d": {"id": "Q", "cre')  # kill -9 mid-write
    assert [p.id for p in open_store(path).profiles("acct")] == ["P"]


def test_a_corrupt_log_line_is_an_error_and_the_files_are_kept(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    crash(store)
    log = tmp_path / "state.json.log"
    log.write_bytes(b"garbage\n" + log.read_bytes())
    before = (path.read_bytes(), log.read_bytes())
    with pytest.raises(StateFileError, match=r"state\.json\.log: line 1 is not a change"):
        open_store(path)
    assert (path.read_bytes(), log.read_bytes()) == before


def test_replaying_a_log_twice_changes_nothing(tmp_path, open_store):
    """A crash between the new snapshot and emptying the log replays changes already in it."""
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    store.sync()
    log = (tmp_path / "state.json.log").read_bytes()
    store.checkpoint()
    crash(store)
    (tmp_path / "state.json.log").write_bytes(log)
    recovered = open_store(path)
    assert recovered.count_profiles("acct") == 1
    assert recovered.owner_of("acct", EMAIL, "a@b.com") == "P"


def test_a_refused_start_changes_no_file(tmp_path, open_store):
    path = tmp_path / "state.json"
    store = open_store(path)
    store.save_profile("acct", profile("P", email="a@b.com"))
    store.close()
    (tmp_path / "state.json.log").write_text(
        '{"t": "acct/profiles", "k": "9", "d": {"id": "Bad"}}\n'
    )
    before = (path.read_bytes(), (tmp_path / "state.json.log").read_bytes())
    with pytest.raises(StateFileError, match="malformed document"):
        TinyDBStore(path)
    assert (path.read_bytes(), (tmp_path / "state.json.log").read_bytes()) == before


def test_a_second_store_on_the_same_files_is_refused(tmp_path, open_store):
    open_store(tmp_path / "state.json")
    with pytest.raises(StateFileError, match="in use by another process"):
        TinyDBStore(tmp_path / "state.json")


def test_a_failed_write_is_retried_without_tearing_the_log(tmp_path, open_store, monkeypatch):
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    real_fsync = os.fsync
    calls = []

    def failing_once(fd):
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_once)
    with pytest.raises(OSError, match="No space"):
        store.sync()
    assert (tmp_path / "state.json.log").read_bytes() == b""  # the torn write was cut off
    store.save_profile("acct", profile("Q", email="c@d.com"))
    store.sync()
    lines = (tmp_path / "state.json.log").read_text().splitlines()
    assert [json.loads(line)["d"]["id"] for line in lines] == ["P", "Q"]


def test_the_flusher_survives_an_error(tmp_path, open_store, monkeypatch):
    import time

    store = open_store(tmp_path / "state.json", flush_interval=0.02)
    real_sync = type(store.storage._log).sync
    failures = []

    def sync(log):
        if len(failures) < 3:
            failures.append(1)
            raise OSError(5, "I/O error")
        return real_sync(log)

    monkeypatch.setattr(type(store.storage._log), "sync", sync)
    store.save_profile("acct", profile("P", email="a@b.com"))
    deadline = time.monotonic() + 5
    while b'"P"' not in (tmp_path / "state.json.log").read_bytes():
        assert time.monotonic() < deadline, "the flusher stopped after an error"
        time.sleep(0.01)
    monkeypatch.undo()


@pytest.mark.parametrize("durable", [False, True])
def test_a_big_log_is_folded_into_the_snapshot_while_running(
    tmp_path, open_store, monkeypatch, durable
):
    import time

    from mockserver.store import storage

    monkeypatch.setattr(storage, "CHECKPOINT_AT", 0)
    path = tmp_path / "state.json"
    store = open_store(path, flush_interval=0.02, durable=durable)
    for n in range(20):
        store.save_profile("acct", profile(f"P{n}", email=f"p{n}@b.com"))
    deadline = time.monotonic() + 5
    while "P19" not in path.read_text():
        assert time.monotonic() < deadline, "never checkpointed"
        time.sleep(0.01)
    time.sleep(0.1)  # an idle store must not rewrite the snapshot again and again
    assert store.storage._log.size() == 0
    written = path.stat().st_mtime_ns
    time.sleep(0.1)
    assert path.stat().st_mtime_ns == written


def test_a_store_nobody_closed_still_writes_and_lets_go(tmp_path):
    import gc

    path = tmp_path / "state.json"
    store = TinyDBStore(path, flush_interval=3600)
    store.save_profile("acct", profile("P", email="a@b.com"))
    del store
    gc.collect()
    assert b'"P"' in (tmp_path / "state.json.log").read_bytes()
    reopened = TinyDBStore(path)  # the lock was released
    assert reopened.count_profiles("acct") == 1
    reopened.close()


def test_the_snapshot_keeps_its_mode_and_stale_temporary_files_go(tmp_path, open_store):
    path = tmp_path / "state.json"
    path.write_text("{}")
    path.chmod(0o640)
    (tmp_path / ".state.json.abc123").write_text("half a checkpoint")
    store = open_store(path)
    store.save_profile("acct", profile("P", email="a@b.com"))
    store.checkpoint()
    assert path.stat().st_mode & 0o777 == 0o640
    assert not (tmp_path / ".state.json.abc123").exists()


def test_the_trash_keeps_up_with_resets():
    import time

    from mockserver.store import trash

    store = TinyDBStore()
    for _ in range(200):  # a suite: a little state, then a reset, again and again
        for n in range(20):
            store.save_profile("acct", profile(f"P{n}", email=f"p{n}@b.com"))
        store.reset()
    deadline = time.monotonic() + 5
    while not trash._queue.empty():
        assert time.monotonic() < deadline, f"{trash._queue.qsize()} containers still waiting"
        time.sleep(0.01)


def test_the_last_event_index_follows_adds_moves_deletes_and_restarts(tmp_path):
    from mockserver.store import TinyDBStore

    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    stamp = "2026-01-01T00:00:00+00:00"
    for pid in ("a", "b"):
        store.save_profile(
            "acc",
            Profile(pid, stamp, stamp, {IdentifierKind.EMAIL: f"{pid}@x.com"}, {}, {}, {}, {}),
        )
    for n, (pid, at) in enumerate([("a", 300), ("a", 100), ("b", 500)]):
        store.add_event("acc", Event(f"e{n}", pid, "m", at, str(n), {}, stamp))
    assert (store.last_event_time("acc", "a"), store.last_event_time("acc", "b")) == (300, 500)
    store.move_events("acc", "b", "a")
    assert (store.last_event_time("acc", "a"), store.last_event_time("acc", "b")) == (500, None)
    store.close()
    again = TinyDBStore(path)
    assert again.last_event_time("acc", "a") == 500
    again.delete_profile("acc", "a")
    assert again.last_event_time("acc", "a") is None
    again.close()
