"""Recording events (current-api.md §5): ``POST /api/events`` and ``POST /client/events``,
202 with no body. Reading them (events, their profile and metric, metrics, metric properties)
is generic, through the family's sources."""

from __future__ import annotations

from typing import Any

from flask import Response

from ...api.bodies import free_object
from ...api.bodies import moment
from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.errors import invalid
from ...api.jsonapi import respond
from ...domain.commands import InvalidAttribute
from ...domain.events import EventCommand

#: SPEC ``MetricCreateQueryResourceObject``: "Must be less than 128 characters."
METRIC_NAME_LIMIT = 127
#: SPEC ``properties``: "must not exceed 400 properties".
PROPERTY_LIMIT = 400
#: Where the event's profile sits in its body.
PERSON = "/data/attributes/profile/data"


def event_command(data: dict[str, Any], at: str = "/data") -> EventCommand:
    """An ``EventCreateQueryV2`` resource (validated by its schema) as an ``EventCommand``."""
    attributes = data["attributes"]
    person = attributes["profile"]["data"]
    person_at = f"{at}/attributes/profile/data"
    name = attributes["metric"]["data"]["attributes"]["name"]
    if not 1 <= len(name) <= METRIC_NAME_LIMIT:
        raise ApiError(
            400,
            f"The metric name must be 1 to {METRIC_NAME_LIMIT} characters long.",
            pointer=f"{at}/attributes/metric/data/attributes/name",
        )
    profile_attributes = person["attributes"]
    return EventCommand(
        metric=name,
        properties=free_object(
            attributes["properties"], f"{at}/attributes/properties", PROPERTY_LIMIT
        ),
        profile=profile_changes(
            profile_attributes,
            profile_attributes.get("meta"),
            under=f"{person_at}/attributes",
            meta_at=f"{person_at}/attributes/meta",
        ),
        profile_id=profile_id(person),
        time=moment(attributes.get("time"), f"{at}/attributes/time"),
        value=attributes.get("value"),
        value_currency=attributes.get("value_currency"),
        unique_id=attributes.get("unique_id"),
        backfill=bool(attributes.get("backfill")),
    )


def record_event(call: Call, keep_identifiers: bool = False) -> Response:
    """One event, as a background call records it: 202 with no body."""
    command = event_command(call.data)
    decisions: list[str] = []
    try:
        done = call.backend.events.record(command, decisions, keep_identifiers=keep_identifiers)
    except InvalidAttribute as error:
        note(*decisions)
        under = "/data" if error.name == "time" else PERSON
        raise invalid(error, f"{under}/attributes") from None
    note(*decisions, profiles=[done.profile.id] if done.profile else [])
    return respond(None, 202)


def create_event(call: Call) -> Response:
    return record_event(call)


def create_client_event(call: Call) -> Response:
    """As ``POST /api/events``, but a profile it finds keeps its identifiers."""
    return record_event(call, keep_identifiers=True)


HANDLERS: dict[str, Handler] = {
    "create_event": create_event,
    "create_client_event": create_client_event,
}
