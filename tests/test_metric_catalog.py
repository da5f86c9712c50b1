"""Mapped metrics (``/api/mapped-metrics``) and custom metrics (``/api/custom-metrics``): the
fixed kinds of mapping, the same for every account and unmapped after a reset, each mapped to a
metric or a custom metric that exists; custom metrics created, read back, changed and deleted,
linked to the metrics their definitions name. Every answer is checked against the document by
the ``client`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import OTHER_PRIVATE
from conftest import PRIVATE
from conftest import current
from current import error
from current import event_body

from mockserver.families.metric_catalog.models import KINDS


def metric(client, name: str) -> str:
    """A metric, made as Klaviyo makes them: by an event that names it."""
    assert current(client, "POST", "/api/events", event_body(name)).status_code == 202
    found = current(client, "GET", "/api/metrics").json["data"]
    return next(str(m["id"]) for m in found if m["attributes"]["name"] == name)


def definition(*metric_ids: str, method: str = "value") -> dict[str, Any]:
    return {
        "aggregation_method": method,
        "metric_groups": [{"metric_id": i, "value_property": "$value"} for i in metric_ids],
    }


def custom(client, name: str, *metric_ids: str) -> dict[str, Any]:
    body = {
        "data": {
            "type": "custom-metric",
            "attributes": {"name": name, "definition": definition(*metric_ids)},
        }
    }
    answer = current(client, "POST", "/api/custom-metrics", body)
    assert answer.status_code == 201, answer.json
    return dict(answer.json["data"])


def custom_change(custom_id: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "custom-metric", "id": custom_id, "attributes": attributes}}


def mapping(kind: str, **targets: str | None) -> dict[str, Any]:
    relationships = {
        name: ({} if target is None else {"data": {"type": name, "id": target}})
        for name, target in targets.items()
    }
    return {"data": {"type": "mapped-metric", "id": kind, "relationships": relationships}}


def linked(client, kind: str) -> dict[str, Any]:
    """What a mapped metric is mapped to, by relationship (the linkage reads)."""
    return {
        name: current(client, "GET", f"/api/mapped-metrics/{kind}/relationships/{name}").json[
            "data"
        ]
        for name in ("metric", "custom-metric")
    }


def metric_ids(client, custom_id: str) -> list[str]:
    answer = current(client, "GET", f"/api/custom-metrics/{custom_id}/relationships/metrics")
    assert answer.status_code == 200, answer.json
    return [m["id"] for m in answer.json["data"]]


# -- mapped metrics ----------------------------------------------------------------------------


def test_the_mapped_metrics_are_the_kinds_the_document_names(client):
    answer = current(client, "GET", "/api/mapped-metrics")
    assert answer.status_code == 200
    assert [m["id"] for m in answer.json["data"]] == list(KINDS)
    assert linked(client, "revenue") == {"metric": None, "custom-metric": None}
    error(current(client, "GET", "/api/mapped-metrics/profit"), 404)


def test_every_account_has_the_same_kinds(two_accounts):
    client = two_accounts.test_client()
    seen = [
        [m["id"] for m in current(client, "GET", "/api/mapped-metrics", headers=h).json["data"]]
        for h in ({"Authorization": f"Klaviyo-API-Key {k}"} for k in (PRIVATE, OTHER_PRIVATE))
    ]
    assert seen == [list(KINDS), list(KINDS)]


def test_a_mapping_to_a_metric_is_read_back(client):
    placed = metric(client, "Placed Order")
    answer = current(
        client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed)
    )
    assert answer.status_code == 200, answer.json
    assert linked(client, "revenue") == {
        "metric": {"type": "metric", "id": placed},
        "custom-metric": None,
    }
    related = current(client, "GET", "/api/mapped-metrics/revenue/metric").json["data"]
    assert (related["id"], related["attributes"]["name"]) == (placed, "Placed Order")
    included = current(client, "GET", "/api/mapped-metrics/revenue?include=metric").json
    assert [i["id"] for i in included["included"]] == [placed]
    assert linked(client, "viewed_product") == {"metric": None, "custom-metric": None}


def test_mapping_to_a_custom_metric_clears_the_metric_and_back(client):
    placed = metric(client, "Placed Order")
    made = custom(client, "Net revenue", placed)
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed))
    current(
        client,
        "PATCH",
        "/api/mapped-metrics/revenue",
        mapping("revenue", **{"custom-metric": made["id"]}),
    )
    assert linked(client, "revenue") == {
        "metric": None,
        "custom-metric": {"type": "custom-metric", "id": made["id"]},
    }
    related = current(client, "GET", "/api/mapped-metrics/revenue/custom-metric").json["data"]
    assert related["attributes"]["name"] == "Net revenue"
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed))
    assert linked(client, "revenue") == {
        "metric": {"type": "metric", "id": placed},
        "custom-metric": None,
    }


def test_a_relationship_without_data_unmaps(client):
    placed = metric(client, "Placed Order")
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed))
    answer = current(
        client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=None)
    )
    assert answer.status_code == 200, answer.json
    assert linked(client, "revenue") == {"metric": None, "custom-metric": None}


def test_a_mapping_stamps_updated(client, klaviyo):
    before = current(client, "GET", "/api/mapped-metrics/revenue").json["data"]["attributes"][
        "updated"
    ]
    placed = metric(client, "Placed Order")
    answer = current(
        client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed)
    )
    assert answer.json["data"]["attributes"]["updated"] >= before


def test_a_reset_unmaps_everything(client):
    placed = metric(client, "Placed Order")
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed))
    assert client.post("/__mock__/reset").status_code == 200
    assert [m["id"] for m in current(client, "GET", "/api/mapped-metrics").json["data"]] == list(
        KINDS
    )
    assert linked(client, "revenue") == {"metric": None, "custom-metric": None}


BAD_MAPPINGS = [
    ("unknown-metric", {"metric": "XXXXXX"}, 404, "/data/relationships/metric/data/id"),
    (
        "unknown-custom-metric",
        {"custom-metric": "0" * 32},
        404,
        "/data/relationships/custom-metric/data/id",
    ),
    ("both", {"metric": "PLACED", "custom-metric": "CUSTOM"}, 400, "/data/relationships"),
]


@pytest.mark.parametrize(
    ("targets", "status", "pointer"),
    [c[1:] for c in BAD_MAPPINGS],
    ids=[c[0] for c in BAD_MAPPINGS],
)
def test_a_bad_mapping_is_refused_and_changes_nothing(client, targets, status, pointer):
    placed = metric(client, "Placed Order")
    made = custom(client, "Net revenue", placed)
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", metric=placed))
    named = {k: {"PLACED": placed, "CUSTOM": made["id"]}.get(v, v) for k, v in targets.items()}
    found = error(
        current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", **named)), status
    )
    assert found["source"] == {"pointer": pointer}
    assert linked(client, "revenue") == {
        "metric": {"type": "metric", "id": placed},
        "custom-metric": None,
    }


def test_an_unknown_kind_of_mapping_is_not_there(client):
    error(current(client, "GET", "/api/mapped-metrics/profit/relationships/metric"), 404)
    found = error(current(client, "PATCH", "/api/mapped-metrics/profit", mapping("profit")), 400)
    assert found["source"] == {"pointer": "/data/id"}  # the body's id is one of the kinds


def test_a_mapping_naming_another_kind_is_400(client):
    found = error(
        current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("viewed_product")), 400
    )
    assert found["source"] == {"pointer": "/data/id"}


# -- custom metrics ----------------------------------------------------------------------------


def test_a_custom_metric_is_created_and_read_back(client):
    placed, started = metric(client, "Placed Order"), metric(client, "Started Checkout")
    made = custom(client, "Checkout value", placed, started, placed)
    assert made["attributes"]["name"] == "Checkout value"
    assert made["attributes"]["definition"] == definition(placed, started, placed)
    read = current(client, "GET", f"/api/custom-metrics/{made['id']}").json["data"]
    assert read["attributes"] == made["attributes"]
    assert metric_ids(client, made["id"]) == [placed, started]
    related = current(client, "GET", f"/api/custom-metrics/{made['id']}/metrics").json["data"]
    assert [m["attributes"]["name"] for m in related] == ["Placed Order", "Started Checkout"]
    listed = current(client, "GET", "/api/custom-metrics?include=metrics").json
    assert [c["id"] for c in listed["data"]] == [made["id"]]
    assert sorted(i["id"] for i in listed["included"]) == sorted([placed, started])


@pytest.mark.parametrize(
    "attributes",
    [{"name": "Renamed"}, {"name": "net revenue"}, {"name": None}, {"definition": "NEW"}],
    ids=["name", "own-name-other-case", "null-name-keeps", "definition"],
)
def test_a_change_is_read_back(client, attributes):
    placed, started = metric(client, "Placed Order"), metric(client, "Started Checkout")
    made = custom(client, "Net revenue", placed)
    given = {
        k: (definition(started, method="count") if v == "NEW" else v) for k, v in attributes.items()
    }
    answer = current(
        client, "PATCH", f"/api/custom-metrics/{made['id']}", custom_change(made["id"], **given)
    )
    assert answer.status_code == 200, answer.json
    read = current(client, "GET", f"/api/custom-metrics/{made['id']}").json["data"]["attributes"]
    expected = {k: v for k, v in given.items() if v is not None}
    assert {k: read[k] for k in ("name", "definition")} == {
        "name": "Net revenue",
        "definition": definition(placed),
        **expected,
    }
    assert metric_ids(client, made["id"]) == ([started] if "definition" in given else [placed])


def test_a_deleted_custom_metric_is_gone_and_unmapped(client):
    placed = metric(client, "Placed Order")
    made, kept = custom(client, "Net revenue", placed), custom(client, "Kept", placed)
    key = "custom-metric"
    current(client, "PATCH", "/api/mapped-metrics/revenue", mapping("revenue", **{key: made["id"]}))
    current(
        client,
        "PATCH",
        "/api/mapped-metrics/refunded_sales",
        mapping("refunded_sales", **{key: kept["id"]}),
    )
    assert current(client, "DELETE", f"/api/custom-metrics/{made['id']}").status_code == 204
    error(current(client, "GET", f"/api/custom-metrics/{made['id']}"), 404)
    assert [c["id"] for c in current(client, "GET", "/api/custom-metrics").json["data"]] == [
        kept["id"]
    ]
    assert linked(client, "revenue") == {"metric": None, "custom-metric": None}
    assert linked(client, "refunded_sales")["custom-metric"] == {"type": key, "id": kept["id"]}
    # the name is free again
    assert custom(client, "Net revenue", placed)["id"] != made["id"]


def _create(name: str, method: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    attributes = {
        "name": name,
        "definition": {"aggregation_method": method, "metric_groups": groups},
    }
    return {"data": {"type": "custom-metric", "attributes": attributes}}


def _one(placed: str) -> list[dict[str, Any]]:
    return [{"metric_id": placed}]


BAD_CREATES = [
    ("duplicate-name", "NET REVENUE", "count", _one, 400, "/data/attributes/name"),
    ("blank-name", " ", "count", _one, 400, "/data/attributes/name"),
    ("no-groups", "Other", "count", lambda p: [], 400, "/data/attributes/definition/metric_groups"),
    (
        "unknown-metric",
        "Other",
        "count",
        lambda p: [{"metric_id": p}, {"metric_id": "XXXXXX"}],
        404,
        "/data/attributes/definition/metric_groups/1/metric_id",
    ),
    ("bad-method", "Other", "median", _one, 400, "/data/attributes/definition/aggregation_method"),
]


@pytest.mark.parametrize(
    ("name", "method", "groups", "status", "pointer"),
    [c[1:] for c in BAD_CREATES],
    ids=[c[0] for c in BAD_CREATES],
)
def test_a_bad_create_is_refused_and_makes_nothing(client, name, method, groups, status, pointer):
    placed = metric(client, "Placed Order")
    made = custom(client, "Net revenue", placed)
    payload = _create(name, method, groups(placed))
    found = error(current(client, "POST", "/api/custom-metrics", payload), status)
    assert found["source"] == {"pointer": pointer}
    assert [c["id"] for c in current(client, "GET", "/api/custom-metrics").json["data"]] == [
        made["id"]
    ]


@pytest.mark.parametrize(
    ("attributes", "status", "pointer"),
    [
        ({"name": "Other"}, 400, "/data/attributes/name"),
        (
            {
                "definition": {
                    "aggregation_method": "count",
                    "metric_groups": [{"metric_id": "XXXXXX"}],
                }
            },
            404,
            "/data/attributes/definition/metric_groups/0/metric_id",
        ),
        (
            {"definition": {"aggregation_method": "count", "metric_groups": []}},
            400,
            "/data/attributes/definition/metric_groups",
        ),
    ],
    ids=["name-taken", "unknown-metric", "no-groups"],
)
def test_a_bad_change_is_refused_and_changes_nothing(client, attributes, status, pointer):
    placed = metric(client, "Placed Order")
    made = custom(client, "Net revenue", placed)
    custom(client, "Other", placed)
    before = current(client, "GET", f"/api/custom-metrics/{made['id']}").json
    patch = custom_change(made["id"], **attributes)
    found = error(current(client, "PATCH", f"/api/custom-metrics/{made['id']}", patch), status)
    assert found["source"] == {"pointer": pointer}
    assert current(client, "GET", f"/api/custom-metrics/{made['id']}").json == before
    assert metric_ids(client, made["id"]) == [placed]


def test_an_unknown_custom_metric_is_404(client):
    missing = "925e385b52fb405715f3616c337cc65c"
    error(current(client, "GET", f"/api/custom-metrics/{missing}"), 404)
    error(
        current(
            client, "PATCH", f"/api/custom-metrics/{missing}", custom_change(missing, name="x")
        ),
        404,
    )
    error(current(client, "DELETE", f"/api/custom-metrics/{missing}"), 404)
