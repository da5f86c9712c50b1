"""Consent: what a person agreed to receive, by channel (current-api.md §3 and §7).

Consent belongs to the profile, not to a list: ``POST /api/profile-subscription-bulk-create-jobs``,
``/client/subscriptions`` and the legacy ``/subscribe`` record it, the bulk delete job and the
legacy unsubscribe revoke it, and ``additional-fields[profile]=subscriptions`` shows it. Lists
only say who is on them (``Membership``); adding to or removing from a list leaves consent as it
is (SPEC, remove_profiles_from_list).

*Chosen* rules:

- The latest call wins: subscribing after an unsubscribe subscribes again, and the reverse.
- A profile with no consent recorded at all (state from before consent was recorded, or
  list members given by a scenario) shows as its email consent what its memberships say:
  ``SUBSCRIBED`` while subscribed to a list, ``UNSUBSCRIBED`` once unsubscribed from one,
  ``NEVER_SUBSCRIBED`` otherwise.
- ``can_receive_email_marketing`` is implicit consent as the spec defines it: the profile has
  an email and no global suppression (an unsubscribe is one, and so is a suppression by hand,
  ``USER_SUPPRESSED``, which the suppression jobs set and lift). SMS needs ``SUBSCRIBED`` and a
  phone number.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace

from .models import IdentifierKind
from .models import JSONDict
from .models import Membership
from .models import MemberStatus
from .models import Profile

SUBSCRIBED = "SUBSCRIBED"
UNSUBSCRIBED = "UNSUBSCRIBED"
NEVER_SUBSCRIBED = "NEVER_SUBSCRIBED"
#: What the mock writes as a consent's ``method`` (*chosen*: every call here is an API call).
METHOD = "API"


class Channel(enum.Enum):
    """The channels whose consent the mock records; the value is the stored key."""

    EMAIL_MARKETING = "email_marketing"
    SMS_MARKETING = "sms_marketing"
    SMS_TRANSACTIONAL = "sms_transactional"

    __hash__ = object.__hash__

    @property
    def path(self) -> str:
        """Where the channel sits in a ``subscriptions`` object (``email/marketing``)."""
        return self.value.replace("_", "/", 1)

    @property
    def identifier(self) -> IdentifierKind:
        """The identifier a message on this channel goes to."""
        if self is Channel.EMAIL_MARKETING:
            return IdentifierKind.EMAIL
        return IdentifierKind.PHONE_NUMBER


@dataclass(frozen=True)
class ConsentRecord:
    """One channel's consent as a call recorded it."""

    consent: str
    at: str
    method_detail: str
    custom_method_detail: str | None = None
    double_optin: bool = False

    def to_document(self) -> JSONDict:
        return {
            "consent": self.consent,
            "at": self.at,
            "method_detail": self.method_detail,
            "custom_method_detail": self.custom_method_detail,
            "double_optin": self.double_optin,
        }

    @classmethod
    def from_document(cls, doc: JSONDict) -> ConsentRecord:
        return cls(
            doc["consent"],
            doc["at"],
            doc.get("method_detail", ""),
            doc.get("custom_method_detail"),
            doc.get("double_optin", False),
        )


def recorded(profile: Profile, channel: Channel) -> ConsentRecord | None:
    doc = profile.consent.get(channel.value)
    return ConsentRecord.from_document(doc) if isinstance(doc, dict) else None


def with_consent(
    profile: Profile, records: dict[Channel, ConsentRecord], now: str
) -> Profile | None:
    """``profile`` with ``records`` in place, or None when that changes nothing. A channel
    that already has the same consent keeps its first timestamp (a second subscribe is not a
    new consent)."""
    consent = dict(profile.consent)
    for channel, record in records.items():
        have = recorded(profile, channel)
        if have is not None and have.consent == record.consent:
            continue
        consent[channel.value] = record.to_document()
    if consent == profile.consent:
        return None
    return profile.with_changes(consent=consent, updated=now)


