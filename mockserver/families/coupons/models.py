"""Coupons and their codes, kept as generic resources with Klaviyo's rules.

- A coupon's id is its ``external_id`` (the document's example: ``10OFF``), so a second coupon
  with one external id is a 409.
- A code belongs to the coupon its create body names; its id is ``{coupon id}-{unique_code}``
  (the document: "a combination of its unique code and the id of the coupon it is associated
  with", example ``10OFF-ASD325FHK324UJDOI2M3JNES99``), so one coupon cannot have one
  ``unique_code`` twice (409). A new code is ``UNASSIGNED`` and expires a year on when the body
  says nothing ("If not specified or set to null, it will be automatically set to 1 year").
- A code assigned to a profile cannot be deleted ("If a profile has been assigned to the
  coupon code, an exception will be raised"); deleting a coupon deletes its codes, and is
  refused likewise while one of them is assigned (*chosen*: the document says nothing of a
  coupon's codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.jobs import expires
from ...domain.jobs import relationships_of
from ...domain.listing import Item
from ...domain.ports import iso_seconds
from ...domain.resources import Attributes
from ...domain.resources import Conflict
from ...domain.resources import Rules
from ...domain.resources import unchanged
from ...domain.service import Klaviyo

COUPON, CODE, CODE_JOB = "coupon", "coupon-code", "coupon-code-bulk-create-job"
#: "automatically set to 1 year" (*chosen*: 365 days).
CODE_LIFE_DAYS = 365
#: A new code's status (the document's example; nothing assigns it yet).
UNASSIGNED = "UNASSIGNED"


def coupon_id(attributes: Mapping[str, Any]) -> str:
    """A coupon's id: its ``external_id``, which must not be blank (*chosen*)."""
    external_id = attributes.get("external_id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise InvalidAttribute("external_id", "external_id must not be blank.")
    return external_id


def code_id(coupon: str, attributes: Mapping[str, Any]) -> str:
    """A code's id, from its coupon's id and its ``unique_code`` (not blank, *chosen*)."""
    unique_code = attributes.get("unique_code")
    if not isinstance(unique_code, str) or not unique_code.strip():
        raise InvalidAttribute("unique_code", "unique_code must not be blank.")
    return f"{coupon}-{unique_code}"


def _coupon_created(backend: Backend, record_id: str, attributes: Attributes) -> Attributes:
    """A coupon shows every attribute: null where the body gives none (*chosen*)."""
    return {"description": None, "monitor_configuration": None, **attributes}


def _coupon_updated(
    backend: Backend, record_id: str, current: Mapping[str, Any], merged: Attributes
) -> Attributes:
    """A coupon's ``external_id`` is its id: it cannot change."""
    return unchanged(("external_id",), current, merged)


def _a_year_on(backend: Backend) -> str:
    return expires(iso_seconds(backend.clock()), CODE_LIFE_DAYS)


def _holder(backend: Backend, record_id: str) -> str | None:
    """The profile a code was given to, if it still exists (*chosen*: the profile link says
    so, not the ``status``, which a call may set to anything)."""
    linked = backend.records.linked(CODE, record_id, "profile")
    return next((i for i in linked if backend.resources.exists("profile", i)), None)


class CodeRules:
    """The rules of a coupon code and of its coupon's delete (``Rules`` hooks)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def created(self, record_id: str, attributes: Attributes) -> Attributes:
        """A new code is unassigned, and expires a year on unless its body says when."""
        if attributes.get("expires_at") is None:
            attributes["expires_at"] = _a_year_on(self._b)
        return {**attributes, "status": UNASSIGNED}

    def updated(self, record_id: str, current: Mapping[str, Any], merged: Attributes) -> Attributes:
        """``expires_at`` set to null is a year on again (as at creation); a null ``status``
        leaves it as it was (*chosen*: a code always has one); ``unique_code`` cannot change
        (it makes the id)."""
        merged = unchanged(("unique_code",), current, merged)
        if merged.get("expires_at") is None:
            merged["expires_at"] = _a_year_on(self._b)
        if merged.get("status") is None:
            merged["status"] = current["attributes"].get("status") or UNASSIGNED
        return merged

    def code_deleted(self, record_id: str) -> None:
        """A code given to a profile stays (409, *chosen* status for the documented refusal)."""
        holder = _holder(self._b, record_id)
        if holder is not None:
            raise Conflict(
                f"Coupon code {record_id} is assigned to profile {holder}: it cannot be deleted."
            )

    def coupon_deleted(self, record_id: str) -> None:
        """A coupon's codes go with it, unless one was given to a profile (then nothing goes)."""
        resources = self._b.resources
        records = resources.records()
        codes = [
            c for c in records.linked(COUPON, record_id, "coupon-codes") if records.has(CODE, c)
        ]
        for code in codes:
            holder = _holder(self._b, code)
            if holder is not None:
                raise Conflict(
                    f"Coupon {record_id} has code {code} assigned to profile {holder}: it"
                    " cannot be deleted."
                )
        for code in codes:
            resources.delete(CODE, code)


def create_code(backend: Backend, entry: Mapping[str, Any]) -> Item:
    """Make the code a create body (or a job's entry) describes, with the id Klaviyo gives it."""
    attributes = dict(entry.get("attributes") or {})
    coupon = relationships_of(entry).get("coupon")
    if not isinstance(coupon, str):
        raise InvalidAttribute("relationships/coupon", "A coupon code needs its coupon.")
    return backend.resources.create(
        CODE, attributes, {"coupon": coupon}, record_id=code_id(coupon, attributes)
    )


def bulk_create_codes(
    backend: Backend, entries: Sequence[Mapping[str, Any]], entries_at: str
) -> Item:
    """A coupon-code bulk create job (``Jobs.bulk``), each entry a code's create body."""
    return backend.jobs.bulk(
        CODE_JOB,
        entries,
        entries_at,
        lambda backend, _, entry: create_code(backend, entry).id,
    )


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.rules[COUPON] = Rules(
        make_id=lambda backend, attributes: coupon_id(attributes),
        on_create=_coupon_created,
        on_update=_coupon_updated,
        on_delete=lambda backend, record_id: CodeRules(backend).coupon_deleted(record_id),
    )
    klaviyo.registry.rules[CODE] = Rules(
        on_create=lambda backend, *args: CodeRules(backend).created(*args),
        on_update=lambda backend, *args: CodeRules(backend).updated(*args),
        on_delete=lambda backend, record_id: CodeRules(backend).code_deleted(record_id),
    )
