"""The reporting operations: the values and series reports of campaigns, flows, forms and
segments, metric aggregates, and the reviews values report. Each is computed from the state
(``models``); a query Klaviyo would refuse is a 400 (an unknown metric a 404) pointing at the
member at fault, and changes nothing (a report writes nothing).

Rows come a page at a time where the operation pages: the campaign and flow reports take a
``page_cursor`` in the query (500 rows a page, *chosen*: the document gives no size), metric
aggregates one in the body (``page_size`` rows a page; ``links.next`` carries the next cursor,
*chosen*: the answer's schema has no other place for it), the reviews values report
``page[cursor]`` and ``page[size]`` over the report's groupings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.jsonapi import decode_cursor
from ...api.jsonapi import encode_cursor
from ...api.jsonapi import page_link
from ...api.jsonapi import respond
from ...api.jsonapi import self_link
from ...domain.listing import Item
from ...domain.listing import ListQuery
from . import models
from .timeframes import ReportError

#: Rows a page of a campaign or flow report (*chosen*).
ROWS_PER_PAGE = 500


def _refused(error: ReportError, *, query: bool = False) -> ApiError:
    """A report error as the API answers it: pointing at a body member, or naming a query
    parameter."""
    if query:
        return ApiError(error.status, str(error), parameter=error.member)
    return ApiError(error.status, str(error), pointer=f"/data/attributes/{error.member}")


def _offset(after: list[Any] | None, parameter: str) -> int:
    """Where a page starts: the row a cursor names (0 without one)."""
    if after is None:
        return 0
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool):
        raise ApiError(
            400, f"Invalid page cursor: {after!r} is no position here.", parameter=parameter
        )
    return max(after[0], 0)


def _page(rows: list[Any], offset: int, size: int) -> tuple[list[Any], list[Any] | None]:
    """A page of ``rows`` and the key of the next one (None on the last)."""
    end = offset + size
    return rows[offset:end], ([end] if end < len(rows) else None)


def _relationships(
    call: Call, kind: str, related: Iterable[list[tuple[str, str]]]
) -> dict[str, Any]:
    """The resources the rows shown are about (each once), as the report's relationships."""
    ids: dict[str, dict[str, None]] = {}
    for name, related_id in (pair for row in related for pair in row):
        ids.setdefault(name, {})[related_id] = None
    found = {}
    for name, relationship in call.backend.resources.type(kind).relationships.items():
        target = relationship.types[0]
        found[name] = {"data": [{"type": target, "id": i} for i in ids.get(name, {})]}
    return found


def _report(name: str, kind: str, series: bool = False) -> Handler:
    """The handler of a values report (``series``: a series report) of ``name``'s."""

    def handler(call: Call) -> Response:
        attributes = call.data["attributes"]
        interval = attributes["interval"] if series else None
        try:
            report = models.report(call.backend, name, attributes, interval)
        except ReportError as error:
            raise _refused(error) from None
        offset, size = 0, len(report.results)
        if call.operation.cursor is not None:
            query = call.params.listing or ListQuery()
            offset, size = _offset(query.after, call.operation.cursor), ROWS_PER_PAGE
        results, next_key = _page(report.results, offset, size)
        shown: dict[str, Any] = {"results": results}
        if report.date_times is not None:
            shown["date_times"] = report.date_times
        data: dict[str, Any] = {
            "type": kind,
            "id": models.report_id(call.account, call.operation.id, attributes),
            "attributes": shown,
        }
        relationships = _relationships(call, kind, report.related[offset : offset + size])
        if relationships:
            data["relationships"] = relationships
        path = call.operation.path
        links = call.page_links(path, next_key) if call.operation.cursor else None
        note(f"{kind}: {len(report.results)} rows")
        return respond({"data": data, "links": links or {"self": self_link(path)}})

    return handler


def query_metric_aggregates(call: Call) -> Response:
    attributes = call.data["attributes"]
    try:
        query, rows = models.metric_aggregate(call.backend, attributes)
    except ReportError as error:
        raise _refused(error) from None
    scope = f"{call.operation.id}:{query.fingerprint}"
    cursor = attributes.get("page_cursor")
    offset = 0
    if cursor:
        try:
            offset = _offset(decode_cursor(cursor, scope, "page_cursor"), "page_cursor")
        except ApiError as error:
            raise ApiError(400, error.message, pointer="/data/attributes/page_cursor") from None
    page, next_key = _page(rows, offset, query.page_size)
    path = call.operation.path
    data = {
        "type": "metric-aggregate",
        "id": models.report_id(call.account, call.operation.id, attributes),
        "attributes": {
            "dates": query.timeline.labels(),
            "data": [{"dimensions": r.dimensions, "measurements": r.measurements} for r in page],
        },
        "links": {"self": self_link(path)},
    }
    links = {"self": self_link(path)}
    if next_key is not None:
        links["next"] = page_link(path, encode_cursor(next_key, scope), "page_cursor")
    note(f"metric aggregate of {query.metric_id}: {len(rows)} rows")
    return respond({"data": data, "links": links})


def get_client_review_values_reports(call: Call) -> Response:
    other = call.params.other
    query = call.params.listing or ListQuery()
    try:
        results = models.review_values(
            call.backend,
            other["group_by"],
            other["statistics"],
            other["timeframe"],
            query.filter,
        )
    except ReportError as error:
        raise _refused(error, query=True) from None
    page, next_key = _page(results, _offset(query.after, "page[cursor]"), query.size)
    asked = {k: other[k] for k in ("group_by", "statistics", "timeframe")} | {
        "filter": str(query.filter)
    }
    item = Item(models.report_id(call.account, call.operation.id, asked), {"results": page})
    note(f"review values report: {len(results)} groupings")
    kind = "review-values-report"
    return respond(document(call, kind, [item], many=True, next_key=next_key))


HANDLERS: dict[str, Handler] = {
    "query_campaign_values": _report("campaign", "campaign-values-report"),
    "query_flow_values": _report("flow", "flow-values-report"),
    "query_flow_series": _report("flow", "flow-series-report", series=True),
    "query_form_values": _report("form", "form-values-report"),
    "query_form_series": _report("form", "form-series-report", series=True),
    "query_segment_values": _report("segment", "segment-values-report"),
    "query_segment_series": _report("segment", "segment-series-report", series=True),
    "query_metric_aggregates": query_metric_aggregates,
    "get_client_review_values_reports": get_client_review_values_reports,
}
