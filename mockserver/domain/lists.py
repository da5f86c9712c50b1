"""Lists and their members (the legacy v2 lists API), on the same profiles as everything else.

Adding people to a list goes through identity resolution, as Track and Identify do. ``/members``
adds without consent; ``/subscribe`` obeys the list's opt-in: a double opt-in list records a
pending member (who confirms by email, which the mock does not send) and a single opt-in list
adds at once. Removing through ``/subscribe`` unsubscribes: the person stays as an exclusion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .accounts import Account
from .commands import NotFound
from .commands import ProfileData
from .models import IdentifierKind
from .models import ListRecord
from .models import Membership
from .models import MemberStatus
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import iso_seconds

if TYPE_CHECKING:
    from .service import Klaviyo

ACTIVE = frozenset({MemberStatus.MEMBER, MemberStatus.SUBSCRIBED})


class Lists:
    """The lists part of the backend; ``Klaviyo.lists`` is one."""

    def __init__(self, klaviyo: Klaviyo) -> None:
        self._klaviyo = klaviyo
        self._store = klaviyo.store

    def _now(self) -> str:
        return iso_seconds(self._klaviyo.clock())

    def get(self, account: Account, list_id: str) -> ListRecord:
        record = self._store.get_list(account.id, list_id)
        if record is None:
            raise NotFound(f"List {list_id} does not exist.")
        return record

    def all(self, account: Account) -> list[ListRecord]:
        return self._store.lists(account.id)

    def create(self, account: Account, name: str, double_opt_in: bool = False) -> ListRecord:
        with self._store.locked():
            list_id = self._klaviyo.ids.short()
            while self._store.get_list(account.id, list_id) is not None:
                list_id = self._klaviyo.ids.short()
            now = self._now()
            record = ListRecord(list_id, name, now, now, double_opt_in)
            self._store.save_list(account.id, record)
            return record

    def update(
        self, account: Account, list_id: str, name: str | None, double_opt_in: bool | None
    ) -> ListRecord:
        with self._store.locked():
            record = self.get(account, list_id)
            changed = ListRecord(
                record.id,
                record.name if name is None else name,
                record.created,
                self._now(),
                record.double_opt_in if double_opt_in is None else double_opt_in,
            )
            self._store.save_list(account.id, changed)
            return changed

    def delete(self, account: Account, list_id: str) -> None:
        if not self._store.delete_list(account.id, list_id):
            raise NotFound(f"List {list_id} does not exist.")

    def add(
        self, account: Account, list_id: str, people: Iterable[ProfileData], subscribe: bool
    ) -> tuple[list[Profile], list[str]]:
        """Resolve each person to a profile (identity rules) and add them. Returns the profiles
        now on the list (a double opt-in subscription adds nobody yet) and the decisions."""
        decisions: list[str] = []
        added: list[Profile] = []
        with self._store.locked():
            record = self.get(account, list_id)
            for data in people:
                profile = self._klaviyo.resolve_person(account, data, decisions)
                if profile is None:
                    continue
                current = self._store.membership(account.id, list_id, profile.id)
                was = current.status if current is not None else None
                if subscribe and record.double_opt_in:
                    # on the list already: stays so; otherwise waits for the confirmation
                    status = was if was in ACTIVE and was else MemberStatus.PENDING
                elif subscribe or was is MemberStatus.SUBSCRIBED:
                    status = MemberStatus.SUBSCRIBED
                else:
                    status = MemberStatus.MEMBER
                self._store.save_membership(
                    account.id, Membership(list_id, profile.id, status, self._now())
                )
                decisions.append(f"{profile.id} is {status.value} on list {list_id}")
                if status in ACTIVE and all(p.id != profile.id for p in added):
                    added.append(profile)
        return added, decisions

    def enroll(self, account: Account, list_id: str, profile_id: str, status: MemberStatus) -> None:
        """Put a known profile on a list as it is (given state)."""
        with self._store.locked():
            self.get(account, list_id)
            self._store.save_membership(
                account.id, Membership(list_id, profile_id, status, self._now())
            )

    def find(
        self,
        account: Account,
        list_id: str,
        emails: Iterable[str],
        phone_numbers: Iterable[str],
        statuses: frozenset[MemberStatus] = ACTIVE,
    ) -> list[Profile]:
        """The people among these emails and phone numbers who are on the list."""
        with self._store.locked():
            self.get(account, list_id)
            found: dict[str, Profile] = {}
            for profile in self._people(account, emails, phone_numbers):
                membership = self._store.membership(account.id, list_id, profile.id)
                if membership is not None and membership.status in statuses:
                    found[profile.id] = profile
            return list(found.values())

    def remove(
        self,
        account: Account,
        list_id: str,
        emails: Iterable[str],
        phone_numbers: Iterable[str],
        unsubscribe: bool,
    ) -> list[str]:
        decisions: list[str] = []
        with self._store.locked():
            self.get(account, list_id)
            for profile in self._people(account, emails, phone_numbers):
                if self._store.membership(account.id, list_id, profile.id) is None:
                    continue
                if unsubscribe:
                    self._store.save_membership(
                        account.id,
                        Membership(list_id, profile.id, MemberStatus.UNSUBSCRIBED, self._now()),
                    )
                    decisions.append(f"{profile.id} unsubscribed from list {list_id}")
                else:
                    self._store.remove_membership(account.id, list_id, profile.id)
                    decisions.append(f"{profile.id} removed from list {list_id}")
        return decisions

    def page(
        self,
        account: Account,
        list_id: str,
        marker: int,
        size: int,
        statuses: frozenset[MemberStatus] = ACTIVE,
    ) -> tuple[list[tuple[Profile, Membership]], int | None]:
        """Members in the order they joined, after ``marker`` (a cursor: members who come or
        go between two pages move no one else across a page boundary); the next marker."""
        with self._store.locked():
            self.get(account, list_id)
            chosen = [
                (seq, m)
                for seq, m in self._store.memberships(account.id, list_id)
                if seq > marker and m.status in statuses
            ]
            batch = chosen[:size]
            rows = []
            for _, membership in batch:
                profile = self._store.get_profile(account.id, membership.profile_id)
                if profile is not None:
                    rows.append((profile, membership))
            return rows, (batch[-1][0] if len(chosen) > size else None)

    def _people(
        self, account: Account, emails: Iterable[str], phone_numbers: Iterable[str]
    ) -> list[Profile]:
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
                profile_id = self._store.owner_of(account.id, kind, value)
                profile = self._store.get_profile(account.id, profile_id) if profile_id else None
                if profile is not None:
                    found.append(profile)
        return found
