"""Coupons and coupon codes: a coupon's id is its external id, a code's is its coupon's and its
unique code's; codes start unassigned and expire a year on unless told; a code given to a
profile stays; a coupon's codes go with it; the code bulk job applies what it can and names
what it could not. Every answer is checked against stable.json by the ``app`` fixture."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from conftest import current
from conftest import new_profile
from current import refused
from flask.testing import FlaskClient

from mockserver.domain.service import Klaviyo

JOB = "coupon-code-bulk-create-job"


def coupon_body(external_id: str = "10OFF", **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "coupon", "attributes": {"external_id": external_id, **attributes}}}


def code_body(unique_code: str, coupon: str = "10OFF", **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "coupon-code",
            "attributes": {"unique_code": unique_code, **attributes},
            "relationships": {"coupon": {"data": {"type": "coupon", "id": coupon}}},
        }
    }


def make_coupon(client: FlaskClient, external_id: str = "10OFF", **attributes: Any) -> str:
    answer = current(client, "POST", "/api/coupons", coupon_body(external_id, **attributes))
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def make_code(client: FlaskClient, unique_code: str, coupon: str = "10OFF", **more: Any) -> Any:
    answer = current(client, "POST", "/api/coupon-codes", code_body(unique_code, coupon, **more))
    assert answer.status_code == 200, answer.json
    return answer.json["data"]


def ids(client: FlaskClient, path: str) -> list[str]:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.json
    return [entry["id"] for entry in answer.json["data"]]


def codes_of(client: FlaskClient, coupon: str) -> list[str]:
    return ids(client, f"/api/coupon-codes?filter=equals(coupon.id,'{coupon}')")


def assign(klaviyo: Klaviyo, code: str, profile: str) -> None:
    """Give a code to a profile, as Klaviyo does when a message sends it (no API call does)."""
    account = klaviyo.accounts.for_private_key("pk_test")
    assert account is not None
    klaviyo.backend(account).resources.link("coupon-code", code, "profile", [profile], "replace")


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- coupons --------------------------------------------------------------------------------


def test_coupon_crud_round_trip(client: FlaskClient) -> None:
    made = current(client, "POST", "/api/coupons", coupon_body("10OFF", description="Ten off"))
    assert made.status_code == 201
    assert made.json["data"]["id"] == "10OFF"
    assert made.json["data"]["attributes"] == {
        "external_id": "10OFF",
        "description": "Ten off",
        "monitor_configuration": None,
    }
    assert current(client, "GET", "/api/coupons/10OFF").json["data"] == made.json["data"]
    assert ids(client, "/api/coupons") == ["10OFF"]

    change = {
        "data": {
            "type": "coupon",
            "id": "10OFF",
            "attributes": {"description": "Now 10%", "monitor_configuration": {"low": 5}},
        }
    }
    assert current(client, "PATCH", "/api/coupons/10OFF", change).status_code == 200
    shown = current(client, "GET", "/api/coupons/10OFF").json["data"]["attributes"]
    assert shown == {**change["data"]["attributes"], "external_id": "10OFF"}

    assert current(client, "DELETE", "/api/coupons/10OFF").status_code == 204
    refused(current(client, "GET", "/api/coupons/10OFF"), 404)
    refused(current(client, "DELETE", "/api/coupons/10OFF"), 404)


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (coupon_body("10OFF"), 409, "/data/attributes/external_id"),
        (coupon_body("  "), 400, "/data/attributes/external_id"),
        ({"data": {**coupon_body("20OFF")["data"], "id": "OTHER"}}, 400, "/data/id"),
        ({"data": {"type": "coupon", "attributes": {}}}, 400, "/data/attributes/external_id"),
    ],
    ids=["taken", "blank", "data-id-not-the-external-id", "no-external-id"],
)
def test_bad_coupon_creates_are_refused_and_change_nothing(
    client: FlaskClient, body: Any, status: int, pointer: str
) -> None:
    make_coupon(client, "10OFF", description="Kept")
    refused(current(client, "POST", "/api/coupons", body), status, pointer)
    assert ids(client, "/api/coupons") == ["10OFF"]
    assert current(client, "GET", "/api/coupons/10OFF").json["data"]["attributes"][
        "description"
    ] == ("Kept")


# -- codes ----------------------------------------------------------------------------------


def test_a_code_is_made_unassigned_and_expires_a_year_on(client: FlaskClient) -> None:
    make_coupon(client)
    before = datetime.now(UTC).replace(microsecond=0)
    code = make_code(client, "ASD325FHK324UJDOI2M3JNES99")
    assert code["id"] == "10OFF-ASD325FHK324UJDOI2M3JNES99"
    attributes = code["attributes"]
    assert attributes["unique_code"] == "ASD325FHK324UJDOI2M3JNES99"
    assert attributes["status"] == "UNASSIGNED"
    expires = stamp(attributes["expires_at"]) - before
    assert timedelta(days=365) <= expires <= timedelta(days=365, seconds=5)
    got = current(client, "GET", f"/api/coupon-codes/{code['id']}")
    assert got.json["data"]["attributes"] == attributes


def test_a_codes_expiry_is_kept_as_given(client: FlaskClient) -> None:
    make_coupon(client)
    code = make_code(client, "LATER", expires_at="2030-01-02T03:04:05+00:00")
    assert code["attributes"]["expires_at"] == "2030-01-02T03:04:05+00:00"


def test_a_code_and_its_coupon_both_ways(client: FlaskClient) -> None:
    make_coupon(client, "10OFF")
    make_coupon(client, "20OFF")
    first, second = make_code(client, "A")["id"], make_code(client, "B")["id"]
    other = make_code(client, "A", "20OFF")["id"]
    assert other == "20OFF-A"
    assert codes_of(client, "10OFF") == [first, second]
    assert ids(client, "/api/coupon-codes?filter=any(coupon.id,['10OFF','20OFF'])") == [
        first,
        second,
        other,
    ]
    assert ids(client, "/api/coupons/10OFF/coupon-codes") == [first, second]
    assert ids(client, "/api/coupons/10OFF/relationships/coupon-codes") == [first, second]
    coupon = current(client, "GET", f"/api/coupon-codes/{other}/coupon").json["data"]
    assert coupon["id"] == "20OFF"
    linkage = current(client, "GET", f"/api/coupon-codes/{other}/relationships/coupon").json
    assert linkage["data"] == {"type": "coupon", "id": "20OFF"}
    included = current(client, "GET", f"/api/coupon-codes/{first}?include=coupon").json
    assert [c["id"] for c in included["included"]] == ["10OFF"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/coupons/10OFF/coupon-codes?filter=equals(status,'USED')", ["B"]),
        ("/api/coupons/10OFF/relationships/coupon-codes?filter=equals(status,'USED')", ["B"]),
        (
            "/api/coupons/10OFF/coupon-codes?filter=less-than(expires_at,2029-01-01T00:00:00Z)",
            ["A"],
        ),
        ("/api/coupon-codes?filter=and(equals(coupon.id,'10OFF'),equals(status,'USED'))", ["B"]),
        ("/api/coupons/10OFF/coupon-codes?page[size]=1", ["A"]),
    ],
    ids=["status", "ids-by-status", "expires-at", "listing", "page"],
)
def test_a_coupons_codes_filter_as_the_listing_does(
    client: FlaskClient, path: str, expected: list[str]
) -> None:
    make_coupon(client, "10OFF")
    make_coupon(client, "20OFF")
    make_code(client, "A", expires_at="2028-01-01T00:00:00+00:00")
    make_code(client, "B", expires_at="2030-01-01T00:00:00+00:00")
    make_code(client, "C", "20OFF")
    change = {"data": {"type": "coupon-code", "id": "10OFF-B", "attributes": {"status": "USED"}}}
    assert current(client, "PATCH", "/api/coupon-codes/10OFF-B", change).status_code == 200
    assert ids(client, path) == [f"10OFF-{name}" for name in expected]


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (code_body("A"), 409, "/data/attributes/unique_code"),
        (code_body("X", "NOPE"), 404, None),
        (code_body(" "), 400, "/data/attributes/unique_code"),
        ({"data": {**code_body("Y")["data"], "id": "10OFF-Z"}}, 400, "/data/id"),
        (
            {"data": {"type": "coupon-code", "attributes": {"unique_code": "Q"}}},
            400,
            "/data/relationships",
        ),
        (
            {"data": {**code_body("Z")["data"], "relationships": {"coupon": {}}}},
            400,
            "/data/relationships/coupon/data",
        ),
        (
            code_body("Z", expires_at="9999-12-31T23:59:59-01:00"),  # past the year 9999 in UTC
            400,
            "/data/attributes/expires_at",
        ),
    ],
    ids=[
        "same-code-same-coupon",
        "unknown-coupon",
        "blank",
        "data-id",
        "no-coupon",
        "coupon-without-data",
        "expiry-beyond-utc",
    ],
)
def test_bad_code_creates_are_refused_and_change_nothing(
    client: FlaskClient, body: Any, status: int, pointer: str | None
) -> None:
    make_coupon(client)
    make_code(client, "A")
    refused(current(client, "POST", "/api/coupon-codes", body), status, pointer)
    assert codes_of(client, "10OFF") == ["10OFF-A"]


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"status": "ASSIGNED_TO_PROFILE"}, {"status": "ASSIGNED_TO_PROFILE"}),
        ({"expires_at": "2031-05-06T07:08:09+00:00"}, {"expires_at": "2031-05-06T07:08:09+00:00"}),
        ({"status": None}, {"status": "UNASSIGNED"}),
    ],
    ids=["status", "expires-at", "null-status-kept"],
)
def test_a_codes_status_and_expiry_change(
    client: FlaskClient, change: dict[str, Any], shown: dict[str, Any]
) -> None:
    make_coupon(client)
    make_code(client, "A", expires_at="2029-01-01T00:00:00+00:00")
    body = {"data": {"type": "coupon-code", "id": "10OFF-A", "attributes": change}}
    answer = current(client, "PATCH", "/api/coupon-codes/10OFF-A", body)
    assert answer.status_code == 200, answer.json
    attributes = current(client, "GET", "/api/coupon-codes/10OFF-A").json["data"]["attributes"]
    assert {k: attributes[k] for k in shown} == shown


def test_a_null_expiry_is_a_year_on_again(client: FlaskClient) -> None:
    make_coupon(client)
    make_code(client, "A", expires_at="2020-01-01T00:00:00+00:00")
    body = {"data": {"type": "coupon-code", "id": "10OFF-A", "attributes": {"expires_at": None}}}
    before = datetime.now(UTC).replace(microsecond=0)
    assert current(client, "PATCH", "/api/coupon-codes/10OFF-A", body).status_code == 200
    shown = current(client, "GET", "/api/coupon-codes/10OFF-A").json["data"]["attributes"]
    assert stamp(shown["expires_at"]) - before >= timedelta(days=365)


@pytest.mark.parametrize(
    ("value", "pointer"),
    [
        ("FREE", "/data/attributes/status"),
        ("not a date", "/data/attributes/expires_at"),
    ],
    ids=["unknown-status", "bad-expiry"],
)
def test_bad_code_updates_are_refused(client: FlaskClient, value: str, pointer: str) -> None:
    make_coupon(client)
    before = make_code(client, "A")
    name = pointer.rsplit("/", 1)[1]
    body = {"data": {"type": "coupon-code", "id": "10OFF-A", "attributes": {name: value}}}
    refused(current(client, "PATCH", "/api/coupon-codes/10OFF-A", body), 400, pointer)
    after = current(client, "GET", "/api/coupon-codes/10OFF-A").json["data"]
    assert after["attributes"] == before["attributes"]


@pytest.mark.parametrize(
    ("path", "kind", "attribute"),
    [
        ("/api/coupons/10OFF", "coupon", "external_id"),
        ("/api/coupon-codes/10OFF-A", "coupon-code", "unique_code"),
    ],
)
def test_an_update_cannot_change_what_the_id_is_built_from(
    client: FlaskClient, path: str, kind: str, attribute: str
) -> None:
    """Not an attribute an update takes (its body schema does not name it): ignored, as
    unknown attributes are."""
    make_coupon(client)
    make_code(client, "A")
    before = current(client, "GET", path).json["data"]["attributes"]
    body = {"data": {"type": kind, "id": path.rsplit("/", 1)[1], "attributes": {attribute: "X"}}}
    assert current(client, "PATCH", path, body).status_code == 200
    assert current(client, "GET", path).json["data"]["attributes"] == before


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"id": "20OFF", "attributes": {"description": "x"}}, "/data/id"),
        ({"id": "10OFF", "attributes": {"monitor_configuration": 5}}, None),
    ],
    ids=["another-id", "not-an-object"],
)
def test_bad_coupon_updates_are_refused(
    client: FlaskClient, change: dict[str, Any], pointer: str | None
) -> None:
    make_coupon(client, description="Kept")
    before = current(client, "GET", "/api/coupons/10OFF").json["data"]
    body = {"data": {"type": "coupon", **change}}
    refused(current(client, "PATCH", "/api/coupons/10OFF", body), 400, pointer)
    assert current(client, "GET", "/api/coupons/10OFF").json["data"] == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/coupons/NOPE/coupon-codes",
        "/api/coupons/NOPE/relationships/coupon-codes",
        "/api/coupon-codes/NOPE-A/coupon",
        "/api/coupon-codes/NOPE-A/relationships/coupon",
    ],
    ids=["codes", "code-ids", "coupon", "coupon-id"],
)
def test_related_reads_of_an_unknown_resource_are_404(client: FlaskClient, path: str) -> None:
    refused(current(client, "GET", path), 404)


def test_a_code_given_to_a_profile_is_not_deleted(client: FlaskClient, klaviyo: Klaviyo) -> None:
    make_coupon(client)
    make_code(client, "A")
    make_code(client, "B")
    profile = new_profile(client, email="ann@example.com")
    assign(klaviyo, "10OFF-A", profile)
    assert ids(client, f"/api/coupon-codes?filter=equals(profile.id,'{profile}')") == ["10OFF-A"]
    error = refused(current(client, "DELETE", "/api/coupon-codes/10OFF-A"), 409)
    assert profile in error["detail"]
    assert current(client, "DELETE", "/api/coupon-codes/10OFF-B").status_code == 204
    assert codes_of(client, "10OFF") == ["10OFF-A"]


def test_deleting_a_coupon_deletes_its_codes(client: FlaskClient) -> None:
    make_coupon(client, "10OFF")
    make_coupon(client, "20OFF")
    make_code(client, "A")
    make_code(client, "B")
    make_code(client, "A", "20OFF")
    assert current(client, "DELETE", "/api/coupons/10OFF").status_code == 204
    for code in ("10OFF-A", "10OFF-B"):
        refused(current(client, "GET", f"/api/coupon-codes/{code}"), 404)
    assert codes_of(client, "20OFF") == ["20OFF-A"]
    make_coupon(client, "10OFF")
    assert make_code(client, "A")["id"] == "10OFF-A"


def test_a_coupon_with_a_code_given_to_a_profile_is_not_deleted(
    client: FlaskClient, klaviyo: Klaviyo
) -> None:
    make_coupon(client)
    make_code(client, "A")
    make_code(client, "B")
    assign(klaviyo, "10OFF-B", new_profile(client, email="ann@example.com"))
    refused(current(client, "DELETE", "/api/coupons/10OFF"), 409)
    assert ids(client, "/api/coupons") == ["10OFF"]
    assert codes_of(client, "10OFF") == ["10OFF-A", "10OFF-B"]


# -- the code bulk job ----------------------------------------------------------------------


def _job(client: FlaskClient, entries: list[Any]) -> Any:
    body = {"data": {"type": JOB, "attributes": {"coupon-codes": {"data": entries}}}}
    return current(client, "POST", "/api/coupon-code-bulk-create-jobs", body)


def test_the_code_job_makes_what_it_can_and_names_the_entries_it_refused(
    client: FlaskClient,
) -> None:
    make_coupon(client)
    make_code(client, "TAKEN")
    entries = [
        code_body("J1")["data"],
        code_body("TAKEN")["data"],
        code_body("J2", expires_at="2030-01-01T00:00:00+00:00")["data"],
        code_body("J3", "NOPE")["data"],
        code_body("")["data"],
    ]
    answer = _job(client, entries)
    assert answer.status_code == 202, answer.json
    job = answer.json["data"]
    attributes = job["attributes"]
    assert attributes["status"] == "complete"
    assert (attributes["total_count"], attributes["completed_count"]) == (5, 2)
    assert attributes["failed_count"] == 3
    pointers = [e["source"]["pointer"] for e in attributes["errors"]]
    assert pointers == [f"/data/attributes/coupon-codes/data/{i}" for i in (1, 3, 4)]
    assert "already exists" in attributes["errors"][0]["detail"]
    assert codes_of(client, "10OFF") == ["10OFF-TAKEN", "10OFF-J1", "10OFF-J2"]
    expiry = current(client, "GET", "/api/coupon-codes/10OFF-J2").json["data"]["attributes"]
    assert expiry["expires_at"] == "2030-01-01T00:00:00+00:00"

    got = current(client, "GET", f"/api/coupon-code-bulk-create-jobs/{job['id']}")
    assert got.status_code == 200 and got.json["data"]["attributes"] == attributes
    assert ids(client, "/api/coupon-code-bulk-create-jobs") == [job["id"]]
    done = ids(client, "/api/coupon-code-bulk-create-jobs?filter=equals(status,'complete')")
    assert done == [job["id"]]


@pytest.mark.parametrize("count", [0, 1001], ids=["empty", "over-1000"])
def test_the_code_job_takes_1_to_1000_codes(client: FlaskClient, count: int) -> None:
    make_coupon(client)
    entries = [code_body(f"C{n}")["data"] for n in range(count)]
    refused(_job(client, entries), 400, "/data/attributes/coupon-codes/data")
    assert codes_of(client, "10OFF") == []
    assert ids(client, "/api/coupon-code-bulk-create-jobs") == []
