"""What the HTTP layer hands the backend, and what it gets back: plain values.

The messages of every Track and Identify (commands, the profile data in them, outcomes) are
named tuples: as immutable as frozen dataclasses, at half the cost to make (a frozen dataclass
sets each field through ``object.__setattr__``)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple

from .models import IdentifierKind
from .models import JSONDict


class NotFound(LookupError):
    """No profile matches."""


class ProfileData(NamedTuple):
    """What a call says about a person: raw identifier strings (not yet normalised),
    standard attributes and custom properties. ``None`` values have already been dropped.
    Every field is given (a default ``{}`` would be one dict shared by every call);
    ``ProfileData.empty()`` says nothing."""

    identifiers: dict[IdentifierKind, str]
    attributes: JSONDict
    properties: JSONDict

    @classmethod
    def empty(cls) -> ProfileData:
        return cls({}, {}, {})


class IdentifyCommand(NamedTuple):
    token: str | None
    profile: ProfileData


class TrackCommand(NamedTuple):
    token: str | None
    event: str
    profile: ProfileData
    properties: JSONDict
    time: int | None = None


class Outcome(NamedTuple):
    """What a Track/Identify call did. ``profile_id`` is None when it was dropped."""

    account: str | None
    profile_id: str | None
    decisions: tuple[str, ...]
    created: bool = False
    event_id: str | None = None
    #: Every profile the call touched (the one it landed on, then those it conflicted with).
    touched: tuple[str, ...] = ()
    #: The call's identifier values, normalised.
    identifiers: tuple[str, ...] = ()


class SeedError(ValueError):
    """Given state that cannot exist, e.g. two profiles with one email."""


class IdentifierTaken(ValueError):
    """An update would give a profile an identifier another profile holds."""

    def __init__(self, kind: IdentifierKind, value: str, holder: str) -> None:
        super().__init__(f"{kind.legacy} {value} already belongs to another profile ({holder}).")
        self.kind = kind
        self.value = value
        self.holder = holder


class Refused(ValueError):
    """An update the mock cannot apply, with the reason in words."""


@dataclass(frozen=True)
class PropertyPatch:
    """``meta.patch_properties``: values appended to or removed from array properties, and
    keys removed."""

    append: JSONDict = field(default_factory=dict)
    unappend: JSONDict = field(default_factory=dict)
    unset: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileChanges:
    """What a current-API profile body says. A key present with ``None`` clears that field;
    a key absent leaves it as it is. ``properties`` are merged into the stored ones."""

    identifiers: dict[IdentifierKind, str | None] = field(default_factory=dict)
    attributes: JSONDict = field(default_factory=dict)
    properties: JSONDict = field(default_factory=dict)
    patch: PropertyPatch = field(default_factory=PropertyPatch)
    #: ``meta.patch_identifiers``: secondary emails to add and to remove.
    add_emails: tuple[str, ...] = ()
    remove_emails: tuple[str, ...] = ()


class DuplicateProfile(ValueError):
    """A current-API write with identifiers another profile holds (409 ``duplicate_profile``)."""

    def __init__(self, holder: str, detail: str) -> None:
        super().__init__(detail)
        self.holder = holder


class InvalidAttribute(ValueError):
    """A value Klaviyo refuses, named by its attribute (``email``, ``phone_number``)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
