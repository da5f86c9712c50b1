"""Track and Identify (legacy-api.md §3-4): GET or POST, every encoding clients used.

The answer is ``1`` when the payload is well formed, whatever happens to it next (an unknown
token or no identifier: nothing stored, and the journal says why), and ``0`` when it does not
decode to a JSON object or does not fit the schema. ``?i=1`` answers a 1x1 GIF instead.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from marshmallow import ValidationError

from ..domain.commands import Outcome
from ..domain.service import Klaviyo
from . import wire
from .context import Notes
from .context import note
from .context import notes
from .context import notes_of
from .context import service
from .errors import PIXEL
from .schemas import IdentifySchema
from .schemas import TrackSchema
from .schemas import describe

bp = Blueprint("public", __name__)

#: The content types whose body may hold a ``data`` form field.
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


#: By whether unprefixed ``email``/``id``/``phone_number`` count as identifiers (LEGACY_ALIASES).
_TRACK = {aliases: TrackSchema(aliases=aliases) for aliases in (True, False)}
_IDENTIFY = {aliases: IdentifySchema(aliases=aliases) for aliases in (True, False)}


def _answer(said: Notes, text: str) -> Response:
    current = request._get_current_object()  # type: ignore[attr-defined]
    if current.environ.get("QUERY_STRING") and current.args.get("i") == "1":
        said.answer = "<pixel>"
        return Response(PIXEL, mimetype="image/gif")
    said.answer = text
    return Response(text, mimetype="text/html")


def _call(
    schemas: Mapping[bool, TrackSchema | IdentifySchema], act: Callable[[Klaviyo, Any], Outcome]
) -> Response:
    """Decode the payload wherever the client put it, load it, act on it, answer ``1``. (Reads
    the request and the app once each: every client sends these calls by the thousand.)"""
    current = request._get_current_object()  # type: ignore[attr-defined]
    environ = current.environ
    said = notes_of(environ)
    if environ.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in environ:
        body = said.body = current.get_data()  # first: the form is then parsed from the cache
        form = current.form if environ.get("CONTENT_TYPE", "").startswith(_FORMS) else {}
    else:
        body, form = b"", {}
    query = current.args if environ.get("QUERY_STRING") else {}
    said.payload = wire.decode_payload(query, form, body)
    aliases = current_app._get_current_object().config["LEGACY_ALIASES"]  # type: ignore[attr-defined]
    outcome = act(service(), schemas[aliases].command(said.payload))
    said.decisions.extend(outcome.decisions)
    said.profiles.extend(outcome.touched)
    said.identifiers.extend(outcome.identifiers)
    said.account = outcome.account
    return _answer(said, "1")


@bp.route("/api/track", methods=["GET", "POST"], strict_slashes=False)
def track() -> Response:
    return _call(_TRACK, lambda klaviyo, command: klaviyo.track(command))


@bp.route("/api/identify", methods=["GET", "POST"], strict_slashes=False)
def identify() -> Response:
    return _call(_IDENTIFY, lambda klaviyo, command: klaviyo.identify(command))


@bp.errorhandler(wire.PayloadError)
@bp.errorhandler(ValidationError)
def rejected(error: Exception) -> Response:
    reason = describe(error) if isinstance(error, ValidationError) else str(error)
    note(f"rejected (answered 0): {reason}")
    return _answer(notes(), "0")
