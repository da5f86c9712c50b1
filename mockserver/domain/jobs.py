"""Bulk jobs: a job is a resource whose work is applied when it is made, entry by entry (each
entry whole or not at all, the rest still applied), and that reads back ``complete`` with its
counts, its errors and links to what it touched (Klaviyo runs them later; the mock has no
queue yet, so they are done by the time anybody asks).

``Jobs.bulk`` runs ``<type>-bulk-create-job``, ``…-update-job`` and ``…-delete-job``: each
entry is that type's create, update or delete body, applied generically (catalog items,
variants, categories) or by the family's own action (coupon codes). Families whose jobs are
no such list record them through ``Jobs.record``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from ..spec import Spec
from ..spec import iso
from ..spec import parse_moment
from .commands import InvalidAttribute
from .commands import NotFound
from .listing import Item
from .ports import iso_seconds
from .resources import Conflict

if TYPE_CHECKING:
    from .backend import Backend

#: When a finished job shows it expires (*chosen*: Klaviyo's documents do not say). The mock
#: keeps it readable afterwards: a test that reads a job back never races its expiry.
KEPT_DAYS = 7


@dataclass(frozen=True)
class Failure:
    """An entry a job could not apply: where it is in the body, and why."""

    index: int
    detail: str
    pointer: str
    code: str = "invalid"
    title: str = "Invalid input."

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.index}:{self.detail}")),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "source": {"pointer": self.pointer},
        }


class Jobs:
    """An account's bulk jobs (``Backend.jobs``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def record(
        self,
        job_type: str,
        total: int,
        failures: Sequence[Failure],
        links: Mapping[str, Sequence[str]],
        attributes: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Item:
        """Store a finished job: ``total`` entries, those that failed, and what it touched
        (relationship -> ids)."""
        now = iso_seconds(self._b.clock())
        return self._b.resources.create(
            job_type,
            {
                "status": "complete",
                "total_count": total,
                "completed_count": total - len(failures),
                "failed_count": len(failures),
                "created_at": now,
                "started_at": now,
                "completed_at": now,
                "expires_at": expires(now, KEPT_DAYS),
                "errors": [failure.to_json() for failure in failures],
                **(attributes or {}),
            },
            {name: list(dict.fromkeys(ids)) for name, ids in links.items()},
            extra=extra,
        )

    def bulk(
        self,
        job_type: str,
        entries: Sequence[Mapping[str, Any]],
        entries_at: str,
        action: Action | None = None,
    ) -> Item:
        """Run a bulk job (see the module docstring): each entry through ``action`` (the
        generic create, update or delete of the job's type unless a family gives its own).
        ``entries_at`` is the pointer to the entries in the body, for the errors."""
        resources = self._b.resources
        relationship = next(iter(resources.type(job_type).relationships.values()))
        target = resources.target_of(job_type)
        action = action or _action(job_type)
        touched: list[str] = []
        failures: list[Failure] = []
        with self._b.store.locked():
            for index, entry in enumerate(entries):
                try:
                    touched.append(action(self._b, target, entry))
                except (InvalidAttribute, NotFound, Conflict) as error:
                    failures.append(Failure(index, str(error), f"{entries_at}/{index}"))
            links = {relationship.name: [t for t in touched if resources.exists(target, t)]}
            return self.record(job_type, len(entries), failures, links)


Action = Callable[["Backend", str, Mapping[str, Any]], str]


def relationships_of(entry: Mapping[str, Any]) -> dict[str, list[str] | str | None]:
    """A body's ``relationships`` as ids (to many), an id, or None (to one, cleared)."""
    found: dict[str, list[str] | str | None] = {}
    for name, value in (entry.get("relationships") or {}).items():
        data = value.get("data") if isinstance(value, Mapping) else None
        if isinstance(data, list):
            found[name] = [str(d["id"]) for d in data if isinstance(d, Mapping)]
        elif isinstance(data, Mapping):
            found[name] = str(data["id"])
        else:
            found[name] = None
    return found


def _create(backend: Backend, target: str, entry: Mapping[str, Any]) -> str:
    item = backend.resources.create(
        target, dict(entry.get("attributes") or {}), relationships_of(entry)
    )
    return item.id


def _update(backend: Backend, target: str, entry: Mapping[str, Any]) -> str:
    item = backend.resources.update(
        target,
        str(entry.get("id")),
        dict(entry.get("attributes") or {}),
        relationships_of(entry),
    )
    return item.id


def _delete(backend: Backend, target: str, entry: Mapping[str, Any]) -> str:
    backend.resources.delete(target, str(entry.get("id")))
    return str(entry.get("id"))


def is_generic_job(spec: Spec, job_type: str) -> bool:
    """Whether ``Jobs.bulk`` can run a job type: a bulk create, update or delete of a type it
    links to."""
    resource = spec.types.get(job_type)
    return (
        resource is not None
        and bool(resource.relationships)
        and any(f"-bulk-{verb}-" in job_type for verb in ("create", "update", "delete"))
    )


def _action(job_type: str) -> Action:
    if "-bulk-create-" in job_type:
        return _create
    if "-bulk-update-" in job_type:
        return _update
    if "-bulk-delete-" in job_type:
        return _delete
    raise ValueError(f"{job_type} is not a generic bulk job")


def expires(moment: str, days: int) -> str:
    """``moment`` plus ``days`` (a job's ``expires_at``)."""
    parsed = parse_moment(moment)
    assert parsed is not None
    return iso(parsed + timedelta(days=days))
