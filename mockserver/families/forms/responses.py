"""Making a form (``POST /api/forms``): its definition's versions become form-versions
(``models.Forms``). Beyond the schema: a form has a name, and at least one version (a new form
has a first version); a version's id is "Not allowed on create". Reads, the delete (with the
family's rule) and the version listings are generic; the versions' ids are filtered on their
fields (``form_type``, ``status``…) as the versions themselves are.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.jsonapi import respond
from ...api.render import item_path
from .models import Forms

ATTRIBUTES = "/data/attributes"


def _checked(attributes: Any) -> tuple[str, list[Any]]:
    """The form's name and versions, or a 400 naming what is wrong."""
    name = attributes["name"]
    if not name.strip():
        raise ApiError(400, "A form needs a name.", pointer=f"{ATTRIBUTES}/name")
    versions = attributes["definition"]["versions"]
    at = f"{ATTRIBUTES}/definition/versions"
    if not versions:
        raise ApiError(400, "A form needs at least one version.", pointer=at)
    for index, version in enumerate(versions):
        if version.get("id") is not None:
            raise ApiError(
                400, "A version's id is not allowed on create.", pointer=f"{at}/{index}/id"
            )
    return name, versions


def create_form(call: Call) -> Response:
    attributes = call.data["attributes"]
    name, versions = _checked(attributes)
    form_id = Forms(call.backend).create(
        name, bool(attributes["ab_test"]), attributes["definition"]
    )
    note(f"created form {form_id} with {len(versions)} versions")
    items = call.backend.resources.source("form").items([form_id])
    answer = document(call, "form", items, many=False, path=item_path("form", form_id))
    return respond(answer, 201)


HANDLERS: dict[str, Handler] = {
    "create_form": create_form,
}
