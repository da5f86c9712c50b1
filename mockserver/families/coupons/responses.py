"""Coupon calls with Klaviyo's rules beyond the generic handlers (ids, defaults and deletes are
in ``models``): coupon and code creates with the ids Klaviyo makes (a code's answers 200, as
the document says), the code bulk job, and a coupon's codes read as the listing of codes is
(``GET /api/coupon-codes`` is generic: it requires a filter, as the spec says; Klaviyo's
further rule that the filter names a coupon or a profile is not enforced, *chosen* so far)."""

from __future__ import annotations

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import invalid
from ...api.generic import answer
from ...api.generic import create_resource
from ...api.generic import limited_job
from ...api.generic import refuse_taken
from ...api.generic import related
from ...api.generic import related_ids
from ...domain.commands import InvalidAttribute
from . import models
from .models import CODE
from .models import CODE_JOB

#: "Max number of coupon codes per job we allow for is 1000."
MAX_CODES_PER_JOB = 1000


def create_coupon(call: Call) -> Response:
    """A coupon whose id is its ``external_id``."""
    try:
        made = models.coupon_id(call.data["attributes"])
    except InvalidAttribute as error:
        raise invalid(error) from None
    refuse_taken(call, models.COUPON, made, "external_id")
    return create_resource(call)


def create_coupon_code(call: Call) -> Response:
    """A code of the coupon the body names (404 when there is none), ``{coupon}-{code}``."""
    data = call.data
    try:
        made = models.code_id(call.related_id("coupon"), data["attributes"])
    except InvalidAttribute as error:
        raise invalid(error) from None
    refuse_taken(call, CODE, made, "unique_code")
    item = models.create_code(call.backend, data)
    note(f"created {CODE} {item.id}")
    status = call.operation.statuses[0] if call.operation.statuses else 200
    return answer(call, CODE, item, status)


def _run_code_job(call: Call) -> Response:
    entries = call.data["attributes"]["coupon-codes"]["data"]
    at = "/data/attributes/coupon-codes/data"
    item = models.bulk_create_codes(call.backend, entries, at)
    note(f"{CODE_JOB} {item.id}: {item.attributes.get('completed_count')} of {len(entries)} made")
    status = call.operation.statuses[0] if call.operation.statuses else 202
    return answer(call, CODE_JOB, item, status)


HANDLERS: dict[str, Handler] = {
    "create_coupon": create_coupon,
    "create_coupon_code": create_coupon_code,
    "bulk_create_coupon_codes": limited_job("coupon-codes", MAX_CODES_PER_JOB, _run_code_job),
    "get_coupon_codes_for_coupon": related(CODE, "coupon.id"),
    "get_coupon_code_ids_for_coupon": related_ids(CODE, "coupon.id"),
}
