"""Generic, stateful resources: every resource type of today's API that has no hand-written
rules (campaigns, templates, flows, catalogs, coupons, tags, webhooks…) is created, read back,
listed, updated, deleted and linked here, the same way for all of them.

What a type looks like comes from the spec: its attributes (what is stored is shaped to the
attributes its answers show, so that every answer is one the document allows), its
relationships (a link made from either side shows on both, through the relationship that names
it back), and the shape of its ids. A family with rules for a type registers them here
(``Resources.rules``): how its ids are made, and what a create or an update does beyond the
generic (a campaign starts as a draft).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from .. import spec as spec_module
from ..spec import Fill
from ..spec import Relationship
from ..spec import ResourceType
from .accounts import Account
from .commands import InvalidAttribute
from .commands import NotFound
from .filters import Compare
from .filters import Filter
from .filters import Logic
from .filters import equal_values
from .listing import Item
from .listing import Linkage
from .listing import ListQuery
from .listing import Page
from .listing import Source
from .listing import select
from .models import json_copy
from .ports import IdShape
from .ports import Record
from .ports import Records
from .ports import iso_seconds

if TYPE_CHECKING:
    from .service import Klaviyo

#: Attributes the mock stamps: when a resource was made, and last changed.
CREATED = ("created", "created_at", "datetime")
UPDATED = ("updated", "updated_at")
#: Types whose document gives no example id, whose ids Klaviyo makes six characters long, as it
#: does for lists and metrics (*chosen*, from ids seen in Klaviyo's own answers and docs).
SHORT_IDS = frozenset({"flow", "template", "segment"})

Attributes = dict[str, Any]
#: A relationship as a body gives it: ids (to many), one id, or None (to one, cleared).
Linking = Mapping[str, Sequence[str] | str | None]


@dataclass
class Rules:
    """What a family adds to a generic type. Each hook runs under the store's lock.

    - ``make_id(account, attributes)``: the new resource's id (a catalog item's comes from its
      ``external_id``); None: an id of the type's shape.
    - ``on_create(account, record_id, attributes)``: the attributes to store, given those the
      call sent (set what Klaviyo sets: a new campaign is a draft); may raise
      :class:`InvalidAttribute`.
    - ``on_update(account, record_id, current, attributes)``: likewise for an update (the
      merged attributes).
    - ``on_delete(account, record_id)``: what goes with the resource (a coupon's codes).
    """

    make_id: Callable[[Account, Attributes], str | None] | None = None
    on_create: Callable[[Account, str, Attributes], Attributes] | None = None
    on_update: Callable[[Account, str, Mapping[str, Any], Attributes], Attributes] | None = None
    on_delete: Callable[[Account, str], None] | None = None


@dataclass
class _Stamps:
    now: str
    fill: Fill = field(init=False)

    def __post_init__(self) -> None:
        self.fill = Fill(self.now)


class Resources:
    """The generic resources of every account (``Klaviyo.resources``)."""

    def __init__(self, klaviyo: Klaviyo) -> None:
        self._k = klaviyo
        self.spec = spec_module.load()
        self.rules: dict[str, Rules] = {}
        #: Relationships a family keeps itself (list memberships, an event's profile): never
        #: stored as generic links. (type, relationship) pairs.
        self.owned: set[tuple[str, str]] = set()
        #: The sources of the types a family reads itself; every other type is generic.
        self.sources: dict[str, Source] = {}

    def records(self, account: Account) -> Records:
        return self._k.store.records(account.id)

    def source(self, kind: str) -> Source:
        """The source a type is read through."""
        found = self.sources.get(kind)
        if found is None:
            found = self.sources[kind] = GenericSource(self, kind)
        return found

    def type(self, kind: str) -> ResourceType:
        found = self.spec.types.get(kind)
        if found is None:
            raise NotFound(f"No resource type {kind!r}.")
        return found

    def included(
        self, account: Account, kind: str, items: Sequence[Item], names: Sequence[str]
    ) -> tuple[dict[str, dict[str, Linkage]], list[tuple[str, Item]]]:
        """What ``include`` asks for ``items`` of ``kind``: each item's linkage of each named
        relationship, and the related items themselves (type and item), each once, in the
        order the items name them."""
        if not names:
            return {}, []
        resource = self.type(kind)
        source = self.source(kind)
        linkages: dict[str, dict[str, Linkage]] = {}
        wanted: dict[str, dict[str, None]] = {}
        order: dict[tuple[str, str], None] = {}
        for item in items:
            for name in names:
                if name in item.relationships:
                    linked = item.relationships[name]
                else:
                    linked = source.linked(account, item.id, name)
                linkages.setdefault(item.id, {})[name] = linked
                relationship = resource.relationships.get(name)
                if relationship is None:
                    continue
                ids = linked if isinstance(linked, tuple) else (linked,) if linked else ()
                target = relationship.types[0]
                wanted.setdefault(target, {}).update(dict.fromkeys(ids))
                order.update(dict.fromkeys((target, i) for i in ids))
        found = {
            (target, item.id): item
            for target, ids in wanted.items()
            if ids
            for item in self.source(target).items(account, list(ids))
        }
        return linkages, [(key[0], found[key]) for key in order if key in found]

    def dump(self, account_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every generic resource of an account, by type, with its links (the admin API's
        state dump)."""
        with self._k.store.locked():
            records = self._k.store.records(account_id)
            found: dict[str, list[dict[str, Any]]] = {}
            for kind in sorted(records.types()):
                found[kind] = [
                    {
                        "id": record["id"],
                        "attributes": json_copy(record["attributes"]),
                        "relationships": {
                            name: list(records.linked(kind, str(record["id"]), name))
                            for name in records.relationships_of(kind, str(record["id"]))
                        },
                        "created": record["created"],
                        "updated": record["updated"],
                    }
                    for record in records.scan(kind)
                ]
            return found

    def target_of(self, job_type: str) -> str:
        """The type a bulk job acts on (the type its one relationship links)."""
        return next(iter(self.type(job_type).relationships.values())).types[0]

    def exists(self, account: Account, kind: str, record_id: str) -> bool:
        source = self.sources.get(kind)
        if source is not None and type(source) is not GenericSource:
            return bool(source.items(account, [record_id]))
        return self.records(account).has(kind, record_id)

    def _now(self) -> _Stamps:
        return _Stamps(iso_seconds(self._k.clock()))

    # -- writes -----------------------------------------------------------------------------

    def create(
        self,
        account: Account,
        kind: str,
        attributes: Attributes,
        relationships: Linking | None = None,
        *,
        record_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Item:
        """Make a resource of ``kind`` from the attributes and relationships a body gives."""
        resource = self.type(kind)
        rules = self.rules.get(kind, Rules())
        with self._k.store.locked():
            stamps = self._now()
            given = json_copy(attributes)
            records = self.records(account)
            if record_id is None and rules.make_id is not None:
                record_id = rules.make_id(account, given)
            if record_id is None:
                record_id = self._new_id(records, resource)
            elif records.has(kind, record_id):
                raise Conflict(f"A {kind} with id {record_id} already exists.")
            if rules.on_create is not None:
                given = rules.on_create(account, record_id, given)
            links = self._checked(account, resource, relationships or {})
            for name in CREATED + UPDATED:
                given.setdefault(name, stamps.now)
            shaped = self._shape(resource, given, stamps)
            records.put(
                kind,
                {
                    "id": record_id,
                    "created": stamps.now,
                    "updated": stamps.now,
                    "attributes": shaped,
                    "extra": dict(extra or {}),
                },
            )
            for name, ids in links.items():
                self._set(records, resource, record_id, name, ids)
            return self._item(records, kind, record_id)

    def update(
        self,
        account: Account,
        kind: str,
        record_id: str,
        attributes: Attributes,
        relationships: Linking | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
    ) -> Item:
        """Change the attributes a body gives (the others stay) and the relationships it
        names; an attribute given as null is cleared where the type allows null."""
        resource = self.type(kind)
        rules = self.rules.get(kind, Rules())
        with self._k.store.locked():
            records = self.records(account)
            current = records.get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            stamps = self._now()
            merged = {**json_copy(current["attributes"]), **json_copy(attributes)}
            if rules.on_update is not None:
                merged = rules.on_update(account, record_id, current, merged)
            links = self._checked(account, resource, relationships or {})
            for name in UPDATED:
                if name in merged:
                    merged[name] = stamps.now
            record = {
                **current,
                "updated": stamps.now,
                "attributes": self._shape(resource, merged, stamps),
                "extra": {**current.get("extra", {}), **(extra or {})},
            }
            records.put(kind, record)
            for name, ids in links.items():
                self._set(records, resource, record_id, name, ids)
            return self._item(records, kind, record_id)

    def set_extra(
        self, account: Account, kind: str, record_id: str, extra: Mapping[str, Any]
    ) -> None:
        """Change what the mock keeps beside a resource's attributes (its ``extra``)."""
        with self._k.store.locked():
            records = self.records(account)
            current = records.get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            records.put(kind, {**current, "extra": {**current.get("extra", {}), **extra}})

    def extra(self, account: Account, kind: str, record_id: str) -> Mapping[str, Any]:
        with self._k.store.locked():
            current = self.records(account).get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            extra: Mapping[str, Any] = json_copy(current.get("extra", {}))
            return extra

    def delete(self, account: Account, kind: str, record_id: str) -> None:
        """Delete a resource and every link to it (both sides)."""
        rules = self.rules.get(kind, Rules())
        with self._k.store.locked():
            records = self.records(account)
            if not records.has(kind, record_id):
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            if rules.on_delete is not None:
                rules.on_delete(account, record_id)
            self.forget(account, kind, record_id)
            records.remove(kind, record_id)

    def forget(self, account: Account, kind: str, record_id: str) -> None:
        """Drop the generic links of a resource that is going (a family's too: a list, a
        profile), on both sides."""
        resource = self.spec.types.get(kind)
        if resource is None:
            return
        with self._k.store.locked():
            records = self.records(account)
            for name in records.relationships_of(kind, record_id):
                if name in resource.relationships:
                    self._set(records, resource, record_id, name, ())
                else:
                    records.set_linked(kind, record_id, name, ())

    def repoint(self, account: Account, kind: str, source: str, target: str) -> None:
        """Give ``target`` the generic links of ``source`` (a profile merge)."""
        resource = self.spec.types.get(kind)
        if resource is None:
            return
        with self._k.store.locked():
            records = self.records(account)
            for name in records.relationships_of(kind, source):
                moved = records.linked(kind, source, name)
                self._set(records, resource, source, name, ())
                relationship = resource.relationships.get(name)
                if relationship is None:
                    continue
                have = records.linked(kind, target, name)
                ids = [*have, *(i for i in moved if i not in have)]
                self._set(
                    records, resource, target, name, ids[-1:] if not relationship.many else ids
                )

    def link(
        self, account: Account, kind: str, record_id: str, name: str, ids: Sequence[str], how: str
    ) -> None:
        """``how``: "add", "replace" or "remove" the ids in ``record_id``'s ``name``."""
        resource = self.type(kind)
        with self._k.store.locked():
            if not self.exists(account, kind, record_id):
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            checked = self._checked(account, resource, {name: list(ids)})[name]
            records = self.records(account)
            have = records.linked(kind, record_id, name)
            if how == "add":
                wanted = [*have, *(i for i in checked if i not in have)]
            elif how == "remove":
                wanted = [i for i in have if i not in checked]
            else:
                wanted = list(dict.fromkeys(checked))
            relationship = resource.relationships[name]
            if not relationship.many:
                wanted = wanted[-1:]
            self._set(records, resource, record_id, name, wanted)

    # -- helpers ----------------------------------------------------------------------------

    def _new_id(self, records: Records, resource: ResourceType) -> str:
        shape = IdShape.SHORT if resource.name in SHORT_IDS else IdShape.of(resource.id_example)
        while True:
            record_id = self._k.ids.shaped(shape, records.next_seq(resource.name))
            if not records.has(resource.name, record_id):
                return record_id

    def _shape(self, resource: ResourceType, attributes: Attributes, stamps: _Stamps) -> Attributes:
        shaped: Attributes = self.spec.attributes_shaper(resource.name)(attributes, stamps.fill)
        return shaped

    def _checked(
        self, account: Account, resource: ResourceType, relationships: Linking
    ) -> dict[str, list[str]]:
        """The relationships a body gives, as lists of ids, each naming a resource that
        exists (a :class:`NotFound` otherwise)."""
        checked: dict[str, list[str]] = {}
        for name, given in relationships.items():
            relationship = resource.relationships.get(name)
            if relationship is None:
                raise InvalidAttribute(
                    f"relationships/{name}",
                    f"A {resource.name} has no relationship {name!r}.",
                )
            ids = [] if given is None else [given] if isinstance(given, str) else list(given)
            target = relationship.types[0]
            for related in ids:
                if not self.exists(account, target, related):
                    raise NotFound(f"A {target} with id {related} does not exist.")
            checked[name] = ids
        return checked

    def _set(
        self,
        records: Records,
        resource: ResourceType,
        record_id: str,
        name: str,
        ids: Sequence[str],
    ) -> None:
        """Make ``record_id``'s ``name`` link exactly ``ids``, and the other side agree."""
        relationship = resource.relationships[name]
        old = records.linked(resource.name, record_id, name)
        records.set_linked(resource.name, record_id, name, ids)
        inverse = self._inverse(relationship)
        if inverse is None:
            return
        target, back = inverse
        kept = set(ids)
        for gone in old:
            if gone not in kept:
                others = [i for i in records.linked(target, gone, back.name) if i != record_id]
                records.set_linked(target, gone, back.name, others)
        for added in ids:
            if added in old:
                continue
            have = records.linked(target, added, back.name)
            if back.many:
                if record_id not in have:
                    records.set_linked(target, added, back.name, [*have, record_id])
                continue
            for previous in have:  # to one: the other side's previous link lets go of it
                if previous != record_id:
                    rest = [i for i in records.linked(resource.name, previous, name) if i != added]
                    records.set_linked(resource.name, previous, name, rest)
            records.set_linked(target, added, back.name, [record_id])

    def _inverse(self, relationship: Relationship) -> tuple[str, Relationship] | None:
        if relationship.inverse is None:
            return None
        target = relationship.types[0]
        if (target, relationship.inverse) in self.owned:
            return None
        back = self.spec.types[target].relationships.get(relationship.inverse)
        return None if back is None else (target, back)

    def _item(self, records: Records, kind: str, record_id: str) -> Item:
        record = records.get(kind, record_id)
        assert record is not None
        return Item(record_id, record["attributes"])


class Conflict(ValueError):
    """A resource with that id exists already (409)."""


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

    def items(
        self, account: Account, ids: Sequence[str], additional: frozenset[str] = frozenset()
    ) -> list[Item]:
        with self._resources._k.store.locked():
            records = self._resources.records(account)
            found = []
            for record_id in ids:
                record = records.get(self.kind, record_id)
                if record is not None:
                    found.append(Item(record_id, record["attributes"]))
            return found

    def page(
        self, account: Account, query: ListQuery, additional: frozenset[str] = frozenset()
    ) -> Page:
        resource = self.resource
        with self._resources._k.store.locked():
            records = self._resources.records(account)
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
        if relationship is not None and rest == "id" and relationship.inverse is not None:
            target = relationship.types[0]
            if (target, relationship.inverse) in self._resources.owned:
                return None
            return [i for v in values for i in records.linked(target, str(v), relationship.inverse)]
        return None

    def linked(self, account: Account, item_id: str, relationship: str) -> Linkage:
        resource = self.resource
        with self._resources._k.store.locked():
            records = self._resources.records(account)
            if not records.has(self.kind, item_id):
                raise NotFound(f"A {self.kind} with id {item_id} does not exist.")
            return linkage(self._resources, account, resource, item_id, relationship)


def linkage(
    resources: Resources, account: Account, resource: ResourceType, item_id: str, name: str
) -> Linkage:
    """A relationship's linkage from the generic links, without ids whose resource is gone."""
    relationship = resource.relationships[name]
    records = resources.records(account)
    target = relationship.types[0]
    ids = tuple(
        i
        for i in records.linked(resource.name, item_id, name)
        if resources.exists(account, target, i)
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


def expires(moment: str, days: int) -> str:
    """``moment`` plus ``days`` (a job's ``expires_at``)."""
    parsed = spec_module.parse_moment(moment)
    assert parsed is not None
    return spec_module.iso(parsed + timedelta(days=days))


Seed = Callable[[Account], Sequence[tuple[str, Attributes]]]


class SeededSource(GenericSource):
    """A generic type whose resources Klaviyo makes itself (webhook topics, tracking settings,
    mapped metrics): ``seed(account)`` gives each one's id and attributes, and they are stored
    the first time the account reads the type; afterwards they are generic records (an update
    changes them, a reset drops them)."""

    def __init__(self, resources: Resources, kind: str, seed: Seed) -> None:
        super().__init__(resources, kind)
        self._seed = seed

    def _ensure(self, account: Account) -> None:
        """Seed the account's resources of this type that it does not have (their ids are
        the same on every call: a seed that was deleted, where the type allows it, comes
        back)."""
        with self._resources._k.store.locked():
            records = self._resources.records(account)
            for record_id, attributes in self._seed(account):
                if not records.has(self.kind, record_id):
                    self._resources.create(account, self.kind, attributes, record_id=record_id)

    def items(
        self, account: Account, ids: Sequence[str], additional: frozenset[str] = frozenset()
    ) -> list[Item]:
        self._ensure(account)
        return super().items(account, ids, additional)

    def page(
        self, account: Account, query: ListQuery, additional: frozenset[str] = frozenset()
    ) -> Page:
        self._ensure(account)
        return super().page(account, query, additional)

    def linked(self, account: Account, item_id: str, relationship: str) -> Linkage:
        self._ensure(account)
        return super().linked(account, item_id, relationship)
