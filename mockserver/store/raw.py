"""Reading TinyDB documents without TinyDB's copies: for reads that take a few fields, or that
copy what they keep themselves. The documents are the stored ones: never change them."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from tinydb.table import Table

from .storage import InPlaceTable


def raw(table: Table) -> Iterable[Mapping[str, Any]]:
    """A table's documents uncopied, for reads that take a few fields (see ``raw_documents``)."""
    return _in_place(table).raw_documents()


def raw_items(table: Table) -> Iterable[tuple[int, Mapping[str, Any]]]:
    """A table's documents with their ids, uncopied (see ``raw_documents``)."""
    return _in_place(table).raw_items()


def raw_one(table: Table, doc_id: int) -> Mapping[str, Any] | None:
    """One document uncopied (see ``raw_documents``)."""
    return _in_place(table).raw_document(doc_id)


def _in_place(table: Table) -> InPlaceTable:
    assert isinstance(table, InPlaceTable)  # storage.Database makes no other kind
    return table
