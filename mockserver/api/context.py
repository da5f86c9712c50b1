"""Request-scoped helpers the views share: the app's ``Klaviyo`` and the journal notes.

Notes live in the request's WSGI environ, not in ``flask.g``: ``g`` belongs to the app context,
which a request made from inside another one (a scenario run through the admin API) shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from io import BytesIO
from typing import Any

import flask
from flask import current_app
from flask import has_app_context
from flask import request
from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain.service import Klaviyo

EXTENSION = "klaviyo_mock"
_NOTES = "klaviyo_mock.notes"


@dataclass(slots=True)
class Notes:
    """What one request's journal entry will say."""

    decisions: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    account: str | None = None
    payload: dict[str, Any] | None = None
    body: bytes = b""
    #: The answer's text, when the view knows it (Track/Identify), so it need not be read back.
    answer: str | None = None


class Request(flask.Request):
    """Flask's request, reading a body of known length straight from the WSGI input: werkzeug's
    guarded stream costs several times the read itself, on the calls every client makes. The
    guards stay: over ``max_content_length`` is a 413, a short body a 400, and a chunked body
    or one of unknown length goes through werkzeug.

    (A note for the whole HTTP layer: an attribute read through Flask's ``request`` or
    ``current_app`` proxy, such as ``request.environ``, costs several times a method call on
    it; code that runs on every call takes ``_get_current_object()`` once and reads from that.)
    """

    @property
    def max_content_length(self) -> int | None:
        """Flask's: set on this request, else the app's ``MAX_CONTENT_LENGTH``; with the app
        taken from its context once (Flask's reads ``current_app`` twice, through the proxy)."""
        if self._max_content_length is not None:
            return self._max_content_length
        if not has_app_context():
            return super().max_content_length
        limit: int | None = current_app._get_current_object().config["MAX_CONTENT_LENGTH"]  # type: ignore[attr-defined]
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def get_data(  # type: ignore[override]  # same signature; overloads left to werkzeug
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> bytes | str:
        environ = self.environ
        length = environ.get("CONTENT_LENGTH", "")
        if (
            not cache
            or as_text
            or parse_form_data
            or self.shallow
            or "_cached_data" in self.__dict__  # read before (getattr: a caught AttributeError)
            or not (length.isascii() and length.isdigit())
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return super().get_data(cache, as_text, parse_form_data)  # type: ignore[call-overload, no-any-return]
        size = int(length)
        limit = self.max_content_length
        if limit is not None and size > limit:
            raise RequestEntityTooLarge()
        data: bytes = environ["wsgi.input"].read(size)
        if len(data) < size:
            raise ClientDisconnected()
        self._cached_data = data  # where werkzeug keeps it: ``form`` and later reads use it
        self.__dict__["stream"] = BytesIO()  # consumed, as werkzeug's would be: reads give b""
        return data


def service() -> Klaviyo:
    """The app's ``Klaviyo`` (flaskr's ``get_db()``, app-scoped); an account's backend is
    ``service().backend(account)``."""
    klaviyo: Klaviyo = current_app._get_current_object().extensions[EXTENSION]  # type: ignore[attr-defined]
    return klaviyo


def notes() -> Notes:
    """This request's notes."""
    return notes_of(request._get_current_object().environ)  # type: ignore[attr-defined]


def notes_of(environ: dict[str, Any]) -> Notes:
    """The notes of the request whose WSGI environ this is."""
    found: Notes | None = environ.get(_NOTES)
    if found is None:
        found = environ[_NOTES] = Notes()
    return found


def note(
    *decisions: str,
    account: str | None = None,
    profiles: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> None:
    """Add what the mock decided, and whom it concerned, to this request's journal entry."""
    current = notes()
    current.decisions.extend(decisions)
    current.profiles.extend(profiles)
    current.identifiers.extend(identifiers)
    if account is not None:
        current.account = account
