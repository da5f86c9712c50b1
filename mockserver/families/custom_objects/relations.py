"""The relationship writes of an object schema (``POST``, ``PATCH`` and ``DELETE`` on
``/api/object-schemas/{id}/relationships/object-schemas`` and ``…/profile-object-schemas``).

A body's ``data`` names the other schema (``profile``, for the profile schema) and, in
``meta``, the relationship: its name and description when made, its ``relationship_id`` when
changed or removed. Only a draft's relationships change (a schema is only modified in draft).
Without a ``relationship_id``, an update changes the one relationship with that schema (a 400
when there are several) and a removal removes every one (*chosen*); removing what is not there
changes nothing (*chosen*), but a ``relationship_id`` that names nothing is a 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from .checks import PROFILE
from .checks import Relation
from .refusal import invalid
from .refusal import missing
from .schemas import SCHEMA
from .schemas import TYPE
from .schemas import Objects


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "related"


def default_name(objects: Objects, schema_id: str, related: str, taken: set[str]) -> str:
    """A name for a relationship made without one: the other type's title, made a name
    (*chosen*), numbered when ``taken`` has it."""
    if related == PROFILE:
        base = PROFILE
    else:
        other = objects.get(TYPE, objects.type_of(related))
        base = _slug(other["attributes"]["title"])
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    return name


class Relations:
    """One schema's relationships with other schemas (``profile``: with the profile)."""

    def __init__(self, objects: Objects, schema_id: str, profile: bool) -> None:
        self.objects = objects
        self.schema_id = schema_id
        self.profile = profile

    def add(self, entries: Sequence[Mapping[str, Any]]) -> list[Relation]:
        with self.objects.locked():
            self._draft()
            names = {relation.name for relation in self.objects.relations(self.schema_id)}
            planned: list[tuple[str, str, str | None]] = []
            for index, entry in enumerate(entries):
                at = f"/data/{index}"
                related = self._other(entry["id"], f"{at}/id")
                meta = entry.get("meta") or {}
                name = meta.get("name")
                if name is None:
                    name = default_name(self.objects, self.schema_id, related, names)
                elif not name.strip():
                    raise invalid("A relationship needs a name.", f"{at}/meta/name")
                elif name in names:
                    raise invalid(
                        f"This schema has a relationship named {name!r} already.",
                        f"{at}/meta/name",
                    )
                names.add(name)
                planned.append((related, name, meta.get("description") or ""))
            return [
                self.objects.add_relation(self.schema_id, related, name, description)
                for related, name, description in planned
            ]

    def change(self, entry: Mapping[str, Any]) -> Relation:
        with self.objects.locked():
            self._draft()
            related = self._other(entry["id"], "/data/id")
            meta = entry.get("meta") or {}
            relation = self._one(related, meta.get("relationship_id"))
            name = meta.get("name")
            if name is not None:
                if not name.strip():
                    raise invalid("A relationship needs a name.", "/data/meta/name")
                others = self.objects.relations(self.schema_id)
                if any(r.name == name and r.id != relation.id for r in others):
                    raise invalid(
                        f"This schema has a relationship named {name!r} already.",
                        "/data/meta/name",
                    )
            changed = relation._replace(
                name=relation.name if name is None else name,
                description=(
                    relation.description if meta.get("description") is None else meta["description"]
                ),
            )
            self.objects.put_relation(changed)
            return changed

    def remove(self, entries: Sequence[Mapping[str, Any]]) -> list[Relation]:
        with self.objects.locked():
            self._draft()
            gone: dict[str, Relation] = {}
            for index, entry in enumerate(entries):
                at = f"/data/{index}"
                related = self._other(entry["id"], f"{at}/id")
                chosen = (entry.get("meta") or {}).get("relationship_id")
                if chosen is not None:
                    relation = self._named(related, chosen, f"{at}/meta/relationship_id")
                    gone[relation.id] = relation
                    continue
                for relation in self._with(related):
                    gone[relation.id] = relation
            for relation in gone.values():
                self.objects.drop_relation(relation)
            return list(gone.values())

    # -- helpers ----------------------------------------------------------------------------

    def _draft(self) -> None:
        status = self.objects.get(SCHEMA, self.schema_id)["attributes"]["status"]
        if status != "draft":
            raise invalid(
                f"Only a draft schema's relationships can be changed; this one is {status}.",
                "/data",
            )

    def _other(self, given: str, pointer: str) -> str:
        """The other end a body names: an existing schema, or the profile schema."""
        if self.profile:
            if given != PROFILE:
                raise missing(f"The profile schema's id is {PROFILE!r}, not {given!r}.", pointer)
            return PROFILE
        if not self.objects.records().has(SCHEMA, given):
            raise missing(f"No object schema has the id {given}.", pointer)
        return given

    def _with(self, related: str) -> list[Relation]:
        return [
            r for r in self.objects.relations(self.schema_id) if r.other(self.schema_id) == related
        ]

    def _named(self, related: str, relationship_id: str, pointer: str) -> Relation:
        for relation in self._with(related):
            if relation.id == relationship_id:
                return relation
        raise missing(f"This schema has no relationship {relationship_id} with {related}.", pointer)

    def _one(self, related: str, relationship_id: str | None) -> Relation:
        if relationship_id is not None:
            return self._named(related, relationship_id, "/data/meta/relationship_id")
        found = self._with(related)
        if not found:
            raise missing(f"This schema has no relationship with {related}.", "/data/id")
        if len(found) > 1:
            raise invalid(
                f"This schema has {len(found)} relationships with {related}: name one by its"
                " relationship_id.",
                "/data/meta/relationship_id",
            )
        return found[0]
