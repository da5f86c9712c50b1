"""Today's event and metric endpoints (current-api.md §5): create, list and get events (with
``include=metric,profile``), their profile and metric, and the metrics."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import request
from ulid import ULID

from ..domain.accounts import Account
from ..domain.commands import InvalidAttribute
from ..domain.events import API_INTEGRATION
from ..domain.events import EVENT_SORTS
from ..domain.events import EventPage
from ..domain.events import parse_event_filter
from ..domain.events import parse_metric_filter
from ..domain.filters import Filter
from ..domain.filters import FilterError
from ..domain.models import Event
from ..domain.models import Metric
from .context import backend
from .context import note
from .errors import ApiError
from .errors import invalid
from .event_documents import EventCreateQuery
from .jsonapi import account
from .jsonapi import body
from .jsonapi import csv_param
from .jsonapi import decode_cursor
from .jsonapi import load
from .jsonapi import page_links
from .jsonapi import page_size
from .jsonapi import private_guard
from .jsonapi import respond
from .jsonapi import self_link
from .jsonapi import sparse
from .jsonapi import stamp
from .profiles import ADDITIONAL_FIELDS
from .profiles import profile_fields
from .profiles import profile_resource

bp = Blueprint("events", __name__)
bp.before_request(private_guard)
bp.after_request(stamp)

create_query = EventCreateQuery()

EVENT_FIELDS = frozenset({"datetime", "event_properties", "id", "timestamp", "uuid"})
METRIC_FIELDS = frozenset({"created", "id", "integration", "name", "updated"})
#: ``include=attributions`` is accepted and includes nothing (*chosen*: no flows or campaigns
#: to attribute an event to).
EVENT_INCLUDES = frozenset({"attributions", "metric", "profile"})
#: SPEC ``get_metrics``: "Returns a maximum of 200 results per page" (no ``page[size]``).
METRICS_PAGE = 200


def record_event(keep_identifiers: bool = False) -> Response:
    """``POST /api/events`` and ``POST /client/events``: 202 with no body."""
    owner = account()
    command = load(create_query, body())
    decisions: list[str] = []
    try:
        done = backend().events.record(owner, command, decisions, keep_identifiers=keep_identifiers)
    except InvalidAttribute as error:
        note(*decisions)
        under = "/data" if error.name == "time" else "/data/attributes/profile/data"
        raise invalid(error, f"{under}/attributes") from None
    note(*decisions, profiles=[done.profile.id] if done.profile else [])
    return respond(None, 202)


def event_resource(event: Event, fields: list[str] | None = None) -> dict[str, Any]:
    """An event as today's API shows it: ``uuid`` is a UUID made from the event's ULID
    (*chosen*: the same 128 bits, so it is stable and unique)."""
    path = f"/api/events/{event.id}"
    attributes = {
        "timestamp": event.timestamp,
        "event_properties": event.properties,
        "datetime": datetime.fromtimestamp(event.timestamp, UTC).isoformat(),
        "uuid": event_uuid(event.id),
    }
    return {
        "type": "event",
        "id": event.id,
        "attributes": sparse(attributes, fields or []),
        "relationships": {
            "profile": _relationship(path, "profile", event.profile_id),
            "metric": _relationship(path, "metric", event.metric_id),
        },
        "links": {"self": self_link(path)},
    }


def event_uuid(event_id: str) -> str:
    """The event's ULID as a UUID (an id that is no ULID, which the mock never makes: a name
    based UUID of it, so that the answer is still stable)."""
    try:
        return str(ULID.from_str(event_id).to_uuid())
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, event_id))


def _relationship(path: str, name: str, related_id: str) -> dict[str, Any]:
    return {
        "data": {"type": name, "id": related_id},
        "links": {
            "self": self_link(f"{path}/relationships/{name}"),
            "related": self_link(f"{path}/{name}"),
        },
    }


def metric_resource(metric: Metric, fields: list[str] | None = None) -> dict[str, Any]:
    """A metric: ``updated`` is ``created`` (a metric never changes), ``integration`` the
    API's (*chosen*)."""
    attributes = {
        "name": metric.name,
        "created": metric.created,
        "updated": metric.created,
        "integration": dict(API_INTEGRATION),
    }
    return {
        "type": "metric",
        "id": metric.id,
        "attributes": sparse(attributes, fields or []),
        "links": {"self": self_link(f"/api/metrics/{metric.id}")},
    }


@dataclass(frozen=True)
class _Shape:
    """What an event read asks for: ``include`` and the sparse fieldsets, checked."""

    includes: list[str]
    event: list[str]
    metric: list[str]
    profile: list[str]

    @classmethod
    def of_request(cls) -> _Shape:
        csv_param("fields[attribution]", frozenset({"id"}))
        return cls(
            includes=csv_param("include", EVENT_INCLUDES),
            event=csv_param("fields[event]", EVENT_FIELDS),
            metric=csv_param("fields[metric]", METRIC_FIELDS),
            profile=profile_fields(additional=False),
        )


