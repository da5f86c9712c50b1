"""How custom object types are read (``listing.Source``): from the generic records, with the
relationships the family keeps itself (schema versions, a schema's mapping, relationships
between schemas, a type's records and logs) and the resources the document shows for a
relationship between schemas: an ``object-type``, ``object-schema``, ``profile-object-type``
or ``profile-object-schema`` whose id is ``{other}:::{name}`` and whose only attribute is the
relationship's ``meta``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.ports import Record
from ...domain.sources import GenericSource
from .checks import PROFILE
from .checks import Relation
from .ingestion import LOG
from .ingestion import open_family
from .schemas import SCHEMA
from .schemas import SEPARATOR
from .schemas import TYPE
from .schemas import Objects
from .schemas import compound


def schema_links(objects: Objects, schema_id: str, name: str) -> tuple[str, ...]:
    """``object-schemas`` or ``profile-object-schemas`` of a schema."""
    shown = []
    for relation in objects.relations(schema_id):
        other = relation.other(schema_id)
        if (other == PROFILE) == (name == "profile-object-schemas"):
            shown.append(compound(other, relation.name))
    return tuple(shown)


def type_links(objects: Objects, type_id: str, name: str) -> tuple[str, ...]:
    """``object-types`` or ``profile-object-types`` of a type."""
    schema_id = objects.effective(type_id)
    if schema_id is None:
        return ()
    shown = []
    for relation in objects.relations(schema_id):
        other = relation.other(schema_id)
        if other == PROFILE:
            if name == "profile-object-types":
                shown.append(compound(PROFILE, relation.name))
        elif name == "object-types":
            shown.append(compound(objects.type_of(other), relation.name))
    return tuple(shown)


def relation_named(objects: Objects, kind: str, item_id: str) -> Relation | None:
    """The relationship a compound id names (``{other}:::{name}``): the first one with that
    name whose other end is that schema, that type's schema, or the profile."""
    left, _, name = item_id.partition(SEPARATOR)
    for relation in objects.all_relations():
        if relation.name != name:
            continue
        ends = (relation.schema, relation.related)
        if left == PROFILE and PROFILE in ends:
            return relation
        if kind == SCHEMA and left in ends:
            return relation
        if kind == TYPE and any(end != PROFILE and objects.type_of(end) == left for end in ends):
            return relation
    return None


def log_item(row: Record) -> Item:
    """An ingestion log entry, with its type and (when it had one) its record."""
    extra = row.get("extra") or {}
    return Item(
        str(row["id"]),
        row["attributes"],
        {"object-type": extra.get("object_type"), "object-record": extra.get("object_record")},
    )


class _Relating(GenericSource):
    """A generic type whose compound ids name relationships between schemas."""

    def __init__(self, backend: Backend, kind: str) -> None:
        super().__init__(backend.resources, kind)
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        objects = open_family(self._b).objects
        found = []
        with objects.locked():
            for item_id in ids:
                if SEPARATOR in item_id:
                    relation = relation_named(objects, self.kind, item_id)
                    if relation is not None:
                        found.append(Item(item_id, {"meta": relation.meta()}))
                    continue
                found.extend(self._shown(item) for item in super().items([item_id]))
        return found

    def _shown(self, item: Item) -> Item:
        return item


class ObjectTypeSource(_Relating):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend, TYPE)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        family = open_family(self._b)
        objects = family.objects
        with objects.locked():
            state = objects.state(item_id)
            if relationship == "current-schema":
                return state.current
            if relationship == "draft-schema":
                return state.draft
            if relationship == "schema-versions":
                return tuple(state.versions)
            if relationship == "object-records":
                return tuple(str(r["id"]) for r in family.records_of(item_id))
            if relationship == "object-ingestion-logs":
                rows = family.logs_of(item_id)
                return tuple(str(r["id"]) for r in reversed(rows))
            return type_links(objects, item_id, relationship)


class ObjectSchemaSource(_Relating):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend, SCHEMA)

    def _shown(self, item: Item) -> Item:
        """A schema shows its type's title, description and visibility."""
        objects = open_family(self._b).objects
        type_id = objects.type_of(item.id)
        shown = objects.get(TYPE, type_id)["attributes"]
        attributes: dict[str, Any] = {
            **item.attributes,
            "title": shown["title"],
            "description": shown["description"],
            "visibility": objects.state(type_id).visibility,
        }
        return Item(item.id, attributes)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        objects = open_family(self._b).objects
        with objects.locked():
            if relationship == "source-mapping":
                return objects.mapping_of(item_id)
            objects.get(SCHEMA, item_id)
            return schema_links(objects, item_id, relationship)


class ProfileRelationSource(_Relating):
    """``profile-object-type`` and ``profile-object-schema``: only relationships (the profile
    schema "does not exist as a persisted resource")."""

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        return Page([])

    def linked(self, item_id: str, relationship: str) -> Linkage:
        raise NotFound(f"A {self.kind} has no relationship {relationship!r}.")


class LogSource(GenericSource):
    """Ingestion log entries, with their type and record."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend.resources, LOG)
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        with self._b.store.locked():
            records = self._b.records
            return [log_item(row) for i in ids if (row := records.get(LOG, i)) is not None]

    def linked(self, item_id: str, relationship: str) -> Linkage:
        found = self.items([item_id])
        if not found:
            raise NotFound(f"No ingestion log entry has the id {item_id}.")
        return found[0].relationships.get(relationship)
