"""Today's API, routed by Klaviyo's OpenAPI document: one Flask rule for ``/api/…`` and one for
``/client/…`` (the legacy API's own rules come first), then the spec's route table.

A call goes: the route (a path not in the document is a 404 that says so; a method the path
does not have, a 405 with ``Allow``), the key and the revision, the query checked against the
operation's vocabulary, the body checked against its JSON Schema, and then the handler: a
family's, registered by ``operationId``, or the generic one for the operation's kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import Rule

from ..domain.jobs import is_generic_job
from ..spec import REVISION
from ..spec import Kind
from ..spec import Operation
from ..spec import load
from .bodies import UNSET_ERROR
from .call import Call
from .call import Handler
from .context import notes
from .context import service
from .errors import DOMAIN_ERRORS
from .errors import ApiError
from .errors import answer_for
from .errors import is_legacy
from .generic import GENERIC
from .generic import bulk_job
from .generic import primary_type
from .generic import writable
from .jsonapi import account
from .jsonapi import body
from .jsonapi import check_scopes
from .jsonapi import client_guard
from .jsonapi import private_guard
from .jsonapi import stamp
from .query import read

HANDLERS = "klaviyo_mock.handlers"
ENDPOINTS = ("current_api", "current_client")
METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT"]


def init_app(app: Flask, handlers: Mapping[str, Handler]) -> None:
    """Serve every operation of the document: ``handlers`` (by ``operationId``) where a family
    has rules, the generic handler of the operation's kind elsewhere."""
    spec = load()
    table: dict[str, Handler] = {}
    for operation in spec.operations.values():
        handler = handlers.get(operation.id) or GENERIC.get(operation.kind)
        if operation.kind is Kind.JOB and operation.id not in handlers:
            handler = bulk_job if is_generic_job(spec, primary_type(operation)) else None
        if handler is not None:
            table[operation.id] = handler
    unknown = set(handlers) - set(spec.operations)
    if unknown:
        raise RuntimeError(f"handlers for operations the document does not have: {unknown}")
    app.extensions[HANDLERS] = table
    for prefix, endpoint in zip(("/api/", "/client/"), ENDPOINTS, strict=True):
        app.add_url_rule(
            prefix + "<path:rest>",
            endpoint=endpoint,
            view_func=dispatch,
            methods=METHODS,
            provide_automatic_options=False,
        )


def dispatch(rest: str) -> Response:
    current = request._get_current_object()  # type: ignore[attr-defined]
    method, path = current.method, current.path
    match = load().match(method, path)
    if match is None:
        if is_legacy(path):
            allowed = _legacy_methods(path)
            if allowed:
                return _not_allowed(method, allowed)
            raise ApiError(404, f"{method} {path} is not an endpoint of Klaviyo's legacy API.")
        raise ApiError(
            404,
            f"{method} {path} is not a path of Klaviyo's API (revision {REVISION}).",
        )
    operation = match.operation
    if operation is None:
        return _not_allowed(method, match.allowed)
    try:
        response = _serve(operation, match.parameters)
    except DOMAIN_ERRORS as error:
        response = answer_for(error)
    return stamp(response)


def _not_allowed(method: str, allowed: Iterable[str]) -> Response:
    response = answer_for(ApiError(405, f'Method "{method}" not allowed.'))
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


_legacy: list[Map] = []


def _legacy_methods(path: str) -> set[str]:
    """The methods the legacy API's own rules take on ``path`` (a path the catch-all got
    because its method is not one of them)."""
    if not _legacy:
        rules = [
            Rule(rule.rule, methods=rule.methods, endpoint=rule.endpoint)
            for rule in current_app.url_map.iter_rules()
            if rule.endpoint not in ENDPOINTS and rule.endpoint != "static"
        ]
        _legacy.append(Map(rules, merge_slashes=False, strict_slashes=False))
    try:
        return set(_legacy[0].bind("localhost").allowed_methods(path)) - {"OPTIONS"}
    except HTTPException:
        return set()


