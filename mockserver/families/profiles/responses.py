"""Today's profile writes (current-api.md §4): create, update, import, merge, and the client's
profile call. Reads (the listing, one profile, its lists and other relationships) are generic,
through ``ProfileSource``."""

from __future__ import annotations

from typing import Any

from flask import Response

from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.errors import invalid
from ...api.generic import document
from ...api.jsonapi import respond
from ...api.jsonapi import self_link
from ...domain.commands import DuplicateProfile
from ...domain.commands import InvalidAttribute
from ...domain.commands import ProfileChanges
from ...domain.models import Profile
from .models import ProfileSource

PROFILE = "profile"


def _source(call: Call) -> ProfileSource:
    source = call.backend.resources.source(PROFILE)
    assert isinstance(source, ProfileSource)
    return source


def answer(call: Call, profile: Profile, status: int = 200) -> Response:
    """A profile written, as the operation answers it (with ``additional-fields``)."""
    item = _source(call).item(profile, call.params.additional_of(PROFILE))
    return respond(
        document(call, PROFILE, [item], many=False, path=f"/api/profiles/{profile.id}"), status
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


def _attributes(data: dict[str, Any]) -> dict[str, Any]:
    attributes = data.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def create_profile(call: Call) -> Response:
    changes = profile_changes(_attributes(call.data), None)
    decisions: list[str] = []
    try:
        profile = call.backend.people.create(changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes) from None
    _wrote(decisions, profile)
    return answer(call, profile, 201)


def update_profile(call: Call) -> Response:
    call.same_id()
    changes = profile_changes(_attributes(call.data), call.data.get("meta"))
    decisions: list[str] = []
    try:
        profile = call.backend.people.update(call.id, changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes, call.id) from None
    _wrote(decisions, profile)
    return answer(call, profile)


def create_or_update_profile(call: Call) -> Response:
    data = call.data
    target = profile_id(data)
    changes = profile_changes(_attributes(data), data.get("meta"))
    decisions: list[str] = []
    try:
        profile, created = call.backend.people.upsert(target, changes, decisions)
    except (DuplicateProfile, InvalidAttribute) as error:
        raise _refusal(error, decisions, changes, target) from None
    _wrote(decisions, profile)
    return answer(call, profile, 201 if created else 200)


def merge_profiles(call: Call) -> Response:
    data = call.data
    sources = (data["relationships"]["profiles"] or {}).get("data") or []
    if len(sources) != 1:
        raise ApiError(
            400,
            "Give exactly one source profile (this endpoint merges one).",
            pointer="/data/relationships/profiles/data",
        )
    destination, source = data["id"], sources[0]["id"]
    decisions: list[str] = []
    try:
        profile = call.backend.people.merge(destination, source, decisions)
    except InvalidAttribute as error:
        raise ApiError(400, str(error), pointer="/data/relationships/profiles") from None
    note(*decisions, profiles=[profile.id, source])
    return respond(
        {
            "data": {
                "type": PROFILE,
                "id": profile.id,
                "links": {"self": self_link(f"/api/profiles/{profile.id}")},
            }
        },
        201,
    )


def create_client_profile(call: Call) -> Response:
    """A background call that never changes an identifier a profile has (current-api.md §6)."""
    data = call.data
    changes = profile_changes(_attributes(data), data.get("meta"))
    decisions: list[str] = []
    try:
        profile = call.backend.people.absorb(
            profile_id(data), changes, decisions, keep_identifiers=True
        )
    except InvalidAttribute as error:
        note(*decisions)
        raise invalid(error) from None
    note(*decisions, profiles=[profile.id] if profile else [])
    return respond(None, 202)


HANDLERS: dict[str, Handler] = {
    "create_profile": create_profile,
    "update_profile": update_profile,
    "create_or_update_profile": create_or_update_profile,
    "merge_profiles": merge_profiles,
    "create_client_profile": create_client_profile,
}
