"""The Reporting API's values and series reports (campaigns, flows, forms, segments), computed
from the state: a row for each thing the account has (a campaign or flow message, a form or a
form version, a segment), grouped as asked, with the statistics asked.

What the stored events tell, the reports count:

- conversions (campaigns, flows): the conversion metric's events attributed to a message, that
  is whose ``$attributed_message`` property is the message's id (the property Klaviyo's
  attributed events carry, and metric aggregates group by). The mock attributes nothing
  itself: an event counts when it was sent attributed (*chosen*);
- forms: the events of the form metrics (``Viewed Form``, ``Submitted Form``…, ``FORM_METRICS``)
  whose ``form_id`` property is the form's id (``form_version_id``: the version's) (*chosen*);
- segments: ``total_members`` is the segment's members now.

What the mock has no data for is 0: it sends nothing, so recipients, deliveries, opens,
clicks, bounces, spam complaints, unsubscribes and text message costs are 0, and a rate over 0
(recipients, views) is 0 (*chosen*); segment membership keeps no history, so members added and
removed are 0 and ``total_members`` is today's count in every interval (*chosen*).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ...domain.export import measure
from ...domain.filters import Compare
from ...domain.filters import FilterError
from ...domain.filters import Logic
from ...domain.filters import parse_checked
from ...domain.models import Event
from ...spec import FilterField
from .timeframes import ReportError
from .timeframes import Span
from .timeframes import Timeline
from .timeframes import series_unit
from .timeframes import timeframe
from .units import Unit

#: The form statistics counted from events, by the metric whose events they count (*chosen*:
#: the names Klaviyo's form metrics go by); ``<statistic>_uniques`` counts their people.
FORM_METRICS = {
    "viewed_form": "Viewed Form",
    "submits": "Submitted Form",
    "closed_form": "Closed Form",
    "qualified_form": "Qualified Form",
    "viewed_form_step": "Viewed Form Step",
    "submitted_form_step": "Submitted Form Step",
}
#: Statistics that are amounts or averages (0.0 when there is nothing), beside the rates.
AMOUNTS = frozenset(
    {
        "average_order_value",
        "conversion_value",
        "revenue_per_recipient",
        "text_message_credit_usage_amount",
        "text_message_roi",
        "text_message_spend",
    }
)
SEND_CHANNELS = ("email", "sms", "push-notification", "whatsapp")
#: Items a list filter takes at most (SPEC ``filter``).
MAX_FILTER_ITEMS = 100
#: Segment reports have no data before this day (SPEC ``timeframe``).
SEGMENT_DATA_SINCE = datetime.fromisoformat("2023-06-01T00:00:00")


def _scalar(name: str, enum: tuple[str, ...] | None = None) -> FilterField:
    return FilterField(
        name, frozenset({"equals"}), frozenset({"contains-any"}), "string", None, enum
    )


def _listed(name: str) -> FilterField:
    return FilterField(name, frozenset(), frozenset({"contains-any", "contains-all"}), "string")


def _ids(name: str) -> FilterField:
    return FilterField(name, frozenset({"equals"}), frozenset({"any"}), "string")


def _message_filters(*names: str) -> dict[str, FilterField]:
    found = {name: _scalar(name) for name in names}
    found["send_channel"] = _scalar("send_channel", SEND_CHANNELS)
    found.update({name: _listed(name) for name in ("tag_id", "tag_name")})
    return found


@dataclass(frozen=True, slots=True)
class Subject:
    """What a kind of report reports on: its groupings (the default ones and those always
    needed), its filter fields, whether its events count only within the timeframe (a
    campaign's conversions count whenever they happen, as Klaviyo's campaign reports count
    them), and whether it has a conversion metric."""

    group_by: tuple[str, ...]
    required: tuple[str, ...]
    filters: Mapping[str, FilterField]
    windowed: bool = True
    conversions: bool = False


SUBJECTS = {
    "campaign": Subject(
        ("campaign_id", "campaign_message_id", "send_channel"),
        ("campaign_id", "campaign_message_id"),
        _message_filters(
            "campaign_id",
            "campaign_message_id",
            "campaign_message_name",
            "variation",
            "variation_name",
            "text_message_format",
        ),
        windowed=False,
        conversions=True,
    ),
    "flow": Subject(
        ("flow_id", "flow_message_id", "send_channel"),
        ("flow_id", "flow_message_id"),
        _message_filters(
            "flow_id",
            "flow_name",
            "flow_message_id",
            "flow_message_name",
            "variation",
            "variation_name",
            "text_message_format",
        ),
        conversions=True,
    ),
    "form": Subject(
        ("form_id",), ("form_id",), {n: _ids(n) for n in ("form_id", "form_version_id")}
    ),
    "segment": Subject(("segment_id",), ("segment_id",), {"segment_id": _ids("segment_id")}),
}


@dataclass(frozen=True, slots=True)
class ReportQuery:
    statistics: tuple[str, ...]
    span: Span
    group_by: tuple[str, ...]
    where: tuple[Compare, ...]
    timeline: Timeline | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A report's rows (``groupings`` and ``statistics``), and a series' interval starts."""

    results: list[dict[str, Any]]
    date_times: list[str] | None = None
    #: For each row, the resources it is about (relationship name and id), in order.
    related: list[list[tuple[str, str]]] = field(default_factory=list)


