"""Catalogs (items, variants, categories), their bulk jobs and back-in-stock subscriptions:
ids built as Klaviyo builds them, the document's defaults, links consistent both ways, jobs
that apply what they can and name what they could not, and subscriptions kept beside their
variant. Every answer is checked against stable.json by the ``app`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from current import refused
from flask.testing import FlaskClient

from mockserver.domain.service import Klaviyo
from mockserver.families.catalogs.models import subscriptions

PREFIX = "$custom:::$default:::"
PATHS = {
    "catalog-item": "/api/catalog-items",
    "catalog-variant": "/api/catalog-variants",
    "catalog-category": "/api/catalog-categories",
}
JOB_MEMBERS = {
    "catalog-item": "items",
    "catalog-variant": "variants",
    "catalog-category": "categories",
}


def item_body(external_id: str, **attributes: Any) -> dict[str, Any]:
    given = {"external_id": external_id, "title": f"Title {external_id}", "description": "A shirt."}
    return {
        "data": {
            "type": "catalog-item",
            "attributes": {**given, "url": f"https://shop.example/{external_id}", **attributes},
        }
    }


def variant_body(external_id: str, item: str, **attributes: Any) -> dict[str, Any]:
    given = {
        "external_id": external_id,
        "title": f"Variant {external_id}",
        "description": "Medium.",
        "sku": f"SKU-{external_id}",
        "inventory_quantity": 5,
        "price": 42,
        "url": f"https://shop.example/{external_id}",
    }
    return {
        "data": {
            "type": "catalog-variant",
            "attributes": {**given, **attributes},
            "relationships": {"item": {"data": {"type": "catalog-item", "id": item}}},
        }
    }


def category_body(external_id: str, items: list[str] | None = None, **attributes: Any) -> Any:
    data: dict[str, Any] = {
        "type": "catalog-category",
        "attributes": {"external_id": external_id, "name": f"Category {external_id}", **attributes},
    }
    if items is not None:
        data["relationships"] = {
            "items": {"data": [{"type": "catalog-item", "id": i} for i in items]}
        }
    return {"data": data}


def make(client: FlaskClient, kind: str, body: dict[str, Any]) -> str:
    answer = current(client, "POST", PATHS[kind], body)
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def make_item(client: FlaskClient, external_id: str = "SHIRT", **attributes: Any) -> str:
    return make(client, "catalog-item", item_body(external_id, **attributes))


def make_variant(client: FlaskClient, external_id: str, item: str, **attributes: Any) -> str:
    return make(client, "catalog-variant", variant_body(external_id, item, **attributes))


def make_category(client: FlaskClient, external_id: str, items: list[str] | None = None) -> str:
    return make(client, "catalog-category", category_body(external_id, items))


def ids(client: FlaskClient, path: str) -> list[str]:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.json
    return [entry["id"] for entry in answer.json["data"]]


def everything(client: FlaskClient) -> dict[str, list[str]]:
    """Every catalog resource, by type (to check that a refused call changed nothing)."""
    return {kind: ids(client, path) for kind, path in PATHS.items()}


# -- CRUD and ids ---------------------------------------------------------------------------


def _body(client: FlaskClient, kind: str, external_id: str) -> dict[str, Any]:
    if kind == "catalog-item":
        return item_body(external_id)
    if kind == "catalog-variant":
        parent = f"{PREFIX}PARENT"
        if current(client, "GET", f"/api/catalog-items/{parent}").status_code == 404:
            make_item(client, "PARENT")
        return variant_body(external_id, parent)
    return category_body(external_id)


CHANGES = {
    "catalog-item": {"title": "Renamed", "price": 12.5, "published": False},
    "catalog-variant": {"sku": "NEW-SKU", "inventory_quantity": 0, "inventory_policy": 1},
    "catalog-category": {"name": "Renamed"},
}


@pytest.mark.parametrize("kind", list(PATHS), ids=list(PATHS))
def test_crud_round_trip(client: FlaskClient, kind: str) -> None:
    path = PATHS[kind]
    made = current(client, "POST", path, _body(client, kind, "SAMPLE-1"))
    assert made.status_code == 201, made.json
    item_id = made.json["data"]["id"]
    assert item_id == f"{PREFIX}SAMPLE-1"
    got = current(client, "GET", f"{path}/{item_id}")
    assert (
        got.status_code == 200 and got.json["data"]["attributes"] == made.json["data"]["attributes"]
    )

    change = {"data": {"type": kind, "id": item_id, "attributes": CHANGES[kind]}}
    patched = current(client, "PATCH", f"{path}/{item_id}", change)
    assert patched.status_code == 200, patched.json
    shown = current(client, "GET", f"{path}/{item_id}").json["data"]["attributes"]
    assert {k: shown[k] for k in CHANGES[kind]} == CHANGES[kind]
    assert shown["external_id"] == "SAMPLE-1"

    assert current(client, "DELETE", f"{path}/{item_id}").status_code == 204
    refused(current(client, "GET", f"{path}/{item_id}"), 404)
    refused(current(client, "DELETE", f"{path}/{item_id}"), 404)


@pytest.mark.parametrize(
    ("kind", "given", "shown"),
    [
        ("catalog-item", {}, {"published": True, "price": None, "images": None}),
        ("catalog-item", {"published": False, "price": 9.99}, {"published": False, "price": 9.99}),
        (
            "catalog-variant",
            {},
            {"published": True, "inventory_policy": 0, "image_full_url": None},
        ),
        (
            "catalog-variant",
            {"inventory_policy": 2, "published": None, "images": ["https://img/1"]},
            {"inventory_policy": 2, "published": True, "images": ["https://img/1"]},
        ),
        ("catalog-category", {}, {"name": "Category X-1"}),
    ],
    ids=["item-defaults", "item-as-given", "variant-defaults", "variant-as-given", "category"],
)
def test_defaults_and_values_as_given(
    client: FlaskClient, kind: str, given: dict[str, Any], shown: dict[str, Any]
) -> None:
    body = _body(client, kind, "X-1")
    body["data"]["attributes"].update(given)
    item_id = make(client, kind, body)
    attributes = current(client, "GET", f"{PATHS[kind]}/{item_id}").json["data"]["attributes"]
    assert {k: attributes[k] for k in shown} == shown


@pytest.mark.parametrize("kind", list(PATHS), ids=list(PATHS))
def test_a_second_create_of_one_external_id_is_409(client: FlaskClient, kind: str) -> None:
    make(client, kind, _body(client, kind, "TWICE"))
    before = everything(client)
    again = current(client, "POST", PATHS[kind], _body(client, kind, "TWICE"))
    error = refused(again, 409, "/data/attributes/external_id")
    assert error["code"] == "conflict"
    assert everything(client) == before


def test_one_external_id_in_each_type_is_no_conflict(client: FlaskClient) -> None:
    item = make_item(client, "SAME")
    assert make_variant(client, "SAME", item) == make_category(client, "SAME") == item


@pytest.mark.parametrize(
    ("kind", "change", "status", "pointer"),
    [
        ("catalog-item", {"external_id": "  "}, 400, "/data/attributes/external_id"),
        ("catalog-item", {"catalog_type": "$other"}, 400, "/data/attributes/catalog_type"),
        (
            "catalog-item",
            {"integration_type": "$shopify"},
            400,
            "/data/attributes/integration_type",
        ),
        ("catalog-variant", {"external_id": ""}, 400, "/data/attributes/external_id"),
        ("catalog-variant", {"catalog_type": "$other"}, 400, "/data/attributes/catalog_type"),
        ("catalog-category", {"external_id": ""}, 400, "/data/attributes/external_id"),
        ("catalog-category", {"catalog_type": "$x"}, 400, "/data/attributes/catalog_type"),
        ("catalog-item", {"id": "$custom:::$default:::OTHER"}, 400, "/data/id"),
        ("catalog-variant", {"item": "$custom:::$default:::NOPE"}, 404, None),
        ("catalog-variant", {"item": None}, 400, "/data/relationships"),
        ("catalog-category", {"items": ["$custom:::$default:::NOPE"]}, 404, None),
    ],
    ids=[
        "item-blank-external-id",
        "item-catalog-type",
        "item-integration-type",
        "variant-blank-external-id",
        "variant-catalog-type",
        "category-blank-external-id",
        "category-catalog-type",
        "data-id-not-the-made-one",
        "variant-unknown-item",
        "variant-without-item",
        "category-unknown-item",
    ],
)
def test_bad_creates_are_refused_and_change_nothing(
    client: FlaskClient, kind: str, change: dict[str, Any], status: int, pointer: str | None
) -> None:
    body = _body(client, kind, "BAD")
    data = body["data"]
    for name, value in change.items():
        if name == "id":
            data["id"] = value
        elif name == "item":
            if value is None:
                del data["relationships"]
            else:
                data["relationships"]["item"]["data"]["id"] = value
        elif name == "items":
            data["relationships"] = {
                "items": {"data": [{"type": "catalog-item", "id": i} for i in value]}
            }
        else:
            data["attributes"][name] = value
    before = everything(client)
    refused(current(client, "POST", PATHS[kind], body), status, pointer)
    assert everything(client) == before


@pytest.mark.parametrize(
    ("kind", "change", "pointer"),
    [
        ("catalog-item", {"id": "other", "attributes": {"title": "New"}}, "/data/id"),
        ("catalog-variant", {"attributes": {"inventory_policy": 5}}, None),
    ],
    ids=["another-id", "enum"],
)
def test_bad_updates_are_refused_and_change_nothing(
    client: FlaskClient, kind: str, change: dict[str, Any], pointer: str | None
) -> None:
    item_id = make(client, kind, _body(client, kind, "KEEP"))
    path = f"{PATHS[kind]}/{item_id}"
    before = current(client, "GET", path).json["data"]
    body = {"data": {"type": kind, "id": item_id, **change}}
    refused(current(client, "PATCH", path, body), 400, pointer)
    assert current(client, "GET", path).json["data"] == before


@pytest.mark.parametrize("kind", ["catalog-item", "catalog-variant", "catalog-category"])
def test_an_update_cannot_change_what_the_id_is_built_from(client: FlaskClient, kind: str) -> None:
    """``external_id`` is not an attribute an update takes (its body schema does not name it):
    ignored, as unknown attributes are."""
    item_id = make(client, kind, _body(client, kind, "KEEP"))
    path = f"{PATHS[kind]}/{item_id}"
    body = {"data": {"type": kind, "id": item_id, "attributes": {"external_id": "NEW"}}}
    assert current(client, "PATCH", path, body).status_code == 200
    assert current(client, "GET", path).json["data"]["attributes"]["external_id"] == "KEEP"


def test_an_update_keeps_the_creation_stamp(client: FlaskClient) -> None:
    item = make_item(client)
    before = current(client, "GET", f"/api/catalog-items/{item}").json["data"]["attributes"]
    change = {"title": "New", "created": "2001-01-01T00:00:00+00:00"}
    body = {"data": {"type": "catalog-item", "id": item, "attributes": change}}
    assert current(client, "PATCH", f"/api/catalog-items/{item}", body).status_code == 200
    after = current(client, "GET", f"/api/catalog-items/{item}").json["data"]["attributes"]
    assert (after["title"], after["created"]) == ("New", before["created"])


# -- relationships --------------------------------------------------------------------------


def test_an_item_and_its_variants_both_ways(client: FlaskClient) -> None:
    item = make_item(client, "SHIRT")
    other = make_item(client, "HAT")
    small, large = make_variant(client, "S", item), make_variant(client, "L", item)
    make_variant(client, "HAT-1", other)
    assert ids(client, f"/api/catalog-items/{item}/variants") == [small, large]
    assert ids(client, f"/api/catalog-items/{item}/relationships/variants") == [small, large]
    assert ids(client, f"/api/catalog-variants?filter=equals(item.id,'{item}')") == [small, large]
    included = current(client, "GET", f"/api/catalog-items/{item}?include=variants").json
    assert [v["id"] for v in included["included"]] == [small, large]
    assert ids(client, f"/api/catalog-items/{item}/variants?sort=-created") == [large, small]
    filtered = f"/api/catalog-items/{item}/relationships/variants?filter=equals(sku,'SKU-L')"
    assert ids(client, filtered) == [large]


def test_deleting_an_item_deletes_its_variants_and_leaves_its_categories(
    client: FlaskClient,
) -> None:
    item, kept = make_item(client, "GOES"), make_item(client, "STAYS")
    variant, other = make_variant(client, "GOES-1", item), make_variant(client, "STAYS-1", kept)
    category = make_category(client, "C", [item, kept])
    assert current(client, "DELETE", f"/api/catalog-items/{item}").status_code == 204
    refused(current(client, "GET", f"/api/catalog-variants/{variant}"), 404)
    assert ids(client, "/api/catalog-variants") == [other]
    assert ids(client, f"/api/catalog-categories/{category}/relationships/items") == [kept]


def test_deleting_a_variant_leaves_its_item(client: FlaskClient) -> None:
    item = make_item(client)
    first, second = make_variant(client, "A", item), make_variant(client, "B", item)
    assert current(client, "DELETE", f"/api/catalog-variants/{first}").status_code == 204
    assert ids(client, f"/api/catalog-items/{item}/relationships/variants") == [second]


def _link(client: FlaskClient, method: str, path: str, kind: str, linked: list[str]) -> None:
    body = {"data": [{"type": kind, "id": i} for i in linked]}
    answer = current(client, method, path, body)
    assert answer.status_code == 204, answer.json


@pytest.mark.parametrize(
    ("owner", "method", "linked", "expected"),
    [
        ("C2", "POST", ["A"], {"A": ["C1", "C2"], "B": ["C1"]}),
        ("C1", "PATCH", ["B"], {"A": [], "B": ["C1"]}),
        ("C1", "DELETE", ["A"], {"A": [], "B": ["C1"]}),
        ("A", "POST", ["C2"], {"A": ["C1", "C2"], "B": ["C1"]}),
        ("A", "PATCH", ["C2"], {"A": ["C2"], "B": ["C1"]}),
        ("A", "DELETE", ["C1"], {"A": [], "B": ["C1"]}),
    ],
    ids=[
        "add-items-to-category",
        "replace-items-of-category",
        "remove-items-from-category",
        "add-categories-to-item",
        "replace-categories-of-item",
        "remove-categories-from-item",
    ],
)
def test_items_and_categories_link_both_ways(
    client: FlaskClient,
    owner: str,
    method: str,
    linked: list[str],
    expected: dict[str, list[str]],
) -> None:
    """C1 holds A and B, C2 nothing; one link call from either side, then every read of
    either side agrees."""
    items = {name: make_item(client, name) for name in ("A", "B")}
    categories = {"C1": make_category(client, "C1", list(items.values()))}
    categories["C2"] = make_category(client, "C2")
    every = {**items, **categories}
    if owner in items:
        path = f"/api/catalog-items/{items[owner]}/relationships/categories"
        _link(client, method, path, "catalog-category", [every[n] for n in linked])
    else:
        path = f"/api/catalog-categories/{categories[owner]}/relationships/items"
        _link(client, method, path, "catalog-item", [every[n] for n in linked])
    for name, item in items.items():
        wanted = sorted(categories[c] for c in expected[name])
        assert sorted(ids(client, f"/api/catalog-items/{item}/relationships/categories")) == wanted
        assert sorted(ids(client, f"/api/catalog-items/{item}/categories")) == wanted
        listed = ids(client, f"/api/catalog-categories?filter=equals(item.id,'{item}')")
        assert sorted(listed) == wanted
    for name, category in categories.items():
        members = sorted(items[i] for i, held in expected.items() if name in held)
        shown = ids(client, f"/api/catalog-categories/{category}/relationships/items")
        assert sorted(shown) == members
        listed = ids(client, f"/api/catalog-items?filter=equals(category.id,'{category}')")
        assert sorted(listed) == members


def test_linking_an_unknown_resource_is_404_and_changes_nothing(client: FlaskClient) -> None:
    item = make_item(client)
    category = make_category(client, "C", [item])
    body = {"data": [{"type": "catalog-item", "id": f"{PREFIX}NOPE"}]}
    path = f"/api/catalog-categories/{category}/relationships/items"
    refused(current(client, "PATCH", path, body), 404)
    assert ids(client, path) == [item]
    unknown = f"/api/catalog-items/{PREFIX}NOPE/relationships/categories"
    refused(
        current(client, "POST", unknown, {"data": [{"type": "catalog-category", "id": category}]}),
        404,
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/catalog-categories/{c}/items?filter=contains(title,'Title B')", ["B"]),
        ("/api/catalog-categories/{c}/items?filter=equals(published,false)", ["C"]),
        ("/api/catalog-categories/{c}/items?sort=-created", ["C", "B", "A"]),
        ("/api/catalog-categories/{c}/relationships/items?filter=contains(title,'A')", ["A"]),
        ("/api/catalog-categories/{c}/items?page[size]=2", ["A", "B"]),
        (
            "/api/catalog-items?filter=and(equals(category.id,'{c}'),equals(published,true))",
            ["A", "B"],
        ),
    ],
    ids=["title", "published", "sort", "ids-filtered", "page", "listing"],
)
def test_a_categorys_items_filter_sort_and_page_as_listings(
    client: FlaskClient, path: str, expected: list[str]
) -> None:
    items = {name: make_item(client, name, published=name != "C") for name in ("A", "B", "C", "D")}
    category = make_category(client, "C", [items["A"], items["B"], items["C"]])
    assert ids(client, path.replace("{c}", category)) == [items[name] for name in expected]


def test_a_items_categories_sort_by_creation(client: FlaskClient) -> None:
    item = make_item(client)
    first, second = make_category(client, "ONE"), make_category(client, "TWO")
    _link(
        client,
        "POST",
        f"/api/catalog-items/{item}/relationships/categories",
        "catalog-category",
        [second, first],
    )
    assert ids(client, f"/api/catalog-items/{item}/categories?sort=-created") == [second, first]
    assert ids(client, f"/api/catalog-items/{item}/categories?sort=created") == [first, second]


@pytest.mark.parametrize(
    "path",
    [
        "/api/catalog-items/{p}NOPE/variants",
        "/api/catalog-items/{p}NOPE/relationships/variants",
        "/api/catalog-items/{p}NOPE/categories",
        "/api/catalog-items/{p}NOPE/relationships/categories",
        "/api/catalog-categories/{p}NOPE/items",
        "/api/catalog-categories/{p}NOPE/relationships/items",
    ],
    ids=["variants", "variant-ids", "categories", "category-ids", "items", "item-ids"],
)
def test_related_reads_of_an_unknown_resource_are_404(client: FlaskClient, path: str) -> None:
    refused(current(client, "GET", path.replace("{p}", PREFIX)), 404)


# -- bulk jobs ------------------------------------------------------------------------------


def _job(client: FlaskClient, kind: str, action: str, entries: list[dict[str, Any]]) -> Any:
    member = JOB_MEMBERS[kind]
    job_type = f"{kind}-bulk-{action}-job"
    body = {"data": {"type": job_type, "attributes": {member: {"data": entries}}}}
    return current(client, "POST", f"/api/{job_type}s", body)


def _entries(client: FlaskClient, kind: str, action: str) -> tuple[list[Any], str]:
    """Three entries, the second of which the job must refuse, and why (its error's words)."""
    if action == "create":
        bodies = [_body(client, kind, name)["data"] for name in ("J1", "J2", "J3")]
        make(client, kind, _body(client, kind, "J2"))  # the second is taken already
        return bodies, "already exists"
    existing = [make(client, kind, _body(client, kind, name)) for name in ("J1", "J3")]
    targets = [existing[0], f"{PREFIX}MISSING", existing[1]]
    if action == "delete":
        return [{"type": kind, "id": t} for t in targets], "does not exist"
    change = {"catalog-category": {"name": "Bulk"}}.get(kind, {"title": "Bulk"})
    return [{"type": kind, "id": t, "attributes": change} for t in targets], "does not exist"


@pytest.mark.parametrize("action", ["create", "update", "delete"])
@pytest.mark.parametrize("kind", list(PATHS), ids=list(PATHS))
def test_a_job_applies_what_it_can_and_names_the_entry_it_refused(
    client: FlaskClient, kind: str, action: str
) -> None:
    entries, why = _entries(client, kind, action)
    answer = _job(client, kind, action, entries)
    assert answer.status_code == 202, answer.json
    job = answer.json["data"]
    assert job["attributes"]["status"] == "complete"
    counts = {k: job["attributes"][k] for k in ("total_count", "completed_count", "failed_count")}
    assert counts == {"total_count": 3, "completed_count": 2, "failed_count": 1}
    [error] = job["attributes"]["errors"]
    assert error["source"] == {"pointer": f"/data/attributes/{JOB_MEMBERS[kind]}/data/1"}
    assert why in error["detail"]
    job_path = f"/api/{job['type']}s/{job['id']}"
    assert current(client, "GET", job_path).json["data"]["attributes"] == job["attributes"]
    assert job["id"] in ids(client, f"/api/{job['type']}s")
    listed = ids(client, PATHS[kind])
    first, third = f"{PREFIX}J1", f"{PREFIX}J3"
    if action == "delete":
        assert first not in listed and third not in listed
    else:
        assert first in listed and third in listed
    if action == "update":
        shown = current(client, "GET", f"{PATHS[kind]}/{third}").json["data"]["attributes"]
        assert "Bulk" in (shown.get("title"), shown.get("name"))


def test_a_create_jobs_items_are_included(client: FlaskClient) -> None:
    entries = [item_body(name)["data"] for name in ("I1", "I2")]
    job = _job(client, "catalog-item", "create", entries).json["data"]
    got = current(client, "GET", f"/api/catalog-item-bulk-create-jobs/{job['id']}?include=items")
    assert [i["id"] for i in got.json["included"]] == [f"{PREFIX}I1", f"{PREFIX}I2"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"item": f"{PREFIX}NOPE"}, "does not exist"),
        ({"external_id": " "}, "must not be blank"),
        ({"catalog_type": "$other"}, "only supported catalog type"),
    ],
    ids=["unknown-item", "blank-external-id", "catalog-type"],
)
def test_a_variant_job_refuses_a_bad_entry_whole(
    client: FlaskClient, change: dict[str, Any], why: str
) -> None:
    item = make_item(client)
    attributes = {k: v for k, v in change.items() if k != "item"}
    bad = variant_body("V2", change.get("item", item))["data"]
    bad["attributes"].update(attributes)
    entries = [variant_body("V1", item)["data"], bad]
    job = _job(client, "catalog-variant", "create", entries).json["data"]["attributes"]
    assert (job["completed_count"], job["failed_count"]) == (1, 1)
    [error] = job["errors"]
    assert error["source"]["pointer"] == "/data/attributes/variants/data/1"
    assert why in error["detail"]
    assert ids(client, "/api/catalog-variants") == [f"{PREFIX}V1"]
    assert ids(client, f"/api/catalog-items/{item}/relationships/variants") == [f"{PREFIX}V1"]


