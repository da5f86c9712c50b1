"""What every operation of today's API shares, checked on each of the 345 the spec has: the key
(or ``company_id``), key scopes, the ``revision`` header, the body's content type, JSON and
JSON:API ``type``, forged cursors, and the query vocabulary (sparse fieldsets, ``include``).

The operations come from Klaviyo's OpenAPI document (``mockserver.spec``), so none is left out.
The guards change nothing, so one app serves a whole module here.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from conftest import CURRENT
from flask import Flask
from flask.testing import FlaskClient
from openapi_check import failures
from openapi_check import validating

from mockserver import create_app
from mockserver import spec
from mockserver.spec import Kind
from mockserver.spec import Operation

SAMPLE_ID = "01JSAMPLE0000000000000000X"
SPEC = spec.load()
OPERATIONS = sorted(SPEC.operations.values(), key=lambda o: o.id)
PRIVATE = [o for o in OPERATIONS if not o.client]
CLIENT = [o for o in OPERATIONS if o.client and o.company_id_required]
WITH_BODY = [o for o in OPERATIONS if o.body_media == "application/vnd.api+json"]
WITH_CURSOR = [o for o in OPERATIONS if o.cursor == "page[cursor]"]
WITH_INCLUDE = [o for o in OPERATIONS if o.includes]
LISTINGS = [o for o in OPERATIONS if o.kind is Kind.LIST]


def ids(operation: Operation) -> str:
    return operation.id


def required(operation: Operation) -> list[str]:
    """The query parameters an operation requires, with valid values."""
    found = []
    if operation.filter_required:
        fields = [f for f in (operation.filters or {}).values() if "equals" in f.operators]
        # a relationship's id first: get_coupon_codes needs a coupon or a profile
        field = next((f for f in fields if f.name.endswith(".id")), fields[0])
        value = field.enum[0] if field.enum else "x"
        found.append(f"filter=equals({field.name},'{value}')")
    for parameter in operation.parameters.values():
        if parameter.required:
            value = parameter.enum[0] if parameter.enum else parameter.example
            found.append(f"{parameter.name}={value}")
    return found


def url(operation: Operation, query: str = "") -> str:
    path = operation.path.replace("{id}", SAMPLE_ID).replace("{job_id}", SAMPLE_ID)
    parts = required(operation) + ([query] if query else [])
    if operation.client:
        parts.insert(0, "company_id=AbC123")
    return path + ("?" + "&".join(parts) if parts else "")


@pytest.fixture(scope="module")
def shared() -> Iterator[Flask]:
    app = validating(create_app({"TESTING": True}))
    yield app
    assert not failures(app), "\n".join(failures(app))


@pytest.fixture
def client(shared: Flask) -> FlaskClient:
    return shared.test_client()


def envelope(answer) -> dict:
    assert answer.mimetype == "application/vnd.api+json", answer.data
    [error] = answer.json["errors"]
    assert {"id", "status", "code", "title", "detail", "source"} <= error.keys()
    assert error["status"] == answer.status_code
    return error


def test_every_operation_of_the_document_is_routed_to_itself():
    for operation in OPERATIONS:
        match = SPEC.match(operation.method, url(operation).split("?")[0])
        assert match is not None and match.operation is operation, operation.id
        slashed = SPEC.match(operation.method, url(operation).split("?")[0] + "/")
        assert slashed is not None and slashed.operation is operation, operation.id


def test_every_operation_has_a_handler(shared):
    from mockserver.api.dispatch import handler_of

    with shared.app_context():
        for operation in OPERATIONS:
            assert handler_of(operation) is not None


@pytest.mark.parametrize("operation", PRIVATE, ids=ids)
@pytest.mark.parametrize("authorization", [None, "", "pk_test", "Klaviyo-API-Key", "Basic cGs6"])
def test_a_missing_or_malformed_key_is_401(client, operation, authorization):
    headers = {"revision": CURRENT["revision"]}
    if authorization is not None:
        headers["Authorization"] = authorization
    answer = client.open(url(operation), method=operation.method, headers=headers, json={})
    assert answer.status_code == 401
    assert envelope(answer)["code"] == "not_authenticated"


@pytest.mark.parametrize("operation", CLIENT, ids=ids)
@pytest.mark.parametrize("query", ["", "?company_id="])
def test_a_client_call_without_company_id_is_400(client, operation, query):
    answer = client.open(
        operation.path + query,
        method=operation.method,
        headers={"revision": CURRENT["revision"]},
        json={},
    )
    assert answer.status_code == 400
    assert envelope(answer)["source"] == {"parameter": "company_id"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=ids)
@pytest.mark.parametrize(
    ("revision", "status"),
    [
        (None, 400),
        ("", 400),
        ("15-07-2026", 400),
        ("2026-13-01", 400),
        ("\u0662\u0660\u0662\u0666-07-15", 400),  # digits, but not ASCII ones
        ("2999-01-01", 404),
    ],
)
def test_a_missing_malformed_or_future_revision(client, operation, revision, status):
    if revision is None and not operation.revision_required:
        pytest.skip("the document does not require this operation's revision (next test)")
    headers = {"Authorization": CURRENT["Authorization"]}
    if revision is not None:
        headers["revision"] = revision
    answer = client.open(url(operation), method=operation.method, headers=headers, json={})
    assert answer.status_code == status
    assert envelope(answer)["source"] == {"parameter": "revision"}


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if not o.revision_required], ids=ids)
def test_an_operation_whose_revision_is_optional_serves_the_documents(operation):
    client = validating(create_app({"TESTING": True})).test_client()  # it may seed state
    answer = client.open(url(operation), method=operation.method)
    assert answer.status_code != 400, answer.json  # answered: a 404 for the sample id
    assert answer.headers["X-Klaviyo-API-Revision"] == spec.REVISION


SCOPED_PUBLIC = "ScO123"
READ_ONLY = "pk_" + "r" * 34
NO_SCOPES = "pk_" + "n" * 34


@pytest.fixture(scope="module")
def scoped() -> FlaskClient:
    account = {
        "public_key": SCOPED_PUBLIC,
        "private_keys": [
            {"key": READ_ONLY, "scopes": ["accounts:read"]},
            NO_SCOPES,
        ],
    }
    return create_app({"TESTING": True, "ACCOUNTS": [account]}).test_client()


@pytest.mark.parametrize("operation", [o for o in PRIVATE if o.scopes], ids=ids)
def test_a_key_without_the_operations_scopes_is_403(scoped, operation):
    headers = {**CURRENT, "Authorization": f"Klaviyo-API-Key {READ_ONLY}"}
    answer = scoped.open(url(operation), method=operation.method, headers=headers, json={})
    if set(operation.scopes) <= {"accounts:read"}:
        assert answer.status_code != 403
        return
    assert answer.status_code == 403
    error = envelope(answer)
    assert error["code"] == "permission_denied"
    assert all(s in error["detail"] for s in operation.scopes if s != "accounts:read")


@pytest.mark.parametrize(
    ("key", "status"),
    [(READ_ONLY, 200), (NO_SCOPES, 200)],
    ids=["scoped", "unscoped"],
)
def test_a_key_with_the_scope_or_without_scopes_is_served(scoped, key, status):
    headers = {**CURRENT, "Authorization": f"Klaviyo-API-Key {key}"}
    answer = scoped.get("/api/accounts", headers=headers)
    assert answer.status_code == status
    assert answer.json["data"][0]["attributes"]["public_api_key"] == SCOPED_PUBLIC


@pytest.mark.parametrize("operation", WITH_BODY, ids=ids)
@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('"a string"', "application/vnd.api+json", 400),
        ('{"data": {}}', "text/plain", 415),
        ('{"data": {}}', "application/x-www-form-urlencoded", 415),
        ("", "application/json", 400),
    ],
)
def test_bodies_that_are_no_json_api_document(shared, client, operation, raw, content_type, status):
    headers = CURRENT if not operation.client else {"revision": CURRENT["revision"]}
    answer = client.open(
        url(operation),
        method=operation.method,
        headers=headers,
        data=raw,
        content_type=content_type,
    )
    assert answer.status_code == status
    envelope(answer)
    assert shared.extensions["klaviyo_mock.store"].accounts() == []


@pytest.mark.parametrize("operation", WITH_BODY, ids=ids)
def test_a_document_of_the_wrong_type_is_400_naming_it(client, operation):
    headers = CURRENT if not operation.client else {"revision": CURRENT["revision"]}
    body = {"data": {"type": "wrong-type", "id": SAMPLE_ID, "attributes": {}}}
    if operation.request_types == () or _data_is_a_list(operation):
        body = {"data": [{"type": "wrong-type", "id": SAMPLE_ID}]}
    answer = client.open(url(operation), method=operation.method, headers=headers, json=body)
    assert answer.status_code == 400
    error = envelope(answer)
    assert error["source"]["pointer"].startswith("/data")
    assert error["source"]["pointer"].endswith("/type")


def _data_is_a_list(operation: Operation) -> bool:
    document = SPEC.components.resolve(operation.body_schema)
    data = SPEC.components.resolve(document["properties"]["data"])
    return data.get("type") == "array"


def forged(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize("operation", WITH_CURSOR, ids=ids)
@pytest.mark.parametrize(
    "key",
    [[1, 2, 3], ["x"], [None], {"k": [1], "s": "0" * 16}, "garbage", [True, "a", 5], []],
    ids=["ints", "string", "null", "unsigned", "text", "mixed", "empty"],
)
def test_a_forged_cursor_is_400_never_500(client, operation, key):
    cursor = key if isinstance(key, str) else forged(key)
    answer = client.open(
        url(operation, f"page[cursor]={cursor}"), method=operation.method, headers=CURRENT
    )
    assert answer.status_code == 400
    assert envelope(answer)["source"] == {"parameter": "page[cursor]"}


@pytest.mark.parametrize("operation", WITH_INCLUDE, ids=ids)
def test_an_include_the_spec_does_not_list_is_400(client, operation):
    headers = CURRENT if not operation.client else {"revision": CURRENT["revision"]}
    answer = client.open(
        url(operation, "include=not-a-relationship"), method=operation.method, headers=headers
    )
    assert answer.status_code == 400
    assert envelope(answer)["source"] == {"parameter": "include"}


@pytest.mark.parametrize("operation", LISTINGS, ids=ids)
def test_every_sparse_field_and_include_the_spec_allows_is_taken(client, operation):
    headers = CURRENT if not operation.client else {"revision": CURRENT["revision"]}
    queries = [
        f"fields[{kind}]={name}" for kind, names in operation.fields.items() for name in names
    ]
    queries += [f"include={name}" for name in operation.includes]
    queries += [
        f"additional-fields[{kind}]={name}"
        for kind, names in operation.additional.items()
        for name in names
    ]
    queries += [f"sort={sort}" for sort in operation.sorts or ()]
    for query in queries:
        answer = client.open(url(operation, query), method=operation.method, headers=headers)
        assert answer.status_code == 200, (query, answer.json)


@pytest.mark.parametrize("path", ["/api//profiles", "/api/profiles//", "//api/profiles"])
def test_doubled_slashes_are_a_json_404_not_an_html_redirect(client, path):
    answer = client.get(path, headers=CURRENT)
    assert answer.status_code == 404
    envelope(answer)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/not-a-resource", 404),
        ("GET", "/api/profiles/x/not-a-relationship", 404),
        ("PUT", "/api/profiles", 405),
        ("DELETE", "/api/profiles/x", 405),
        ("GET", "/client/not-an-endpoint", 404),
    ],
)
def test_paths_and_methods_outside_the_document(client, method, path, status):
    answer = client.open(path, method=method, headers=CURRENT)
    assert answer.status_code == status
    error = envelope(answer)
    if status == 404:
        assert "is not a path of Klaviyo's API (revision 2026-07-15)" in error["detail"]
    else:
        assert "Allow" in answer.headers


def test_an_answer_without_a_body_has_no_content_type(client):
    person = {"data": {"type": "profile", "attributes": {"email": "a@b.com"}}}
    metric = {"data": {"type": "metric", "attributes": {"name": "Paid"}}}
    event = {
        "data": {
            "type": "event",
            "attributes": {"properties": {}, "metric": metric, "profile": person},
        }
    }
    answer = client.post("/api/events", json=event, headers=CURRENT)
    assert (answer.status_code, answer.data) == (202, b"")
    assert "Content-Type" not in answer.headers
