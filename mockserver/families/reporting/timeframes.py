"""Time for the reports: a timeframe (a key such as ``last_30_days``, or a custom start and end)
resolved into a span of instants in a timezone, and the intervals a series or an aggregate
splits a span into.

Intervals of a day, a week or a month are the legacy export's (``domain.export``: its periods,
weeks from Monday), taken on local dates, so that an aggregate in UTC gives the export's
numbers for the same events; an hour is a local clock hour.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from typing import TypeVar
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from ...domain.export import Query as ExportQuery
from ...domain.export import period
from ...domain.export import periods

T = TypeVar("T")

#: The longest timeframe a report takes ("Max length: 1 year", SPEC ``timeframe``); 366 days
#: so that a leap year's ``last_year`` fits (*chosen*).
LONGEST = timedelta(days=366)
#: The longest timeframe each series interval takes (SPEC ``interval``). Monthly is held to the
#: year every timeframe is held to, not to the document's 52 weeks, which would refuse its own
#: ``last_12_months`` and ``this_year`` (*chosen*).
SERIES_LIMITS = {"hourly": timedelta(days=7), "daily": timedelta(days=60)}
#: A series interval as the unit the intervals are cut by.
SERIES_UNITS = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month"}


class ReportError(ValueError):
    """A report query Klaviyo would refuse: ``member`` names what is at fault (a body member
    under ``/data/attributes``, or a query parameter), ``status`` is 400 or 404."""

    def __init__(self, member: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.member = member
        self.status = status


@dataclass(frozen=True, slots=True)
class Span:
    """From ``start`` (included) to ``end`` (excluded), both aware, in the report's zone."""

    start: datetime
    end: datetime

    def holds(self, timestamp: float) -> bool:
        return self.start.timestamp() <= timestamp < self.end.timestamp()

    def holds_moment(self, text: Any) -> bool:
        """Whether an ISO 8601 stamp (a record's ``created``) falls in the span."""
        moment = parse_moment(text)
        return moment is not None and self.holds(moment.timestamp())

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def parse_moment(text: Any) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; naive is UTC), or None."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def zone(name: Any, member: str = "timezone") -> ZoneInfo:
    """An IANA timezone by its (case-sensitive) name; a :class:`ReportError` otherwise."""
    if isinstance(name, str) and name and ".." not in name and not name.startswith("/"):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder (America)
            pass
    raise ReportError(member, f"{name!r} is not a timezone of the IANA database.")


def account_zone(details: Mapping[str, Any]) -> ZoneInfo:
    """The account's timezone (``GET /api/accounts``), UTC when it names none the database
    knows."""
    try:
        return zone(details.get("timezone") or "UTC")
    except ReportError:
        return ZoneInfo("UTC")


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def shift_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept within the month it lands in (Mar 31 - 1 = Feb 28)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _key_dates(key: str, today: date) -> tuple[date, date]:
    """The local dates a timeframe key covers, the end excluded. ``last_N_days`` and
    ``last_N_months`` end with today, included (*chosen*: what was just sent shows); weeks
    start on Monday, as the legacy export's do (*chosen*)."""
    tomorrow = today + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    january = today.replace(month=1, day=1)
    days = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90, "last_365_days": 365}
    if key in days:
        return tomorrow - timedelta(days=days[key]), tomorrow
    spans = {
        "today": (today, tomorrow),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (first, shift_months(first, 1)),
        "last_month": (shift_months(first, -1), first),
        "this_year": (january, january.replace(year=january.year + 1)),
        "last_year": (january.replace(year=january.year - 1), january),
        "last_3_months": (shift_months(tomorrow, -3), tomorrow),
        "last_12_months": (shift_months(tomorrow, -12), tomorrow),
    }
    if key not in spans:
        raise ReportError("timeframe/key", f"{key!r} is not a timeframe key.")
    return spans[key]


