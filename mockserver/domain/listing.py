"""The listing pipeline's domain half, which every resource type shares: what a listing asks
(``ListQuery``: filter, sort, cursor, page size), what a source hands back (``Item``: a resource
as the API shows it, attributes complete, relationships where the source knows them), and the
``Source`` each type is read through (a family's own, or the generic one over stored records).

The HTTP half reads the query from the request, checked against the operation's vocabulary in
the spec (``api.query``), and renders items as JSON:API documents (``api.render``,
``api.generic.document``): sparse fieldsets, ``include``, relationship data and links, the
same way for every type.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from typing import NamedTuple
from typing import Protocol

from .filters import Filter
from .filters import matches
from .paging import check
from .paging import cut

#: A relationship's linkage: the related ids (to many), one id or None (to one).
Linkage = tuple[str, ...] | str | None


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a listing asks for. ``sort`` is a field name (None: the source's own order) and
    ``after`` the cursor's key: where the previous page ended."""

    filter: Filter | None = None
    sort: str | None = None
    descending: bool = False
    after: list[Any] | None = None
    size: int = 20


class Item(NamedTuple):
    """A resource as the API shows it: its id, every attribute (additional fields included
    when asked), and the linkage of the relationships its source knows at once."""

    id: str
    attributes: Mapping[str, Any]
    relationships: Mapping[str, Linkage] = {}


class Page(NamedTuple):
    items: list[Item]
    next_key: list[Any] | None = None


class Source(Protocol):
    """How one resource type is read. Reads hold the store's lock themselves."""

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        """The items with these ids that exist, in the order given."""
        ...

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        """A page of the type's listing."""
        ...

    def linked(self, item_id: str, relationship: str) -> Linkage:
        """The linkage of one item's relationship; a :class:`~.commands.NotFound` when the
        item does not exist."""
        ...


def sort_key(value: Any) -> list[Any]:
    """A JSON-safe sort key for a value that may be missing (missing sorts first)."""
    if value is None:
        return [False, ""]
    return [True, value]


def select(
    candidates: Iterable[Any],
    query: ListQuery,
    field: Callable[[Any, str], Any],
    position: Callable[[Any], list[Any]],
) -> tuple[list[Any], list[Any] | None]:
    """Filter, sort and cut ``candidates`` (whatever a source lists): ``field(candidate, name)``
    reads a field for the filter and the sort, ``position(candidate)`` is its place in the
    source's own order (the tie-breaker, and the whole key without a sort)."""
    expression = query.filter
    if query.sort is None:
        return _in_position_order(candidates, query, field, position)
    rows = []
    for candidate in candidates:
        if expression is not None and not matches(expression, partial(field, candidate)):
            continue
        key = position(candidate)
        if query.sort is not None:
            key = [*sort_key(field(candidate, query.sort)), *key]
        rows.append((key, candidate))
    return cut(rows, query.descending, query.after, query.size)


def _in_position_order(
    candidates: Iterable[Any],
    query: ListQuery,
    field: Callable[[Any, str], Any],
    position: Callable[[Any], list[Any]],
) -> tuple[list[Any], list[Any] | None]:
    """``select`` without a sort: the candidates in the source's order, filtered only until
    the page is full (a page of a long listing costs its ordering, not a filter on each)."""
    ordered = sorted(((position(c), c) for c in candidates), key=lambda row: row[0])
    if query.descending:
        ordered.reverse()
    if query.after is not None and ordered:
        check(query.after, ordered[0][0])
        after = query.after
        ordered = [r for r in ordered if (r[0] < after if query.descending else r[0] > after)]
    chosen: list[tuple[list[Any], Any]] = []
    for key, candidate in ordered:
        if query.filter is None or matches(query.filter, partial(field, candidate)):
            chosen.append((key, candidate))
            if len(chosen) > query.size:
                break
    page = chosen[: query.size]
    next_key = page[-1][0] if len(chosen) > query.size else None
    return [candidate for _, candidate in page], next_key


def item_field(item: Item, name: str) -> Any:
    """A field of an item, as a filter or a sort names it: ``id``, or an attribute (a dotted
    name reads into an object)."""
    if name in ("id", "ids"):
        return item.id
    attributes = item.attributes
    if name in attributes:
        return attributes[name]
    value: Any = attributes
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def select_items(items: Sequence[Item], query: ListQuery) -> Page:
    """Filter, sort and cut items already read (a resource's related items), keeping their
    order where the query sorts nothing."""
    rows = list(enumerate(items))
    chosen, next_key = select(
        rows, query, lambda row, name: item_field(row[1], name), lambda row: [row[0]]
    )
    return Page([item for _, item in chosen], next_key)
