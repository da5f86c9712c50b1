"""What every endpoint of today's API shares, checked on each one the app serves: the key (or
``company_id``), the ``revision`` header, the body's content type and JSON, the envelope.

The endpoints come from the app's own URL map, so a new endpoint is covered by being added.
"""

from __future__ import annotations

import re

import pytest
from conftest import CURRENT
from openapi_check import is_current

from mockserver import create_app

SAMPLE_ID = "01JSAMPLE0000000000000000X"


def _sample(match: re.Match[str]) -> str:
    """A value for a URL variable: the first choice of ``any(…)``, else an id."""
    choices = re.fullmatch(r"any\(([^)]*)\):\w+", match.group(1))
    return choices.group(1).split(",")[0].strip() if choices else SAMPLE_ID


def endpoints() -> list[tuple[str, str]]:
    app = create_app({"TESTING": True})
    found = set()
    for rule in app.url_map.iter_rules():
        if not is_current(rule.rule):
            continue
        path = re.sub(r"<([^>]*)>", _sample, rule.rule)
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, path))
    return sorted(found)


ENDPOINTS = endpoints()
PRIVATE = [(m, p) for m, p in ENDPOINTS if p.startswith("/api/")]
CLIENT = [(m, p) for m, p in ENDPOINTS if p.startswith("/client/")]
WITH_BODY = [(m, p) for m, p in ENDPOINTS if m in ("POST", "PATCH")]


def test_the_current_api_is_served():
    assert ("POST", "/api/profiles") in ENDPOINTS
    assert len(ENDPOINTS) >= 6


def envelope(answer) -> dict:
    assert answer.mimetype == "application/vnd.api+json"
    [error] = answer.json["errors"]
    assert {"id", "status", "code", "title", "detail", "source"} <= error.keys()
    assert error["status"] == answer.status_code
    return error


@pytest.mark.parametrize(("method", "path"), PRIVATE)
@pytest.mark.parametrize("authorization", [None, "", "pk_test", "Klaviyo-API-Key", "Basic cGs6"])
def test_a_missing_or_malformed_key_is_401(client, method, path, authorization):
    headers = {"revision": CURRENT["revision"]}
    if authorization is not None:
        headers["Authorization"] = authorization
    answer = client.open(path, method=method, headers=headers, json={"data": {}})
    assert answer.status_code == 401
    assert envelope(answer)["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), CLIENT)
@pytest.mark.parametrize("query", ["", "?company_id="])
def test_a_client_call_without_company_id_is_400(client, method, path, query):
    answer = client.open(
        path + query, method=method, headers={"revision": CURRENT["revision"]}, json={"data": {}}
    )
    assert answer.status_code == 400
    assert envelope(answer)["source"] == {"parameter": "company_id"}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
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
def test_a_missing_malformed_or_future_revision(client, method, path, revision, status):
    headers = {"Authorization": CURRENT["Authorization"]}
    if revision is not None:
        headers["revision"] = revision
    query = "?company_id=AbC123" if path.startswith("/client/") else ""
    answer = client.open(path + query, method=method, headers=headers, json={"data": {}})
    assert answer.status_code == status
    assert envelope(answer)["source"] == {"parameter": "revision"}


@pytest.mark.parametrize(("method", "path"), WITH_BODY)
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
def test_bodies_that_are_no_json_api_document(
    client, klaviyo, method, path, raw, content_type, status
):
    query = "?company_id=AbC123" if path.startswith("/client/") else ""
    answer = client.open(
        path + query, method=method, headers=CURRENT, data=raw, content_type=content_type
    )
    assert answer.status_code == status
    envelope(answer)
    assert klaviyo.profiles(klaviyo.default_account) == []


@pytest.mark.parametrize(("method", "path"), WITH_BODY)
def test_a_document_of_the_wrong_type_is_400(client, method, path):
    query = "?company_id=AbC123" if path.startswith("/client/") else ""
    body = {"data": {"type": "wrong-type", "id": SAMPLE_ID, "attributes": {}}}
    answer = client.open(path + query, method=method, headers=CURRENT, json=body)
    assert answer.status_code in (400, 404)  # 404: the URL's id is checked first
    if answer.status_code == 400:
        assert envelope(answer)["source"]["pointer"].startswith("/data")


def forged(key: object) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


LISTINGS = [
    "/api/profiles",
    "/api/profiles?sort=email",
    "/api/profiles?sort=-id",
    "/api/lists",
    "/api/events",
    "/api/events?sort=-datetime",
    "/api/metrics",
    "/api/lists/{list}/profiles",
    "/api/lists/{list}/relationships/profiles",
]


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize(
    "key",
    [
        [1, 2, 3],
        ["x"],
        [None],
        [{"a": 1}],
        [True, "a", 5],
        ["x", 1],
        [],
        [True, "a", "b", "c"],
    ],
)
def test_a_forged_cursor_is_400_never_500(client, path, key):
    from conftest import current

    person = {"data": {"type": "profile", "attributes": {"email": "a@b.com"}}}
    profile_id = current(client, "POST", "/api/profiles", person).json["data"]["id"]
    made = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "N"}}}
    )
    list_id = made.json["data"]["id"]
    members = {"data": [{"type": "profile", "id": profile_id}]}
    current(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members)
    metric = {"data": {"type": "metric", "attributes": {"name": "Paid"}}}
    event = {
        "data": {
            "type": "event",
            "attributes": {"properties": {}, "metric": metric, "profile": person},
        }
    }
    assert current(client, "POST", "/api/events", event).status_code == 202
    url = path.format(list=list_id)
    answer = current(
        client, "GET", url + ("&" if "?" in url else "?") + f"page[cursor]={forged(key)}"
    )
    assert answer.status_code == 400
    assert envelope(answer)["source"] == {"parameter": "page[cursor]"}


