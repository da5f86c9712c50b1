"""Reporting: the values and series reports of campaigns, flows, forms and segments, metric
aggregates, and the reviews values report, each computed from a small state built through the
API (events, campaigns, flows, forms, segments, reviews' statuses) and checked number by number;
then each kind of bad input, refused with the member at fault. Every answer is checked against
stable.json by the ``app`` fixture.

The mock's clock is fixed (``NOW``) so that timeframe keys are deterministic (and moved back to
write reviews on the days they were). Where the API has no way to make a thing (a segment's
members: Klaviyo computes them from the definition, which the mock does not evaluate; a
campaign's, flow's or form's parts where the family made none), it is made through the
domain, as the family that owns the type stores it.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import current
from conftest import new_profile
from conftest import send

from mockserver.families.reporting import responses as reporting_responses

NOW = datetime(2027, 9, 15, 12, 0, tzinfo=UTC)  # a Wednesday, a year after the revision
ORDER = "Placed Order"
DAY = 86_400
MONDAY = datetime(2021, 1, 4, tzinfo=UTC)


class Clock:
    """The mock's clock, fixed at ``NOW`` unless a test moves it."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def clock(klaviyo, monkeypatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(klaviyo, "clock", fixed)
    return fixed


def iso(moment: datetime) -> str:
    return moment.isoformat()


def ago(days: float = 0, hours: float = 0) -> str:
    return iso(NOW - timedelta(days=days, hours=hours))


def event(client, metric: str, email: str, time: str, value: float | None = None, **properties):
    attributes: dict[str, Any] = {
        "properties": properties,
        "metric": {"data": {"type": "metric", "attributes": {"name": metric}}},
        "profile": {"data": {"type": "profile", "attributes": {"email": email}}},
        "time": time,
    }
    if value is not None:
        attributes["value"] = value
    answer = current(
        client, "POST", "/api/events", {"data": {"type": "event", "attributes": attributes}}
    )
    assert answer.status_code == 202, answer.json


def metric_id(client, name: str) -> str:
    metrics = current(client, "GET", "/api/metrics").json["data"]
    return next(m["id"] for m in metrics if m["attributes"]["name"] == name)


def create(client, kind: str, attributes: dict[str, Any], path: str | None = None) -> str:
    body = {"data": {"type": kind, "attributes": attributes}}
    answer = current(client, "POST", path or f"/api/{kind}s", body)
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def linked(client, path: str) -> list[str]:
    """The ids a relationship links (``…/relationships/…``)."""
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.json
    return [item["id"] for item in answer.json["data"]]


def made(klaviyo, kind: str, attributes: dict[str, Any], links: dict[str, str]) -> str:
    """A resource made through the domain, as the family that owns the type stores it."""
    return klaviyo.backend(klaviyo.accounts.open).resources.create(kind, attributes, links).id


def campaign(client, klaviyo, name: str, channel: str = "email") -> tuple[str, str]:
    """A campaign with one message (POST /api/campaigns); its id and its message's."""
    definition = {"channel": channel, "label": f"{name} message"}
    campaign_id = create(client, "campaign", {
        "name": name, "audiences": {"included": [list_id(client)]},
        "campaign-messages": {"data": [{"type": "campaign-message", "attributes": {"definition": definition}}]},
    })  # fmt: skip
    messages = linked(client, f"/api/campaigns/{campaign_id}/relationships/campaign-messages")
    if not messages:  # the campaign was made without its messages: make it the one it asked for
        attributes = {"definition": definition, "channel": channel, "label": definition["label"]}
        messages = [made(klaviyo, "campaign-message", attributes, {"campaign": campaign_id})]
    return campaign_id, messages[0]


def flow(client, klaviyo, name: str) -> tuple[str, str]:
    """A flow with one email (POST /api/flows); its id and its message's."""
    action = {"temporary_id": "a1", "type": "send-email", "links": {"next": None}, "data": {
        "message": {"from_email": "shop@example.com", "from_label": "Shop", "subject_line": "Hi", "name": f"{name} email"},
        "status": "draft"}}  # fmt: skip
    trigger = {"type": "list", "id": list_id(client)}
    definition = {"triggers": [trigger], "actions": [action], "entry_action_id": "a1"}
    flow_id = create(client, "flow", {"name": name, "definition": definition})
    messages = [
        message
        for action_id in linked(client, f"/api/flows/{flow_id}/relationships/flow-actions")
        for message in linked(client, f"/api/flow-actions/{action_id}/relationships/flow-messages")
    ]
    if not messages:  # the flow was made without its actions: make the one it asked for
        action_id = made(klaviyo, "flow-action", {}, {"flow": flow_id})
        shown = {"channel": "email", "definition": {"channel": "email", "name": f"{name} email"}}
        messages = [made(klaviyo, "flow-message", shown, {"flow-action": action_id})]
    return flow_id, messages[0]


