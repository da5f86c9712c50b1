"""Mapped metrics (``/api/mapped-metrics``) and custom metrics (``/api/custom-metrics``).

Mapped metrics are the fixed kinds of mapping the document enumerates (``revenue``,
``added_to_cart``…), the same for every account, made by Klaviyo (``SeededSource``: stored the
first time an account reads them, unmapped, back after a reset). A change maps one to a metric
or to a custom metric that exists (404 otherwise), or unmaps it (a relationship given without
data, or with null data); one mapping is one or the other, so setting one clears the other,
and a change naming both is refused (*chosen*: the document shows two optional relationships
and no rule between them).

A custom metric is a generic resource: a name unique in the account ("Attempting to create a
metric with a duplicate name will return a 400", letter case aside: *chosen*) and a definition
whose metric groups (at least one, *chosen*) each name a metric that exists (404 otherwise). Its
``metrics`` relationship is the metrics its definition names, in that order, each once. A
custom metric that goes unmaps the mapped metrics that named it.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.resources import Attributes
from ...domain.resources import Linking
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import seeded

MAPPED = "mapped-metric"
CUSTOM = "custom-metric"
METRIC = "metric"
#: The relationships of a mapped metric: what it can be mapped to.
TARGETS = (METRIC, CUSTOM)
#: The kinds of mapping (the document's enum of a mapped metric's id).
KINDS = (
    "added_to_cart",
    "cancelled_sales",
    "ordered_product",
    "refunded_sales",
    "revenue",
    "started_checkout",
    "viewed_product",
)
GROUPS = "definition/metric_groups"


class UnknownMetric(NotFound):
    """A metric a body names does not exist: ``pointer`` says where the body names it."""

    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.pointer = pointer


class BothTargets(ValueError):
    """A change maps one kind of mapping to a metric and a custom metric at once."""

    pointer = "/data/relationships"


def kinds(account: Account) -> list[tuple[str, Attributes]]:
    """The mapped metrics (``SeededSource`` seed): unmapped, ``updated`` when made."""
    return [(kind, {}) for kind in KINDS]


# -- mapped metrics ------------------------------------------------------------------------------


def remap(backend: Backend, kind: str, given: Mapping[str, Any]) -> Item:
    """Map ``kind`` to what ``given`` (a body's relationships, as ids) names; the other target
    is cleared."""
    named = [name for name in TARGETS if given.get(name) is not None]
    if len(named) > 1:
        raise BothTargets("A mapping is to a metric or to a custom metric, not both.")
    with backend.store.locked():
        if not backend.resources.source(MAPPED).items([kind]):
            raise NotFound(f"There is no mapped metric {kind!r}; choose from {', '.join(KINDS)}.")
        for name in named:
            target = str(given[name])
            if not backend.resources.exists(name, target):
                raise UnknownMetric(
                    f"A {name} with id {target} does not exist.",
                    f"/data/relationships/{name}/data/id",
                )
        links: dict[str, str | None] = {name: None for name in TARGETS if name in given}
        if named:
            links = {name: (str(given[name]) if name in named else None) for name in TARGETS}
        return backend.resources.update(MAPPED, kind, {}, links)


# -- custom metrics ------------------------------------------------------------------------------


def _name(backend: Backend, name: Any, record_id: str | None) -> None:
    """A custom metric's name: said, and no other custom metric's."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidAttribute("name", "A custom metric needs a name.")
    wanted = name.lower()
    for other in backend.records.scan(CUSTOM):
        taken = str(other["attributes"].get("name", "")).lower()
        if other["id"] != record_id and taken == wanted:
            raise InvalidAttribute("name", f"A custom metric named {name!r} exists already.")


def metric_ids(backend: Backend, definition: Mapping[str, Any]) -> list[str]:
    """The metrics a definition names, each existing, in order, once."""
    groups: Sequence[Mapping[str, Any]] = definition.get("metric_groups") or []
    if not groups:
        raise InvalidAttribute(GROUPS, "A custom metric's definition needs a metric group.")
    for index, group in enumerate(groups):
        metric_id = str(group["metric_id"])
        if not backend.resources.exists(METRIC, metric_id):
            raise UnknownMetric(
                f"A metric with id {metric_id} does not exist.",
                f"/data/attributes/{GROUPS}/{index}/metric_id",
            )
    return list(dict.fromkeys(str(group["metric_id"]) for group in groups))


def create_custom(backend: Backend, attributes: Mapping[str, Any]) -> Item:
    """Make a custom metric, linked to the metrics its definition names."""
    with backend.store.locked():
        _name(backend, attributes.get("name"), None)
        metrics = metric_ids(backend, attributes["definition"])
        return backend.resources.create(CUSTOM, dict(attributes), {"metrics": metrics})


def update_custom(backend: Backend, record_id: str, attributes: Mapping[str, Any]) -> Item:
    """Change a custom metric's name or definition (a null keeps it: neither can be
    removed, *chosen*); a new definition relinks its metrics."""
    given = {k: v for k, v in attributes.items() if v is not None}
    with backend.store.locked():
        if not backend.records.has(CUSTOM, record_id):
            raise NotFound(f"A {CUSTOM} with id {record_id} does not exist.")
        if "name" in given:
            _name(backend, given["name"], record_id)
        links: Linking = {}
        if "definition" in given:
            links = {"metrics": metric_ids(backend, given["definition"])}
        return backend.resources.update(CUSTOM, record_id, given, links)


def _unmap(backend: Backend, record_id: str) -> None:
    """``on_delete`` of a custom metric: the mapped metrics that named it are unmapped."""

    records = backend.records
    for kind in KINDS:
        if record_id in records.linked(MAPPED, kind, CUSTOM):
            backend.resources.update(MAPPED, kind, {}, {CUSTOM: None})


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources[MAPPED] = seeded(MAPPED, kinds)
    klaviyo.registry.rules[CUSTOM] = Rules(on_delete=_unmap)
