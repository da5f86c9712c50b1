"""The checks a custom objects body passes beyond its JSON Schema (which the dispatcher has
applied already): titles and namespaces, an object schema's properties and required names, and
a source mapping against the schema it maps to. Each check returns the value as it is stored,
or raises :class:`~.refusal.Refused` pointing at the member at fault."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from . import jsonpath
from .coerce import convert
from .refusal import invalid
from .refusal import missing

#: SPEC ``DataSourceCreateQueryResourceObject.title``: "between 1 and 255 characters"; object
#: types and schemas are held to the same (*chosen*: their documents give no limit).
TITLE_LIMIT = 255
DEFAULT_NAMESPACE = "custom-objects"
#: SPEC ``ObjectTypeResponseObjectResource.namespace``: "Either ``custom-objects`` or
#: ``applications/<application_id>``, where ``<application_id>`` is the ULID of the OAuth
#: application"; data sources take the same (*chosen*).
NAMESPACE = re.compile(r"custom-objects|applications/[0-9A-HJKMNP-TV-Z]{26}")
DEFAULT_STRATEGY = "replace_from_origin"
PROFILE = "profile"


class Relation(NamedTuple):
    """A relationship between an object schema and another (or the profile schema): the one
    it was made on, the other one, its name and description. Both schemas show it."""

    id: str
    schema: str
    related: str
    name: str
    description: str | None

    def other(self, schema_id: str) -> str:
        """The schema at the other end, seen from ``schema_id``."""
        return self.related if schema_id == self.schema else self.schema

    def meta(self) -> dict[str, Any]:
        return {"relationship_id": self.id, "name": self.name, "description": self.description}


def title(value: Any, pointer: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= TITLE_LIMIT:
        raise invalid(f"A title is 1 to {TITLE_LIMIT} characters long.", pointer)
    return value


def namespace(value: Any, pointer: str) -> str:
    if value is None:
        return DEFAULT_NAMESPACE
    if not isinstance(value, str) or not NAMESPACE.fullmatch(value):
        raise invalid(
            f"{value!r} is no namespace: either custom-objects or applications/<ULID of an app>.",
            pointer,
        )
    return value


def properties(value: Sequence[Mapping[str, Any]], pointer: str) -> list[dict[str, Any]]:
    """An object schema's properties: positive ids and non-empty names, each once."""
    seen_ids: set[int] = set()
    seen_names: set[str] = set()
    stored = []
    for index, prop in enumerate(value):
        at = f"{pointer}/{index}"
        if prop["id"] < 1:
            raise invalid("A property id is a positive integer.", f"{at}/id")
        if prop["id"] in seen_ids:
            raise invalid(f"Two properties have the id {prop['id']}.", f"{at}/id")
        name = prop["name"]
        if not name.strip():
            raise invalid("A property needs a name.", f"{at}/name")
        if name in seen_names:
            raise invalid(f"Two properties are named {name!r}.", f"{at}/name")
        seen_ids.add(prop["id"])
        seen_names.add(name)
        stored.append(
            {
                "id": prop["id"],
                "name": name,
                "type": prop["type"],
                "description": prop.get("description") or "",
            }
        )
    return stored


def required(value: Sequence[str], props: Sequence[Mapping[str, Any]], pointer: str) -> list[str]:
    """Required names: each a property of the schema."""
    names = {prop["name"] for prop in props}
    for index, name in enumerate(value):
        if name not in names:
            raise invalid(f"{name!r} is not a property of this schema.", f"{pointer}/{index}")
    return list(dict.fromkeys(value))


def path(value: Any, pointer: str) -> str:
    try:
        jsonpath.parse(value)
    except jsonpath.PathError as error:
        raise invalid(str(error), pointer) from None
    return str(value)


SourceExists = Callable[[str], bool]


class SourceMapping(NamedTuple):
    """A source mapping as it is stored (its two attributes)."""

    property_mappings: list[dict[str, Any]]
    relationship_mappings: list[dict[str, Any]]

    def attributes(self) -> dict[str, Any]:
        return {
            "property_mappings": self.property_mappings,
            "relationship_mappings": self.relationship_mappings,
        }