def _serve(operation: Operation, parameters: dict[str, str]) -> Response:
    if operation.client:
        client_guard(operation.company_id_required, operation.revision_required)
    else:
        private_guard()
        check_scopes(operation.scopes)
    params = read(operation, request.args)
    document = _body(operation) if operation.body_schema is not None else None
    call = Call(operation, service().backend(account()), parameters, params, document)
    return handler_of(operation)(call)


def handler_of(operation: Operation) -> Handler:
    """The handler that answers ``operation`` (every operation has one: a test checks it)."""
    table: dict[str, Handler] = current_app._get_current_object().extensions[HANDLERS]  # type: ignore[attr-defined]
    handler = table.get(operation.id)
    if handler is None:
        raise RuntimeError(f"{operation.id} ({operation.kind.value}) has no handler")
    return handler


def _body(operation: Operation) -> dict[str, Any] | None:
    """The request's document, valid against the operation's body schema (a 400 whose pointer
    names the first member that is not), its ``data.attributes`` cut to those the schema names
    (an unknown attribute, or one the body may not set such as ``created``, is ignored)."""
    if operation.body_media == "multipart/form-data":
        return None  # the handler reads the form
    document = body()
    validator = load().validator(operation)
    if validator.is_valid(document):
        data = document.get("data")
        _linked(operation, data)
        if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
            attributes = writable(operation, data["attributes"])
            return {**document, "data": {**data, "attributes": attributes}}
        return document
    notes().payload = document
    error = _first(validator.iter_errors(document))
    path = [str(part) for part in error.instance_path]
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        path.append(str(kind.property))
    for member, message in MESSAGES.items():
        if member in path:
            path = path[: path.index(member) + 1]
            raise ApiError(400, message, pointer="/" + "/".join(path))
    raise ApiError(400, _message(error, path), pointer="/" + "/".join(path))


def _linked(operation: Operation, data: Any) -> None:
    """The relationships the body must give, given with their linkage: the schema lets a
    required one come as ``{}`` or with ``"data": null``, which links nothing (a 400)."""
    for name in operation.body_links:
        found = ((data or {}).get("relationships") or {}).get(name) or {}
        if found.get("data") is None:
            pointer = f"/data/relationships/{name}/data"
            raise ApiError(400, "'data' is a required field.", pointer=pointer)


#: Klaviyo's own words for a bad member, where they are known (current-api.md §2.2).
MESSAGES = {"unset": UNSET_ERROR}


def _first(errors: Iterable[jsonschema_rs.ValidationError]) -> jsonschema_rs.ValidationError:
    """The error to answer with: a wrong JSON:API ``type`` first (the document is not what
    the operation takes at all), else the first error, at its deepest."""
    found = [_deepest(error) for error in errors]
    for error in found:
        if list(error.instance_path)[-1:] == ["type"]:
            return error
    return found[0]


def _deepest(error: jsonschema_rs.ValidationError) -> jsonschema_rs.ValidationError:
    """The error that says most: where a value matches none of a schema's branches (a null
    or an object, a string or a list), the branch error that reaches deepest into it, among
    the branches whose ``type`` the value names when there are some (a segment condition of
    type ``profile-property`` is told what it lacks, not that it is no other type)."""
    kind = error.kind
    if not isinstance(kind, jsonschema_rs.ValidationErrorKind.AnyOf):
        return error
    branches = [[_deepest(sub) for sub in branch] for branch in kind.context]
    named = [b for b in branches if b and not any(map(_wrong_type, b))]
    found = [sub for branch in (named or branches) for sub in branch]
    if not found:
        return error
    return max(found, key=lambda sub: len(sub.instance_path))


def _wrong_type(error: jsonschema_rs.ValidationError) -> bool:
    """A branch refused for its discriminator: a ``type`` member of another value."""
    kinds = (jsonschema_rs.ValidationErrorKind.Enum, jsonschema_rs.ValidationErrorKind.Constant)
    return (
        bool(error.instance_path)
        and error.instance_path[-1] == "type"
        and isinstance(error.kind, kinds)
    )


def _message(error: jsonschema_rs.ValidationError, path: list[str]) -> str:
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return f"'{kind.property}' is a required field."
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum) and path[-1:] == ["type"]:
        expected = " or ".join(repr(option) for option in kind.options)
        return f"Expected type {expected}, got {error.instance!r}."
    return str(error.message)