def form(client, klaviyo, name: str) -> tuple[str, str]:
    """A form with one version (POST /api/forms); its id and its version's."""
    definition = {"versions": [{"steps": [{"columns": [{}]}]}]}
    form_id = create(
        client,
        "form",
        {"name": name, "status": "draft", "ab_test": False, "definition": definition},
    )
    versions = linked(client, f"/api/forms/{form_id}/relationships/form-versions")
    if not versions:
        versions = [made(klaviyo, "form-version", {"form_type": "popup"}, {"form": form_id})]
    return form_id, versions[0]


def list_id(client) -> str:
    return create(client, "list", {"name": "Newsletter"})


def report(client, kind: str, **attributes: Any):
    body = {"data": {"type": f"{kind}-report", "attributes": attributes}}
    return current(client, "POST", f"/api/{kind}-reports", body)


def results(answer) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.json
    return answer.json["data"]["attributes"]["results"]


# -- campaigns ------------------------------------------------------------------------------


@pytest.fixture
def campaigns(client, klaviyo):
    """Campaign A (email) and B (sms, tagged "vip"); three orders attributed to A's message
    (Ann twice, Bob once), one to B's, one to nothing."""
    a, message_a = campaign(client, klaviyo, "A")
    b, message_b = campaign(client, klaviyo, "B", channel="sms")
    tag = create(client, "tag", {"name": "vip"})
    body = {"data": [{"type": "campaign", "id": b}]}
    assert (
        current(client, "POST", f"/api/tags/{tag}/relationships/campaigns", body).status_code == 204
    )
    for email, days, value, message in [
        ("ann@x.com", 2, 10, message_a), ("ann@x.com", 1, 5, message_a),
        ("bob@x.com", 1, 6, message_a), ("bob@x.com", 3, 7, message_b),
    ]:  # fmt: skip
        event(client, ORDER, email, ago(days), value, **{"$attributed_message": message})
    event(client, ORDER, "cat@x.com", ago(1), 100)
    return {
        "a": a,
        "b": b,
        "A": message_a,
        "B": message_b,
        "tag": tag,
        "metric": metric_id(client, ORDER),
    }


STATISTICS = ["conversions", "conversion_uniques", "conversion_value", "average_order_value",
              "conversion_rate", "opens", "open_rate", "recipients"]  # fmt: skip
A_STATS = {"conversions": 3, "conversion_uniques": 2, "conversion_value": 21.0, "average_order_value": 7.0,
           "conversion_rate": 0.0, "opens": 0, "open_rate": 0.0, "recipients": 0}  # fmt: skip
B_STATS = {**A_STATS, "conversions": 1, "conversion_uniques": 1, "conversion_value": 7.0}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({}, {"A": A_STATS, "B": B_STATS}, id="a-row-per-message"),
        pytest.param({"filter": "equals(campaign_id,'{a}')"}, {"A": A_STATS}, id="filter-campaign"),
        pytest.param(
            {"filter": 'contains-any(send_channel,["sms"])'}, {"B": B_STATS}, id="filter-channel"
        ),
        pytest.param({"filter": 'contains-any(tag_name,["vip"])'}, {"B": B_STATS}, id="filter-tag"),
        pytest.param(
            {"timeframe": {"start": "2025-01-01T00:00:00", "end": "2025-06-01T00:00:00"}},
            {},
            id="sent-outside-the-timeframe",
        ),
    ],
)
def test_campaign_values_count_attributed_conversions(client, campaigns, extra, expected):
    extra = {k: v.format(**campaigns) if isinstance(v, str) else v for k, v in extra.items()}
    attributes = {"statistics": STATISTICS, "timeframe": {"key": "last_30_days"},
                  "conversion_metric_id": campaigns["metric"], **extra}  # fmt: skip
    answer = report(client, "campaign-values", **attributes)
    rows = results(answer)
    found = {row["groupings"]["campaign_message_id"]: row for row in rows}
    assert {name: found[campaigns[name]]["statistics"] for name in expected} == expected
    assert len(rows) == len(expected)
    channels = {"A": "email", "B": "sms"}
    for name in expected:
        groupings = found[campaigns[name]]["groupings"]
        assert groupings == {"campaign_id": campaigns[name.lower()], "campaign_message_id": campaigns[name],
                             "send_channel": channels[name]}  # fmt: skip
    linked = [item["id"] for item in answer.json["data"]["relationships"]["campaigns"]["data"]]
    assert linked == [campaigns[name.lower()] for name in expected]


def test_campaign_values_grouped_by_tag(client, campaigns):
    attributes = {"statistics": ["conversions"], "timeframe": {"key": "this_month"},
                  "conversion_metric_id": campaigns["metric"],
                  "group_by": ["campaign_id", "campaign_message_id", "tag_id", "text_message_format"]}  # fmt: skip
    rows = results(report(client, "campaign-values", **attributes))
    assert [
        (r["groupings"]["tag_id"], r["groupings"]["text_message_format"], r["statistics"])
        for r in rows
    ] == [
        (None, None, {"conversions": 3}),
        (campaigns["tag"], "sms", {"conversions": 1}),
    ]


