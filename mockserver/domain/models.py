"""The mock's state as plain values: profiles, events, metrics and identity conflicts.

Everything here is JSON-safe (strings, numbers, dicts, lists) so that the store can persist it
as it is, and immutable where it can be, so that nobody edits stored state by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

JSONDict = dict[str, Any]


def json_copy(value: Any) -> Any:
    """A deep copy of a JSON value, so that nobody shares nested state with the store.
    (Several times faster than ``copy.deepcopy`` or a JSON round trip for these documents.)"""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


class IdentifierKind(enum.Enum):
    """The identifiers that select a profile, in the legacy API's order of precedence.

    The value is the attribute name the current API uses; ``legacy`` is the Track/Identify key.
    """

    EMAIL = "email"
    EXTERNAL_ID = "external_id"
    PHONE_NUMBER = "phone_number"
    EXCHANGE_ID = "exchange_id"
    #: The current API's ``anonymous_id`` (mobile SDKs, klaviyo.js); the legacy API has none.
    ANONYMOUS_ID = "anonymous_id"

    # Members are singletons: hash by identity, not by Enum's Python-level name hash (hot path).
    __hash__ = object.__hash__

    @property
    def legacy(self) -> str:
        return _LEGACY_NAMES[self]


#: By value: a dict lookup, where ``IdentifierKind(value)`` goes through Enum's machinery.
_KINDS = {kind.value: kind for kind in IdentifierKind}

_LEGACY_NAMES = {
    IdentifierKind.EMAIL: "$email",
    IdentifierKind.EXTERNAL_ID: "$id",
    IdentifierKind.PHONE_NUMBER: "$phone_number",
    IdentifierKind.EXCHANGE_ID: "$exchange_id",
    IdentifierKind.ANONYMOUS_ID: "anonymous_id",
}

#: klaviyo-behavior.md §2: "$email, then $id, then $phone_number, then $exchange_id" (chosen).
LEGACY_ORDER: tuple[IdentifierKind, ...] = (
    IdentifierKind.EMAIL,
    IdentifierKind.EXTERNAL_ID,
    IdentifierKind.PHONE_NUMBER,
    IdentifierKind.EXCHANGE_ID,
)
#: klaviyo-behavior.md §5, current-api.md §8 (chosen): after a profile ``id``, "email,
#: phone_number, external_id, anonymous_id/_kx".
CURRENT_ORDER: tuple[IdentifierKind, ...] = (
    IdentifierKind.EMAIL,
    IdentifierKind.PHONE_NUMBER,
    IdentifierKind.EXTERNAL_ID,
    IdentifierKind.ANONYMOUS_ID,
    IdentifierKind.EXCHANGE_ID,
)

#: Today's API's profile attributes that are not identifiers, and the members of ``location``
#: (current-api.md §3).
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

Identifiers = dict[IdentifierKind, str]
"""Normalised identifier values by kind; a kind that is absent has no key."""


#: Profile attributes that both API generations know by name (legacy: with a ``$`` prefix).
STANDARD_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "first_name",
        "last_name",
        "organization",
        "title",
        "image",
        "locale",
        "address1",
        "address2",
        "city",
        "region",
        "country",
        "zip",
        "timezone",
        "latitude",
        "longitude",
    }
)


class Profile(NamedTuple):
    """A person. ``former`` keeps the identifier values the profile held before (an email
    changed through ``$id``): evidence that a later profile with an old value is a duplicate.
    ``consent`` holds what the person agreed to, by channel (``domain.consent`` reads it).

    A named tuple, as immutable as a frozen dataclass at a third of the cost to make (the store
    makes one on every Track and Identify; a frozen dataclass sets each field through
    ``object.__setattr__``). Every field is given: a default ``{}`` would be one dict shared by
    every profile."""

    id: str
    created: str
    updated: str
    identifiers: Identifiers
    attributes: JSONDict
    properties: JSONDict
    former: dict[IdentifierKind, list[str]]
    consent: JSONDict

    def get(self, kind: IdentifierKind) -> str | None:
        return self.identifiers.get(kind)

    def to_document(self) -> JSONDict:
        doc = {
            "id": self.id,
            "created": self.created,
            "updated": self.updated,
            "identifiers": {kind.value: value for kind, value in self.identifiers.items()},
            "attributes": self.attributes,
            "properties": self.properties,
            "former": {kind.value: values for kind, values in self.former.items()},
        }
        if self.consent:  # absent from documents written before consent was recorded
            doc["consent"] = self.consent
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Profile:
        """The profile a stored document describes, sharing nothing with ``doc`` (the store
        passes its own documents: one copy of each part, not a copy of a copy)."""
        return cls(
            doc["id"],
            doc["created"],
            doc["updated"],
            {_KINDS[k]: v for k, v in doc["identifiers"].items()},
            json_copy(doc["attributes"]),
            json_copy(doc["properties"]),
            {_KINDS[k]: list(v) for k, v in doc.get("former", {}).items()},
            json_copy(doc.get("consent", {})),
        )

    def with_changes(self, **changes: Any) -> Profile:
        return self._replace(**changes)


class ProfileHead(NamedTuple):
    """What a listing filters and sorts profiles by, read without copying whole profiles.
    ``identifiers`` is keyed by ``IdentifierKind.value`` and may be the stored mapping itself:
    read it, never change it."""

    id: str
    created: str
    updated: str
    identifiers: Mapping[str, str]


class EventHead(NamedTuple):
    """What a listing filters and sorts events by, read without copying their properties."""

    id: str
    profile_id: str
    metric_id: str
    timestamp: int


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    created: str

    def to_document(self) -> JSONDict:
        return {"id": self.id, "name": self.name, "created": self.created}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Metric:
        return cls(id=doc["id"], name=doc["name"], created=doc["created"])


@dataclass(frozen=True)
class ListRecord:
    """A list. ``double_opt_in``: a subscription waits for the person to confirm."""

    id: str
    name: str
    created: str
    updated: str
    double_opt_in: bool = False

    def to_document(self) -> JSONDict:
        return {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "updated": self.updated,
            "double_opt_in": self.double_opt_in,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ListRecord:
        return cls(doc["id"], doc["name"], doc["created"], doc["updated"], doc["double_opt_in"])


class MemberStatus(enum.Enum):
    MEMBER = "member"  # added without consent (``/members``)
    SUBSCRIBED = "subscribed"  # added with consent (``/subscribe``, single opt-in)
    PENDING = "pending"  # subscribed to a double opt-in list, not confirmed yet
    UNSUBSCRIBED = "unsubscribed"  # removed through ``/subscribe``: an exclusion


@dataclass(frozen=True)
class Membership:
    list_id: str
    profile_id: str
    status: MemberStatus
    at: str

    def to_document(self) -> JSONDict:
        return {
            "list_id": self.list_id,
            "profile_id": self.profile_id,
            "status": self.status.value,
            "at": self.at,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Membership:
        return cls(doc["list_id"], doc["profile_id"], MemberStatus(doc["status"]), doc["at"])


class Event(NamedTuple):
    """One recorded event. ``unique_key`` is what deduplicates it within (profile, metric).
    (A named tuple: immutable, and made on every Track at half a frozen dataclass's cost.)"""

    id: str
    profile_id: str
    metric_id: str
    timestamp: int
    unique_key: str
    properties: JSONDict
    created: str

    def to_document(self) -> JSONDict:
        return {
            "id": self.id,
            "profile_id": self.profile_id,
            "metric_id": self.metric_id,
            "timestamp": self.timestamp,
            "unique_key": self.unique_key,
            "properties": self.properties,
            "created": self.created,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Event:
        return cls(**doc)


class EvidenceKind(enum.Enum):
    """Why profiles look like one person (klaviyo-behavior.md §7)."""

    IDENTITY_CONFLICT = "identity_conflict"  # a call's identifiers matched two profiles (row 11)
    RACE = "race"  # profiles created in one race window (row 10)
    FORMER_IDENTIFIER = "former_identifier"  # one holds a value the other held before (row 9)
    SHARED_VALUE = "shared_value"  # one's $id is the other's email or phone number


@dataclass(frozen=True)
class Evidence:
    """A recorded reason to think that ``profiles`` are one person."""

    kind: EvidenceKind
    profiles: tuple[str, ...]
    detail: str
    at: str

    def to_document(self) -> JSONDict:
        return {
            "kind": self.kind.value,
            "profiles": list(self.profiles),
            "detail": self.detail,
            "at": self.at,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Evidence:
        return cls(EvidenceKind(doc["kind"]), tuple(doc["profiles"]), doc["detail"], doc["at"])