@pytest.mark.parametrize("count", [0, 101], ids=["empty", "over-100"])
@pytest.mark.parametrize("kind", list(PATHS), ids=list(PATHS))
def test_a_job_takes_1_to_100_entries(client: FlaskClient, kind: str, count: int) -> None:
    entries = [{"type": kind, "id": f"{PREFIX}{n}"} for n in range(count)]
    answer = _job(client, kind, "delete", entries)
    refused(answer, 400, f"/data/attributes/{JOB_MEMBERS[kind]}/data")
    assert ids(client, f"/api/{kind}-bulk-delete-jobs") == []


# -- back in stock --------------------------------------------------------------------------

SUBSCRIBE = {
    "api": "/api/back-in-stock-subscriptions",
    "client": "/client/back-in-stock-subscriptions?company_id=AbC123",
}


def bis_body(variant: str, channels: list[str], profile: dict[str, Any] | None) -> Any:
    attributes: dict[str, Any] = {"channels": channels}
    if profile is not None:
        attributes["profile"] = {"data": {"type": "profile", **profile}}
    return {
        "data": {
            "type": "back-in-stock-subscription",
            "attributes": attributes,
            "relationships": {"variant": {"data": {"type": "catalog-variant", "id": variant}}},
        }
    }


def profiles(client: FlaskClient) -> list[dict[str, Any]]:
    answer = current(client, "GET", "/api/profiles")
    assert answer.status_code == 200
    return list(answer.json["data"])