def test_campaign_values_come_a_page_at_a_time(client, campaigns, monkeypatch):
    monkeypatch.setattr(reporting_responses, "ROWS_PER_PAGE", 1)
    attributes = {
        "statistics": ["conversions"],
        "timeframe": {"key": "last_7_days"},
        "conversion_metric_id": campaigns["metric"],
    }
    first = report(client, "campaign-values", **attributes)
    assert [r["groupings"]["campaign_message_id"] for r in results(first)] == [campaigns["A"]]
    assert first.json["data"]["relationships"]["campaigns"]["data"] == [
        {"type": "campaign", "id": campaigns["a"]}
    ]
    body = {"data": {"type": "campaign-values-report", "attributes": attributes}}
    second = current(
        client, "POST", first.json["links"]["next"].removeprefix("http://localhost"), body
    )
    assert [r["groupings"]["campaign_message_id"] for r in results(second)] == [campaigns["B"]]
    assert "next" not in second.json["links"]


# -- flows ----------------------------------------------------------------------------------


@pytest.fixture
def welcome(client, klaviyo):
    flow_id, message = flow(client, klaviyo, "Welcome")
    for email, days in [
        ("ann@x.com", 2),
        ("bob@x.com", 2.5),
        ("ann@x.com", 0.1),
        ("bob@x.com", 40),
    ]:
        event(client, ORDER, email, ago(days), 4, **{"$attributed_message": message})
    return {"flow": flow_id, "message": message, "metric": metric_id(client, ORDER)}


def test_flow_values(client, welcome):
    attributes = {"statistics": ["conversions", "conversion_uniques", "conversion_value", "clicks"],
                  "timeframe": {"key": "last_7_days"}, "conversion_metric_id": welcome["metric"],
                  "group_by": ["flow_id", "flow_message_id", "flow_name"]}  # fmt: skip
    answer = report(client, "flow-values", **attributes)
    assert results(answer) == [{
        "groupings": {"flow_id": welcome["flow"], "flow_message_id": welcome["message"], "flow_name": "Welcome"},
        "statistics": {"conversions": 3, "conversion_uniques": 2, "conversion_value": 12.0, "clicks": 0},
    }]  # fmt: skip
    relationships = answer.json["data"]["relationships"]
    assert relationships["flows"]["data"] == [{"type": "flow", "id": welcome["flow"]}]
    assert relationships["flow-messages"]["data"] == [
        {"type": "flow-message", "id": welcome["message"]}
    ]


@pytest.mark.parametrize(
    ("interval", "timeframe", "dates", "conversions"),
    [
        pytest.param("daily", {"start": "2027-09-12T00:00:00", "end": "2027-09-16T00:00:00"},
                     ["2027-09-12", "2027-09-13", "2027-09-14", "2027-09-15"], [0, 2, 0, 1], id="daily"),
        pytest.param("weekly", {"key": "last_30_days"}, None, None, id="weekly-from-monday"),
        pytest.param("hourly", {"key": "today"}, None, None, id="hourly"),
    ],
)  # fmt: skip
def test_flow_series_has_a_value_per_interval(
    client, welcome, interval, timeframe, dates, conversions
):
    attributes = {"statistics": ["conversions", "opens"], "timeframe": timeframe, "interval": interval,
                  "conversion_metric_id": welcome["metric"]}  # fmt: skip
    answer = report(client, "flow-series", **attributes)
    [row] = results(answer)
    date_times = answer.json["data"]["attributes"]["date_times"]
    counts = row["statistics"]["conversions"]
    assert len(counts) == len(date_times) == len(row["statistics"]["opens"])
    assert set(row["statistics"]["opens"]) == {0}
    if interval == "daily":
        assert [d[:10] for d in date_times] == dates and counts == conversions
        assert date_times[0] == "2027-09-12T00:00:00+00:00"
    elif interval == "weekly":  # 2027-08-17 .. 2027-09-15: weeks from Monday 2027-08-16
        assert date_times[0] == "2027-08-16T00:00:00+00:00" and len(date_times) == 5
        assert counts == [0, 0, 0, 0, 3]
    else:  # today: 24 hours; the one conversion today was at 09:36
        assert len(date_times) == 24 and counts[9] == 1 and sum(counts) == 1


# -- forms and segments ---------------------------------------------------------------------


@pytest.fixture
def signup(client, klaviyo):
    form_id, version = form(client, klaviyo, "Signup")
    other, _ = form(client, klaviyo, "Other")
    for hours, (metric, email) in enumerate([("Viewed Form", "ann@x.com"), ("Viewed Form", "bob@x.com"),
                                             ("Viewed Form", "ann@x.com"), ("Submitted Form", "ann@x.com")]):  # fmt: skip
        event(client, metric, email, ago(hours=hours + 1), form_id=form_id, form_version_id=version)
    event(client, "Viewed Form", "cat@x.com", ago(days=1), form_id=form_id)
    return {"form": form_id, "version": version, "other": other}


