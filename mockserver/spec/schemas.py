"""The document's schemas put to two uses: validating request bodies (compiled to JSON Schema
for jsonschema-rs) and shaping what the mock answers (``Shaper``: a stored value cut and filled
to fit a response schema, so that every answer is one the document allows).

OpenAPI 3.0 is not quite JSON Schema: ``nullable`` becomes a ``null`` branch, ``oneOf`` is read
as ``anyOf`` (several of Klaviyo's ``oneOf`` branches overlap, so a valid body would match two),
and the keywords JSON Schema does not know (``discriminator``, ``example``, ``readOnly``…) go.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

import jsonschema_rs

from .document import JSON
from .document import Components

#: Keywords that carry over to JSON Schema as they are (the rest are dropped).
_KEPT = (
    "type",
    "enum",
    "required",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "uniqueItems",
)
#: Formats checked in request bodies: the ones Klaviyo parses (a date-time it cannot read is a
#: 400); the others (``uri``, ``binary``…) are taken as they come.
_FORMATS = ("date-time", "date")


def parse_moment(text: str) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` or an offset; without one, UTC), or None; None too
    for a moment UTC cannot hold (``9999-12-31T23:59:59-01:00`` is in the year 10000)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment


def _is_moment(text: str) -> bool:
    return parse_moment(text) is not None


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_date(text: str) -> bool:
    return bool(_DATE.fullmatch(text)) and parse_moment(text) is not None


def iso(moment: datetime) -> str:
    """A date-time as the mock writes them: UTC, to the second, with ``+00:00``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class JsonSchemas:
    """OpenAPI schemas converted to JSON Schema (draft 2020-12), each component once."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self._converted: dict[str, JSON] = {}

    def document(self, schema: Any) -> JSON:
        """A standalone JSON Schema for ``schema``: its own ``$defs`` hold every component it
        reaches (several are recursive, so references stay references)."""
        defs: dict[str, JSON] = {}
        pending: list[str] = []
        root = self._convert(schema, pending)
        while pending:
            name = pending.pop()
            if name in defs:
                continue
            defs[name] = self._component(name, pending)
        return {**root, "$defs": defs} if defs else root

    def validator(self, schema: Any) -> jsonschema_rs.Validator:
        return jsonschema_rs.validator_for(
            self.document(schema),
            validate_formats=True,
            formats={"date-time": _is_moment, "date": _is_date},
        )

    def _component(self, name: str, pending: list[str]) -> JSON:
        found = self._converted.get(name)
        if found is None:
            local: list[str] = []
            found = self._converted[name] = self._convert(self.components.schemas[name], local)
            self._converted[name + "/refs"] = {"refs": local}
        pending.extend(self._converted[name + "/refs"]["refs"])
        return found

    def _convert(self, schema: Any, pending: list[str]) -> JSON:
        if not isinstance(schema, dict):
            return {}
        if "$ref" in schema:
            name = Components.name(schema["$ref"])
            pending.append(name)
            converted: JSON = {"$ref": f"#/$defs/{name}"}
        else:
            converted = {key: schema[key] for key in _KEPT if key in schema}
            if schema.get("format") in _FORMATS and schema.get("type") == "string":
                converted["format"] = schema["format"]
            properties = schema.get("properties")
            if isinstance(properties, dict):
                converted["properties"] = {
                    name: self._convert(value, pending) for name, value in properties.items()
                }
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                converted["additionalProperties"] = self._convert(extra, pending)
            elif isinstance(extra, bool):
                converted["additionalProperties"] = extra
            if "items" in schema:
                converted["items"] = self._convert(schema["items"], pending)
            for key, target in (("oneOf", "anyOf"), ("anyOf", "anyOf"), ("allOf", "allOf")):
                if key in schema:
                    converted[target] = [self._convert(s, pending) for s in schema[key]]
        if schema.get("nullable"):
            converted = _nullable(converted)
        return converted


def _nullable(schema: JSON) -> JSON:
    kind = schema.get("type")
    if isinstance(kind, str) and not any(k in schema for k in ("anyOf", "allOf", "$ref")):
        result = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            result["enum"] = [*schema["enum"], None]
        return result
    return {"anyOf": [schema, {"type": "null"}]}


# -- shaping answers ------------------------------------------------------------------------

Shape = Callable[[Any, "Fill"], Any]


class Fill:
    """What a shaper fills a required value nobody set with: a date-time is ``now``."""

    __slots__ = ("now",)

    def __init__(self, now: str) -> None:
        self.now = now


_MISSING = object()


class Shapers:
    """``shaper(schema)``: a function that makes a stored value fit ``schema`` (compiled once
    per schema): object members the schema does not name are dropped (a free-form object keeps
    them), a required member nobody set takes the schema's ``example``, else its first ``enum``
    value, else the empty value of its type; a value of the wrong type is replaced the same way
    (or by null where the schema allows null); a date-time is written as the mock writes them.
    A ``oneOf`` takes the first branch the value fits."""

    def __init__(self, components: Components, schemas: JsonSchemas) -> None:
        self.components = components
        self.schemas = schemas
        self._cache: dict[int, Shape] = {}
        self._fits: dict[int, Callable[[Any], bool]] = {}

    def shaper(self, schema: Any) -> Shape:
        key = id(schema)
        found = self._cache.get(key)
        if found is None:
            # a placeholder first: recursive schemas shape through the cache
            self._cache[key] = lambda value, fill: self._cache[key](value, fill)
            found = self._cache[key] = self._compile(schema)
        return found

    def default(self, schema: Any, fill: Fill) -> Any:
        """The value a required member nobody set takes (see the class docstring)."""
        schema = self.components.resolve(schema)
        if "example" in schema and self._fits_schema(schema, schema["example"]):
            return schema["example"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("oneOf", "anyOf", "allOf"):
            if schema.get(key):
                return self.default(schema[key][0], fill)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            required = schema.get("required", [])
            properties = schema.get("properties", {})
            return {
                name: self.default(properties[name], fill)
                for name in required
                if name in properties
            }
        if kind == "array":
            return []
        if kind == "string":
            if schema.get("format") == "date-time":
                return fill.now
            if schema.get("format") == "date":
                return fill.now[:10]
            return ""
        if kind in ("integer", "number"):
            return max(0, schema.get("minimum", 0))
        if kind == "boolean":
            return False
        return None

    def fits(self, schema: Any, value: Any) -> bool:
        """Whether ``value`` is valid against ``schema`` (compiled once per schema)."""
        return self._fits_schema(schema, value)

    def _fits_schema(self, schema: Any, value: Any) -> bool:
        key = id(schema)
        check = self._fits.get(key)
        if check is None:
            check = self._fits[key] = self.schemas.validator(schema).is_valid
        return check(value)

    def _compile(self, schema: Any) -> Shape:
        resolved = self.components.resolve(schema)
        nullable = _nullable_member(self.components, schema)
        branches = resolved.get("oneOf") or resolved.get("anyOf")
        if branches:
            return self._union(branches, nullable, resolved)
        parts = resolved.get("allOf")
        if parts:
            merged = _merge_all(self.components, resolved)
            inner = self.shaper_of_merged(merged)
            return _nullable_shape(inner, nullable)
        kind = resolved.get("type")
        if kind == "object" or "properties" in resolved:
            return _nullable_shape(self._object(resolved), nullable)
        if kind == "array":
            items = self.shaper(resolved.get("items", {}))

            def array(value: Any, fill: Fill) -> Any:
                if not isinstance(value, list):
                    return self.default(resolved, fill)
                return [items(item, fill) for item in value]

            return _nullable_shape(array, nullable)
        return _nullable_shape(self._scalar(resolved), nullable)

    def shaper_of_merged(self, merged: JSON) -> Shape:
        return self._object(merged)

    def _union(self, branches: list[Any], nullable: bool, schema: JSON) -> Shape:
        shapers = [self.shaper(branch) for branch in branches]

        def union(value: Any, fill: Fill) -> Any:
            if value is None and nullable:
                return None
            for branch, shape in zip(branches, shapers, strict=True):
                if self.fits(branch, value):
                    return shape(value, fill)
            for branch, shape in zip(branches, shapers, strict=True):
                shaped = shape(value, fill)
                if self.fits(branch, shaped):
                    return shaped
            return None if nullable else self.default(schema, fill)

        return union

    def _object(self, schema: JSON) -> Shape:
        properties: dict[str, Any] = schema.get("properties") or {}
        if not properties:  # free-form: kept as it is

            def free(value: Any, fill: Fill) -> Any:
                return value if isinstance(value, dict) else self.default(schema, fill)

            return free
        required = tuple(name for name in schema.get("required", ()) if name in properties)
        members = {name: self.shaper(value) for name, value in properties.items()}

        def shape_object(value: Any, fill: Fill) -> Any:
            if not isinstance(value, dict):
                return self.default(schema, fill)
            shaped = {}
            for name, shape in members.items():
                given = value.get(name, _MISSING)
                if given is not _MISSING:
                    shaped[name] = shape(given, fill)
            for name in required:
                if name not in shaped or (
                    shaped[name] is None and not _nullable_member(self.components, properties[name])
                ):
                    shaped[name] = self.default(properties[name], fill)
            return shaped

        return shape_object

    def _scalar(self, schema: JSON) -> Shape:
        kind = schema.get("type")
        enum = schema.get("enum")
        is_moment = kind == "string" and schema.get("format") == "date-time"

        def scalar(value: Any, fill: Fill) -> Any:
            if enum is not None and value not in enum:
                return self.default(schema, fill)
            if kind == "string":
                if not isinstance(value, str):
                    return self.default(schema, fill)
                if is_moment:
                    moment = parse_moment(value)
                    return iso(moment) if moment else self.default(schema, fill)
                return value
            if kind == "integer":
                if isinstance(value, bool) or not isinstance(value, int):
                    if isinstance(value, float) and value.is_integer():
                        return int(value)
                    return self.default(schema, fill)
                return value
            if kind == "number":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    return self.default(schema, fill)
                return value
            if kind == "boolean":
                return value if isinstance(value, bool) else self.default(schema, fill)
            return value  # no type: anything

        return scalar


def _nullable_shape(inner: Shape, nullable: bool) -> Shape:
    if not nullable:
        return inner

    def shape(value: Any, fill: Fill) -> Any:
        return None if value is None else inner(value, fill)

    return shape


def _nullable_member(components: Components, schema: Any) -> bool:
    """Whether ``schema`` allows null."""
    return components.nullable(schema)


def _merge_all(components: Components, schema: JSON) -> JSON:
    """An ``allOf`` of object schemas as one object schema."""
    properties: JSON = {}
    required: list[str] = []
    for part in [schema, *schema.get("allOf", [])]:
        part = components.resolve(part)
        if part.get("allOf") and part is not schema:
            part = _merge_all(components, part)
        properties.update(part.get("properties", {}))
        required.extend(part.get("required", []))
    return {"type": "object", "properties": properties, "required": required}
