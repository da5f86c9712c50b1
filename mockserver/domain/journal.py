"""A bounded record of every call: what came in, what was answered, and what the mock decided.

The newest entries are kept; the oldest fall off once ``capacity`` is reached, so a long CI run
cannot grow it without bound.
"""

from __future__ import annotations

import codecs
import contextlib
import threading
from collections import deque
from collections.abc import Collection
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from .models import IdentifierKind
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import iso_seconds

#: Requests and answers longer than this are kept clipped.
TEXT_LIMIT = 2000

#: What came in: the query string, the body, the decoded Track/Identify payload (or None), and
#: the request's size in characters.
Incoming = tuple[str, bytes, "dict[str, Any] | None", int]


class Entry:
    """One call, kept as it was seen and put in words only when read: recording runs on every
    call, reading seldom. (Read-only once recorded.)

    ``request`` is what came in: the decoded Track/Identify payload, else the query and the
    body; both clipped when together they exceed ``TEXT_LIMIT`` characters. ``response`` is the
    answer's text, clipped alike.
    """

    __slots__ = (
        "_answer",
        "_body",
        "_clipped",
        "_decisions",
        "_identifiers",
        "_payload",
        "_profiles",
        "_query",
        "_size",
        "account",
        "headers",
        "id",
        "method",
        "moment",
        "path",
        "status",
        "trace",
    )

    def __init__(
        self,
        moment: datetime,
        account: str | None,
        method: str,
        path: str,
        incoming: Incoming,
        status: int,
        answer: str | bytes,
        decisions: Sequence[str] = (),
        profiles: Sequence[str] = (),
        identifiers: Sequence[str] = (),
        trace: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """``incoming`` is the query, the body, the decoded Track/Identify payload (or None) and
        the request's size in characters; the sequences are kept as given, not copied (the
        caller hands them over). ``Journal.record`` numbers the entry."""
        self.id = 0
        self.moment = moment
        self.account = account
        self.method = method
        self.path = path
        query, body, payload, size = incoming
        text: str | bytes = body
        self._clipped = size > TEXT_LIMIT
        if self._clipped:  # rare: clipped now, so that an entry stays small
            query, text, payload = _clip(query), _clip(_text(body)), None
        self._query, self._body, self._payload, self._size = query, text, payload, size
        self.status = status
        self._answer = answer if len(answer) <= TEXT_LIMIT else _clip(_text(answer))
        self._decisions = decisions
        self._profiles = profiles
        self._identifiers = identifiers
        #: The caller's correlation tag (the ``X-Klaviyo-Mock-Trace`` header), if any.
        self.trace = trace
        #: The headers a replay needs (key, revision, content type), for calls other than
        #: Track and Identify, whose payload says it all.
        self.headers = headers

    @property
    def sent(self) -> tuple[str, str, dict[str, Any] | None] | None:
        """What came in, whole, to send again: the raw query, the body's text and the decoded
        Track/Identify payload; None when the entry keeps it clipped."""
        if self._clipped:
            return None
        return self._query, _text(self._body), self._payload

    @property
    def at(self) -> str:
        return iso_seconds(self.moment)

    @property
    def request(self) -> dict[str, Any]:
        if self._size > TEXT_LIMIT:  # clipped when recorded
            return {"query": self._query, "body": _text(self._body)}
        if self._payload is not None:  # Track/Identify: the decoded payload says it all
            return {"payload": self._payload}
        incoming: dict[str, Any] = {"query": _parameters(self._query)}
        if self._body:
            incoming["body"] = _text(self._body)
        return incoming

    @property
    def response(self) -> str:
        return _text(self._answer)  # clipped when recorded

    @property
    def decisions(self) -> tuple[str, ...]:
        return tuple(self._decisions)

    @property
    def profiles(self) -> tuple[str, ...]:
        """The profiles the call touched, the one it landed on first."""
        return tuple(dict.fromkeys(self._profiles))

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The identifier values the call carried, normalised."""
        return tuple(dict.fromkeys(self._identifiers))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "account": self.account,
            "method": self.method,
            "path": self.path,
            "request": self.request,
            "status": self.status,
            "response": self.response,
            "decisions": list(self.decisions),
            "profiles": list(self.profiles),
            "identifiers": list(self.identifiers),
            "trace": self.trace,
        }

    def mentions(self, needles: Collection[str]) -> bool:
        """Whether any of ``needles`` (lower-cased) is an identifier or profile of this call."""
        return any(value.lower() in needles for value in (*self._identifiers, *self._profiles))


def _as_sent(error: UnicodeError) -> tuple[str, int]:
    """Bytes of a query that are not UTF-8, shown percent-encoded as they came (``%FF``)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(f"%{byte:02X}" for byte in bad), error.end


codecs.register_error("klaviyo_mock.as_sent", _as_sent)


def _parameters(query: str) -> dict[str, list[str]]:
    """A WSGI query string (latin-1 by the WSGI rules) as its parameters, as werkzeug reads
    them: UTF-8, with what is not UTF-8 left as sent."""
    try:
        text = query.encode("latin-1").decode("utf-8", "klaviyo_mock.as_sent")
    except UnicodeEncodeError:  # not from a WSGI server: already text
        text = query
    return parse_qs(text, keep_blank_values=True, errors="klaviyo_mock.as_sent")


def _text(raw: str | bytes) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "replace")


def _clip(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return text[:TEXT_LIMIT] + f"… ({len(text)} characters)"


def _forms(identifier: str) -> set[str]:
    """The ways ``identifier`` may be stored: as given, as an email, as a phone number."""
    forms = {identifier.strip().lower()}
    for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER):
        with contextlib.suppress(InvalidIdentifier):
            forms.add(normalize(kind, identifier).lower())
    return forms


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._next = 1
        self._lock = threading.Lock()

    def record(self, entry: Entry) -> Entry:
        """Keep one call, numbered in the order calls are kept."""
        with self._lock:
            entry.id = self._next
            self._next += 1
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        account: str | None = None,
        identifier: str | None = None,
        path: str | None = None,
        profiles: Collection[str] = (),
        trace: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Newest first; each filter given narrows the list. ``identifier`` matches an identifier
        value (emails in any case, phone numbers in any format) or a profile id the call touched;
        ``path`` matches a path prefix."""
        needles = _forms(identifier) if identifier is not None else set()
        with self._lock:
            snapshot = list(self._entries)
        found: list[Entry] = []
        for entry in reversed(snapshot):
            if account is not None and entry.account != account:
                continue
            if identifier is not None and not entry.mentions(needles):
                continue
            if path is not None and not entry.path.startswith(path):
                continue
            if profiles and not set(profiles) & set(entry.profiles):
                continue
            if trace is not None and entry.trace != trace:
                continue
            if limit is not None and len(found) >= limit:
                break
            found.append(entry)
        return found

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0

    def position(self) -> int:
        """The number the next entry will get."""
        with self._lock:
            return self._next

    def oldest(self) -> int | None:
        """The number of the oldest entry kept (older ones fell off), None when empty."""
        with self._lock:
            return self._entries[0].id if self._entries else None

    def clear(self) -> None:
        with self._lock:
            self._entries = deque(maxlen=self._entries.maxlen)
