"""Lists as today's API reads them (``ListSource``): the same lists and memberships as the
legacy v2 lists API (``domain.lists``). A profile is on a list while it is a member or
subscribed (not while pending a double opt-in confirmation, not once unsubscribed);
``profile_count`` counts them when asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.models import ListRecord
from ...domain.service import Klaviyo
from ...domain.sources import linkage

#: Without ``sort``, lists come in the order they were made (*chosen*).
DEFAULT_SORT = "created"


def attributes(record: ListRecord) -> dict[str, Any]:
    """A list as today's API shows it (SPEC ``ListRetrieveResponseObjectResource``)."""
    return {
        "name": record.name,
        "created": record.created,
        "updated": record.updated,
        "opt_in_process": "double_opt_in" if record.double_opt_in else "single_opt_in",
    }


class ListSource:
    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def _item(self, record: ListRecord, additional: frozenset[str]) -> Item:
        shown = attributes(record)
        if "profile_count" in additional:
            shown["profile_count"] = self._b.lists.count(record.id)
        return Item(record.id, shown)

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        store = self._b.store
        with store.locked():
            found = [r for i in ids if (r := store.get_list(self._b.account.id, i)) is not None]
            return [self._item(r, additional) for r in found]

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        sort = query.sort or DEFAULT_SORT
        found, next_key = self._b.lists.query(
            query.filter,
            f"-{sort}" if query.descending else sort,
            query.after,
            query.size,
        )
        return Page([self._item(r, additional) for r in found], next_key)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        with self._b.store.locked():
            if self._b.store.get_list(self._b.account.id, item_id) is None:
                raise NotFound(f"List {item_id} does not exist.")
            if relationship == "profiles":
                return tuple(
                    m.profile_id for m in self._b.store.active_members(self._b.account.id, item_id)
                )
            resource = self._b.resources.type("list")
            return linkage(self._b.resources, resource, item_id, relationship)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources["list"] = ListSource
