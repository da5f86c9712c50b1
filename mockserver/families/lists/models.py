"""Lists as today's API reads them (``ListSource``): the same lists and memberships as the
legacy v2 lists API (``domain.lists``). A profile is on a list while it is a member or
subscribed (not while pending a double opt-in confirmation, not once unsubscribed);
``profile_count`` counts them when asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...domain.accounts import Account
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
    def __init__(self, klaviyo: Klaviyo) -> None:
        self._k = klaviyo

    def _item(self, account: Account, record: ListRecord, additional: frozenset[str]) -> Item:
        shown = attributes(record)
        if "profile_count" in additional:
            shown["profile_count"] = self._k.lists.count(account, record.id)
        return Item(record.id, shown)

    def items(
        self, account: Account, ids: Sequence[str], additional: frozenset[str] = frozenset()
    ) -> list[Item]:
        store = self._k.store
        with store.locked():
            found = [r for i in ids if (r := store.get_list(account.id, i)) is not None]
            return [self._item(account, r, additional) for r in found]

    def page(
        self, account: Account, query: ListQuery, additional: frozenset[str] = frozenset()
    ) -> Page:
        sort = query.sort or DEFAULT_SORT
        found, next_key = self._k.lists.query(
            account,
            query.filter,
            f"-{sort}" if query.descending else sort,
            query.after,
            query.size,
        )
        return Page([self._item(account, r, additional) for r in found], next_key)

    def linked(self, account: Account, item_id: str, relationship: str) -> Linkage:
        with self._k.store.locked():
            if self._k.store.get_list(account.id, item_id) is None:
                raise NotFound(f"List {item_id} does not exist.")
            if relationship == "profiles":
                return tuple(
                    m.profile_id for m in self._k.store.active_members(account.id, item_id)
                )
            resource = self._k.resources.type("list")
            return linkage(self._k.resources, account, resource, item_id, relationship)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.resources.sources["list"] = ListSource(klaviyo)
