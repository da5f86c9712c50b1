"""Each operation of the document, read once into what the mock needs at every call: what kind
of operation it is, the resource type it acts on, its query vocabulary (sparse fieldsets,
``include``, ``additional-fields``, ``sort``, page sizes, ``filter`` fields and operators from
``x-klaviyo-filters``), its scopes and rate limits, and the schemas of its body and its answer.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .document import JSON
from .document import Components

METHODS = ("get", "post", "patch", "delete", "put")


class Kind(enum.Enum):
    """What an operation does, read from its path and method (the generic handler's choice)."""

    LIST = "list"  # GET /api/things
    GET = "get"  # GET /api/things/{id}
    CREATE = "create"  # POST /api/things, answering the thing
    JOB = "job"  # POST /api/thing-bulk-…-jobs, answering the job (202)
    UPDATE = "update"  # PATCH /api/things/{id}
    DELETE = "delete"  # DELETE /api/things/{id}
    RELATED = "related"  # GET /api/things/{id}/others
    LINKAGE = "linkage"  # GET /api/things/{id}/relationships/others
    LINK_ADD = "link-add"  # POST …/relationships/others
    LINK_REPLACE = "link-replace"  # PATCH …/relationships/others
    LINK_REMOVE = "link-remove"  # DELETE …/relationships/others
    ACTION = "action"  # any other POST (reports, clones, events, subscriptions…)


@dataclass(frozen=True, slots=True)
class FilterField:
    """One field of ``x-klaviyo-filters``: its operators (``single`` take a value, ``list`` a
    list of values) and the type of its values."""

    name: str
    single: frozenset[str]
    listed: frozenset[str]
    value_type: str  # "string", "boolean", "integer", "number", "array"
    value_format: str | None = None  # "date-time"
    enum: tuple[Any, ...] | None = None
    #: Operators that take no value (``has``).
    valueless: frozenset[str] = frozenset()

    @property
    def operators(self) -> frozenset[str]:
        return self.single | self.listed | self.valueless


@dataclass(frozen=True, slots=True)
class PageSize:
    default: int
    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class RateLimit:
    burst: str | None
    steady: str | None
    daily: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A query parameter that is none of the JSON:API ones (``group_by``, ``timeframe``…)."""

    name: str
    required: bool
    type: str
    enum: tuple[Any, ...] | None
    example: Any = None


@dataclass(slots=True)
class Operation:
    id: str
    method: str  # upper case
    path: str  # the document's template, e.g. /api/lists/{id}/relationships/profiles
    segments: tuple[str, ...]
    kind: Kind
    #: The type of the resource the path names (``/api/lists/{id}/…``: list), or the type a
    #: collection path holds (``/api/lists``: list); None for actions on no resource type.
    resource_type: str | None
    #: The relationship a RELATED or LINK* path names.
    relationship: str | None
    #: The types the answer's ``data`` holds, and whether it is a list.
    data_types: tuple[str, ...]
    many: bool
    #: Whether the answer's ``data`` may be null (a to-one relationship nothing is linked to).
    data_nullable: bool
    statuses: tuple[int, ...]
    scopes: tuple[str, ...]
    rate_limit: RateLimit
    #: The request body: its media type, its schema (a ``$ref`` object), and its ``data.type``.
    body_media: str | None = None
    body_schema: JSON | None = None
    request_types: tuple[str, ...] = ()
    #: The attributes the body may set (None: any, the body's attributes being free-form).
    body_attributes: frozenset[str] | None = None
    #: The relationships the body must give (whose linkage ``data`` its schema leaves optional).
    body_links: tuple[str, ...] = ()
    #: The answer's resource object schema (of one item of ``data``), by type, and those of
    #: ``included``, by type.
    data_schemas: dict[str, JSON] = field(default_factory=dict)
    included_schemas: dict[str, JSON] = field(default_factory=dict)
    #: Query vocabulary.
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    includes: frozenset[str] = frozenset()
    additional: dict[str, frozenset[str]] = field(default_factory=dict)
    sorts: frozenset[str] | None = None
    page: PageSize | None = None
    cursor: str | None = None  # "page[cursor]", or "page_cursor" (reports)
    #: Pages whose size the caller cannot choose: the size the description states (get_metrics:
    #: "a maximum of 200 results per page"), else 100 (*chosen*).
    fixed_page: int | None = None
    filters: dict[str, FilterField] | None = None
    filter_required: bool = False
    parameters: dict[str, Parameter] = field(default_factory=dict)
    client: bool = False  # a /client/ operation (public key)
    company_id_required: bool = True
    revision_required: bool = True
    pre_release: bool = False

    @property
    def tag(self) -> str:
        return self.segments[1] if len(self.segments) > 1 else ""


def _segments(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


def _kind(method: str, segments: tuple[str, ...], data_types: tuple[str, ...],
          request_types: tuple[str, ...], statuses: tuple[int, ...]) -> Kind:  # fmt: skip
    depth = len(segments)
    has_id = depth >= 3 and segments[2].startswith("{")
    if depth == 5 and segments[3] == "relationships" and has_id:
        return {
            "GET": Kind.LINKAGE,
            "POST": Kind.LINK_ADD,
            "PATCH": Kind.LINK_REPLACE,
            "DELETE": Kind.LINK_REMOVE,
        }[method]
    if depth == 4 and has_id and method == "GET":
        return Kind.RELATED
    if depth == 3 and has_id:
        return {"GET": Kind.GET, "PATCH": Kind.UPDATE, "DELETE": Kind.DELETE}.get(
            method, Kind.ACTION
        )
    if depth == 2 and method == "GET":
        return Kind.LIST
    if depth == 2 and method == "POST":
        if request_types and data_types and request_types[0] == data_types[0]:
            if request_types[0].endswith("-job") and 202 in statuses:
                return Kind.JOB
            return Kind.CREATE
        return Kind.ACTION
    return Kind.ACTION


def _relationship(kind: Kind, segments: tuple[str, ...]) -> str | None:
    if kind in (Kind.LINKAGE, Kind.LINK_ADD, Kind.LINK_REPLACE, Kind.LINK_REMOVE):
        return segments[4]
    return segments[3] if kind is Kind.RELATED else None


_PER_PAGE = re.compile(r"([0-9]+) results per page|page size of ([0-9]+)")
_TYPED_PARAM = re.compile(r"(fields|additional-fields)\[([a-z0-9-]+)\]")


def _rate(value: Any) -> RateLimit:
    value = value if isinstance(value, dict) else {}
    return RateLimit(value.get("burst"), value.get("steady"), value.get("daily"))


class OperationReader:
    """Reads operations out of the document (``Spec`` keeps them)."""

    def __init__(self, components: Components) -> None:
        self.c = components

    def read(self, path: str, method: str, raw: JSON) -> Operation:
        segments = _segments(path)
        statuses, data_types, many, data_schemas, included, nullable = self._answer(raw)
        body_media = body_schema = None
        request_types: tuple[str, ...] = ()
        body = raw.get("requestBody")
        body_attributes = None
        body_links: tuple[str, ...] = ()
        if body:
            body_media, content = next(iter(body["content"].items()))
            body_schema = content["schema"]
            request_types = self._request_types(body_schema)
            body_attributes = self._body_attributes(body_schema)
            body_links = self._body_links(body_schema)
        kind = _kind(method.upper(), segments, data_types, request_types, statuses)
        operation = Operation(
            id=raw["operationId"],
            method=method.upper(),
            path=path,
            segments=segments,
            kind=kind,
            resource_type=None,
            relationship=_relationship(kind, segments),
            data_types=data_types,
            many=many,
            data_nullable=nullable,
            statuses=statuses,
            scopes=tuple(raw.get("x-klaviyo-scopes", ())),
            rate_limit=_rate(raw.get("x-klaviyo-ratelimit")),
            body_media=body_media,
            body_schema=body_schema,
            request_types=request_types,
            body_attributes=body_attributes,
            body_links=body_links,
            data_schemas=data_schemas,
            included_schemas=included,
            client=segments[0] == "client",
            pre_release=raw.get("x-klaviyo-pre-release", "None") not in ("None", None),
        )
        self._parameters(operation, raw.get("parameters", ()), raw.get("x-klaviyo-filters"))
        if operation.cursor is not None and operation.page is None:
            stated = _PER_PAGE.search(raw.get("description", ""))
            operation.fixed_page = int(stated[1] or stated[2]) if stated else 100
        return operation

    # -- answers ----------------------------------------------------------------------------

    def _answer(
        self, raw: JSON
    ) -> tuple[tuple[int, ...], tuple[str, ...], bool, dict[str, JSON], dict[str, JSON], bool]:
        statuses: list[int] = []
        data_types: list[str] = []
        data_schemas: dict[str, JSON] = {}
        included: dict[str, JSON] = {}
        many = nullable = False
        for code, response in raw.get("responses", {}).items():
            if not code.isdigit() or not code.startswith("2"):
                continue
            statuses.append(int(code))
            content = response.get("content")
            if not content:
                continue
            document = self.c.resolve(next(iter(content.values()))["schema"])
            data = document.get("properties", {}).get("data")
            if data is not None:
                nullable = nullable or self.c.nullable(data)
                data = self.c.resolve(data)
                if data.get("type") == "array":
                    many = True
                    data = data.get("items", {})
                for branch in self._branches(data):
                    for kind in self.c.resource_types(branch):
                        data_schemas.setdefault(kind, branch)
                        if kind not in data_types:
                            data_types.append(kind)
            extra = document.get("properties", {}).get("included")
            if extra is not None:
                items = self.c.resolve(self.c.resolve(extra).get("items", {}))
                for branch in self._branches(items):
                    for kind in self.c.resource_types(branch):
                        included.setdefault(kind, branch)
        return tuple(statuses), tuple(data_types), many, data_schemas, included, nullable

    def _branches(self, schema: Any) -> list[Any]:
        resolved = self.c.flatten(schema)
        branches = resolved.get("oneOf") or resolved.get("anyOf")
        if branches:
            return [b for branch in branches for b in self._branches(branch)]
        return [resolved]

    def _body_attributes(self, schema: Any) -> frozenset[str] | None:
        document = self.c.flatten(schema)
        data = document.get("properties", {}).get("data")
        if data is None:
            return None
        data = self.c.flatten(data)
        if data.get("type") == "array":
            data = self.c.flatten(data.get("items", {}))
        attributes = data.get("properties", {}).get("attributes")
        if attributes is None:
            return None
        names = self.c.flatten(attributes).get("properties")
        return frozenset(names) if names else None

    def _body_links(self, schema: Any) -> tuple[str, ...]:
        data = self.c.flatten(self.c.flatten(schema).get("properties", {}).get("data", {}))
        if data.get("type") == "array":
            return ()
        relationships = data.get("properties", {}).get("relationships")
        if relationships is None or "relationships" not in data.get("required", ()):
            return ()
        return tuple(self.c.flatten(relationships).get("required", ()))

    def _request_types(self, schema: Any) -> tuple[str, ...]:
        document = self.c.resolve(schema)
        data = document.get("properties", {}).get("data")
        if data is None:
            return ()
        data = self.c.resolve(data)
        if data.get("type") == "array":
            data = data.get("items", {})
        found: list[str] = []
        for branch in self._branches(data):
            found.extend(k for k in self.c.resource_types(branch) if k not in found)
        return tuple(found)

    # -- query ------------------------------------------------------------------------------

    def _parameters(self, operation: Operation, parameters: Any, filters: JSON | None) -> None:
        for raw in parameters:
            name, where = raw.get("name", ""), raw.get("in")
            schema = self.c.resolve(raw.get("schema", {}))
            if where == "header":
                if name == "revision":
                    operation.revision_required = bool(raw.get("required"))
                continue
            if where != "query":
                continue
            typed = _TYPED_PARAM.fullmatch(name)
            if typed:
                values = frozenset(self.c.resolve(schema.get("items", {})).get("enum", ()))
                target = operation.fields if typed[1] == "fields" else operation.additional
                target[typed[2]] = values
            elif name == "include":
                operation.includes = frozenset(
                    self.c.resolve(schema.get("items", {})).get("enum", ())
                )
            elif name == "sort":
                operation.sorts = frozenset(schema.get("enum", ()))
            elif name == "page[size]":
                maximum = int(schema.get("maximum") or schema.get("default") or 100)
                operation.page = PageSize(
                    int(schema.get("default") or maximum), int(schema.get("minimum") or 1), maximum
                )
            elif name in ("page[cursor]", "page_cursor"):
                operation.cursor = name
            elif name == "filter":
                operation.filter_required = bool(raw.get("required"))
            elif name == "company_id":
                operation.company_id_required = bool(raw.get("required"))
            else:
                enum_values = schema.get("enum")
                operation.parameters[name] = Parameter(
                    name,
                    bool(raw.get("required")),
                    str(schema.get("type", "string")),
                    tuple(enum_values) if enum_values else None,
                    schema.get("example"),
                )
        if filters is not None:
            operation.filters = {
                name: self._filter_field(name, value) for name, value in filters.items()
            }
        elif operation.filter_required or any(
            p.get("name") == "filter" for p in parameters if isinstance(p, dict)
        ):
            operation.filters = {}

    def _filter_field(self, name: str, raw: JSON) -> FilterField:
        operators = raw.get("operators", {})
        value = self.c.resolve(raw.get("value", {}))
        return FilterField(
            name,
            frozenset(operators.get("single", ())),
            frozenset(operators.get("list", ())),
            str(value.get("type", "string")),
            value.get("format"),
            tuple(value["enum"]) if value.get("enum") else None,
            frozenset(operators.get("none", ())),
        )