FORM_STATISTICS = ["viewed_form", "viewed_form_uniques", "submits", "submit_rate", "closed_form"]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        pytest.param(None, {"viewed_form": 4, "viewed_form_uniques": 3, "submits": 1,
                            "submit_rate": 1 / 3, "closed_form": 0}, id="by-form"),
        pytest.param(["form_id", "form_version_id"], {"viewed_form": 3, "viewed_form_uniques": 2,
                     "submits": 1, "submit_rate": 0.5, "closed_form": 0}, id="by-version"),
    ],
)  # fmt: skip
def test_form_values_count_form_events(client, signup, group_by, expected):
    attributes = {"statistics": FORM_STATISTICS, "timeframe": {"key": "last_7_days"}}
    if group_by:
        attributes["group_by"] = group_by
    rows = {
        row["groupings"]["form_id"]: row
        for row in results(report(client, "form-values", **attributes))
    }
    assert rows[signup["form"]]["statistics"] == pytest.approx(expected)
    if group_by:
        assert rows[signup["form"]]["groupings"]["form_version_id"] == signup["version"]
    else:
        assert rows[signup["other"]]["statistics"] == {n: 0 for n in FORM_STATISTICS}


def test_form_series_and_filter(client, signup):
    attributes = {"statistics": ["viewed_form"], "timeframe": {"key": "last_7_days"}, "interval": "daily",
                  "filter": f"equals(form_id,'{signup['form']}')"}  # fmt: skip
    [row] = results(report(client, "form-series", **attributes))
    assert row["statistics"]["viewed_form"] == [0, 0, 0, 0, 0, 1, 3]


@pytest.mark.parametrize("series", [False, True], ids=["values", "series"])
def test_segment_reports_count_members(client, klaviyo, series):
    segment = create(client, "segment", {"name": "VIP", "definition": {"condition_groups": [{"conditions": [
        {"type": "profile-group-membership", "is_member": True, "group_ids": [list_id(client)]}]}]}})  # fmt: skip
    empty = create(client, "segment", {"name": "Empty", "definition": {"condition_groups": []}})
    members = [new_profile(client, email=f"{n}@x.com") for n in ("ann", "bob")]
    klaviyo.backend(klaviyo.accounts.open).resources.link(
        "segment", segment, "profiles", members, "add"
    )
    attributes: dict[str, Any] = {"statistics": ["total_members", "members_added", "net_members_changed"],
                                  "timeframe": {"key": "last_7_days"}}  # fmt: skip
    if series:
        attributes["interval"] = "daily"
    rows = results(report(client, "segment-series" if series else "segment-values", **attributes))
    found = {row["groupings"]["segment_id"]: row["statistics"] for row in rows}
    each = (lambda n: [n] * 7) if series else (lambda n: n)
    assert found == {
        segment: {
            "total_members": each(2),
            "members_added": each(0),
            "net_members_changed": each(0),
        },
        empty: {"total_members": each(0), "members_added": each(0), "net_members_changed": each(0)},
    }
    filtered = report(client, "segment-values", statistics=["total_members"],
                      timeframe={"key": "today"}, filter=f"any(segment_id,['{empty}'])")  # fmt: skip
    assert results(filtered) == [
        {"groupings": {"segment_id": empty}, "statistics": {"total_members": 0}}
    ]


# -- metric aggregates ----------------------------------------------------------------------


@pytest.fixture
def orders(client):
    """Ann orders on Monday 2021-01-04 (00:00 and 12:00) and Wednesday, Bob on Monday (02:24)
    and the next Monday: the legacy export's fixture, through today's API."""
    for n, (who, days, value, method) in enumerate([
        ("ann", 0, 10, "web"), ("ann", 0.5, 5, "app"), ("ann", 2, 1, "web"),
        ("bob", 0.1, 7, "web"), ("bob", 7, 3, "app"),
    ]):  # fmt: skip
        event(client, ORDER, f"{who}@x.com", iso(MONDAY + timedelta(days=days)), value,
              Method=method, **{"$message": f"m{n % 2}"})  # fmt: skip
    return metric_id(client, ORDER)


def aggregate(client, metric: str, **attributes: Any):
    given = {"metric_id": metric, "measurements": ["count"],
             "filter": ["greater-or-equal(datetime,2021-01-04T00:00:00)", "less-than(datetime,2021-01-13T00:00:00)"],
             **attributes}  # fmt: skip
    return current(
        client,
        "POST",
        "/api/metric-aggregates",
        {"data": {"type": "metric-aggregate", "attributes": given}},
    )


