"""Cursor pages over sorted rows, as every listing of today's API pages."""

from __future__ import annotations

from typing import Any


class InvalidCursor(ValueError):
    """A cursor key that is no position in this listing (made up, or from another sort)."""


def _kind(value: Any) -> type:
    return (
        bool
        if isinstance(value, bool)
        else float
        if isinstance(value, int | float)
        else type(value)
    )


def check(after: list[Any], *samples: list[Any]) -> None:
    """Refuse a cursor key that cannot be compared with the listing's keys: one of the kinds
    of no ``samples`` key (a missing value's key, ``[False, ""]``, differs in kind from a
    number's, ``[True, 4]``: both are positions of one listing)."""
    kinds = [_kind(a) for a in after]
    if not any(
        len(sample) == len(kinds) and all(map(lambda k, v: k is _kind(v), kinds, sample))
        for sample in samples
    ):
        raise InvalidCursor(f"Invalid page cursor: {after!r} is no position in this listing.")


def cut(
    rows: list[tuple[list[Any], Any]], descending: bool, after: list[Any] | None, size: int
) -> tuple[list[Any], list[Any] | None]:
    """Rows sorted by their keys, those after the cursor key ``after``, cut to ``size``; the
    items, and the next page's key if there is a next page. A key is a list ending with the
    item's id, so that no two rows tie."""
    rows.sort(key=lambda row: row[0], reverse=descending)
    if after is not None and rows:
        check(after, *{tuple(map(_kind, row[0])): row[0] for row in rows}.values())
        rows = [row for row in rows if (row[0] < after if descending else row[0] > after)]
    chosen = rows[:size]
    next_key = chosen[-1][0] if len(rows) > size else None
    return [item for _, item in chosen], next_key
