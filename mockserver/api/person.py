"""``/api/v1/person/{id}`` GET and PUT (legacy-api.md §6): a profile as the v1 API showed it."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify

from ..domain.commands import IdentifierTaken
from ..domain.commands import Refused
from ..domain.models import Profile
from .context import note
from .errors import ApiError
from .params import PersonUpdateSchema
from .private import load_params
from .private import private_call

bp = Blueprint("person", __name__)

person_update_schema = PersonUpdateSchema()

#: The special fields a v1 person always carries, ``""`` when unset (NK and PHP fixtures).
_ALWAYS = (
    "$email", "$id", "$first_name", "$last_name", "$phone_number", "$organization", "$title",
    "$address1", "$address2", "$city", "$region", "$zip", "$country", "$timezone",
    "$latitude", "$longitude",
)  # fmt: skip
#: ...and the unprefixed mirrors it carried beside them.
_MIRRORS = ("email", "first_name", "last_name")


def v1_time(iso: str) -> str:
    """``2020-08-14 22:51:43``: the v1 API's times, in UTC without a zone."""
    return iso[:19].replace("T", " ")


def person_json(profile: Profile) -> dict[str, Any]:
    fields: dict[str, Any] = dict.fromkeys(_ALWAYS, "")
    for kind, value in profile.identifiers.items():
        fields[kind.legacy] = value
    for name, value in profile.attributes.items():
        fields[f"${name}"] = value
    for name in _MIRRORS:
        fields[name] = fields[f"${name}"]
    person = {**profile.properties, **fields}  # a custom property never hides a special one
    person.update(
        object="person",
        id=profile.id,
        created=v1_time(profile.created),
        updated=v1_time(profile.updated),
    )
    return person


@bp.get("/api/v1/person/<profile_id>", strict_slashes=False)
def get_person(profile_id: str) -> Response:
    backend, _ = private_call()
    profile = backend.person(profile_id)
    note(f"read {profile_id}", profiles=[profile_id])
    return jsonify(person_json(profile))


@bp.put("/api/v1/person/<profile_id>", strict_slashes=False)
def update_person(profile_id: str) -> Response:
    """Properties come in the query string (every client sends them there), ``$unset`` as a
    JSON list of names."""
    backend, call = private_call()
    params = dict(call.params)
    unset = params.pop("$unset", None)
    data = load_params(person_update_schema, {"properties": params})
    try:
        names = json.loads(unset) if isinstance(unset, str) else unset or []
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError(400, '$unset must be a JSON list of property names, e.g. ["Plan"].')
    try:
        profile, decisions = backend.update_person(profile_id, data, names)
    except IdentifierTaken as error:
        note(f"refused: {error}", profiles=[profile_id, error.holder])
        raise ApiError(400, str(error)) from None
    except Refused as error:
        note(f"refused: {error}", profiles=[profile_id])
        raise ApiError(400, str(error)) from None
    note(*decisions, f"updated {profile_id}", profiles=[profile_id])
    return jsonify(person_json(profile))