def rows_of(answer) -> list[tuple[list[str], dict[str, list[float]]]]:
    assert answer.status_code == 200, answer.json
    return [
        (row["dimensions"], row["measurements"])
        for row in answer.json["data"]["attributes"]["data"]
    ]


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        pytest.param({}, [([], {"count": [3, 0, 1, 0, 0, 0, 0, 1, 0]})], id="count-by-day"),
        pytest.param({"interval": "week"}, [([], {"count": [4, 1]})], id="count-by-week"),
        pytest.param({"interval": "month"}, [([], {"count": [5]})], id="count-by-month"),
        pytest.param({"interval": "week", "measurements": ["unique", "sum_value"]},
                     [([], {"unique": [2, 1], "sum_value": [23, 3]})], id="unique-and-sum"),
        pytest.param({"interval": "week", "by": ["Method"]},
                     [(["web"], {"count": [3, 0]}), (["app"], {"count": [1, 1]})], id="by-property"),
        pytest.param({"interval": "week", "by": ["Method"], "sort": "Method"},
                     [(["app"], {"count": [1, 1]}), (["web"], {"count": [3, 0]})], id="sorted-by-dimension"),
        pytest.param({"interval": "week", "by": ["Method", "$message"], "sort": "-count"},
                     [(["web", "m0"], {"count": [2, 0]}), (["app", "m0"], {"count": [0, 1]}),
                      (["app", "m1"], {"count": [1, 0]}), (["web", "m1"], {"count": [1, 0]})],
                     id="by-two-properties-sorted"),
        pytest.param({"interval": "week", "by": ["$flow"]}, [([""], {"count": [4, 1]})], id="by-a-missing-property"),
        pytest.param({"interval": "week", "filter": ["greater-or-equal(datetime,2021-01-04T00:00:00)",
                      "less-than(datetime,2021-01-13T00:00:00)", 'equals(Method,"web")']},
                     [([], {"count": [3, 0]})], id="filter-on-a-property"),
        pytest.param({"timezone": "America/New_York"}, [([], {"count": [1, 1, 0, 0, 0, 0, 1, 0, 0]})],
                     id="in-a-timezone"),
        pytest.param({"interval": "hour", "filter": ["greater-or-equal(datetime,2021-01-04T00:00:00Z)",
                      "less-than(datetime,2021-01-04T06:00:00+00:00)"]},
                     [([], {"count": [1, 0, 1, 0, 0, 0]})], id="by-hour"),
    ],
)  # fmt: skip
def test_metric_aggregates(client, orders, attributes, expected):
    answer = aggregate(client, orders, **attributes)
    found = rows_of(answer)
    assert found == expected
    dates = answer.json["data"]["attributes"]["dates"]
    assert len(dates) == len(found[0][1][next(iter(found[0][1]))])
    if attributes.get("timezone"):
        assert dates[0] == "2021-01-04T00:00:00-05:00"


def test_metric_aggregates_page(client, orders):
    first = aggregate(client, orders, interval="week", by=["Method"], page_size=1)
    assert rows_of(first) == [(["web"], {"count": [3, 0]})]
    cursor = first.json["links"]["next"]
    second = aggregate(
        client, orders, interval="week", by=["Method"], page_size=1, page_cursor=cursor
    )
    assert rows_of(second) == [(["app"], {"count": [1, 1]})]
    assert "next" not in second.json["links"]


@pytest.mark.parametrize(
    ("unit", "measurement", "legacy"),
    [
        ("day", "count", "count"),
        ("week", "unique", "unique"),
        ("month", "sum_value", "value"),
        ("week", "count", "count"),
    ],
)
def test_metric_aggregates_give_the_legacy_exports_numbers(
    client, klaviyo, unit, measurement, legacy
):
    for n, (who, days, value) in enumerate(
        [("ann", 0, 10), ("ann", 0.5, 5), ("ann", 2, 1), ("bob", 0.1, 7), ("bob", 7, 3)]
    ):
        send(client, "track", {"token": PUBLIC, "event": ORDER, "customer_properties": {"$email": f"{who}@x.com"},
                               "properties": {"$event_id": str(n), "$value": value},
                               "time": int(MONDAY.timestamp() + days * DAY)})  # fmt: skip
    metric = klaviyo.store.metrics("default")[0].id
    query = {
        "start_date": "2021-01-04",
        "end_date": "2021-01-12",
        "unit": unit,
        "measurement": legacy,
        "api_key": PRIVATE,
    }
    exported = client.get(f"/api/v1/metric/{metric}/export", query_string=query).json["results"][0][
        "data"
    ]
    [(_, measurements)] = rows_of(
        aggregate(client, metric, interval=unit, measurements=[measurement])
    )
    assert measurements[measurement] == [d["values"][0] for d in exported]


# -- reviews --------------------------------------------------------------------------------


CLIENT = {"revision": "2026-07-15"}


