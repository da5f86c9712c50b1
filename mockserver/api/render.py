"""The listing pipeline's last step: items as JSON:API documents, the same for every type.

A resource object has the attributes the operation's answer schema names (``additional-fields``
only when asked; cut to ``fields[type]``), the relationships it names (``links`` always, ``data``
when included or known), and its own ``links.self``. Everything here is formatting: the items,
their linkage and the included ones come from the domain, read before rendering begins.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.listing import Item
from ..domain.listing import Linkage
from ..spec import Fill
from ..spec import Kind
from ..spec import Operation
from ..spec import Spec
from ..spec import iso
from ..spec import load
from .jsonapi import base_url
from .query import Params


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a resource object schema asks for, read once per schema."""

    attributes: frozenset[str]
    required: tuple[str, ...]
    attribute_schemas: Mapping[str, Any]
    relationships: Mapping[str, bool]  # name -> whether ``data`` must be there
    links: bool


_plans: dict[int, _Plan] = {}


def plan(schema: Mapping[str, Any]) -> _Plan:
    found = _plans.get(id(schema))
    if found is None:
        found = _plans[id(schema)] = _read_plan(load(), schema)
    return found


def _read_plan(spec: Spec, schema: Mapping[str, Any]) -> _Plan:
    c = spec.components
    properties = c.flatten(schema).get("properties", {})
    attributes = c.flatten(properties.get("attributes", {"properties": {}}))
    relationships = {}
    raw = properties.get("relationships")
    if raw is not None:
        for name, value in c.flatten(raw).get("properties", {}).items():
            relationships[name] = "data" in c.flatten(value).get("required", ())
    names = attributes.get("properties", {})
    return _Plan(
        attributes=frozenset(names),
        required=tuple(r for r in attributes.get("required", ()) if r in names),
        attribute_schemas=names,
        relationships=relationships,
        links="links" in properties,
    )


_homes: dict[str, str] = {}


def item_path(kind: str, item_id: str) -> str:
    """Where a resource lives (``/api/lists/Y6nRLr``): its type's by-id path."""
    home = _homes.get(kind)
    if home is None:
        home = _homes[kind] = _home(kind)
    return home + item_id


def _home(kind: str) -> str:
    """The path a type's resources live under, up to the id (``/api/lists/``)."""
    resource = load().types.get(kind)
    if resource is not None:
        read = resource.operations.get(Kind.GET)
        if read is not None:
            return read.path.removesuffix(read.segments[2])
        if resource.collection:
            return f"{resource.collection}/"
    return f"/api/{kind}s/"


def _linkage_data(kind: str, linked: Linkage) -> Any:
    if isinstance(linked, tuple):
        return [{"type": kind, "id": i} for i in linked]
    return None if linked is None else {"type": kind, "id": linked}


class Renderer:
    """Renders one call's answer (``operation`` and ``params``)."""

    def __init__(self, operation: Operation, params: Params, now: datetime) -> None:
        self.operation = operation
        self.params = params
        self.spec = load()
        self.now = now
        self.base = base_url()  # once: every link of the answer starts with it

    def resource(
        self,
        kind: str,
        item: Item,
        schema: Mapping[str, Any] | None = None,
        linkage: Mapping[str, Linkage] | None = None,
        *,
        included: bool = False,
    ) -> dict[str, Any]:
        """One resource object. ``schema``: the answer's schema for this type (the operation's
        data schema by default); ``linkage``: relationship data to show."""
        if schema is None:
            schema = self.operation.data_schemas.get(kind) or self._any_schema(kind)
        shape = plan(schema)
        attributes = self._attributes(kind, item, shape, included)
        base = self.base + item_path(kind, item.id)
        resource: dict[str, Any] = {
            "type": kind,
            "id": item.id,
            "attributes": attributes,
        }
        if shape.relationships:
            known = {**item.relationships, **(linkage or {})}
            relationships: dict[str, Any] = {}
            targets = self.spec.types[kind].relationships if kind in self.spec.types else {}
            for name, data_required in shape.relationships.items():
                entry: dict[str, Any] = {
                    "links": {
                        "self": f"{base}/relationships/{name}/",
                        "related": f"{base}/{name}/",
                    }
                }
                if name in known and name in targets:
                    data = _linkage_data(targets[name].types[0], known[name])
                    if data is not None or targets[name].many:
                        entry["data"] = data
                elif data_required and name in targets and targets[name].many:
                    entry["data"] = []
                relationships[name] = entry
            resource["relationships"] = relationships
        if shape.links:
            resource["links"] = {"self": f"{base}/"}
        return resource

    def _attributes(self, kind: str, item: Item, shape: _Plan, included: bool) -> dict[str, Any]:
        hidden = self.operation.additional.get(kind, frozenset())
        asked = frozenset() if included else self.params.additional_of(kind)
        attributes = {
            name: value
            for name, value in item.attributes.items()
            if name in shape.attributes and (name not in hidden or name in asked)
        }
        missing = [n for n in shape.required if n not in attributes and n not in hidden]
        if missing:
            fill = Fill(iso(self.now))
            for name in missing:
                attributes[name] = self.spec.shapers.default(shape.attribute_schemas[name], fill)
        fields = self.params.fields_of(kind)
        if not fields:
            return attributes
        return self._sparse(attributes, fields, shape.attribute_schemas, shape.required)

    def _sparse(
        self,
        value: Mapping[str, Any],
        names: list[str],
        properties: Mapping[str, Any],
        required: Sequence[str],
    ) -> dict[str, Any]:
        """``value`` cut to a sparse fieldset (``location.city`` keeps one member of an
        object). What the schema requires stays (*chosen*: the SDKs refuse an answer
        without it), and so does the whole of an object whose members are required
        (``subscriptions.email.marketing``)."""
        kept = {name: value[name] for name in required if name in value}
        nested: dict[str, list[str]] = {}
        for name in names:
            head, _, rest = name.partition(".")
            if head not in value:
                continue
            if rest and isinstance(value[head], Mapping):
                nested.setdefault(head, []).append(rest)
            else:
                kept[head] = value[head]
                nested.pop(head, None)
        for head, rests in nested.items():
            if head in kept:
                continue
            schema = self.spec.components.flatten(properties.get(head, {}))
            inner = schema.get("properties")
            if not inner or schema.get("required"):
                kept[head] = value[head]
            else:
                kept[head] = self._sparse(value[head], rests, inner, ())
        return kept

    def _any_schema(self, kind: str) -> Mapping[str, Any]:
        for operation in self.spec.operations.values():
            found = operation.data_schemas.get(kind) or operation.included_schemas.get(kind)
            if found is not None:
                return found
        return {"properties": {"attributes": {"properties": {}}}}

    def included(self, found: Sequence[tuple[str, Item]]) -> list[dict[str, Any]]:
        """The ``included`` member: each related item once."""
        return [
            self.resource(
                kind,
                item,
                self.operation.included_schemas.get(kind) or self._any_schema(kind),
                included=True,
            )
            for kind, item in found
        ]
