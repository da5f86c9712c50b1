"""Today's events and metrics (klaviyo-behavior.md §5, current-api.md §5 and §6).

``Events.record`` is ``POST /api/events`` and ``POST /client/events``: the profile is created or
updated as a background call does it (``Profiles.absorb``, never a 409), the metric is made on
first use, and ``unique_id`` (or else the time to the second) deduplicates per profile and
metric, the same key legacy Track's ``$event_id`` uses, so the two generations share one set of
events. ``EventQuery`` reads them back for ``GET /api/events`` and ``GET /api/metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from ..spec import parse_moment
from .commands import InvalidAttribute
from .commands import NotFound
from .commands import ProfileChanges
from .filters import Compare
from .filters import Filter
from .filters import FilterError
from .filters import Has
from .filters import Logic
from .filters import equal_values
from .filters import matches
from .models import Event
from .models import EventHead
from .models import JSONDict
from .models import Metric
from .models import Profile
from .paging import cut

if TYPE_CHECKING:
    from .backend import Backend

#: The ingestion window of today's API (SPEC ``time``: "after the year 1990 and can only be up
#: to 1 year in the future"); a year is 366 days, as for Track.
EARLIEST_TIME = int(datetime(1990, 1, 1, tzinfo=UTC).timestamp())
ONE_YEAR = 366 * 24 * 3600
TIME_ERROR = "The time must be after the year 1990 and can only be up to 1 year in the future."
#: The integration every metric belongs to: made through the API (Track or ``POST /api/events``).
API_INTEGRATION: JSONDict = {
    "object": "integration",
    "id": "0rG4eQ",
    "name": "API",
    "category": "API",
}


def unique_key(event_id: object, timestamp: int) -> str:
    """What deduplicates an event: its ``unique_id`` / ``$event_id`` (``7``, ``7.0`` and ``"7"``
    alike), or else its time to the second (legacy-api.md §3, SPEC ``unique_id``)."""
    if event_id is None or event_id == "":
        return str(timestamp)
    if isinstance(event_id, float) and event_id.is_integer():
        return str(int(event_id))
    return str(event_id)


@dataclass(frozen=True)
class EventCommand:
    """What a ``POST /api/events`` body says (``EventCreateQueryV2``)."""

    metric: str
    properties: JSONDict
    profile: ProfileChanges
    profile_id: str | None = None
    time: datetime | None = None
    value: float | None = None
    value_currency: str | None = None
    unique_id: str | None = None
    backfill: bool = False


@dataclass(frozen=True)
class Recorded:
    """What a ``POST /api/events`` did: the profile it landed on (None: dropped) and the event
    (None: dropped or a duplicate)."""

    profile: Profile | None
    event: Event | None


class Events:
    """Today's event writes to an account (``Backend.events``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def record(
        self,
        command: EventCommand,
        decisions: list[str],
        *,
        keep_identifiers: bool = False,
    ) -> Recorded:
        """Record one event. Everything that can refuse the call (the time, the identifiers)
        is checked before anything changes; then the profile, the metric and the event are
        written under one lock. ``keep_identifiers``: a client call (``/client/events``)."""
        timestamp = self._timestamp(command.time)
        store = self._b.store
        with store.locked():
            profile = self._b.people.absorb(
                command.profile_id,
                command.profile,
                decisions,
                keep_identifiers=keep_identifiers,
            )
            if profile is None:
                decisions.append(f"dropped the {command.metric!r} event: no profile to hold it")
                return Recorded(None, None)
            event = self._b.klaviyo.record_event(
                self._b.account.id,
                profile.id,
                command.metric,
                unique_key(command.unique_id, timestamp),
                "unique_id" if command.unique_id else "time",
                timestamp,
                self._properties(command),
                decisions,
            )
            if event is None:
                return Recorded(profile, None)
        backfill = " (backfill: no flows to skip)" if command.backfill else ""
        decisions.append(f"recorded event {event.id} {command.metric!r} for {profile.id}{backfill}")
        return Recorded(profile, event)

    def check(self, command: EventCommand) -> None:
        """Refuse what ``record`` would refuse (the time, the profile's identifiers) without
        changing anything: a batch checks each entry whole before it records any of it."""
        self._timestamp(command.time)
        if command.profile_id is None:
            self._b.people.check(command.profile)

    def _timestamp(self, moment: datetime | None) -> int:
        """The event's time in whole seconds (truncated), the time of receipt by default."""
        now = int(self._b.clock().timestamp())
        if moment is None:
            return now
        timestamp = int(moment.timestamp() // 1)
        if not EARLIEST_TIME <= timestamp <= now + ONE_YEAR:
            raise InvalidAttribute("time", TIME_ERROR)
        return timestamp

    @staticmethod
    def _properties(command: EventCommand) -> JSONDict:
        """The event's properties, with ``value`` and ``value_currency`` as ``$value`` and
        ``$value_currency`` (*chosen*: where Track keeps a value, so that the legacy export's
        sums and the timelines show it)."""
        properties = dict(command.properties)
        if command.value is not None:
            properties["$value"] = command.value
        if command.value_currency is not None:
            properties["$value_currency"] = command.value_currency
        return properties


# -- reading: GET /api/events, GET /api/metrics ----------------------------------------------


def event_filter(expression: Filter) -> Filter:
    """``expression`` checked for value types, with ``equals(metric_id,[…])`` (the spec's list
    form) as ``any``; a :class:`FilterError` for a value the field cannot take."""
    if isinstance(expression, Logic):
        return Logic(expression.op, tuple(event_filter(term) for term in expression.terms))
    if isinstance(expression, Has):
        return expression
    name, value = expression.field, expression.value
    if name == "metric_id" and isinstance(value, list):
        if not value or not all(isinstance(item, str) for item in value):
            raise FilterError("Invalid filter: metric_id takes a string or a list of strings.")
        return Compare("any", name, value)
    if name in ("metric_id", "profile_id") and not isinstance(value, str):
        raise FilterError(f"Invalid filter: {name} takes a quoted string.")
    if name == "timestamp" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise FilterError("Invalid filter: timestamp takes a number (seconds since 1970).")
    if name == "datetime":
        moment = value if isinstance(value, datetime) else None
        if isinstance(value, str):
            moment = parse_moment(value)
        if moment is None:
            raise FilterError("Invalid filter: datetime takes an ISO 8601 date-time.")
        return Compare(expression.op, name, moment)
    return expression


def _event_field(event: EventHead, name: str) -> Any:
    if name == "datetime":
        return datetime.fromtimestamp(event.timestamp, UTC)
    if name == "timestamp":
        return event.timestamp
    if name in ("profile_id", "profile"):
        return event.profile_id
    return event.metric_id  # metric_id, metric


def _metric_field(metric: Metric, name: str) -> Any:
    return API_INTEGRATION.get(name.removeprefix("integration."))


@dataclass(frozen=True)
class EventPage:
    """Events with what an ``include`` needs: their metrics and, when asked, their profiles.
    ``next_key`` is the cursor key of the next page, if there is one."""

    events: list[Event]
    next_key: list[Any] | None = None
    metrics: dict[str, Metric] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)


