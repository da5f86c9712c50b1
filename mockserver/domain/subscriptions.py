"""Subscribe and unsubscribe calls of today's API (current-api.md §6 and §7):
``POST /api/profile-subscription-bulk-create-jobs``, ``…-bulk-delete-jobs`` and
``POST /client/subscriptions``.

Klaviyo answers these with 202 and does the work in a job; the mock does it before answering,
all of it or none: the whole batch is checked first (identifiers, required channels,
``consented_at``, the list), then applied under one lock. Profiles are found or created as a
background call does (``Profiles.absorb``: never a 409); consent goes on the profile
(``domain.consent``) and the list relationship adds them to the list.

*Chosen* rules, where the spec says nothing:

- A double opt-in list makes an email subscription pending (the mock sends no confirmation,
  so the profile waits: not on the list, email consent unchanged); SMS consent is recorded at
  once. ``historical_import`` skips the confirmation, as the spec says.
- An ``id`` that names no profile drops that one profile (as ``absorb`` does for every
  background call); the rest of the batch is applied.
- A channel needs its identifier in the call (email for email, phone for SMS) unless the
  profile is named by ``id``.
- The bulk delete job unsubscribes globally and, with a list, turns the profile's membership
  into an unsubscribed one (a list exclusion, as the legacy unsubscribe does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING

from .commands import InvalidAttribute
from .commands import ProfileChanges
from .consent import SUBSCRIBED
from .consent import UNSUBSCRIBED
from .consent import Channel
from .consent import ChannelView
from .consent import ConsentRecord
from .consent import view
from .consent import with_consent
from .lists import ACTIVE
from .models import IdentifierKind
from .models import ListRecord
from .models import Membership
from .models import MemberStatus
from .models import Profile
from .ports import iso_seconds
from .profiles import normalise

if TYPE_CHECKING:
    from .backend import Backend

IDENTIFIER_REQUIRED = "Either email or phone_number is required."


@dataclass(frozen=True)
class Subscriber:
    """One profile of a subscribe or unsubscribe call: how to find it, what to set on it, and
    the channels (with ``consented_at`` for a historical import)."""

    profile_id: str | None
    changes: ProfileChanges
    channels: dict[Channel, datetime | None]
    #: Channels given that the mock accepts and does not record (whatsapp, push).
    ignored: tuple[str, ...] = field(default=())


class BadSubscriber(ValueError):
    """Subscriber ``index`` cannot be applied; ``name`` is the member at fault (a path under
    the profile's ``attributes``, empty for the attributes as a whole)."""

    def __init__(self, index: int, name: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.name = name


class Subscriptions:
    """An account's consent calls (``Backend.subscriptions``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def subscribe(
        self,
        subscribers: Sequence[Subscriber],
        list_id: str | None,
        decisions: list[str],
        *,
        source: str,
        custom_source: str | None = None,
        historical: bool = False,
        keep_identifiers: bool = False,
    ) -> list[str]:
        """Record consent for each subscriber and put them on the list; the profiles touched."""
        store = self._b.store
        with store.locked():
            now = self._b.clock()
            record = self._list(list_id)
            self._check(subscribers, now, historical)
            touched = []
            for subscriber in subscribers:
                profile = self._b.people.absorb(
                    subscriber.profile_id,
                    subscriber.changes,
                    decisions,
                    keep_identifiers=keep_identifiers,
                )
                if profile is None:
                    continue
                channels = subscriber.channels
                if keep_identifiers:
                    channels = self._given_channels(subscriber, profile, decisions)
                email = Channel.EMAIL_MARKETING in channels
                pending = record is not None and record.double_opt_in and not historical and email
                records = {
                    channel: ConsentRecord(
                        SUBSCRIBED, iso_seconds(at or now), source, custom_source
                    )
                    for channel, at in channels.items()
                    if not (pending and channel is Channel.EMAIL_MARKETING)
                }
                self._record(profile, records, decisions)
                if record is not None:
                    status = MemberStatus.PENDING if pending else MemberStatus.SUBSCRIBED
                    self._join(record, profile.id, status, decisions)
                if subscriber.ignored:
                    decisions.append(
                        f"not recorded for {profile.id}: {', '.join(subscriber.ignored)}"
                        " (the mock records email and SMS consent)"
                    )
                touched.append(profile.id)
            return touched

    def unsubscribe(
        self,
        subscribers: Sequence[Subscriber],
        list_id: str | None,
        decisions: list[str],
        *,
        source: str,
    ) -> list[str]:
        """Revoke consent for each subscriber (created when unknown, as the spec says) and
        exclude them from the list; the profiles touched."""
        store = self._b.store
        with store.locked():
            now = self._b.clock()
            record = self._list(list_id)
            self._check(subscribers, now, historical=False)
            touched = []
            for subscriber in subscribers:
                profile = self._b.people.absorb(None, subscriber.changes, decisions)
                records = {
                    channel: ConsentRecord(UNSUBSCRIBED, iso_seconds(now), source)
                    for channel in subscriber.channels
                }
                self._record(profile, records, decisions)
                if record is not None:
                    membership = store.membership(self._b.account.id, record.id, profile.id)
                    if (
                        membership is not None
                        and membership.status is not MemberStatus.UNSUBSCRIBED
                    ):
                        store.save_membership(
                            self._b.account.id,
                            Membership(
                                record.id, profile.id, MemberStatus.UNSUBSCRIBED, iso_seconds(now)
                            ),
                        )
                        decisions.append(f"{profile.id} unsubscribed from list {record.id}")
                touched.append(profile.id)
            return touched

    def record(self, profile_id: str, consent: str, source: str, decisions: list[str]) -> None:
        """Record email marketing consent for a profile that has an email (the legacy
        ``/subscribe`` and its unsubscribe)."""
        with self._b.store.locked():
            profile = self._b.store.get_profile(self._b.account.id, profile_id)
            if profile is None or IdentifierKind.EMAIL not in profile.identifiers:
                return
            now = iso_seconds(self._b.clock())
            self._record(
                profile,
                {Channel.EMAIL_MARKETING: ConsentRecord(consent, now, source)},
                decisions,
            )

    def view(self, profile: Profile) -> dict[Channel, ChannelView]:
        """``additional-fields[profile]=subscriptions``: the profile's consent, channel by
        channel, read under the store's lock."""
        with self._b.store.locked():
            memberships = self._b.store.profile_memberships(self._b.account.id, profile.id)
        return view(profile, memberships)

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _given_channels(
        subscriber: Subscriber, profile: Profile, decisions: list[str]
    ) -> dict[Channel, datetime | None]:
        """A client call keeps the profile's identifiers, so a channel whose identifier the
        profile holds with another value (an email the visitor did not give) is not subscribed
        (*chosen*): consent belongs to the address that was given."""
        channels = dict(subscriber.channels)
        for channel in subscriber.channels:
            raw = subscriber.changes.identifiers.get(channel.identifier)
            have = profile.identifiers.get(channel.identifier)
            if raw is not None and have is not None and normalise(channel.identifier, raw) != have:
                del channels[channel]
                decisions.append(
                    f"not subscribed: {channel.path} of {profile.id} is {have}, not {raw}"
                )
        return channels

    def _list(self, list_id: str | None) -> ListRecord | None:
        """The list a call names (NotFound when there is none), or None."""
        if list_id is None:
            return None
        return self._b.lists.get(list_id)

    def _check(self, subscribers: Sequence[Subscriber], now: datetime, historical: bool) -> None:
        """Refuse the whole call when any subscriber cannot be applied."""
        for index, subscriber in enumerate(subscribers):
            given = {
                kind
                for kind, raw in subscriber.changes.identifiers.items()
                if raw is not None and raw != ""
            }
            for kind in sorted(given, key=lambda k: k.value):
                try:
                    normalise(kind, subscriber.changes.identifiers[kind] or "")
                except InvalidAttribute as error:
                    raise BadSubscriber(index, kind.value, str(error)) from None
            for raw in (*subscriber.changes.add_emails, *subscriber.changes.remove_emails):
                try:
                    normalise(IdentifierKind.EMAIL, raw)
                except InvalidAttribute as error:
                    raise BadSubscriber(index, "meta/patch_identifiers", str(error)) from None
            reachable = given & {IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER}
            if subscriber.profile_id is None and not reachable:
                raise BadSubscriber(index, "", IDENTIFIER_REQUIRED)
            if not subscriber.channels and not subscriber.ignored:
                raise BadSubscriber(index, "subscriptions", "Give at least one channel.")
            for channel, at in subscriber.channels.items():
                kind = channel.identifier
                if subscriber.profile_id is None and kind not in given:
                    raise BadSubscriber(
                        index, kind.value, f"{kind.value} is required for {channel.path}."
                    )
                where = f"subscriptions/{channel.path}/consented_at"
                if historical and at is None:
                    raise BadSubscriber(
                        index, where, "consented_at is required when historical_import is true."
                    )
                if historical and at is not None and at > now:
                    raise BadSubscriber(index, where, "consented_at must be in the past.")
                if not historical and at is not None:
                    raise BadSubscriber(
                        index, where, "consented_at may only be given with historical_import."
                    )

    def _record(
        self,
        profile: Profile,
        records: dict[Channel, ConsentRecord],
        decisions: list[str],
    ) -> None:
        updated = with_consent(profile, records, iso_seconds(self._b.clock()))
        if updated is None:
            return
        self._b.store.save_profile(self._b.account.id, updated)
        for channel, record in records.items():
            decisions.append(f"{profile.id}: {channel.path} consent {record.consent}")

    def _join(
        self,
        record: ListRecord,
        profile_id: str,
        status: MemberStatus,
        decisions: list[str],
    ) -> None:
        """Put a profile on a list with ``status``. A member stays one (a pending subscription
        does not take anybody off the list) and keeps the time it joined."""
        store = self._b.store
        current = store.membership(self._b.account.id, record.id, profile_id)
        was = current.status if current is not None else None
        if status is MemberStatus.PENDING and was in ACTIVE:
            return
        if current is not None and (was is status or (was in ACTIVE and status in ACTIVE)):
            at = current.at
        else:
            at = iso_seconds(self._b.clock())
        if current is not None and was is status and current.at == at:
            return
        store.save_membership(self._b.account.id, Membership(record.id, profile_id, status, at))
        decisions.append(f"{profile_id} is {status.value} on list {record.id}")
