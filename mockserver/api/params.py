"""marshmallow schemas for the legacy private calls' parameters (people, lists, metrics).

``schemas`` holds the fields they share with Track and Identify.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import pre_load
from marshmallow import validate
from marshmallow import validates_schema

from ..domain.commands import ProfileData
from ..domain.export import Query as ExportQuery
from ..domain.models import IdentifierKind
from ..domain.timeline import parse_since
from .schemas import Identifier
from .schemas import ProfileProperties
from .schemas import Text


class PersonUpdateSchema(Schema):
    """``PUT /api/v1/person/{id}``: its parameters, read as profile properties (``email``,
    ``id`` and ``phone_number`` stand for the ``$`` identifiers, as on Identify)."""

    class Meta:
        unknown = RAISE

    properties = ProfileProperties()

    @post_load
    def make_data(self, data: dict[str, Any], **kwargs: Any) -> ProfileData:
        properties: ProfileData = data["properties"]
        return properties


class MetricsQuerySchema(Schema):
    """``GET /api/v1/metrics``: ``page`` from 0, ``count`` 1 to 100 (default 50)."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Int(load_default=0, validate=validate.Range(min=0))
    count = fields.Int(load_default=50, validate=validate.Range(min=1, max=100))


class TimelineQuerySchema(Schema):
    """The v1 timelines: ``since`` (a UNIX time or a ``next`` token), ``count`` 1 to 100
    (default 50), ``sort`` asc or desc (default desc; always desc without ``since``)."""

    class Meta:
        unknown = EXCLUDE

    since = fields.Str(load_default=None)
    count = fields.Int(load_default=50, validate=validate.Range(min=1, max=100))
    sort = fields.Str(load_default="desc", validate=validate.OneOf(["asc", "desc"]))

    @post_load
    def make_query(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        try:
            since = parse_since(data["since"])
        except ValueError as error:
            raise ValidationError(str(error), "since") from None
        return {"since": since, "count": data["count"], "ascending": data["sort"] == "asc"}


_OPT_IN = {"single_opt_in": False, "double_opt_in": True}


class ListSchema(Schema):
    """``POST /api/v2/lists``, ``PUT /api/v2/list/{id}``: ``list_name``, and (the mock's
    addition) ``opt_in_process``, ``single_opt_in`` or ``double_opt_in``."""

    class Meta:
        unknown = EXCLUDE

    list_name = Text(blank=False, load_default=None)
    opt_in_process = Text(load_default=None, validate=validate.OneOf(sorted(_OPT_IN)))

    @post_load
    def make_list(self, data: dict[str, Any], **kwargs: Any) -> tuple[str | None, bool | None]:
        opt_in = data["opt_in_process"]
        return data["list_name"], None if opt_in is None else _OPT_IN[opt_in]


class MembersSchema(Schema):
    """``POST …/members`` and ``…/subscribe``: ``profiles``, a list of people (or one, as the
    Magento 2 extension sends it), each with an email, a phone number or an id."""

    class Meta:
        unknown = EXCLUDE

    profiles = fields.Raw(required=True)

    @post_load
    def make_people(self, data: dict[str, Any], **kwargs: Any) -> list[ProfileData]:
        people = data["profiles"]
        people = [people] if isinstance(people, dict) else people
        if not isinstance(people, list) or not people:
            raise ValidationError("Must be a list of profiles.", "profiles")
        if len(people) > 100:
            raise ValidationError("At most 100 profiles.", "profiles")
        field = ProfileProperties()
        loaded = []
        for i, person in enumerate(people):
            if not isinstance(person, dict):
                raise ValidationError({"profiles": {i: ["Must be an object."]}})
            try:
                loaded.append(field.deserialize(person))
            except ValidationError as error:
                raise ValidationError({"profiles": {i: error.messages}}) from None
        return loaded


class LookupSchema(Schema):
    """``GET/DELETE …/members`` and ``…/subscribe``, ``…/get-members``: ``emails``,
    ``phone_numbers`` and ``push_tokens``, at most 100 each (push tokens: the mock has none)."""

    class Meta:
        unknown = EXCLUDE

    emails = fields.List(fields.Str(), load_default=list, validate=validate.Length(max=100))
    phone_numbers = fields.List(fields.Str(), load_default=list, validate=validate.Length(max=100))
    push_tokens = fields.List(fields.Str(), load_default=list, validate=validate.Length(max=100))

    @pre_load
    def comma_lists(self, data: Any, **kwargs: Any) -> Any:
        """In a query string, ``emails=a@x,b@y`` (or repeated)."""
        if not isinstance(data, dict):
            return data
        return {k: v.split(",") if isinstance(v, str) else v for k, v in data.items()}


class MarkerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    marker = fields.Int(load_default=0, validate=validate.Range(min=0))


class ExportQuerySchema(Schema):
    """``GET /api/v1/metric/{id}/export``: ``start_date`` and ``end_date`` (``2021-01-13`` or a
    UNIX time; both or neither; at most 31 days apart), ``unit``, ``measurement`` (``unique``,
    ``count``, ``value`` or ``["sum", "Property"]``), ``where`` (``[["Property", "=", value]]``),
    ``by``, ``count`` (1 to 1,000 segments)."""

    class Meta:
        unknown = EXCLUDE

    start_date = Text(load_default=None)
    end_date = Text(load_default=None)
    unit = Text(load_default="day", validate=validate.OneOf(["day", "week", "month"]))
    measurement = Text(load_default="count")
    where = Text(load_default=None)
    by = Text(load_default=None)
    count = fields.Int(load_default=25, validate=validate.Range(min=1, max=1000))

    @post_load
    def make_query(self, data: dict[str, Any], **kwargs: Any) -> ExportQuery:
        if (data["start_date"] is None) != (data["end_date"] is None):
            raise ValidationError("When sending a start_date, you must also send an end_date.")
        if data["start_date"] is None:
            end = datetime.now(UTC).date()
            start = end - timedelta(days=30)
        else:
            start, end = (
                _date(data["start_date"], "start_date"),
                _date(data["end_date"], "end_date"),
            )
        if end < start or (end - start).days > 31:
            raise ValidationError("end_date must be on or after start_date, at most 31 days later.")
        if data["where"] is not None and data["by"] is not None:
            raise ValidationError("Give where or by, not both.")
        return ExportQuery(
            start,
            end,
            data["unit"],
            _measurement(data["measurement"]),
            _where(data["where"]),
            data["by"],
            data["count"],
        )


def _date(text: str, key: str) -> date:
    """``2021-01-13`` (or ``20210113``), or a UNIX time (9 or more digits), read as its UTC day."""
    try:
        if text.isascii() and text.isdigit() and len(text) >= 9:
            day = datetime.fromtimestamp(int(text), UTC).date()
        else:
            day = date.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise ValidationError("Must be a date (2021-01-13) or a UNIX time.", key) from None
    if day >= date.max:
        raise ValidationError("Must be before 9999-12-31.", key)
    return day


def _json(text: str) -> Any:
    """The JSON value ``text`` holds, or None."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _measurement(text: str) -> str | tuple[str, str]:
    if text in ("unique", "count", "value"):
        return text
    parsed = _json(text)
    if (
        isinstance(parsed, list)
        and len(parsed) == 2
        and parsed[0] == "sum"
        and isinstance(parsed[1], str)
    ):
        return ("sum", parsed[1])
    raise ValidationError('Must be unique, count, value or ["sum", "Property"].', "measurement")


def _where(text: str | None) -> tuple[str, Any] | None:
    if text is None:
        return None
    parsed = _json(text)
    if (
        isinstance(parsed, list)
        and len(parsed) == 1
        and isinstance(parsed[0], list)
        and len(parsed[0]) == 3
        and isinstance(parsed[0][0], str)
        and parsed[0][1] == "="
    ):
        return parsed[0][0], parsed[0][2]
    raise ValidationError('Must be one condition, [["Property", "=", value]].', "where")


class ExchangeSchema(Schema):
    """``POST /api/v2/people/exchange``: ``{"exchange_id": "<id>.<company_id>"}``."""

    class Meta:
        unknown = EXCLUDE

    exchange_id = Identifier()

    @validates_schema
    def given(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("exchange_id"):
            raise ValidationError("exchange_id is required.")


_DELETE_KEYS = {"email": IdentifierKind.EMAIL, "phone_number": IdentifierKind.PHONE_NUMBER}


class DeletionRequestSchema(Schema):
    """``POST /api/v2/data-privacy/deletion-request``: exactly one of email, phone_number,
    person_id. Loads as ``(kind, value)``, kind None for a person id."""

    class Meta:
        unknown = EXCLUDE

    email = Identifier()
    phone_number = Identifier(numbers=True)
    person_id = Identifier()

    @validates_schema
    def exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = [key for key in ("email", "phone_number", "person_id") if data.get(key)]
        if len(given) != 1:
            raise ValidationError(
                f"Exactly one of email, phone_number or person_id is required ({len(given)} given)."
            )

    @post_load
    def make_request(
        self, data: dict[str, Any], **kwargs: Any
    ) -> tuple[IdentifierKind | None, str]:
        key = next(key for key in ("email", "phone_number", "person_id") if data.get(key))
        return _DELETE_KEYS.get(key), data[key]
