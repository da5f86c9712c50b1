"""Conversations: a profile's messaging threads (``/api/profiles/{id}/conversation(s)``) and the
messages sent into them (``POST /api/conversation-messages``).

Klaviyo opens a conversation when a person texts in or is texted; the mock sends nothing, so a
profile's SMS conversation exists once the profile has a phone number (*chosen*), made the
first time it is read. A message sent to a conversation is kept with it (its ``extra``:
``messages``, in the order sent) and journaled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.models import IdentifierKind
from ...domain.ports import iso_seconds
from ...domain.service import Klaviyo

CONVERSATION = "conversation"


def conversations_of(backend: Backend, profile_id: str) -> tuple[str, ...]:
    """The profile's conversations, opening its SMS one if it has a phone number and none."""
    resources = backend.resources
    with backend.store.locked():
        records = backend.records
        have = records.linked("profile", profile_id, "conversations")
        if have:
            return have
        profile = backend.store.get_profile(backend.account.id, profile_id)
        if profile is None or IdentifierKind.PHONE_NUMBER not in profile.identifiers:
            return ()
        item = resources.create(CONVERSATION, {"channel": "sms"})
        resources.link("profile", profile_id, "conversations", [item.id], "add")
        return (item.id,)


def send(backend: Backend, conversation: str, message: Mapping[str, Any]) -> str:
    """Keep a message sent to a conversation; the profile it went to."""
    with backend.store.locked():
        records = backend.records
        record = records.get(CONVERSATION, conversation)
        if record is None:
            raise NotFound(f"A conversation with id {conversation} does not exist.")
        sent = [*record.get("extra", {}).get("messages", [])]
        sent.append({**message, "sent_at": iso_seconds(backend.clock())})
        backend.resources.set_extra(CONVERSATION, conversation, {"messages": sent})
        linked = records.linked(CONVERSATION, conversation, "profile")
        return linked[0] if linked else ""


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: conversations are generic resources, opened by the profile family's
    source (``profiles.models.ProfileSource.linked``)."""
