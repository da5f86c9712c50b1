"""The legacy v2 people calls (legacy-api.md §5, §10): search, exchange, deletion request."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import jsonify

from ..domain.commands import NotFound
from .context import note
from .errors import ApiError
from .params import DeletionRequestSchema
from .params import ExchangeSchema
from .private import load_params
from .private import private_call
from .schemas import PeopleSearchSchema

bp = Blueprint("people", __name__)

search_schema = PeopleSearchSchema()
exchange_schema = ExchangeSchema()
deletion_schema = DeletionRequestSchema()

NO_MATCH = "There is no profile matching the given parameters."


@bp.get("/api/v2/people/search", strict_slashes=False)
def search_people() -> Response:
    backend, call = private_call()
    kind, value = load_params(search_schema, call.params)
    try:
        profile_id = backend.search_people(kind, value)
    except NotFound as error:
        note(f"not found: {error}", identifiers=[value])
        raise ApiError(404, NO_MATCH) from None
    note(f"found {profile_id} by {kind.value} {value}", profiles=[profile_id], identifiers=[value])
    return jsonify(id=profile_id)


@bp.post("/api/v2/people/exchange", strict_slashes=False)
def exchange_people() -> Response:
    """``{"exchange_id": "<_kx>"}`` -> ``{"id": person_id}``."""
    backend, call = private_call()
    exchange_id = load_params(exchange_schema, call.params)["exchange_id"]
    try:
        profile_id = backend.exchange(exchange_id)
    except NotFound as error:
        note(f"not found: {error}", identifiers=[exchange_id])
        raise ApiError(404, NO_MATCH) from None
    note(
        f"exchanged {exchange_id} for {profile_id}",
        profiles=[profile_id],
        identifiers=[exchange_id],
    )
    return jsonify(id=profile_id)


@bp.post("/api/v2/data-privacy/deletion-request", strict_slashes=False)
def request_deletion() -> Response:
    """Deletes the profile at once (Klaviyo queues it), with its events."""
    backend, call = private_call()
    kind, value = load_params(deletion_schema, call.params)
    try:
        profile_id = backend.delete_person(kind, value)
    except NotFound as error:
        note(f"not found: {error}", identifiers=[value])
        raise ApiError(404, NO_MATCH) from None
    note(f"deleted {profile_id} and its events", profiles=[profile_id], identifiers=[value])
    return jsonify("Submitted new deletion task for customer.")
