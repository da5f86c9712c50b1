"""Reporting: the Reporting API's values and series reports (``reports``), metric aggregates
(``aggregates``) and the reviews values report (``reviews``), each computed from the state
when it is asked for, under the store's lock. Nothing is kept: a report is no resource the
account has, so ``install`` registers nothing, and a report's id is made from the query that
asked for it (the same query, the same id: *chosen*).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from ...domain.accounts import DETAILS
from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.filters import Filter
from ...domain.models import Event
from ...domain.service import Klaviyo
from . import aggregates
from . import reports
from . import reviews
from . import units
from .aggregates import AggregateQuery
from .aggregates import Row
from .reports import SUBJECTS
from .reports import Report
from .reports import Statistics
from .timeframes import ReportError
from .timeframes import account_zone

#: The event property that attributes a conversion to a campaign or flow message.
ATTRIBUTED = "$attributed_message"


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: reports are computed from the state, never stored."""


def report_id(account: Account, operation_id: str, asked: Any) -> str:
    """A report's id: a digest of the account and the query (32 hex digits, the shape of the
    document's review-values-report id)."""
    text = json.dumps([account.id, operation_id, asked], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _attributed(events: Sequence[Event]) -> dict[str, list[Event]]:
    """Conversion events by the message they are attributed to."""
    found: dict[str, list[Event]] = {}
    for event in events:
        message = event.properties.get(ATTRIBUTED)
        if isinstance(message, str) and message:
            found.setdefault(message, []).append(event)
    return found


def report(
    backend: Backend,
    name: str,
    attributes: Mapping[str, Any],
    interval: str | None = None,
) -> Report:
    """A values report (``interval`` None) or a series report of campaigns, flows, forms or
    segments (``name``), in the account's timezone."""
    subject = SUBJECTS[name]
    tz = account_zone({**DETAILS, **backend.account.details})
    query = reports.read(attributes, name, backend.clock(), tz, interval)
    store = backend.store
    statistics: Statistics
    with store.locked():
        records = backend.records
        if subject.conversions:
            metric_id = str(attributes["conversion_metric_id"])
            if not store.has_metric_id(backend.account.id, metric_id):
                raise ReportError("conversion_metric_id", f"No metric {metric_id}.", status=404)
            conversions = _attributed(store.events(backend.account.id, metric_id=metric_id))
            read = units.campaign_units if name == "campaign" else units.flow_units
            found = read(records, query.span, conversions)
            statistics = reports.message_statistics
        elif name == "form":
            kinds = {
                metric.id: kind
                for kind, metric_name in reports.FORM_METRICS.items()
                if (metric := store.metric_named(backend.account.id, metric_name)) is not None
            }
            events = [e for m in kinds for e in store.events(backend.account.id, metric_id=m)]
            by_version = "form_version_id" in query.group_by or any(
                term.field == "form_version_id" for term in query.where
            )
            found = units.form_units(records, query.span, by_version, events)
            statistics = reports.form_statistics(kinds)
        else:
            found = units.segment_units(records, query.span, _members(backend))
            statistics = reports.segment_statistics
    return reports.build(found, query, statistics, subject.windowed)


def _members(backend: Backend) -> Callable[[str], int]:
    """How many profiles a segment has (its ``profiles``, as the segment's source links them:
    the mock keeps the links and evaluates no definition)."""
    source = backend.resources.source("segment")

    def members(segment_id: str) -> int:
        linked = source.linked(segment_id, "profiles")
        return len(linked) if isinstance(linked, tuple) else int(linked is not None)

    return members


def metric_aggregate(
    backend: Backend, attributes: Mapping[str, Any]
) -> tuple[AggregateQuery, list[Row]]:
    """The query a metric aggregate asks, and its rows (every page)."""
    query = aggregates.read(attributes)
    store = backend.store
    with store.locked():
        if not store.has_metric_id(backend.account.id, query.metric_id):
            raise ReportError("metric_id", f"No metric {query.metric_id}.", status=404)
        events = store.events(backend.account.id, metric_id=query.metric_id)
    return query, aggregates.aggregate(events, query)


def review_values(
    backend: Backend,
    group_by: str,
    statistics: str,
    timeframe: str,
    where: Filter | None,
) -> list[dict[str, Any]]:
    """The reviews values report's results (every page), the company being the account's
    public key."""
    asked = reviews.statistics_asked(statistics)
    store = backend.store
    with store.locked():
        found = reviews.published(backend.records, timeframe, backend.clock())
    return reviews.groupings(found, group_by, asked, backend.account.shown_public_key, where)
