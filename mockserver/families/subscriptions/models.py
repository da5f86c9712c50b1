"""Consent calls (current-api.md §6 and §7): the rules are the domain's
(``domain.subscriptions``, ``domain.consent``); this family has nothing to add to the generic
resources."""

from __future__ import annotations

from ...domain.service import Klaviyo


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: subscriptions are calls on profiles and lists, not a type."""
