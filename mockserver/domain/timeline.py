"""The legacy timelines' paging (legacy-api.md §6): ``since`` as a time or a ``next`` token.

Events are ordered by (timestamp, id). ``since`` is a UNIX time (inclusive: descending, events
at or before it; ascending, at or after it) or the ``next`` token of an earlier page,
``<timestamp>-<event id>`` (exclusive). Without ``since`` a timeline is newest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Event

_TOKEN = re.compile(r"(\d+)-(\S+)")

Since = int | tuple[int, str] | None


def parse_since(text: str | None) -> Since:
    """``"1600000000"`` or ``"1600000000-01J…"``; raises ValueError for anything else."""
    if text is None or text == "":
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    found = _TOKEN.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is neither a UNIX timestamp nor a next token")
    return int(found.group(1)), found.group(2)


@dataclass(frozen=True)
class Page:
    events: list[Event]
    next: str | None


def page(events: Iterable[Event], since: Since, count: int, ascending: bool) -> Page:
    ordered = sorted(events, key=lambda e: (e.timestamp, e.id), reverse=not ascending)
    if since is None:
        chosen = ordered
    elif isinstance(since, int):
        chosen = [
            e for e in ordered if (e.timestamp >= since if ascending else e.timestamp <= since)
        ]
    else:
        chosen = [
            e
            for e in ordered
            if ((e.timestamp, e.id) > since if ascending else (e.timestamp, e.id) < since)
        ]
    taken = chosen[:count]
    more = len(chosen) > count
    return Page(taken, f"{taken[-1].timestamp}-{taken[-1].id}" if more else None)
