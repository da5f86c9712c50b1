"""marshmallow schemas for today's API bodies (current-api.md §4): JSON:API documents in,
the domain's commands out.

Unknown attributes are ignored, not refused (current-api.md §0: accept the union of the
revisions' fields). A value of the wrong type, a missing member or a wrong ``type`` is a 400
whose pointer names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from ..domain.commands import ProfileChanges
from ..domain.commands import PropertyPatch
from ..domain.filters import parse_datetime
from ..domain.models import IdentifierKind
from .schemas import check_limits

#: Attributes of a profile that are not identifiers (current-api.md §3).
PROFILE_ATTRIBUTES = ("first_name", "last_name", "organization", "locale", "title", "image")
LOCATION = (
    "address1",
    "address2",
    "city",
    "country",
    "latitude",
    "longitude",
    "region",
    "zip",
    "timezone",
    "ip",
)
#: Body keys of identifiers (``_kx`` is the exchange id).
IDENTIFIER_KEYS = {
    "email": IdentifierKind.EMAIL,
    "phone_number": IdentifierKind.PHONE_NUMBER,
    "external_id": IdentifierKind.EXTERNAL_ID,
    "anonymous_id": IdentifierKind.ANONYMOUS_ID,
    "_kx": IdentifierKind.EXCHANGE_ID,
}
UNSET_ERROR = "Unset must be a string or an array of strings (the property keys to unset)."


class BodySchema(Schema):
    """A part of a request body: unknown members are ignored (current-api.md §0)."""

    class Meta:
        unknown = EXCLUDE


class Moment(fields.Field[datetime]):
    """An ISO 8601 date-time (``Z`` or an offset; without one, UTC)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise ValidationError("Not a valid ISO 8601 date-time.")
        return moment


class FreeObject(fields.Dict):
    """A free-form JSON object (``properties``) within Klaviyo's ingestion limits (at most
    10 levels, 100,000-character strings, 4,000-item arrays), or the pointer says why."""

    def __init__(self, *, most: int | None = None, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), **kwargs)
        self.most = most

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-untyped-call]
        if self.most is not None and len(loaded) > self.most:
            raise ValidationError(f"An object has at most {self.most} properties.")
        try:
            check_limits(loaded)
        except ValueError as error:
            raise ValidationError(str(error).capitalize() + ".") from None
        return loaded


def resource_type(name: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Equal(name, error=f"Expected type {name!r}, got {{input!r}}."),
    )


class Text(fields.String):
    """A string or null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)


class Coordinate(fields.Field[Any]):
    """``latitude`` / ``longitude``: a number or a numeric string (the spec allows both)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Must be a number or a string.")
        return value


class LocationSchema(BodySchema):
    address1 = Text()
    address2 = Text()
    city = Text()
    country = Text()
    latitude = Coordinate(allow_none=True)
    longitude = Coordinate(allow_none=True)
    region = Text()
    zip = Text()
    timezone = Text()
    ip = Text()


class ProfileAttributesSchema(BodySchema):
    email = Text()
    phone_number = Text()
    external_id = Text()
    anonymous_id = Text()
    _kx = Text()
    first_name = Text()
    last_name = Text()
    organization = Text()
    locale = Text()
    title = Text()
    image = Text()
    location = fields.Nested(LocationSchema, allow_none=True)
    properties = FreeObject(allow_none=True)


class Unset(fields.Field[tuple[str, ...]]):
    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ValidationError(UNSET_ERROR)


class PatchPropertiesSchema(BodySchema):
    append = FreeObject(load_default=dict, allow_none=True)
    unappend = FreeObject(load_default=dict, allow_none=True)
    unset = Unset(load_default=(), allow_none=True)


class EmailList(BodySchema):
    email = fields.List(fields.String(), load_default=list)


class PatchIdentifiersSchema(BodySchema):
    append = fields.Nested(EmailList, load_default=dict)
    unappend = fields.Nested(EmailList, load_default=dict)


class ProfileMetaSchema(BodySchema):
    patch_properties = fields.Nested(PatchPropertiesSchema, allow_none=True)
    patch_identifiers = fields.Nested(PatchIdentifiersSchema, allow_none=True)