def mapping(
    given: Mapping[str, Any],
    props: Sequence[Mapping[str, Any]],
    relations: Sequence[Relation],
    source_exists: SourceExists,
    pointer: str,
) -> SourceMapping:
    """A source mapping's attributes checked against its schema: each property mapping names a
    property of the schema (once), a constant fits the property's type, a simple one reads an
    existing data source with paths the mock can read; each relationship mapping names a
    relationship of the schema, of the kind its source says (another object, or the profile).
    The mappings that read one data source find a record's id with one ``id_path``
    (*chosen*: otherwise a record would be two objects)."""
    id_paths: dict[str, tuple[str, str]] = {}
    by_id = {prop["id"]: prop for prop in props}
    stored_props: list[dict[str, Any]] = []
    for index, entry in enumerate(given.get("property_mappings") or ()):
        at = f"{pointer}/property_mappings/{index}"
        prop = by_id.get(entry["id"])
        if prop is None:
            raise missing(f"This schema has no property with the id {entry['id']}.", f"{at}/id")
        if any(done["id"] == entry["id"] for done in stored_props):
            raise invalid(f"Property {entry['id']} is mapped twice.", f"{at}/id")
        if entry["type"] == "constant":
            if convert(prop["type"], entry["value"]).problem is not None:
                raise invalid(
                    f"{entry['value']!r} is no {prop['type']} (property {prop['name']!r}).",
                    f"{at}/value",
                )
            stored_props.append(dict(entry))
            continue
        source = _source(entry["source"], f"{at}/source", source_exists, id_paths)
        source["data_path"] = path(source["data_path"], f"{at}/source/data_path")
        stored_props.append({**entry, "source": source})
    owned = {relation.id: relation for relation in relations}
    stored_relations: list[dict[str, Any]] = []
    for index, entry in enumerate(given.get("relationship_mappings") or ()):
        at = f"{pointer}/relationship_mappings/{index}"
        relation = owned.get(entry["relationship_id"])
        if relation is None:
            raise missing(
                f"This schema has no relationship {entry['relationship_id']}.",
                f"{at}/relationship_id",
            )
        if any(done["relationship_id"] == relation.id for done in stored_relations):
            raise invalid(f"Relationship {relation.id} is mapped twice.", f"{at}/relationship_id")
        stored_relations.append(
            {**entry, "source": _related(entry["source"], relation, at, source_exists, id_paths)}
        )
    return SourceMapping(stored_props, stored_relations)


def _source(
    given: Mapping[str, Any],
    at: str,
    source_exists: SourceExists,
    id_paths: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    """The data source and id path a mapping reads, checked (see :func:`mapping`)."""
    source_id = given["source_id"]
    if not source_exists(source_id):
        raise missing(f"No data source has the id {source_id}.", f"{at}/source_id")
    id_path = path(given["id_path"], f"{at}/id_path")
    first = id_paths.setdefault(source_id, (id_path, at))
    if first[0] != id_path:
        raise invalid(
            f"Data source {source_id} is read with the id path {first[0]} already"
            f" ({first[1]}); every mapping of one data source finds the record's id alike.",
            f"{at}/id_path",
        )
    return dict(given)


def _related(
    given: Mapping[str, Any],
    relation: Relation,
    at: str,
    source_exists: SourceExists,
    id_paths: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    to_profile = PROFILE in (relation.schema, relation.related)
    if (given["type"] == PROFILE) != to_profile:
        kind = "the profile" if to_profile else "another object schema"
        raise invalid(
            f"Relationship {relation.id} is one with {kind}: its source's type is"
            f" {'profile' if to_profile else 'custom-object'}.",
            f"{at}/source/type",
        )
    source = _source(given, f"{at}/source", source_exists, id_paths)
    if given["type"] == PROFILE:
        paths = given["related_id_paths"]
        if not paths:
            raise invalid("Name at least one profile identifier.", f"{at}/source/related_id_paths")
        for index, entry in enumerate(paths):
            path(entry["path"], f"{at}/source/related_id_paths/{index}/path")
    else:
        path(given["related_id_path"], f"{at}/source/related_id_path")
    source["update_strategy"] = given.get("update_strategy") or DEFAULT_STRATEGY
    return source
