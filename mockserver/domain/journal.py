"""A bounded record of every call: what came in, what was answered, and what the mock decided.

The newest entries are kept; the oldest fall off once ``capacity`` is reached, so a long CI run
cannot grow it without bound.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from typing import Any


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    account: str | None
    method: str
    path: str
    request: dict[str, Any]
    status: int
    response: str
    decisions: tuple[str, ...] = field(default=())


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

    def entries(self) -> list[Entry]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
