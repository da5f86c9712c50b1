"""Forms (``/api/forms``, ``/api/form-versions``): a form made from its definition, each
version a form-version linked to it both ways (ids are numbers, shown in the definition), the
listings and their filters, a delete that takes the versions, and bad bodies refused with a
pointer and no change. Every answer is checked against stable.json by the ``client`` fixture.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from flask.testing import FlaskClient


def version(**members: Any) -> dict[str, Any]:
    return {"steps": [{"columns": []}], **members}


def form_body(versions: list[dict[str, Any]], **attributes: Any) -> dict[str, Any]:
    attributes = {
        "name": "Spring sign-up",
        "status": "draft",
        "ab_test": False,
        "definition": {"versions": versions},
        **attributes,
    }
    return {"data": {"type": "form", "attributes": attributes}}


def new_form(client: FlaskClient, versions: list[dict[str, Any]] | None = None, **more: Any) -> Any:
    answer = current(client, "POST", "/api/forms", form_body(versions or [version()], **more))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.json["data"]


def read(client: FlaskClient, path: str) -> Any:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def ids(document: Any) -> list[str]:
    return [entry["id"] for entry in document["data"]]


def test_a_form_is_made_with_a_version_per_definition_version(client):
    made = new_form(client, [version(name="Main"), version(type="flyout")])
    assert made["attributes"]["status"] == "draft"
    shown = read(client, f"/api/forms/{made['id']}")["data"]["attributes"]
    assert shown["name"] == "Spring sign-up" and shown["ab_test"] is False
    numbers = [v["id"] for v in shown["definition"]["versions"]]
    assert all(isinstance(n, int) for n in numbers)
    versions = read(client, f"/api/forms/{made['id']}/form-versions")
    assert ids(versions) == [str(n) for n in numbers]
    assert [v["attributes"]["variation_name"] for v in versions["data"]] == ["Main", "Version B"]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ({}, {"form_type": "popup", "variation_name": "Version A", "ab_test": None}),
        ({"type": "full_screen"}, {"form_type": "full_page"}),
        ({"type": "embed", "status": "live"}, {"form_type": "embed", "status": "draft"}),
        (
            {"name": "Blue", "ab_test": True},
            {"variation_name": "Blue", "ab_test": {"variation_name": "Blue"}},
        ),
    ],
    ids=["defaults", "full-screen-is-full-page", "a-new-forms-versions-are-drafts", "ab-test"],
)
def test_a_versions_attributes_come_from_its_definition(client, given, shown):
    made = new_form(client, [version(**given)])
    [number] = ids(read(client, f"/api/forms/{made['id']}/relationships/form-versions"))
    attributes = read(client, f"/api/form-versions/{number}")["data"]["attributes"]
    assert {k: attributes[k] for k in shown} == shown
    assert attributes["status"] == "draft"


def test_forms_and_versions_link_both_ways(client):
    made = new_form(client, [version(), version()])
    first, second = ids(read(client, f"/api/forms/{made['id']}/relationships/form-versions"))
    for number in (first, second):
        assert read(client, f"/api/form-versions/{number}/form")["data"]["id"] == made["id"]
        linkage = read(client, f"/api/form-versions/{number}/relationships/form")["data"]
        assert linkage == {"type": "form", "id": made["id"]}
    included = read(client, f"/api/form-versions/{first}?include=form")["included"]
    assert [(i["type"], i["id"]) for i in included] == [("form", made["id"])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=equals(form_type,'flyout')", ["flyout"]),
        ("filter=any(form_type,['popup','banner'])", ["popup"]),
        ("filter=equals(status,'draft')", ["popup", "flyout"]),
        ("sort=created_at", ["popup", "flyout"]),
    ],
    ids=["type", "type-any", "status", "sort"],
)
def test_a_forms_versions_are_filtered_on_their_fields(client, query, expected):
    made = new_form(client, [version(type="popup"), version(type="flyout")])
    base = f"/api/forms/{made['id']}"
    kinds = {
        v["id"]: v["attributes"]["form_type"] for v in read(client, f"{base}/form-versions")["data"]
    }
    for path in ("form-versions", "relationships/form-versions"):
        found = read(client, f"{base}/{path}?{query}")
        assert [kinds[i] for i in ids(found)] == expected, path


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=equals(name,'Winter')", ["Winter"]),
        ("filter=contains(name,'ing')", ["Spring"]),
        ("filter=equals(ab_test,true)", ["Winter"]),
        ("filter=equals(status,'draft')", ["Spring", "Winter"]),
        ("sort=-created_at", ["Spring", "Winter"]),
    ],
    ids=["name", "name-contains", "ab-test", "status", "sort"],
)
def test_forms_are_listed_with_the_documents_filters(client, query, expected):
    new_form(client, name="Spring")
    new_form(client, [version(), version()], name="Winter", ab_test=True)
    found = read(client, f"/api/forms?{query}")["data"]
    assert sorted(f["attributes"]["name"] for f in found) == sorted(expected)
    if query.startswith("sort"):
        assert len(found) == 2


def test_a_deleted_form_takes_its_versions(client):
    made = new_form(client, [version(), version()])
    numbers = ids(read(client, f"/api/forms/{made['id']}/relationships/form-versions"))
    assert current(client, "DELETE", f"/api/forms/{made['id']}").status_code == 204
    assert current(client, "GET", f"/api/forms/{made['id']}").status_code == 404
    for number in numbers:
        assert current(client, "GET", f"/api/form-versions/{number}").status_code == 404
    assert ids(read(client, "/api/forms")) == []


@pytest.mark.parametrize(
    ("versions", "attributes", "pointer"),
    [
        ([version()], {"name": "  "}, "/data/attributes/name"),
        ([], {}, "/data/attributes/definition/versions"),
        ([version(), version(id=7)], {}, "/data/attributes/definition/versions/1/id"),
        ([version()], {"status": "live"}, "/data/attributes/status"),
        ([{"name": "no steps"}], {}, "/data/attributes/definition/versions/0/steps"),
    ],
    ids=["blank-name", "no-version", "version-id", "live", "no-steps"],
)
def test_a_bad_form_is_refused_and_nothing_is_made(client, versions, attributes, pointer):
    answer = current(client, "POST", "/api/forms", form_body(versions, **attributes))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    [entry] = answer.json["errors"]
    assert entry["source"] == {"pointer": pointer}
    assert ids(read(client, "/api/forms")) == []
    assert current(client, "GET", "/api/form-versions/1").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/forms/NoSuch"),
        ("DELETE", "/api/forms/NoSuch"),
        ("GET", "/api/form-versions/999"),
        ("GET", "/api/forms/NoSuch/form-versions"),
        ("GET", "/api/form-versions/999/relationships/form"),
    ],
    ids=["get-form", "delete-form", "get-version", "versions-of-form", "form-of-version"],
)
def test_unknown_ids_are_404(client, method, path):
    assert current(client, method, path).status_code == 404