def _document(owner: Account, found: EventPage, shape: _Shape) -> dict[str, Any]:
    """The events, and the ``included`` resources, each once, in the order the events name
    them."""
    document: dict[str, Any] = {"data": [event_resource(e, shape.event) for e in found.events]}
    if not shape.includes:
        return document
    included: dict[tuple[str, str], dict[str, Any]] = {}
    for event in found.events:
        metric = found.metrics.get(event.metric_id)
        if "metric" in shape.includes and metric and ("metric", metric.id) not in included:
            included["metric", metric.id] = metric_resource(metric, shape.metric)
        profile = found.profiles.get(event.profile_id)
        if "profile" in shape.includes and profile and ("profile", profile.id) not in included:
            included["profile", profile.id] = profile_resource(owner, profile, shape.profile)
    document["included"] = list(included.values())
    return document


def _filter(parser: Callable[[str], Filter]) -> Filter | None:
    text = request.args.get("filter")
    if not text:
        return None
    try:
        return parser(text)
    except FilterError as error:
        raise ApiError(400, str(error), parameter="filter") from None


def _cursor(shape: tuple[type, type]) -> list[Any] | None:
    """The ``page[cursor]`` key, checked to be the pair of values this list's keys are."""
    cursor = request.args.get("page[cursor]")
    if not cursor:
        return None
    key = decode_cursor(cursor)
    if len(key) != 2 or not all(
        isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape, strict=True)
    ):
        raise ApiError(400, f"Invalid page cursor {cursor!r}.", parameter="page[cursor]")
    return key


@bp.post("/api/events", strict_slashes=False)
def create_event() -> Response:
    return record_event()


@bp.get("/api/events", strict_slashes=False)
def get_events() -> Response:
    owner = account()
    shape = _Shape.of_request()
    sort = request.args.get("sort", "timestamp")
    if sort.lstrip("-") not in EVENT_SORTS or sort.startswith("--"):
        raise ApiError(
            400,
            f"{sort!r} is not a valid sort; choose from datetime, timestamp (with - for"
            " descending).",
            parameter="sort",
        )
    expression = _filter(parse_event_filter)
    after = _cursor((int, str))
    size = page_size(200, 1000)
    found = backend().event_query.page(
        owner, expression, sort, after, size, with_profiles="profile" in shape.includes
    )
    document = _document(owner, found, shape)
    document["links"] = page_links("/api/events", found.next_key)
    note(f"listed {len(found.events)} events")
    return respond(document)


@bp.get("/api/events/<event_id>", strict_slashes=False)
def get_event(event_id: str) -> Response:
    owner = account()
    shape = _Shape.of_request()
    found = backend().event_query.get(owner, event_id, with_profiles="profile" in shape.includes)
    document = _document(owner, found, shape)
    document["data"] = document["data"][0]
    document["links"] = {"self": self_link(f"/api/events/{event_id}")}
    return respond(document)


@bp.get("/api/events/<event_id>/profile", strict_slashes=False)
def get_event_profile(event_id: str) -> Response:
    owner = account()
    fields = profile_fields()
    additional = csv_param("additional-fields[profile]", ADDITIONAL_FIELDS)
    event = backend().event_query.get(owner, event_id).events[0]
    profile = backend().people.get(owner, event.profile_id)
    return respond(
        {
            "data": profile_resource(owner, profile, fields, additional),
            "links": {"self": self_link(f"/api/events/{event_id}/profile")},
        }
    )


@bp.get("/api/events/<event_id>/metric", strict_slashes=False)
def get_event_metric(event_id: str) -> Response:
    found = backend().event_query.get(account(), event_id)
    metric = found.metrics[found.events[0].metric_id]
    fields = csv_param("fields[metric]", METRIC_FIELDS)
    return respond(
        {
            "data": metric_resource(metric, fields),
            "links": {"self": self_link(f"/api/events/{event_id}/metric")},
        }
    )


@bp.get("/api/events/<event_id>/relationships/<any(profile, metric):name>", strict_slashes=False)
def get_event_relationship(event_id: str, name: str) -> Response:
    event = backend().event_query.get(account(), event_id).events[0]
    related = event.profile_id if name == "profile" else event.metric_id
    return respond(
        {
            "data": {"type": name, "id": related},
            "links": {
                "self": self_link(f"/api/events/{event_id}/relationships/{name}"),
                "related": self_link(f"/api/events/{event_id}/{name}"),
            },
        }
    )


@bp.get("/api/metrics", strict_slashes=False)
def get_metrics() -> Response:
    owner = account()
    fields = csv_param("fields[metric]", METRIC_FIELDS)
    _flow_include()
    expression = _filter(parse_metric_filter)
    found, next_key = backend().event_query.metrics(
        owner, expression, _cursor((str, str)), METRICS_PAGE
    )
    note(f"listed {len(found)} metrics")
    return respond(
        {
            "data": [metric_resource(m, fields) for m in found],
            "links": page_links("/api/metrics", next_key),
        }
    )


@bp.get("/api/metrics/<metric_id>", strict_slashes=False)
def get_metric(metric_id: str) -> Response:
    fields = csv_param("fields[metric]", METRIC_FIELDS)
    _flow_include()
    metric = backend().event_query.metric(account(), metric_id)
    return respond(
        {
            "data": metric_resource(metric, fields),
            "links": {"self": self_link(f"/api/metrics/{metric_id}")},
        }
    )


def _flow_include() -> None:
    """``include=flow-triggers`` and ``fields[flow]`` are accepted and include nothing
    (*chosen*: the mock has no flows)."""
    csv_param("include", frozenset({"flow-triggers"}))
    csv_param(
        "fields[flow]",
        frozenset({"archived", "created", "id", "name", "status", "trigger_type", "updated"}),
    )
