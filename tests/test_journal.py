"""The journal (klaviyo-behavior.md's "seeing why"): what an entry shows, and what it keeps."""

from __future__ import annotations

import sys
from datetime import UTC
from datetime import datetime

import pytest

from mockserver.domain.journal import TEXT_LIMIT
from mockserver.domain.journal import Entry
from mockserver.domain.journal import Journal

AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        pytest.param("a=1&a=2&b=", {"a": ["1", "2"], "b": [""]}, id="repeated-and-blank"),
        pytest.param("name=%C3%A9t%C3%A9", {"name": ["été"]}, id="utf-8"),
        pytest.param("y=%FF", {"y": ["%FF"]}, id="not-utf-8-as-sent"),
        pytest.param("q=a+b%2Bc", {"q": ["a b+c"]}, id="plus-is-space"),
    ],
)
def test_a_query_is_shown_as_werkzeug_reads_it(client, query, shown):
    client.get(f"/api/v2/people/search?{query}")
    [entry] = client.get("/__mock__/journal").json["entries"]
    assert entry["request"] == {"query": shown}


def test_a_big_call_is_clipped_when_recorded_not_when_read():
    """A 5 MB body or answer must not stay in memory a thousand times over."""
    big = b"x" * 1_000_000
    entry = Journal().record(
        Entry(
            AT,
            None,
            "POST",
            "/api/track",
            ("q=1", big, {"a": 1}, len(big) + 3),
            200,
            "y" * len(big),
        )
    )
    kept = sum(sys.getsizeof(getattr(entry, name)) for name in Entry.__slots__)
    assert kept < 4 * TEXT_LIMIT + 2_000
    assert entry.request == {"query": "q=1", "body": "x" * TEXT_LIMIT + "… (1000000 characters)"}
    assert entry.response == "y" * TEXT_LIMIT + "… (1000000 characters)"


def test_an_entry_is_put_in_words_when_read():
    said = (["matched P", "matched P"], ["P", "Q", "P"], ["a@x.com"])
    incoming = ("", b"", {"event": "E"}, 0)
    entry = Entry(AT, "acct", "GET", "/api/track", incoming, 200, b"1", *said, "tag")
    Journal().record(entry)
    assert entry.to_json() == {
        "id": 1,
        "at": "2026-01-01T00:00:00+00:00",
        "account": "acct",
        "method": "GET",
        "path": "/api/track",
        "request": {"payload": {"event": "E"}},
        "status": 200,
        "response": "1",
        "decisions": ["matched P", "matched P"],
        "profiles": ["P", "Q"],
        "identifiers": ["a@x.com"],
        "trace": "tag",
    }
