"""Today's list endpoints (current-api.md §7): ``/api/lists`` CRUD, a list's profiles and
its profile relationships; the same lists as the legacy v2 API. Every answer is checked
against stable.json by the ``app`` fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import CURRENT
from conftest import PRIVATE
from conftest import PUBLIC
from current import push_token_body
from flask import Flask
from flask.testing import FlaskClient
from openapi_check import failures
from openapi_check import validating

from mockserver import create_app

HEADERS = CURRENT  # what the official SDK sends
JSONAPI = "application/vnd.api+json"


def call(
    client: FlaskClient,
    method: str,
    path: str,
    payload: Any = None,
    headers: dict[str, str] | None = None,
    content_type: str = JSONAPI,
) -> Any:
    data = payload if isinstance(payload, str) or payload is None else json.dumps(payload)
    return client.open(
        path,
        method=method,
        headers=HEADERS if headers is None else headers,
        data=data,
        content_type=content_type if data is not None else None,
    )


def make_list(client: FlaskClient, name: str = "News", opt_in: str | None = None) -> str:
    attributes: dict[str, Any] = {"name": name}
    if opt_in is not None:
        attributes["opt_in_process"] = opt_in
    answer = call(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": attributes}}
    )
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def make_profile(client: FlaskClient, email: str, **more: Any) -> str:
    body = {"data": {"type": "profile", "attributes": {"email": email, **more}}}
    answer = call(client, "POST", "/api/profiles", body)
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def members(ids: list[str]) -> dict[str, Any]:
    return {"data": [{"type": "profile", "id": i} for i in ids]}


def state(client: FlaskClient) -> Any:
    return client.get("/__mock__/state").json


def error(answer: Any) -> dict[str, Any]:
    assert answer.mimetype == JSONAPI
    (entry,) = answer.json["errors"]
    return dict(entry)


# -- /api/lists -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opt_in", "shown"),
    [
        (None, "single_opt_in"),
        ("single_opt_in", "single_opt_in"),
        ("double_opt_in", "double_opt_in"),
    ],
)
def test_create_get_update_delete(client: FlaskClient, opt_in: str | None, shown: str) -> None:
    list_id = make_list(client, "Newsletter", opt_in)
    got = call(client, "GET", f"/api/lists/{list_id}/")
    assert got.status_code == 200
    assert got.json["data"]["attributes"]["name"] == "Newsletter"
    assert got.json["data"]["attributes"]["opt_in_process"] == shown
    assert got.json["data"]["links"]["self"].endswith(f"/api/lists/{list_id}/")

    patch = {"data": {"type": "list", "id": list_id, "attributes": {"name": "Renamed"}}}
    patched = call(client, "PATCH", f"/api/lists/{list_id}", patch)
    assert patched.status_code == 200
    assert patched.json["data"]["attributes"] == {
        **got.json["data"]["attributes"],
        "name": "Renamed",
        "updated": patched.json["data"]["attributes"]["updated"],
    }

    deleted = call(client, "DELETE", f"/api/lists/{list_id}")
    assert deleted.status_code == 204 and deleted.data == b""
    assert call(client, "GET", f"/api/lists/{list_id}").status_code == 404


@pytest.mark.parametrize(
    ("attributes", "double_opt_in"),
    [
        ({"opt_in_process": "double_opt_in"}, True),
        ({"opt_in_process": "single_opt_in"}, False),
        ({"opt_in_process": None}, False),
        ({}, False),
    ],
)
def test_patch_opt_in_process(
    client: FlaskClient, attributes: dict[str, Any], double_opt_in: bool
) -> None:
    list_id = make_list(client)
    body = {"data": {"type": "list", "id": list_id, "attributes": attributes}}
    answer = call(client, "PATCH", f"/api/lists/{list_id}", body)
    assert answer.status_code == 200
    assert answer.json["data"]["attributes"]["name"] == "News"
    expected = "double_opt_in" if double_opt_in else "single_opt_in"
    assert answer.json["data"]["attributes"]["opt_in_process"] == expected


def test_legacy_and_current_lists_are_one(client: FlaskClient) -> None:
    legacy = client.post("/api/v2/lists", data={"api_key": PRIVATE, "list_name": "Old"}).json
    current = make_list(client, "New")
    names = {
        r["id"]: r["attributes"]["name"] for r in call(client, "GET", "/api/lists").json["data"]
    }
    assert names == {legacy["list_id"]: "Old", current: "New"}
    v2 = client.get("/api/v2/lists", query_string={"api_key": PRIVATE}).json
    assert {r["list_id"]: r["list_name"] for r in v2} == names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["a", "b", "c"]),
        ({"sort": "name"}, ["a", "b", "c"]),
        ({"sort": "-name"}, ["c", "b", "a"]),
        ({"filter": "equals(name,'b')"}, ["b"]),
        ({"filter": 'any(name,["a","c"])'}, ["a", "c"]),
        ({"filter": "greater-than(created,2000-01-01T00:00:00Z)"}, ["a", "b", "c"]),
        ({"filter": "greater-than(updated,2999-01-01T00:00:00Z)"}, []),
        ({"fields[list]": "name", "sort": "name"}, ["a", "b", "c"]),
        ({"include": "tags", "sort": "name"}, ["a", "b", "c"]),
    ],
)
def test_get_lists_filters_and_sorts(
    client: FlaskClient, query: dict[str, str], expected: list[str]
) -> None:
    for name in ("a", "b", "c"):
        make_list(client, name)
    answer = client.get("/api/lists", headers=HEADERS, query_string=query)
    assert answer.status_code == 200, answer.json
    names = [r["attributes"]["name"] for r in answer.json["data"]]
    assert names == expected if "sort" in query or len(expected) < 2 else sorted(names) == expected
    if "fields[list]" in query:
        assert all(set(r["attributes"]) == {"name"} for r in answer.json["data"])


def test_get_list_by_id_filter_and_profile_count(client: FlaskClient) -> None:
    list_id = make_list(client)
    make_list(client, "Other")
    ids = [make_profile(client, f"p{i}@x.com") for i in range(3)]
    call(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members(ids))
    found = client.get(
        "/api/lists", headers=HEADERS, query_string={"filter": f"equals(id,'{list_id}')"}
    )
    assert [r["id"] for r in found.json["data"]] == [list_id]
    counted = client.get(
        f"/api/lists/{list_id}",
        headers=HEADERS,
        query_string={"additional-fields[list]": "profile_count", "include": "tags"},
    )
    assert counted.json["data"]["attributes"]["profile_count"] == 3
    assert counted.json["included"] == []


@pytest.mark.parametrize("sort", ["name", "-created", "id", "updated"])
def test_get_lists_pages_of_ten_then_no_next(client: FlaskClient, sort: str) -> None:
    made = {make_list(client, f"list {i:02}") for i in range(23)}
    seen: list[str] = []
    url: str | None = f"/api/lists?sort={sort}"
    pages = 0
    while url:
        answer = client.get(url, headers=HEADERS)
        assert answer.status_code == 200
        assert len(answer.json["data"]) <= 10
        seen += [r["id"] for r in answer.json["data"]]
        url = answer.json["links"].get("next")
        assert "prev" not in answer.json["links"]
        pages += 1
    assert pages == 3 and len(seen) == 23 and set(seen) == made


# -- a list's profiles ----------------------------------------------------------------------


def test_add_list_and_remove_profiles(client: FlaskClient) -> None:
    list_id = make_list(client)
    ids = [make_profile(client, f"p{i}@x.com") for i in range(3)]
    path = f"/api/lists/{list_id}/relationships/profiles"
    added = call(client, "POST", path, members(ids + ids[:1]))  # a repeat changes nothing
    assert added.status_code == 204 and added.data == b""
    listed = call(client, "GET", f"/api/lists/{list_id}/profiles")
    assert [r["id"] for r in listed.json["data"]] == ids
    for resource in listed.json["data"]:
        assert resource["attributes"]["joined_group_at"]
        assert resource["links"]["self"].endswith(f"/api/profiles/{resource['id']}/")
    relationships = call(client, "GET", path).json
    assert relationships["data"] == members(ids)["data"]
    assert relationships["links"]["self"].endswith(f"/api/lists/{list_id}/relationships/profiles/")

    removed = call(client, "DELETE", path, members(ids[1:2]), content_type="application/json")
    assert removed.status_code == 204
    assert [r["id"] for r in call(client, "GET", path).json["data"]] == [ids[0], ids[2]]


def test_legacy_members_show_in_list_profiles(client: FlaskClient) -> None:
    list_id = make_list(client)
    client.post(
        f"/api/v2/list/{list_id}/members",
        json={"api_key": PRIVATE, "profiles": [{"email": "legacy@x.com"}]},
    )
    listed = call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"]
    assert [r["attributes"]["email"] for r in listed] == ["legacy@x.com"]
    current = make_profile(client, "current@x.com")
    call(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members([current]))
    v2 = client.get(f"/api/v2/group/{list_id}/members/all", query_string={"api_key": PRIVATE})
    assert {r["email"] for r in v2.json["records"]} == {"legacy@x.com", "current@x.com"}


def test_removing_from_a_list_keeps_consent(client: FlaskClient) -> None:
    list_id = make_list(client)
    client.post(
        f"/api/v2/list/{list_id}/subscribe",
        json={"api_key": PRIVATE, "profiles": [{"email": "fan@x.com"}]},
    )
    (member,) = call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"]
    path = f"/api/lists/{list_id}/relationships/profiles"
    assert call(client, "DELETE", path, members([member["id"]])).status_code == 204
    assert call(client, "GET", path).json["data"] == []
    shown = client.get(
        f"/api/profiles/{member['id']}",
        headers=HEADERS,
        query_string={"additional-fields[profile]": "subscriptions"},
    )
    assert shown.json["data"]["attributes"]["subscriptions"]["email"]["marketing"]["consent"] == (
        "SUBSCRIBED"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [0, 1, 2]),
        ({"sort": "joined_group_at"}, [0, 1, 2]),
        ({"sort": "-joined_group_at"}, [2, 1, 0]),
        ({"filter": "equals(email,'P1@X.com')"}, [1]),
        ({"filter": "any(email,['p0@x.com','p2@x.com'])"}, [0, 2]),
        ({"filter": "equals(phone_number,'+15555550101')"}, [1]),
        ({"filter": "any(phone_number,['+15555550100'])"}, [0]),
        ({"filter": "equals(push_token,'tok-p1')"}, [1]),
        ({"filter": "any(push_token,['tok-p2','tok-outsider'])"}, [2]),
        ({"filter": "equals(push_token,'nobody')"}, []),
        ({"filter": "equals(_kx,'nobody')"}, []),
        ({"filter": "greater-or-equal(joined_group_at,2000-01-01T00:00:00Z)"}, [0, 1, 2]),
        ({"filter": "less-than(joined_group_at,2000-01-01T00:00:00Z)"}, []),
        ({"filter": "equals(email,'outsider@x.com')"}, []),
    ],
)
def test_list_profiles_filters_and_sort(
    client: FlaskClient, query: dict[str, str], expected: list[int]
) -> None:
    list_id = make_list(client)
    ids = [make_profile(client, f"p{i}@x.com", phone_number=f"+1555555010{i}") for i in range(3)]
    make_profile(client, "outsider@x.com")
    for profile_id in ids:  # one by one: joined in this order
        call(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members([profile_id]))
    for owner in ("p1", "p2", "outsider"):
        body = push_token_body({"email": f"{owner}@x.com"}, f"tok-{owner}")
        assert call(client, "POST", "/api/push-tokens", body).status_code == 202
    for path in ("profiles", "relationships/profiles"):
        answer = client.get(f"/api/lists/{list_id}/{path}", headers=HEADERS, query_string=query)
        assert answer.status_code == 200, answer.json
        assert [r["id"] for r in answer.json["data"]] == [ids[i] for i in expected]


def test_list_profiles_fields_and_subscriptions(client: FlaskClient) -> None:
    list_id = make_list(client)
    profile_id = make_profile(client, "a@x.com", first_name="Ann")
    call(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members([profile_id]))
    answer = client.get(
        f"/api/lists/{list_id}/profiles",
        headers=HEADERS,
        query_string={
            "fields[profile]": "email,subscriptions.email.marketing.consent",
            "additional-fields[profile]": "subscriptions",
        },
    )
    (resource,) = answer.json["data"]
    attributes = resource["attributes"]
    assert set(attributes) == {"email", "subscriptions", "joined_group_at"}
    assert set(attributes["subscriptions"]) == {"email"}
    assert attributes["subscriptions"]["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"


@pytest.mark.parametrize("size", [1, 2, 5])
def test_list_profiles_cursor(client: FlaskClient, size: int) -> None:
    list_id = make_list(client)
    ids = [make_profile(client, f"p{i}@x.com") for i in range(5)]
    call(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members(ids))
    seen: list[str] = []
    url: str | None = f"/api/lists/{list_id}/profiles?page[size]={size}"
    while url:
        answer = client.get(url, headers=HEADERS)
        assert len(answer.json["data"]) <= size
        seen += [r["id"] for r in answer.json["data"]]
        url = answer.json["links"].get("next")
    assert seen == ids


def test_pending_and_unsubscribed_are_not_on_the_list(client: FlaskClient) -> None:
    double = make_list(client, "Double", "double_opt_in")
    single = make_list(client, "Single")
    for list_id in (double, single):
        client.post(
            f"/api/v2/list/{list_id}/subscribe",
            json={"api_key": PRIVATE, "profiles": [{"email": "x@x.com"}]},
        )
    client.delete(
        f"/api/v2/list/{single}/subscribe", json={"api_key": PRIVATE, "emails": ["x@x.com"]}
    )
    for list_id in (double, single):
        assert call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"] == []
        assert (
            call(client, "GET", f"/api/lists/{list_id}?additional-fields[list]=profile_count").json[
                "data"
            ]["attributes"]["profile_count"]
            == 0
        )


# -- refusals -------------------------------------------------------------------------------


def _setup(client: FlaskClient) -> tuple[str, str]:
    list_id = make_list(client)
    return list_id, make_profile(client, "a@x.com")


REFUSED_WRITES = [
    pytest.param("POST", "/api/lists", "{not json", 400, "/data/", id="create-bad-json"),
    pytest.param(
        "POST",
        "/api/lists",
        {"data": {"type": "profile", "attributes": {"name": "x"}}},
        400,
        "/data/type",
        id="create-wrong-type",
    ),
    pytest.param(
        "POST",
        "/api/lists",
        {"data": {"type": "list", "attributes": {}}},
        400,
        "/data/attributes/name",
        id="create-no-name",
    ),
    pytest.param(
        "POST",
        "/api/lists",
        {"data": {"type": "list", "attributes": {"name": ""}}},
        400,
        "/data/attributes/name",
        id="create-empty-name",
    ),
    pytest.param(
        "POST",
        "/api/lists",
        {"data": {"type": "list", "attributes": {"name": "x", "opt_in_process": "triple"}}},
        400,
        "/data/attributes/opt_in_process",
        id="create-bad-opt-in",
    ),
    pytest.param(
        "POST",
        "/api/lists",
        {"data": {"type": "list"}},
        400,
        "/data/attributes",
        id="create-no-attributes",
    ),
    pytest.param("POST", "/api/lists", {"nodata": 1}, 400, "/data", id="create-no-data"),
    pytest.param(
        "PATCH",
        "/api/lists/{list}",
        {"data": {"type": "list", "id": "other", "attributes": {"name": "x"}}},
        400,
        "/data/id",
        id="patch-id-mismatch",
    ),
    pytest.param(
        "PATCH",
        "/api/lists/{list}",
        {"data": {"type": "list", "attributes": {"name": "x"}}},
        400,
        "/data/id",
        id="patch-no-id",
    ),
    pytest.param(
        "PATCH",
        "/api/lists/{list}",
        {"data": {"type": "tag", "id": "{list}", "attributes": {}}},
        400,
        "/data/type",
        id="patch-wrong-type",
    ),
    pytest.param(
        "PATCH",
        "/api/lists/NOPE00",
        {"data": {"type": "list", "id": "NOPE00", "attributes": {"name": "x"}}},
        404,
        "/data/",
        id="patch-unknown",
    ),
    pytest.param("DELETE", "/api/lists/NOPE00", None, 404, "/data/", id="delete-unknown"),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile", "id": "{profile}"}, {"type": "profile", "id": "01NOPE"}]},
        404,
        "/data/",
        id="add-unknown-profile",
    ),
    pytest.param(
        "DELETE",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile", "id": "01NOPE"}]},
        404,
        "/data/",
        id="remove-unknown-profile",
    ),
    pytest.param(
        "POST",
        "/api/lists/NOPE00/relationships/profiles",
        {"data": [{"type": "profile", "id": "{profile}"}]},
        404,
        "/data/",
        id="add-unknown-list",
    ),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "list", "id": "{profile}"}]},
        400,
        "/data/0/type",
        id="add-wrong-type",
    ),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile"}]},
        400,
        "/data/0/id",
        id="add-no-id",
    ),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": []},
        400,
        "/data",
        id="add-none",
    ),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": {"type": "profile", "id": "{profile}"}},
        400,
        "/data",
        id="add-not-a-list",
    ),
    pytest.param(
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile", "id": "{profile}"}] * 1001},
        400,
        "/data",
        id="add-too-many",
    ),
    pytest.param(
        "DELETE",
        "/api/lists/{list}/relationships/profiles",
        "[",
        400,
        "/data/",
        id="remove-bad-json",
    ),
]


@pytest.mark.parametrize(("method", "path", "payload", "status", "pointer"), REFUSED_WRITES)
def test_refused_writes_change_nothing(
    client: FlaskClient, method: str, path: str, payload: Any, status: int, pointer: str
) -> None:
    list_id, profile_id = _setup(client)
    before = state(client)
    text = payload if isinstance(payload, str) or payload is None else json.dumps(payload)
    text = text.replace("{list}", list_id).replace("{profile}", profile_id) if text else text
    answer = call(client, method, path.replace("{list}", list_id), text)
    assert answer.status_code == status, answer.json
    entry = error(answer)
    assert entry["status"] == status and entry["code"] == (
        "invalid" if status == 400 else "not_found"
    )
    assert entry["source"] == {"pointer": pointer}
    assert state(client) == before


def test_a_body_that_is_not_json_api_is_415(client: FlaskClient) -> None:
    before = state(client)
    answer = call(client, "POST", "/api/lists", "name=x", content_type="text/plain")
    assert answer.status_code == 415
    assert state(client) == before


def test_adding_with_one_unknown_profile_adds_nobody(client: FlaskClient) -> None:
    list_id, profile_id = _setup(client)
    answer = call(
        client,
        "POST",
        f"/api/lists/{list_id}/relationships/profiles",
        members([profile_id, "01UNKNOWN", "01ALSOUNKNOWN"]),
    )
    assert answer.status_code == 404
    assert "01UNKNOWN" in error(answer)["detail"] and "01ALSOUNKNOWN" in error(answer)["detail"]
    assert call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"] == []


REFUSED_READS = [
    pytest.param(
        "/api/lists",
        {"filter": "equals(opt_in_process,'x')"},
        "filter",
        id="lists-bad-filter-field",
    ),
    pytest.param(
        "/api/lists",
        {"filter": "less-than(created,2020-01-01)"},
        "filter",
        id="lists-bad-filter-op",
    ),
    pytest.param("/api/lists", {"filter": "equals(name,"}, "filter", id="lists-filter-syntax"),
    pytest.param("/api/lists", {"sort": "opt_in_process"}, "sort", id="lists-bad-sort"),
    pytest.param("/api/lists", {"page[size]": "11"}, "page[size]", id="lists-page-too-big"),
    pytest.param("/api/lists", {"page[size]": "0"}, "page[size]", id="lists-page-zero"),
    pytest.param(
        "/api/lists", {"page[cursor]": "!!garbage"}, "page[cursor]", id="lists-bad-cursor"
    ),
    pytest.param("/api/lists", {"fields[list]": "colour"}, "fields[list]", id="lists-bad-fields"),
    pytest.param("/api/lists", {"include": "profiles"}, "include", id="lists-bad-include"),
    pytest.param(
        "/api/lists/{list}",
        {"additional-fields[list]": "size"},
        "additional-fields[list]",
        id="list-bad-additional",
    ),
    pytest.param(
        "/api/lists/{list}/profiles",
        {"filter": "equals(first_name,'x')"},
        "filter",
        id="members-bad-filter-field",
    ),
    pytest.param(
        "/api/lists/{list}/profiles",
        {"filter": "any(_kx,['x'])"},
        "filter",
        id="members-bad-filter-op",
    ),
    pytest.param("/api/lists/{list}/profiles", {"sort": "email"}, "sort", id="members-bad-sort"),
    pytest.param(
        "/api/lists/{list}/profiles", {"page[size]": "101"}, "page[size]", id="members-page-too-big"
    ),
    pytest.param(
        "/api/lists/{list}/profiles", {"page[size]": "ten"}, "page[size]", id="members-page-not-int"
    ),
    pytest.param(
        "/api/lists/{list}/profiles",
        {"page[cursor]": "bm9wZQ"},
        "page[cursor]",
        id="members-bad-cursor",
    ),
    pytest.param(
        "/api/lists/{list}/profiles",
        {"fields[profile]": "colour"},
        "fields[profile]",
        id="members-bad-fields",
    ),
    pytest.param(
        "/api/lists/{list}/profiles",
        {"additional-fields[profile]": "x"},
        "additional-fields[profile]",
        id="members-bad-additional",
    ),
    pytest.param(
        "/api/lists/{list}/relationships/profiles", {"sort": "created"}, "sort", id="ids-bad-sort"
    ),
]


@pytest.mark.parametrize(("path", "query", "parameter"), REFUSED_READS)
def test_bad_query_parameters(
    client: FlaskClient, path: str, query: dict[str, str], parameter: str
) -> None:
    list_id, _ = _setup(client)
    answer = client.get(path.replace("{list}", list_id), headers=HEADERS, query_string=query)
    assert answer.status_code == 400
    assert error(answer)["source"] == {"parameter": parameter}


@pytest.mark.parametrize(
    "path",
    ["/api/lists/NOPE00", "/api/lists/NOPE00/profiles", "/api/lists/NOPE00/relationships/profiles"],
)
def test_unknown_list_is_404(client: FlaskClient, path: str) -> None:
    answer = call(client, "GET", path)
    assert answer.status_code == 404
    assert error(answer)["code"] == "not_found"


ENDPOINTS = [
    ("GET", "/api/lists", None),
    ("POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "x"}}}),
    ("GET", "/api/lists/{list}", None),
    (
        "PATCH",
        "/api/lists/{list}",
        {"data": {"type": "list", "id": "{list}", "attributes": {"name": "y"}}},
    ),
    ("DELETE", "/api/lists/{list}", None),
    ("GET", "/api/lists/{list}/profiles", None),
    ("GET", "/api/lists/{list}/relationships/profiles", None),
    (
        "POST",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile", "id": "{profile}"}]},
    ),
    (
        "DELETE",
        "/api/lists/{list}/relationships/profiles",
        {"data": [{"type": "profile", "id": "{profile}"}]},
    ),
]
BAD_HEADERS = [
    pytest.param({"revision": "2026-07-15"}, 401, "not_authenticated", id="no-key"),
    pytest.param(
        {"Authorization": "Klaviyo-API-Key ", "revision": "2026-07-15"},
        401,
        "not_authenticated",
        id="empty-key",
    ),
    pytest.param({"Authorization": "Klaviyo-API-Key pk_test"}, 400, "invalid", id="no-revision"),
    pytest.param(
        {"Authorization": "Klaviyo-API-Key pk_test", "revision": "July"},
        400,
        "invalid",
        id="malformed-revision",
    ),
    pytest.param(
        {"Authorization": "Klaviyo-API-Key pk_test", "revision": "2999-01-01"},
        404,
        "not_found",
        id="future-revision",
    ),
]


@pytest.mark.parametrize(("method", "path", "payload"), ENDPOINTS)
@pytest.mark.parametrize(("headers", "status", "code"), BAD_HEADERS)
def test_key_and_revision_refusals(
    client: FlaskClient,
    method: str,
    path: str,
    payload: Any,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    list_id, profile_id = _setup(client)
    text = (
        json.dumps(payload).replace("{list}", list_id).replace("{profile}", profile_id)
        if payload
        else None
    )
    before = state(client)
    answer = call(client, method, path.replace("{list}", list_id), text, headers=headers)
    assert answer.status_code == status
    assert error(answer)["code"] == code
    assert state(client) == before


@pytest.fixture
def declared() -> Any:
    app: Flask = validating(create_app({"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}"]}))
    yield app.test_client()
    assert not failures(app), failures(app)


@pytest.mark.parametrize(("method", "path", "payload"), ENDPOINTS[:2])
def test_an_unknown_key_is_401(declared: FlaskClient, method: str, path: str, payload: Any) -> None:
    headers = {"Authorization": "Klaviyo-API-Key pk_wrong", "revision": "2026-07-15"}
    answer = call(declared, method, path, payload, headers=headers)
    assert answer.status_code == 401
    assert error(answer)["detail"] == "Missing or invalid private key."
    ok = call(
        declared,
        "GET",
        "/api/lists",
        headers={**headers, "Authorization": f"Klaviyo-API-Key {PRIVATE}"},
    )
    assert ok.status_code == 200 and ok.json["data"] == []


def test_the_lists_a_profile_is_on(client: FlaskClient) -> None:
    news, vip, gone = make_list(client, "News"), make_list(client, "VIP"), make_list(client, "Old")
    pid = make_profile(client, "on@x.com")
    for list_id in (news, vip, gone):
        assert (
            call(
                client, "POST", f"/api/lists/{list_id}/relationships/profiles", members([pid])
            ).status_code
            == 204
        )
    call(client, "DELETE", f"/api/lists/{gone}/relationships/profiles", members([pid]))
    answer = call(client, "GET", f"/api/profiles/{pid}/lists?fields[list]=name")
    assert answer.status_code == 200
    assert sorted(r["attributes"]["name"] for r in answer.json["data"]) == ["News", "VIP"]
    ids = call(client, "GET", f"/api/profiles/{pid}/relationships/lists").json["data"]
    assert sorted(r["id"] for r in ids) == sorted([news, vip])
    assert all(r["type"] == "list" for r in ids)


@pytest.mark.parametrize("path", ["/api/profiles/{}/lists", "/api/profiles/{}/relationships/lists"])
def test_the_lists_of_an_unknown_profile_are_404(client: FlaskClient, path: str) -> None:
    answer = call(client, "GET", path.format("01JUNKNOWN"))
    assert (answer.status_code, error(answer)["code"]) == (404, "not_found")


def test_a_list_listing_reads_whole_profiles_only_for_its_page(
    client: FlaskClient, klaviyo: Any
) -> None:
    list_id = make_list(client)
    ids = [make_profile(client, f"m{i:02d}@x.com") for i in range(12)]
    assert (
        call(
            client, "POST", f"/api/lists/{list_id}/relationships/profiles", members(ids)
        ).status_code
        == 204
    )
    store = klaviyo.store
    reads: list[str] = []
    original = store.get_profile
    store.memberships = lambda account, list_id: pytest.fail("a listing copied every membership")
    store.get_profile = lambda account, pid: reads.append(pid) or original(account, pid)
    answer = call(client, "GET", f"/api/lists/{list_id}/profiles?page[size]=5")
    assert [p["id"] for p in answer.json["data"]] == ids[:5]
    assert len(set(reads)) == 5
