"""A bounded record of every call: what came in, what was answered, and what the mock decided.

The newest entries are kept; the oldest fall off once ``capacity`` is reached, so a long CI run
cannot grow it without bound.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .models import IdentifierKind
from .normalize import InvalidIdentifier
from .normalize import normalize


@dataclass(slots=True)
class Entry:
    """One call. (Not frozen, for speed: it is made on every call; treat it as read-only.)"""

    id: int
    at: str
    account: str | None
    method: str
    path: str
    request: dict[str, Any]
    status: int
    response: str
    decisions: tuple[str, ...] = field(default=())
    #: The profiles the call touched, the one it landed on first.
    profiles: tuple[str, ...] = field(default=())
    #: The identifier values the call carried, normalised.
    identifiers: tuple[str, ...] = field(default=())
    #: The caller's correlation tag (the ``X-Klaviyo-Mock-Trace`` header), if any.
    trace: str | None = None

    def mentions(self, needles: Collection[str]) -> bool:
        """Whether any of ``needles`` (lower-cased) is an identifier or profile of this call."""
        return any(value.lower() in needles for value in (*self.identifiers, *self.profiles))


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
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> Entry:
        with self._lock:
            entry = Entry(id=next(self._ids), **fields)
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

    def clear(self) -> None:
        with self._lock:
            self._entries = deque(maxlen=self._entries.maxlen)
