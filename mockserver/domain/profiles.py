"""The current API's profile writes (klaviyo-behavior.md §5, current-api.md §4 and §8).

Unlike Track and Identify, these calls answer at once and refuse what would make a duplicate:
an identifier another profile holds is a 409 ``duplicate_profile`` naming that profile. The
identity order is ``CURRENT_ORDER`` (*chosen*: email, phone_number, external_id, anonymous_id,
_kx). ``merge`` is the explicit merge that seed 000's users asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import overload

from .commands import DuplicateProfile
from .commands import InvalidAttribute
from .commands import NotFound
from .commands import ProfileChanges
from .commands import ProfileData
from .commands import PropertyPatch
from .models import CURRENT_ORDER
from .models import Evidence
from .models import EvidenceKind
from .models import IdentifierKind
from .models import Identifiers
from .models import JSONDict
from .models import Membership
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import Store
from .ports import iso_seconds

if TYPE_CHECKING:
    from .backend import Backend

#: Klaviyo's words for bad identifiers (current-api.md §2.2, verbatim).
INVALID = {
    IdentifierKind.EMAIL: "Invalid email address",
    IdentifierKind.PHONE_NUMBER: (
        "Invalid phone number format (Example of a valid format: +12345678901)"
    ),
}
NO_IDENTIFIER = "One or more identifiers is required"
DUPLICATE = "A profile already exists with one of these identifiers."
SECONDARY_EMAILS = "secondary_emails"


def normalise(kind: IdentifierKind, raw: str) -> str:
    """An identifier in canonical form, or :class:`InvalidAttribute` in Klaviyo's words. The
    current API takes phone numbers in E.164 only (*chosen*: its error names that format)."""
    if kind is IdentifierKind.PHONE_NUMBER and not raw.strip().startswith("+"):
        raise InvalidAttribute(kind.value, INVALID[kind])
    try:
        return normalize(kind, raw)
    except InvalidIdentifier as error:
        raise InvalidAttribute(kind.value, INVALID.get(kind, str(error))) from None


def patched(properties: JSONDict, patch: PropertyPatch) -> JSONDict:
    """``properties`` after ``meta.patch_properties``: ``append`` adds values to an array
    property (making one of a scalar), ``unappend`` removes every occurrence of them, ``unset``
    removes keys."""
    result = dict(properties)
    for key, value in patch.append.items():
        have = result.get(key)
        items = [] if have is None else list(have) if isinstance(have, list) else [have]
        items.extend(value if isinstance(value, list) else [value])
        result[key] = items
    for key, value in patch.unappend.items():
        have = result.get(key)
        if isinstance(have, list):
            drop = value if isinstance(value, list) else [value]
            result[key] = [item for item in have if item not in drop]
    for key in patch.unset:
        result.pop(key, None)
    return result


def _describe(kind: IdentifierKind, value: str) -> str:
    return f"{kind.value} {value}"


class Profiles:
    """The current API's profile writes to an account (``Backend.people``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    @property
    def _store(self) -> Store:
        return self._b.store

    def get(self, profile_id: str) -> Profile:
        with self._store.locked():
            profile: Profile | None = self._store.get_profile(self._b.account.id, profile_id)
        if profile is None:
            raise NotFound(f"A profile with id {profile_id} does not exist.")
        return profile

    # -- writes -----------------------------------------------------------------------------

    def create(self, changes: ProfileChanges, decisions: list[str]) -> Profile:
        """``POST /api/profiles``: a new profile, or 409 when one holds any of the identifiers."""
        identifiers = self._identifiers(changes)
        with self._store.locked():
            for kind, value in identifiers.items():
                holder = self._store.owner_of(self._b.account.id, kind, value)
                if holder is not None:
                    decisions.append(f"refused: {holder} already has {_describe(kind, value)}")
                    raise DuplicateProfile(holder, DUPLICATE)
            return self._create(identifiers, changes, decisions)

    def update(self, profile_id: str, changes: ProfileChanges, decisions: list[str]) -> Profile:
        """``PATCH /api/profiles/{id}``: null clears, absent keeps; 409 when another profile
        holds an identifier; 400 when no identifier would be left."""
        with self._store.locked():
            current = self._store.get_profile(self._b.account.id, profile_id)
            if current is None:
                raise NotFound(f"A profile with id {profile_id} does not exist.")
            return self._apply(current, changes, decisions)

    def upsert(
        self,
        profile_id: str | None,
        changes: ProfileChanges,
        decisions: list[str],
    ) -> tuple[Profile, bool]:
        """``POST /api/profile-import``: update the profile ``profile_id`` names, or the one the
        identifiers select, or create one; True when created. Identifiers that select two
        different profiles: 409, with evidence recorded that they look like one person."""
        if profile_id is not None:
            return self.update(profile_id, changes, decisions), False
        identifiers = self._identifiers(changes)
        with self._store.locked():
            owners: dict[str, IdentifierKind] = {}
            for kind, value in identifiers.items():
                holder = self._store.owner_of(self._b.account.id, kind, value)
                if holder is not None:
                    owners.setdefault(holder, kind)
            if not owners:
                return self._create(identifiers, changes, decisions), True
            selected, matched_by = next(iter(owners.items()))
            decisions.append(
                f"matched {selected} by {_describe(matched_by, identifiers[matched_by])}"
            )
            if len(owners) > 1:
                other, kind = list(owners.items())[1]
                detail = (
                    f"a profile import identified {selected} by"
                    f" {_describe(matched_by, identifiers[matched_by])} and also carried"
                    f" {_describe(kind, identifiers[kind])}, which {other} holds"
                )
                self._store.add_evidence(
                    self._b.account.id,
                    Evidence(
                        EvidenceKind.IDENTITY_CONFLICT,
                        (selected, other),
                        detail,
                        iso_seconds(self._b.clock()),
                    ),
                )
                decisions.append(f"refused: {detail}")
                raise DuplicateProfile(other, DUPLICATE)
            current = self._store.get_profile(self._b.account.id, selected)
            if current is None:
                raise NotFound(f"A profile with id {selected} does not exist.")
            return self._apply(current, changes, decisions), False

    @overload
    def absorb(
        self,
        profile_id: None,
        changes: ProfileChanges,
        decisions: list[str],
        *,
        keep_identifiers: bool = False,
    ) -> Profile: ...

    @overload
    def absorb(
        self,
        profile_id: str | None,
        changes: ProfileChanges,
        decisions: list[str],
        *,
        keep_identifiers: bool = False,
    ) -> Profile | None: ...

    def absorb(
        self,
        profile_id: str | None,
        changes: ProfileChanges,
        decisions: list[str],
        *,
        keep_identifiers: bool = False,
    ) -> Profile | None:
        """Create or update the profile a background call describes (events, client calls,
        bulk subscriptions): never refused, never a 409. ``profile_id`` selects a profile when
        it names one; otherwise the identifiers resolve in ``CURRENT_ORDER``, and a conflict is
        recorded as evidence (klaviyo-behavior.md §5). With ``keep_identifiers`` (client
        endpoints) a matched profile keeps its identifiers and only takes those it lacks.
        None when ``profile_id`` names no profile (*chosen*: the call is dropped, as
        Klaviyo's queue would drop it after answering 202)."""
        self._emails([], changes)  # a bad secondary email refuses the call before any change
        identifiers = (
            {k: normalise(k, v) for k, v in changes.identifiers.items() if v is not None}
            if profile_id is not None
            else self._identifiers(changes)
        )
        ingest = self._b.ingest
        with self._store.locked():
            resolved = False  # by Ingest.upsert, which records its own conflicts
            if profile_id is not None:
                current = self._store.get_profile(self._b.account.id, profile_id)
                if current is None:
                    decisions.append(f"dropped: no profile {profile_id}")
                    return None
                how = "its id"
                decisions.append(f"matched {current.id} by its id")
            elif not keep_identifiers:
                # one write for what Track would do too; _apply below only adds what it cannot
                # (cleared fields, meta patches, secondary emails), and writes only if it does
                given = {k: v for k, v in changes.attributes.items() if v is not None}
                data = ProfileData({}, given, changes.properties)
                current, created, _ = ingest.upsert(
                    self._b.account.id, identifiers, data, decisions, CURRENT_ORDER
                )
                plain = changes.patch == PropertyPatch() and not (
                    changes.add_emails or changes.remove_emails
                )
                if created and plain:
                    return current
                resolved, how = True, ""
            else:
                owners = {
                    k: ingest.owner_of(self._b.account.id, k, v) for k, v in identifiers.items()
                }
                # a call of the same race window may have just taken one of them
                owners |= {
                    k: o
                    for k, o in ingest.taken(self._b.account.id, identifiers).items()
                    if owners[k] is None
                }
                matched = next((k for k, o in owners.items() if o is not None), None)
                if matched is None:
                    return self._create(identifiers, changes, decisions)
                current = self._store.get_profile(self._b.account.id, owners[matched] or "")
                if current is None:
                    raise NotFound(f"A profile with id {owners[matched]} does not exist.")
                how = _describe(matched, identifiers[matched])
                decisions.append(f"matched {current.id} by {how}")
            kept = dict(current.identifiers)
            for kind, value in identifiers.items():
                holder = self._store.owner_of(self._b.account.id, kind, value)
                if holder is not None and holder != current.id:
                    if not resolved:
                        ingest.conflict(
                            self._b.account.id, current.id, how, kind, value, holder, decisions
                        )
                elif kind in kept and kept[kind] != value and keep_identifiers:
                    decisions.append(
                        f"kept {_describe(kind, kept[kind])} on {current.id}: a client call"
                        " does not change identifiers"
                    )
                else:
                    kept[kind] = value
            unchanged = {kind: None for kind in CURRENT_ORDER if kind not in kept}
            background = ProfileChanges(
                identifiers={**unchanged, **kept},
                attributes=changes.attributes,
                properties=changes.properties,
                patch=changes.patch,
                add_emails=changes.add_emails,
                remove_emails=changes.remove_emails,
            )
            return self._apply(current, background, decisions)

    def merge(self, destination: str, source_id: str, decisions: list[str]) -> Profile:
        """``POST /api/profile-merge`` ("accepts only one source profile"): the source merges
        into ``destination`` and is deleted (*chosen* rules, klaviyo-behavior.md §5): the
        destination keeps its values and takes the source's where it has none, identifiers
        included; ``properties`` merge with the destination winning, and so does consent,
        channel by channel, and list membership, list by list; events move; the source's
        identifiers that the destination does not take become its former ones; evidence that
        named the source names the destination."""
        if source_id == destination:
            raise InvalidAttribute("id", "A profile cannot be merged into itself.")
        with self._store.locked():
            target = self._store.get_profile(self._b.account.id, destination)
            if target is None:
                raise NotFound(f"A profile with id {destination} does not exist.")
            source = self._store.get_profile(self._b.account.id, source_id)
            if source is None:
                raise NotFound(f"A profile with id {source_id} does not exist.")
            return self._merge_one(target, source, decisions)

    # -- helpers ----------------------------------------------------------------------------

    def check(self, changes: ProfileChanges) -> None:
        """Refuse, as a background call would, identifiers or secondary emails that cannot
        be valid; change nothing."""
        self._emails([], changes)
        self._identifiers(changes)

    def _identifiers(self, changes: ProfileChanges) -> Identifiers:
        """The identifiers ``changes`` sets, normalised, in the current identity order."""
        identifiers: Identifiers = {}
        for kind in CURRENT_ORDER:
            raw = changes.identifiers.get(kind)
            if raw is not None:
                identifiers[kind] = normalise(kind, raw)
        if not identifiers:
            raise InvalidAttribute("", NO_IDENTIFIER)
        return identifiers

    def _create(
        self,
        identifiers: Identifiers,
        changes: ProfileChanges,
        decisions: list[str],
    ) -> Profile:
        attributes = {k: v for k, v in changes.attributes.items() if v is not None}
        if changes.add_emails:
            attributes[SECONDARY_EMAILS] = self._emails([], changes)
        data = ProfileData({}, attributes, patched(changes.properties, changes.patch))
        return self._b.ingest.create(self._b.account.id, identifiers, data, decisions)

    def _apply(self, current: Profile, changes: ProfileChanges, decisions: list[str]) -> Profile:
        identifiers = dict(current.identifiers)
        for kind in CURRENT_ORDER:
            if kind not in changes.identifiers:
                continue
            raw = changes.identifiers[kind]
            if raw is None:
                identifiers.pop(kind, None)
                continue
            value = normalise(kind, raw)
            holder = self._store.owner_of(self._b.account.id, kind, value)
            if holder is not None and holder != current.id:
                decisions.append(f"refused: {holder} already has {_describe(kind, value)}")
                raise DuplicateProfile(holder, DUPLICATE)
            identifiers[kind] = value
        if not identifiers:
            raise InvalidAttribute("", NO_IDENTIFIER)
        attributes = dict(current.attributes)
        for key, given in changes.attributes.items():
            if given is None:
                attributes.pop(key, None)
            else:
                attributes[key] = given
        if changes.add_emails or changes.remove_emails:
            emails = self._emails(attributes.get(SECONDARY_EMAILS, []), changes)
            if emails:
                attributes[SECONDARY_EMAILS] = emails
            else:
                attributes.pop(SECONDARY_EMAILS, None)
        properties = patched(current.properties | changes.properties, changes.patch)
        decisions.append(f"updated {current.id}")
        return self._b.ingest.rewrite(
            self._b.account.id, current, identifiers, attributes, properties, decisions
        )

    @staticmethod
    def _emails(have: list[str], changes: ProfileChanges) -> list[str]:
        """Secondary emails after ``meta.patch_identifiers``."""
        emails = list(have)
        for raw in changes.add_emails:
            email = normalise(IdentifierKind.EMAIL, raw)
            if email not in emails:
                emails.append(email)
        drop = {normalise(IdentifierKind.EMAIL, raw) for raw in changes.remove_emails}
        return [email for email in emails if email not in drop]

    def _merge_one(self, target: Profile, source: Profile, decisions: list[str]) -> Profile:
        store = self._store
        moved = store.move_events(self._b.account.id, source.id, target.id)
        for membership in store.profile_memberships(self._b.account.id, source.id):
            if store.membership(self._b.account.id, membership.list_id, target.id) is None:
                store.save_membership(
                    self._b.account.id,
                    Membership(membership.list_id, target.id, membership.status, membership.at),
                )
        store.repoint_evidence(self._b.account.id, source.id, target.id)
        self._b.resources.repoint("profile", source.id, target.id)
        store.delete_profile(self._b.account.id, source.id)  # frees its identifiers for the target
        identifiers = dict(target.identifiers)
        former = {kind: list(values) for kind, values in target.former.items()}
        for kind, values in source.former.items():
            former.setdefault(kind, []).extend(values)
        for kind, value in source.identifiers.items():
            if kind in identifiers:
                former.setdefault(kind, []).append(value)
            else:
                identifiers[kind] = value
        now = iso_seconds(self._b.clock())
        merged = target.with_changes(
            identifiers=identifiers,
            attributes=source.attributes | target.attributes,
            properties=source.properties | target.properties,
            consent=source.consent | target.consent,
            former=former,
            updated=now,
        )
        self._b.ingest.save(self._b.account.id, target, merged)
        for kind, value in identifiers.items():
            if target.identifiers.get(kind) != value:
                self._b.ingest.link(self._b.account.id, target.id, kind, value, now, decisions)
        decisions.append(
            f"merged {source.id} into {target.id}: {moved} events moved, {source.id} deleted"
        )
        return merged
