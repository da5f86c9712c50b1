"""Today's profile endpoints (current-api.md §4): list, get, create, update, import, merge."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import request

from ..domain import consent
from ..domain.accounts import Account
from ..domain.commands import DuplicateProfile
from ..domain.commands import InvalidAttribute
from ..domain.commands import ProfileChanges
from ..domain.consent import Channel
from ..domain.filters import FilterError
from ..domain.filters import parse
from ..domain.models import IdentifierKind
from ..domain.models import Profile
from ..domain.profile_query import PROFILE_FILTERS
from ..domain.profile_query import PROFILE_SORTS
from .context import backend
from .context import note
from .documents import LOCATION
from .documents import PROFILE_ATTRIBUTES
from .documents import ProfileCreateQuery
from .documents import ProfileImportQuery
from .documents import ProfileMergeQuery
from .documents import ProfileUpdateQuery
from .errors import ApiError
from .errors import invalid
from .jsonapi import account
from .jsonapi import body
from .jsonapi import csv_param
from .jsonapi import decode_cursor
from .jsonapi import load
from .jsonapi import page_links
from .jsonapi import page_size
from .jsonapi import private_guard
from .jsonapi import respond
from .jsonapi import self_link
from .jsonapi import sparse
from .jsonapi import stamp

bp = Blueprint("profiles", __name__)
bp.before_request(private_guard)
bp.after_request(stamp)

create_query = ProfileCreateQuery()
update_query = ProfileUpdateQuery()
import_query = ProfileImportQuery()
merge_query = ProfileMergeQuery()

ADDITIONAL_FIELDS = frozenset({"subscriptions", "predictive_analytics"})
PROFILE_FIELDS = frozenset(
    {
        "email",
        "phone_number",
        "external_id",
        *PROFILE_ATTRIBUTES,
        "created",
        "updated",
        "last_event_date",
        "location",
        *(f"location.{key}" for key in LOCATION),
        "properties",
        *ADDITIONAL_FIELDS,
    }
)


#: Sparse fieldsets may also name members inside these objects (``subscriptions.email``).
NESTED_FIELDS = ("subscriptions.", "predictive_analytics.")


def profile_fields(extra: frozenset[str] = frozenset(), *, additional: bool = True) -> list[str]:
    """``fields[profile]``: the spec's names (attributes, ``id``, and members of
    ``location``, ``subscriptions`` and ``predictive_analytics``; without ``additional``, as
    ``include=profile`` on events takes them, none of the latter two), checked. A subscription
    channel's object stays whole (``subscriptions.email.marketing``): the spec requires its
    ``consent`` and ``can_receive_…`` members."""
    fields = csv_param("fields[profile]")
    known = (PROFILE_FIELDS | extra if additional else PROFILE_FIELDS - ADDITIONAL_FIELDS) | {"id"}
    for name in fields:
        nested = additional and name.startswith(NESTED_FIELDS)
        if name not in known and not nested:
            raise ApiError(
                400, f"{name!r} is not a field of a profile.", parameter="fields[profile]"
            )
    return [".".join(n.split(".")[:3]) if n.startswith("subscriptions.") else n for n in fields]


def iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def subscriptions(owner: Account, profile: Profile) -> dict[str, Any]:
    """``additional-fields[profile]=subscriptions``: the consent the profile recorded, by
    channel (rules in ``domain.consent``)."""
    found = backend().subscriptions.view(owner, profile)
    email = found[Channel.EMAIL_MARKETING]
    return {
        "email": {
            "marketing": {
                "can_receive_email_marketing": email.can_receive,
                **_consent(email),
                "custom_method_detail": email.custom_method_detail,
                "double_optin": email.double_optin,
                "suppression": [
                    {"reason": reason, "timestamp": at} for reason, at in email.suppressions
                ],
                "list_suppressions": [
                    {"list_id": list_id, "reason": reason, "timestamp": at}
                    for list_id, reason, at in email.list_suppressions
                ],
            }
        },
        "sms": {
            "marketing": {
                "can_receive_sms_marketing": found[Channel.SMS_MARKETING].can_receive,
                **_consent(found[Channel.SMS_MARKETING]),
            },
            "transactional": {
                "can_receive_sms_transactional": found[Channel.SMS_TRANSACTIONAL].can_receive,
                **_consent(found[Channel.SMS_TRANSACTIONAL]),
            },
        },
    }


def _consent(channel: consent.ChannelView) -> dict[str, Any]:
    return {
        "consent": channel.consent,
        "consent_timestamp": channel.at,
        "last_updated": channel.at,
        "method": channel.method,
        "method_detail": channel.method_detail,
    }


def profile_resource(
    owner: Account,
    profile: Profile,
    fields: list[str] | None = None,
    additional: list[str] | None = None,
) -> dict[str, Any]:
    """A profile as today's API shows it (current-api.md §3): identifiers, attributes,
    ``location``, ``properties``; never ``anonymous_id`` or ``_kx``."""
    stored = profile.attributes
    attributes: dict[str, Any] = {
        kind.value: profile.identifiers.get(kind)
        for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER, IdentifierKind.EXTERNAL_ID)
    }
    attributes.update({key: stored.get(key) for key in PROFILE_ATTRIBUTES})
    attributes.update(
        created=profile.created,
        updated=profile.updated,
        last_event_date=iso(backend().people_query.last_event_date(owner, profile.id)),
        location={key: stored[key] for key in LOCATION if key in stored},
        properties=profile.properties,
    )
    additional = additional or []
    if "subscriptions" in additional:
        attributes["subscriptions"] = subscriptions(owner, profile)
    if "predictive_analytics" in additional:
        attributes["predictive_analytics"] = {}
    path = f"/api/profiles/{profile.id}"
    return {
        "type": "profile",
        "id": profile.id,
        "attributes": sparse(attributes, fields or []),
        "relationships": {
            name: {
                "links": {
                    "self": self_link(f"{path}/relationships/{name}"),
                    "related": self_link(f"{path}/{name}"),
                }
            }
            for name in ("lists",)  # the mock has no segments
        },
        "links": {"self": self_link(path)},
    }


def _one(owner: Account, profile: Profile, status: int = 200) -> Response:
    fields = profile_fields()
    additional = csv_param("additional-fields[profile]", ADDITIONAL_FIELDS)
    return respond(
        {
            "data": profile_resource(owner, profile, fields, additional),
            "links": {"self": self_link(f"/api/profiles/{profile.id}")},
        },
        status,
    )


def _wrote(decisions: list[str], profile: Profile) -> None:
    """Journal a write: the decisions, the profile and its identifiers (to find it by)."""
    note(*decisions, profiles=[profile.id], identifiers=profile.identifiers.values())


def _refusal(
    error: DuplicateProfile | InvalidAttribute,
    decisions: list[str],
    changes: ProfileChanges,
    target: str | None = None,
) -> ApiError:
    """Journal a refused write (under the profile it was for, if any, and the holder of a
    taken identifier), and the error to answer with."""
    given = [value for value in changes.identifiers.values() if value]
    holders = [error.holder] if isinstance(error, DuplicateProfile) else []
    note(*decisions, profiles=[*([target] if target else []), *holders], identifiers=given)
    if isinstance(error, DuplicateProfile):
        return ApiError(
            409,
            str(error),
            code="duplicate_profile",
            pointer="/data/attributes",
            meta={"duplicate_profile_id": error.holder},
        )
    return invalid(error)


@bp.get("/api/profiles", strict_slashes=False)
def get_profiles() -> Response:
    owner = account()
    fields = profile_fields()
    additional = csv_param("additional-fields[profile]", ADDITIONAL_FIELDS)
    sort = request.args.get("sort", "id")
    if sort.removeprefix("-") not in PROFILE_SORTS:
        raise ApiError(
            400,
            f"{sort!r} is not a sort the mock supports; choose from"
            f" {', '.join(PROFILE_SORTS)} (with - for descending).",
            parameter="sort",
        )
    expression = None
    if request.args.get("filter"):
        try:
            expression = parse(request.args["filter"], PROFILE_FILTERS)
        except FilterError as error:
            raise ApiError(400, str(error), parameter="filter") from None
    cursor = request.args.get("page[cursor]")
    after = decode_cursor(cursor) if cursor else None
    size = page_size(20, 100)
    found, next_key = backend().people_query.page(owner, expression, sort, after, size)
    links = page_links("/api/profiles", next_key)
    note(f"listed {len(found)} profiles", profiles=[p.id for p in found])
    return respond(
        {"data": [profile_resource(owner, p, fields, additional) for p in found], "links": links}
    )


@bp.get("/api/profiles/<profile_id>", strict_slashes=False)
def get_profile(profile_id: str) -> Response:
    owner = account()
    return _one(owner, backend().people.get(owner, profile_id))


@bp.post("/api/profiles", strict_slashes=False)
def create_profile() -> Response:
    owner = account()
    _, changes = load(create_query, body())
    decisions: list[str] = []
    try:
        profile = backend().people.create(owner, changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes) from None
    _wrote(decisions, profile)
    return _one(owner, profile, 201)


@bp.patch("/api/profiles/<profile_id>", strict_slashes=False)
def update_profile(profile_id: str) -> Response:
    owner = account()
    given_id, changes = load(update_query, body())
    if given_id != profile_id:
        raise ApiError(
            400, f"data.id {given_id!r} does not match the profile in the URL.", pointer="/data/id"
        )
    decisions: list[str] = []
    try:
        profile = backend().people.update(owner, profile_id, changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes, profile_id) from None
    _wrote(decisions, profile)
    return _one(owner, profile)


@bp.post("/api/profile-import", strict_slashes=False)
def import_profile() -> Response:
    owner = account()
    profile_id, changes = load(import_query, body())
    decisions: list[str] = []
    try:
        profile, created = backend().people.upsert(owner, profile_id, changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes, profile_id) from None
    _wrote(decisions, profile)
    return _one(owner, profile, 201 if created else 200)


@bp.post("/api/profile-merge", strict_slashes=False)
def merge_profiles() -> Response:
    owner = account()
    destination, source = load(merge_query, body())
    decisions: list[str] = []
    try:
        profile = backend().people.merge(owner, destination, source, decisions)
    except InvalidAttribute as error:
        raise ApiError(400, str(error), pointer="/data/relationships/profiles") from None
    note(*decisions, profiles=[profile.id, source])
    return respond(
        {
            "data": {
                "type": "profile",
                "id": profile.id,
                "links": {"self": self_link(f"/api/profiles/{profile.id}")},
            }
        },
        201,
    )
