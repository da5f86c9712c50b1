"""Profiles as today's API reads them (``ProfileSource``): identifiers, attributes,
``location``, ``properties``, ``last_event_date`` and, when asked, the consent each channel
records (``additional-fields[profile]=subscriptions``). The writes (create, update, import,
merge, the background calls) are the identity engine's, in ``domain.profiles`` and
``domain.ingest``; a profile's lists are its memberships (``domain.lists``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

from ...domain import consent
from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.consent import Channel
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.lists import ACTIVE
from ...domain.models import LOCATION
from ...domain.models import PROFILE_ATTRIBUTES
from ...domain.models import IdentifierKind
from ...domain.models import Profile
from ...domain.service import Klaviyo
from ...domain.sources import linkage
from ..conversations.models import conversations_of

SHOWN_IDENTIFIERS = (
    IdentifierKind.EMAIL,
    IdentifierKind.PHONE_NUMBER,
    IdentifierKind.EXTERNAL_ID,
)


def iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _consent(channel: consent.ChannelView) -> dict[str, Any]:
    return {
        "consent": channel.consent,
        "consent_timestamp": channel.at,
        "last_updated": channel.at,
        "method": channel.method,
        "method_detail": channel.method_detail,
    }


def subscriptions(found: dict[Channel, consent.ChannelView]) -> dict[str, Any]:
    """``additional-fields[profile]=subscriptions``: the consent the profile recorded, by
    channel (rules in ``domain.consent``)."""
    email = found[Channel.EMAIL_MARKETING]
    return {
        "email": {
            "marketing": {
                "can_receive_email_marketing": email.can_receive,
                **_consent(email),
                "custom_method_detail": email.custom_method_detail,
                "double_optin": email.double_optin,
                "suppression": [
                    {"reason": reason, "timestamp": at} for reason, at in email.suppressions
                ],
                "list_suppressions": [
                    {"list_id": list_id, "reason": reason, "timestamp": at}
                    for list_id, reason, at in email.list_suppressions
                ],
            }
        },
        "sms": {
            "marketing": {
                "can_receive_sms_marketing": found[Channel.SMS_MARKETING].can_receive,
                **_consent(found[Channel.SMS_MARKETING]),
            },
            "transactional": {
                "can_receive_sms_transactional": found[Channel.SMS_TRANSACTIONAL].can_receive,
                **_consent(found[Channel.SMS_TRANSACTIONAL]),
            },
        },
    }


class ProfileSource:
    """Profiles, read for today's API (``listing.Source``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def attributes(
        self,
        profile: Profile,
        additional: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """A profile's attributes as today's API shows them (current-api.md §3): never
        ``anonymous_id`` or ``_kx``. The caller holds the store's lock."""
        stored = profile.attributes
        attributes: dict[str, Any] = {
            kind.value: profile.identifiers.get(kind) for kind in SHOWN_IDENTIFIERS
        }
        attributes.update({key: stored.get(key) for key in PROFILE_ATTRIBUTES})
        attributes.update(
            created=profile.created,
            updated=profile.updated,
            last_event_date=iso(self._b.store.last_event_time(self._b.account.id, profile.id)),
            location={key: stored[key] for key in LOCATION if key in stored},
            properties=profile.properties,
        )
        if "subscriptions" in additional:
            attributes["subscriptions"] = subscriptions(self._b.subscriptions.view(profile))
        if "predictive_analytics" in additional:
            attributes["predictive_analytics"] = {}
        return attributes

    def item(
        self,
        profile: Profile,
        additional: frozenset[str] = frozenset(),
        **extra: Any,
    ) -> Item:
        with self._b.store.locked():
            attributes = self.attributes(profile, additional)
        attributes.update(extra)
        return Item(profile.id, attributes)

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        store = self._b.store
        with store.locked():
            profiles = [
                p for i in ids if (p := store.get_profile(self._b.account.id, i)) is not None
            ]
            return [Item(p.id, self.attributes(p, additional)) for p in profiles]

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        sort = query.sort or "id"
        found, next_key = self._b.people_query.page(
            query.filter,
            f"-{sort}" if query.descending else sort,
            query.after,
            query.size,
        )
        with self._b.store.locked():
            items = [Item(p.id, self.attributes(p, additional)) for p in found]
        return Page(items, next_key)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        store = self._b.store
        with store.locked():
            if not store.has_profile(self._b.account.id, item_id):
                raise NotFound(f"A profile with id {item_id} does not exist.")
            if relationship == "lists":
                return tuple(
                    m.list_id
                    for m in store.profile_memberships(self._b.account.id, item_id)
                    if m.status in ACTIVE
                    and store.get_list(self._b.account.id, m.list_id) is not None
                )
            if relationship in ("conversation", "conversations"):
                found = conversations_of(self._b, item_id)
                return found if relationship == "conversations" else found[0] if found else None
            resource = self._b.resources.type("profile")
            return linkage(self._b.resources, resource, item_id, relationship)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources["profile"] = ProfileSource
    klaviyo.registry.owned.update({("profile", "lists"), ("list", "profiles")})
