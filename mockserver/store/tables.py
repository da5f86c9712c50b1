"""One account's TinyDB tables and the dict indexes over them, and the helpers that read
documents (copied, or uncopied for reads that take a few fields)."""

from __future__ import annotations

from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from ..domain.models import Event
from ..domain.models import Evidence
from ..domain.models import IdentifierKind
from ..domain.models import JSONDict
from ..domain.models import ListRecord
from ..domain.models import Membership
from ..domain.models import Metric
from ..domain.models import Profile
from ..domain.models import json_copy
from .raw import raw_one
from .records import Records


class AccountTables:
    """One account's tables and the indexes over them."""

    def __init__(self, db: TinyDB, account: str) -> None:
        self.profiles = db.table(f"{account}/profiles", cache_size=0)
        self.events = db.table(f"{account}/events", cache_size=0)
        self.metrics = db.table(f"{account}/metrics", cache_size=0)
        self.evidence = db.table(f"{account}/evidence", cache_size=0)
        self.lists = db.table(f"{account}/lists", cache_size=0)
        self.memberships = db.table(f"{account}/memberships", cache_size=0)
        #: Every other type's records, and the links between resources.
        self.records = Records(db, account)
        self.list_docs: dict[str, int] = {}
        #: (list, profile) -> membership document, in the order members joined each list
        self.members: dict[str, dict[str, int]] = {}
        self.profile_lists: dict[str, set[str]] = {}
        self.profile_docs: dict[str, int] = {}
        self.identifiers: dict[IdentifierKind, dict[str, str]] = {k: {} for k in IdentifierKind}
        #: identifier values profiles held before, to the ids of those profiles
        self.former: dict[IdentifierKind, dict[str, set[str]]] = {k: {} for k in IdentifierKind}
        #: Metrics by name: values, never changed once made, so kept whole rather than read.
        self.metric_named: dict[str, Metric] = {}
        self.metric_ids: set[str] = set()
        self.event_keys: set[tuple[str, str, str]] = set()
        self.event_docs: dict[str, int] = {}
        #: profile id -> the time of its latest event (``last_event_date``)
        self.last_event: dict[str, int] = {}
        self.profile_events: dict[str, list[int]] = {}
        self.metric_events: dict[str, list[int]] = {}
        self._index()

    @property
    def tables(self) -> tuple[Table, ...]:
        return (
            self.profiles,
            self.events,
            self.metrics,
            self.evidence,
            self.lists,
            self.memberships,
            *self.records.tables,
        )

    def indexes(self) -> list[Any]:
        return [
            *self.records.indexes(),
            self.profile_docs,
            *self.identifiers.values(),
            *self.former.values(),
            self.metric_named,
            self.metric_ids,
            self.event_keys,
            self.event_docs,
            self.last_event,
            self.profile_events,
            self.metric_events,
            self.list_docs,
            *self.members.values(),
            self.members,
            self.profile_lists,
        ]

    def _index(self) -> None:
        """Build the indexes from loaded documents, which must read as the domain's values."""
        for doc in self.profiles:
            profile = Profile.from_document(doc)
            self.profile_docs[profile.id] = doc.doc_id
            for kind, value in profile.identifiers.items():
                self.identifiers[kind][value] = profile.id
            for kind, values in profile.former.items():
                for value in values:
                    self.former[kind].setdefault(value, set()).add(profile.id)
        for doc in self.metrics:
            metric = Metric.from_document(doc)
            self.metric_named[metric.name] = metric
            self.metric_ids.add(metric.id)
        for doc in self.events:
            event = Event.from_document(doc)
            self.event_keys.add((event.profile_id, event.metric_id, event.unique_key))
            self.event_docs[event.id] = doc.doc_id
            if event.timestamp > self.last_event.get(event.profile_id, event.timestamp - 1):
                self.last_event[event.profile_id] = event.timestamp
            self.profile_events.setdefault(event.profile_id, []).append(doc.doc_id)
            self.metric_events.setdefault(event.metric_id, []).append(doc.doc_id)
        for doc in self.evidence:
            Evidence.from_document(doc)
        for doc in self.lists:
            self.list_docs[ListRecord.from_document(doc).id] = doc.doc_id
        for doc in self.memberships:
            membership = Membership.from_document(doc)
            self.members.setdefault(membership.list_id, {})[membership.profile_id] = doc.doc_id
            self.profile_lists.setdefault(membership.profile_id, set()).add(membership.list_id)


def read(table: Table, doc_id: int | None) -> JSONDict | None:
    """A copy of one stored document, or None. (One copy: TinyDB's ``get`` would make another.)"""
    doc = None if doc_id is None else raw_one(table, doc_id)
    return None if doc is None else json_copy(doc)
