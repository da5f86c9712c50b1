"""The filter grammar of today's API (current-api.md §4.1), without HTTP."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from mockserver.domain.filters import FilterError
from mockserver.domain.filters import equal_values
from mockserver.domain.filters import matches
from mockserver.domain.filters import parse

ALLOWED = {
    "email": frozenset({"equals", "any"}),
    "external_id": frozenset({"equals", "any"}),
    "created": frozenset({"greater-than", "less-than", "greater-or-equal", "less-or-equal"}),
    "metric": frozenset({"has"}),
}
RECORD = {
    "email": "a@b.com",
    "external_id": "x-1",
    "created": "2023-06-05T14:49:54+00:00",
    "metric": "m1",
}

CASES = [
    ('equals(email,"a@b.com")', True),
    ("equals(email,'a@b.com')", True),
    ('equals(email,"other@b.com")', False),
    ("any(email,['x@b.com','a@b.com'])", True),  # the Python SDK's FilterBuilder
    ('any(email,["x@b.com"])', False),
    ("greater-than(created,2023-06-01T00:00:00Z)", True),
    ("greater-than(created,2023-06-01T00:00:00+00:00)", True),
    ('greater-than(created,"2023-06-05T12:30:00+00:00")', True),  # Klaviyo's docs quote it
    ("less-than(created,2023-06-01)", False),
    ("greater-or-equal(created,2023-06-05T14:49:54Z)", True),
    ("less-or-equal(created,2023-06-05T14:49:53Z)", False),
    ('equals(email,"a@b.com"),equals(external_id,"x-1")', True),  # top-level comma: and
    ('equals(email,"a@b.com"),equals(external_id,"x-2")', False),
    ('and(equals(email,"a@b.com"),greater-than(created,2023-01-01T00:00:00Z))', True),
    ('or(equals(email,"no@b.com"),equals(external_id,"x-1"))', True),
    ('not(equals(email,"a@b.com"))', False),
    ("has(metric)", True),
    (' equals( email , "a@b.com" ) ', True),
    ('equals(email,"with \\"quote\\"")', False),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_filters_parse_and_match(text, expected):
    assert matches(parse(text, ALLOWED), RECORD.get) is expected


BAD = [
    ("equals(email)", "expected ','"),
    ('equals(email,"a@b.com"', "ends too soon"),
    ('equals(email,"a@b.com"))', "unexpected ')'"),
    ("equals(email,a@b.com)", "must be quoted"),
    ("greater-than(created,9999-12-31T23:59:59-01:00)", "must be quoted"),  # no UTC moment
    ('equals(phone_number,"+1")', "not a field"),
    ("greater-than(email,'a')", "not an operator for 'email'"),
    ('frobnicate(email,"a")', "unknown operator"),
    ('any(email,"a@b.com")', "takes a list"),
    ('and(equals(email,"a@b.com"))', "two or more"),
    ('not(equals(email,"a"),equals(email,"b"))', "takes one"),
    ('"email"', "expected an operator"),
    ("equals(email,'unterminated)", "cannot read"),
    ("", "ends too soon"),
    ("and(" * 30 + 'equals(email,"a")' + ")" * 30, "nested deeper than"),
    ("not(" * 3000 + 'equals(email,"a")' + ")" * 3000, "nested deeper than"),
    ("any(email," + "[" * 30 + "]" * 30 + ")", "nested deeper than"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_filters_say_what_is_wrong(text, message):
    with pytest.raises(FilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text, ALLOWED)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ('equals(email,"a@b.com")', ["a@b.com"]),
        ("any(email,['a@b.com','c@d.com'])", ["a@b.com", "c@d.com"]),
        ('equals(external_id,"x"),equals(email,"a@b.com")', ["a@b.com"]),
        ('or(equals(email,"a@b.com"),equals(email,"c@d.com"))', None),
        ("greater-than(created,2023-01-01T00:00:00Z)", None),
    ],
)
def test_equal_values_lets_a_lookup_start_from_an_index(text, values):
    assert equal_values(parse(text, ALLOWED), "email") == values


def test_a_bare_datetime_reads_as_utc():
    expression = parse("greater-than(created,2023-06-05T14:49:53)", ALLOWED)
    assert expression.value == datetime(2023, 6, 5, 14, 49, 53, tzinfo=UTC)  # type: ignore[union-attr]
