"""Records every request in the backend's journal: what came in, what went out, and why.

Views put what they decoded (Track/Identify) or the raw body they read in the request's notes;
this hook never reads the request body itself, which may be over the size limit.
"""

from __future__ import annotations

from flask import Response
from flask import request

from ..domain.journal import Entry
from .context import notes_of
from .context import service
from .errors import PUBLIC_PATHS

ADMIN_PREFIX = "/__mock__"
#: A request header whose value the journal keeps, to find a caller's own entries.
TRACE_HEADER = "X-Klaviyo-Mock-Trace"
_TRACE_KEY = "HTTP_" + TRACE_HEADER.upper().replace("-", "_")
#: The request headers an entry keeps (but for Track and Identify, whose payload says it all),
#: by their WSGI keys: what a replay of the call needs.
KEPT_HEADERS = (
    ("Authorization", "HTTP_AUTHORIZATION"),
    ("api-key", "HTTP_API_KEY"),
    ("revision", "HTTP_REVISION"),
    ("Content-Type", "CONTENT_TYPE"),
)


def record(response: Response) -> Response:
    """An ``after_request`` hook. Calls to the admin API are not Klaviyo calls: not recorded.
    It runs on every call, so it only gathers: the journal puts an entry in words when read."""
    current = request._get_current_object()  # type: ignore[attr-defined]  # once, not per use
    path = current.path
    if path.startswith(ADMIN_PREFIX):
        return response
    environ = current.environ  # plain reads from here on
    said = notes_of(environ)
    query = environ.get("QUERY_STRING", "")
    length = environ.get("CONTENT_LENGTH", "")
    size = len(query) + (int(length) if length.isascii() and length.isdigit() else len(said.body))
    answered: str | bytes
    if said.answer is not None:
        answered = said.answer
    elif response.content_type is None:  # 202, 204: no body
        answered = ""
    elif response.direct_passthrough or not response.content_type.startswith(
        ("text/", "application/")
    ):
        answered = f"<{response.content_type}>"
    else:
        answered = response.get_data()
    klaviyo = service()
    klaviyo.journal.record(
        Entry(
            klaviyo.clock(),
            said.account,
            environ["REQUEST_METHOD"],
            path,
            (query, said.body, said.payload, size),
            response.status_code,
            answered,
            said.decisions,
            said.profiles,
            said.identifiers,
            environ.get(_TRACE_KEY),
            None if path in PUBLIC_PATHS else _kept(environ),
        )
    )
    return response


def _kept(environ: dict[str, str]) -> dict[str, str]:
    return {name: environ[key] for name, key in KEPT_HEADERS if environ.get(key)}
