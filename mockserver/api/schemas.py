"""marshmallow schemas for everything the legacy API takes in.

They turn decoded payloads into the domain's commands, or raise ``ValidationError`` with the
wire names of the bad keys. Type errors (an identifier that is an object, a ``time`` that is
not a number, Track without ``event``) are rejected here; whether a well-typed value means
anything (an email without ``@``) is the domain's business.
"""

from __future__ import annotations

import math
from typing import Any
from typing import ClassVar

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import missing
from marshmallow import post_load
from marshmallow import validates_schema

from ..domain.commands import IdentifyCommand
from ..domain.commands import ProfileData
from ..domain.commands import TrackCommand
from ..domain.models import LEGACY_ORDER
from ..domain.models import STANDARD_ATTRIBUTES
from ..domain.models import IdentifierKind

#: Ingestion limits of Klaviyo's Track API (legacy-api.md §2.4).
MAX_PROPERTIES = 300
MAX_NESTING = 10
MAX_FIELD_CHARS = 100_000
MAX_ARRAY_ITEMS = 4000

#: Unprefixed keys the official legacy clients send for identifiers (legacy-api.md §4).
ALIASES = {"email": "$email", "id": "$id", "phone_number": "$phone_number"}
#: Identifiers a client may send as a number (``$id: 42``).
NUMERIC_IDENTIFIERS = (IdentifierKind.EXTERNAL_ID, IdentifierKind.PHONE_NUMBER)


class _Field(fields.Field[Any]):
    """A field whose type checks live in ``_deserialize``. marshmallow builds a validator chain
    for every field on every load even when there is nothing in it; these skip that, because
    Track and Identify load one for every call."""

    def _validate(self, value: Any) -> None:
        if self.validators:
            super()._validate(value)


class _Empty(_Field):
    """A field whose ``null`` loads as its empty value (``load_default``), as if absent: real
    clients send null for every unset field."""

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        return super().deserialize(missing if value is None else value, attr, data, **kwargs)