class EventQuery:
    """``GET /api/events`` and ``GET /api/metrics``: filters, sorts and cursors, read under
    one lock. A filter that fixes ``profile_id`` or ``metric_id`` starts from the store's index."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def page(
        self,
        expression: Filter | None,
        sort: str,
        after: list[Any] | None,
        size: int,
        *,
        with_profiles: bool = False,
    ) -> EventPage:
        """A page of events after the cursor key ``after`` ([timestamp, id]), ordered by time
        then id (*chosen*: ascending unless the sort says ``-``)."""
        descending = sort.startswith("-")
        with self._b.store.locked():
            candidates = self._candidates(expression)
            rows = [
                ([e.timestamp, e.id], e)
                for e in candidates
                if expression is None or matches(expression, partial(_event_field, e))
            ]
            heads, next_key = cut(rows, descending, after, size)
            # the page's events in full (the rows may be heads, without properties)
            chosen = [e for h in heads if (e := self._b.store.get_event(self._b.account.id, h.id))]
            return self._with_related(chosen, next_key, with_profiles)

    def get(self, event_id: str, *, with_profiles: bool = False) -> EventPage:
        """One event (a page of one), or :class:`NotFound`."""
        with self._b.store.locked():
            event = self._b.store.get_event(self._b.account.id, event_id)
            if event is None:
                raise NotFound(f"An event with id {event_id} does not exist.")
            return self._with_related([event], None, with_profiles)

    def metrics(
        self, expression: Filter | None, after: list[Any] | None, size: int
    ) -> tuple[list[Metric], list[Any] | None]:
        """A page of metrics, oldest first (then by id), after the cursor key ``after``."""
        with self._b.store.locked():
            found = self._b.store.metrics(self._b.account.id)
        rows = [
            ([m.created, m.id], m)
            for m in found
            if expression is None or matches(expression, partial(_metric_field, m))
        ]
        chosen, next_key = cut(rows, False, after, size)
        return chosen, next_key

    def metric(self, metric_id: str) -> Metric:
        with self._b.store.locked():
            found = _metrics_by_id(self._b.store.metrics(self._b.account.id))
        if metric_id not in found:
            raise NotFound(f"A metric with id {metric_id} does not exist.")
        return found[metric_id]

    def _candidates(self, expression: Filter | None) -> list[EventHead]:
        """The events the filter can match: through the profile or metric index when it fixes
        either, all of the account's otherwise."""
        store = self._b.store
        if expression is None:
            return store.event_heads(self._b.account.id)
        profiles = equal_values(expression, "profile_id")
        metrics = equal_values(expression, "metric_id")
        if profiles is None and metrics is None:
            return store.event_heads(self._b.account.id)
        found: dict[str, EventHead] = {}
        for profile_id in dict.fromkeys(profiles or [None]):
            for metric_id in dict.fromkeys(metrics or [None]):
                for event in store.events(
                    self._b.account.id, profile_id=profile_id, metric_id=metric_id
                ):
                    found[event.id] = EventHead(
                        event.id, event.profile_id, event.metric_id, event.timestamp
                    )
        return list(found.values())

    def _with_related(
        self,
        events: list[Event],
        next_key: list[Any] | None,
        with_profiles: bool,
    ) -> EventPage:
        store = self._b.store
        metrics = _metrics_by_id(store.metrics(self._b.account.id))
        profiles: dict[str, Profile] = {}
        if with_profiles:
            for event in events:
                if event.profile_id not in profiles:
                    profile = store.get_profile(self._b.account.id, event.profile_id)
                    if profile is not None:
                        profiles[profile.id] = profile
        return EventPage(events, next_key, metrics, profiles)


def _metrics_by_id(metrics: list[Metric]) -> dict[str, Metric]:
    return {metric.id: metric for metric in metrics}
