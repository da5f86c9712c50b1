"""Today's subscription calls (current-api.md §6 and §7): the bulk subscribe and unsubscribe
jobs (``/api``, private key) and ``/client/subscriptions`` (public key).

All three answer 202 with no body once the whole call is applied; a call that cannot be
applied is refused whole (400, or 404 for an unknown list) and changes nothing. The rules are
in ``domain.subscriptions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Response

from ...api.bodies import moment
from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.jsonapi import respond
from ...domain.consent import Channel
from ...domain.subscriptions import BadSubscriber
from ...domain.subscriptions import Subscriber

#: Profiles per call (SPEC descriptions).
MAX_SUBSCRIBE = 1000
MAX_UNSUBSCRIBE = 100
#: Where each call's profiles sit in its body.
BULK_PROFILES = "/data/attributes/profiles/data/{index}/attributes"
CLIENT_PROFILE = "/data/attributes/profile/data/attributes"
#: The channels whose consent the mock records, by where they sit in ``subscriptions``.
RECORDED = {
    ("email", "marketing"): Channel.EMAIL_MARKETING,
    ("sms", "marketing"): Channel.SMS_MARKETING,
    ("sms", "transactional"): Channel.SMS_TRANSACTIONAL,
}


def channels(
    given: Mapping[str, Any], pointer: str
) -> tuple[dict[Channel, datetime | None], tuple[str, ...]]:
    """The recorded channels of a ``subscriptions`` object (with ``consented_at``), and the
    names of those given that the mock accepts without recording them."""
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
            if not isinstance(parameters, Mapping):
                continue
            if channel is None:
                ignored.append(f"{group}.{kind}")
            else:
                found[channel] = moment(
                    parameters.get("consented_at"), f"{pointer}/{group}/{kind}/consented_at"
                )
    return found, tuple(ignored)


def _subscriber(data: Mapping[str, Any], pointer: str) -> Subscriber:
    attributes = data["attributes"]
    found, ignored = channels(attributes.get("subscriptions") or {}, f"{pointer}/subscriptions")
    identifiers = {k: attributes[k] for k in ("email", "phone_number") if k in attributes}
    return Subscriber(profile_id(data), profile_changes(identifiers, None), found, ignored)


def _subscribers(call: Call, maximum: int) -> list[Subscriber]:
    entries = call.data["attributes"]["profiles"]["data"]
    if not 1 <= len(entries) <= maximum:
        raise ApiError(
            400, f"Give from 1 to {maximum} profiles.", pointer="/data/attributes/profiles/data"
        )
    return [
        _subscriber(entry, BULK_PROFILES.format(index=index)) for index, entry in enumerate(entries)
    ]


def list_id(data: Mapping[str, Any]) -> str | None:
    link = (data.get("relationships") or {}).get("list") or {}
    reference = link.get("data")
    return None if reference is None else str(reference["id"])


def _refusal(error: BadSubscriber, where: str) -> ApiError:
    pointer = where.format(index=error.index)
    return ApiError(400, str(error), pointer=f"{pointer}/{error.name}" if error.name else pointer)


def bulk_subscribe_profiles(call: Call) -> Response:
    data = call.data
    attributes = data["attributes"]
    subscribers = _subscribers(call, MAX_SUBSCRIBE)
    decisions: list[str] = []
    try:
        touched = call.backend.subscriptions.subscribe(
            subscribers,
            list_id(data),
            decisions,
            source="profile-subscription-bulk-create-job",
            custom_source=attributes.get("custom_source"),
            historical=bool(attributes.get("historical_import")),
        )
    except BadSubscriber as error:
        raise _refusal(error, BULK_PROFILES) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)


def bulk_unsubscribe_profiles(call: Call) -> Response:
    subscribers = _subscribers(call, MAX_UNSUBSCRIBE)
    decisions: list[str] = []
    try:
        touched = call.backend.subscriptions.unsubscribe(
            subscribers,
            list_id(call.data),
            decisions,
            source="profile-subscription-bulk-delete-job",
        )
    except BadSubscriber as error:
        raise _refusal(error, BULK_PROFILES) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)


def create_client_subscription(call: Call) -> Response:
    """Like the bulk job for one profile, except that a profile it finds keeps its
    identifiers (client endpoints never change them, current-api.md §6). Without a
    ``subscriptions`` object the profile subscribes to marketing on the channels it gives
    (email, SMS), as the spec says."""
    data = call.data
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
        found, ignored = channels(given, f"{CLIENT_PROFILE}/subscriptions")
    changes = profile_changes(
        attributes, attributes.get("meta"), CLIENT_PROFILE, f"{CLIENT_PROFILE}/meta"
    )
    subscriber = Subscriber(profile_id(profile), changes, found, ignored)
    decisions: list[str] = []
    try:
        touched = call.backend.subscriptions.subscribe(
            [subscriber],
            list_id(data),
            decisions,
            source="client-subscription",
            custom_source=data["attributes"].get("custom_source"),
            keep_identifiers=True,
        )
    except BadSubscriber as error:
        raise _refusal(error, CLIENT_PROFILE) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)


HANDLERS: dict[str, Handler] = {
    "bulk_subscribe_profiles": bulk_subscribe_profiles,
    "bulk_unsubscribe_profiles": bulk_unsubscribe_profiles,
    "create_client_subscription": create_client_subscription,
}