@pytest.fixture
def reviews(client, clock):
    """Published reviews of P1 (5 and 4 stars, a question, and 1 star 400 days ago) and P2
    (3 stars, featured), a store review (4 stars); an unpublished 1-star review of P2. Written
    through ``POST /client/reviews`` on the days they were, then moderated."""
    for product in ("P1", "P2"):
        create(client, "catalog-item", {"external_id": product, "title": product,
               "description": f"{product} description", "url": f"https://shop.example/{product}"})  # fmt: skip
    table = [
        ("review", 5, "P1", "published", 1), ("rating", 4, "P1", "published", 10),
        ("review", 3, "P2", "featured", 40), ("review", 1, "P2", "unpublished", 2),
        ("store", 4, None, "published", 5), ("question", None, "P1", "published", 3),
        ("review", 1, "P1", "published", 400),
    ]  # fmt: skip
    for review_type, rating, product, _, days in table:
        clock.now = NOW - timedelta(days=days)
        attributes: dict[str, Any] = {
            "review_type": review_type,
            "email": "ann@x.com",
            "author": "Ann",
            "content": "Fine.",
        }
        if rating is not None:
            attributes["rating"] = rating
        if product is not None:
            attributes["product"] = {"external_id": product, "integration_key": "shopify"}
        body = {"data": {"type": "review", "attributes": attributes}}
        answer = client.post(f"/client/reviews?company_id={PUBLIC}", json=body, headers=CLIENT)
        assert answer.status_code == 202, answer.json
    clock.now = NOW
    written = current(client, "GET", "/api/reviews").json["data"]
    assert [(r["attributes"]["review_type"], r["attributes"]["rating"]) for r in written] == [
        (t, r) for t, r, *_ in table
    ]
    for review, (*_, status, _) in zip(written, table, strict=True):
        body = {
            "data": {
                "type": "review",
                "id": review["id"],
                "attributes": {"status": {"value": status}},
            }
        }
        assert current(client, "PATCH", f"/api/reviews/{review['id']}", body).status_code == 200


ALL = "average_rating,total_reviews,total_questions,total_ratings,total_store_reviews,average_store_rating"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"group_by": "company_id", "statistics": ALL, "timeframe": "all_time"},
                     {"company_id=MoCk01": {"average_rating": 3.25, "total_reviews": 3, "total_questions": 1, "total_ratings": 4,
                                            "total_store_reviews": 1, "average_store_rating": 4.0}}, id="company-all-time"),
        pytest.param({"group_by": "company_id", "statistics": ALL, "timeframe": "last_30_days"},
                     {"company_id=MoCk01": {"average_rating": 4.5, "total_reviews": 1, "total_questions": 1, "total_ratings": 2,
                                            "total_store_reviews": 1, "average_store_rating": 4.0}}, id="company-last-30-days"),
        pytest.param({"group_by": "product_id", "statistics": "average_rating,total_ratings", "timeframe": "all_time"},
                     {"product_id=P1": {"average_rating": 10 / 3, "total_ratings": 3},
                      "product_id=P2": {"average_rating": 3.0, "total_ratings": 1}}, id="product-all-time"),
        pytest.param({"group_by": "product_id", "statistics": "average_rating,total_ratings", "timeframe": "last_90_days"},
                     {"product_id=P1": {"average_rating": 4.5, "total_ratings": 2},
                      "product_id=P2": {"average_rating": 3.0, "total_ratings": 1}}, id="product-last-90-days"),
        pytest.param({"group_by": "product_id", "statistics": "total_reviews", "timeframe": "all_time",
                      "filter": "equals(product_external_ids,'P2')"},
                     {"product_id=P2": {"total_reviews": 1}}, id="filter-product"),
        pytest.param({"group_by": "company_id", "statistics": "total_reviews,average_store_rating", "timeframe": "all_time",
                      "filter": "any(product_external_ids,['P1'])"},
                     {"company_id=MoCk01": {"total_reviews": 2, "average_store_rating": None}}, id="company-of-some-products"),
    ],
)  # fmt: skip
def test_review_values(client, reviews, query, expected):
    query = {"company_id": PUBLIC, **query}
    answer = client.get("/client/review-values-reports", query_string=query, headers=CLIENT)
    assert answer.status_code == 200, answer.json
    [resource] = answer.json["data"]
    found = {
        "=".join(*row["groupings"].items()): row["statistics"]
        for row in resource["attributes"]["results"]
    }
    assert list(found) == list(expected)
    for key, statistics in expected.items():
        assert found[key] == pytest.approx(statistics)


def test_review_values_come_a_page_at_a_time(client, reviews):
    query = {
        "company_id": PUBLIC,
        "group_by": "product_id",
        "statistics": "total_ratings",
        "timeframe": "all_time",
        "page[size]": 1,
    }
    first = client.get("/client/review-values-reports", query_string=query, headers=CLIENT)
    assert first.json["data"][0]["attributes"]["results"] == [
        {"groupings": {"product_id": "P1"}, "statistics": {"total_ratings": 3}}
    ]
    second = client.get(first.json["links"]["next"], headers=CLIENT)
    assert second.json["data"][0]["attributes"]["results"] == [
        {"groupings": {"product_id": "P2"}, "statistics": {"total_ratings": 1}}
    ]
    assert "next" not in second.json["links"]


# -- bad input ------------------------------------------------------------------------------


MISSING = object()


def _with(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **change}
    return {k: v for k, v in merged.items() if v is not MISSING}


