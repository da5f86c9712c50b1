"""One account's generic resources (campaigns, tags, catalog items…: every type without
hand-written rules), one TinyDB table per type, and the links between resources.

A record is ``{"id", "seq", "created", "updated", "attributes", "extra"}``: ``seq`` numbers
records in the order they were made (a listing's default order and cursor), ``extra`` holds what
the domain keeps beside the attributes it shows. Indexes keep every call's cost flat as records
grow: by id, by ``seq`` (a sorted list, bisected), by attribute value (built on the first lookup
of that attribute, then kept up to date), and the links of each resource by relationship.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from .raw import raw
from .raw import raw_items
from .raw import raw_one
from .storage import replace_with

Record = Mapping[str, Any]

#: Table names: ``<account>/r/<type>`` for records, ``<account>/links`` for links.
RECORDS = "/r/"
LINKS = "/links"


def index_key(value: Any) -> Any:
    """A hashable key for an attribute value (lists as tuples, objects as sorted items)."""
    if isinstance(value, list):
        return tuple(index_key(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, index_key(v)) for k, v in value.items()))
    if isinstance(value, bool):
        return ("bool", value)  # True is not 1
    return value


class _Type:
    """One type's table and indexes."""

    __slots__ = ("by_id", "by_seq", "indexes", "seqs", "stale", "table", "top")

    def __init__(self, table: Table) -> None:
        self.table = table
        self.by_id: dict[str, int] = {}  # id -> document id
        self.by_seq: dict[int, str] = {}  # seq -> id (removed ones are gone)
        self.seqs: list[int] = []  # sorted; may hold seqs of removed records
        self.stale = 0  # how many of ``seqs`` are removed
        self.top = 0  # the highest seq given
        self.indexes: dict[str, dict[Any, set[str]]] = {}
        for doc_id, doc in raw_items(table):
            record_id, seq = str(doc["id"]), int(doc["seq"])
            self.by_id[record_id] = doc_id
            self.by_seq[seq] = record_id
            self.seqs.append(seq)
            self.top = max(self.top, seq)
        self.seqs.sort()


