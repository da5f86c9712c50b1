"""Records every request in the backend's journal: what came in, what went out, and why.

Views put what they decoded in ``g.payload`` (Track/Identify) or the raw body in ``g.body``;
this hook never reads the request body itself, which may be over the size limit.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import g
from flask import request

from .context import backend

_TEXT_LIMIT = 2000


def _clip(text: str) -> str:
    if len(text) <= _TEXT_LIMIT:
        return text
    return text[:_TEXT_LIMIT] + f"… ({len(text)} characters)"


def record(response: Response) -> Response:
    """An ``after_request`` hook."""
    incoming: dict[str, Any] = {}
    size = len(request.query_string) + (request.content_length or len(g.get("body", b"")))
    if size > _TEXT_LIMIT:  # keep the journal small whatever comes in
        incoming["query"] = _clip(request.query_string.decode("latin-1"))
        incoming["body"] = _clip(g.get("body", b"").decode("utf-8", "replace"))
    else:
        incoming["query"] = request.args.to_dict(flat=False)
        if g.get("payload") is not None:
            incoming["payload"] = g.payload
        elif g.get("body"):
            incoming["body"] = g.body.decode("utf-8", "replace")
    if response.mimetype == "image/gif" or response.direct_passthrough:
        answered = f"<{response.mimetype}>"
    else:
        answered = _clip(response.get_data(as_text=True))
    klaviyo = backend()
    klaviyo.journal.record(
        at=klaviyo.clock().isoformat(timespec="seconds"),
        account=g.get("account"),
        method=request.method,
        path=request.path,
        request=incoming,
        status=response.status_code,
        response=answered,
        decisions=tuple(g.get("decisions", ())),
        profiles=tuple(dict.fromkeys(g.get("profiles", ()))),
        identifiers=tuple(dict.fromkeys(g.get("identifiers", ()))),
    )
    return response
