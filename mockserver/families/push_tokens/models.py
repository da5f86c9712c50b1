"""Push tokens (``/api/push-tokens``, ``/client/push-tokens``, ``/client/push-token-unregister``).

A token names the person whose device it is: the profile the call describes is found or
created by the identity engine as a background call does (never a 409), and the token links to
it both ways (``push-token.profile``, ``profile.push-tokens``). Registering a token that is
known already updates it and moves it to the profile the call names (a device changes hands:
*chosen*, the document says "create or update"). Unregistering a token marks it
``UNAUTHORIZED`` (*chosen*: it stays readable, as Klaviyo keeps the device's history); a token
nobody registered is journaled and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import ProfileChanges
from ...domain.ports import iso_seconds
from ...domain.service import Klaviyo

TOKEN = "push-token"
#: What a new token is when the call does not say (*chosen*: a device that registers has
#: allowed notifications).
DEFAULTS = {"enablement_status": "AUTHORIZED", "background": "AVAILABLE"}
UNREGISTERED = "UNAUTHORIZED"


def _known(backend: Backend, token: str) -> str | None:
    found = backend.records.find(TOKEN, "token", token)
    return found[0] if found else None


def register(
    backend: Backend,
    given: Mapping[str, Any],
    profile_id: str | None,
    changes: ProfileChanges,
    decisions: list[str],
    *,
    keep_identifiers: bool = False,
) -> str | None:
    """Create or update a token for the profile the call describes; the profile's id (None
    when the call names a profile id that does not exist: dropped, as every background call
    is)."""
    resources = backend.resources
    with backend.store.locked():
        profile = backend.people.absorb(
            profile_id, changes, decisions, keep_identifiers=keep_identifiers
        )
        if profile is None:
            decisions.append("dropped the push token: no profile to hold it")
            return None
        now = iso_seconds(backend.clock())
        attributes = {
            "token": given["token"],
            "platform": given["platform"],
            "vendor": given["vendor"],
            "enablement_status": given.get("enablement_status") or DEFAULTS["enablement_status"],
            "background": given.get("background") or DEFAULTS["background"],
            "metadata": given.get("device_metadata"),
            "recorded_date": now,
        }
        known = _known(backend, given["token"])
        if known is None:
            item = resources.create(TOKEN, attributes, {"profile": profile.id})
            decisions.append(f"registered push token {item.id} for {profile.id}")
        else:
            resources.update(TOKEN, known, attributes, {"profile": profile.id})
            decisions.append(f"updated push token {known} for {profile.id}")
        return profile.id


def unregister(backend: Backend, token: str, platform: str, decisions: list[str]) -> str | None:
    """Mark a registered token unregistered; its id, or None when nobody registered it."""
    with backend.store.locked():
        known = _known(backend, token)
        record = backend.records.get(TOKEN, known) if known else None
        if known is None or record is None or record["attributes"].get("platform") != platform:
            decisions.append(f"no {platform} push token {token!r} to unregister")
            return None
        backend.resources.update(TOKEN, known, {"enablement_status": UNREGISTERED})
        decisions.append(f"unregistered push token {known}")
        return known


def install(klaviyo: Klaviyo) -> None:
    """Tokens are generic resources; their profile link is kept both ways by the generic
    links (``push-token.profile`` and ``profile.push-tokens``)."""
