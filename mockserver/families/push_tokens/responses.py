"""Registering and unregistering push tokens (202 with no body); reading and deleting them is
generic."""

from __future__ import annotations

from flask import Response

from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import invalid
from ...api.jsonapi import respond
from ...domain.commands import InvalidAttribute
from .models import register
from .models import unregister

PERSON = "/data/attributes/profile/data"


def _register(call: Call, keep_identifiers: bool) -> Response:
    attributes = call.data["attributes"]
    person = attributes["profile"]["data"]
    person_attributes = person.get("attributes") or {}
    changes = profile_changes(
        person_attributes,
        person_attributes.get("meta"),
        f"{PERSON}/attributes",
        f"{PERSON}/attributes/meta",
    )
    decisions: list[str] = []
    try:
        holder = register(
            call.backend,
            attributes,
            profile_id(person),
            changes,
            decisions,
            keep_identifiers=keep_identifiers,
        )
    except InvalidAttribute as error:
        note(*decisions)
        raise invalid(error, f"{PERSON}/attributes") from None
    note(*decisions, profiles=[] if holder is None else [holder])
    return respond(None, 202)


def create_push_token(call: Call) -> Response:
    return _register(call, keep_identifiers=False)


def create_client_push_token(call: Call) -> Response:
    """As the server's call, but a profile it finds keeps its identifiers (a client call)."""
    return _register(call, keep_identifiers=True)


def unregister_client_push_token(call: Call) -> Response:
    attributes = call.data["attributes"]
    decisions: list[str] = []
    unregister(call.backend, attributes["token"], attributes["platform"], decisions)
    note(*decisions)
    return respond(None, 202)


HANDLERS: dict[str, Handler] = {
    "create_push_token": create_push_token,
    "create_client_push_token": create_client_push_token,
    "unregister_client_push_token": unregister_client_push_token,
}
