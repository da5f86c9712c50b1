"""A recording: what happened to one account since its origin, written as a scenario file.

``given`` is the state the calls started from (empty after a reset, or the scenario that was
loaded, with its accounts), ``steps`` are the calls made, oldest first, and ``expect`` is the
state they reached, so that a bug seen once becomes a regression test: run the file, and it
passes while the mock behaves as it did; edit it, and it fails saying why.

- Track and Identify become ``track`` / ``identify`` steps (their answer, ``1`` or ``0``, is the
  step's ``expect``); every other call a ``request`` step sent as it came (its key, revision
  and content type included) that expects the status it got.
- Each call that landed on a profile names it (``as: P1``…); a later call that landed on a
  profile already named says so with the same name, which the replay checks. A profile's id in
  a later call's path, query or body is written as its name (``${P1}``), so that the replay
  sends the id its own run gave. Ids of other things the calls made (a list, a campaign) are
  written as recorded: a replay that names one gets a 404 (the file says where).
- ``expect`` holds the number of profiles and of events, each profile (found by one
  identifier: its identifiers exactly, its attributes and properties at least) and the
  duplicate groups.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import yaml

from ..api.errors import PUBLIC_PATHS
from ..domain.journal import Entry
from ..domain.models import Profile
from ..domain.service import Klaviyo
from .format import to_wire

#: The order in which a profile's identifier is chosen to find it by.
_FIND_ORDER = ("email", "external_id", "phone_number", "exchange_id", "anonymous_id")
_TRACK_KEYS = ("event", "customer_properties", "properties", "time")


class RecordError(ValueError):
    """The journal cannot be written as a scenario; the message says why."""


def record(klaviyo: Klaviyo, account: str) -> str:
    """The scenario file (YAML text) of ``account``'s calls since its origin."""
    origin = klaviyo.origin(account)
    if not origin.known:
        raise RecordError(
            "the state the calls started from is not known (it was read from a state file):"
            " reset, or load a scenario, then make the calls to record"
        )
    oldest = klaviyo.journal.oldest()
    if oldest is not None and oldest > origin.position:
        raise RecordError(
            f"the journal no longer holds the first {oldest - origin.position} call(s) since the"
            f" recording's start (it keeps the last {klaviyo.journal.capacity:,}): record shorter"
            " sessions, or raise JOURNAL_SIZE"
        )
    entries = [
        e
        for e in reversed(klaviyo.journal.entries())
        if e.id >= origin.position and e.account in (account, None)
    ]
    declared = klaviyo.accounts.declared
    keys = declared[0].private_keys if declared else ()
    recording = _Recording(dict(origin.names), bool(declared), keys[0] if keys else None)
    steps = [recording.step(entry) for entry in entries]
    document: dict[str, Any] = {"description": _description(entries)}
    wire = to_wire(origin.scenario.data) if origin.scenario is not None else {}
    if "accounts" in wire:
        document["accounts"] = wire["accounts"]
    elif declared:
        document["accounts"] = [
            {"public_key": a.public_key, "private_keys": list(a.private_keys)}
            for a in declared
            if a.private_keys
        ]
    if wire.get("given"):
        document["given"] = wire["given"]
    if steps:
        document["steps"] = steps
    document["expect"] = _expect(klaviyo, account, recording)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _description(entries: list[Entry]) -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not entries:
        return f"Recorded by klaviyo-mock on {made}: no calls."
    return (
        f"Recorded by klaviyo-mock on {made}: journal #{entries[0].id} to #{entries[-1].id}"
        f" ({len(entries)} call(s)), replayed on the state they started from."
    )


