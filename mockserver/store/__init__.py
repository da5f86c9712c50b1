"""The state, in TinyDB: the only package that imports it.

TinyDB has no indexes, rebuilds a whole table on every write and has no locks (aesthetics.md §6).
This package designs around each of those:

- ``storage.InPlaceTable`` writes in place, so a write costs the same at 100,000 profiles as at
  1,000; ``storage.SnapshotStorage`` keeps the data in memory and, with a path, in a snapshot and
  a write-ahead log, so that nothing rewrites the whole file per request (see that module).
- ``TinyDBStore`` keeps a dict index for every lookup the hot paths make (profile id, each
  identifier kind, metric name, event uniqueness key, former identifiers) and one re-entrant
  lock that callers hold across a whole read-decide-write sequence.

Each account has its own tables (``<account>/profiles`` …), so accounts never see each other.
"""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager

from ..domain.models import Event
from ..domain.models import EventHead
from ..domain.models import Evidence
from ..domain.models import IdentifierKind
from ..domain.models import ListRecord
from ..domain.models import Membership
from ..domain.models import MemberStatus
from ..domain.models import Metric
from ..domain.models import Profile
from ..domain.models import ProfileHead
from ..domain.models import json_copy
from .raw import raw
from .raw import raw_one
from .records import Records
from .storage import Database
from .storage import InPlaceTable
from .storage import SnapshotStorage
from .storage import StateFileError
from .storage import replace_with
from .tables import AccountTables
from .tables import read
from .trash import bury

__all__ = ["InPlaceTable", "StateFileError", "TinyDBStore"]

_STATUS = {status.value: status for status in MemberStatus}
_ACTIVE = frozenset({MemberStatus.MEMBER.value, MemberStatus.SUBSCRIBED.value})


