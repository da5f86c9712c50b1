"""Records every request in the backend's journal: what came in, what went out, and why.

Views put what they decoded (Track/Identify) or the raw body they read in the request's notes;
this hook never reads the request body itself, which may be over the size limit.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import request

from .context import backend
from .context import notes

ADMIN_PREFIX = "/__mock__"
_TEXT_LIMIT = 2000
#: A request header whose value the journal keeps, to find a caller's own entries.
TRACE_HEADER = "X-Klaviyo-Mock-Trace"


def _clip(text: str) -> str:
    if len(text) <= _TEXT_LIMIT:
        return text
    return text[:_TEXT_LIMIT] + f"… ({len(text)} characters)"


def record(response: Response) -> Response:
    """An ``after_request`` hook. Calls to the admin API are not Klaviyo calls: not recorded."""
    if request.path.startswith(ADMIN_PREFIX):
        return response
    said = notes()
    incoming: dict[str, Any] = {}
    size = len(request.query_string) + (request.content_length or len(said.body))
    if size > _TEXT_LIMIT:  # keep the journal small whatever comes in
        incoming["query"] = _clip(request.query_string.decode("latin-1"))
        incoming["body"] = _clip(said.body.decode("utf-8", "replace"))
    else:
        incoming["query"] = request.args.to_dict(flat=False)
        if said.payload is not None:
            incoming["payload"] = said.payload
        elif said.body:
            incoming["body"] = said.body.decode("utf-8", "replace")
    if response.mimetype == "image/gif" or response.direct_passthrough:
        answered = f"<{response.mimetype}>"
    else:
        answered = _clip(response.get_data(as_text=True))
    klaviyo = backend()
    klaviyo.journal.record(
        at=klaviyo.clock().isoformat(timespec="seconds"),
        account=said.account,
        method=request.method,
        path=request.path,
        request=incoming,
        status=response.status_code,
        response=answered,
        decisions=tuple(said.decisions),
        profiles=tuple(dict.fromkeys(said.profiles)),
        identifiers=tuple(dict.fromkeys(said.identifiers)),
        trace=request.headers.get(TRACE_HEADER),
    )
    return response
