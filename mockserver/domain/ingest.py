"""How a call's identity decision is applied: the engine behind Track, Identify and list members.

``Ingest.upsert`` resolves a call's identifiers (``identity.resolve``, under the store's lock held
by the caller), then creates or updates the profile: identifiers set or replaced (the old value
kept as a former one), conflicts recorded as evidence, evidence recorded when a profile takes a
value another profile held before or holds as another kind. ``race()`` opens a race window in
which calls resolve against the state from before it (row 10).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import TYPE_CHECKING

from .commands import ProfileData
from .identity import Resolution
from .identity import resolve
from .models import LEGACY_ORDER
from .models import Evidence
from .models import EvidenceKind
from .models import IdentifierKind
from .models import Identifiers
from .models import JSONDict
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import iso_seconds as _iso

if TYPE_CHECKING:
    from .service import Klaviyo


@dataclass
class RaceWindow:
    """Calls applied inside one window resolve against the state as it was when it opened
    (klaviyo-behavior.md §3): the mock's deterministic version of row 10, the race.

    ``before`` keeps, for each identifier whose holder changed inside the window, the holder it
    had when the window opened; ``created`` the profiles created inside it, by account.
    """

    before: dict[tuple[str, IdentifierKind, str], str | None] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)


_ABSENT = object()


class _Local(threading.local):
    """A thread's race window; None outside one. (A class default, so that reading it
    outside a window, as every call does, raises and catches no ``AttributeError``.)"""

    window: RaceWindow | None = None


def _changes(have: JSONDict, new: JSONDict) -> bool:
    """Whether upserting ``new`` into ``have`` changes anything."""
    return any(have.get(key, _ABSENT) != value for key, value in new.items())


def _same_value_as(kind: IdentifierKind, value: str) -> list[tuple[IdentifierKind, str]]:
    """The same value as another kind of identifier: an ``$id`` that is an email address or a
    phone number, and the reverse. (Cheap checks first: this runs on every new identifier.)"""
    if kind is IdentifierKind.EXTERNAL_ID:
        found = []
        for other, looks_like in (
            (IdentifierKind.EMAIL, "@" in value),
            (IdentifierKind.PHONE_NUMBER, value[:1] == "+" or value.isdigit()),
        ):
            if looks_like:
                with contextlib.suppress(InvalidIdentifier):
                    found.append((other, normalize(other, value)))
        return found
    if kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER):
        return [(IdentifierKind.EXTERNAL_ID, value)]
    return []


def _describe(identifiers: Identifiers) -> str:
    return " and ".join(f"{kind.legacy} {value}" for kind, value in identifiers.items())


class Ingest:
    """Applies identity decisions to the store of ``klaviyo`` (which it reads its store, ids and
    clock from, so that a test may swap them)."""

    def __init__(self, klaviyo: Klaviyo) -> None:
        self._k = klaviyo
        self._local = _Local()

    def upsert(
        self,
        account: str,
        identifiers: Identifiers,
        data: ProfileData,
        decisions: list[str],
        order: Sequence[IdentifierKind] = LEGACY_ORDER,
    ) -> tuple[Profile, bool, tuple[str, ...]]:
        """Resolve ``identifiers`` in ``order`` (the legacy API's, or ``CURRENT_ORDER``) and
        create or update the profile; the profile, whether it was created, and the profiles
        touched. Never refuses: a conflict is recorded as evidence (Track, Identify, events)."""
        resolution = resolve(identifiers, partial(self.owner_of, account), order)
        if resolution.profile_id is None:
            taken = self.taken(account, identifiers)
            if not taken:
                profile = self.create(account, identifiers, data, decisions)
                return profile, True, (profile.id,)
            # Only in a race window: another call of the window took one of these first.
            first = next(kind for kind in order if kind in taken)
            decisions.append(
                f"{first.legacy} {identifiers[first]} was taken by {taken[first]} in the same"
                " race window"
            )
            resolution = Resolution(
                taken[first],
                first,
                {k: v for k, v in identifiers.items() if k not in taken},
                tuple((k, identifiers[k], o) for k, o in taken.items() if o != taken[first]),
            )
        return self.update(account, resolution, identifiers, data, decisions)

    def conflict(
        self,
        account: str,
        profile_id: str,
        matched: str,
        kind: IdentifierKind,
        value: str,
        holder: str,
        decisions: list[str],
    ) -> None:
        """Record that a call which selected ``profile_id`` (by ``matched``, in words) also
        carried an identifier another profile holds, which stays there (row 11)."""
        self._k.store.add_evidence(
            account,
            Evidence(
                EvidenceKind.IDENTITY_CONFLICT,
                (profile_id, holder),
                f"a call identified {profile_id} by {matched} and also carried"
                f" {kind.legacy} {value}, which {holder} holds",
                _iso(self._k.clock()),
            ),
        )
        decisions.append(
            f"identity conflict: {kind.legacy} {value} belongs to {holder} and stays there;"
            f" {profile_id} and {holder} look like one person"
        )

    def owner_of(self, account: str, kind: IdentifierKind, value: str) -> str | None:
        """Who holds an identifier, as calls see it: inside a race window, as it was when the
        window opened."""
        window = self.window()
        key = (account, kind, value)
        if window is not None and key in window.before:
            return window.before[key]
        return self._k.store.owner_of(account, kind, value)

    def taken(self, account: str, identifiers: Identifiers) -> dict[IdentifierKind, str]:
        found = {
            kind: self._k.store.owner_of(account, kind, value)
            for kind, value in identifiers.items()
        }
        return {kind: owner for kind, owner in found.items() if owner is not None}

    def create(
        self, account: str, identifiers: Identifiers, data: ProfileData, decisions: list[str]
    ) -> Profile:
        moment = self._k.clock()
        now = _iso(moment)
        profile_id = self._k.ids.ulid(moment)
        while self._k.store.has_profile(account, profile_id):
            profile_id = self._k.ids.ulid(moment)
        profile = Profile(
            id=profile_id,
            created=now,
            updated=now,
            identifiers=dict(identifiers),
            attributes=dict(data.attributes),
            properties=dict(data.properties),
            former={},
            consent={},
        )
        self.save(account, None, profile)
        decisions.append(f"created {profile.id}: no profile has {_describe(identifiers)}")
        for kind, value in identifiers.items():
            self.link(account, profile.id, kind, value, now, decisions)
        return profile

    def update(
        self,
        account: str,
        resolution: Resolution,
        identifiers: Identifiers,
        data: ProfileData,
        decisions: list[str],
    ) -> tuple[Profile, bool, tuple[str, ...]]:
        current = self._k.store.get_profile(account, resolution.profile_id or "")
        matched = resolution.matched_by
        if current is None or matched is None:
            raise RuntimeError(
                f"the identity index points at {resolution.profile_id}, which is gone"
            )
        decisions.append(f"matched {current.id} by {matched.legacy} {identifiers[matched]}")
        new_identifiers = dict(current.identifiers)
        former = current.former
        conflicts = list(resolution.conflicts)
        now = _iso(self._k.clock()) if resolution.assign else ""  # read when needed: most
        # calls change nothing
        for kind, value in resolution.assign.items():
            holder = self._k.store.owner_of(account, kind, value)
            if holder is not None and holder != current.id:  # taken inside a race window
                conflicts.append((kind, value, holder))
                continue
            old = new_identifiers.get(kind)
            new_identifiers[kind] = value
            if old is None:
                decisions.append(f"set {kind.legacy} {value} on {current.id}")
            else:
                if former is current.former:  # copied on the first change only
                    former = {k: list(values) for k, values in current.former.items()}
                former.setdefault(kind, []).append(old)
                decisions.append(f"changed {kind.legacy} of {current.id} from {old} to {value}")
            self.link(account, current.id, kind, value, now, decisions)
        for kind, value, holder in conflicts:
            how = f"{matched.legacy} {identifiers[matched]}"
            self.conflict(account, current.id, how, kind, value, holder, decisions)
        updated = current
        if (
            new_identifiers != current.identifiers
            or _changes(current.attributes, data.attributes)
            or _changes(current.properties, data.properties)
        ):
            updated = current.with_changes(
                identifiers=new_identifiers,
                attributes=current.attributes | data.attributes,
                properties=current.properties | data.properties,
                former=former,
                updated=now or _iso(self._k.clock()),
            )
            self.save(account, current, updated)
        touched = (current.id, *dict.fromkeys(holder for _, _, holder in conflicts))
        return updated, False, touched

    def rewrite(
        self,
        account: str,
        current: Profile,
        identifiers: Identifiers,
        attributes: JSONDict,
        properties: JSONDict,
        decisions: list[str],
    ) -> Profile:
        """Give ``current`` exactly these identifiers, attributes and properties (an explicit
        update: the caller has checked that no other profile holds the identifiers). Values
        replaced or cleared are kept as former ones; nothing is written when nothing changes."""
        if (
            identifiers == current.identifiers
            and attributes == current.attributes
            and properties == current.properties
        ):
            return current
        now = _iso(self._k.clock())
        former = {kind: list(values) for kind, values in current.former.items()}
        for kind, old in current.identifiers.items():
            if identifiers.get(kind) != old:
                former.setdefault(kind, []).append(old)
        for kind, value in identifiers.items():
            if current.identifiers.get(kind) != value:
                decisions.append(f"set {kind.legacy} of {current.id} to {value}")
        for kind in current.identifiers.keys() - identifiers.keys():
            decisions.append(f"cleared {kind.legacy} of {current.id}")
        updated = current.with_changes(
            identifiers=identifiers,
            attributes=attributes,
            properties=properties,
            former=former,
            updated=now,
        )
        self.save(account, current, updated)
        for kind, value in identifiers.items():
            if current.identifiers.get(kind) != value:
                self.link(account, current.id, kind, value, now, decisions)
        return updated

    def link(
        self,
        account: str,
        profile_id: str,
        kind: IdentifierKind,
        value: str,
        now: str,
        decisions: list[str],
    ) -> None:
        """Record evidence that ``profile_id``, which just took ``value``, is someone else: a
        profile that held the value before (row 9), or one that holds it as another kind of
        identifier (an ``$id`` that is somebody's email)."""
        links = [
            (
                EvidenceKind.FORMER_IDENTIFIER,
                holder,
                f"{profile_id} took {kind.legacy} {value}, which {holder} held before",
            )
            for holder in sorted(self._k.store.former_holders(account, kind, value) - {profile_id})
        ]
        for other, other_value in _same_value_as(kind, value):
            holder = self._k.store.owner_of(account, other, other_value)
            if holder is not None and holder != profile_id:
                links.append(
                    (
                        EvidenceKind.SHARED_VALUE,
                        holder,
                        f"{profile_id}'s {kind.legacy} {value} is {holder}'s {other.legacy}",
                    )
                )
        for evidence_kind, holder, detail in links:
            self._k.store.add_evidence(
                account, Evidence(evidence_kind, (holder, profile_id), detail, now)
            )
            decisions.append(f"evidence of a duplicate: {detail}")

    def save(self, account: str, old: Profile | None, new: Profile) -> None:
        """Save ``new``; inside a race window, first remember who held what it changes."""
        window = self.window()
        if window is not None:
            before = set(old.identifiers.items()) if old else set()
            for kind, value in before ^ set(new.identifiers.items()):
                key = (account, kind, value)
                if key not in window.before:
                    window.before[key] = self._k.store.owner_of(account, kind, value)
            if old is None:
                window.created.setdefault(account, []).append(new.id)
        self._k.store.save_profile(account, new)

    def window(self) -> RaceWindow | None:
        return self._local.window

    @contextlib.contextmanager
    def race(self) -> Iterator[RaceWindow]:
        """Apply the calls this thread makes inside the block as if they were processed at the
        same time: each resolves against the state from before the block. Profiles created in
        one window are recorded as evidence of one person (row 10)."""
        if self.window() is not None:
            raise RuntimeError("race windows do not nest")
        window = self._local.window = RaceWindow()
        try:
            yield window
        finally:
            self._local.window = None
            now = _iso(self._k.clock())
            with self._k.store.locked():
                for account, created in window.created.items():
                    if len(created) > 1:
                        self._k.store.add_evidence(
                            account,
                            Evidence(
                                EvidenceKind.RACE,
                                tuple(created),
                                f"{', '.join(created)} were created in one race window",
                                now,
                            ),
                        )
