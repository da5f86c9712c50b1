"""Metric aggregates (``POST /api/metric-aggregates``): a metric's stored events counted
(``count``), their people counted (``unique``) and their ``$value`` summed (``sum_value``), by
interval (hour, day, week, month) in the query's timezone, split by event properties (``by``)
and kept by the document's filter grammar: a required ``datetime`` range, and conditions on
the same properties ``by`` takes.

The measurements are the legacy export's (``domain.export``), and so are the intervals of a
day, a week or a month (``timeframes.Timeline``): an aggregate in UTC gives the export's numbers
for the same events. An event without a property ``by`` names is grouped under ``""``, as the
export groups it (*chosen*).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ... import spec
from ...domain.export import measure
from ...domain.filters import Compare
from ...domain.filters import Filter
from ...domain.filters import FilterError
from ...domain.filters import Logic
from ...domain.filters import matches
from ...domain.filters import parse
from ...domain.models import Event
from .timeframes import LONGEST
from .timeframes import ReportError
from .timeframes import Span
from .timeframes import Timeline
from .timeframes import zone

#: A measurement of the document as the legacy export names it.
MEASURES = {"count": "count", "unique": "unique", "sum_value": "value"}
#: Timezones the document says the endpoint does not take.
UNSUPPORTED_ZONES = frozenset({"Factory", "Europe/Kyiv", "Pacific/Kanton"})
STARTS = frozenset({"greater-or-equal", "greater-than"})
ENDS = frozenset({"less-than", "less-or-equal"})
#: Operators on a property (*chosen*: the GET filters' operators that apply to one value).
PROPERTY_OPERATORS = frozenset({"equals", "any", "contains", "contains-any"})
#: What ``return_fields`` may name: the answer's attributes, which the document requires, so
#: the answer keeps both (*chosen*).
RETURN_FIELDS = frozenset({"dates", "data"})
DEFAULT_PAGE_SIZE = 500
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


@functools.cache
def dimensions() -> tuple[str, ...]:
    """The properties ``by`` takes (SPEC ``MetricAggregateQuery``), which filters take too."""
    document = spec.load()
    components = document.components
    body = document.operations["query_metric_aggregates"].body_schema
    data = components.resolve(components.resolve(body)["properties"]["data"])
    attributes = components.resolve(data["properties"]["attributes"])
    by = components.resolve(attributes["properties"]["by"])
    return tuple(components.resolve(by["items"])["enum"])


@dataclass(frozen=True, slots=True)
class AggregateQuery:
    metric_id: str
    measurements: tuple[str, ...]
    timeline: Timeline
    by: tuple[str, ...]
    where: tuple[Filter, ...]
    sort: str | None
    page_size: int
    #: What the query asks, as text: the scope of its cursors.
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Row:
    dimensions: list[str]
    measurements: dict[str, list[float]]


def read(attributes: Mapping[str, Any]) -> AggregateQuery:
    """The query a body's attributes ask (a :class:`ReportError` naming the member at fault)."""
    measurements = tuple(dict.fromkeys(attributes["measurements"]))
    if not measurements:
        raise ReportError("measurements", "Give at least one measurement.")
    tz_name = attributes.get("timezone") or "UTC"
    if tz_name in UNSUPPORTED_ZONES:
        raise ReportError("timezone", f"{tz_name!r} is not a timezone this endpoint takes.")
    tz = zone(tz_name)
    by = tuple(dict.fromkeys(attributes.get("by") or ()))
    span, where = _filters(attributes["filter"], tz)
    page_size = attributes.get("page_size")
    page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if page_size < 1:
        raise ReportError("page_size", "page_size is at least 1.")
    for name in attributes.get("return_fields") or ():
        if name not in RETURN_FIELDS:
            raise ReportError("return_fields", f"{name!r} is not a field of a metric aggregate.")
    sort = attributes.get("sort")
    if sort is not None and sort.lstrip("-") not in (*by, *measurements):
        raise ReportError("sort", f"Sort by a measurement or a `by` dimension, not {sort!r}.")
    asked = {k: v for k, v in attributes.items() if k not in ("page_cursor", "page_size")}
    return AggregateQuery(
        metric_id=str(attributes["metric_id"]),
        measurements=measurements,
        timeline=Timeline(span, attributes.get("interval") or "day", tz),
        by=by,
        where=where,
        sort=sort,
        page_size=page_size,
        fingerprint=hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16],
    )


def _aliases() -> dict[str, str]:
    """Dimensions with a space (``Campaign Name``), which the filter grammar reads as two
    words, by the name they are parsed under."""
    return {name.replace(" ", "_"): name for name in dimensions() if " " in name}