def read(
    attributes: Mapping[str, Any], name: str, now: datetime, tz: ZoneInfo, interval: str | None
) -> ReportQuery:
    """A report's query, checked (a :class:`ReportError` naming the member at fault).
    ``interval``: a series report's."""
    subject = SUBJECTS[name]
    statistics = tuple(dict.fromkeys(attributes["statistics"]))
    if not statistics:
        raise ReportError("statistics", "Give at least one statistic.")
    span = timeframe(attributes["timeframe"], now, tz)
    custom = "start" in attributes["timeframe"]
    if name == "segment" and custom and span.start.replace(tzinfo=None) < SEGMENT_DATA_SINCE:
        raise ReportError("timeframe/start", "Segment data starts on June 1st, 2023.")
    given = attributes.get("group_by")
    group_by = subject.group_by if given is None else tuple(dict.fromkeys(given))
    for needed in subject.required:
        if needed not in group_by:
            raise ReportError("group_by", f"group_by must include {needed}.")
    timeline = None
    if interval is not None:
        timeline = Timeline(span, series_unit(interval, span), tz)
    where = _where(attributes.get("filter"), subject)
    return ReportQuery(statistics, span, group_by, where, timeline)


def _where(text: str | None, subject: Subject) -> tuple[Compare, ...]:
    """A report's filter: conditions joined by ``and`` alone, one per attribute, at most
    ``MAX_FILTER_ITEMS`` values in a list (SPEC ``filter``)."""
    if not text:
        return ()
    try:
        expression = parse_checked(text, subject.filters)
    except FilterError as error:
        raise ReportError("filter", str(error)) from None
    terms = list(expression.terms) if isinstance(expression, Logic) else [expression]
    if isinstance(expression, Logic) and expression.op != "and":
        raise ReportError("filter", "Only and() can join conditions.")
    seen: set[str] = set()
    for term in terms:
        if not isinstance(term, Compare):
            raise ReportError("filter", "Only and() can join conditions, one level deep.")
        if term.field in seen:
            raise ReportError("filter", f"Only one condition on {term.field}.")
        seen.add(term.field)
        if isinstance(term.value, list) and len(term.value) > MAX_FILTER_ITEMS:
            raise ReportError("filter", f"A list filter takes at most {MAX_FILTER_ITEMS} items.")
    return tuple(t for t in terms if isinstance(t, Compare))


# -- statistics ---------------------------------------------------------------------------

#: A kind of report's statistics: the names asked, a row's events and its members.
Statistics = Callable[[Sequence[str], Sequence[Event], int], dict[str, Any]]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _zero(name: str) -> int | float:
    return 0.0 if name in AMOUNTS or name.endswith("_rate") else 0


