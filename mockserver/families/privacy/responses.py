"""``POST /api/data-privacy-deletion-jobs``: delete the profile one identifier names (its
``id``, ``email`` or ``phone_number``; several are a 400, as the document says). 202 with no
body. A person nobody matches is journaled and answered 202 all the same (*chosen*: Klaviyo
answers before its job looks; the legacy request, which looked at once, answered 404)."""

from __future__ import annotations

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.jsonapi import respond
from ...domain.commands import NotFound
from ...domain.models import IdentifierKind

POINTER = "/data/attributes/profile/data"
KINDS = {"email": IdentifierKind.EMAIL, "phone_number": IdentifierKind.PHONE_NUMBER}


def request_profile_deletion(call: Call) -> Response:
    person = call.data["attributes"]["profile"]["data"]
    given: list[tuple[IdentifierKind | None, str]] = []
    if isinstance(person.get("id"), str) and person["id"].strip():
        given.append((None, person["id"].strip()))
    attributes = person.get("attributes") or {}
    for key, named in KINDS.items():
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            given.append((named, value.strip()))
    if len(given) != 1:
        raise ApiError(
            400,
            "Give exactly one of id, email or phone_number.",
            pointer=f"{POINTER}/attributes" if given else POINTER,
        )
    kind, value = given[0]
    try:
        deleted = call.backend.delete_person(kind, value)
    except NotFound as error:
        note(f"deletion requested for {value}: nobody to delete ({error})", identifiers=[value])
        return respond(None, 202)
    note(
        f"deleted {deleted} with its events, memberships and consent",
        profiles=[deleted],
        identifiers=[value],
    )
    return respond(None, 202)


HANDLERS: dict[str, Handler] = {"request_profile_deletion": request_profile_deletion}
