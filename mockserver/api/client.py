"""Today's client endpoints (current-api.md §6): ``?company_id=<public key>``, no private key,
202 with no body. They create or update profiles like the server-side calls, but never change
an identifier a profile already has (SPEC: "the identifier field(s) will not be updated")."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from ..domain.commands import InvalidAttribute
from .context import backend
from .context import note
from .documents import ProfileImportQuery
from .errors import invalid
from .events import record_event
from .jsonapi import account
from .jsonapi import body
from .jsonapi import client_guard
from .jsonapi import load
from .jsonapi import respond
from .jsonapi import stamp

bp = Blueprint("client", __name__)
bp.before_request(client_guard)
bp.after_request(stamp)

#: ``OnsiteProfileCreateQuery`` has the shape of a profile import: ``type``, ``id?``,
#: ``attributes`` and ``meta`` beside them.
profile_query = ProfileImportQuery()


@bp.post("/client/events", strict_slashes=False)
def create_client_event() -> Response:
    return record_event(keep_identifiers=True)


@bp.post("/client/profiles", strict_slashes=False)
def create_client_profile() -> Response:
    owner = account()
    profile_id, changes = load(profile_query, body())
    decisions: list[str] = []
    try:
        profile = backend().people.absorb(
            owner, profile_id or None, changes, decisions, keep_identifiers=True
        )
    except InvalidAttribute as error:
        note(*decisions)
        raise invalid(error) from None
    note(*decisions, profiles=[profile.id] if profile else [])
    return respond(None, 202)
