"""Bulk calls about people: events in bulk (``POST /api/event-bulk-create-jobs`` and
``POST /client/event-bulk-create``, 202 with no body) and the profile bulk import job.

Events in bulk: each event is recorded as ``POST /api/events`` records it (the entry's profile
found or created by the identity engine, the metric on first use, ``unique_id`` deduplicating
with the other event paths). A body the schema or Klaviyo's limits refuse is a 400 and nothing
is recorded; an entry whose profile the identity engine refuses (an invalid email) is skipped
whole and journaled, and the other entries are recorded (*chosen*: Klaviyo answers 202 before
it processes the entries, so a refused one cannot change the answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from ...api.jsonapi import respond
from ...domain.commands import InvalidAttribute
from ...domain.events import EventCommand
from ..events.responses import event_command
from .models import JOB
from .models import MAX_PROFILES
from .models import Entry
from .models import import_profiles

#: Klaviyo's limit on events in one bulk call (the operations' descriptions).
MAX_EVENTS = 1000


def _entry_commands(entry: Mapping[str, Any], at: str) -> list[EventCommand]:
    """The events of one bulk entry, each with the entry's profile (one profile per event)."""
    attributes = entry["attributes"]
    person = attributes["profile"]["data"]
    backfill = attributes.get("backfill")
    commands = []
    for index, event in enumerate(attributes["events"]["data"]):
        whole = {
            **event,
            "attributes": {
                **event["attributes"],
                "profile": {"data": person},
                **({"backfill": backfill} if backfill is not None else {}),
            },
        }
        commands.append(event_command(whole, f"{at}/attributes/events/data/{index}"))
    return commands


def _record(call: Call, entries: list[tuple[str, list[EventCommand]]], keep: bool) -> Response:
    total = sum(len(commands) for _, commands in entries)
    if total > MAX_EVENTS:
        raise ApiError(400, f"At most {MAX_EVENTS} events per request.", pointer="/data")
    decisions: list[str] = []
    profiles: list[str] = []
    events = call.backend.events
    for at, commands in entries:
        try:  # each entry whole: checked before any of its events is recorded
            for command in commands:
                events.check(command)
        except InvalidAttribute as error:
            decisions.append(f"{at}: skipped, {error}")
            continue
        for command in commands:
            done = events.record(command, decisions, keep_identifiers=keep)
            if done.profile is not None:
                profiles.append(done.profile.id)
    note(*decisions, profiles=list(dict.fromkeys(profiles)))
    return respond(None, 202)


def bulk_create_events(call: Call) -> Response:
    at = "/data/attributes/events-bulk-create/data"
    entries = call.data["attributes"]["events-bulk-create"]["data"]
    return _record(
        call,
        [(f"{at}/{i}", _entry_commands(entry, f"{at}/{i}")) for i, entry in enumerate(entries)],
        keep=False,
    )


def bulk_create_client_events(call: Call) -> Response:
    """As the server's bulk call for one profile, which keeps its identifiers (a client
    call never changes them)."""
    return _record(call, [("/data", _entry_commands(call.data, "/data"))], keep=True)


def bulk_import_profiles(call: Call) -> Response:
    data = call.data
    given = data["attributes"]["profiles"]["data"]
    if not 1 <= len(given) <= MAX_PROFILES:
        raise ApiError(
            400,
            f"Give from 1 to {MAX_PROFILES} profiles.",
            pointer="/data/attributes/profiles/data",
        )
    entries = []
    for index, profile in enumerate(given):
        pointer = f"/data/attributes/profiles/data/{index}"
        attributes = profile.get("attributes") or {}
        entries.append(
            Entry(
                profile_id(profile),
                profile_changes(
                    attributes, profile.get("meta"), f"{pointer}/attributes", f"{pointer}/meta"
                ),
                pointer,
                profile,
            )
        )
    lists = (data.get("relationships") or {}).get("lists") or {}
    list_ids = [str(reference["id"]) for reference in lists.get("data") or []]
    decisions: list[str] = []
    job = import_profiles(call.backend, entries, list_ids, decisions)
    note(*decisions, f"{JOB} {job.id}: {job.attributes.get('completed_count')} of {len(entries)}")
    return answer(call, JOB, job, 202)


HANDLERS: dict[str, Handler] = {
    "bulk_create_events": bulk_create_events,
    "bulk_create_client_events": bulk_create_client_events,
    "bulk_import_profiles": bulk_import_profiles,
}