class Records:
    """One account's generic records and links (see the module docstring)."""

    def __init__(self, db: TinyDB, account: str) -> None:
        self._db = db
        self._account = account
        self._types: dict[str, _Type] = {}
        self._links_table = db.table(f"{account}{LINKS}", cache_size=0)
        self._links: dict[tuple[str, str, str], int] = {}
        #: (type, id) -> the relationships of that record that link to something
        self._linking: dict[tuple[str, str], set[str]] = {}
        for name in db.tables():
            if name.startswith(f"{account}{RECORDS}"):
                self._type(name[len(account) + len(RECORDS) :])
        for doc_id, doc in raw_items(self._links_table):
            self._links[(doc["type"], doc["id"], doc["rel"])] = doc_id
            self._linking.setdefault((doc["type"], doc["id"]), set()).add(doc["rel"])

    @property
    def tables(self) -> list[Table]:
        return [self._links_table, *(t.table for t in self._types.values())]

    def indexes(self) -> list[Any]:
        found: list[Any] = [self._links, self._linking]
        for kind in self._types.values():
            found.extend([kind.by_id, kind.by_seq, kind.seqs, *kind.indexes.values()])
        return found

    def types(self) -> list[str]:
        return [name for name, kind in self._types.items() if kind.by_id]

    def _type(self, name: str) -> _Type:
        found = self._types.get(name)
        if found is None:
            table = self._db.table(f"{self._account}{RECORDS}{name}", cache_size=0)
            found = self._types[name] = _Type(table)
        return found

    # -- records ----------------------------------------------------------------------------

    def get(self, kind: str, record_id: str) -> Record | None:
        """The stored record itself: read it, never change it."""
        found = self._types.get(kind)
        if found is None:
            return None
        doc_id = found.by_id.get(record_id)
        return None if doc_id is None else raw_one(found.table, doc_id)

    def has(self, kind: str, record_id: str) -> bool:
        found = self._types.get(kind)
        return found is not None and record_id in found.by_id

    def next_seq(self, kind: str) -> int:
        return self._type(kind).top + 1

    def put(self, kind: str, record: dict[str, Any]) -> None:
        """Insert ``record``, or replace the stored record with its id (keeping its ``seq``)."""
        found = self._type(kind)
        record_id = str(record["id"])
        doc_id = found.by_id.get(record_id)
        old = None if doc_id is None else raw_one(found.table, doc_id)
        if old is None:
            seq = int(record.get("seq") or found.top + 1)
            record = {**record, "seq": seq}
            doc_id = found.table.insert(record)
            found.by_id[record_id] = doc_id
            found.by_seq[seq] = record_id
            found.top = max(found.top, seq)
            if found.seqs and seq < found.seqs[-1]:
                bisect.insort(found.seqs, seq)
            else:
                found.seqs.append(seq)
        else:
            assert doc_id is not None
            record = {**record, "seq": old["seq"]}
            self._unindex(found, old)
            found.table.update(replace_with(record), doc_ids=[doc_id])
        self._index(found, record)

    def remove(self, kind: str, record_id: str) -> bool:
        found = self._types.get(kind)
        if found is None:
            return False
        doc_id = found.by_id.pop(record_id, None)
        if doc_id is None:
            return False
        old = raw_one(found.table, doc_id)
        if old is not None:
            self._unindex(found, old)
            found.by_seq.pop(int(old["seq"]), None)
            found.stale += 1
            if found.stale > 64 and found.stale * 2 > len(found.seqs):
                found.seqs = [seq for seq in found.seqs if seq in found.by_seq]
                found.stale = 0
        found.table.remove(doc_ids=[doc_id])
        return True

    def count(self, kind: str) -> int:
        found = self._types.get(kind)
        return 0 if found is None else len(found.by_id)

    def page(
        self, kind: str, after: int | None, size: int, descending: bool = False
    ) -> list[Record]:
        """Up to ``size`` records in the order they were made (or the reverse), after the one
        numbered ``after``: a bisection, then as many reads as the page holds."""
        found = self._types.get(kind)
        if found is None:
            return []
        seqs = found.seqs
        records: list[Record] = []
        if descending:
            at = len(seqs) - 1 if after is None else bisect.bisect_left(seqs, after) - 1
            step = -1
        else:
            at = 0 if after is None else bisect.bisect_right(seqs, after)
            step = 1
        while 0 <= at < len(seqs) and len(records) < size:
            record_id = found.by_seq.get(seqs[at])
            if record_id is not None:
                record = self.get(kind, record_id)
                if record is not None:
                    records.append(record)
            at += step
        return records

    def scan(self, kind: str) -> Iterable[Record]:
        """Every record of a type, uncopied (for filters no index serves)."""
        found = self._types.get(kind)
        return () if found is None else list(raw(found.table))

    def find(self, kind: str, name: str, value: Any) -> list[str]:
        """The ids of the records whose attribute ``name`` equals ``value``, through an index
        made on the first lookup of that attribute."""
        found = self._types.get(kind)
        if found is None:
            return []
        index = found.indexes.get(name)
        if index is None:
            index = found.indexes[name] = {}
            for record in raw(found.table):
                self._index_one(index, name, record)
        return sorted(index.get(index_key(value), ()), key=lambda i: self._seq_of(found, i))

    def _seq_of(self, found: _Type, record_id: str) -> int:
        doc_id = found.by_id.get(record_id)
        doc = None if doc_id is None else raw_one(found.table, doc_id)
        return int(doc["seq"]) if doc is not None else 0

    @staticmethod
    def _index_one(index: dict[Any, set[str]], name: str, record: Record) -> None:
        attributes = record.get("attributes") or {}
        if name in attributes:
            index.setdefault(index_key(attributes[name]), set()).add(str(record["id"]))

    def _index(self, found: _Type, record: Record) -> None:
        for name, index in found.indexes.items():
            self._index_one(index, name, record)

    @staticmethod
    def _unindex(found: _Type, record: Record) -> None:
        attributes = record.get("attributes") or {}
        for name, index in found.indexes.items():
            if name in attributes:
                key = index_key(attributes[name])
                ids = index.get(key)
                if ids is not None:
                    ids.discard(str(record["id"]))
                    if not ids:
                        del index[key]

    # -- links ------------------------------------------------------------------------------

    def linked(self, kind: str, record_id: str, relationship: str) -> tuple[str, ...]:
        """The ids ``record_id``'s ``relationship`` links to, in the order they were linked."""
        doc_id = self._links.get((kind, record_id, relationship))
        if doc_id is None:
            return ()
        doc = raw_one(self._links_table, doc_id)
        return () if doc is None else tuple(doc["ids"])

    def set_linked(self, kind: str, record_id: str, relationship: str, ids: Sequence[str]) -> None:
        """Make ``record_id``'s ``relationship`` link to exactly ``ids``."""
        key = (kind, record_id, relationship)
        doc_id = self._links.get(key)
        if not ids:
            if doc_id is not None:
                del self._links[key]
                linking = self._linking.get((kind, record_id))
                if linking is not None:
                    linking.discard(relationship)
                    if not linking:
                        del self._linking[(kind, record_id)]
                self._links_table.remove(doc_ids=[doc_id])
            return
        doc = {"type": kind, "id": record_id, "rel": relationship, "ids": list(ids)}
        if doc_id is None:
            self._links[key] = self._links_table.insert(doc)
            self._linking.setdefault((kind, record_id), set()).add(relationship)
        else:
            self._links_table.update(replace_with(doc), doc_ids=[doc_id])

    def relationships_of(self, kind: str, record_id: str) -> list[str]:
        """The relationships of a record that link to something."""
        return sorted(self._linking.get((kind, record_id), ()))
