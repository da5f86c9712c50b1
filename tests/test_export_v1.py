"""/api/v1/metric/{id}/export (legacy-api.md §8): counts and sums by day, week or month."""

from __future__ import annotations

import json

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

DAY = 86_400
MONDAY = 1_609_718_400  # 2021-01-04 00:00 UTC


@pytest.fixture
def orders(client, klaviyo):
    """Ann orders on Monday (twice) and Wednesday, Bob on Monday and the next Monday."""
    rows = [
        ("ann", 0, 10, "web"),
        ("ann", 0.5, 5, "app"),
        ("ann", 2, 1, "web"),
        ("bob", 0.1, 7, "web"),
        ("bob", 7, 3, "app"),
    ]
    for n, (who, days, value, channel) in enumerate(rows):
        send(client, "track", {"token": PUBLIC, "event": "Placed Order", "customer_properties": {"$email": f"{who}@x.com"},
                               "properties": {"$event_id": str(n), "$value": value, "Items": 2, "Channel": channel},
                               "time": int(MONDAY + days * DAY)})  # fmt: skip
    return klaviyo.store.metrics("default")[0].id


def export(client, metric_id, **params):
    query = {"start_date": "2021-01-04", "end_date": "2021-01-12", "api_key": PRIVATE, **params}
    return client.get(f"/api/v1/metric/{metric_id}/export", query_string=query)


def values(response, segment=0):
    return [d["values"][0] for d in response.json["results"][segment]["data"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({}, [3, 0, 1, 0, 0, 0, 0, 1, 0], id="count-by-day"),
        pytest.param({"unit": "week"}, [4, 1], id="count-by-week"),
        pytest.param({"unit": "month"}, [5], id="count-by-month"),
        pytest.param({"measurement": "unique", "unit": "week"}, [2, 1], id="unique"),
        pytest.param({"measurement": "value", "unit": "week"}, [23, 3], id="value"),
        pytest.param(
            {"measurement": json.dumps(["sum", "Items"]), "unit": "week"}, [8, 2], id="sum"
        ),
        pytest.param(
            {"where": json.dumps([["Channel", "=", "web"]]), "unit": "week"}, [3, 0], id="where"
        ),
        pytest.param(
            {"start_date": str(MONDAY), "end_date": str(MONDAY + DAY), "unit": "day"},
            [3, 0],
            id="unix-dates",
        ),
    ],
)
def test_export(client, orders, params, expected):
    response = export(client, orders, **params)
    assert response.status_code == 200, response.json
    assert response.json["metric"]["id"] == orders
    assert values(response) == expected


def test_export_by_a_property(client, orders):
    response = export(client, orders, by="Channel", unit="week")
    results = {r["segment"]: [d["values"][0] for d in r["data"]] for r in response.json["results"]}
    assert results == {"web": [3, 0], "app": [1, 1]}
    assert response.json["results"][0]["data"][0]["date"] == "2021-01-04 00:00:00"


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"end_date": None}, id="start-without-end"),
        pytest.param({"end_date": "2021-03-01"}, id="over-31-days"),
        pytest.param({"end_date": "2021-01-01"}, id="end-before-start"),
        pytest.param({"start_date": "yesterday"}, id="bad-date"),
        pytest.param({"unit": "year"}, id="bad-unit"),
        pytest.param({"measurement": "avg"}, id="bad-measurement"),
        pytest.param({"measurement": json.dumps(["sum"])}, id="sum-without-property"),
        pytest.param({"where": json.dumps([["a", ">", 1]])}, id="where-not-equals"),
        pytest.param(
            {"where": json.dumps([["a", "=", 1], ["b", "=", 2]])}, id="where-two-conditions"
        ),
        pytest.param({"where": json.dumps([["a", "=", 1]]), "by": "b"}, id="where-and-by"),
        pytest.param({"count": "0"}, id="count-0"),
    ],
)
def test_bad_exports_are_400(client, orders, params):
    query = {"start_date": "2021-01-04", "end_date": "2021-01-12", "api_key": PRIVATE, **params}
    query = {k: v for k, v in query.items() if v is not None}  # None: leave the key out
    response = client.get(f"/api/v1/metric/{orders}/export", query_string=query)
    assert response.status_code == 400
    assert set(response.json) == {"status", "message"}


def test_unknown_metric_is_404(client):
    response = client.get(f"/api/v1/metric/NoSuch/export?api_key={PRIVATE}")
    assert (response.status_code, response.json["status"]) == (404, 404)