def _filters(given: list[str], tz: ZoneInfo) -> tuple[Span, tuple[Filter, ...]]:
    """The ``datetime`` range (required, at most a year) and the conditions on properties."""
    aliases = _aliases()
    allowed = {"datetime": STARTS | ENDS}
    allowed.update({name: PROPERTY_OPERATORS for name in (*dimensions(), *aliases)})
    spaced = re.compile(r"\(\s*(" + "|".join(map(re.escape, aliases.values())) + r")\s*,")
    start: datetime | None = None
    end: datetime | None = None
    where: list[Filter] = []
    for text in given:
        protected = spaced.sub(lambda m: "(" + m[1].replace(" ", "_") + ",", text)
        try:
            expression = _renamed(parse(protected, allowed), aliases)
        except FilterError as error:
            raise ReportError("filter", str(error)) from None
        for term in _top_level(expression):
            if not (isinstance(term, Compare) and term.field == "datetime"):
                if "datetime" in _fields(term):
                    raise ReportError("filter", "A datetime condition stands alone, not in or/not.")
                where.append(term)
                continue
            moment = _moment(term, text, tz)
            if term.op in STARTS:
                bound = moment + timedelta(microseconds=1 if term.op == "greater-than" else 0)
                start = bound if start is None else max(start, bound)
            else:
                bound = moment + timedelta(microseconds=1 if term.op == "less-or-equal" else 0)
                end = bound if end is None else min(end, bound)
    if start is None or end is None:
        raise ReportError(
            "filter",
            "The filter must give a time range: greater-or-equal(datetime,…) and"
            " less-than(datetime,…).",
        )
    if end <= start:
        raise ReportError("filter", "The time range must end after it starts.")
    if end - start > LONGEST:  # *chosen*: the reports' year (the document gives no limit)
        raise ReportError("filter", "The time range is at most one year.")
    return Span(start.astimezone(tz), end.astimezone(tz)), tuple(where)


def _renamed(expression: Filter, aliases: Mapping[str, str]) -> Filter:
    if isinstance(expression, Logic):
        return Logic(expression.op, tuple(_renamed(t, aliases) for t in expression.terms))
    if isinstance(expression, Compare) and expression.field in aliases:
        return Compare(expression.op, aliases[expression.field], expression.value)
    return expression


def _top_level(expression: Filter) -> list[Filter]:
    if isinstance(expression, Logic) and expression.op == "and":
        return [t for term in expression.terms for t in _top_level(term)]
    return [expression]


def _fields(expression: Filter) -> set[str]:
    if isinstance(expression, Logic):
        return {f for term in expression.terms for f in _fields(term)}
    return {expression.field}


def _moment(term: Compare, text: str, tz: ZoneInfo) -> datetime:
    """A range bound: a date-time with an offset as given, one without in the query's
    timezone (*chosen*: the example's bounds and ``timezone`` read together)."""
    value = term.value
    if not isinstance(value, datetime | str):
        raise ReportError("filter", f"{term.op}(datetime,…) takes an ISO 8601 date-time.")
    literal = re.search(rf"{re.escape(term.op)}\(\s*datetime\s*,\s*['\"]?([^'\")\s]+)", text)
    raw = literal[1] if literal else str(value)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ReportError("filter", f"{raw!r} is not an ISO 8601 date-time.") from None
    if parsed.tzinfo is None and not _OFFSET.search(raw):
        return parsed.replace(tzinfo=tz)
    return parsed


def _label(value: Any) -> str:
    """A dimension's value as the answer writes it (the legacy export's ``str``)."""
    return "" if value is None else str(value)


def aggregate(events: Iterable[Event], query: AggregateQuery) -> list[Row]:
    """One row per combination of the ``by`` properties among the events the query keeps (one
    row without ``by``), each measurement with one value per interval, sorted."""
    span = query.timeline.span
    groups: dict[tuple[str, ...], list[Event]] = {}
    for event in events:
        if not span.holds(event.timestamp):
            continue
        get = event.properties.get
        if not all(matches(term, get) for term in query.where):
            continue
        key = tuple(_label(get(name)) for name in query.by)
        groups.setdefault(key, []).append(event)
    if not query.by:
        groups.setdefault((), [])
    rows = []
    for key, members in groups.items():
        buckets = query.timeline.split(members, lambda e: e.timestamp)
        rows.append(
            Row(
                list(key),
                {m: [float(measure(b, MEASURES[m])) for b in buckets] for m in query.measurements},
            )
        )
    return _sorted(rows, query)


def _sorted(rows: list[Row], query: AggregateQuery) -> list[Row]:
    """By ``sort`` (a dimension, or a measurement's total); without one, the biggest first by
    the first measurement, as the export ranks its segments (*chosen*). Ties by dimensions."""
    rows = sorted(rows, key=lambda row: row.dimensions)
    if query.sort is None:
        first = query.measurements[0]
        return sorted(rows, key=lambda row: -sum(row.measurements[first]))
    name = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    if name in query.by:
        position = query.by.index(name)
        return sorted(rows, key=lambda row: row.dimensions[position], reverse=descending)
    return sorted(rows, key=lambda row: sum(row.measurements[name]), reverse=descending)
