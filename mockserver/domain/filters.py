"""The ``filter`` query parameter of today's API (current-api.md §4.1, DOCS-FILT), parsed and
evaluated.

``equals(email,"a@b.com")``; strings in double or single quotes; datetimes quoted or bare, with
``Z`` or an offset; lists in brackets (``any(email,['a@x.com','b@x.com'])``, as the Python SDK's
``FilterBuilder`` writes them); ``and(…)``, ``or(…)``, ``not(…)``; a top-level comma means and.
Each resource says which fields take which operators; anything else is a :class:`FilterError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from ..spec import FilterField
from ..spec import parse_moment


class FilterError(ValueError):
    """A filter the grammar or the resource does not allow, in words."""


@dataclass(frozen=True)
class Compare:
    op: str
    field: str
    value: Any


@dataclass(frozen=True)
class Has:
    field: str


@dataclass(frozen=True)
class Logic:
    op: str  # "and", "or", "not"
    terms: tuple[Filter, ...]


Filter = Compare | Has | Logic

COMPARISONS = {
    "equals",
    "any",
    "greater-than",
    "less-than",
    "greater-or-equal",
    "less-or-equal",
    "contains",
    "contains-any",
    "contains-all",
    "starts-with",
    "ends-with",
}
_TOKEN = re.compile(
    r"""\s*(?:(?P<punct>[(),\[\]])|"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'"""
    r"""|(?P<bare>[^\s(),\[\]'"]+))"""
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "punct", "string", "bare"
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise FilterError(f"Invalid filter: cannot read {text[position:]!r}.")
        position = match.end()
        if match["punct"]:
            tokens.append(_Token("punct", match["punct"]))
        elif match["dq"] is not None or match["sq"] is not None:
            raw = match["dq"] if match["dq"] is not None else match["sq"]
            tokens.append(_Token("string", re.sub(r"\\(.)", r"\1", raw)))
        else:
            tokens.append(_Token("bare", match["bare"]))
    return tokens


#: How deep ``and``/``or``/``not`` and lists may nest (the mock's limit; Klaviyo's is unknown).
MAX_DEPTH = 20


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(f"Invalid filter: nested deeper than {MAX_DEPTH} levels.")

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, punct: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterError("Invalid filter: it ends too soon.")
        if punct is not None and (token.kind != "punct" or token.text != punct):
            raise FilterError(f"Invalid filter: expected {punct!r}, found {token.text!r}.")
        self.at += 1
        return token

    def expressions(self) -> list[Filter]:
        found = [self.expression()]
        while (token := self.peek()) is not None and token.text == ",":
            self.take(",")
            found.append(self.expression())
        return found

    def expression(self) -> Filter:
        name = self.take()
        if name.kind != "bare":
            raise FilterError(f"Invalid filter: expected an operator, found {name.text!r}.")
        op = name.text
        self.take("(")
        if op in ("and", "or", "not"):
            self.deeper()
            terms = tuple(self.expressions())
            self.depth -= 1
            self.take(")")
            if op == "not" and len(terms) != 1:
                raise FilterError("Invalid filter: not() takes one expression.")
            if op != "not" and len(terms) < 2:
                raise FilterError(f"Invalid filter: {op}() takes two or more expressions.")
            return Logic(op, terms)
        field = self.take()
        if field.kind != "bare":
            raise FilterError(f"Invalid filter: expected a field name, found {field.text!r}.")
        if op == "has":
            self.take(")")
            return Has(field.text)
        if op not in COMPARISONS:
            raise FilterError(f"Invalid filter: unknown operator {op!r}.")
        self.take(",")
        value = self.value()
        self.take(")")
        return Compare(op, field.text, value)

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return token.text
        if token.kind == "punct" and token.text == "[":
            self.deeper()
            items = []
            while (next_token := self.peek()) is not None and next_token.text != "]":
                items.append(self.value())
                if (after := self.peek()) is not None and after.text == ",":
                    self.take(",")
            self.take("]")
            self.depth -= 1
            return items
        if token.kind == "bare":
            return _bare(token.text)
        raise FilterError(f"Invalid filter: unexpected {token.text!r}.")


def _bare(text: str) -> Any:
    literals = {"true": True, "false": False, "null": None}
    if text in literals:
        return literals[text]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    moment = parse_moment(text)
    if moment is not None:
        return moment
    raise FilterError(f"Invalid filter: {text!r} must be quoted.")


def parse(text: str, allowed: Mapping[str, frozenset[str]]) -> Filter:
    """Parse ``text`` and check every comparison against ``allowed`` (field to operators)."""
    parser = _Parser(text)
    found = parser.expressions()
    extra = parser.peek()
    if extra is not None:
        raise FilterError(f"Invalid filter: unexpected {extra.text!r}.")
    expression = found[0] if len(found) == 1 else Logic("and", tuple(found))
    _check(expression, allowed)
    return expression


def _check(expression: Filter, allowed: Mapping[str, frozenset[str]]) -> None:
    if isinstance(expression, Logic):
        for term in expression.terms:
            _check(term, allowed)
        return
    op = "has" if isinstance(expression, Has) else expression.op
    ops = allowed.get(expression.field)
    if ops is None:
        raise FilterError(
            f"Invalid filter: {expression.field!r} is not a field that can be filtered on;"
            f" choose from {', '.join(sorted(allowed))}."
        )
    if op not in ops:
        raise FilterError(
            f"Invalid filter: {op!r} is not an operator for {expression.field!r};"
            f" choose from {', '.join(sorted(ops))}."
        )
    if isinstance(expression, Compare) and op == "any" and not isinstance(expression.value, list):
        raise FilterError(f"Invalid filter: any({expression.field},…) takes a list.")


Getter = Callable[[str], Any]


def matches(expression: Filter, get: Getter) -> bool:
    """Whether the record that ``get`` reads fields from passes ``expression``."""
    if isinstance(expression, Logic):
        if expression.op == "and":
            return all(matches(term, get) for term in expression.terms)
        if expression.op == "or":
            return any(matches(term, get) for term in expression.terms)
        return not matches(expression.terms[0], get)
    if isinstance(expression, Has):
        return get(expression.field) is not None
    return _compare(expression.op, get(expression.field), expression.value)


@functools.lru_cache(maxsize=64)
def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _comparable(have: Any, want: Any) -> tuple[Any, Any] | None:
    if (  # the mock's own stamps (``2026-01-01T00:00:00+00:00``) compare as text: no parsing
        isinstance(want, datetime)
        and isinstance(have, str)
        and want.microsecond == 0
        and len(have) == 25
        and have.endswith("+00:00")
    ):
        return have, _stamp(want)
    if isinstance(want, datetime) or (isinstance(have, datetime) and isinstance(want, str)):
        left = have if isinstance(have, datetime) else parse_moment(str(have))
        right = want if isinstance(want, datetime) else parse_moment(str(want))
        return None if left is None or right is None else (left, right)
    if isinstance(have, str) and isinstance(want, str):
        moment = parse_moment(want) if len(want) >= 10 and want[4:5] == "-" else None
        have_moment = parse_moment(have) if moment else None
        if moment and have_moment:
            return have_moment, moment
        return have, want
    if isinstance(have, int | float) and isinstance(want, int | float):
        return have, want
    return None


def _compare(op: str, have: Any, want: Any) -> bool:
    if have is None:
        return False
    if isinstance(have, list) and not op.startswith("contains"):  # several values: any of them
        return any(_compare(op, item, want) for item in have)
    if op == "any":
        return any(_compare("equals", have, item) for item in want)
    if op == "equals":
        pair = _comparable(have, want)
        return pair is not None and pair[0] == pair[1]
    if op in ("contains", "contains-any", "contains-all"):
        wants = want if isinstance(want, list) else [want]
        found = [item in have for item in wants] if isinstance(have, list | str) else []
        return bool(found) and (all(found) if op == "contains-all" else any(found))
    if op == "starts-with":
        return isinstance(have, str) and have.startswith(str(want))
    if op == "ends-with":
        return isinstance(have, str) and have.endswith(str(want))
    pair = _comparable(have, want)
    if pair is None:
        return False
    left, right = pair
    if op == "greater-than":
        return bool(left > right)
    if op == "less-than":
        return bool(left < right)
    if op == "greater-or-equal":
        return bool(left >= right)
    return bool(left <= right)


def equal_values(expression: Filter, field: str) -> list[Any] | None:
    """The values ``field`` must equal for anything to pass (``equals`` or ``any`` on it, alone
    or in a top-level and), so that a caller can start from an index instead of a scan."""
    if isinstance(expression, Compare) and expression.field == field:
        if expression.op == "equals":
            return [expression.value]
        if expression.op == "any":
            return list(expression.value)
    if isinstance(expression, Logic) and expression.op == "and":
        for term in expression.terms:
            found = equal_values(term, field)
            if found is not None:
                return found
    return None


def parse_checked(text: str, fields: Mapping[str, FilterField]) -> Filter:
    """Parse ``text`` and check it against an operation's ``x-klaviyo-filters``: each field
    with its operators, a list where the operator takes a list (``any``, and ``equals`` where
    the spec lists it so, read as ``any``) and a single value elsewhere, values of the field's
    type (``true``/``false``, numbers, date-times, one of an enumeration). Date-times come back
    as ``datetime`` values."""
    allowed = {name: spec_field.operators for name, spec_field in fields.items()}
    return _converted(parse(text, allowed), fields)


def _converted(expression: Filter, fields: Mapping[str, FilterField]) -> Filter:
    if isinstance(expression, Logic):
        return Logic(expression.op, tuple(_converted(term, fields) for term in expression.terms))
    if isinstance(expression, Has):
        return expression
    spec_field = fields[expression.field]
    op, value = expression.op, expression.value
    if isinstance(value, list):
        if not value:
            raise FilterError(f"Invalid filter: {op}({expression.field},[]) takes some values.")
        if op not in spec_field.listed:
            raise FilterError(
                f"Invalid filter: {op}({expression.field},…) takes one value, not a list."
            )
        values = [_value(spec_field, item) for item in value]
        return Compare("any" if op == "equals" else op, expression.field, values)
    if op not in spec_field.single:
        if op == "equals" and op in spec_field.listed:  # a single value: a list of one
            return Compare(op, expression.field, _value(spec_field, value))
        raise FilterError(f"Invalid filter: {op}({expression.field},…) takes a list of values.")
    return Compare(op, expression.field, _value(spec_field, value))


def _value(spec_field: FilterField, value: Any) -> Any:
    """A filter value checked against its field's type (converted where the text allows)."""
    name, kind = spec_field.name, spec_field.value_type
    if kind == "boolean":
        if not isinstance(value, bool):
            raise FilterError(f"Invalid filter: {name} takes true or false (unquoted).")
    elif kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FilterError(f"Invalid filter: {name} takes a number (unquoted).")
    elif spec_field.value_format == "date-time":
        moment = value if isinstance(value, datetime) else None
        if isinstance(value, str):
            moment = parse_moment(value)
        if moment is None:
            raise FilterError(f"Invalid filter: {name} takes an ISO 8601 date-time.")
        value = moment
    elif kind == "string" and not isinstance(value, str):
        raise FilterError(f"Invalid filter: {name} takes a quoted string.")
    if spec_field.enum is not None and value not in spec_field.enum:
        raise FilterError(
            f"Invalid filter: {value!r} is not a value of {name}; choose from"
            f" {', '.join(map(str, spec_field.enum))}."
        )
    return value
