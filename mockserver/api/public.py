"""Track and Identify (legacy-api.md §3-4): GET or POST, every encoding clients used.

The answer is ``1`` when the payload is well formed, whatever happens to it next (an unknown
token or no identifier: nothing stored, and the journal says why), and ``0`` when it does not
decode to a JSON object or does not fit the schema. ``?i=1`` answers a 1x1 GIF instead.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request
from marshmallow import ValidationError

from ..domain.commands import Outcome
from . import wire
from .context import Notes
from .context import backend
from .context import note
from .context import notes
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


def _answer(text: str) -> Response:
    said = notes()
    if request.args.get("i") == "1":
        said.answer = "<pixel>"
        return Response(PIXEL, mimetype="image/gif")
    said.answer = text
    return Response(text, mimetype="text/html")


def _payload(said: Notes) -> dict[str, Any]:
    current = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
    environ = current.environ
    if environ.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in environ:
        body = said.body = current.get_data()  # first: the form is then parsed from the cache
        form = current.form if environ.get("CONTENT_TYPE", "").startswith(_FORMS) else {}
    else:
        body, form = b"", {}
    said.payload = wire.decode_payload(current.args, form, body)
    return said.payload


def _accepted(said: Notes, outcome: Outcome) -> Response:
    said.decisions.extend(outcome.decisions)
    said.profiles.extend(outcome.touched)
    said.identifiers.extend(outcome.identifiers)
    said.account = outcome.account
    return _answer("1")


@bp.route("/api/track", methods=["GET", "POST"], strict_slashes=False)
def track() -> Response:
    said = notes()
    command = _TRACK[current_app.config["LEGACY_ALIASES"]].load(_payload(said))
    return _accepted(said, backend().track(command))


@bp.route("/api/identify", methods=["GET", "POST"], strict_slashes=False)
def identify() -> Response:
    said = notes()
    command = _IDENTIFY[current_app.config["LEGACY_ALIASES"]].load(_payload(said))
    return _accepted(said, backend().identify(command))


@bp.errorhandler(wire.PayloadError)
@bp.errorhandler(ValidationError)
def rejected(error: Exception) -> Response:
    reason = describe(error) if isinstance(error, ValidationError) else str(error)
    note(f"rejected (answered 0): {reason}")
    return _answer("0")
