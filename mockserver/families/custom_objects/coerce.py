"""A record's values as an object schema's property types take them (``boolean``, ``float``,
``int``, ``string``, ``timestamp``), and the validation errors ingestion logs when they do not.

Klaviyo's ingestion log speaks pydantic (the document's examples: code ``string_type``, "Input
should be a valid string"), so the mock converts as pydantic's lax mode does and words its
errors the same way (*chosen*, from those examples): a number in a string is a number, ``"yes"``
and ``1`` are true, a timestamp is an ISO 8601 string or seconds since the epoch (written back
as ISO 8601, UTC); a string property takes strings only, and a boolean is no number.
"""

from __future__ import annotations

import math
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import NamedTuple

from ...spec import iso
from ...spec import parse_moment

_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


class Problem(NamedTuple):
    """Why a value does not fit its property (an ``IngestionLogErrorDetail``'s code and
    message)."""

    code: str
    message: str


class Converted(NamedTuple):
    value: Any
    problem: Problem | None = None


def convert(kind: str, value: Any) -> Converted:
    """``value`` as a property of type ``kind`` takes it, or the problem."""
    return _CONVERTERS[kind](value)


def _string(value: Any) -> Converted:
    if isinstance(value, str):
        return Converted(value)
    return Converted(None, Problem("string_type", "Input should be a valid string"))


def _int(value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(None, Problem("int_type", "Input should be a valid integer"))
    if isinstance(value, int):
        return Converted(value)
    if isinstance(value, float):
        if value.is_integer():
            return Converted(int(value))
        return Converted(
            None,
            Problem(
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
            ),
        )
    if isinstance(value, str):
        try:
            return Converted(int(value.strip()))
        except ValueError:
            return Converted(
                None,
                Problem(
                    "int_parsing",
                    "Input should be a valid integer, unable to parse string as an integer",
                ),
            )
    return Converted(None, Problem("int_type", "Input should be a valid integer"))


def _float(value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(None, Problem("float_type", "Input should be a valid number"))
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return Converted(
                None,
                Problem(
                    "float_parsing",
                    "Input should be a valid number, unable to parse string as a number",
                ),
            )
    if number is None:
        return Converted(None, Problem("float_type", "Input should be a valid number"))
    if not math.isfinite(number):
        return Converted(None, Problem("finite_number", "Input should be a finite number"))
    return Converted(number)


def _boolean(value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(value)
    if isinstance(value, int) and value in (0, 1):
        return Converted(value == 1)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return Converted(value.strip().lower() in _TRUE)
    if isinstance(value, int | str):
        return Converted(
            None,
            Problem("bool_parsing", "Input should be a valid boolean, unable to interpret input"),
        )
    return Converted(None, Problem("bool_type", "Input should be a valid boolean"))


def _timestamp(value: Any) -> Converted:
    if isinstance(value, str):
        moment = parse_moment(value.strip())
        if moment is None:
            return Converted(None, Problem("datetime_parsing", "Input should be a valid datetime"))
        return Converted(iso(moment))
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return Converted(iso(datetime.fromtimestamp(value, UTC)))
        except (OverflowError, OSError, ValueError):
            return Converted(None, Problem("datetime_parsing", "Input should be a valid datetime"))
    return Converted(None, Problem("datetime_type", "Input should be a valid datetime"))


_CONVERTERS = {
    "boolean": _boolean,
    "float": _float,
    "int": _int,
    "string": _string,
    "timestamp": _timestamp,
}
