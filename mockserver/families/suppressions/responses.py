"""The suppression jobs: ``POST /api/profile-suppression-bulk-create-jobs`` and
``…-delete-jobs`` (202 with the job). Reading the jobs back is generic."""

from __future__ import annotations

from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from .models import CREATE_JOB
from .models import DELETE_JOB
from .models import MAX_EMAILS
from .models import BadEmail
from .models import suppress

PROFILES = "/data/attributes/profiles/data"


def _related(data: dict[str, Any], name: str) -> str | None:
    link = (data.get("relationships") or {}).get(name) or {}
    reference = link.get("data")
    return None if reference is None else str(reference["id"])


def _job(call: Call, on: bool) -> Response:
    data = call.data
    profiles = (data["attributes"].get("profiles") or {}).get("data") or []
    emails = [entry["attributes"]["email"] for entry in profiles]
    list_id, segment_id = _related(data, "list"), _related(data, "segment")
    if len(emails) > MAX_EMAILS:
        raise ApiError(400, f"At most {MAX_EMAILS} email addresses per request.", pointer=PROFILES)
    if not emails and list_id is None and segment_id is None:
        raise ApiError(
            400, "Give profiles by email, or a list or a segment.", pointer="/data/attributes"
        )
    decisions: list[str] = []
    try:
        job = suppress(call.backend, emails, list_id, segment_id, on, decisions)
    except BadEmail as error:
        raise ApiError(
            400, str(error), pointer=f"{PROFILES}/{error.index}/attributes/email"
        ) from None
    kind = CREATE_JOB if on else DELETE_JOB
    note(*decisions)
    return answer(call, kind, job, 202)


def bulk_suppress_profiles(call: Call) -> Response:
    return _job(call, True)


def bulk_unsuppress_profiles(call: Call) -> Response:
    return _job(call, False)


HANDLERS: dict[str, Handler] = {
    "bulk_suppress_profiles": bulk_suppress_profiles,
    "bulk_unsuppress_profiles": bulk_unsuppress_profiles,
}
