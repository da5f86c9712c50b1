"""Generic, stateful resources: every resource type of today's API that has no hand-written
rules (campaigns, templates, flows, catalogs, coupons, tags, webhooks…) is created, read back,
listed, updated, deleted and linked here, the same way for all of them.

What a type looks like comes from the spec: its attributes (what is stored is shaped to the
attributes its answers show, so that every answer is one the document allows), its
relationships (a link made from either side shows on both, through the relationship that names
it back), and the shape of its ids. A family with rules for a type registers them once for the
app (``Klaviyo.registry``, a ``Registry``): how its ids are made, and what a create or an update
does beyond the generic (a campaign starts as a draft). ``Resources`` is one account's
(``Backend.resources``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from .. import spec as spec_module
from ..spec import Fill
from ..spec import Relationship
from ..spec import ResourceType
from .accounts import Account
from .commands import InvalidAttribute
from .commands import NotFound
from .listing import Item
from .listing import Linkage
from .listing import Source
from .models import json_copy
from .ports import IdShape
from .ports import Records
from .ports import iso_seconds
from .sources import GenericSource

if TYPE_CHECKING:
    from .backend import Backend

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

    - ``make_id(backend, attributes)``: the new resource's id (a catalog item's comes from its
      ``external_id``); None: an id of the type's shape.
    - ``on_create(backend, record_id, attributes)``: the attributes to store, given those the
      call sent (set what Klaviyo sets: a new campaign is a draft); may raise
      :class:`InvalidAttribute`.
    - ``on_update(backend, record_id, current, attributes)``: likewise for an update (the
      merged attributes).
    - ``on_delete(backend, record_id)``: what goes with the resource (a coupon's codes).
    """

    make_id: Callable[[Backend, Attributes], str | None] | None = None
    on_create: Callable[[Backend, str, Attributes], Attributes] | None = None
    on_update: Callable[[Backend, str, Mapping[str, Any], Attributes], Attributes] | None = None
    on_delete: Callable[[Backend, str], None] | None = None


@dataclass
class _Stamps:
    now: str
    fill: Fill = field(init=False)

    def __post_init__(self) -> None:
        self.fill = Fill(self.now)


#: How a family's source of a type is made for an account's backend.
SourceFactory = Callable[["Backend"], Source]


@dataclass
class Registry:
    """What the families register, once for the app (``Klaviyo.registry``): their rules by
    type, the relationships they keep themselves (list memberships, an event's profile: never
    stored as generic links; (type, relationship) pairs), and how the types they read
    themselves are read (every other type is generic)."""

    rules: dict[str, Rules] = field(default_factory=dict)
    owned: set[tuple[str, str]] = field(default_factory=set)
    sources: dict[str, SourceFactory] = field(default_factory=dict)


