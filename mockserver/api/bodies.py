"""Today's request bodies, once the operation's JSON Schema has passed them (``dispatch``),
read into the domain's commands: what the schema cannot say is checked here, with a pointer
to the member at fault (Klaviyo's ingestion limits on free-form objects, identifiers the
document no longer lists but clients still send, date-times).

Unknown attributes are ignored, not refused (current-api.md §0: the union of the revisions'
fields is accepted).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain.commands import ProfileChanges
from ..domain.commands import PropertyPatch
from ..domain.models import LOCATION
from ..domain.models import PROFILE_ATTRIBUTES
from ..domain.models import IdentifierKind
from ..spec import parse_moment
from .errors import ApiError
from .schemas import check_limits

#: Body keys of identifiers (``_kx`` is the exchange id; ``anonymous_id`` left the profile
#: bodies in 2026-01-15 but clients of older revisions still send it).
IDENTIFIER_KEYS = {
    "email": IdentifierKind.EMAIL,
    "phone_number": IdentifierKind.PHONE_NUMBER,
    "external_id": IdentifierKind.EXTERNAL_ID,
    "anonymous_id": IdentifierKind.ANONYMOUS_ID,
    "_kx": IdentifierKind.EXCHANGE_ID,
}
UNSET_ERROR = "Unset must be a string or an array of strings (the property keys to unset)."


def free_object(value: Any, pointer: str, most: int | None = None) -> dict[str, Any]:
    """A free-form object (``properties``) within Klaviyo's ingestion limits: at most 10
    levels, 100,000-character strings, 4,000-item arrays (and ``most`` members); null is
    empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "Must be an object.", pointer=pointer)
    if most is not None and len(value) > most:
        raise ApiError(400, f"An object has at most {most} properties.", pointer=pointer)
    try:
        check_limits(value)
    except ValueError as error:
        raise ApiError(400, str(error).capitalize() + ".", pointer=pointer) from None
    return value


def moment(value: Any, pointer: str) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; without one, UTC); null is none."""
    if value is None:
        return None
    found = parse_moment(value) if isinstance(value, str) else None
    if found is None:
        raise ApiError(400, "Not a valid ISO 8601 date-time.", pointer=pointer)
    return found


def text(value: Any, pointer: str) -> str | None:
    """A string or null, for a member the schema does not describe."""
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "Not a valid string.", pointer=pointer)
    return value


def profile_id(data: Mapping[str, Any]) -> str | None:
    """A profile reference's ``id``, trimmed; blank counts as absent, as for identifiers."""
    given = data.get("id")
    return given.strip() or None if isinstance(given, str) else None


def profile_changes(
    attributes: Mapping[str, Any],
    meta: Any,
    under: str = "/data/attributes",
    meta_at: str = "/data/meta",
) -> ProfileChanges:
    """What a profile's ``attributes`` (and ``meta``) say, as the domain's ``ProfileChanges``:
    identifiers trimmed, ``""`` counting as absent (as in the legacy API), null clearing.
    ``under`` and ``meta_at`` are where they sit in the body (for errors' pointers)."""
    identifiers: dict[IdentifierKind, str | None] = {}
    for key, kind in IDENTIFIER_KEYS.items():
        if key not in attributes:
            continue
        value = text(attributes[key], f"{under}/{key}")
        if value is None:
            identifiers[kind] = None
        elif value.strip():
            identifiers[kind] = value.strip()
    values = {key: attributes[key] for key in PROFILE_ATTRIBUTES if key in attributes}
    if "location" in attributes:
        location = attributes["location"]
        if location is None:
            values.update(dict.fromkeys(LOCATION))
        else:
            values.update({k: v for k, v in location.items() if k in LOCATION})
    properties = free_object(attributes.get("properties"), f"{under}/properties")
    return ProfileChanges(
        identifiers=identifiers,
        attributes=values,
        properties=properties,
        **_meta(meta, meta_at),
    )


def _meta(meta: Any, pointer: str) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ApiError(400, "Must be an object.", pointer=pointer)
    patch = meta.get("patch_properties") or {}
    if not isinstance(patch, dict):
        raise ApiError(400, "Must be an object.", pointer=f"{pointer}/patch_properties")
    unset = patch.get("unset")
    if isinstance(unset, str):
        unset = (unset,)
    elif isinstance(unset, list) and all(isinstance(item, str) for item in unset):
        unset = tuple(unset)
    elif unset is None:
        unset = ()
    else:
        raise ApiError(400, UNSET_ERROR, pointer=f"{pointer}/patch_properties/unset")
    emails = meta.get("patch_identifiers") or {}
    return {
        "patch": PropertyPatch(  # null members count as absent (the spec allows null)
            append=free_object(patch.get("append"), f"{pointer}/patch_properties/append"),
            unappend=free_object(patch.get("unappend"), f"{pointer}/patch_properties/unappend"),
            unset=unset,
        ),
        "add_emails": _emails(emails, "append", f"{pointer}/patch_identifiers/append/email"),
        "remove_emails": _emails(emails, "unappend", f"{pointer}/patch_identifiers/unappend/email"),
    }


def _emails(identifiers: Any, key: str, pointer: str) -> tuple[str, ...]:
    if not isinstance(identifiers, dict):
        raise ApiError(400, "Must be an object.", pointer=pointer.rsplit("/", 2)[0])
    group = identifiers.get(key) or {}
    emails = group.get("email", []) if isinstance(group, dict) else None
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise ApiError(400, "Must be a list of email addresses.", pointer=pointer)
    return tuple(emails)