def profile_id(data: dict[str, Any]) -> str | None:
    """A profile reference's ``id``, trimmed; blank counts as absent, as for identifiers."""
    given = data.get("id")
    return given.strip() or None if isinstance(given, str) else None


def changes(attributes: dict[str, Any], meta: dict[str, Any] | None) -> ProfileChanges:
    """The domain's view of loaded ``attributes`` and ``meta``."""
    identifiers = {  # trimmed, and "" counts as absent, as in the legacy API
        kind: None if attributes[key] is None else attributes[key].strip()
        for key, kind in IDENTIFIER_KEYS.items()
        if key in attributes and (attributes[key] is None or attributes[key].strip())
    }
    values = {key: attributes[key] for key in PROFILE_ATTRIBUTES if key in attributes}
    if "location" in attributes:
        location = attributes["location"]
        if location is None:
            values.update(dict.fromkeys(LOCATION))
        else:
            values.update(location)
    meta = meta or {}
    patch = meta.get("patch_properties") or {}
    emails = meta.get("patch_identifiers") or {}
    return ProfileChanges(
        identifiers=identifiers,
        attributes=values,
        properties=attributes.get("properties") or {},
        patch=PropertyPatch(  # null members count as absent (the spec allows null)
            append=patch.get("append") or {},
            unappend=patch.get("unappend") or {},
            unset=patch.get("unset") or (),
        ),
        add_emails=tuple(emails.get("append", {}).get("email", ())),
        remove_emails=tuple(emails.get("unappend", {}).get("email", ())),
    )


class _ProfileData(BodySchema):
    type = resource_type("profile")
    attributes = fields.Nested(ProfileAttributesSchema, required=True)
    meta = fields.Nested(ProfileMetaSchema, allow_none=True)


class ProfileCreateData(BodySchema):
    type = resource_type("profile")
    attributes = fields.Nested(ProfileAttributesSchema, required=True)


class ProfileUpdateData(_ProfileData):
    id = fields.String(required=True)
    attributes = fields.Nested(ProfileAttributesSchema, load_default=dict)


class ProfileImportData(_ProfileData):
    id = fields.String(allow_none=True)


class NestedProfileAttributes(ProfileAttributesSchema):
    """A profile inside an event or a client call: its ``meta`` sits among its attributes."""

    meta = fields.Nested(ProfileMetaSchema, allow_none=True)


class NestedProfileData(BodySchema):
    type = resource_type("profile")
    id = Text()
    attributes = fields.Nested(NestedProfileAttributes, required=True)


class _Document(BodySchema):
    """``{"data": {...}}`` loaded as ``(id, ProfileChanges)``."""

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> tuple[str | None, ProfileChanges]:
        data = document["data"]
        return profile_id(data), changes(data["attributes"], data.get("meta"))


class ProfileCreateQuery(_Document):
    data = fields.Nested(ProfileCreateData, required=True)


class ProfileUpdateQuery(_Document):
    data = fields.Nested(ProfileUpdateData, required=True)


class ProfileImportQuery(_Document):
    data = fields.Nested(ProfileImportData, required=True)


class _Reference(BodySchema):
    type = resource_type("profile")
    id = fields.String(required=True)


class _References(BodySchema):
    data = fields.List(
        fields.Nested(_Reference),
        required=True,
        validate=validate.Length(
            min=1, max=1, error="Give exactly one source profile (this endpoint merges one)."
        ),
    )


class _MergeRelationships(BodySchema):
    profiles = fields.Nested(_References, required=True)


class _MergeData(BodySchema):
    type = resource_type("profile-merge")
    id = fields.String(required=True)
    relationships = fields.Nested(_MergeRelationships, required=True)


class ProfileMergeQuery(BodySchema):
    """``POST /api/profile-merge``, loaded as ``(destination, source)``."""

    data = fields.Nested(_MergeData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> tuple[str, str]:
        data = document["data"]
        return data["id"], data["relationships"]["profiles"]["data"][0]["id"]
