"""Every answer of today's API that the suite sees is checked against Klaviyo's published
OpenAPI document, the copy the package ships (``mockserver/spec``: ``klaviyo/openapi``
``openapi/stable.json``, revision 2026-07-15, MIT, see ``LICENSE`` there), with openapi-core:
a validator the mock itself does not use, so that the mock is not its own judge.

``validating(app)`` adds an ``after_request`` hook that validates each current-API response
with ``openapi-core`` and keeps what failed in ``failures(app)``; the ``app`` fixture asserts
that list is empty when the test ends. The document is loaded once per session. Its own
document-level check is off: ``stable.json`` does not pass it (current-api.md §9.1).
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask
from flask import Response
from flask import request
from openapi_core import Config
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound
from openapi_core.templating.paths.exceptions import PathNotFound
from openapi_core.testing import MockRequest
from openapi_core.testing import MockResponse

from mockserver.api.errors import is_legacy
from mockserver.api.journal import ADMIN_PREFIX
from mockserver.spec.document import read

HOST = "https://a.klaviyo.com"
FAILURES = "openapi_failures"


@functools.cache
def document() -> dict[str, Any]:
    """The document, with the few faults ``mockserver.spec.document.PATCHES`` fixes (each
    explained there)."""
    return read()


@functools.cache
def spec() -> OpenAPI:
    return OpenAPI.from_dict(_any_of(document()), config=Config(spec_validator_cls=None))


def _any_of(node: Any) -> Any:
    """The document with ``oneOf`` read as ``anyOf``, as the mock reads it for request bodies
    (``mockserver/spec/schemas.py``): several of Klaviyo's ``oneOf`` have branches that overlap
    or are the same schema (a campaign's required ``send_options``: EmailSendOptions,
    SMSSendOptions and PushSendOptions, each ``{use_smart_sending}``; its ``tracking_options``;
    a message's ``content``), so that no answer could match exactly one of them."""
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): _any_of(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_any_of(value) for value in node]
    return node


def enum(path: str, method: str, parameter: str) -> list[str]:
    """The values the spec allows for a query parameter that takes a list (``fields[…]``)."""
    for entry in document()["paths"][path][method]["parameters"]:
        if entry.get("name") == parameter:
            values: list[str] = entry["schema"]["items"]["enum"]
            return values
    raise KeyError(parameter)


def is_current(path: str) -> bool:
    """A path of today's API (not the legacy one, not the admin API)."""
    if path.startswith(ADMIN_PREFIX) or is_legacy(path):
        return False
    return path.startswith(("/api/", "/client/"))


def problem(
    method: str, path: str, query: dict[str, str], status: int, body: bytes, mimetype: str
) -> str | None:
    """Why this answer does not fit the spec, or None when it does (or the spec has no such
    operation: an unknown path or method, answered with the error envelope)."""
    openapi_request = MockRequest(
        HOST, method.lower(), path.rstrip("/") or "/", args=query, content_type=mimetype
    )
    openapi_response = MockResponse(body, status_code=status, content_type=mimetype)
    try:
        spec().validate_response(openapi_request, openapi_response)
    except (PathNotFound, OperationNotFound):
        return None
    except Exception as error:  # every other failure is the finding
        cause = error.__cause__
        return f"{method} {path} -> {status}: {error}" + (f" ({cause!r})" if cause else "")
    return None


def validating(app: Flask) -> Flask:
    """Check every current-API answer ``app`` gives against the spec."""
    found: list[str] = app.extensions.setdefault(FAILURES, [])

    @app.after_request
    def check(response: Response) -> Response:
        if is_current(request.path):
            reason = problem(
                request.method,
                request.path,
                dict(request.args),
                response.status_code,
                response.get_data(),
                response.mimetype or "application/json",
            )
            if reason is not None:
                found.append(reason)
        return response

    return app


def failures(app: Flask) -> list[str]:
    found: list[str] = app.extensions.get(FAILURES, [])
    return found
