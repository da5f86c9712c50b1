"""Events, metrics and metric properties as today's API reads them. Events are recorded by the
identity engine's background path (``domain.events``: the profile as Track would make it, the
metric on first use, ``unique_id`` deduplication shared with legacy ``$event_id``); here they
are read: an event with its profile and metric, a metric with the API's integration (*chosen*),
and a metric's properties, found in the properties of its events (the newest event's values
first among the samples)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

from ulid import ULID

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.events import API_INTEGRATION
from ...domain.events import event_filter
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.models import Event
from ...domain.models import Metric
from ...domain.service import Klaviyo
from ...domain.sources import linkage

#: How many sample values a metric property shows (``additional-fields``, *chosen*).
SAMPLES = 10


def event_uuid(event_id: str) -> str:
    """The event's ULID as a UUID (*chosen*: the same 128 bits, so it is stable and unique);
    an id that is no ULID, which the mock never makes, gets a name-based UUID of it."""
    try:
        return str(ULID.from_str(event_id).to_uuid())
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, event_id))


def event_item(event: Event) -> Item:
    return Item(
        event.id,
        {
            "timestamp": event.timestamp,
            "event_properties": event.properties,
            "datetime": datetime.fromtimestamp(event.timestamp, UTC).isoformat(),
            "uuid": event_uuid(event.id),
        },
        {"profile": event.profile_id, "metric": event.metric_id},
    )


def metric_item(metric: Metric) -> Item:
    """A metric: ``updated`` is ``created`` (a metric never changes)."""
    return Item(
        metric.id,
        {
            "name": metric.name,
            "created": metric.created,
            "updated": metric.created,
            "integration": dict(API_INTEGRATION),
        },
    )


class EventSource:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        store = self._b.store
        with store.locked():
            return [event_item(e) for i in ids if (e := store.get_event(self._b.account.id, i))]

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        sort = query.sort or "timestamp"
        expression = event_filter(query.filter) if query.filter is not None else None
        found = self._b.event_query.page(
            expression,
            f"-{sort}" if query.descending else sort,
            query.after,
            query.size,
        )
        return Page([event_item(e) for e in found.events], found.next_key)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        event = self._b.event_query.get(item_id).events[0]
        if relationship == "profile":
            return event.profile_id
        if relationship == "metric":
            return event.metric_id
        with self._b.store.locked():
            resource = self._b.resources.type("event")
            return linkage(self._b.resources, resource, item_id, relationship)


class MetricSource:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        found = []
        for metric_id in ids:
            try:
                found.append(metric_item(self._b.event_query.metric(metric_id)))
            except NotFound:
                continue
        return found

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        found, next_key = self._b.event_query.metrics(query.filter, query.after, query.size)
        return Page([metric_item(m) for m in found], next_key)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        self._b.event_query.metric(item_id)  # NotFound for an unknown metric
        if relationship == "metric-properties":
            return tuple(prop for prop, _ in _properties(self._b, item_id))
        with self._b.store.locked():
            resource = self._b.resources.type("metric")
            return linkage(self._b.resources, resource, item_id, relationship)


def property_id(metric_id: str, name: str) -> str:
    """A metric property's id: 32 hex digits, the shape the document shows: the metric's
    six-character id, then a digest of the property's name (the same on every read, and the
    metric found again from the id without a scan)."""
    digest = hashlib.blake2b(name.encode(), digest_size=10).hexdigest()
    return metric_id.encode().hex()[:12].ljust(12, "0") + digest


def metric_of(prop: str) -> str | None:
    """The metric a property id names, or None for an id of no such shape."""
    try:
        return bytes.fromhex(prop[:12]).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def _inferred(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool} and kinds:
        return "Boolean"
    if kinds <= {int, float} and kinds:
        return "Number"
    if kinds <= {list} and kinds:
        return "List"
    if kinds <= {dict} and kinds:
        return "Object"
    return "String"


def _properties(backend: Backend, metric_id: str) -> list[tuple[str, dict[str, Any]]]:
    """A metric's properties, as its events hold them: (id, attributes), by first use."""
    with backend.store.locked():
        events = backend.store.events(backend.account.id, metric_id=metric_id)
    values: dict[str, list[Any]] = {}
    for event in reversed(events):  # newest first among the samples
        for name, value in event.properties.items():
            values.setdefault(name, []).append(value)
    found = []
    for name, seen in sorted(values.items()):
        samples = [v for v in dict.fromkeys(map(_hashable, seen))][:SAMPLES]
        found.append(
            (
                property_id(metric_id, name),
                {
                    "label": name.removeprefix("$").replace("_", " ").strip() or name,
                    "property": name,
                    "inferred_type": _inferred(seen),
                    "sample_values": [s for s in samples if isinstance(s, str | int | float)],
                    "metric": metric_id,
                },
            )
        )
    return found


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


class MetricPropertySource:
    """A metric's properties, found in its events' properties (nothing is stored)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def _of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The properties of the metrics these ids name, by id."""
        metrics = dict.fromkeys(m for i in ids if (m := metric_of(i)) is not None)
        with self._b.store.locked():
            known = [m for m in metrics if self._b.store.has_metric_id(self._b.account.id, m)]
        return {
            prop: attributes
            for metric in known
            for prop, attributes in _properties(self._b, metric)
        }

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        found = self._of(ids)
        items = []
        for prop in ids:
            attributes = found.get(prop)
            if attributes is not None:
                shown = {k: v for k, v in attributes.items() if k != "metric"}
                items.append(Item(prop, shown, {"metric": attributes["metric"]}))
        return items

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        raise NotFound("Metric properties are listed by metric (/api/metrics/{id}/…).")

    def linked(self, item_id: str, relationship: str) -> Linkage:
        found = self._of([item_id]).get(item_id)
        if found is None:
            raise NotFound(f"A metric-property with id {item_id} does not exist.")
        if relationship == "metric":
            return str(found["metric"])
        raise NotFound(f"A metric-property has no relationship {relationship!r}.")


def install(klaviyo: Klaviyo) -> None:
    sources = klaviyo.registry.sources
    sources["event"] = EventSource
    sources["metric"] = MetricSource
    sources["metric-property"] = MetricPropertySource
    klaviyo.registry.owned.update(
        {("event", "profile"), ("event", "metric"), ("metric", "metric-properties")}
    )
