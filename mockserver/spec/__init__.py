"""Klaviyo's OpenAPI document, read once per process into what the mock serves from it: the
route table, each operation's vocabulary and schemas, and the resource types.

``load()`` is cached: every app of the process (one per test, in a test suite) shares one
``Spec``. Nothing here knows Flask; the HTTP layer and the domain both read it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import jsonschema_rs

from .document import PATH
from .document import REVISION
from .document import Components
from .document import read
from .operations import FilterField
from .operations import Kind
from .operations import Operation
from .operations import OperationReader
from .operations import PageSize
from .operations import Parameter
from .operations import RateLimit
from .resources import Relationship
from .resources import ResourceType
from .resources import TypeReader
from .routes import Match
from .routes import Router
from .schemas import Fill
from .schemas import JsonSchemas
from .schemas import Shapers
from .schemas import iso
from .schemas import parse_moment

__all__ = [
    "PATH",
    "REVISION",
    "Fill",
    "FilterField",
    "Kind",
    "Match",
    "Operation",
    "PageSize",
    "Parameter",
    "RateLimit",
    "Relationship",
    "ResourceType",
    "Spec",
    "iso",
    "load",
    "parse_moment",
]


class Spec:
    """The document as the mock uses it (see the module docstring)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components = Components(document["components"]["schemas"])
        self.json_schemas = JsonSchemas(self.components)
        self.shapers = Shapers(self.components, self.json_schemas)
        reader = OperationReader(self.components)
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            for method, raw in item.items():
                if method in ("get", "post", "patch", "delete", "put"):
                    operation = reader.read(path, method, raw)
                    self.operations[operation.id] = operation
        _demote_creates(self.operations.values())
        self.types: dict[str, ResourceType] = TypeReader(self.components).read(
            self.operations.values()
        )
        self.router = Router(self.operations.values())
        self._validators: dict[str, jsonschema_rs.Validator] = {}
        self._lock = threading.Lock()

    def match(self, method: str, path: str) -> Match | None:
        return self.router.match(method, path)

    def validator(self, operation: Operation) -> jsonschema_rs.Validator:
        """The request body's validator, compiled on first use."""
        found = self._validators.get(operation.id)
        if found is None:
            assert operation.body_schema is not None
            with self._lock:
                found = self._validators.get(operation.id)
                if found is None:
                    found = self._validators[operation.id] = self.json_schemas.validator(
                        operation.body_schema
                    )
        return found

    def attributes_shaper(self, resource_type: str) -> Any:
        """Shapes a type's stored attributes to every attribute its answers may show."""
        return self.shapers.shaper(self.types[resource_type].attributes)


def _demote_creates(operations: Any) -> None:
    """A POST answering the type it is sent creates a resource only where that resource can be
    read back (a GET on the collection or on one of its items); otherwise it is an action
    (``/api/campaign-message-assign-template``, the reports)."""
    operations = list(operations)
    readable = {
        operation.segments[:2]
        for operation in operations
        if operation.kind in (Kind.LIST, Kind.GET)
    }
    for operation in operations:
        if operation.kind in (Kind.CREATE, Kind.JOB) and operation.segments[:2] not in readable:
            operation.kind = Kind.ACTION


@functools.cache
def load() -> Spec:
    """The spec, read once per process."""
    return Spec(read())