CAMPAIGN = {
    "statistics": ["conversions"],
    "timeframe": {"key": "last_30_days"},
    "conversion_metric_id": "{metric}",
}
SERIES = {"statistics": ["conversions"], "timeframe": {"key": "last_30_days"}, "interval": "weekly",
          "conversion_metric_id": "{metric}"}  # fmt: skip
FORM = {"statistics": ["viewed_form"], "timeframe": {"key": "last_30_days"}}
SEGMENT = {
    "statistics": ["total_members"],
    "timeframe": {"key": "last_30_days"},
    "interval": "daily",
}


@pytest.mark.parametrize(
    ("kind", "base", "change", "status", "pointer"),
    [
        pytest.param("campaign-values", CAMPAIGN, {"conversion_metric_id": "NoSuch"}, 404, "conversion_metric_id", id="unknown-metric"),
        pytest.param("campaign-values", CAMPAIGN, {"conversion_metric_id": MISSING}, 400, "conversion_metric_id", id="no-metric"),
        pytest.param("campaign-values", CAMPAIGN, {"statistics": MISSING}, 400, "statistics", id="no-statistics"),
        pytest.param("campaign-values", CAMPAIGN, {"statistics": []}, 400, "statistics", id="empty-statistics"),
        pytest.param("campaign-values", CAMPAIGN, {"statistics": ["viewed_form"]}, 400, "statistics/0", id="unlisted-statistic"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": MISSING}, 400, "timeframe", id="no-timeframe"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": {"key": "last_2_days"}}, 400, "timeframe", id="unknown-timeframe-key"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": {"start": "yesterday", "end": "2026-03-01T00:00:00"}}, 400,
                     "timeframe/start", id="unreadable-start"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": {"start": "2026-03-01T00:00:00", "end": "2026-02-01T00:00:00"}}, 400,
                     "timeframe/end", id="end-before-start"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": {"start": "2024-01-01T00:00:00", "end": "2026-01-01T00:00:00"}}, 400,
                     "timeframe", id="over-a-year"),
        pytest.param("campaign-values", CAMPAIGN, {"group_by": ["campaign_id", "send_channel"]}, 400, "group_by", id="group-by-without-message"),
        pytest.param("campaign-values", CAMPAIGN, {"group_by": ["flow_id"]}, 400, "group_by/0", id="unlisted-group-by"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "equals(flow_id,'x')"}, 400, "filter", id="filter-on-an-unknown-field"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "or(equals(campaign_id,'a'),equals(send_channel,'sms'))"}, 400, "filter", id="filter-with-or"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "and(equals(campaign_id,'a'),equals(campaign_id,'b'))"}, 400, "filter", id="filter-twice-on-a-field"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "equals(send_channel,'fax')"}, 400, "filter", id="filter-on-an-unknown-channel"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "contains-any(campaign_id,[" + ",".join(f"'{i}'" for i in range(101)) + "])"}, 400, "filter", id="filter-over-100-items"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "and(equals(campaign_id,'a'),and(equals(variation,'b'),equals(send_channel,'sms')))"}, 400, "filter", id="filter-nested"),
        pytest.param("campaign-values", CAMPAIGN, {"filter": "not(equals(campaign_id,'a'))"}, 400, "filter", id="filter-with-not"),
        pytest.param("campaign-values", CAMPAIGN, {"timeframe": {"start": "2026-03-01T00:00:00", "end": "soon"}}, 400,
                     "timeframe/end", id="unreadable-end"),
        pytest.param("flow-series", SERIES, {"interval": "yearly"}, 400, "interval", id="unlisted-interval"),
        pytest.param("flow-series", SERIES, {"interval": MISSING}, 400, "interval", id="no-interval"),
        pytest.param("flow-series", SERIES, {"interval": "hourly"}, 400, "interval", id="hourly-over-7-days"),
        pytest.param("flow-series", SERIES, {"interval": "daily", "timeframe": {"key": "last_90_days"}}, 400, "interval", id="daily-over-60-days"),
        pytest.param("flow-series", SERIES, {"conversion_metric_id": "NoSuch"}, 404, "conversion_metric_id", id="series-unknown-metric"),
        pytest.param("form-values", FORM, {"group_by": ["form_version_id"]}, 400, "group_by", id="form-version-without-form"),
        pytest.param("form-values", FORM, {"filter": "any(form_id,'x')"}, 400, "filter", id="any-without-a-list"),
        pytest.param("segment-series", SEGMENT, {"timeframe": {"start": "2023-05-01T00:00:00", "end": "2023-06-05T00:00:00"}}, 400,
                     "timeframe/start", id="segment-data-before-june-2023"),
        pytest.param("segment-values", {**SEGMENT, "interval": MISSING}, {"statistics": ["submits"]}, 400, "statistics/0", id="segment-unlisted-statistic"),
    ],
)  # fmt: skip
def test_bad_report_queries_are_refused(client, kind, base, change, status, pointer):
    attributes = _with(base, change)
    if attributes.get("conversion_metric_id") == "{metric}":
        event(client, ORDER, "ann@x.com", ago(1), 5)
        attributes["conversion_metric_id"] = metric_id(client, ORDER)
    answer = report(client, kind, **attributes)
    assert answer.status_code == status, answer.json
    [error] = answer.json["errors"]
    assert error["source"]["pointer"].startswith(f"/data/attributes/{pointer}")


