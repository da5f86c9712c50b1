"""The listing pipeline's first step: an operation's query parameters read and checked against
its vocabulary in the spec (sparse fieldsets, ``include``, ``additional-fields``, ``sort``,
page size and cursor, ``filter`` with ``x-klaviyo-filters``, and any other parameter it
declares). A value the spec does not allow is a 400 naming the parameter; a parameter of the
JSON:API family that the operation does not take is one too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..domain.filters import FilterError
from ..domain.filters import parse_checked
from ..domain.listing import ListQuery
from ..spec import Operation
from .errors import ApiError
from .jsonapi import decode_cursor

_TYPED = re.compile(r"(fields|additional-fields)\[([^\]]*)\]")


@dataclass(frozen=True, slots=True)
class Params:
    """What a call's query asks of its answer."""

    fields: Mapping[str, list[str]] = field(default_factory=dict)
    includes: tuple[str, ...] = ()
    additional: Mapping[str, frozenset[str]] = field(default_factory=dict)
    listing: ListQuery | None = None
    cursor: str | None = None
    other: Mapping[str, str] = field(default_factory=dict)

    def fields_of(self, kind: str) -> list[str]:
        return self.fields.get(kind, [])

    def additional_of(self, kind: str) -> frozenset[str]:
        return self.additional.get(kind, frozenset())


EMPTY = Params()


def read(operation: Operation, args: MultiDict[str, str]) -> Params:
    """The query of a call to ``operation``, checked (``ApiError`` 400 otherwise)."""
    if not args:
        if operation.filter_required:
            raise ApiError(400, "A filter is required.", parameter="filter")
        for parameter in operation.parameters.values():
            if parameter.required:
                raise ApiError(400, f"{parameter.name} is required.", parameter=parameter.name)
        return EMPTY if operation.cursor is None else Params(listing=_listing(operation, args))
    fields: dict[str, list[str]] = {}
    additional: dict[str, frozenset[str]] = {}
    for name in args:
        typed = _TYPED.fullmatch(name)
        if typed is None:
            continue
        family, kind = typed[1], typed[2]
        vocabulary = (operation.fields if family == "fields" else operation.additional).get(kind)
        if vocabulary is None:
            raise ApiError(
                400,
                f"{name} is not a parameter of {operation.id}.",
                parameter=name,
            )
        values = _csv(args, name, vocabulary)
        if family == "fields":
            fields[kind] = values
        else:
            additional[kind] = frozenset(values)
    includes: tuple[str, ...] = ()
    if "include" in args:
        includes = tuple(dict.fromkeys(_csv(args, "include", operation.includes)))
    other = {}
    for parameter in operation.parameters.values():
        value = args.get(parameter.name)
        if value is None:
            if parameter.required:
                raise ApiError(400, f"{parameter.name} is required.", parameter=parameter.name)
            continue
        if parameter.enum is not None and value not in parameter.enum:
            raise ApiError(
                400,
                f"{value!r} is not a valid choice for {parameter.name}; choose from"
                f" {', '.join(map(str, parameter.enum))}.",
                parameter=parameter.name,
            )
        other[parameter.name] = value
    return Params(
        fields=fields,
        includes=includes,
        additional=additional,
        listing=_listing(operation, args),
        cursor=args.get(operation.cursor) if operation.cursor else None,
        other=other,
    )


def _csv(args: MultiDict[str, str], name: str, allowed: frozenset[str]) -> list[str]:
    """A comma-separated parameter (``fields[profile]=email,first_name``), each value one of
    ``allowed``."""
    values = [v.strip() for raw in args.getlist(name) for v in raw.split(",") if v.strip()]
    for value in values:
        if value not in allowed:
            choices = ", ".join(sorted(allowed)) or "none"
            raise ApiError(
                400,
                f"{value!r} is not a valid choice for {name}; choose from {choices}.",
                parameter=name,
            )
    return values


def _listing(operation: Operation, args: MultiDict[str, str]) -> ListQuery | None:
    """Filter, sort, cursor and size, for an operation that lists (None otherwise)."""
    if operation.filters is None and operation.sorts is None and operation.cursor is None:
        for name in ("filter", "sort", "page[size]", "page[cursor]"):
            if name in args:
                raise ApiError(400, f"{name} is not a parameter of {operation.id}.", parameter=name)
        return None
    expression = None
    text = args.get("filter")
    if text:
        if operation.filters is None:
            raise ApiError(400, f"filter is not a parameter of {operation.id}.", parameter="filter")
        try:
            expression = parse_checked(text, operation.filters)
        except FilterError as error:
            raise ApiError(400, str(error), parameter="filter") from None
    elif operation.filter_required:
        raise ApiError(400, "A filter is required.", parameter="filter")
    sort, descending = None, False
    given = args.get("sort")
    if given is not None:
        if operation.sorts is None or given not in operation.sorts:
            choices = ", ".join(sorted(operation.sorts or ())) or "none"
            raise ApiError(
                400,
                f"{given!r} is not a valid sort for {operation.id}; choose from {choices}.",
                parameter="sort",
            )
        sort, descending = given.removeprefix("-"), given.startswith("-")
    return ListQuery(
        filter=expression,
        sort=sort,
        descending=descending,
        after=_after(operation, args),
        size=_size(operation, args),
    )


def _after(operation: Operation, args: MultiDict[str, str]) -> list[Any] | None:
    if operation.cursor is None:
        if "page[cursor]" in args:
            raise ApiError(
                400, f"page[cursor] is not a parameter of {operation.id}.", parameter="page[cursor]"
            )
        return None
    cursor = args.get(operation.cursor)
    return (
        decode_cursor(cursor, scope(operation, args.get("sort")), operation.cursor)
        if cursor
        else None
    )


def scope(operation: Operation, sort: str | None) -> str:
    """What a cursor is for: the operation, and the sort it pages."""
    return f"{operation.id}:{sort or ''}"


def _size(operation: Operation, args: MultiDict[str, str]) -> int:
    page = operation.page
    raw = args.get("page[size]")
    if page is None:
        if raw is not None:
            raise ApiError(
                400, f"page[size] is not a parameter of {operation.id}.", parameter="page[size]"
            )
        return operation.fixed_page or 10_000
    if raw is None:
        return page.default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not page.minimum <= size <= page.maximum:
        raise ApiError(
            400,
            f"page[size] must be an integer from {page.minimum} to {page.maximum}.",
            parameter="page[size]",
        )
    return size
