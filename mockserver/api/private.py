"""What every legacy private call shares: its parameters, its key, its account, its schema."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema
from marshmallow import ValidationError

from ..domain.backend import Backend
from . import wire
from .context import note
from .context import notes
from .context import service
from .errors import ApiError
from .schemas import describe


def private_call() -> tuple[Backend, wire.PrivateCall]:
    """The request's parameters and the backend of the account its private key belongs to.
    Errors take the shape of the path's API generation (v1 ``{"status", "message"}``, v2
    ``{"detail"}``)."""
    body = notes().body = request.get_data()  # first: the form is then parsed from the cache
    try:
        call = wire.private_call(
            request.args, request.form, body, request.headers.get("api-key"), request.mimetype
        )
    except wire.BodyError as error:
        raise ApiError(400, str(error)) from None
    if not call.api_key:
        raise ApiError(403, "You must specify an API key to make requests.")
    account = service().accounts.for_private_key(call.api_key)
    if account is None:
        raise ApiError(403, "The API key specified is invalid.")
    note(account=account.id)
    return service().backend(account), call


def load_params(schema: Schema, params: dict[str, Any]) -> Any:
    """``schema.load(params)``, a 400 naming what is wrong otherwise."""
    try:
        return schema.load(params)
    except ValidationError as error:
        raise ApiError(400, describe(error)) from None
