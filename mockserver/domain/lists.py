"""Lists and their members (the legacy v2 lists API), on the same profiles as everything else.

Adding people to a list goes through identity resolution, as Track and Identify do. ``/members``
adds without consent; ``/subscribe`` obeys the list's opt-in: a double opt-in list records a
pending member (who confirms by email, which the mock does not send) and a single opt-in list
adds at once. Removing through ``/subscribe`` unsubscribes: the person stays as an exclusion.
``/subscribe`` and its removal also record the profile's email consent (``domain.consent``).

Today's API (``/api/lists``) works on the same lists and memberships: ``query`` and ``members``
page them, ``add_profiles`` and ``remove_profiles`` change membership by profile id without
touching consent.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from .commands import NotFound
from .commands import ProfileData
from .consent import SUBSCRIBED
from .consent import UNSUBSCRIBED
from .filters import Filter
from .filters import equal_values
from .filters import matches
from .models import IdentifierKind
from .models import ListRecord
from .models import Membership
from .models import MemberStatus
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .paging import cut
from .ports import iso_seconds
from .profile_query import canonical

if TYPE_CHECKING:
    from .backend import Backend

ACTIVE = frozenset({MemberStatus.MEMBER, MemberStatus.SUBSCRIBED})
_MEMBER_KINDS = {
    "email": IdentifierKind.EMAIL,
    "phone_number": IdentifierKind.PHONE_NUMBER,
    "_kx": IdentifierKind.EXCHANGE_ID,
}


class Lists:
    """An account's lists (``Backend.lists``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend
        self._store = backend.store

    def _now(self) -> str:
        return iso_seconds(self._b.clock())

    def get(self, list_id: str) -> ListRecord:
        record = self._store.get_list(self._b.account.id, list_id)
        if record is None:
            raise NotFound(f"List {list_id} does not exist.")
        return record

    def all(self) -> list[ListRecord]:
        return self._store.lists(self._b.account.id)

    def create(self, name: str, double_opt_in: bool = False) -> ListRecord:
        with self._store.locked():
            list_id = self._b.ids.short()
            while self._store.get_list(self._b.account.id, list_id) is not None:
                list_id = self._b.ids.short()
            now = self._now()
            record = ListRecord(list_id, name, now, now, double_opt_in)
            self._store.save_list(self._b.account.id, record)
            return record

    def update(self, list_id: str, name: str | None, double_opt_in: bool | None) -> ListRecord:
        with self._store.locked():
            record = self.get(list_id)
            changed = ListRecord(
                record.id,
                record.name if name is None else name,
                record.created,
                self._now(),
                record.double_opt_in if double_opt_in is None else double_opt_in,
            )
            self._store.save_list(self._b.account.id, changed)
            return changed

    def delete(self, list_id: str) -> None:
        with self._store.locked():
            if not self._store.delete_list(self._b.account.id, list_id):
                raise NotFound(f"List {list_id} does not exist.")
            self._b.resources.forget("list", list_id)

    def add(
        self, list_id: str, people: Iterable[ProfileData], subscribe: bool
    ) -> tuple[list[Profile], list[str]]:
        """Resolve each person to a profile (identity rules) and add them. Returns the profiles
        now on the list (a double opt-in subscription adds nobody yet) and the decisions."""
        decisions: list[str] = []
        added: list[Profile] = []
        with self._store.locked():
            record = self.get(list_id)
            for data in people:
                profile = self._b.resolve_person(data, decisions)
                if profile is None:
                    continue
                current = self._store.membership(self._b.account.id, list_id, profile.id)
                was = current.status if current is not None else None
                if subscribe and record.double_opt_in:
                    # on the list already: stays so; otherwise waits for the confirmation
                    status = was if was in ACTIVE and was else MemberStatus.PENDING
                elif subscribe or was is MemberStatus.SUBSCRIBED:
                    status = MemberStatus.SUBSCRIBED
                else:
                    status = MemberStatus.MEMBER
                self._store.save_membership(
                    self._b.account.id, Membership(list_id, profile.id, status, self._now())
                )
                decisions.append(f"{profile.id} is {status.value} on list {list_id}")
                if subscribe and status is MemberStatus.SUBSCRIBED:
                    self._b.subscriptions.record(
                        profile.id, SUBSCRIBED, "v2 list subscribe", decisions
                    )
                if status in ACTIVE and all(p.id != profile.id for p in added):
                    added.append(profile)
        return added, decisions

    def enroll(self, list_id: str, profile_id: str, status: MemberStatus) -> None:
        """Put a known profile on a list as it is (given state)."""
        with self._store.locked():
            self.get(list_id)
            self._store.save_membership(
                self._b.account.id, Membership(list_id, profile_id, status, self._now())
            )

    def find(
        self,
        list_id: str,
        emails: Iterable[str],
        phone_numbers: Iterable[str],
        statuses: frozenset[MemberStatus] = ACTIVE,
    ) -> list[Profile]:
        """The people among these emails and phone numbers who are on the list."""
        with self._store.locked():
            self.get(list_id)
            found: dict[str, Profile] = {}
            for profile in self._people(emails, phone_numbers):
                membership = self._store.membership(self._b.account.id, list_id, profile.id)
                if membership is not None and membership.status in statuses:
                    found[profile.id] = profile
            return list(found.values())

    def remove(
        self,
        list_id: str,
        emails: Iterable[str],
        phone_numbers: Iterable[str],
        unsubscribe: bool,
    ) -> list[str]:
        decisions: list[str] = []
        with self._store.locked():
            self.get(list_id)
            for profile in self._people(emails, phone_numbers):
                if self._store.membership(self._b.account.id, list_id, profile.id) is None:
                    continue
                if unsubscribe:
                    self._store.save_membership(
                        self._b.account.id,
                        Membership(list_id, profile.id, MemberStatus.UNSUBSCRIBED, self._now()),
                    )
                    decisions.append(f"{profile.id} unsubscribed from list {list_id}")
                    self._b.subscriptions.record(
                        profile.id, UNSUBSCRIBED, "v2 list unsubscribe", decisions
                    )
                else:
                    self._store.remove_membership(self._b.account.id, list_id, profile.id)
                    decisions.append(f"{profile.id} removed from list {list_id}")
        return decisions

    def page(
        self,
        list_id: str,
        marker: int,
        size: int,
        statuses: frozenset[MemberStatus] = ACTIVE,
    ) -> tuple[list[tuple[Profile, Membership]], int | None]:
        """Members in the order they joined, after ``marker`` (a cursor: members who come or
        go between two pages move no one else across a page boundary); the next marker."""
        with self._store.locked():
            self.get(list_id)
            chosen = [
                (seq, m)
                for seq, m in self._store.memberships(self._b.account.id, list_id)
                if seq > marker and m.status in statuses
            ]
            batch = chosen[:size]
            rows = []
            for _, membership in batch:
                profile = self._store.get_profile(self._b.account.id, membership.profile_id)
                if profile is not None:
                    rows.append((profile, membership))
            return rows, (batch[-1][0] if len(chosen) > size else None)

    # -- today's API ------------------------------------------------------------------------

    def query(
        self,
        expression: Filter | None,
        sort: str,
        after: list[Any] | None,
        size: int,
    ) -> tuple[list[ListRecord], list[Any] | None]:
        """``GET /api/lists``: a page of lists after the cursor key ``after``; the next key."""
        field = sort.lstrip("-")
        with self._store.locked():
            records = self._store.lists(self._b.account.id)
        rows = [
            ([getattr(r, field), r.id], r)
            for r in records
            if expression is None or matches(expression, partial(_attribute, r))
        ]
        return cut(rows, sort.startswith("-"), after, size)

    def count(self, list_id: str) -> int:
        """How many profiles are on the list (``additional-fields[list]=profile_count``)."""
        with self._store.locked():
            self.get(list_id)
            return len(self._store.active_members(self._b.account.id, list_id))

    def members(
        self,
        list_id: str,
        expression: Filter | None,
        descending: bool,
        after: list[Any] | None,
        size: int,
    ) -> tuple[list[tuple[Profile, Membership]], list[Any] | None]:
        """``GET /api/lists/{id}/profiles``: the profiles on the list in the order they joined
        (``joined_group_at``, then id), filtered; a page after ``after`` and the next key. A
        filter on an identifier starts from the identity index, not from the whole list."""
        expression = canonical(expression) if expression is not None else None
        with self._store.locked():
            self.get(list_id)
            rows = []
            for membership in self._candidates(list_id, expression):
                profile: list[Profile | None] = []

                def get(name: str, m: Membership = membership, cache: list[Any] = profile) -> Any:
                    if name == "joined_group_at":
                        return m.at
                    if name == "push_token":
                        return self._push_tokens(m.profile_id)
                    kind = _MEMBER_KINDS.get(name)
                    if kind is None:
                        return None
                    if not cache:
                        cache.append(self._store.get_profile(self._b.account.id, m.profile_id))
                    return cache[0].identifiers.get(kind) if cache[0] else None

                if expression is None or matches(expression, get):
                    rows.append(([membership.at, membership.profile_id], membership))
            chosen, next_key = cut(rows, descending, after, size)
            found = []
            for membership in chosen:
                person = self._store.get_profile(self._b.account.id, membership.profile_id)
                if person is not None:
                    found.append((person, membership))
            return found, next_key

    def _push_tokens(self, profile_id: str) -> list[str]:
        """The push tokens registered to a profile (a list-valued field: a filter matches any)."""
        records = self._b.records
        found = (
            records.get("push-token", t)
            for t in records.linked("profile", profile_id, "push-tokens")
        )
        return [str(r["attributes"].get("token")) for r in found if r is not None]

    def _candidates(self, list_id: str, expression: Filter | None) -> list[Membership]:
        store = self._store
        if expression is not None:
            for name, kind in _MEMBER_KINDS.items():
                values = equal_values(expression, name)
                if values is not None:
                    owners = (store.owner_of(self._b.account.id, kind, str(v)) for v in values)
                    found = (store.membership(self._b.account.id, list_id, o) for o in owners if o)
                    return [m for m in found if m is not None and m.status in ACTIVE]
        return store.active_members(self._b.account.id, list_id)

    def add_profiles(self, list_id: str, profile_ids: Sequence[str], decisions: list[str]) -> None:
        """Put profiles on a list without consent (``POST …/relationships/profiles``). All of
        them or none: an unknown profile refuses the call. A member stays as it is; a pending
        or unsubscribed profile becomes a member (its consent does not change)."""
        with self._store.locked():
            self.get(list_id)
            self._known(profile_ids)
            for profile_id in dict.fromkeys(profile_ids):
                current = self._store.membership(self._b.account.id, list_id, profile_id)
                if current is not None and current.status in ACTIVE:
                    decisions.append(f"{profile_id} is on list {list_id} already")
                    continue
                self._store.save_membership(
                    self._b.account.id,
                    Membership(list_id, profile_id, MemberStatus.MEMBER, self._now()),
                )
                decisions.append(f"{profile_id} added to list {list_id}")

    def remove_profiles(
        self, list_id: str, profile_ids: Sequence[str], decisions: list[str]
    ) -> None:
        """Take profiles off a list (``DELETE …/relationships/profiles``): all or none, consent
        unchanged. An unsubscribed profile is not on the list: its exclusion stays."""
        with self._store.locked():
            self.get(list_id)
            self._known(profile_ids)
            for profile_id in dict.fromkeys(profile_ids):
                current = self._store.membership(self._b.account.id, list_id, profile_id)
                if current is None or current.status is MemberStatus.UNSUBSCRIBED:
                    continue
                self._store.remove_membership(self._b.account.id, list_id, profile_id)
                decisions.append(f"{profile_id} removed from list {list_id}")

    def _known(self, profile_ids: Sequence[str]) -> None:
        missing = [p for p in profile_ids if not self._store.has_profile(self._b.account.id, p)]
        if len(missing) == 1:
            raise NotFound(f"A profile with id {missing[0]} does not exist.")
        if missing:
            raise NotFound(f"Profiles with ids {', '.join(missing)} do not exist.")

    def _people(self, emails: Iterable[str], phone_numbers: Iterable[str]) -> list[Profile]:
        found = []
        for kind, values in (
            (IdentifierKind.EMAIL, emails),
            (IdentifierKind.PHONE_NUMBER, phone_numbers),
        ):
            for raw in values:
                try:
                    value = normalize(kind, raw)
                except InvalidIdentifier:
                    continue
                profile_id = self._store.owner_of(self._b.account.id, kind, value)
                profile = (
                    self._store.get_profile(self._b.account.id, profile_id) if profile_id else None
                )
                if profile is not None:
                    found.append(profile)
        return found


def _attribute(record: ListRecord, name: str) -> Any:
    return getattr(record, name, None)