def kept(klaviyo: Klaviyo, variant: str) -> list[dict[str, Any]]:
    account = klaviyo.accounts.for_private_key("pk_test")
    assert account is not None
    return [
        {k: s[k] for k in ("profile", "channels")}
        for s in subscriptions(klaviyo.backend(account), variant)
    ]


@pytest.fixture
def variant(client: FlaskClient) -> str:
    return make_variant(client, "BIS-M", make_item(client, "BIS"))


@pytest.mark.parametrize("where", list(SUBSCRIBE))
def test_back_in_stock_makes_the_profile_it_describes(
    client: FlaskClient, klaviyo: Klaviyo, variant: str, where: str
) -> None:
    person = {"attributes": {"email": "Ann@Example.com", "phone_number": "+15555550100"}}
    body = bis_body(variant, ["EMAIL", "SMS", "EMAIL"], person)
    answer = current(client, "POST", SUBSCRIBE[where], body)
    assert answer.status_code == 202 and answer.data == b""
    [profile] = profiles(client)
    assert profile["attributes"]["email"] == "ann@example.com"
    assert kept(klaviyo, variant) == [{"profile": profile["id"], "channels": ["EMAIL", "SMS"]}]


@pytest.mark.parametrize(
    "reference",
    [{"attributes": {"email": "ann@example.com"}}, {"id": "{id}", "attributes": {}}],
    ids=["by-email", "by-id"],
)
@pytest.mark.parametrize("where", list(SUBSCRIBE))
def test_back_in_stock_finds_an_existing_profile(
    client: FlaskClient, klaviyo: Klaviyo, variant: str, where: str, reference: dict[str, Any]
) -> None:
    made = current(
        client,
        "POST",
        "/api/profiles",
        {"data": {"type": "profile", "attributes": {"email": "ann@example.com"}}},
    )
    profile_id = made.json["data"]["id"]
    person = {k: (profile_id if v == "{id}" else v) for k, v in reference.items()}
    for channels in (["EMAIL"], ["PUSH"]):
        answer = current(client, "POST", SUBSCRIBE[where], bis_body(variant, channels, person))
        assert answer.status_code == 202, answer.json
    assert [p["id"] for p in profiles(client)] == [profile_id]
    assert kept(klaviyo, variant) == [{"profile": profile_id, "channels": ["EMAIL", "PUSH"]}]
    journal = client.get("/__mock__/journal").json["entries"]
    path = SUBSCRIBE[where].split("?")[0]
    noted = [entry["decisions"] for entry in journal if entry["path"] == path]
    assert len(noted) == 2
    for decisions in noted:
        assert any(d.startswith(f"matched {profile_id}") for d in decisions)
        assert any(d.startswith(f"subscribed {profile_id} to back in stock") for d in decisions)


