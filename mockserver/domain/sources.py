"""How generic resources are read: ``GenericSource`` lists and finds one type's stored records
(``listing.Source``), through an index where a filter fixes an id, an attribute or a
relationship, and ``SeededSource`` reads a type whose resources Klaviyo makes itself. A filter
or a sort names a field the way the document's filters do (``_field``)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from ..spec import Relationship
from ..spec import ResourceType
from .accounts import Account
from .commands import NotFound
from .filters import Compare
from .filters import Filter
from .filters import Logic
from .filters import equal_values
from .listing import Item
from .listing import Linkage
from .listing import ListQuery
from .listing import Page
from .listing import select
from .ports import Record
from .ports import Records

if TYPE_CHECKING:
    from .backend import Backend
    from .resources import Resources


def _field(records: Records, resource: ResourceType, record: Record, name: str) -> Any:
    """A field of a stored record, as a filter or a sort names it: ``id``, an attribute (a
    dotted path into an object), a relationship's ``x.id``, or an attribute of the resource a
    relationship links (``messages.channel``: the campaign messages' channel)."""
    if name in ("id", "ids"):
        return record["id"]
    attributes = record.get("attributes") or {}
    if name in attributes:
        return attributes[name]
    head, _, rest = _dotted(name).partition(".")
    if head in attributes and isinstance(attributes[head], dict):
        value: Any = attributes[head]
        for part in rest.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value
    relationship = _relationship_named(resource, head)
    if relationship is not None:
        linked = records.linked(resource.name, str(record["id"]), relationship.name)
        if rest == "id":
            return list(linked) if relationship.many else (linked[0] if linked else None)
        values = []
        for related in linked:
            other = records.get(relationship.types[0], related)
            if other is not None:
                values.append((other.get("attributes") or {}).get(rest))
        return values if relationship.many else (values[0] if values else None)
    if name in ("created", "updated"):
        return record.get(name)
    return None


def _relationship_named(resource: ResourceType, name: str) -> Relationship | None:
    """The relationship a filter field's head names: by its name, its plural, or its last word
    (``messages`` for ``campaign-messages``)."""
    for candidate in (name, f"{name}s"):
        found = resource.relationships.get(candidate)
        if found is not None:
            return found
    matches = [r for r in resource.relationships.values() if r.name.endswith(f"-{name}")]
    return matches[0] if len(matches) == 1 else None


def _dotted(name: str) -> str:
    """A filter field ``list_id`` read as ``list.id`` (the jobs' filters name relationships
    so)."""
    return f"{name[:-3]}.id" if name.endswith("_id") and "." not in name else name


class GenericSource:
    """Reads one generic type (``listing.Source``) from the stored records."""

    def __init__(self, resources: Resources, kind: str) -> None:
        self._resources = resources
        self.kind = kind

    @property
    def resource(self) -> ResourceType:
        return self._resources.type(self.kind)

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        with self._resources.locked():
            records = self._resources.records()
            found = []
            for record_id in ids:
                record = records.get(self.kind, record_id)
                if record is not None:
                    found.append(Item(record_id, record["attributes"]))
            return found

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        resource = self.resource
        with self._resources.locked():
            records = self._resources.records()
            if query.filter is None and query.sort is None:
                return self._in_order(records, query)
            candidates = self._candidates(records, resource, query.filter)
            chosen, next_key = select(
                candidates,
                query,
                lambda record, name: _field(records, resource, record, name),
                lambda record: [record["seq"]],
            )
            return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)

    def _in_order(self, records: Records, query: ListQuery) -> Page:
        """No filter, no sort: the records in the order they were made, a page at a time."""
        after = None
        if query.after is not None:
            if len(query.after) != 1 or not isinstance(query.after[0], int):
                from .paging import InvalidCursor

                raise InvalidCursor(f"Invalid page cursor: {query.after!r} is no position here.")
            after = query.after[0]
        chosen = records.page(self.kind, after, query.size + 1, query.descending)
        more = len(chosen) > query.size
        chosen = chosen[: query.size]
        next_key = [chosen[-1]["seq"]] if more and chosen else None
        return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)

    def _candidates(
        self, records: Records, resource: ResourceType, expression: Filter | None
    ) -> list[Record]:
        """The records a filter can match: through an index when it fixes an id, an attribute
        or a relationship's id; every record of the type otherwise."""
        if expression is not None:
            for name in _equality_fields(expression):
                values = equal_values(expression, name)
                if values is None:
                    continue
                ids = self._ids_where(records, resource, name, values)
                if ids is not None:
                    found = (records.get(self.kind, i) for i in dict.fromkeys(ids))
                    return [r for r in found if r is not None]
        return list(records.scan(self.kind))

    def _ids_where(
        self, records: Records, resource: ResourceType, name: str, values: list[Any]
    ) -> list[str] | None:
        if name in ("id", "ids"):
            return [str(v) for v in values]
        if name in resource.attributes.get("properties", {}):
            return [i for v in values for i in records.find(self.kind, name, v)]
        head, _, rest = _dotted(name).partition(".")
        relationship = _relationship_named(resource, head)
        if relationship is None or relationship.inverse is None:
            return None
        target = relationship.types[0]
        if (target, relationship.inverse) in self._resources.registry.owned:
            return None
        if rest == "id":  # ``category.id``: the ids given, linked back
            related = [str(v) for v in values]
        elif target in self._resources.spec.types and rest in self._resources.type(
            target
        ).attributes.get("properties", {}):  # ``messages.channel``: through the target's index
            related = [i for v in values for i in records.find(target, rest, v)]
        else:
            return None
        return [
            i
            for t in dict.fromkeys(related)
            for i in records.linked(target, t, relationship.inverse)
        ]

    def linked(self, item_id: str, relationship: str) -> Linkage:
        resource = self.resource
        with self._resources.locked():
            records = self._resources.records()
            if not records.has(self.kind, item_id):
                raise NotFound(f"A {self.kind} with id {item_id} does not exist.")
            return linkage(self._resources, resource, item_id, relationship)


