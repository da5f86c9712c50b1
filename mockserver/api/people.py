"""The legacy v2 people calls (legacy-api.md §5, §10): search, exchange, deletion request."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from marshmallow import ValidationError

from ..domain.accounts import Account
from ..domain.commands import NotFound
from . import wire
from .context import backend
from .context import note
from .context import notes
from .errors import ApiError
from .schemas import DeletionRequestSchema
from .schemas import ExchangeSchema
from .schemas import PeopleSearchSchema
from .schemas import describe

bp = Blueprint("people", __name__)

search_schema = PeopleSearchSchema()
exchange_schema = ExchangeSchema()
deletion_schema = DeletionRequestSchema()

NO_MATCH = "There is no profile matching the given parameters."


def private_call() -> tuple[Account, wire.PrivateCall]:
    """The request's parameters and the account its private key belongs to (v2 errors)."""
    body = notes().body = (
        request.get_data()
    )  # first, so that the form is parsed from the cached body
    try:
        call = wire.private_call(
            request.args, request.form, body, request.headers.get("api-key"), request.mimetype
        )
    except wire.BodyError as error:
        raise ApiError(400, str(error)) from None
    if not call.api_key:
        raise ApiError(403, "You must specify an API key to make requests.")
    account = backend().accounts.for_private_key(call.api_key)
    if account is None:
        raise ApiError(403, "The API key specified is invalid.")
    note(account=account.id)
    return account, call


@bp.get("/api/v2/people/search", strict_slashes=False)
def search_people() -> Response:
    account, call = private_call()
    kind, value = _load(search_schema, call.params)
    try:
        profile_id = backend().search_people(account, kind, value)
    except NotFound as error:
        note(f"not found: {error}", identifiers=[value])
        raise ApiError(404, NO_MATCH) from None
    note(f"found {profile_id} by {kind.value} {value}", profiles=[profile_id], identifiers=[value])
    return jsonify(id=profile_id)


def _load(schema: Any, params: dict[str, Any]) -> Any:
    try:
        return schema.load(params)
    except ValidationError as error:
        raise ApiError(400, describe(error)) from None


@bp.post("/api/v2/people/exchange", strict_slashes=False)
def exchange_people() -> Response:
    """``{"exchange_id": "<_kx>"}`` -> ``{"id": person_id}``."""
    account, call = private_call()
    exchange_id = _load(exchange_schema, call.params)["exchange_id"]
    try:
        profile_id = backend().exchange(account, exchange_id)
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
    account, call = private_call()
    kind, value = _load(deletion_schema, call.params)
    try:
        profile_id = backend().delete_person(account, kind, value)
    except NotFound as error:
        note(f"not found: {error}", identifiers=[value])
        raise ApiError(404, NO_MATCH) from None
    note(f"deleted {profile_id} and its events", profiles=[profile_id], identifiers=[value])
    return jsonify("Submitted new deletion task for customer.")
