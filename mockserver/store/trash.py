"""Freeing a big state without making the caller wait.

Dropping a table of 10,000 profiles frees some 100,000 objects, which takes milliseconds, and a
test suite resets the state between every two tests. ``bury`` hands the containers to one
background thread that empties them a few dozen items at a time, letting other threads run
in between, so that a reset costs its caller the same at any size.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

_BITE = 32
_queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
_started = threading.Lock()
_thread: threading.Thread | None = None


def bury(*containers: Any) -> None:
    """Take over dicts, sets, lists (or lists of them) and free them in the background."""
    global _thread
    for container in containers:
        if container:
            _queue.put(container)
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_empty, name="klaviyo-mock-trash", daemon=True)
            _thread.start()


def _empty() -> None:
    while True:
        container = _queue.get()
        if isinstance(container, list):
            bury(*(item for item in container if isinstance(item, dict | set | list)))
            continue
        take = container.popitem if isinstance(container, dict) else container.pop
        while container:
            for _ in range(min(_BITE, len(container))):
                take()
            time.sleep(0)  # let the threads that serve requests run
