"""The legacy v1 metrics and timelines (legacy-api.md §6, §8), over the events Track stored."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify

from ..domain.backend import Backend
from ..domain.events import API_INTEGRATION
from ..domain.models import Event
from ..domain.models import Metric
from .context import note
from .params import ExportQuerySchema
from .params import MetricsQuerySchema
from .params import TimelineQuerySchema
from .person import person_json
from .person import v1_time
from .private import load_params
from .private import private_call

bp = Blueprint("metrics", __name__)

metrics_query = MetricsQuerySchema()
export_query = ExportQuerySchema()
timeline_query = TimelineQuerySchema()


def metric_json(metric: Metric) -> dict[str, Any]:
    created = v1_time(metric.created)
    return {
        "object": "metric",
        "id": metric.id,
        "name": metric.name,
        "integration": API_INTEGRATION,
        "created": created,
        "updated": created,
    }


@bp.get("/api/v1/metrics", strict_slashes=False)
def list_metrics() -> Response:
    """``page`` (from 0) and ``count`` (up to 100), in the v1 ``$list`` envelope."""
    backend, call = private_call()
    paging = load_params(metrics_query, call.params)
    metrics = backend.metrics()
    first = paging["page"] * paging["count"]
    shown = metrics[first : first + paging["count"]]
    return jsonify(
        object="$list",
        page=paging["page"],
        start=first,
        end=first + max(len(shown) - 1, 0),
        size=len(shown),
        total=len(metrics),
        data=[metric_json(m) for m in shown],
    )


def _timeline(
    backend: Backend,
    params: dict[str, Any],
    profile_id: str | None = None,
    metric_id: str | None = None,
) -> Response:
    query = load_params(timeline_query, params)
    found, profiles, names = backend.timeline(
        profile_id=profile_id,
        metric_id=metric_id,
        since=query["since"],
        count=query["count"],
        ascending=query["ascending"],
    )
    people = {pid: person_json(profile) for pid, profile in profiles.items()}
    note(f"{len(found.events)} event(s)", profiles=list(people))
    return jsonify(
        object="$list",
        count=len(found.events),
        data=[_event_json(e, names[e.metric_id], people[e.profile_id]) for e in found.events],
        next=found.next,
    )


def _event_json(event: Event, name: str, person: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "event",
        "id": event.id,
        "uuid": event.id,
        "statistic_id": event.metric_id,
        "timestamp": event.timestamp,
        "event_name": name,
        "event_properties": event.properties,
        "datetime": v1_time(datetime.fromtimestamp(event.timestamp, UTC).isoformat()) + "+00:00",
        "person": person,
    }


@bp.get("/api/v1/metrics/timeline", strict_slashes=False)
def metrics_timeline() -> Response:
    backend, call = private_call()
    return _timeline(backend, call.params)


@bp.get("/api/v1/metric/<metric_id>/timeline", strict_slashes=False)
def metric_timeline(metric_id: str) -> Response:
    backend, call = private_call()
    return _timeline(backend, call.params, metric_id=metric_id)


@bp.get("/api/v1/person/<profile_id>/metrics/timeline", strict_slashes=False)
def person_timeline(profile_id: str) -> Response:
    backend, call = private_call()
    return _timeline(backend, call.params, profile_id=profile_id)


@bp.get("/api/v1/person/<profile_id>/metric/<metric_id>/timeline", strict_slashes=False)
def person_metric_timeline(profile_id: str, metric_id: str) -> Response:
    backend, call = private_call()
    return _timeline(backend, call.params, profile_id=profile_id, metric_id=metric_id)


@bp.get("/api/v1/metric/<metric_id>/export", strict_slashes=False)
def export_metric(metric_id: str) -> Response:
    backend, call = private_call()
    query = load_params(export_query, call.params)
    metric, results = backend.export(metric_id, query)
    return jsonify(metric=metric_json(metric), results=results)
