"""``GET /client/geofences``: the generic listing, or nearest first when the
``X-Klaviyo-API-Filters`` header gives a point (the document filters by header "because lat
and long are sensitive information"). The allow list is read by the generic handler
(``SeededSource``)."""

from __future__ import annotations

from flask import Response
from flask import request

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.jsonapi import respond
from ...domain.filters import FilterError
from ...domain.listing import ListQuery
from . import models
from .models import GEOFENCE

HEADER = "X-Klaviyo-API-Filters"


def get_client_geofences(call: Call) -> Response:
    try:
        origin = models.point(request.headers.get(HEADER))
    except FilterError as error:
        raise ApiError(400, str(error), parameter=HEADER) from None
    query = call.params.listing or ListQuery()
    if origin is None:
        page = call.backend.resources.source(GEOFENCE).page(query)
    else:
        page = models.nearest(call.backend, origin, query)
    note(f"listed {len(page.items)} geofences" + (f" nearest {origin}" if origin else ""))
    return respond(document(call, GEOFENCE, page.items, many=True, next_key=page.next_key))


HANDLERS: dict[str, Handler] = {"get_client_geofences": get_client_geofences}