@dataclass(frozen=True)
class ChannelView:
    """A channel's consent as ``additional-fields[profile]=subscriptions`` shows it."""

    consent: str
    can_receive: bool
    at: str | None = None
    method: str | None = None
    method_detail: str | None = None
    custom_method_detail: str | None = None
    double_optin: bool = False
    #: Global suppressions, as (reason, timestamp).
    suppressions: tuple[tuple[str, str], ...] = ()
    #: List suppressions, as (list id, reason, timestamp).
    list_suppressions: tuple[tuple[str, str, str], ...] = ()


#: Where a profile's consent keeps a manual suppression (``USER_SUPPRESSED``: the suppression
#: jobs of today's API), beside the channels' records.
SUPPRESSION = "suppression"
USER_SUPPRESSED = "USER_SUPPRESSED"


def suppressed(profile: Profile) -> str | None:
    """When the profile was suppressed by hand (``USER_SUPPRESSED``), or None."""
    found = profile.consent.get(SUPPRESSION)
    return found.get("timestamp") if isinstance(found, dict) else None


def with_suppression(profile: Profile, at: str | None, now: str) -> Profile | None:
    """``profile`` suppressed since ``at`` (None: not suppressed any more), or None when that
    changes nothing. A suppression stops email marketing whatever the consent says."""
    if (suppressed(profile) is not None) == (at is not None):
        return None
    consent = dict(profile.consent)
    if at is None:
        del consent[SUPPRESSION]
    else:
        consent[SUPPRESSION] = {"reason": USER_SUPPRESSED, "timestamp": at}
    return profile.with_changes(consent=consent, updated=now)


def view(profile: Profile, memberships: Iterable[Membership]) -> dict[Channel, ChannelView]:
    """What ``profile`` consented to, channel by channel (rules in the module docstring)."""
    memberships = list(memberships)
    unsubscribed = [m for m in memberships if m.status is MemberStatus.UNSUBSCRIBED]
    pending = any(m.status is MemberStatus.PENDING for m in memberships)
    by_hand = suppressed(profile)
    none_recorded = not any(channel.value in profile.consent for channel in Channel)
    found: dict[Channel, ChannelView] = {}
    for channel in Channel:
        record = recorded(profile, channel)
        if record is None and channel is Channel.EMAIL_MARKETING and none_recorded:
            record = _from_memberships(memberships)
        reachable = channel.identifier in profile.identifiers
        if record is None:
            found[channel] = ChannelView(
                NEVER_SUBSCRIBED,
                reachable and channel is Channel.EMAIL_MARKETING,
                double_optin=pending and channel is Channel.EMAIL_MARKETING,
            )
            continue
        if channel is Channel.EMAIL_MARKETING:
            can_receive = reachable and record.consent != UNSUBSCRIBED
        else:
            can_receive = reachable and record.consent == SUBSCRIBED
        found[channel] = ChannelView(
            consent=record.consent,
            can_receive=can_receive,
            at=record.at,
            method=METHOD,
            method_detail=record.method_detail,
            custom_method_detail=record.custom_method_detail,
            double_optin=record.double_optin or (pending and channel is Channel.EMAIL_MARKETING),
            suppressions=(
                (("UNSUBSCRIBE", record.at),)
                if record.consent == UNSUBSCRIBED and channel is Channel.EMAIL_MARKETING
                else ()
            ),
        )
    email = found[Channel.EMAIL_MARKETING]
    found[Channel.EMAIL_MARKETING] = replace(
        email,
        can_receive=email.can_receive and by_hand is None,
        suppressions=(
            (*email.suppressions, (USER_SUPPRESSED, by_hand))
            if by_hand is not None
            else email.suppressions
        ),
        list_suppressions=tuple((m.list_id, USER_SUPPRESSED, m.at) for m in unsubscribed),
    )
    return found


def _from_memberships(memberships: list[Membership]) -> ConsentRecord | None:
    """Email consent as the lists say it, for a profile with none recorded."""
    for status, consent in (
        (MemberStatus.SUBSCRIBED, SUBSCRIBED),
        (MemberStatus.UNSUBSCRIBED, UNSUBSCRIBED),
    ):
        for membership in memberships:
            if membership.status is status:
                return ConsentRecord(consent, membership.at, "list membership")
    return None
