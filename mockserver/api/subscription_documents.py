"""marshmallow schemas for today's subscription bodies (current-api.md §6 and §7): the bulk
subscribe and unsubscribe jobs and ``/client/subscriptions``, loaded into the domain's
``Subscriber`` values. As in ``documents``: unknown members are ignored, a wrong type, a
missing member or a wrong ``type`` is a 400 whose pointer names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from ..domain.consent import Channel
from ..domain.subscriptions import Subscriber
from .documents import BodySchema
from .documents import Moment
from .documents import NestedProfileAttributes
from .documents import NestedProfileData
from .documents import Text
from .documents import changes
from .documents import profile_id
from .documents import resource_type

#: Profiles per call (SPEC descriptions).
MAX_SUBSCRIBE = 1000
MAX_UNSUBSCRIBE = 100


# -- subscriptions --------------------------------------------------------------------------


def _consent(value: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Equal(value, error=f"consent must be {value!r}, got {{input!r}}."),
    )


class _Subscribe(BodySchema):
    consent = _consent("SUBSCRIBED")
    consented_at = Moment(allow_none=True)


class _Unsubscribe(BodySchema):
    consent = _consent("UNSUBSCRIBED")


class _EmailSubscribe(BodySchema):
    marketing = fields.Nested(_Subscribe, allow_none=True)
    open_tracking = fields.Raw(allow_none=True)


class _SmsSubscribe(BodySchema):
    marketing = fields.Nested(_Subscribe, allow_none=True)
    transactional = fields.Nested(_Subscribe, allow_none=True)


class _EmailUnsubscribe(BodySchema):
    marketing = fields.Nested(_Unsubscribe, allow_none=True)
    open_tracking = fields.Raw(allow_none=True)


class _SmsUnsubscribe(BodySchema):
    marketing = fields.Nested(_Unsubscribe, allow_none=True)
    transactional = fields.Nested(_Unsubscribe, allow_none=True)


class SubscribeChannels(BodySchema):
    email = fields.Nested(_EmailSubscribe, allow_none=True)
    sms = fields.Nested(_SmsSubscribe, allow_none=True)
    whatsapp = fields.Raw(allow_none=True)
    push = fields.Raw(allow_none=True)


class UnsubscribeChannels(BodySchema):
    email = fields.Nested(_EmailUnsubscribe, allow_none=True)
    sms = fields.Nested(_SmsUnsubscribe, allow_none=True)
    whatsapp = fields.Raw(allow_none=True)
    push = fields.Raw(allow_none=True)


#: The channels whose consent the mock records, by where they sit in ``subscriptions``.
RECORDED = {
    ("email", "marketing"): Channel.EMAIL_MARKETING,
    ("sms", "marketing"): Channel.SMS_MARKETING,
    ("sms", "transactional"): Channel.SMS_TRANSACTIONAL,
}


def channels(given: dict[str, Any]) -> tuple[dict[Channel, datetime | None], tuple[str, ...]]:
    """The recorded channels of a loaded ``subscriptions`` object (with ``consented_at``),
    and the names of those given that the mock accepts without recording them."""
    found: dict[Channel, datetime | None] = {}
    ignored: list[str] = []
    for group, members in given.items():
        if members is None:
            continue
        if group not in ("email", "sms"):
            ignored.append(group)
            continue
        for kind, parameters in members.items():
            channel = RECORDED.get((group, kind))
            if parameters is None:
                continue
            if channel is None:
                ignored.append(f"{group}.{kind}")
            else:
                found[channel] = parameters.get("consented_at")
    return found, tuple(ignored)


def _subscriber(data: dict[str, Any]) -> Subscriber:
    attributes = data["attributes"]
    found, ignored = channels(attributes.get("subscriptions") or {})
    identifiers = {k: attributes[k] for k in ("email", "phone_number") if k in attributes}
    return Subscriber(profile_id(data), changes(identifiers, None), found, ignored)


class _SubscribeAttributes(BodySchema):
    email = Text()
    phone_number = Text()
    subscriptions = fields.Nested(SubscribeChannels, required=True)
    age_gated_date_of_birth = Text()


class _UnsubscribeAttributes(BodySchema):
    email = Text()
    phone_number = Text()
    subscriptions = fields.Nested(UnsubscribeChannels, required=True)


class _SubscribeProfile(BodySchema):
    type = resource_type("profile")
    id = Text()
    attributes = fields.Nested(_SubscribeAttributes, required=True)


class _UnsubscribeProfile(BodySchema):
    type = resource_type("profile")
    attributes = fields.Nested(_UnsubscribeAttributes, required=True)


def _profiles(schema: type[BodySchema], maximum: int) -> fields.Nested:
    class Profiles(BodySchema):
        data = fields.List(
            fields.Nested(schema),
            required=True,
            validate=validate.Length(
                min=1, max=maximum, error="Give from {min} to {max} profiles."
            ),
        )

    return fields.Nested(Profiles, required=True)


class _ListReference(BodySchema):
    type = resource_type("list")
    id = fields.String(required=True)


class _ListLink(BodySchema):
    data = fields.Nested(_ListReference, allow_none=True)


class _OptionalList(BodySchema):
    list = fields.Nested(_ListLink, allow_none=True)


class _RequiredListLink(BodySchema):
    data = fields.Nested(_ListReference, required=True)


class _RequiredList(BodySchema):
    list = fields.Nested(_RequiredListLink, required=True)


def list_id(data: dict[str, Any]) -> str | None:
    link = (data.get("relationships") or {}).get("list") or {}
    reference = link.get("data")
    return None if reference is None else str(reference["id"])


class _BulkSubscribeAttributes(BodySchema):
    custom_source = Text()
    historical_import = fields.Boolean(allow_none=True)
    profiles = _profiles(_SubscribeProfile, MAX_SUBSCRIBE)


class _BulkUnsubscribeAttributes(BodySchema):
    profiles = _profiles(_UnsubscribeProfile, MAX_UNSUBSCRIBE)


class _BulkSubscribeData(BodySchema):
    type = resource_type("profile-subscription-bulk-create-job")
    attributes = fields.Nested(_BulkSubscribeAttributes, required=True)
    relationships = fields.Nested(_OptionalList, allow_none=True)


class _BulkUnsubscribeData(BodySchema):
    type = resource_type("profile-subscription-bulk-delete-job")
    attributes = fields.Nested(_BulkUnsubscribeAttributes, required=True)
    relationships = fields.Nested(_OptionalList, allow_none=True)


class BulkSubscribeQuery(BodySchema):
    """``POST /api/profile-subscription-bulk-create-jobs``, loaded as a dict: ``subscribers``,
    ``list_id``, ``historical``, ``custom_source``."""

    data = fields.Nested(_BulkSubscribeData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = document["data"]
        attributes = data["attributes"]
        return {
            "subscribers": [_subscriber(p) for p in attributes["profiles"]["data"]],
            "list_id": list_id(data),
            "historical": bool(attributes.get("historical_import")),
            "custom_source": attributes.get("custom_source"),
        }


class BulkUnsubscribeQuery(BodySchema):
    """``POST /api/profile-subscription-bulk-delete-jobs``: ``subscribers``, ``list_id``."""

    data = fields.Nested(_BulkUnsubscribeData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = document["data"]
        return {
            "subscribers": [_subscriber(p) for p in data["attributes"]["profiles"]["data"]],
            "list_id": list_id(data),
        }


class _ClientProfileAttributes(NestedProfileAttributes):
    subscriptions = fields.Nested(SubscribeChannels, allow_none=True)


class _ClientProfileData(NestedProfileData):
    attributes = fields.Nested(_ClientProfileAttributes, required=True)


class _ClientProfile(BodySchema):
    data = fields.Nested(_ClientProfileData, required=True)


class _ClientAttributes(BodySchema):
    custom_source = Text()
    profile = fields.Nested(_ClientProfile, required=True)


class _ClientData(BodySchema):
    type = resource_type("subscription")
    attributes = fields.Nested(_ClientAttributes, required=True)
    relationships = fields.Nested(_RequiredList, required=True)


class ClientSubscriptionQuery(BodySchema):
    """``POST /client/subscriptions``: ``subscriber``, ``list_id``, ``custom_source``. Without
    a ``subscriptions`` object the profile subscribes to marketing on the channels it gives
    (email, SMS), as the spec says."""

    data = fields.Nested(_ClientData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = document["data"]
        profile = data["attributes"]["profile"]["data"]
        attributes = profile["attributes"]
        given = attributes.get("subscriptions")
        if given is None:
            found: dict[Channel, datetime | None] = {}
            if attributes.get("email"):
                found[Channel.EMAIL_MARKETING] = None
            if attributes.get("phone_number"):
                found[Channel.SMS_MARKETING] = None
            ignored: tuple[str, ...] = ()
        else:
            found, ignored = channels(given)
        subscriber = Subscriber(
            profile_id(profile), changes(attributes, attributes.get("meta")), found, ignored
        )
        return {
            "subscriber": subscriber,
            "list_id": list_id(data),
            "custom_source": data["attributes"].get("custom_source"),
        }