class Text(_Field):
    """A string; with ``blank=False``, one with something besides whitespace."""

    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a valid string.",
        "blank": "Must not be blank.",
    }

    def __init__(self, *, blank: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.blank = blank

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not self.blank and not value.strip():
            raise self.make_error("blank")
        return value


class Identifier(_Field):
    """An identifier value: a string, or a number where ``numbers`` (``$id: 42``).
    ``null`` and blank strings count as absent (klaviyo-behavior.md §2)."""

    default_error_messages = {"invalid": "Must be a string."}  # noqa: RUF012

    def __init__(self, *, numbers: bool = False, **kwargs: Any) -> None:
        super().__init__(allow_none=True, load_default=None, **kwargs)
        self.numbers = numbers
        if numbers:
            self.error_messages["invalid"] = "Must be a string or a number."

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        if isinstance(value, str):
            return value.strip() or None
        if self.numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if self.numbers and isinstance(value, float) and math.isfinite(value):
            return str(int(value)) if value.is_integer() else str(value)
        raise self.make_error("invalid")


class EpochSeconds(_Field):
    """Track's ``time``: a UNIX timestamp (number or numeric string) or null."""

    default_error_messages = {"invalid": "Must be a UNIX timestamp or null."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise self.make_error("invalid") from None
        if isinstance(value, float) and math.isfinite(value):
            return int(value)
        raise self.make_error("invalid")


def check_limits(value: Any, depth: int = 0) -> None:
    """Refuse what Klaviyo refuses: over 10 nesting levels, a string over 100 kB, an array over
    4,000 items. Raises ``ValueError`` naming the limit."""
    if depth > MAX_NESTING:
        raise ValueError(f"nested deeper than {MAX_NESTING} levels")
    if isinstance(value, str):
        if len(value) > MAX_FIELD_CHARS:
            raise ValueError(f"a value is longer than {MAX_FIELD_CHARS} characters")
    elif isinstance(value, dict):
        for item in value.values():
            check_limits(item, depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ARRAY_ITEMS:
            raise ValueError(f"an array has more than {MAX_ARRAY_ITEMS} items")
        for item in value:
            check_limits(item, depth + 1)


def within_limits(properties: dict[str, Any]) -> None:
    """Klaviyo's ingestion limits on a free-form object, as a ``ValidationError``."""
    if len(properties) > MAX_PROPERTIES:
        raise ValidationError(f"More than {MAX_PROPERTIES} properties.")
    try:
        check_limits(properties)
    except ValueError as error:
        raise ValidationError(str(error).capitalize() + ".") from None


class Properties(_Empty):
    """Track's event ``properties``: a JSON object within Klaviyo's limits; null is empty."""

    default_error_messages = {"invalid": "Not a valid mapping type."}  # noqa: RUF012

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=dict, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        within_limits(value)
        return value


class ProfileProperties(_Empty):
    """Identify's ``properties`` / Track's ``customer_properties``, loaded as ``ProfileData``.

    A JSON object within Klaviyo's limits whose identifier keys hold strings (or numbers for
    ``$id`` and ``$phone_number``); with ``aliases``, unprefixed ``email``, ``id`` and
    ``phone_number`` stand for the prefixed keys. ``$first_name`` and the other standard keys
    become attributes, everything else custom properties; ``null`` values are dropped, and
    ``null`` for the whole object is an empty one.
    """

    default_error_messages = {"invalid": "Not a valid mapping type."}  # noqa: RUF012
    _IDENTIFIERS: ClassVar[dict[str, tuple[IdentifierKind, Identifier]]] = {
        kind.legacy: (kind, Identifier(numbers=kind in NUMERIC_IDENTIFIERS))
        for kind in LEGACY_ORDER
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_default=ProfileData.empty, **kwargs)
        self.aliases = True

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> ProfileData:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        within_limits(value)
        if self.aliases and ALIASES.keys() & value.keys():
            value = dict(value)
            for alias, key in ALIASES.items():
                if alias in value:
                    aliased = value.pop(alias)
                    if value.get(key) in (None, ""):
                        value[key] = aliased
        identifiers: dict[IdentifierKind, str] = {}
        errors: dict[str, Any] = {}
        attributes: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for key, item in value.items():
            known = self._IDENTIFIERS.get(key)
            if known is not None:
                kind, field = known
                try:  # the field's own parsing: marshmallow's wrapper adds nothing for a value
                    loaded = None if item is None else field._deserialize(item, key, value)
                except ValidationError as error:
                    errors[key] = error.messages
                    continue
                if loaded is not None:
                    identifiers[kind] = loaded
            elif item is None:
                continue  # real clients send null for every unset field (§2, chosen)
            elif key[:1] == "$" and key[1:] in STANDARD_ATTRIBUTES:
                attributes[key[1:]] = item
            else:
                properties[key] = item
        if errors:
            raise ValidationError(errors)
        return ProfileData(identifiers, attributes, properties)


class _PayloadSchema(Schema):
    """A Track or Identify payload, loaded as the keyword arguments of its command: fields are
    named after the command's, ``data_key`` gives the wire name. (No ``post_load`` hook: it
    costs marshmallow more than the command itself, on every call.)"""

    class Meta:
        unknown = EXCLUDE  # ip, test, and whatever else clients add at the top level

    token = Text(load_default=None, allow_none=True)

    def __init__(self, *, aliases: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for field in self.fields.values():
            if isinstance(field, ProfileProperties):
                field.aliases = aliases


class IdentifySchema(_PayloadSchema):
    profile = ProfileProperties(data_key="properties")

    def command(self, payload: dict[str, Any]) -> IdentifyCommand:
        return IdentifyCommand(**self.load(payload))


class TrackSchema(_PayloadSchema):
    event = Text(required=True, blank=False)
    profile = ProfileProperties(data_key="customer_properties")
    properties = Properties()
    time = EpochSeconds(load_default=None, allow_none=True)

    def command(self, payload: dict[str, Any]) -> TrackCommand:
        return TrackCommand(**self.load(payload))


_SEARCH_KEYS = {
    "email": IdentifierKind.EMAIL,
    "phone_number": IdentifierKind.PHONE_NUMBER,
    "external_id": IdentifierKind.EXTERNAL_ID,
}


class PeopleSearchSchema(Schema):
    """``GET /api/v2/people/search``: exactly one of email, phone_number, external_id."""

    class Meta:
        unknown = EXCLUDE

    email = Identifier()
    phone_number = Identifier(numbers=True)
    external_id = Identifier(numbers=True)

    @validates_schema
    def exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [key for key in _SEARCH_KEYS if data.get(key)]
        if len(given) != 1:
            raise ValidationError(
                "Exactly one of email, phone_number or external_id is required"
                f" ({len(given)} given)."
            )

    @post_load
    def make_query(self, data: dict[str, Any], **kwargs: Any) -> tuple[IdentifierKind, str]:
        key = next(key for key in _SEARCH_KEYS if data.get(key))
        return _SEARCH_KEYS[key], data[key]


def describe(error: ValidationError) -> str:
    """A validation error in one line, keyed by wire names: ``properties.$email: Must be …``."""

    def lines(messages: Any, prefix: str) -> list[str]:
        if isinstance(messages, dict):
            out = []
            for key, value in messages.items():
                name = "" if key == "_schema" else f"{prefix}{key}"
                out += lines(value, f"{name}." if name else prefix)
            return out
        if isinstance(messages, list):
            return [line for item in messages for line in lines(item, prefix)]
        return [f"{prefix.rstrip('.')}: {messages}" if prefix else str(messages)]

    return "; ".join(lines(error.messages, ""))
