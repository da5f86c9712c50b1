"""Today's profile endpoints (klaviyo-behavior.md §5, current-api.md §1, §2, §4, §8).

Every answer here is also checked against stable.json by the ``app`` fixture.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import CURRENT
from conftest import OTHER_PRIVATE
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import b64
from conftest import current
from conftest import new_profile


def profile_doc(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "profile", "attributes": attributes}}


def patch_doc(profile_id: str, meta: dict[str, Any] | None = None, **attributes: Any):
    data: dict[str, Any] = {"type": "profile", "id": profile_id, "attributes": attributes}
    if meta is not None:
        data["meta"] = meta
    return {"data": data}


def error(answer) -> dict[str, Any]:
    [found] = answer.json["errors"]
    return found


def count(client) -> int:
    return len(current(client, "GET", "/api/profiles?page[size]=100").json["data"])


def identify(client, **properties: Any) -> None:
    answer = client.get(
        "/api/identify", query_string={"data": b64({"token": PUBLIC, "properties": properties})}
    )
    assert answer.get_data(as_text=True) == "1"


# -- key, revision, content type, paths --------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "code", "source"),
    [
        ({"Authorization": None}, 401, "not_authenticated", {"pointer": "/data/"}),
        ({"Authorization": "pk_test"}, 401, "not_authenticated", {"pointer": "/data/"}),
        ({"Authorization": "Klaviyo-API-Key "}, 401, "not_authenticated", {"pointer": "/data/"}),
        ({"revision": None}, 400, "invalid", {"parameter": "revision"}),
        ({"revision": "2026-7-15"}, 400, "invalid", {"parameter": "revision"}),
        ({"revision": "2026-02-30"}, 400, "invalid", {"parameter": "revision"}),
        ({"revision": "latest"}, 400, "invalid", {"parameter": "revision"}),
        ({"revision": "2999-01-15"}, 404, "not_found", {"parameter": "revision"}),
        ({"revision": "2020-01-01"}, 404, "not_found", {"parameter": "revision"}),
    ],
)
def test_key_and_revision_are_required(client, headers, status, code, source):
    sent = {k: v for k, v in {**CURRENT, **headers}.items() if v is not None}
    answer = client.get("/api/profiles", headers=sent)
    assert answer.status_code == status
    assert answer.mimetype == "application/vnd.api+json"
    found = error(answer)
    assert (found["status"], found["code"], found["source"]) == (status, code, source)
    assert {"id", "title", "detail"} <= found.keys()


@pytest.mark.parametrize(
    "headers",
    [
        {"revision": "2026-10-15"},  # newer than the spec: what the SDK 25.0.0 sends
        {"revision": "2024-10-15"},
        {"revision": "2026-01-15.pre"},
        {"Authorization": "Bearer some-oauth-token"},
    ],
)
def test_well_formed_revisions_and_both_auth_schemes_are_served(client, headers):
    answer = client.get("/api/profiles", headers={**CURRENT, **headers})
    assert answer.status_code == 200
    assert answer.headers["X-Klaviyo-API-Revision"] == headers.get("revision", "2026-07-15")


def test_an_unknown_key_of_a_declared_account_is_refused():
    from openapi_check import validating

    from mockserver import create_app

    app = validating(create_app({"TESTING": True, "ACCOUNTS": [f"{PUBLIC}:{PRIVATE}"]}))
    client = app.test_client()
    headers = {"revision": "2026-07-15"}
    known = client.get(
        "/api/profiles", headers={**headers, "Authorization": f"Klaviyo-API-Key {PRIVATE}"}
    )
    assert known.status_code == 200
    unknown = client.get(
        "/api/profiles", headers={**headers, "Authorization": f"Klaviyo-API-Key {OTHER_PRIVATE}"}
    )
    assert (unknown.status_code, error(unknown)["detail"]) == (
        401,
        "Missing or invalid private key.",
    )


@pytest.mark.parametrize("content_type", ["application/vnd.api+json", "application/json"])
@pytest.mark.parametrize("path", ["/api/profiles", "/api/profiles/"])
def test_both_body_types_and_both_path_forms_work(client, content_type, path):
    answer = current(client, "POST", path, profile_doc(email="a@b.com"), content_type=content_type)
    assert answer.status_code == 201
    assert answer.mimetype == "application/vnd.api+json"
    assert answer.json["data"]["links"]["self"].endswith(
        f"/api/profiles/{answer.json['data']['id']}/"
    )


DEEP: dict[str, Any] = {}
for _ in range(11):
    DEEP = {"n": DEEP}

BAD_BODIES = [
    (
        '{"data": {"type": "profile", "attributes": {"email": "a@b.com", "properties": {"x": 1e999}}}}',
        400,
        "/data/",
    ),
    (
        '{"data": {"type": "profile", "attributes": {"email": "a@b.com", "location": {"latitude": -1e400}}}}',
        400,
        "/data/",
    ),
    (json.dumps(profile_doc(external_id="  ")), 400, "/data/attributes"),
    (json.dumps(profile_doc(email="a@b.com", properties=DEEP)), 400, "/data/attributes/properties"),
    (
        json.dumps(profile_doc(email="a@b.com", properties={"s": "x" * 100_001})),
        400,
        "/data/attributes/properties",
    ),
    (
        json.dumps(profile_doc(email="a@b.com", properties={"a": list(range(4001))})),
        400,
        "/data/attributes/properties",
    ),
    ("not json", 400, "/data/"),
    ("[1]", 400, "/data"),
    ('{"nodata": 1}', 400, "/data"),
    (
        json.dumps({"data": {"type": "event", "attributes": {"email": "a@b.com"}}}),
        400,
        "/data/type",
    ),
    (json.dumps({"data": {"attributes": {"email": "a@b.com"}}}), 400, "/data/type"),
    (json.dumps({"data": {"type": "profile"}}), 400, "/data/attributes"),
    (json.dumps(profile_doc(email=5)), 400, "/data/attributes/email"),
    (json.dumps(profile_doc(email="a@b.com", properties=[1])), 400, "/data/attributes/properties"),
    (
        json.dumps(profile_doc(email="a@b.com", location={"city": 5})),
        400,
        "/data/attributes/location/city",
    ),
    (json.dumps(profile_doc(email="not-an-email")), 400, "/data/attributes/email"),
    (json.dumps(profile_doc(phone_number="12")), 400, "/data/attributes/phone_number"),
    (json.dumps(profile_doc(phone_number="5555550100")), 400, "/data/attributes/phone_number"),
    (json.dumps(profile_doc(first_name="No identifier")), 400, "/data/attributes"),
]


@pytest.mark.parametrize(("raw", "status", "pointer"), BAD_BODIES)
def test_bad_bodies_get_the_envelope_and_change_nothing(client, raw, status, pointer):
    answer = current(client, "POST", "/api/profiles", raw)
    assert answer.status_code == status, answer.json
    assert error(answer)["source"] == {"pointer": pointer}
    assert count(client) == 0


def test_klaviyos_own_words_for_bad_identifiers(client):
    email = current(client, "POST", "/api/profiles", profile_doc(email="nope"))
    phone = current(client, "POST", "/api/profiles", profile_doc(phone_number="+1"))
    none = current(client, "POST", "/api/profiles", profile_doc(first_name="A"))
    assert error(email)["detail"] == "Invalid email address"
    assert error(phone)["detail"] == (
        "Invalid phone number format (Example of a valid format: +12345678901)"
    )
    assert error(none)["detail"] == "One or more identifiers is required"


def test_another_media_type_is_refused(client):
    answer = current(client, "POST", "/api/profiles", "email=a@b.com", content_type="text/plain")
    assert (answer.status_code, error(answer)["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/profiles/01JUNKNOWNPROFILE000000000"), ("PATCH", "/api/profiles/01JUNKNOWN")],
)
def test_unknown_profiles_are_404(client, method, path):
    profile_id = path.rsplit("/", 1)[1]
    answer = current(
        client, method, path, patch_doc(profile_id, first_name="A") if method == "PATCH" else None
    )
    assert (answer.status_code, error(answer)["code"]) == (404, "not_found")
    assert profile_id in error(answer)["detail"]


def test_a_wrong_method_is_405_with_allow(client):
    answer = current(client, "DELETE", "/api/profiles")
    assert answer.status_code == 405
    assert error(answer)["code"] == "method_not_allowed"
    assert "GET" in answer.headers["Allow"]


# -- POST /api/profiles ------------------------------------------------------------------------


def test_create_answers_the_profile_as_klaviyo_shows_it(client):
    answer = current(
        client,
        "POST",
        "/api/profiles",
        profile_doc(
            email="Henry@Example.com",
            phone_number="+1 (415) 555-0100",
            external_id="h-1",
            anonymous_id="anon-1",
            first_name="Henry",
            location={"city": "Boston", "latitude": 42.36},
            properties={"FavoriteColors": ["blue"]},
        ),
    )
    assert answer.status_code == 201
    data = answer.json["data"]
    attributes = data["attributes"]
    assert (attributes["email"], attributes["phone_number"], attributes["external_id"]) == (
        "henry@example.com",
        "+14155550100",
        "h-1",
    )
    assert attributes["location"] == {"city": "Boston", "latitude": 42.36}
    assert attributes["properties"] == {"FavoriteColors": ["blue"]}
    assert "anonymous_id" not in attributes and "_kx" not in attributes
    assert attributes["created"].endswith("+00:00")
    assert len(data["id"]) == 26


@pytest.mark.parametrize(
    "second",
    [
        {"email": "A@B.com"},
        {"phone_number": "+14155550100"},
        {"external_id": "x-1"},
        {"email": "new@b.com", "external_id": "x-1"},
    ],
)
def test_create_with_a_held_identifier_is_409_naming_the_holder(client, second):
    first = new_profile(client, email="a@b.com", phone_number="+14155550100", external_id="x-1")
    answer = current(client, "POST", "/api/profiles", profile_doc(**second))
    assert answer.status_code == 409
    found = error(answer)
    assert (found["code"], found["title"]) == ("duplicate_profile", "Conflict.")
    assert found["detail"] == "A profile already exists with one of these identifiers."
    assert found["source"] == {"pointer": "/data/attributes"}
    assert found["meta"] == {"duplicate_profile_id": first}
    assert count(client) == 1


def test_create_then_patch_the_duplicate(client):
    """The common integration pattern (segment, PostHog): POST, and on 409 PATCH the holder."""
    first = new_profile(client, email="a@b.com")
    answer = current(client, "POST", "/api/profiles", profile_doc(email="a@b.com", first_name="A"))
    holder = error(answer)["meta"]["duplicate_profile_id"]
    patched = current(client, "PATCH", f"/api/profiles/{holder}", patch_doc(holder, first_name="A"))
    assert patched.status_code == 200
    assert (holder, patched.json["data"]["attributes"]["first_name"]) == (first, "A")


# -- PATCH /api/profiles/{id} ------------------------------------------------------------------


PATCHES = [
    # (attributes, meta, expected attributes subset, expected properties)
    ({"first_name": None}, None, {"first_name": None, "last_name": "L"}, {"a": 1, "tags": ["x"]}),
    ({"last_name": "New"}, None, {"first_name": "F", "last_name": "New"}, {"a": 1, "tags": ["x"]}),
    ({"properties": {"b": 2}}, None, {"first_name": "F"}, {"a": 1, "b": 2, "tags": ["x"]}),
    ({"location": {"city": "Paris"}}, None, {"location": {"city": "Paris", "zip": "02110"}}, None),
    ({"location": None}, None, {"location": {}}, None),
    ({"phone_number": None}, None, {"phone_number": None, "email": "p@b.com"}, None),
    ({}, {"patch_properties": {"append": {"tags": "y"}}}, {}, {"a": 1, "tags": ["x", "y"]}),
    (
        {},
        {"patch_properties": {"append": {"tags": ["y", "z"]}}},
        {},
        {"a": 1, "tags": ["x", "y", "z"]},
    ),
    ({}, {"patch_properties": {"append": {"a": 2}}}, {}, {"a": [1, 2], "tags": ["x"]}),
    ({}, {"patch_properties": {"append": {"new": "v"}}}, {}, {"a": 1, "tags": ["x"], "new": ["v"]}),
    ({}, {"patch_properties": {"unappend": {"tags": "x"}}}, {}, {"a": 1, "tags": []}),
    ({}, {"patch_properties": {"unset": "a"}}, {}, {"tags": ["x"]}),
    ({}, {"patch_properties": {"unset": ["a", "tags", "missing"]}}, {}, {}),
    (
        {},
        {"patch_properties": {"append": None, "unappend": None, "unset": None}},
        {},
        {"a": 1, "tags": ["x"]},
    ),
]


@pytest.mark.parametrize(("attributes", "meta", "expected", "properties"), PATCHES)
def test_patch_null_clears_omitted_keeps_meta_patches(
    client, attributes, meta, expected, properties
):
    pid = new_profile(
        client,
        email="p@b.com",
        phone_number="+14155550100",
        first_name="F",
        last_name="L",
        location={"city": "Boston", "zip": "02110"},
        properties={"a": 1, "tags": ["x"]},
    )
    answer = current(client, "PATCH", f"/api/profiles/{pid}", patch_doc(pid, meta, **attributes))
    assert answer.status_code == 200, answer.json
    got = answer.json["data"]["attributes"]
    assert {k: got[k] for k in expected} == expected
    if properties is not None:
        assert got["properties"] == properties
    again = current(client, "GET", f"/api/profiles/{pid}").json["data"]["attributes"]
    assert again == got


@pytest.mark.parametrize(
    ("attributes", "meta", "status", "pointer", "detail"),
    [
        ({"email": "b@b.com"}, None, 409, "/data/attributes", None),
        (
            {"email": None, "phone_number": None},
            None,
            400,
            "/data/attributes",
            "One or more identifiers is required",
        ),
        ({"email": "nope"}, None, 400, "/data/attributes/email", "Invalid email address"),
        (
            {},
            {"patch_properties": {"unset": 5}},
            400,
            "/data/meta/patch_properties/unset",
            "Unset must be a string or an array of strings (the property keys to unset).",
        ),
        (
            {},
            {"patch_properties": {"unset": ["a", 5]}},
            400,
            "/data/meta/patch_properties/unset",
            None,
        ),
        ({"properties": "x"}, None, 400, "/data/attributes/properties", None),
        (
            {},
            {"patch_properties": {"append": {"deep": DEEP}}},
            400,
            "/data/meta/patch_properties/append",
            None,
        ),
    ],
)
def test_refused_patches_change_nothing(client, attributes, meta, status, pointer, detail):
    pid = new_profile(client, email="a@b.com", phone_number="+14155550100", properties={"a": 1})
    other = new_profile(client, email="b@b.com")
    before = current(client, "GET", f"/api/profiles/{pid}").json
    answer = current(client, "PATCH", f"/api/profiles/{pid}", patch_doc(pid, meta, **attributes))
    assert answer.status_code == status
    found = error(answer)
    assert found["source"] == {"pointer": pointer}
    if detail:
        assert found["detail"] == detail
    if status == 409:
        assert found["meta"] == {"duplicate_profile_id": other}
    assert current(client, "GET", f"/api/profiles/{pid}").json == before


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"data": {"type": "profile", "attributes": {"first_name": "A"}}}, "/data/id"),
        ({"data": {"type": "profile", "id": "01OTHER", "attributes": {}}}, "/data/id"),
        ({"data": {"type": "list", "id": "{pid}", "attributes": {}}}, "/data/type"),
    ],
)
def test_patch_needs_the_id_of_the_url(client, document, pointer):
    pid = new_profile(client, email="a@b.com")
    raw = json.dumps(document).replace("{pid}", pid)
    answer = current(client, "PATCH", f"/api/profiles/{pid}", raw)
    assert (answer.status_code, error(answer)["source"]) == (400, {"pointer": pointer})


def test_patch_identifiers_keeps_secondary_emails_off_the_identity_index(client):
    pid = new_profile(client, email="a@b.com")
    meta = {"patch_identifiers": {"append": {"email": ["second@b.com"]}}}
    assert current(client, "PATCH", f"/api/profiles/{pid}", patch_doc(pid, meta)).status_code == 200
    other = current(client, "POST", "/api/profiles", profile_doc(email="second@b.com"))
    assert other.status_code == 201


def test_changing_an_email_keeps_the_old_one_as_evidence(client):
    pid = new_profile(client, email="old@b.com")
    current(client, "PATCH", f"/api/profiles/{pid}", patch_doc(pid, email="new@b.com"))
    new_profile(client, email="old@b.com")
    [group] = client.get("/__mock__/duplicates").json["groups"]
    assert pid in {p["id"] for p in group["profiles"]}


# -- POST /api/profile-import ------------------------------------------------------------------


def import_doc(profile_id: str | None = None, **attributes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "profile", "attributes": attributes}
    if profile_id is not None:
        data["id"] = profile_id
    return {"data": data}


def test_import_creates_201_then_updates_200(client):
    created = current(
        client, "POST", "/api/profile-import", import_doc(email="a@b.com", first_name="A")
    )
    assert created.status_code == 201
    updated = current(
        client, "POST", "/api/profile-import", import_doc(email="a@b.com", last_name="B")
    )
    assert updated.status_code == 200
    assert updated.json["data"]["id"] == created.json["data"]["id"]
    assert (
        updated.json["data"]["attributes"]["first_name"],
        updated.json["data"]["attributes"]["last_name"],
    ) == ("A", "B")


def test_import_found_by_phone_takes_the_new_email(client):
    """DOCS-IDUP: an existing profile's phone and a new email update that profile's email."""
    pid = new_profile(client, email="old@b.com", phone_number="+14155550100")
    answer = current(
        client,
        "POST",
        "/api/profile-import",
        import_doc(email="new@b.com", phone_number="+14155550100"),
    )
    assert (answer.status_code, answer.json["data"]["id"]) == (200, pid)
    assert answer.json["data"]["attributes"]["email"] == "new@b.com"


def test_import_with_an_id_updates_that_profile_email_and_phone(client):
    pid = new_profile(client, email="old@b.com", phone_number="+14155550100")
    answer = current(
        client,
        "POST",
        "/api/profile-import",
        import_doc(pid, email="new@b.com", phone_number="+14155550199"),
    )
    assert answer.status_code == 200
    attributes = answer.json["data"]["attributes"]
    assert (attributes["email"], attributes["phone_number"]) == ("new@b.com", "+14155550199")


@pytest.mark.parametrize(
    "identifiers",
    [
        {"email": "a@b.com", "phone_number": "+14155550100"},
        {"email": "a@b.com", "external_id": "b-1"},
        {"phone_number": "+14155550100", "external_id": "a-1"},
    ],
)
def test_import_matching_two_profiles_is_409_and_recorded(client, identifiers):
    a = new_profile(client, email="a@b.com", external_id="a-1")
    b = new_profile(client, phone_number="+14155550100", external_id="b-1")
    answer = current(
        client, "POST", "/api/profile-import", import_doc(**identifiers, first_name="X")
    )
    assert answer.status_code == 409
    holder = error(answer)["meta"]["duplicate_profile_id"]
    assert holder in {a, b}
    for pid in (a, b):
        assert (
            current(client, "GET", f"/api/profiles/{pid}").json["data"]["attributes"]["first_name"]
            is None
        )
    [group] = client.get("/__mock__/duplicates").json["groups"]
    assert {p["id"] for p in group["profiles"]} == {a, b}


def test_import_with_an_unknown_id_is_404(client):
    answer = current(
        client, "POST", "/api/profile-import", import_doc("01JUNKNOWN", email="a@b.com")
    )
    assert answer.status_code == 404
    assert count(client) == 0


# -- POST /api/profile-merge -------------------------------------------------------------------


def merge_doc(destination: str, *sources: str, kind: str = "profile-merge") -> dict[str, Any]:
    return {
        "data": {
            "type": kind,
            "id": destination,
            "relationships": {
                "profiles": {"data": [{"type": "profile", "id": s} for s in sources]}
            },
        }
    }


def test_merge_keeps_the_destination_and_moves_what_the_source_had(client):
    dest = new_profile(
        client, email="d@b.com", first_name="Dest", properties={"plan": "pro", "a": 1}
    )
    source = new_profile(
        client,
        phone_number="+14155550100",
        first_name="Src",
        last_name="Last",
        properties={"plan": "free", "b": 2},
    )
    identify(client, **{"$phone_number": "+14155550100", "$first_name": "Src"})
    client.get(
        "/api/track",
        query_string={
            "data": b64(
                {
                    "token": PUBLIC,
                    "event": "Paid",
                    "customer_properties": {"$phone_number": "+14155550100"},
                }
            )
        },
    )
    list_id = client.post("/api/v2/lists", data={"api_key": "pk_test", "list_name": "News"}).json[
        "list_id"
    ]
    client.post(
        f"/api/v2/list/{list_id}/subscribe",
        json={"api_key": "pk_test", "profiles": [{"phone_number": "+14155550100"}]},
    )

    answer = current(client, "POST", "/api/profile-merge", merge_doc(dest, source))
    assert answer.status_code == 201
    assert answer.json["data"] == {
        "type": "profile",
        "id": dest,
        "links": {"self": answer.json["data"]["links"]["self"]},
    }

    assert current(client, "GET", f"/api/profiles/{source}").status_code == 404
    merged = current(client, "GET", f"/api/profiles/{dest}").json["data"]["attributes"]
    assert (merged["email"], merged["phone_number"]) == ("d@b.com", "+14155550100")
    assert (merged["first_name"], merged["last_name"]) == ("Dest", "Last")
    assert merged["properties"] == {"plan": "pro", "a": 1, "b": 2}
    assert merged["last_event_date"] is not None
    timeline = client.get(
        f"/api/v1/person/{dest}/metrics/timeline", query_string={"api_key": "pk_test"}
    ).json
    assert [e["event_name"] for e in timeline["data"]] == ["Paid"]
    members = client.get(
        f"/api/v2/group/{list_id}/members/all", query_string={"api_key": "pk_test"}
    ).json
    assert [r["id"] for r in members["records"]] == [dest]
    search = client.get(
        "/api/v2/people/search", query_string={"api_key": "pk_test", "phone_number": "+14155550100"}
    )
    assert search.json == {"id": dest}


def test_merge_takes_the_sources_identifier_only_where_the_destination_has_none(client):
    dest = new_profile(client, email="d@b.com")
    source = new_profile(client, email="s@b.com", external_id="s-1")
    current(client, "POST", "/api/profile-merge", merge_doc(dest, source))
    merged = current(client, "GET", f"/api/profiles/{dest}").json["data"]["attributes"]
    assert (merged["email"], merged["external_id"]) == ("d@b.com", "s-1")
    state = client.get("/__mock__/profiles", query_string={"email": "d@b.com"}).json
    assert state["profiles"][0]["former_identifiers"] == {"email": ["s@b.com"]}


@pytest.mark.parametrize(
    ("build", "status", "pointer"),
    [
        (lambda d, s: merge_doc(d, d), 400, "/data/relationships/profiles"),
        (lambda d, s: merge_doc(d), 400, "/data/relationships/profiles/data"),
        (lambda d, s: merge_doc(d, s, "01JUNKNOWN"), 400, "/data/relationships/profiles/data"),
        (lambda d, s: merge_doc(d, s, s), 400, "/data/relationships/profiles/data"),
        (lambda d, s: merge_doc(d, s, kind="profile"), 400, "/data/type"),
        (lambda d, s: {"data": {"type": "profile-merge", "id": d}}, 400, "/data/relationships"),
        (lambda d, s: merge_doc("01JUNKNOWN", s), 404, "/data/"),
        (lambda d, s: merge_doc(d, "01JUNKNOWN"), 404, "/data/"),
    ],
)
def test_refused_merges_change_nothing(client, build, status, pointer):
    dest = new_profile(client, email="d@b.com")
    source = new_profile(client, email="s@b.com")
    answer = current(client, "POST", "/api/profile-merge", build(dest, source))
    assert answer.status_code == status
    assert error(answer)["source"] == {"pointer": pointer}
    assert count(client) == 2


def test_a_merge_resolves_the_duplicate_report(client):
    identify(client, **{"$email": "b@x.com"})
    identify(client, **{"$id": "b-1"})
    identify(client, **{"$id": "b-1", "$email": "b2@x.com"})
    ids = [p["id"] for p in client.get("/__mock__/profiles").json["profiles"]]
    client.get(
        "/api/identify",
        query_string={
            "data": b64({"token": PUBLIC, "properties": {"$email": "b@x.com", "$id": "b-1"}})
        },
    )
    assert client.get("/__mock__/duplicates").json["groups"]
    current(client, "POST", "/api/profile-merge", merge_doc(ids[0], *ids[1:]))
    assert client.get("/__mock__/duplicates").json["groups"] == []
    assert count(client) == 1


# -- cross-generation identity -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "filter_"),
    [
        ({"$email": "L@X.com"}, 'equals(email,"l@x.com")'),
        ({"$id": "legacy-1"}, "equals(external_id,'legacy-1')"),
        ({"$phone_number": "+14155550123", "$id": "p"}, 'equals(phone_number,"+14155550123")'),
        ({"$exchange_id": "kx.1", "$id": "k"}, 'equals(_kx,"kx.1")'),
    ],
)
def test_a_profile_legacy_identify_made_is_found_by_todays_api(client, legacy, filter_):
    identify(client, **legacy, **{"$first_name": "Leg"})
    answer = current(client, "GET", "/api/profiles", query_string={"filter": filter_})
    [profile] = answer.json["data"]
    assert profile["attributes"]["first_name"] == "Leg"


def test_a_profile_todays_api_made_is_found_by_the_legacy_api(client):
    pid = new_profile(client, email="c@x.com", external_id="c-1", first_name="Cur")
    search = client.get(
        "/api/v2/people/search", query_string={"api_key": "pk_test", "email": "c@x.com"}
    )
    assert search.json == {"id": pid}
    person = client.get(f"/api/v1/person/{pid}", query_string={"api_key": "pk_test"}).json
    assert (person["$id"], person["$first_name"]) == ("c-1", "Cur")
    identify(client, **{"$id": "c-1", "$last_name": "Leg"})
    assert (
        current(client, "GET", f"/api/profiles/{pid}").json["data"]["attributes"]["last_name"]
        == "Leg"
    )
    assert count(client) == 1


# -- GET /api/profiles: filter, sort, fields, pages -------------------------------------------


@pytest.fixture
def three(client) -> list[str]:
    return [
        new_profile(client, email="a@x.com", external_id="e-a", phone_number="+14155550101"),
        new_profile(client, email="b@x.com", external_id="e-b"),
        new_profile(client, email="c@x.com"),
    ]


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ('equals(email,"b@x.com")', [1]),
        ("equals(email,'B@X.COM')", [1]),
        ("any(email,['a@x.com','c@x.com','z@x.com'])", [0, 2]),
        ("any(email,['a@x.com','A@x.com',' a@x.com'])", [0]),  # one profile, once
        ('any(external_id,["e-a","e-b"])', [0, 1]),
        ('equals(phone_number,"+14155550101")', [0]),
        ('equals(email,"nobody@x.com")', []),
        ('equals(email,"not an email")', []),
        ('equals(email,"a@x.com"),equals(external_id,"e-b")', []),
        ('and(any(email,["a@x.com","b@x.com"]),equals(external_id,"e-b"))', [1]),
        ("greater-than(created,2000-01-01T00:00:00Z)", [0, 1, 2]),
        ("less-than(updated,2000-01-01T00:00:00+00:00)", []),
    ],
)
def test_filters_select_profiles(client, three, filter_, expected):
    answer = current(client, "GET", "/api/profiles", query_string={"filter": filter_})
    assert answer.status_code == 200, answer.json
    assert [p["id"] for p in answer.json["data"]] == [three[i] for i in expected]


def test_the_id_filter(client, three):
    answer = current(
        client,
        "GET",
        "/api/profiles",
        query_string={"filter": f'any(id,["{three[2]}","{three[0]}"])'},
    )
    assert sorted(p["id"] for p in answer.json["data"]) == sorted([three[0], three[2]])


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"filter": "equals(first_name,'a')"}, "filter"),
        ({"filter": "greater-than(email,'a')"}, "filter"),
        ({"filter": "equals(email,"}, "filter"),
        ({"sort": "first_name"}, "sort"),
        ({"sort": "--email"}, "sort"),
        ({"page[size]": "0"}, "page[size]"),
        ({"page[size]": "101"}, "page[size]"),
        ({"page[size]": "ten"}, "page[size]"),
        ({"page[cursor]": "not-a-cursor"}, "page[cursor]"),
        ({"fields[profile]": "email,shoe_size"}, "fields[profile]"),
        ({"additional-fields[profile]": "everything"}, "additional-fields[profile]"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_parameter(client, three, query, parameter):
    answer = current(client, "GET", "/api/profiles", query_string=query)
    assert answer.status_code == 400
    assert error(answer)["source"] == {"parameter": parameter}


@pytest.mark.parametrize(
    ("sort", "order"),
    [("email", [0, 1, 2]), ("-email", [2, 1, 0]), ("id", [0, 1, 2]), ("-created", None)],
)
def test_sort(client, three, sort, order):
    data = current(client, "GET", "/api/profiles", query_string={"sort": sort}).json["data"]
    if order is not None:
        assert [p["id"] for p in data] == [three[i] for i in order]
    else:
        assert sorted(p["id"] for p in data) == sorted(three)


def test_sparse_fieldsets_and_subscriptions(client, three):
    answer = current(
        client,
        "GET",
        f"/api/profiles/{three[0]}",
        query_string={
            "fields[profile]": "email,location.city,subscriptions",
            "additional-fields[profile]": "subscriptions",
        },
    )
    attributes = answer.json["data"]["attributes"]
    assert set(attributes) == {"email", "location", "subscriptions"}
    assert attributes["subscriptions"]["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"


def cursor_forms(next_link: str) -> list[str]:
    """The three ways the SDKs send ``links.next`` back (current-api.md §9.1)."""
    from urllib.parse import parse_qs
    from urllib.parse import urlsplit

    cursor = parse_qs(urlsplit(next_link).query)["page[cursor]"][0]
    return [cursor, "=" + cursor, next_link]


@pytest.mark.parametrize("form", [0, 1, 2])
def test_pages_of_250_profiles_come_back_once_each_in_order(client, form):
    made = [new_profile(client, email=f"p{i:03d}@x.com") for i in range(250)]
    seen: list[str] = []
    query: dict[str, str] = {"page[size]": "100"}
    while True:
        answer = current(client, "GET", "/api/profiles", query_string=query)
        assert answer.status_code == 200
        seen += [p["id"] for p in answer.json["data"]]
        if "next" not in answer.json["links"]:
            break
        query = {
            "page[size]": "100",
            "page[cursor]": cursor_forms(answer.json["links"]["next"])[form],
        }
    assert seen == made


@pytest.mark.parametrize("path", ["/api/profiles", "/api/profiles/"])
def test_page_links_carry_the_query_as_klaviyo_writes_them(client, path):
    for i in range(3):
        new_profile(client, email=f"p{i}@x.com")
    first = current(client, "GET", path, query_string={"page[size]": "2", "sort": "email"})
    links = first.json["links"]
    base = "http://localhost/api/profiles/?"
    assert links["self"] == base + "page%5Bsize%5D=2&sort=email"
    assert links["next"].startswith(base + "page%5Bsize%5D=2&sort=email&page%5Bcursor%5D=")
    second = current(client, "GET", links["next"])
    assert second.json["links"] == {"self": links["next"]}
    assert [p["attributes"]["email"] for p in second.json["data"]] == ["p2@x.com"]


def test_pages_follow_a_sort_and_a_filter(client):
    for i in range(30):
        new_profile(client, email=f"p{i:02d}@x.com", external_id=f"e{i % 2}-{i}")
    query = {
        "page[size]": "7",
        "sort": "-email",
        "filter": "greater-than(created,2000-01-01T00:00:00Z)",
    }
    emails: list[str] = []
    url = "/api/profiles"
    while url:
        answer = current(client, "GET", url, query_string=query or None)
        emails += [p["attributes"]["email"] for p in answer.json["data"]]
        url = answer.json["links"].get("next", "")
        query = {}
    assert emails == sorted((f"p{i:02d}@x.com" for i in range(30)), reverse=True)


def test_a_lookup_by_email_does_not_read_every_profile(client, klaviyo):
    for i in range(50):
        new_profile(client, email=f"p{i}@x.com")
    reads = []
    store = klaviyo.store
    original = store.profiles
    store.profiles = lambda account: reads.append(account) or original(account)
    answer = current(
        client, "GET", "/api/profiles", query_string={"filter": 'equals(email,"p7@x.com")'}
    )
    assert len(answer.json["data"]) == 1
    assert reads == []


def test_the_journal_explains_a_409(client):
    first = new_profile(client, email="j@x.com")
    current(client, "POST", "/api/profiles", profile_doc(email="J@X.com"))
    entries = client.get("/__mock__/journal", query_string={"identifier": "j@x.com"}).json[
        "entries"
    ]
    assert [e["status"] for e in entries] == [409, 201]
    assert any(first in decision and "j@x.com" in decision for decision in entries[0]["decisions"])


@pytest.mark.parametrize("sort", ["id", "-id", "email", "-email", "created", "-updated"])
def test_every_sort_pages_through_everyone_once(client, sort):
    made = {new_profile(client, email=f"s{i:02d}@x.com") for i in range(23)}
    seen: list[str] = []
    query: dict[str, str] = {"page[size]": "5", "sort": sort}
    while True:
        answer = current(client, "GET", "/api/profiles", query_string=query)
        seen += [p["id"] for p in answer.json["data"]]
        if "next" not in answer.json["links"]:
            break
        query = {**query, "page[cursor]": cursor_forms(answer.json["links"]["next"])[0]}
    assert sorted(seen) == sorted(made) and len(seen) == 23
    if sort in ("id", "-id"):
        assert seen == sorted(made, reverse=sort == "-id")


def legacy_list(client, name: str = "News") -> str:
    return client.post("/api/v2/lists", data={"api_key": "pk_test", "list_name": name}).json[
        "list_id"
    ]


@pytest.mark.parametrize(
    ("dest_status", "source_status", "expected"),
    [
        ("member", "pending", "member"),  # a pending source does not take the destination off
        ("unsubscribed", "member", "unsubscribed"),  # nor does a member undo an exclusion
        (None, "subscribed", "subscribed"),  # a list only the source was on moves
        ("pending", "subscribed", "pending"),  # the destination keeps its own, list by list
    ],
)
def test_a_merge_keeps_the_destinations_membership_list_by_list(
    client, klaviyo, dest_status, source_status, expected
):
    from mockserver.domain.models import Membership
    from mockserver.domain.models import MemberStatus

    list_id = legacy_list(client)
    dest = new_profile(client, email="d@b.com")
    source = new_profile(client, email="s@b.com")
    for pid, status in ((dest, dest_status), (source, source_status)):
        if status is not None:
            klaviyo.store.save_membership(
                "default",
                Membership(list_id, pid, MemberStatus(status), "2026-01-01T00:00:00+00:00"),
            )
    assert current(client, "POST", "/api/profile-merge", merge_doc(dest, source)).status_code == 201
    membership = klaviyo.store.membership("default", list_id, dest)
    assert membership.status.value == expected
    assert klaviyo.store.membership("default", list_id, source) is None


def test_a_merge_keeps_the_evidence_that_named_the_source(client):
    """Row 11 (A{E}, B{U}): merging B into C leaves C and A as one person."""
    identify(client, **{"$email": "e@x.com"})
    identify(client, **{"$id": "u-1"})
    identify(client, **{"$email": "e@x.com", "$id": "u-1"})
    a = client.get("/__mock__/profiles", query_string={"email": "e@x.com"}).json["profiles"][0][
        "id"
    ]
    b = client.get("/__mock__/profiles", query_string={"external_id": "u-1"}).json["profiles"][0][
        "id"
    ]
    c = new_profile(client, email="c@x.com")
    assert current(client, "POST", "/api/profile-merge", merge_doc(c, b)).status_code == 201
    [group] = client.get("/__mock__/duplicates").json["groups"]
    assert {p["id"] for p in group["profiles"]} == {a, c}


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "email"},
        {"sort": "-updated", "filter": "greater-than(created,2000-01-01T00:00:00Z)"},
    ],
)
def test_a_listing_reads_whole_profiles_only_for_its_page(client, klaviyo, query):
    for i in range(30):
        new_profile(client, email=f"p{i:02d}@x.com")
    store = klaviyo.store
    reads: list[str] = []
    original = store.get_profile
    store.profiles = lambda account: pytest.fail("a listing copied every profile")
    store.get_profile = lambda account, pid: reads.append(pid) or original(account, pid)
    answer = current(client, "GET", "/api/profiles", query_string={**query, "page[size]": "5"})
    assert len(answer.json["data"]) == 5
    assert len(set(reads)) == 5


def test_identifiers_are_trimmed_and_an_empty_one_is_absent(client):
    pid = new_profile(client, email="f@x.com", external_id=" U1 ", phone_number="")
    attributes = current(client, "GET", f"/api/profiles/{pid}").json["data"]["attributes"]
    assert (attributes["external_id"], attributes["phone_number"]) == ("U1", None)
    assert (
        current(
            client, "POST", "/api/profiles", profile_doc(email="g@x.com", external_id="")
        ).status_code
        == 201
    )
    identify(client, **{"$id": "U1"})
    assert count(client) == 2  # legacy $id U1 found f@x.com's profile


def test_a_blank_profile_id_counts_as_absent(client):
    answer = current(client, "POST", "/api/profile-import", import_doc(" ", email="imp@x.com"))
    assert answer.status_code == 201


def test_filter_values_are_trimmed_like_identifiers(client):
    pid = new_profile(client, email="t@x.com", external_id=" EA ")
    found = current(
        client, "GET", "/api/profiles", query_string={"filter": 'equals(external_id," EA ")'}
    )
    assert [p["id"] for p in found.json["data"]] == [pid]


def test_a_refused_patch_is_journaled_under_the_profile_it_was_for(client):
    a = new_profile(client, email="a@x.com")
    new_profile(client, email="b@x.com")
    current(client, "PATCH", f"/api/profiles/{a}", patch_doc(a, email="b@x.com"))
    [entry] = [
        e
        for e in client.get("/__mock__/journal", query_string={"identifier": a}).json["entries"]
        if e["status"] == 409
    ]
    assert a in entry["profiles"]


# -- filters and sorts on consent (the spec's subscriptions.* fields) -------------------------


def _suppress(client, *emails: str) -> None:
    body = {
        "data": {
            "type": "profile-suppression-bulk-create-job",
            "attributes": {
                "profiles": {
                    "data": [{"type": "profile", "attributes": {"email": e}} for e in emails]
                }
            },
        }
    }
    assert (
        current(client, "POST", "/api/profile-suppression-bulk-create-jobs", body).status_code
        == 202
    )


def _unsubscribe_from(client, list_id: str, email: str) -> None:
    body = {
        "data": {
            "type": "profile-subscription-bulk-delete-job",
            "attributes": {
                "profiles": {
                    "data": [
                        {
                            "type": "profile",
                            "attributes": {
                                "email": email,
                                "subscriptions": {
                                    "email": {"marketing": {"consent": "UNSUBSCRIBED"}}
                                },
                            },
                        }
                    ]
                }
            },
            "relationships": {"list": {"data": {"type": "list", "id": list_id}}},
        }
    }
    assert (
        current(client, "POST", "/api/profile-subscription-bulk-delete-jobs", body).status_code
        == 202
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "filter=equals(subscriptions.email.marketing.suppression.reason,'USER_SUPPRESSED')",
            ["s@x.com"],
        ),
        (
            "filter=equals(subscriptions.email.marketing.suppression.reason,'UNSUBSCRIBE')",
            ["u@x.com"],
        ),
        ("filter=equals(subscriptions.email.marketing.suppression.reason,'HARD_BOUNCE')", []),
        (
            "filter=equals(subscriptions.email.marketing.list_suppressions.reason,'USER_SUPPRESSED')",
            ["u@x.com"],
        ),
        (
            "filter=equals(subscriptions.email.marketing.list_suppressions.list_id,'{list}')",
            ["u@x.com"],
        ),
        (
            "filter=greater-than(subscriptions.email.marketing.suppression.timestamp,2020-01-01T00:00:00Z)",
            ["s@x.com", "u@x.com"],
        ),
        (
            "filter=less-than(subscriptions.email.marketing.suppression.timestamp,2020-01-01T00:00:00Z)",
            [],
        ),
        (
            "filter=and(equals(email,'s@x.com'),equals(subscriptions.email.marketing.suppression.reason,'USER_SUPPRESSED'))",
            ["s@x.com"],
        ),
    ],
    ids=[
        "suppressed",
        "unsubscribed",
        "no-hard-bounce",
        "list-reason",
        "list-id",
        "after",
        "before",
        "and",
    ],
)
def test_filters_on_consent_the_etl_connectors_send(client, query, expected):
    list_id = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": "L"}}}
    ).json["data"]["id"]
    ids = [new_profile(client, email=email) for email in ("s@x.com", "u@x.com", "plain@x.com")]
    members = {"data": [{"type": "profile", "id": ids[1]}]}
    current(client, "POST", f"/api/lists/{list_id}/relationships/profiles", members)
    _suppress(client, "s@x.com")
    _unsubscribe_from(client, list_id, "u@x.com")
    answer = current(client, "GET", "/api/profiles?" + query.replace("{list}", list_id))
    assert answer.status_code == 200, answer.json
    assert sorted(p["attributes"]["email"] for p in answer.json["data"]) == expected


def test_sorting_by_suppression_time_puts_the_unsuppressed_first(client):
    for email in ("a@x.com", "b@x.com"):
        new_profile(client, email=email)
    _suppress(client, "b@x.com")
    answer = current(
        client, "GET", "/api/profiles?sort=-subscriptions.email.marketing.suppression.timestamp"
    )
    assert [p["attributes"]["email"] for p in answer.json["data"]] == ["b@x.com", "a@x.com"]