def message_statistics(
    names: Sequence[str], events: Sequence[Event], members: int
) -> dict[str, Any]:
    """A message's statistics: conversions from its attributed events, and 0 for what
    needs sends (recipients are 0: the mock sends nothing)."""
    conversions = len(events)
    value = measure(list(events), "value")
    uniques = len({e.profile_id for e in events})
    recipients = 0
    counted = {
        "conversions": conversions,
        "conversion_uniques": uniques,
        "conversion_value": value,
        "average_order_value": _ratio(value, conversions),
        "conversion_rate": _ratio(uniques, recipients),
        "revenue_per_recipient": _ratio(value, recipients),
    }
    return {name: counted.get(name, _zero(name)) for name in names}


def form_statistics(kinds: Mapping[str, str]) -> Statistics:
    """A form's statistics from its events, ``kinds`` naming the statistic each metric's
    events count. Submit rate: the people who submitted over the people who viewed
    (*chosen*)."""

    def statistics(names: Sequence[str], events: Sequence[Event], members: int) -> dict[str, Any]:
        by_kind: dict[str, list[Event]] = {}
        for event in events:
            kind = kinds.get(event.metric_id)
            if kind is not None:
                by_kind.setdefault(kind, []).append(event)
        counted: dict[str, int | float] = {}
        for kind in FORM_METRICS:
            found = by_kind.get(kind, [])
            counted[kind] = len(found)
            counted[f"{kind}_uniques"] = len({e.profile_id for e in found})
        counted["submit_rate"] = _ratio(counted["submits_uniques"], counted["viewed_form_uniques"])
        return {name: counted.get(name, _zero(name)) for name in names}

    return statistics


def segment_statistics(
    names: Sequence[str], events: Sequence[Event], members: int
) -> dict[str, Any]:
    counted = {"total_members": members, "members_added": 0, "members_removed": 0}
    counted["net_members_changed"] = counted["members_added"] - counted["members_removed"]
    return {name: counted.get(name, 0) for name in names}


# -- rows ---------------------------------------------------------------------------------


def _passes(unit: Unit, term: Compare) -> bool:
    """A condition on a unit: a scalar is one of the values (``equals``, ``any``,
    ``contains-any``); a list (tags) holds any or all of them."""
    have = unit.groupings.get(term.field)
    wants = term.value if isinstance(term.value, list) else [term.value]
    if isinstance(have, list):
        found = [want in have for want in wants]
        return all(found) if term.op == "contains-all" else any(found)
    return have in wants


def _keys(unit: Unit, group_by: Sequence[str]) -> Iterable[tuple[Any, ...]]:
    """The rows a unit goes in: one per combination of its values (a row per tag; a unit
    without tags goes in the row whose tag is null, *chosen*)."""
    values = []
    for name in group_by:
        value = unit.groupings.get(name)
        values.append((value or [None]) if isinstance(value, list) else [value])
    return itertools.product(*values)


def build(
    units: Sequence[Unit], query: ReportQuery, statistics: Statistics, windowed: bool
) -> Report:
    """Group the units that pass the filter into rows and compute each row's statistics:
    over the timeframe (a values report) or for each interval (a series report)."""
    rows: dict[tuple[Any, ...], list[Unit]] = {}
    for unit in units:
        if all(_passes(unit, term) for term in query.where):
            for key in _keys(unit, query.group_by):
                rows.setdefault(key, []).append(unit)
    results = []
    related: list[list[tuple[str, str]]] = []
    for key, members in rows.items():
        events = list({e.id: e for unit in members for e in unit.events}.values())
        count = sum(unit.members for unit in members)
        groupings = dict(zip(query.group_by, key, strict=True))
        related.append(list(dict.fromkeys(r for unit in members for r in unit.related)))
        if query.timeline is None:
            if windowed:
                events = [e for e in events if query.span.holds(e.timestamp)]
            shown = statistics(query.statistics, events, count)
        else:
            buckets = query.timeline.split(events, lambda e: e.timestamp)
            each = [statistics(query.statistics, bucket, count) for bucket in buckets]
            shown = {name: [values[name] for values in each] for name in query.statistics}
        results.append({"groupings": groupings, "statistics": shown})
    date_times = None if query.timeline is None else query.timeline.labels()
    return Report(results, date_times, related)
