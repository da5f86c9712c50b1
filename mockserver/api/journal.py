"""Records every request in the backend's journal: what came in, what went out, and why.

Views put what they decoded (Track/Identify) or the raw body they read in the request's notes;
this hook never reads the request body itself, which may be over the size limit.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import request

from ..domain.ports import iso_seconds
from .context import backend
from .context import notes

ADMIN_PREFIX = "/__mock__"
_TEXT_LIMIT = 2000
#: A request header whose value the journal keeps, to find a caller's own entries.
TRACE_HEADER = "X-Klaviyo-Mock-Trace"
_TRACE_KEY = "HTTP_" + TRACE_HEADER.upper().replace("-", "_")


def _clip(text: str) -> str:
    if len(text) <= _TEXT_LIMIT:
        return text
    return text[:_TEXT_LIMIT] + f"… ({len(text)} characters)"


def record(response: Response) -> Response:
    """An ``after_request`` hook. Calls to the admin API are not Klaviyo calls: not recorded."""
    current = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
    path = current.path
    if path.startswith(ADMIN_PREFIX):
        return response
    environ = current.environ  # plain reads: this hook runs on every call
    said = notes()
    incoming: dict[str, Any] = {}
    query = environ.get("QUERY_STRING", "")
    if len(query) + int(environ.get("CONTENT_LENGTH") or len(said.body)) > _TEXT_LIMIT:
        incoming["query"] = _clip(query)  # keep the journal small
        incoming["body"] = _clip(said.body.decode("utf-8", "replace"))
    elif said.payload is not None:  # Track/Identify: the decoded payload says it all
        incoming["payload"] = said.payload
    else:
        incoming["query"] = current.args.to_dict(flat=False)
        if said.body:
            incoming["body"] = said.body.decode("utf-8", "replace")
    if said.answer is not None:
        answered = said.answer
    elif response.content_type is None:  # 202, 204: no body
        answered = ""
    elif response.direct_passthrough or not response.content_type.startswith(
        ("text/", "application/")
    ):
        answered = f"<{response.content_type}>"
    else:
        answered = _clip(response.get_data(as_text=True))
    klaviyo = backend()
    klaviyo.journal.record(
        at=iso_seconds(klaviyo.clock()),
        account=said.account,
        method=environ["REQUEST_METHOD"],
        path=path,
        request=incoming,
        status=response.status_code,
        response=answered,
        decisions=tuple(said.decisions),
        profiles=tuple(dict.fromkeys(said.profiles)),
        identifiers=tuple(dict.fromkeys(said.identifiers)),
        trace=environ.get(_TRACE_KEY),
    )
    return response