def _custom_moment(given: Mapping[str, Any], name: str, tz: ZoneInfo) -> datetime:
    """A custom timeframe's ``start`` or ``end``: its offset is ignored and the account's
    timezone is used (SPEC ``CustomTimeframe``)."""
    text = given.get(name)
    moment = parse_moment(text)
    if moment is None:
        raise ReportError(f"timeframe/{name}", f"{text!r} is not an ISO 8601 date-time.")
    naive = datetime.fromisoformat(str(text).replace("Z", "+00:00")).replace(tzinfo=None)
    return naive.replace(tzinfo=tz)


def timeframe(given: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> Span:
    """The span a report's ``timeframe`` names: a key, or a custom ``start`` and ``end``
    (after the start, at most a year later)."""
    if "key" in given:
        start_day, end_day = _key_dates(str(given["key"]), now.astimezone(tz).date())
        return Span(midnight(start_day, tz), midnight(end_day, tz))
    start = _custom_moment(given, "start", tz)
    end = _custom_moment(given, "end", tz)
    if end <= start:
        raise ReportError("timeframe/end", "The timeframe must end after it starts.")
    if end - start > LONGEST:
        raise ReportError("timeframe", "A timeframe is at most one year long.")
    return Span(start, end)


def series_unit(interval: str, span: Span) -> str:
    """The unit a series interval cuts ``span`` by, refused where the span is longer than the
    interval allows (hourly: 7 days, daily: 60 days)."""
    limit = SERIES_LIMITS.get(interval)
    if limit is not None and span.length > limit:
        raise ReportError(
            "interval", f"With {interval} intervals the timeframe is at most {limit.days} days."
        )
    if interval not in SERIES_UNITS:
        raise ReportError("interval", f"{interval!r} is not an interval.")
    return SERIES_UNITS[interval]


class Timeline:
    """``span`` cut into intervals of ``unit`` (hour, day, week, month) in ``tz``: the first
    starts where the span's start falls, aligned to the unit (a day at midnight, a week on
    Monday, a month on the 1st)."""

    def __init__(self, span: Span, unit: str, tz: ZoneInfo) -> None:
        self.span = span
        self.unit = unit
        self.tz = tz
        self.starts = self._starts()
        self._index = {self._key_of(start): i for i, start in enumerate(self.starts)}

    def _starts(self) -> list[datetime]:
        if self.unit == "hour":
            found = []
            moment = self._hour(self.span.start)
            while moment < self.span.end:
                found.append(moment)
                moment = self._hour(
                    (moment.astimezone(UTC) + timedelta(hours=1)).astimezone(self.tz)
                )
            return found
        last = (self.span.end - timedelta(microseconds=1)).astimezone(self.tz).date()
        query = ExportQuery(
            start=self.span.start.astimezone(self.tz).date(), end=last, unit=self.unit
        )
        return [midnight(day, self.tz) for day in periods(query)]

    def _hour(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz).replace(minute=0, second=0, microsecond=0)

    def _key_of(self, moment: datetime) -> Any:
        local = moment.astimezone(self.tz)
        if self.unit == "hour":
            return self._hour(local).timestamp()
        return period(local.date(), self.unit)

    def index(self, timestamp: float) -> int | None:
        """The interval an instant falls in; None outside the span."""
        if not self.span.holds(timestamp):
            return None
        return self._index.get(self._key_of(datetime.fromtimestamp(timestamp, UTC)))

    def split(self, found: Iterable[T], stamp: Callable[[T], float]) -> list[list[T]]:
        """``found`` sorted into the intervals by ``stamp(item)`` (a Unix time); what falls
        outside the span is left out."""
        buckets: list[list[T]] = [[] for _ in self.starts]
        for item in found:
            position = self.index(stamp(item))
            if position is not None:
                buckets[position].append(item)
        return buckets

    def labels(self) -> list[str]:
        """The intervals' starts as the answers write them (ISO 8601 with the zone's offset)."""
        return [start.isoformat() for start in self.starts]
