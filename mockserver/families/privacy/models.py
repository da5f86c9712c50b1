"""Data privacy: a deletion job removes a person as the legacy deletion request does (the
profile with its events, list memberships, consent, the evidence that names it, and what
today's API keeps for the person alone: ``Backend.delete_person``)."""

from __future__ import annotations

from ...domain.service import Klaviyo


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: a deletion is a call on profiles."""
