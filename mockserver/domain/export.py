"""The legacy metric export (legacy-api.md §8): events counted or summed by day, week or month.

Every period from the start date to the end date is in the answer (zero where nothing happened).
Weeks start on Monday. Measurements: ``count`` (events), ``unique`` (people), ``value`` (the
sum of ``$value``), or ``("sum", PROPERTY)``. ``where`` keeps events whose property equals a
value; ``by`` splits the results by a property's values (the ``count`` biggest segments).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from .models import Event


@dataclass(frozen=True)
class Query:
    start: date
    end: date
    unit: str = "day"
    measurement: str | tuple[str, str] = "count"
    where: tuple[str, Any] | None = None
    by: str | None = None
    count: int = 25


def period(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def periods(query: Query) -> list[date]:
    """The first day of every period from the query's start to its end."""
    found: list[date] = []
    day = query.start
    while day <= query.end:
        first = period(day, query.unit)
        if not found or found[-1] != first:
            found.append(first)
        day += timedelta(days=1)
    return found


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def measure(events: list[Event], measurement: str | tuple[str, str]) -> float:
    if measurement == "count":
        return float(len(events))
    if measurement == "unique":
        return float(len({e.profile_id for e in events}))
    prop = "$value" if measurement == "value" else measurement[1]
    return sum(_number(e.properties.get(prop)) for e in events)


def export(events: Iterable[Event], name: str, query: Query) -> list[dict[str, Any]]:
    """The ``results`` of an export: one segment (``name``) or one per value of ``by``."""
    first = datetime(query.start.year, query.start.month, query.start.day, tzinfo=UTC)
    last = datetime(query.end.year, query.end.month, query.end.day, tzinfo=UTC) + timedelta(days=1)
    chosen = [
        e
        for e in events
        if first.timestamp() <= e.timestamp < last.timestamp()
        and (query.where is None or e.properties.get(query.where[0]) == query.where[1])
    ]
    segments: dict[str, list[Event]] = {}
    for event in chosen:
        label = name if query.by is None else str(event.properties.get(query.by, ""))
        segments.setdefault(label, []).append(event)
    if query.by is None:
        segments.setdefault(name, [])
    ranked = sorted(segments.items(), key=lambda kv: -measure(kv[1], query.measurement))
    firsts = periods(query)
    results = []
    for label, members in ranked[: query.count]:
        buckets: dict[date, list[Event]] = {p: [] for p in firsts}
        for event in members:
            day = datetime.fromtimestamp(event.timestamp, UTC).date()
            buckets[period(day, query.unit)].append(event)
        data = [
            {
                "date": f"{first.isoformat()} 00:00:00",
                "values": [measure(bucket, query.measurement)],
            }
            for first, bucket in buckets.items()
        ]
        results.append({"segment": label, "data": data})
    return results
