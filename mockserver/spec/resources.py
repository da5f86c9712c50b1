"""Resource types as the document describes them: the attributes their answers carry, their
relationships (to one or to many, with the relationship on the other side that names them back,
when there is exactly one), the shape of their ids, and the operations on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from .document import JSON
from .document import Components
from .operations import Kind
from .operations import Operation


@dataclass(slots=True)
class Relationship:
    name: str
    types: tuple[str, ...]
    many: bool
    #: The relationship of the related type that names this one back (``tag.campaigns`` for
    #: ``campaign.tags``), so that a link made from either side shows on both.
    inverse: str | None = None


@dataclass(slots=True)
class ResourceType:
    name: str
    #: Every attribute any answer shows for this type (the union of the document's resource
    #: object schemas), as one object schema: what stored attributes are shaped to.
    attributes: JSON
    relationships: dict[str, Relationship] = field(default_factory=dict)
    id_example: str | None = None
    #: The collection path (``/api/lists``), if the type has one.
    collection: str | None = None
    #: Operations on this type, by kind (the collection's list, get, create, update, delete).
    operations: dict[Kind, Operation] = field(default_factory=dict)


class TypeReader:
    """Builds the resource types from the operations read out of the document."""

    def __init__(self, components: Components) -> None:
        self.c = components
        self.types: dict[str, ResourceType] = {}
        self._schemas: dict[str, list[JSON]] = {}

    def read(self, operations: Iterable[Operation]) -> dict[str, ResourceType]:
        operations = list(operations)
        for operation in operations:
            for kind, schema in [
                *operation.data_schemas.items(),
                *operation.included_schemas.items(),
            ]:
                self._schema(kind, schema)
        collections = self._collections(operations)
        for operation in operations:
            operation.resource_type = self._resource_type(operation, collections)
            self._path_relationship(operation)
            self._register(operation)
        for name, schemas in self._schemas.items():
            self.types[name].attributes = self._merged(schemas)
        self._inverses()
        return self.types

    def _type(self, name: str) -> ResourceType:
        found = self.types.get(name)
        if found is None:
            found = self.types[name] = ResourceType(name, {"type": "object", "properties": {}})
        return found

    def _schema(self, kind: str, schema: JSON) -> None:
        resource = self._type(kind)
        attributes = schema.get("properties", {}).get("attributes")
        if attributes is not None:
            self._schemas.setdefault(kind, []).append(self.c.resolve(attributes))
        identifier = schema.get("properties", {}).get("id")
        if identifier is not None and resource.id_example is None:
            example = self.c.resolve(identifier).get("example")
            if example is not None:
                resource.id_example = str(example)
        relationships = schema.get("properties", {}).get("relationships")
        if relationships is None:
            return
        for name, raw in self.c.resolve(relationships).get("properties", {}).items():
            data = self.c.resolve(raw).get("properties", {}).get("data")
            if data is None:
                continue
            data = self.c.resolve(data)
            many = data.get("type") == "array"
            item = data.get("items", {}) if many else data
            targets = tuple(self.c.resource_types(item))
            if targets and name not in resource.relationships:
                resource.relationships[name] = Relationship(name, targets, many)

    def _merged(self, schemas: list[JSON]) -> JSON:
        properties: JSON = {}
        required: list[str] = []
        for schema in schemas:
            for name, value in schema.get("properties", {}).items():
                properties.setdefault(name, value)
            required.extend(r for r in schema.get("required", ()) if r not in required)
        return {"type": "object", "properties": properties, "required": required}

    @staticmethod
    def _collections(operations: list[Operation]) -> dict[str, str]:
        """The type each collection path segment holds (``lists`` -> ``list``), preferring
        what the by-id read answers, then the listing, then the writes."""
        ranked: dict[str, tuple[int, str]] = {}
        rank = {Kind.GET: 0, Kind.LIST: 1, Kind.CREATE: 2, Kind.UPDATE: 3, Kind.JOB: 2}
        for operation in operations:
            if operation.kind not in rank:
                continue
            types = operation.data_types or operation.request_types
            if not types:
                continue
            key = f"{operation.segments[0]}/{operation.segments[1]}"
            score = (rank[operation.kind], types[0])
            if key not in ranked or score < ranked[key]:
                ranked[key] = score
        return {key: kind for key, (_, kind) in ranked.items()}

    @staticmethod
    def _resource_type(operation: Operation, collections: dict[str, str]) -> str | None:
        key = f"{operation.segments[0]}/{operation.segments[1]}"
        if operation.kind is Kind.ACTION and len(operation.segments) == 2:
            return None
        return collections.get(key)

    def _path_relationship(self, operation: Operation) -> None:
        """``/api/things/{id}/others`` and ``…/relationships/others`` name a relationship even
        where the resource's own schema does not list it."""
        if operation.kind not in (Kind.RELATED, Kind.LINKAGE) or operation.resource_type is None:
            return
        name = operation.relationship
        if name is None or not operation.data_types:
            return
        resource = self._type(operation.resource_type)
        if name not in resource.relationships:
            resource.relationships[name] = Relationship(name, operation.data_types, operation.many)

    def _register(self, operation: Operation) -> None:
        if operation.resource_type is None or len(operation.segments) > 3:
            return
        if operation.kind in (Kind.LIST, Kind.GET, Kind.CREATE, Kind.UPDATE, Kind.DELETE, Kind.JOB):
            resource = self._type(operation.resource_type)
            resource.operations.setdefault(operation.kind, operation)
            if operation.kind in (Kind.LIST, Kind.CREATE, Kind.JOB) and resource.collection is None:
                resource.collection = "/" + "/".join(operation.segments)

    def _inverses(self) -> None:
        for resource in self.types.values():
            for relationship in resource.relationships.values():
                candidates = [
                    (target, other.name)
                    for target in relationship.types
                    if target in self.types
                    for other in self.types[target].relationships.values()
                    if resource.name in other.types
                ]
                if len(candidates) == 1:
                    relationship.inverse = candidates[0][1]
