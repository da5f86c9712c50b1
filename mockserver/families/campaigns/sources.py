"""How campaigns, their jobs and their estimate are read: settled first (a scheduled campaign
whose moment has passed is sent when next read)."""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.listing import select_items
from ...domain.sources import GenericSource
from .rules import CAMPAIGN
from .rules import COUNT
from .rules import Campaigns


class CampaignSource(GenericSource):
    """Campaigns, settled before they are read (``messages.channel`` filters through the
    messages' index, as any attribute of a related type does)."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend.resources, CAMPAIGN)
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        Campaigns(self._b).settle(ids)
        return super().items(ids, additional)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        Campaigns(self._b).settle([item_id])
        return super().linked(item_id, relationship)

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        Campaigns(self._b).settle()
        return super().page(query, additional)


class CampaignPartSource:
    """A campaign's send job, estimation job or estimate, read off the campaign (their ids are
    the campaign's): ``key`` names what ``extra`` keeps of it."""

    def __init__(self, backend: Backend, kind: str, key: str) -> None:
        self._b = backend
        self.kind = kind
        self.key = key

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        Campaigns(self._b).settle(ids)
        found = []
        with self._b.store.locked():
            records = self._b.records
            for campaign_id in ids:
                record = records.get(CAMPAIGN, campaign_id)
                value = None if record is None else (record.get("extra") or {}).get(self.key)
                if value is not None:
                    name = COUNT if self.key == COUNT else "status"
                    found.append(Item(campaign_id, {name: value}))
        return found

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        with self._b.store.locked():
            ids = [str(r["id"]) for r in self._b.records.scan(CAMPAIGN)]
            return select_items(self.items(ids), query)

    def linked(self, item_id: str, relationship: str) -> Linkage:
        raise NotFound(f"A {self.kind} has no relationship {relationship!r}.")
