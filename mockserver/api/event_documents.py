"""marshmallow schemas for event bodies (current-api.md §5.1): ``EventCreateQueryV2``, which
``POST /api/events`` and ``POST /client/events`` share, loaded as the domain's
:class:`EventCommand`.

As for profiles, unknown members are ignored and a wrong type, a missing member or a wrong
``type`` is a 400 whose pointer names it. The profile's ``meta`` sits inside its attributes here
(SPEC ``EventProfileCreateQueryResourceObject``).
"""

from __future__ import annotations

import math
from typing import Any

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from ..domain.events import EventCommand
from .documents import BodySchema
from .documents import FreeObject
from .documents import Moment
from .documents import NestedProfileData
from .documents import Text
from .documents import changes
from .documents import profile_id
from .documents import resource_type

#: SPEC ``MetricCreateQueryResourceObject``: "Must be less than 128 characters."
METRIC_NAME_LIMIT = 127
#: SPEC ``properties``: "must not exceed 400 properties".
PROPERTY_LIMIT = 400


class Number(fields.Field[float]):
    """A JSON number: not a string, not a boolean, not NaN or infinite."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Must be a number.")
        if not math.isfinite(value):
            raise ValidationError("Must be a finite number.")
        return value


class _MetricAttributes(BodySchema):
    name = fields.String(
        required=True,
        validate=validate.Length(
            min=1,
            max=METRIC_NAME_LIMIT,
            error=f"The metric name must be 1 to {METRIC_NAME_LIMIT} characters long.",
        ),
    )
    service = Text()


class _MetricData(BodySchema):
    type = resource_type("metric")
    attributes = fields.Nested(_MetricAttributes, required=True)


class _Metric(BodySchema):
    data = fields.Nested(_MetricData, required=True)


class _Profile(BodySchema):
    data = fields.Nested(NestedProfileData, required=True)


class _EventAttributes(BodySchema):
    properties = FreeObject(required=True, most=PROPERTY_LIMIT)
    time = Moment(allow_none=True)
    value = Number(allow_none=True)
    value_currency = Text()
    unique_id = Text()
    backfill = fields.Boolean(allow_none=True)
    metric = fields.Nested(_Metric, required=True)
    profile = fields.Nested(_Profile, required=True)


class _EventData(BodySchema):
    type = resource_type("event")
    attributes = fields.Nested(_EventAttributes, required=True)


class EventCreateQuery(BodySchema):
    """``EventCreateQueryV2``, loaded as an :class:`EventCommand`."""

    data = fields.Nested(_EventData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> EventCommand:
        attributes = document["data"]["attributes"]
        profile = attributes["profile"]["data"]
        person = profile["attributes"]
        return EventCommand(
            metric=attributes["metric"]["data"]["attributes"]["name"],
            properties=attributes["properties"],
            profile=changes(person, person.get("meta")),
            profile_id=profile_id(profile),
            time=attributes.get("time"),
            value=attributes.get("value"),
            value_currency=attributes.get("value_currency"),
            unique_id=attributes.get("unique_id"),
            backfill=bool(attributes.get("backfill")),
        )
