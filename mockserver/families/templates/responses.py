"""Template actions: clone and render (the generic handlers read, update and delete templates
and universal content, through ``TemplateSource`` and the rules in ``models``), and the limit
of templates made through the API on create and clone."""

from __future__ import annotations

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from ...api.generic import create_resource
from ...domain.listing import Item
from .models import MAX_TEMPLATES
from .models import TEMPLATE
from .models import copy
from .models import room
from .rendering import render


def _room(call: Call) -> None:
    """ "If there are 1,000 or more templates in an account, creation will fail"."""
    if not room(call.backend):
        raise ApiError(
            400,
            f"An account has at most {MAX_TEMPLATES} templates created through the API.",
            pointer="/data",
        )


def _template(call: Call) -> Item:
    """The template ``data.id`` names (404 pointing at it otherwise)."""
    template_id = str(call.data["id"])
    found = call.backend.resources.source(TEMPLATE).items([template_id])
    if not found:
        raise ApiError(404, f"A template with id {template_id} does not exist.", pointer="/data/id")
    return found[0]


def create_template(call: Call) -> Response:
    _room(call)
    return create_resource(call)


def clone_template(call: Call) -> Response:
    original = _template(call)
    _room(call)
    name = (call.data.get("attributes") or {}).get("name")
    if name is not None and not name.strip():
        raise ApiError(400, "A template needs a name.", pointer="/data/attributes/name")
    item = copy(call.backend, original.id, name)
    note(f"cloned template {original.id} as {item.id}")
    return answer(call, TEMPLATE, item, 201)


def render_template(call: Call) -> Response:
    """The template with its html, text and AMP filled with ``context`` (nothing changes)."""
    template = _template(call)
    context = call.data["attributes"]["context"]
    item = Item(template.id, render(template.attributes, context))
    note(f"rendered template {template.id} with {len(context)} context values")
    return answer(call, TEMPLATE, item, 201)


HANDLERS: dict[str, Handler] = {
    "create_template": create_template,
    "clone_template": clone_template,
    "render_template": render_template,
}
