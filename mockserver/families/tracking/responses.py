"""A tracking setting's change (``PATCH /api/tracking-settings/{id}``): ``models`` merges it
into the account's setting. Reads are generic (``SeededSource``)."""

from __future__ import annotations

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.generic import document
from ...api.jsonapi import respond
from . import models


def update_tracking_setting(call: Call) -> Response:
    call.same_id()
    given = call.data.get("attributes") or {}
    item = models.update(call.backend, call.id, given)
    note(f"updated tracking setting {item.id}: {', '.join(given) or 'nothing'}")
    return respond(document(call, models.SETTING, [item], many=False))


HANDLERS: dict[str, Handler] = {"update_tracking_setting": update_tracking_setting}
