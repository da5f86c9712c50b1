"""Mapped metric changes and custom metric writes: ``models`` checks what they name, and a
refusal points at the member of the body at fault. Reads (the listings answer everything: the
document does not page them), deletes and the relationship reads are generic
(``SeededSource`` for mapped metrics)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from ...api.generic import document
from ...api.jsonapi import respond
from ...domain.jobs import relationships_of
from ...domain.listing import Item
from . import models
from .models import CUSTOM
from .models import MAPPED


def _pointed(write: Callable[[], Item]) -> Item:
    """Run a write, its refusals answered with the member of the body at fault."""
    try:
        return write()
    except models.UnknownMetric as error:
        raise ApiError(404, str(error), pointer=error.pointer) from None
    except models.BothTargets as error:
        raise ApiError(400, str(error), pointer=error.pointer) from None


def _attributes(call: Call) -> Mapping[str, Any]:
    attributes = call.data.get("attributes")
    return attributes if isinstance(attributes, Mapping) else {}


def update_mapped_metric(call: Call) -> Response:
    call.same_id()
    given = relationships_of(call.data)
    item = _pointed(lambda: models.remap(call.backend, call.id, given))
    mapped = {name: value for name, value in given.items() if value is not None}
    note(f"mapped {call.id} to {mapped or 'nothing'}")
    return respond(document(call, MAPPED, [item], many=False))


def create_custom_metric(call: Call) -> Response:
    attributes = _attributes(call)
    item = _pointed(lambda: models.create_custom(call.backend, attributes))
    note(f"created custom metric {item.id} {attributes.get('name')!r}")
    return answer(call, CUSTOM, item, 201)


def update_custom_metric(call: Call) -> Response:
    call.same_id()
    attributes = _attributes(call)
    item = _pointed(lambda: models.update_custom(call.backend, call.id, attributes))
    note(f"updated custom metric {item.id}")
    return respond(document(call, CUSTOM, [item], many=False))


HANDLERS: dict[str, Handler] = {
    "update_mapped_metric": update_mapped_metric,
    "create_custom_metric": create_custom_metric,
    "update_custom_metric": update_custom_metric,
}