def test_an_answer_without_a_body_has_no_content_type(client):
    from conftest import current

    person = {"data": {"type": "profile", "attributes": {"email": "a@b.com"}}}
    metric = {"data": {"type": "metric", "attributes": {"name": "Paid"}}}
    event = {
        "data": {
            "type": "event",
            "attributes": {"properties": {}, "metric": metric, "profile": person},
        }
    }
    answer = current(client, "POST", "/api/events", event)
    assert (answer.status_code, answer.data) == (202, b"")
    assert "Content-Type" not in answer.headers


SPARSE = [
    ("/api/profiles", "/api/profiles", "fields[profile]"),
    ("/api/profiles/{id}", "/api/profiles/{profile}", "fields[profile]"),
    ("/api/events", "/api/events?include=profile", "fields[profile]"),
    ("/api/lists/{id}/profiles", "/api/lists/{list}/profiles", "fields[profile]"),
    ("/api/lists", "/api/lists", "fields[list]"),
    ("/api/events", "/api/events?include=metric", "fields[metric]"),
    ("/api/events", "/api/events", "fields[event]"),
]


@pytest.mark.parametrize(("spec_path", "path", "parameter"), SPARSE)
def test_every_sparse_field_the_spec_allows_is_taken(client, spec_path, path, parameter):
    from conftest import current
    from openapi_check import enum

    person = {"data": {"type": "profile", "attributes": {"email": "a@b.com"}}}
    profile_id = current(client, "POST", "/api/profiles", person).json["data"]["id"]
    made = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "N"}}}
    )
    url = path.format(profile=profile_id, list=made.json["data"]["id"])
    joiner = "&" if "?" in url else "?"
    for value in enum(spec_path, "get", parameter):
        answer = current(client, "GET", f"{url}{joiner}{parameter}={value}")
        assert answer.status_code == 200, (value, answer.json)


@pytest.mark.parametrize("path", ["/api//profiles", "/api/profiles//", "//api/profiles"])
def test_doubled_slashes_are_a_json_404_not_an_html_redirect(client, path):
    from conftest import current

    answer = current(client, "GET", path)
    assert answer.status_code == 404
    envelope(answer)