class _Recording:
    """The names a recording gives the profiles its calls landed on."""

    def __init__(self, names: dict[str, str], declared: bool, key: str | None = None) -> None:
        #: id -> name: the given state's names first, then the ones the steps give.
        self.names = {profile_id: name for name, profile_id in names.items()}
        #: Accounts are declared: a Track or Identify step says whose key it sent.
        self._declared = declared
        #: The private key a replay sends as ``${private_key}`` (never written in the file).
        self._key = key
        self._taken = set(names)
        self._next = 1

    def _keyless(self, value: str) -> str:
        written = self.named(value)
        return written.replace(self._key, "${private_key}") if self._key else written

    def name_of(self, profile_id: str) -> str:
        found = self.names.get(profile_id)
        if found is None:
            while f"P{self._next}" in self._taken:
                self._next += 1
            found = f"P{self._next}"
            self._taken.add(found)
            self.names[profile_id] = found
        return found

    def named(self, text: str) -> str:
        """``text`` as a scenario writes it: a literal ``${`` as ``$${``, the ids of named
        profiles as their names."""
        text = text.replace("${", "$${")
        for profile_id, name in self.names.items():
            if profile_id in text:
                text = text.replace(profile_id, "${" + name + "}")
        return text

    def step(self, entry: Entry) -> dict[str, Any]:
        sent = entry.sent
        if sent is None:
            raise RecordError(
                f"journal #{entry.id} ({entry.method} {entry.path}) was too large for the journal"
                " to keep whole, so it cannot be sent again"
            )
        query, body, payload = sent
        step = self._track_or_identify(entry, payload, body) or self._request(entry, query, body)
        if entry.profiles and (
            "request" in step or entry.response.strip() == "1"
        ):  # the profile the call landed on
            step["as"] = self.name_of(entry.profiles[0])
        return step

    def _track_or_identify(
        self, entry: Entry, payload: dict[str, Any] | None, body: str
    ) -> dict[str, Any] | None:
        if payload is None or entry.path not in PUBLIC_PATHS:
            return None
        step: dict[str, Any]
        if entry.path == "/api/identify":
            properties = payload.get("properties")
            if not isinstance(properties, dict):
                return None
            step = {"identify": json.loads(self.named(json.dumps(properties)))}
        else:
            if not isinstance(payload.get("event"), str) or set(payload) - {*_TRACK_KEYS, "token"}:
                return None
            track = {k: payload[k] for k in _TRACK_KEYS if k in payload}
            step = {"track": json.loads(self.named(json.dumps(track)))}
        token = payload.get("token")
        if self._declared and isinstance(token, str) and token and entry.account is not None:
            step["account"] = token
        if entry.method == "POST":  # a form field with raw JSON, or a raw JSON body
            step["encoding"] = "form" if body.lstrip().startswith("data=") else "json"
        answer = entry.response.strip()
        if answer in ("0", "1"):
            step["expect"] = int(answer)
        return step

    def _request(self, entry: Entry, query: str, body: str) -> dict[str, Any]:
        request: dict[str, Any] = {"method": entry.method, "path": self.named(entry.path)}
        if query:
            parameters = parse_qs(query, keep_blank_values=True)
            request["query"] = {
                k: self.named(v[0]) if len(v) == 1 else [self.named(x) for x in v]
                for k, v in parameters.items()
            }
        if entry.headers:
            request["headers"] = {k: self._keyless(v) for k, v in entry.headers.items()}
        if body:
            request["body"] = self.named(body)
        return {"request": request, "expect": {"status": entry.status}}


def _expect(klaviyo: Klaviyo, account: str, recording: _Recording) -> dict[str, Any]:
    profiles = klaviyo.profiles(account)
    with klaviyo.store.locked():
        events = len(klaviyo.store.events(account))
    expect: dict[str, Any] = {"profile_count": len(profiles), "event_count": events}
    checks = [check for p in profiles if (check := _profile_check(p, recording))]
    if checks:
        expect["profiles"] = checks
    by_id = {p.id: p for p in profiles}
    expect["duplicates"] = [
        [_reference(by_id[i], recording) for i in group.profiles]
        for group in klaviyo.duplicates(account)
    ]
    return expect


def _identifiers(profile: Profile) -> dict[str, str]:
    return {kind.value: value for kind, value in profile.identifiers.items()}


def _profile_check(profile: Profile, recording: _Recording) -> dict[str, Any] | None:
    identifiers = _identifiers(profile)
    key = next((k for k in _FIND_ORDER if k in identifiers), None)
    if key is None:
        return None
    check: dict[str, Any] = {"find": {key: identifiers[key]}}
    if profile.id in recording.names:
        check["is"] = recording.names[profile.id]
    check["identifiers"] = identifiers
    if profile.attributes:
        check["attributes"] = profile.attributes
    if profile.properties:
        check["properties"] = profile.properties
    return check


def _reference(profile: Profile, recording: _Recording) -> Any:
    if profile.id in recording.names:
        return recording.names[profile.id]
    identifiers = _identifiers(profile)
    key = next((k for k in _FIND_ORDER if k in identifiers), None)
    return {key: identifiers[key]} if key else profile.id