class _Hold:
    """What ``TinyDBStore.locked()`` gives in durable mode: one per store, re-entrant (the
    count is the store's). A class rather than a generator: every call takes it, several
    times."""

    __slots__ = ("_store",)

    def __init__(self, store: TinyDBStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        store = self._store
        store._lock.acquire()
        store._depth += 1

    def __exit__(self, *exc_info: object) -> None:
        store = self._store
        try:
            store._depth -= 1
            if store._depth == 0:
                store.storage.sync()
        finally:
            store._lock.release()


class TinyDBStore:
    """The mock's state in TinyDB, in memory or backed by a JSON file (see module docstring)."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        flush_interval: float = 1.0,
        durable: bool = False,
    ) -> None:
        self._lock = threading.RLock()
        self._depth = 0  # durable: how many locked() blocks the lock holder is in
        self._hold = _Hold(self)
        self.storage = SnapshotStorage(
            path, flush_interval=flush_interval, durable=durable, lock=self._lock
        )
        self._db = Database(storage=lambda: self.storage)
        self._accounts: dict[str, AccountTables] = {}
        for name in self._db.tables():
            try:
                self._tables(name.partition("/")[0])
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                where = self.storage.path
                raise StateFileError(
                    f"{where}: table {name!r} holds a malformed document ({error!r})"
                ) from None
        self.storage.start()  # only now that what was read is known to be good

    def _tables(self, account: str) -> AccountTables:
        tables = self._accounts.get(account)
        if tables is None:
            tables = self._accounts[account] = AccountTables(self._db, account)
        return tables

    def records(self, account: str) -> Records:
        """One account's generic resources (see ``records``); the caller holds ``locked()``."""
        return self._tables(account).records

    def locked(self) -> AbstractContextManager[object]:
        """Hold the store for a whole read-decide-write sequence. In durable mode the changes
        are on disk when the outermost block ends, before its caller answers anybody. (Otherwise
        the lock alone: nothing happens when a block ends, and the lock's own ``with`` costs a
        third of ``_Hold``'s, several times a call.)"""
        return self._hold if self.storage.durable else self._lock

    # -- profiles --------------------------------------------------------------------------

    def owner_of(self, account: str, kind: IdentifierKind, value: str) -> str | None:
        with self._lock:
            return self._tables(account).identifiers[kind].get(value)

    def get_profile(self, account: str, profile_id: str) -> Profile | None:
        with self._lock:
            tables = self._tables(account)
            doc_id = tables.profile_docs.get(profile_id)
            doc = None if doc_id is None else raw_one(tables.profiles, doc_id)
            return None if doc is None else Profile.from_document(doc)  # copies what it keeps

    def former_holders(self, account: str, kind: IdentifierKind, value: str) -> set[str]:
        """The profiles that held ``value`` before (and hold it no more)."""
        with self._lock:
            return set(self._tables(account).former[kind].get(value, ()))

    def has_profile(self, account: str, profile_id: str) -> bool:
        with self._lock:
            return profile_id in self._tables(account).profile_docs

    def save_profile(self, account: str, profile: Profile) -> None:
        """Insert or replace ``profile``, moving its identifiers in the index."""
        with self.locked():
            tables = self._tables(account)
            for kind, value in profile.identifiers.items():
                owner = tables.identifiers[kind].get(value)
                if owner is not None and owner != profile.id:
                    raise ValueError(f"{kind.value} {value} already belongs to {owner}")
            doc = json_copy(profile.to_document())
            doc_id = tables.profile_docs.get(profile.id)
            old = None if doc_id is None else raw_one(tables.profiles, doc_id)  # read, not kept
            if doc_id is None or old is None:
                tables.profile_docs[profile.id] = tables.profiles.insert(doc)
            else:
                for kind, value in old["identifiers"].items():
                    tables.identifiers[IdentifierKind(kind)].pop(value, None)
                tables.profiles.update(replace_with(doc), doc_ids=[doc_id])
            for kind, value in profile.identifiers.items():
                tables.identifiers[kind][value] = profile.id
            for kind, values in profile.former.items():
                for value in values:
                    tables.former[kind].setdefault(value, set()).add(profile.id)

    def delete_profile(self, account: str, profile_id: str) -> bool:
        """Remove a profile, its identifiers and its events; False if there is none."""
        with self.locked():
            tables = self._tables(account)
            doc_id = tables.profile_docs.pop(profile_id, None)
            if doc_id is None:
                return False
            doc = raw_one(tables.profiles, doc_id)
            assert doc is not None  # the index names stored documents only
            profile = Profile.from_document(doc)
            for kind, value in profile.identifiers.items():
                tables.identifiers[kind].pop(value, None)
            for kind, values in profile.former.items():
                for value in values:
                    tables.former[kind].get(value, set()).discard(profile_id)
            tables.last_event.pop(profile_id, None)
            event_ids = tables.profile_events.pop(profile_id, [])
            for event_id in event_ids:
                event = tables.events.get(doc_id=event_id)
                if isinstance(event, dict):
                    tables.event_keys.discard((profile_id, event["metric_id"], event["unique_key"]))
                    tables.event_docs.pop(event["id"], None)
                    tables.metric_events.get(event["metric_id"], []).remove(event_id)
            if event_ids:
                tables.events.remove(doc_ids=event_ids)
            memberships = [
                tables.members[list_id].pop(profile_id)
                for list_id in tables.profile_lists.pop(profile_id, set())
                if profile_id in tables.members.get(list_id, {})
            ]
            if memberships:
                tables.memberships.remove(doc_ids=memberships)
            # a deletion leaves nothing that names the person (rare: a scan is fine here)
            evidence = [e.doc_id for e in tables.evidence if profile_id in e["profiles"]]
            if evidence:
                tables.evidence.remove(doc_ids=evidence)
            tables.profiles.remove(doc_ids=[doc_id])
            return True

    def profiles(self, account: str) -> list[Profile]:
        with self._lock:
            return [Profile.from_document(doc) for doc in raw(self._tables(account).profiles)]

    def profile_heads(self, account: str) -> list[ProfileHead]:
        """Every profile's id, times and identifiers: enough to filter and sort a listing
        without copying whole profiles."""
        with self._lock:
            return [
                ProfileHead(
                    doc["id"],
                    doc["created"],
                    doc["updated"],
                    doc["identifiers"],
                )
                for doc in raw(self._tables(account).profiles)
            ]

    def profile_ids(self, account: str) -> list[str]:
        with self._lock:
            return list(self._tables(account).profile_docs)

    def count_profiles(self, account: str) -> int:
        with self._lock:
            return len(self._tables(account).profile_docs)

    # -- metrics and events ------------------------------------------------------------------

    def metric_named(self, account: str, name: str) -> Metric | None:
        with self._lock:
            return self._tables(account).metric_named.get(name)

    def has_metric_id(self, account: str, metric_id: str) -> bool:
        with self._lock:
            return metric_id in self._tables(account).metric_ids

    def save_metric(self, account: str, metric: Metric) -> None:
        with self.locked():
            tables = self._tables(account)
            tables.metrics.insert(metric.to_document())
            tables.metric_named[metric.name] = metric
            tables.metric_ids.add(metric.id)

    def has_event(self, account: str, profile_id: str, metric_id: str, unique_key: str) -> bool:
        with self._lock:
            return (profile_id, metric_id, unique_key) in self._tables(account).event_keys

    def add_event(self, account: str, event: Event) -> None:
        with self.locked():
            tables = self._tables(account)
            doc = event.to_document()  # a new document, whose properties alone need copying
            doc["properties"] = json_copy(doc["properties"])
            doc_id = tables.events.insert(doc)
            tables.event_keys.add((event.profile_id, event.metric_id, event.unique_key))
            tables.event_docs[event.id] = doc_id
            last = tables.last_event.get(event.profile_id)
            if last is None or event.timestamp > last:
                tables.last_event[event.profile_id] = event.timestamp
            tables.profile_events.setdefault(event.profile_id, []).append(doc_id)
            tables.metric_events.setdefault(event.metric_id, []).append(doc_id)

    def last_event_time(self, account: str, profile_id: str) -> int | None:
        """When the profile's latest event happened (UNIX seconds), through the index."""
        with self._lock:
            return self._tables(account).last_event.get(profile_id)

    def event_heads(self, account: str) -> list[EventHead]:
        """Every event's id, profile, metric and time: enough to filter and sort a listing
        without copying properties."""
        with self._lock:
            return [
                EventHead(d["id"], d["profile_id"], d["metric_id"], d["timestamp"])
                for d in raw(self._tables(account).events)
            ]

    def get_event(self, account: str, event_id: str) -> Event | None:
        with self._lock:
            tables = self._tables(account)
            doc = read(tables.events, tables.event_docs.get(event_id))
            return Event.from_document(doc) if doc else None

    def move_events(self, account: str, source: str, destination: str) -> int:
        """Give ``source``'s events to ``destination`` (a merge); how many moved."""
        with self.locked():
            tables = self._tables(account)
            doc_ids = tables.profile_events.pop(source, [])
            for doc_id in doc_ids:
                event = tables.events.get(doc_id=doc_id)
                if isinstance(event, dict):
                    key = (event["metric_id"], event["unique_key"])
                    tables.event_keys.discard((source, *key))
                    tables.event_keys.add((destination, *key))
            moved_last = tables.last_event.pop(source, None)
            if moved_last is not None and moved_last > tables.last_event.get(destination, -1):
                tables.last_event[destination] = moved_last
            if doc_ids:
                tables.events.update({"profile_id": destination}, doc_ids=doc_ids)
                merged = tables.profile_events.setdefault(destination, [])
                merged.extend(doc_ids)
                merged.sort()
            return len(doc_ids)

    def events(
        self, account: str, *, profile_id: str | None = None, metric_id: str | None = None
    ) -> list[Event]:
        """All events, or a profile's, or a metric's, or both (through the indexes)."""
        with self._lock:
            tables = self._tables(account)
            if profile_id is None and metric_id is None:
                return [Event.from_document(json_copy(doc)) for doc in raw(tables.events)]
            ids = set(tables.profile_events.get(profile_id, ())) if profile_id else None
            if metric_id is not None:
                of_metric = set(tables.metric_events.get(metric_id, ()))
                ids = of_metric if ids is None else ids & of_metric
            return [
                Event.from_document(doc)
                for i in sorted(ids or ())
                if (doc := read(tables.events, i)) is not None
            ]

    def metrics(self, account: str) -> list[Metric]:
        with self._lock:
            return [Metric.from_document(doc) for doc in raw(self._tables(account).metrics)]

    # -- lists -------------------------------------------------------------------------------

    def save_list(self, account: str, record: ListRecord) -> None:
        with self.locked():
            tables = self._tables(account)
            doc_id = tables.list_docs.get(record.id)
            if doc_id is None:
                tables.list_docs[record.id] = tables.lists.insert(record.to_document())
            else:
                tables.lists.update(replace_with(record.to_document()), doc_ids=[doc_id])

    def get_list(self, account: str, list_id: str) -> ListRecord | None:
        with self._lock:
            tables = self._tables(account)
            doc = read(tables.lists, tables.list_docs.get(list_id))
            return ListRecord.from_document(doc) if doc else None

    def lists(self, account: str) -> list[ListRecord]:
        with self._lock:
            return [ListRecord.from_document(doc) for doc in raw(self._tables(account).lists)]

    def delete_list(self, account: str, list_id: str) -> bool:
        """Remove a list and its memberships; False if there is none."""
        with self.locked():
            tables = self._tables(account)
            doc_id = tables.list_docs.pop(list_id, None)
            if doc_id is None:
                return False
            members = tables.members.pop(list_id, {})
            for profile_id in members:
                tables.profile_lists.get(profile_id, set()).discard(list_id)
            if members:
                tables.memberships.remove(doc_ids=list(members.values()))
            tables.lists.remove(doc_ids=[doc_id])
            return True

    def membership(self, account: str, list_id: str, profile_id: str) -> Membership | None:
        with self._lock:
            tables = self._tables(account)
            doc = read(tables.memberships, tables.members.get(list_id, {}).get(profile_id))
            return Membership.from_document(doc) if doc else None

    def save_membership(self, account: str, membership: Membership) -> None:
        with self.locked():
            tables = self._tables(account)
            members = tables.members.setdefault(membership.list_id, {})
            doc_id = members.get(membership.profile_id)
            if doc_id is None:
                members[membership.profile_id] = tables.memberships.insert(membership.to_document())
                tables.profile_lists.setdefault(membership.profile_id, set()).add(
                    membership.list_id
                )
            else:
                tables.memberships.update(replace_with(membership.to_document()), doc_ids=[doc_id])

    def remove_membership(self, account: str, list_id: str, profile_id: str) -> bool:
        with self.locked():
            tables = self._tables(account)
            doc_id = tables.members.get(list_id, {}).pop(profile_id, None)
            if doc_id is None:
                return False
            tables.profile_lists.get(profile_id, set()).discard(list_id)
            tables.memberships.remove(doc_ids=[doc_id])
            return True

    def profile_memberships(self, account: str, profile_id: str) -> list[Membership]:
        """The lists a profile is on (or was unsubscribed from), as memberships."""
        with self._lock:
            tables = self._tables(account)
            found = []
            for list_id in sorted(tables.profile_lists.get(profile_id, ())):
                doc = read(tables.memberships, tables.members.get(list_id, {}).get(profile_id))
                if doc:
                    found.append(Membership.from_document(doc))
            return found

    def active_members(self, account: str, list_id: str) -> list[Membership]:
        """A list's members and subscribers (not pending, not unsubscribed) in the order they
        joined, read without copying documents: a listing reads every one of them."""
        with self._lock:
            tables = self._tables(account)
            found = []
            for doc_id in tables.members.get(list_id, {}).values():
                doc = raw_one(tables.memberships, doc_id)
                if doc is not None and doc["status"] in _ACTIVE:
                    found.append(
                        Membership(list_id, doc["profile_id"], _STATUS[doc["status"]], doc["at"])
                    )
            return found

    def memberships(self, account: str, list_id: str) -> list[tuple[int, Membership]]:
        """A list's memberships in the order people joined, each with its sequence number
        (which only grows, so that it can be a paging cursor)."""
        with self._lock:
            tables = self._tables(account)
            ids = list(tables.members.get(list_id, {}).values())
            return [
                (i, Membership.from_document(doc))
                for i in ids
                if (doc := raw_one(tables.memberships, i)) is not None
            ]

    # -- evidence of duplicates --------------------------------------------------------------

    def add_evidence(self, account: str, evidence: Evidence) -> None:
        with self.locked():
            self._tables(account).evidence.insert(evidence.to_document())

    def repoint_evidence(self, account: str, source: str, target: str) -> None:
        """Evidence that named ``source`` names ``target`` (a merge); evidence between the two
        is dropped: they are one profile now. (Rare: a scan is fine here.)"""
        with self.locked():
            table = self._tables(account).evidence
            drop: list[tuple[int, list[str]]] = []
            change: list[tuple[int, list[str]]] = []
            for doc in table:
                if source not in doc["profiles"]:
                    continue
                profiles = list(
                    dict.fromkeys(target if p == source else p for p in doc["profiles"])
                )
                (drop if len(profiles) < 2 else change).append((doc.doc_id, profiles))
            if drop:
                table.remove(doc_ids=[doc_id for doc_id, _ in drop])
            for doc_id, profiles in change:
                table.update({"profiles": profiles}, doc_ids=[doc_id])

    def evidence(self, account: str) -> list[Evidence]:
        with self._lock:
            return [Evidence.from_document(doc) for doc in raw(self._tables(account).evidence)]

    # -- whole state -------------------------------------------------------------------------

    def document_count(self) -> int:
        with self._lock:
            return sum(len(table) for tables in self._accounts.values() for table in tables.tables)

    def accounts(self) -> list[str]:
        """The accounts that have state."""
        with self._lock:
            return sorted(
                name for name, t in self._accounts.items() if any(len(x) for x in t.tables)
            )

    def reset(self, account: str | None = None) -> None:
        """Forget one account's state, or everybody's."""
        with self.locked():
            names = list(self._accounts) if account is None else [account]
            data = self.storage.read()
            for name in names:
                tables = self._accounts.pop(name, None)
                if tables is not None:
                    for table in tables.tables:
                        bury(data.get(table.name))  # freed in the background, not here
                        self._db.drop_table(table.name)
                    bury(tables.indexes())

    def sync(self) -> None:
        """Put the changes so far in the log on disk."""
        self.storage.sync()

    def checkpoint(self) -> None:
        """Write the whole state as the snapshot and empty the log."""
        with self._lock:
            self.storage.checkpoint()

    def close(self) -> None:
        self._db.close()