@pytest.mark.parametrize(
    ("variant_id", "channels", "profile", "status", "pointer"),
    [
        (
            f"{PREFIX}NOPE",
            ["EMAIL"],
            {"attributes": {"email": "a@example.com"}},
            404,
            "/data/relationships/variant/data/id",
        ),
        (None, [], {"attributes": {"email": "a@example.com"}}, 400, "/data/attributes/channels"),
        (None, ["EMAIL"], None, 400, "/data/attributes/profile"),
        (
            None,
            ["SMS"],
            {"attributes": {"email": "a@example.com"}},
            400,
            "/data/attributes/profile/data/attributes/phone_number",
        ),
        (
            None,
            ["WHATSAPP"],
            {"attributes": {"email": "a@example.com"}},
            400,
            "/data/attributes/profile/data/attributes/phone_number",
        ),
        (
            None,
            ["EMAIL"],
            {"attributes": {"phone_number": "+15555550100"}},
            400,
            "/data/attributes/profile/data/attributes/email",
        ),
        (
            None,
            ["EMAIL"],
            {"attributes": {"email": "not-an-email"}},
            400,
            "/data/attributes/profile/data/attributes/email",
        ),
        (None, ["PUSH"], {"attributes": {}}, 400, "/data/attributes/profile/data/attributes"),
        (
            None,
            ["FAX"],
            {"attributes": {"email": "a@example.com"}},
            400,
            "/data/attributes/channels/0",
        ),
    ],
    ids=[
        "unknown-variant",
        "no-channel",
        "no-profile",
        "sms-without-phone",
        "whatsapp-without-phone",
        "email-without-email",
        "bad-email",
        "no-identifier",
        "unknown-channel",
    ],
)
def test_back_in_stock_bad_input_is_refused_and_changes_nothing(
    client: FlaskClient,
    klaviyo: Klaviyo,
    variant: str,
    variant_id: str | None,
    channels: list[str],
    profile: dict[str, Any] | None,
    status: int,
    pointer: str,
) -> None:
    body = bis_body(variant_id or variant, channels, profile)
    refused(current(client, "POST", SUBSCRIBE["api"], body), status, pointer)
    assert profiles(client) == []
    assert kept(klaviyo, variant) == []


