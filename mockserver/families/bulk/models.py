"""Bulk writes about people: the profile bulk import job (``/api/profile-bulk-import-jobs``).

Every profile goes through the identity engine as ``POST /api/profile-import`` does it: found
by id or by its identifiers, or created; identifiers that select two profiles refuse that
entry, recorded as evidence. An entry refused is an import error naming its index and why (an
``import-error`` resource linked from the job); the rest still apply, each entry whole. The
profiles imported join the job's lists (without consent, as ``add_profiles_to_list`` does).
The job is done when it is answered (no queue yet) and reads back ``complete``.

(Events in bulk are the events family's recording, once per event: see ``responses``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import DuplicateProfile
from ...domain.commands import InvalidAttribute
from ...domain.commands import ProfileChanges
from ...domain.jobs import Failure
from ...domain.listing import Item
from ...domain.service import Klaviyo

JOB = "profile-bulk-import-job"
#: Klaviyo's limit (the operation's description).
MAX_PROFILES = 10_000


@dataclass(frozen=True)
class Entry:
    """One profile of an import: its ``data.id`` (or None), what it says, where it sits in
    the body, and the body's own text of it (an import error shows it back)."""

    profile_id: str | None
    changes: ProfileChanges
    pointer: str
    payload: Mapping[str, Any]


def import_profiles(
    backend: Backend,
    entries: Sequence[Entry],
    list_ids: Sequence[str],
    decisions: list[str],
) -> Item:
    """Run a profile bulk import (module docstring); the job. An unknown list refuses the
    whole job (404) before anything changes."""
    with backend.store.locked():
        for list_id in list_ids:
            backend.lists.get(list_id)
        imported: list[str] = []
        failures: list[Failure] = []
        errors: list[str] = []
        for index, entry in enumerate(entries):
            said: list[str] = []
            try:
                profile, created = backend.people.upsert(entry.profile_id, entry.changes, said)
            except (DuplicateProfile, InvalidAttribute) as error:
                failure = _failure(index, entry, error)
                failures.append(failure)
                errors.append(_import_error(backend, failure, entry))
                decisions.append(f"entry {index} refused: {error}")
                continue
            decisions.extend(said)
            imported.append(profile.id)
            decisions.append(f"entry {index}: {'created' if created else 'updated'} {profile.id}")
        for list_id in list_ids:
            backend.lists.add_profiles(list_id, list(dict.fromkeys(imported)), decisions)
        return backend.jobs.record(
            JOB,
            len(entries),
            failures,
            {"profiles": imported, "lists": list(list_ids), "import-errors": errors},
        )


def _failure(index: int, entry: Entry, error: Exception) -> Failure:
    if isinstance(error, DuplicateProfile):
        return Failure(index, str(error), f"{entry.pointer}/attributes", code="duplicate_profile")
    assert isinstance(error, InvalidAttribute)
    where = f"{entry.pointer}/attributes" + (f"/{error.name}" if error.name else "")
    return Failure(index, str(error), where)


def _import_error(backend: Backend, failure: Failure, entry: Entry) -> str:
    """An ``import-error`` resource for a refused entry; its id."""
    shown = failure.to_json()
    item = backend.resources.create(
        "import-error",
        {
            "code": shown["code"],
            "title": shown["title"],
            "detail": shown["detail"],
            "source": shown["source"],
            "original_payload": dict(entry.payload),
        },
    )
    return item.id


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: imports and events go through the identity engine."""