RANGE = [
    "greater-or-equal(datetime,2021-01-04T00:00:00)",
    "less-than(datetime,2021-01-13T00:00:00)",
]


@pytest.mark.parametrize(
    ("change", "status", "pointer"),
    [
        pytest.param({"metric_id": "NoSuch"}, 404, "metric_id", id="unknown-metric"),
        pytest.param({"metric_id": MISSING}, 400, "metric_id", id="no-metric"),
        pytest.param({"measurements": ["avg"]}, 400, "measurements/0", id="unlisted-measurement"),
        pytest.param({"measurements": []}, 400, "measurements", id="no-measurements"),
        pytest.param({"interval": "minute"}, 400, "interval", id="unlisted-interval"),
        pytest.param({"filter": MISSING}, 400, "filter", id="no-filter"),
        pytest.param({"filter": [RANGE[0]]}, 400, "filter", id="no-end"),
        pytest.param({"filter": ['equals(Method,"web")']}, 400, "filter", id="no-range"),
        pytest.param({"filter": ["greater-or-equal(datetime,2021-02-01T00:00:00)", RANGE[1]]}, 400, "filter", id="end-before-start"),
        pytest.param({"filter": ["greater-or-equal(datetime,2019-01-01T00:00:00)", RANGE[1]]}, 400, "filter", id="over-a-year"),
        pytest.param({"filter": [*RANGE, "equals(Colour,'red')"]}, 400, "filter", id="unknown-property"),
        pytest.param({"filter": [*RANGE, "or(equals(Method,'web'),less-than(datetime,2021-01-05T00:00:00))"]}, 400, "filter", id="range-inside-or"),
        pytest.param({"filter": ["greater-or-equal(datetime,someday)", RANGE[1]]}, 400, "filter", id="unreadable-datetime"),
        pytest.param({"filter": ["greater-or-equal(datetime,'someday')", RANGE[1]]}, 400, "filter", id="unreadable-quoted-datetime"),
        pytest.param({"filter": ["greater-or-equal(datetime,5)", RANGE[1]]}, 400, "filter", id="datetime-not-a-date"),
        pytest.param({"timezone": "Mars/Olympus"}, 400, "timezone", id="unknown-timezone"),
        pytest.param({"timezone": "Europe/Kyiv"}, 400, "timezone", id="unsupported-timezone"),
        pytest.param({"by": ["Colour"]}, 400, "by/0", id="unlisted-by"),
        pytest.param({"sort": "Method"}, 400, "sort", id="sort-on-a-dimension-not-grouped-by"),
        pytest.param({"sort": "unique"}, 400, "sort", id="sort-on-a-measurement-not-asked"),
        pytest.param({"page_size": 0}, 400, "page_size", id="page-size-0"),
        pytest.param({"page_cursor": "forged"}, 400, "page_cursor", id="forged-cursor"),
        pytest.param({"return_fields": ["colour"]}, 400, "return_fields", id="unknown-return-field"),
    ],
)  # fmt: skip
def test_bad_metric_aggregates_are_refused(client, orders, change, status, pointer):
    attributes = _with({"metric_id": orders, "measurements": ["count"], "filter": RANGE}, change)
    body = {"data": {"type": "metric-aggregate", "attributes": attributes}}
    answer = current(client, "POST", "/api/metric-aggregates", body)
    assert answer.status_code == status, answer.json
    [error] = answer.json["errors"]
    assert error["source"]["pointer"].startswith(f"/data/attributes/{pointer}")


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        pytest.param(
            {"statistics": "average_rating,loudness"}, "statistics", id="unknown-statistic"
        ),
        pytest.param({"statistics": ","}, "statistics", id="no-statistic"),
        pytest.param({"statistics": None}, "statistics", id="missing-statistics"),
        pytest.param({"group_by": "store_id"}, "group_by", id="unknown-group-by"),
        pytest.param({"timeframe": "last_7_days"}, "timeframe", id="unknown-timeframe"),
        pytest.param(
            {"filter": "equals(product_id,'P1')"}, "filter", id="filter-on-an-unknown-field"
        ),
    ],
)
def test_bad_review_values_queries_are_refused(client, change, parameter):
    query = {
        "company_id": PUBLIC,
        "group_by": "company_id",
        "statistics": "average_rating",
        "timeframe": "all_time",
        **change,
    }
    query = {k: v for k, v in query.items() if v is not None}
    answer = client.get("/client/review-values-reports", query_string=query, headers=CLIENT)
    assert answer.status_code == 400, answer.json
    assert answer.json["errors"][0]["source"] == {"parameter": parameter}
