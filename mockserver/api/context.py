"""Request-scoped helpers the views share: the app's backend and the journal notes."""

from __future__ import annotations

from flask import current_app
from flask import g

from ..domain.service import Klaviyo

EXTENSION = "klaviyo_mock"


def backend() -> Klaviyo:
    """The app's backend (flaskr's ``get_db()``, app-scoped)."""
    klaviyo: Klaviyo = current_app.extensions[EXTENSION]
    return klaviyo


def note(*decisions: str, account: str | None = None) -> None:
    """Add what the mock decided to this request's journal entry."""
    g.setdefault("decisions", []).extend(decisions)
    if account is not None:
        g.account = account
