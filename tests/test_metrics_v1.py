"""/api/v1/metrics and the v1 timelines (legacy-api.md §6, §8): paging by since, count, sort."""

from __future__ import annotations

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import send

BASE = 1_600_000_000


@pytest.fixture
def history(client, klaviyo):
    """Ann: 5 orders and 2 views; Bob: 1 order. One second apart, oldest first."""
    calls = (
        [("ann@x.com", "Placed Order")] * 5
        + [("ann@x.com", "Viewed")] * 2
        + [("bob@x.com", "Placed Order")]
    )
    for n, (email, event) in enumerate(calls):
        send(
            client,
            "track",
            {
                "token": PUBLIC,
                "event": event,
                "customer_properties": {"$email": email},
                "properties": {"$event_id": str(n)},
                "time": BASE + n,
            },
        )
    metrics = {m.name: m.id for m in klaviyo.store.metrics("default")}
    people = {next(iter(p.identifiers.values())): p.id for p in klaviyo.profiles("default")}
    return metrics, people


def get(client, path, **params):
    response = client.get(path, query_string={**params, "api_key": PRIVATE})
    assert response.status_code == 200, response.json
    return response.json


def times(page):
    return [e["timestamp"] - BASE for e in page["data"]]


def test_metrics_list(client, history):
    page = get(client, "/api/v1/metrics")
    assert (page["object"], page["total"], page["page"], page["start"], page["end"]) == (
        "$list",
        2,
        0,
        0,
        1,
    )
    assert {m["name"] for m in page["data"]} == {"Placed Order", "Viewed"}
    assert page["data"][0]["integration"]["name"] == "API"
    assert (
        get(client, "/api/v1/metrics", page=1, count=1)["data"][0]["name"]
        == page["data"][1]["name"]
    )


@pytest.mark.parametrize(
    ("where", "params", "expected", "more"),
    [
        pytest.param("all", {}, [7, 6, 5, 4, 3, 2, 1, 0], False, id="all-newest-first"),
        pytest.param("all", {"count": 3}, [7, 6, 5], True, id="count"),
        pytest.param(
            "all", {"since": str(BASE + 4), "sort": "asc", "count": 2}, [4, 5], True, id="since-asc"
        ),
        pytest.param(
            "all", {"since": str(BASE + 4), "sort": "desc"}, [4, 3, 2, 1, 0], False, id="since-desc"
        ),
        pytest.param(
            "all", {"sort": "asc"}, [7, 6, 5, 4, 3, 2, 1, 0], False, id="asc-without-since-is-desc"
        ),
        pytest.param("metric", {}, [7, 4, 3, 2, 1, 0], False, id="metric"),
        pytest.param("person", {}, [6, 5, 4, 3, 2, 1, 0], False, id="person"),
        pytest.param("person-metric", {}, [4, 3, 2, 1, 0], False, id="person-and-metric"),
    ],
)
def test_timelines(client, history, where, params, expected, more):
    metrics, people = history
    path = {
        "all": "/api/v1/metrics/timeline",
        "metric": f"/api/v1/metric/{metrics['Placed Order']}/timeline",
        "person": f"/api/v1/person/{people['ann@x.com']}/metrics/timeline",
        "person-metric": f"/api/v1/person/{people['ann@x.com']}/metric/{metrics['Placed Order']}/timeline",
    }[where]
    page = get(client, path, **params)
    assert times(page) == expected
    assert page["count"] == len(expected)
    assert (page["next"] is not None) == more


def test_next_tokens_walk_the_whole_timeline_once(client, history):
    seen, since = [], None
    for _ in range(10):
        page = get(
            client,
            "/api/v1/metrics/timeline",
            count=3,
            sort="asc",
            **({"since": since} if since else {"since": str(BASE)}),
        )
        seen += times(page)
        since = page["next"]
        if since is None:
            break
    assert seen == [0, 1, 2, 3, 4, 5, 6, 7]


def test_event_shape(client, history):
    metrics, people = history
    [event] = get(client, f"/api/v1/person/{people['bob@x.com']}/metrics/timeline")["data"]
    assert event["object"] == "event" and event["event_name"] == "Placed Order"
    assert event["statistic_id"] == metrics["Placed Order"]
    assert event["event_properties"] == {"$event_id": "7"}
    assert event["datetime"] == "2020-09-13 12:26:47+00:00"
    assert event["person"]["$email"] == "bob@x.com" and event["person"]["object"] == "person"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        pytest.param("/api/v1/person/01NOBODY/metrics/timeline", {}, 404, id="unknown-person"),
        pytest.param("/api/v1/metric/NoSuch/timeline", {}, 404, id="unknown-metric"),
        pytest.param("/api/v1/metrics/timeline", {"since": "yesterday"}, 400, id="bad-since"),
        pytest.param("/api/v1/metrics/timeline", {"count": "0"}, 400, id="count-0"),
        pytest.param("/api/v1/metrics/timeline", {"count": "101"}, 400, id="count-101"),
        pytest.param("/api/v1/metrics/timeline", {"sort": "up"}, 400, id="bad-sort"),
        pytest.param("/api/v1/metrics", {"page": "-1"}, 400, id="bad-page"),
    ],
)
def test_bad_timeline_requests_are_v1_errors(client, history, path, params, status):
    response = client.get(path, query_string={**params, "api_key": PRIVATE})
    assert response.status_code == status
    assert set(response.json) == {"status", "message"}


@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_following_next_from_a_first_page_without_since(client, history, sort):
    """Without since a timeline is newest first; its tokens keep it so, whatever sort says."""
    seen, since = [], None
    for _ in range(10):
        page = get(
            client,
            "/api/v1/metrics/timeline",
            count=3,
            sort=sort,
            **({"since": since} if since else {}),
        )
        seen += times(page)
        since = page["next"]
        if since is None:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1, 0]
