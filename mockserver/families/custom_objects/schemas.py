"""Object types, their schema versions, each version's source mapping, and the relationships
between schemas: what Klaviyo's custom objects overview says of them, kept in the generic
records (``Resources``) of each account.

- Creating an object type makes its first schema, a draft with an empty source mapping (the
  overview: "Creating one automatically generates a draft schema and an empty source
  mapping"), or the one the body embeds.
- A schema starts as a draft; it is activated by creating it or updating it with status
  ``active``, and then becomes the type's current schema (the one ingestion maps records to).
  The mock activates at once: it never shows ``publishing`` (*chosen*). The schema it
  replaces shows status ``undefined`` (*chosen*: the document's enumeration has no word for a
  retired version); every version stays in ``schema-versions``, oldest first.
- Only a draft can be changed (the overview: "You can only modify a schema while it's in
  DRAFT"), its relationships included. Creating a schema adds a version and replaces none: a
  type may have several drafts, and its ``draft-schema`` is the newest (*chosen*: the
  document's flow creates a schema for a type that has its generated draft already, and
  nothing a caller made disappears).
- A schema's title and description are its type's ("moves in lockstep"): every version shows
  the type's, and writing one on a schema renames the type. Its visibility is the type's.
- A relationship has a name and shows on both schemas; from a schema it is
  ``{other schema id}:::{name}``, from a type ``{other type id}:::{name}``, and with the profile
  ``profile:::{name}`` (*chosen* for profile-object-schemas too, whose document gives no
  format). Names are unique among a schema's relationships (*chosen*); without a name one is
  made from the other type's title (*chosen*). A type's relationships are those of its
  current schema, or of its draft while it has none (*chosen*).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any
from typing import NamedTuple

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.ports import Record
from ...domain.ports import Records
from ...domain.ports import iso_seconds
from . import checks
from .checks import PROFILE
from .checks import Relation
from .checks import SourceMapping
from .refusal import invalid
from .refusal import missing

TYPE = "object-type"
SCHEMA = "object-schema"
MAPPING = "source-mapping"
SOURCE = "data-source"
#: Relationships between schemas, kept by the family (no type of the document).
RELATION = "object-schema-relationship"
SEPARATOR = ":::"


class TypeState(NamedTuple):
    """What the family keeps beside an object type: its schema versions (oldest first), its
    current schema and its visibility; and its newest draft."""

    versions: list[str]
    current: str | None
    draft: str | None
    visibility: str


class Plan(NamedTuple):
    """A schema about to be written, checked."""

    properties: list[dict[str, Any]]
    required: list[str]
    active: bool
    mapping: SourceMapping


def compound(left: str, name: str) -> str:
    return f"{left}{SEPARATOR}{name}"


class Objects:
    """An account's object types, schemas, source mappings and relationships."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend
        #: What activating a schema sets off (ingestion's replay of its data sources).
        self.on_activate: Callable[[str], None] | None = None

    def records(self) -> Records:
        return self._b.records

    def locked(self) -> AbstractContextManager[object]:
        """The store's lock: a write and the checks before it see one state."""
        return self._b.store.locked()

    # -- reads ------------------------------------------------------------------------------

    def get(self, kind: str, record_id: str) -> Record:
        found = self.records().get(kind, record_id)
        if found is None:
            raise NotFound(f"No {kind} has the id {record_id}.")
        return found

    def state(self, type_id: str) -> TypeState:
        extra = self.get(TYPE, type_id).get("extra") or {}
        versions = list(extra.get("versions", []))
        drafts = [v for v in versions if self.status(v) == "draft"]
        return TypeState(
            versions,
            extra.get("current"),
            drafts[-1] if drafts else None,
            extra.get("visibility", "private"),
        )

    def status(self, schema_id: str) -> str | None:
        found = self.records().get(SCHEMA, schema_id)
        return None if found is None else str(found["attributes"]["status"])

    def type_of(self, schema_id: str) -> str:
        return str((self.get(SCHEMA, schema_id).get("extra") or {})["object_type"])

    def mapping_of(self, schema_id: str) -> str:
        return str((self.get(SCHEMA, schema_id).get("extra") or {})["source_mapping"])

    def effective(self, type_id: str) -> str | None:
        """The schema a type's relationships are read from."""
        state = self.state(type_id)
        return state.current or state.draft

    def relations(self, schema_id: str) -> list[Relation]:
        """The relationships a schema shows, in the order they were made."""
        records = self.records()
        ids = [*records.find(RELATION, "schema", schema_id)]
        ids += [i for i in records.find(RELATION, "related", schema_id) if i not in ids]
        found = [records.get(RELATION, i) for i in ids]
        rows = sorted((r for r in found if r is not None), key=lambda r: int(r["seq"]))
        return [_relation(r) for r in rows]

    def all_relations(self) -> list[Relation]:
        return [_relation(r) for r in self.records().scan(RELATION)]

    def source_exists(self) -> Callable[[str], bool]:
        records = self.records()
        return lambda source_id: records.has(SOURCE, source_id)

    def mappings_reading(self, source_id: str) -> list[str]:
        """The schemas in use (current, or drafts) whose mapping reads a data source."""
        found = []
        for record in self.records().scan(SCHEMA):
            schema_id = str(record["id"])
            if record["attributes"]["status"] in ("active", "draft") and source_id in (
                self.sources_of(schema_id)
            ):
                found.append(schema_id)
        return found

    def sources_of(self, schema_id: str) -> set[str]:
        attributes = self.get(MAPPING, self.mapping_of(schema_id))["attributes"]
        entries = [*attributes["property_mappings"], *attributes["relationship_mappings"]]
        return {e["source"]["source_id"] for e in entries if "source" in e}

    # -- types and schemas ------------------------------------------------------------------

    def plan(
        self,
        given: Mapping[str, Any],
        at: str,
        relations: list[Relation] | None = None,
    ) -> Plan:
        """A new schema's attributes (those a create body gives, under ``at``), checked."""
        props = checks.properties(given.get("properties") or [], f"{at}/properties")
        names = checks.required(given.get("required") or [], props, f"{at}/required")
        mapping = (given.get("source-mapping") or {}).get("data", {}).get("attributes") or {}
        checked = checks.mapping(
            mapping,
            props,
            relations or [],
            self.source_exists(),
            f"{at}/source-mapping/data/attributes",
        )
        return Plan(props, names, given.get("status") == "active", checked)

    def create_type(self, given: Mapping[str, Any]) -> str:
        """A new object type and its first schema (see the module docstring)."""
        at = "/data/attributes"
        with self.locked():
            name = checks.title(given["title"], f"{at}/title")
            space = checks.namespace(given.get("namespace"), f"{at}/namespace")
            embedded = (given.get("object-schema") or {}).get("data", {}).get("attributes")
            plan = self.plan(embedded or {}, f"{at}/object-schema/data/attributes")
            item = self._b.resources.create(
                TYPE,
                {
                    "title": name,
                    "description": given.get("description") or "",
                    "status": "draft",
                    "namespace": space,
                },
                extra={
                    "visibility": given.get("visibility") or "private",
                    "versions": [],
                    "current": None,
                },
            )
            self._write_schema(item.id, plan)
            return item.id

    def create_schema(self, type_id: str | None, given: Mapping[str, Any]) -> str:
        """A new schema version of a type (``POST /api/object-schemas``)."""
        at = "/data/attributes"
        if type_id is None:
            raise invalid(
                "An object schema belongs to an object type: name it.",
                "/data/relationships/object-type",
            )
        with self.locked():
            if not self.records().has(TYPE, type_id):
                raise missing(
                    f"No object type has the id {type_id}.",
                    "/data/relationships/object-type/data/id",
                )
            name = checks.title(given["title"], f"{at}/title")
            plan = self.plan(given, at)
            self._rename(type_id, name, given.get("description"))
            return self._write_schema(type_id, plan)

    def update_schema(self, schema_id: str, given: Mapping[str, Any]) -> None:
        """Change a draft; activate it with status ``active``. A null member changes nothing
        (*chosen*)."""
        at = "/data/attributes"
        with self.locked():
            record = self.get(SCHEMA, schema_id)
            changes = {name: value for name, value in given.items() if value is not None}
            status = record["attributes"]["status"]
            if status != "draft":
                for member, value in changes.items():
                    if not (member == "status" and value == status):
                        raise invalid(
                            f"Only a draft schema can be changed; this one is {status}.",
                            f"{at}/{member}",
                        )
                return
            current = record["attributes"]
            name = checks.title(changes["title"], f"{at}/title") if "title" in changes else None
            props = current["properties"]
            if "properties" in changes:
                props = checks.properties(changes["properties"], f"{at}/properties")
            names = checks.required(
                changes.get("required", current["required"]), props, f"{at}/required"
            )
            type_id = self.type_of(schema_id)
            self._b.resources.update(SCHEMA, schema_id, {"properties": props, "required": names})
            if "properties" in changes:
                self._keep_mapped(schema_id, {p["id"] for p in props})
            self._rename(type_id, name, changes.get("description"))
            if changes.get("status") == "active":
                self._activate(type_id, schema_id)

    def update_mapping(self, mapping_id: str, given: Mapping[str, Any]) -> None:
        """Replace the members a body gives (null: none). Records that arrive afterwards are
        mapped with it (*chosen*: those ingested before stay as they were)."""
        with self.locked():
            record = self.get(MAPPING, mapping_id)
            schema_id = str((record.get("extra") or {})["object_schema"])
            merged = {**record["attributes"], **given}
            props = self.get(SCHEMA, schema_id)["attributes"]["properties"]
            checked = checks.mapping(
                merged,
                props,
                self.relations(schema_id),
                self.source_exists(),
                "/data/attributes",
            )
            self._b.resources.update(MAPPING, mapping_id, checked.attributes())

    def delete_type(self, type_id: str) -> None:
        """What goes with a type: every schema version, its mapping and relationships (the
        type's records and logs go through ingestion)."""
        resources = self._b.resources
        for schema_id in self.state(type_id).versions:
            for relation in self.relations(schema_id):
                self.drop_relation(relation)
            resources.delete(MAPPING, self.mapping_of(schema_id))
            resources.delete(SCHEMA, schema_id)

    def _write_schema(self, type_id: str, plan: Plan) -> str:
        resources = self._b.resources
        record = self.get(TYPE, type_id)
        shown = record["attributes"]
        item = resources.create(
            SCHEMA,
            {
                "title": shown["title"],
                "description": shown["description"],
                "status": "draft",
                "properties": plan.properties,
                "required": plan.required,
                "published_at": None,
                "visibility": (record.get("extra") or {}).get("visibility", "private"),
            },
            extra={"object_type": type_id},
        )
        mapping = resources.create(
            MAPPING, plan.mapping.attributes(), extra={"object_schema": item.id}
        )
        resources.set_extra(SCHEMA, item.id, {"source_mapping": mapping.id})
        state = self.state(type_id)
        self._set_state(type_id, versions=[*state.versions, item.id])
        if plan.active:
            self._activate(type_id, item.id)
        return item.id

    def _activate(self, type_id: str, schema_id: str) -> None:
        resources = self._b.resources
        state = self.state(type_id)
        previous = state.current
        if previous is not None and previous != schema_id:
            resources.update(SCHEMA, previous, {"status": "undefined"})
        now = iso_seconds(self._b.clock())
        resources.update(SCHEMA, schema_id, {"status": "active", "published_at": now})
        self._set_state(type_id, current=schema_id)
        if self.on_activate is not None:
            self.on_activate(schema_id)

    def _set_state(self, type_id: str, **changes: Any) -> None:
        state = self.state(type_id)._replace(**changes)
        status = "active" if state.current else "draft"
        kept = {"versions": state.versions, "current": state.current}
        self._b.resources.update(TYPE, type_id, {"status": status}, extra=kept)

    def _rename(self, type_id: str, name: str | None, description: str | None) -> None:
        """A schema's title and description are its type's."""
        changes = {"title": name, "description": description}
        changes = {key: value for key, value in changes.items() if value is not None}
        if changes:
            self._b.resources.update(TYPE, type_id, changes)

    def _keep_mapped(self, schema_id: str, kept: set[int]) -> None:
        """Drop the property mappings of properties a schema no longer has (*chosen*)."""
        mapping_id = self.mapping_of(schema_id)
        attributes = self.get(MAPPING, mapping_id)["attributes"]
        entries = [e for e in attributes["property_mappings"] if e["id"] in kept]
        self._b.resources.update(MAPPING, mapping_id, {"property_mappings": entries})

    # -- relationships ----------------------------------------------------------------------

    def add_relation(
        self, schema_id: str, related: str, name: str, description: str | None
    ) -> Relation:
        relation = Relation(self._b.ids.ulid(), schema_id, related, name, description)
        self.put_relation(relation)
        return relation

    def put_relation(self, relation: Relation) -> None:
        attributes = relation._asdict()
        self.keep(RELATION, attributes.pop("id"), attributes)

    def keep(self, kind: str, record_id: str, attributes: Any) -> None:
        """Store a record of a kind the family keeps itself (no type of the document), stamped
        as the generic ones are (the admin API's state dump shows them)."""
        records = self.records()
        now = iso_seconds(self._b.clock())
        before = records.get(kind, record_id)
        created = now if before is None else before["created"]
        records.put(
            kind,
            {"id": record_id, "created": created, "updated": now, "attributes": attributes},
        )

    def drop_relation(self, relation: Relation) -> None:
        """A relationship goes, and so do the relationship mappings that use it (on both
        schemas: either may map it)."""
        for end in (relation.schema, relation.related):
            if end == PROFILE or not self.records().has(SCHEMA, end):
                continue
            mapping_id = self.mapping_of(end)
            attributes = self.get(MAPPING, mapping_id)["attributes"]
            kept = [
                e
                for e in attributes["relationship_mappings"]
                if e["relationship_id"] != relation.id
            ]
            if len(kept) != len(attributes["relationship_mappings"]):
                self._b.resources.update(MAPPING, mapping_id, {"relationship_mappings": kept})
        self.records().remove(RELATION, relation.id)


def _relation(record: Record) -> Relation:
    attributes = record["attributes"]
    return Relation(
        str(record["id"]),
        attributes["schema"],
        attributes["related"],
        attributes["name"],
        attributes.get("description"),
    )
