"""Klaviyo's OpenAPI document, as it ships inside the package (``klaviyo/openapi``,
``openapi/stable.json``, revision 2026-07-15, MIT: see ``LICENSE`` here), and the few places
where the mock reads it differently (the document's faults, fixed beside it rather than in it,
as LocalStack does with its specs)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("stable-2026-07-15.json.gz")
#: The revision the document describes: answers have its shapes, whatever revision is asked.
REVISION = "2026-07-15"

JSON = dict[str, Any]


def read() -> JSON:
    """The document as a dict, with its faults fixed (``NULLABLE``, ``_nullable_refs``; about
    40 ms: read once per process, by ``spec.load``; the tests' own validator reads it through
    here too)."""
    with gzip.open(PATH) as file:
        document: JSON = json.load(file)
    for pointer in NULLABLE:
        _at(document, pointer)["nullable"] = True
    _nullable_refs(document)
    return document


#: The branch that lets a value be null (``_nullable_refs``).
NULL: JSON = {"nullable": True, "enum": [None]}


def _nullable_refs(node: Any) -> None:
    """The document makes a reference nullable by writing ``nullable`` beside the ``$ref`` (a
    device's ``metadata``) or beside an ``allOf`` of the one reference (the ``data`` of a
    to-one relationship nothing is linked to), which OpenAPI 3.0 validators ignore (beside a
    ``$ref`` nothing counts; ``nullable`` does not reach into an ``allOf``): as its authors
    mean it, the value is the reference or null, ``anyOf`` the two."""
    if isinstance(node, dict):
        if node.get("nullable") and ("$ref" in node or len(node.get("allOf", ())) == 1):
            del node["nullable"]
            target = {"$ref": node.pop("$ref")} if "$ref" in node else node.pop("allOf")[0]
            node["anyOf"] = [target, dict(NULL)]
        for value in node.values():
            _nullable_refs(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_refs(value)


_MAPPED = (
    "/components/schemas/MappedMetricPartialUpdateQueryResourceObject/properties/relationships"
    "/properties/{}/properties/data"
)
#: Schemas that allow null where the document says so in words but not in the schema: a mapped
#: metric's relationships ("A null value will unset the mapping").
NULLABLE = tuple(_MAPPED.format(name) for name in ("metric", "custom-metric"))


def _at(document: JSON, pointer: str) -> Any:
    node: Any = document
    for part in pointer.split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


class Components:
    """The document's ``components.schemas``, with ``$ref`` resolution."""

    def __init__(self, schemas: Mapping[str, JSON]) -> None:
        self.schemas = schemas
        self._flat: dict[int, JSON] = {}

    @staticmethod
    def name(ref: str) -> str:
        return ref.rsplit("/", 1)[-1]

    def resolve(self, schema: Any) -> JSON:
        """``schema`` with its ``$ref`` chain followed (a schema that is only a reference)."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[self.name(schema["$ref"])]
            seen += 1
            if seen > 50:
                raise ValueError("a $ref cycle")
        if not isinstance(schema, dict):
            raise TypeError(f"not a schema: {schema!r}")
        return schema

    def flatten(self, schema: Any) -> JSON:
        """``schema`` resolved, and an ``allOf`` merged into one object schema (members that are
        objects in several parts merge too: the document adds ``additional-fields`` to a
        resource that way); a reference made nullable reads as the reference. The same schema
        always gives the same object back."""
        resolved = self.resolve(schema)
        branches = resolved.get("anyOf", ())
        if len(branches) == 2 and NULL in branches:  # a reference made nullable: its structure
            return self.flatten(branches[0] if branches[1] == NULL else branches[1])
        if "allOf" not in resolved:
            return resolved
        key = id(resolved)
        found = self._flat.get(key)
        if found is None:
            found = self._flat[key] = self._merge([resolved, *resolved["allOf"]])
        return found

    def _merge(self, parts: list[Any]) -> JSON:
        properties: JSON = {}
        required: list[str] = []
        for part in parts:
            part = self.flatten(part) if part is not parts[0] else part
            for name, value in part.get("properties", {}).items():
                have = properties.get(name)
                if have is not None and self._is_object(have) and self._is_object(value):
                    properties[name] = self._merge([{"properties": {}}, have, value])
                else:
                    properties[name] = value
            required.extend(r for r in part.get("required", ()) if r not in required)
        merged: JSON = {"type": "object", "properties": properties}
        if required:
            merged["required"] = required
        return merged

    def _is_object(self, schema: Any) -> bool:
        resolved = self.flatten(schema)
        return "properties" in resolved and "oneOf" not in resolved

    def nullable(self, schema: Any) -> bool:
        """Whether ``schema`` lets a value be null (itself, or one of its ``anyOf``)."""
        resolved = self.resolve(schema)
        if resolved.get("nullable"):
            return True
        return any(self.resolve(b).get("enum") == [None] for b in resolved.get("anyOf", ()))

    def resource_types(self, schema: Any) -> list[str]:
        """The JSON:API ``type`` values a resource object schema allows (through ``oneOf``)."""
        schema = self.flatten(schema)
        found: list[str] = []
        type_schema = schema.get("properties", {}).get("type")
        if type_schema is not None:
            found.extend(self.resolve(type_schema).get("enum", []))
        for key in ("oneOf", "anyOf"):
            for branch in schema.get(key, []):
                found.extend(t for t in self.resource_types(branch) if t not in found)
        return found
