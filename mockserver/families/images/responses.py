"""Image uploads, from a url or data uri (JSON:API) and from a file (multipart/form-data: the
dispatcher leaves that body to the handler). Reading, listing and updating images is generic."""

from __future__ import annotations

from flask import Response
from flask import request

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from ...domain.listing import Item
from .models import IMAGE
from .models import from_bytes
from .models import from_url
from .models import store

FILE = "/data/attributes/file"
#: How a form says true or false (the field is a string there).
BOOLEANS = {"true": True, "1": True, "false": False, "0": False, "": False}


def _answer(call: Call, item: Item) -> Response:
    note(f"stored image {item.id} {item.attributes.get('name')!r}")
    return answer(call, IMAGE, item, 201)


def upload_image_from_url(call: Call) -> Response:
    attributes = call.data["attributes"]
    upload = from_url(attributes["import_from_url"])
    name = attributes.get("name")
    item = store(call.backend, upload, name, bool(attributes.get("hidden")))
    return _answer(call, item)


def _hidden() -> bool:
    given = request.form.get("hidden")
    if given is None:
        return False
    found = BOOLEANS.get(given.strip().lower())
    if found is None:
        raise ApiError(
            400, f"hidden is true or false, not {given!r}.", pointer="/data/attributes/hidden"
        )
    return found


def upload_image_from_file(call: Call) -> Response:
    """The form's ``file`` (required: a jpeg, png or gif of at most 5MB), ``name`` (else the
    file's name) and ``hidden``; everything is checked before the image is made."""
    given = request.files.get("file")
    if given is None:
        raise ApiError(400, "An image upload needs a file (the form field 'file').", pointer=FILE)
    upload = from_bytes(given.read(), given.filename or None, "file")
    hidden = _hidden()
    name = request.form.get("name") or None
    return _answer(call, store(call.backend, upload, name, hidden))


HANDLERS: dict[str, Handler] = {
    "upload_image_from_url": upload_image_from_url,
    "upload_image_from_file": upload_image_from_file,
}
