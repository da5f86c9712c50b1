"""Transport decoding for the legacy API, kept apart from Flask (it takes plain values).

legacy-api.md §11's checklist: Track/Identify take ``data`` from the query, else from a form
field, else the whole body; ``data`` is base64 (standard or URL-safe, padding optional,
whitespace and a trailing newline tolerated, ``+`` turned into a space by an unescaped query)
or raw JSON. Private calls take their parameters from the query, a JSON body (on any verb,
GET and DELETE included) or a form body, and the private key from the query, the ``api-key``
header, the JSON body or the form, in that order.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class PayloadError(ValueError):
    """A Track/Identify ``data`` that does not decode to a JSON object."""


class BodyError(ValueError):
    """A private call's body that claims to be JSON but is not."""


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


#: One decoder for every call (``json.loads`` with hooks builds a new one each time; the
#: standard library's own default decoder is shared alike).
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


#: JSON's whitespace (RFC 8259 §2); ``str.strip()`` without an argument takes more.
_JSON_SPACE = " \t\n\r"


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and numbers beyond a double, and survives absurd
    nesting. Bytes are decoded as ``json.loads`` does (UTF-8, -16 or -32). (Whitespace around
    the value is skipped here rather than by ``JSONDecoder.decode``'s two regular expressions:
    same result, same errors, on every call with a body.)"""
    if not isinstance(text, str):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = _DECODER.raw_decode(text, start)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if end != len(text):
        extra = len(text) - len(text[end:].lstrip(_JSON_SPACE))
        if extra != len(text):
            raise json.JSONDecodeError("Extra data", text, extra)
    return value


def _b64decode(text: str) -> bytes:
    cleaned = text.strip().replace(" ", "+")
    cleaned = "".join(cleaned.split()).replace("-", "+").replace("_", "/").rstrip("=")
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned, validate=True)


def decode_data(text: str) -> dict[str, Any]:
    """Decode one ``data`` value (base64 or raw JSON) to the JSON object it carries."""
    stripped = text.strip().lstrip("\ufeff").strip()
    if not stripped:
        raise PayloadError("data is empty")
    try:
        raw: str | bytes = stripped if stripped.startswith("{") else _b64decode(stripped)
        value = parse_json(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"data is neither base64 of JSON nor JSON ({error})") from None
    if not isinstance(value, dict):
        raise PayloadError(f"data decodes to a JSON {type(value).__name__}, not an object")
    return value


def decode_payload(
    query: Mapping[str, str], form: Mapping[str, str], body: bytes
) -> dict[str, Any]:
    """The Track/Identify payload of a request, wherever the client put it."""
    if "data" in query:
        return decode_data(query["data"])
    if "data" in form:
        return decode_data(form["data"])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the body is not UTF-8") from None
    if not text.strip():
        raise PayloadError("no data: neither ?data=, a data form field nor a JSON body")
    return decode_data(text)


@dataclass(frozen=True)
class PrivateCall:
    """A legacy private call's parameters (``api_key`` removed) and key."""

    params: dict[str, Any]
    api_key: str | None


def private_call(
    query: Mapping[str, str],
    form: Mapping[str, str],
    body: bytes,
    header_key: str | None,
    mimetype: str,
) -> PrivateCall:
    """Merge query, JSON body and form parameters (the query wins) and find the private key;
    ``header_key`` is the value of the ``api-key`` header."""
    json_body: dict[str, Any] = {}
    if body.strip() and mimetype != "application/x-www-form-urlencoded":
        try:
            parsed = parse_json(body)
        except (UnicodeDecodeError, ValueError) as error:
            raise BodyError(f"JSON parse error - {error}") from None
        if not isinstance(parsed, dict):
            raise BodyError("JSON parse error - the body must be a JSON object")
        json_body = parsed
    params: dict[str, Any] = {**json_body, **form, **query}
    params.pop("api_key", None)
    key = query.get("api_key") or header_key or json_body.get("api_key")
    key = key or form.get("api_key")
    return PrivateCall(params, key if isinstance(key, str) else None)