def linkage(resources: Resources, resource: ResourceType, item_id: str, name: str) -> Linkage:
    """A relationship's linkage from the generic links, without ids whose resource is gone."""
    relationship = resource.relationships[name]
    records = resources.records()
    target = relationship.types[0]
    ids = tuple(
        i for i in records.linked(resource.name, item_id, name) if resources.exists(target, i)
    )
    if relationship.many:
        return ids
    return ids[0] if ids else None


def _equality_fields(expression: Filter) -> list[str]:
    if isinstance(expression, Compare) and expression.op in ("equals", "any"):
        return [expression.field]
    if isinstance(expression, Logic) and expression.op == "and":
        return [f for term in expression.terms for f in _equality_fields(term)]
    return []


Seed = Callable[[Account], Sequence[tuple[str, dict[str, Any]]]]


class SeededSource(GenericSource):
    """A generic type whose resources Klaviyo makes itself (webhook topics, tracking settings,
    mapped metrics): ``seed(account)`` gives each one's id and attributes, and they are stored
    the first time the account reads the type; afterwards they are generic records (an update
    changes them, a reset drops them)."""

    def __init__(self, resources: Resources, kind: str, seed: Seed) -> None:
        super().__init__(resources, kind)
        self._seed = seed

    def _ensure(self) -> None:
        """Seed the account's resources of this type that it does not have (their ids are
        the same on every call: a seed that was deleted, where the type allows it, comes
        back)."""
        with self._resources.locked():
            records = self._resources.records()
            for record_id, attributes in self._seed(self._resources.account):
                if not records.has(self.kind, record_id):
                    self._resources.create(self.kind, attributes, record_id=record_id)

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        self._ensure()
        return super().items(ids, additional)

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        self._ensure()
        return super().page(query, additional)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        self._ensure()
        return super().linked(item_id, relationship)


def seeded(kind: str, seed: Seed) -> Callable[[Backend], SeededSource]:
    """How a family registers a seeded type (``Registry.sources``)."""
    return lambda backend: SeededSource(backend.resources, kind, seed)
