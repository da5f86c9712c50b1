"""Errors as each API generation writes them, from one app-level handler.

The body depends on where the request went (klaviyo-behavior.md §1 and §4):

- ``/api/track``, ``/api/identify``: the text ``0`` (but a wrong method is a v2-style JSON error);
- ``/api/v1/…``: ``{"status": N, "message": "…"}``;
- ``/api/v2/…``: ``{"detail": "…"}`` (Django REST framework's shape);
- anything else: the JSON:API envelope of today's API, ``{"errors": [{…}]}``.

Routing errors (unknown path, wrong method) go through the same handler, so the mock never
answers with an HTML page.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

from ..domain.commands import InvalidAttribute
from ..domain.commands import NotFound
from ..domain.paging import InvalidCursor
from ..domain.resources import Conflict
from .context import note

#: Track and Identify: the legacy public API, whose decoded payload says all a call sent.
PUBLIC_PATHS = ("/api/track", "/api/identify")
#: The blank pixel Track/Identify answer with ``?i=1`` (a 1x1 transparent GIF).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

_CODES = {
    400: ("invalid", "Invalid input."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    409: ("conflict", "Conflict."),
    410: ("gone", "Gone."),
    413: ("request_too_large", "Request entity too large."),
    415: ("unsupported_media_type", "Unsupported media type."),
    500: ("error", "A server error occurred."),
}


class ApiError(Exception):
    """An error a view answers with; the generation's shape comes from the path. The keywords
    only show in the current API's envelope: where the error is (``pointer`` into the body or
    a query ``parameter``), and a ``code`` and ``meta`` other than the status's usual ones."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        code: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.pointer = pointer
        self.parameter = parameter
        self.code = code
        self.meta = meta


def invalid(error: InvalidAttribute, under: str = "/data/attributes") -> ApiError:
    """A 400 for a value the domain refused, pointing at it among the attributes ``under``
    (or, for a ``relationships/…`` name, at the relationship beside them)."""
    if error.name.startswith("relationships/"):
        return ApiError(400, str(error), pointer=f"{under.rsplit('/', 1)[0]}/{error.name}")
    return ApiError(400, str(error), pointer=f"{under}/{error.name}" if error.name else under)


def error_document(error: ApiError) -> dict[str, Any]:
    """The current API's error envelope (current-api.md §2.1)."""
    code, title = _CODES.get(error.status, ("error", "Error."))
    if error.parameter is not None:
        source = {"parameter": error.parameter}
    else:
        source = {"pointer": "/data/" if error.pointer is None else error.pointer}
    entry = {
        "id": str(uuid.uuid4()),
        "status": error.status,
        "code": error.code or code,
        "title": title,
        "detail": error.message,
        "source": source,
        "meta": error.meta or {},
    }
    if error.status == 409:
        entry["links"] = {}
    return {"errors": [entry]}


def is_public(path: str) -> bool:
    return path.rstrip("/") in PUBLIC_PATHS


def is_legacy(path: str) -> bool:
    """Track, Identify and the v1/v2 REST API: what Klaviyo retired on 2024-06-30."""
    return is_public(path) or path.startswith(("/api/v1/", "/api/v2/"))


def error_response(status: int, message: str, path: str) -> Response:
    return error_answer(ApiError(status, message), path)


def error_answer(error: ApiError, path: str) -> Response:
    status, message = error.status, error.message
    if is_public(path) and status not in (404, 405):
        if request.args.get("i") == "1":
            return Response(PIXEL, status=status, mimetype="image/gif")
        return Response("0", status=status, mimetype="text/html")
    if path.startswith("/api/v1/"):
        response = jsonify(status=status, message=message)
    elif path.startswith("/api/v2/") or is_public(path):
        response = jsonify(detail=message)
    else:
        response = jsonify(error_document(error))
        response.mimetype = "application/vnd.api+json"
    response.status_code = status
    return response


#: What the domain raises that a call answers with, without a view turning it into its own.
DOMAIN_ERRORS = (ApiError, NotFound, InvalidAttribute, InvalidCursor, Conflict)


def answer_for(error: Exception) -> Response:
    """The answer to an error a call raised (one of ``DOMAIN_ERRORS``)."""
    path = request.path
    if isinstance(error, ApiError):
        return error_answer(error, path)
    if isinstance(error, NotFound):  # something a call names is not there
        note(f"not found: {error}")
        return error_response(404, str(error), path)
    if isinstance(error, InvalidAttribute):  # a value the domain refuses
        return error_answer(invalid(error), path)
    if isinstance(error, Conflict):
        note(f"refused: {error}")
        return error_answer(ApiError(409, str(error), code="conflict"), path)
    if isinstance(error, InvalidCursor):
        return error_answer(ApiError(400, str(error), parameter="page[cursor]"), path)
    raise TypeError(f"not a domain error: {error!r}")


def register_error_handlers(app: Flask) -> None:
    for kind in DOMAIN_ERRORS:
        app.register_error_handler(kind, answer_for)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        if status == 404:
            message = f"{request.method} {request.path} is not a Klaviyo endpoint this mock serves."
        elif status == 405:
            message = f'Method "{request.method}" not allowed.'
        else:
            message = error.description or error.name
        response = error_response(status, message, request.path)
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