def test_back_in_stock_for_a_profile_id_naming_nobody_keeps_nothing(
    client: FlaskClient, klaviyo: Klaviyo, variant: str
) -> None:
    body = bis_body(variant, ["PUSH"], {"id": "01GDDKASAP8TKDDA2GRZDSVP4H", "attributes": {}})
    assert current(client, "POST", SUBSCRIBE["api"], body).status_code == 202
    assert profiles(client) == [] and kept(klaviyo, variant) == []


def test_back_in_stock_subscriptions_go_with_their_variant(
    client: FlaskClient, klaviyo: Klaviyo, variant: str
) -> None:
    person = {"attributes": {"email": "ann@example.com"}}
    current(client, "POST", SUBSCRIBE["api"], bis_body(variant, ["EMAIL"], person))
    change = {
        "data": {"type": "catalog-variant", "id": variant, "attributes": {"inventory_quantity": 0}}
    }
    assert current(client, "PATCH", f"/api/catalog-variants/{variant}", change).status_code == 200
    assert len(kept(klaviyo, variant)) == 1
    assert current(client, "DELETE", f"/api/catalog-variants/{variant}").status_code == 204
    again = current(client, "POST", SUBSCRIBE["api"], bis_body(variant, ["EMAIL"], person))
    refused(again, 404)
