"""The legacy timelines' paging (legacy-api.md §6): ``since`` as a time or a ``next`` token.

Events are ordered by (timestamp, id). ``since`` is a UNIX time (inclusive: descending, events
at or before it; ascending, at or after it) or the ``next`` token of an earlier page,
``<timestamp>-<event id>`` (exclusive). Without ``since`` a timeline is newest first, whatever
``sort`` says; the tokens of such a page end in ``-desc``, so that following them goes on newest
first even when the next requests say ``sort=asc`` again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Event

_TOKEN = re.compile(r"(\d+)-(\S+?)(-desc)?")

Since = int | tuple[int, str, bool] | None
"""A UNIX time, or a token: (timestamp, event id, whether it continues newest first)."""


def parse_since(text: str | None) -> Since:
    """``"1600000000"`` or ``"1600000000-01J…"``; raises ValueError for anything else."""
    if text is None or text == "":
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    found = _TOKEN.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is neither a UNIX timestamp nor a next token")
    return int(found.group(1)), found.group(2), found.group(3) is not None


@dataclass(frozen=True)
class Page:
    events: list[Event]
    next: str | None


def page(events: Iterable[Event], since: Since, count: int, ascending: bool) -> Page:
    forced = since is None or (isinstance(since, tuple) and since[2])
    ascending = ascending and not forced
    ordered = sorted(events, key=lambda e: (e.timestamp, e.id), reverse=not ascending)
    if since is None:
        chosen = ordered
    elif isinstance(since, int):
        chosen = [
            e for e in ordered if (e.timestamp >= since if ascending else e.timestamp <= since)
        ]
    else:
        after = since[:2]
        chosen = [
            e
            for e in ordered
            if ((e.timestamp, e.id) > after if ascending else (e.timestamp, e.id) < after)
        ]
    taken = chosen[:count]
    if len(chosen) <= count:
        return Page(taken, None)
    return Page(taken, f"{taken[-1].timestamp}-{taken[-1].id}" + ("-desc" if forced else ""))