class Resources:
    """The generic resources of one account (``Backend.resources``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend
        self.spec = spec_module.load()
        #: The app's registry, shared by every account's resources (read, never written here).
        self.registry = backend.klaviyo.registry
        self._factories = self.registry.sources
        self._sources: dict[str, Source] = {}

    @property
    def account(self) -> Account:
        return self._b.account

    def locked(self) -> AbstractContextManager[object]:
        """The store's lock (``Store.locked``), for a read-decide-write sequence."""
        return self._b.store.locked()

    def records(self) -> Records:
        return self._b.records

    def source(self, kind: str) -> Source:
        """The source a type is read through (a family's, or the generic one)."""
        found = self._sources.get(kind)
        if found is None:
            factory = self._factories.get(kind)
            found = GenericSource(self, kind) if factory is None else factory(self._b)
            self._sources[kind] = found
        return found

    def type(self, kind: str) -> ResourceType:
        found = self.spec.types.get(kind)
        if found is None:
            raise NotFound(f"No resource type {kind!r}.")
        return found

    def included(
        self, kind: str, items: Sequence[Item], names: Sequence[str]
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
                    linked = source.linked(item.id, name)
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
            for item in self.source(target).items(list(ids))
        }
        return linkages, [(key[0], found[key]) for key in order if key in found]

    def target_of(self, job_type: str) -> str:
        """The type a bulk job acts on (the type its one relationship links)."""
        return next(iter(self.type(job_type).relationships.values())).types[0]

    def exists(self, kind: str, record_id: str) -> bool:
        if kind in self._factories:
            source = self.source(kind)
            if type(source) is not GenericSource:
                return bool(source.items([record_id]))
        return self.records().has(kind, record_id)

    def _now(self) -> _Stamps:
        return _Stamps(iso_seconds(self._b.clock()))

    # -- writes -----------------------------------------------------------------------------

    def create(
        self,
        kind: str,
        attributes: Attributes,
        relationships: Linking | None = None,
        *,
        record_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Item:
        """Make a resource of ``kind`` from the attributes and relationships a body gives."""
        resource = self.type(kind)
        rules = self.registry.rules.get(kind, Rules())
        with self.locked():
            stamps = self._now()
            given = json_copy(attributes)
            records = self.records()
            if record_id is None and rules.make_id is not None:
                record_id = rules.make_id(self._b, given)
            if record_id is None:
                record_id = self._new_id(records, resource)
            elif records.has(kind, record_id):
                raise Conflict(f"A {kind} with id {record_id} already exists.")
            if rules.on_create is not None:
                given = rules.on_create(self._b, record_id, given)
            links = self._checked(resource, relationships or {})
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
        rules = self.registry.rules.get(kind, Rules())
        with self.locked():
            records = self.records()
            current = records.get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            stamps = self._now()
            merged = {**json_copy(current["attributes"]), **json_copy(attributes)}
            if rules.on_update is not None:
                merged = rules.on_update(self._b, record_id, current, merged)
            links = self._checked(resource, relationships or {})
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

    def set_extra(self, kind: str, record_id: str, extra: Mapping[str, Any]) -> None:
        """Change what the mock keeps beside a resource's attributes (its ``extra``)."""
        with self.locked():
            records = self.records()
            current = records.get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            records.put(kind, {**current, "extra": {**current.get("extra", {}), **extra}})

    def extra(self, kind: str, record_id: str) -> Mapping[str, Any]:
        with self.locked():
            current = self.records().get(kind, record_id)
            if current is None:
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            extra: Mapping[str, Any] = json_copy(current.get("extra", {}))
            return extra

    def delete(self, kind: str, record_id: str) -> None:
        """Delete a resource and every link to it (both sides)."""
        rules = self.registry.rules.get(kind, Rules())
        with self.locked():
            records = self.records()
            if not records.has(kind, record_id):
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            if rules.on_delete is not None:
                rules.on_delete(self._b, record_id)
            self.forget(kind, record_id)
            records.remove(kind, record_id)

    def forget(self, kind: str, record_id: str) -> None:
        """Drop the generic links of a resource that is going (a family's too: a list, a
        profile), on both sides."""
        resource = self.spec.types.get(kind)
        if resource is None:
            return
        with self.locked():
            records = self.records()
            for name in records.relationships_of(kind, record_id):
                if name in resource.relationships:
                    self._set(records, resource, record_id, name, ())
                else:
                    records.set_linked(kind, record_id, name, ())

    def repoint(self, kind: str, source: str, target: str) -> None:
        """Give ``target`` the generic links of ``source`` (a profile merge)."""
        resource = self.spec.types.get(kind)
        if resource is None:
            return
        with self.locked():
            records = self.records()
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

    def link(self, kind: str, record_id: str, name: str, ids: Sequence[str], how: str) -> None:
        """``how``: "add", "replace" or "remove" the ids in ``record_id``'s ``name``."""
        resource = self.type(kind)
        with self.locked():
            if not self.exists(kind, record_id):
                raise NotFound(f"A {kind} with id {record_id} does not exist.")
            checked = self._checked(resource, {name: list(ids)})[name]
            records = self.records()
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
        return self._fresh_ids(records, resource.name, 1)[0]

    def new_ids(self, kind: str, count: int, shape: IdShape | None = None) -> list[str]:
        """Ids for ``count`` new resources of a type, none of them taken, in its shape or the
        one given (a family that links resources before it makes them reserves ids here)."""
        return self._fresh_ids(self.records(), kind, count, shape)

    def _fresh_ids(
        self, records: Records, kind: str, count: int, shape: IdShape | None = None
    ) -> list[str]:
        if shape is None:
            example = self.type(kind).id_example
            shape = IdShape.SHORT if kind in SHORT_IDS else IdShape.of(example)
        found: list[str] = []
        number = records.next_seq(kind)
        while len(found) < count:
            candidate = self._b.ids.shaped(shape, number)
            number += 1
            if candidate not in found and not records.has(kind, candidate):
                found.append(candidate)
        return found

    def _shape(self, resource: ResourceType, attributes: Attributes, stamps: _Stamps) -> Attributes:
        shaped: Attributes = self.spec.attributes_shaper(resource.name)(attributes, stamps.fill)
        return shaped

    def _checked(self, resource: ResourceType, relationships: Linking) -> dict[str, list[str]]:
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
                if not self.exists(target, related):
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
        if (target, relationship.inverse) in self.registry.owned:
            return None
        back = self.spec.types[target].relationships.get(relationship.inverse)
        return None if back is None else (target, back)

    def _item(self, records: Records, kind: str, record_id: str) -> Item:
        record = records.get(kind, record_id)
        assert record is not None
        return Item(record_id, record["attributes"])


def dump(records: Records) -> dict[str, list[dict[str, Any]]]:
    """Every generic resource of an account's records, by type, with its links (the admin
    API's state dump; the caller holds the store's lock)."""
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


def unchanged(names: Sequence[str], current: Mapping[str, Any], merged: Attributes) -> Attributes:
    """An update's attributes, refusing a change of ``names`` (the attributes the id is made
    of: the update bodies do not take them, *chosen* 400 rather than an id that no longer
    matches), and keeping ``created`` as it was (*chosen*: a stamp, not the caller's)."""
    before = current["attributes"]
    for name in names:
        if name in before and merged.get(name) != before[name]:
            raise InvalidAttribute(name, f"{name} makes the id: it cannot change.")
    if "created" in before:
        merged["created"] = before["created"]
    return merged


class Conflict(ValueError):
    """A resource with that id exists already (409)."""
