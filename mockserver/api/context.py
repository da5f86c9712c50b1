"""Request-scoped helpers the views share: the app's backend and the journal notes."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask import g

from ..domain.service import Klaviyo

EXTENSION = "klaviyo_mock"


def backend() -> Klaviyo:
    """The app's backend (flaskr's ``get_db()``, app-scoped)."""
    klaviyo: Klaviyo = current_app.extensions[EXTENSION]
    return klaviyo


def note(
    *decisions: str,
    account: str | None = None,
    profiles: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> None:
    """Add what the mock decided, and whom it concerned, to this request's journal entry."""
    g.setdefault("decisions", []).extend(decisions)
    g.setdefault("profiles", []).extend(profiles)
    g.setdefault("identifiers", []).extend(identifiers)
    if account is not None:
        g.account = account
