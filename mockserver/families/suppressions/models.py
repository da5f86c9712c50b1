"""Suppressions by hand (``/api/profile-suppression-bulk-create-jobs`` and ``…-delete-jobs``):
suppress or unsuppress profiles by email, or every current member of a list or a segment. A
suppressed profile cannot receive email marketing whatever its consent says; it shows in its
``subscriptions.email.marketing.suppression`` as ``USER_SUPPRESSED`` (``domain.consent``).

Unsuppressing lifts only ``USER_SUPPRESSED``: an unsubscribe stays (the operation's
description). An email nobody holds is made a profile when it is suppressed (*chosen*: the
suppression must be there when the person appears), and skipped when it is unsuppressed. A
profile already in the state asked for is skipped (``skipped_count``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.commands import NotFound
from ...domain.commands import ProfileChanges
from ...domain.consent import with_suppression
from ...domain.listing import Item
from ...domain.models import IdentifierKind
from ...domain.ports import iso_seconds
from ...domain.profiles import normalise
from ...domain.service import Klaviyo

CREATE_JOB = "profile-suppression-bulk-create-job"
DELETE_JOB = "profile-suppression-bulk-delete-job"
#: Klaviyo's limit on emails per request (the operations' descriptions).
MAX_EMAILS = 100


class BadEmail(ValueError):
    """Email ``index`` of the call is no email address."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def suppress(
    backend: Backend,
    emails: Sequence[str],
    list_id: str | None,
    segment_id: str | None,
    on: bool,
    decisions: list[str],
) -> Item:
    """Suppress (``on``) or unsuppress the people named, whole: every email is checked and the
    list or segment found before anything changes. The job."""
    store = backend.store
    with store.locked():
        checked = []
        for index, raw in enumerate(emails):
            try:
                checked.append(normalise(IdentifierKind.EMAIL, raw))
            except InvalidAttribute as error:
                raise BadEmail(index, str(error)) from None
        members: list[str] = []
        if list_id is not None:
            backend.lists.get(list_id)
            members.extend(m.profile_id for m in store.active_members(backend.account.id, list_id))
        if segment_id is not None:
            if not backend.resources.exists("segment", segment_id):
                raise NotFound(f"A segment with id {segment_id} does not exist.")
            linked = backend.resources.source("segment").linked(segment_id, "profiles")
            members.extend(linked if isinstance(linked, tuple) else ())
        targets: list[str] = []
        nobody = 0  # emails no profile has, when unsuppressing: each one skipped
        for email in dict.fromkeys(checked):
            holder = store.owner_of(backend.account.id, IdentifierKind.EMAIL, email)
            if holder is None and on:
                changes = ProfileChanges(identifiers={IdentifierKind.EMAIL: email})
                holder = backend.people.absorb(None, changes, decisions).id
            if holder is None:
                decisions.append(f"skipped {email}: no profile has it")
                nobody += 1
            else:
                targets.append(holder)
        targets.extend(members)
        done, skipped = 0, nobody
        now = iso_seconds(backend.clock())
        for profile_id in dict.fromkeys(targets):
            profile = store.get_profile(backend.account.id, profile_id)
            changed = (
                None if profile is None else with_suppression(profile, now if on else None, now)
            )
            if changed is None:
                skipped += 1
                continue
            store.save_profile(backend.account.id, changed)
            done += 1
            decisions.append(
                f"{profile_id} {'suppressed' if on else 'unsuppressed'} (USER_SUPPRESSED)"
            )
        total = len(dict.fromkeys(targets)) + nobody
        return backend.jobs.record(
            CREATE_JOB if on else DELETE_JOB,
            total,
            (),
            {"lists": [list_id] if list_id else [], "segments": [segment_id] if segment_id else []},
            attributes={"completed_count": done, "skipped_count": skipped},
        )


def install(klaviyo: Klaviyo) -> None:
    """Nothing to register: the jobs are generic resources, the suppressions profiles'."""
