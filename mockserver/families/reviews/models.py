"""Product and store reviews: written by shoppers through ``POST /client/reviews``, moderated
through ``PATCH /api/reviews/{id}`` (the status alone), read by the account (every review) and
by its storefront (``GET /client/reviews``: the published ones).

A review of a product links to the catalog item of that product (its ``item``), found by the
product's external id; the review shows the item's title, URL and image as its ``product``.
A product the catalog does not have leaves the review without an item or a product
(*chosen*: Klaviyo accepts the call, 202, and the mock keeps what it was told; a
storefront's catalog may not be synced to the mock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.filters import Compare
from ...domain.filters import Logic
from ...domain.listing import Item
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.listing import select
from ...domain.ports import Record
from ...domain.ports import Records
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import GenericSource

#: A new review's status (*chosen*: the document is silent; a review waits for moderation,
#: and a storefront shows it once it is published).
NEW_STATUS = "pending"
#: The statuses a storefront shows (*chosen*: a featured review is a published one, shown
#: first on Klaviyo's widgets).
PUBLIC = ("published", "featured")
#: How Klaviyo's catalog ids join their parts (``$custom:::$default:::SKU-1``).
SEPARATOR = ":::"


def review_field(records: Records, record: Record, name: str) -> Any:
    """A field of a stored review as a filter or a sort names it. Beyond its attributes:
    ``status`` is the status's value, ``item.id`` its catalog item, ``media`` its images
    (none: absent), ``incentivized`` whether the shopper declared an incentive, ``edited``
    whether the shopper edited it (never: the API has no way to, *chosen*)."""
    attributes = record.get("attributes") or {}
    extra = record.get("extra") or {}
    if name in ("id", "ids"):
        return record["id"]
    if name == "status":
        status = attributes.get("status")
        return status.get("value") if isinstance(status, dict) else None
    if name == "item.id":
        return next(iter(records.linked("review", str(record["id"]), "item")), None)
    if name == "media":
        return attributes.get("images") or None
    if name == "incentivized":
        return extra.get("incentive_type") is not None
    if name == "edited":
        return False
    return attributes.get(name)


class ReviewSource(GenericSource):
    """Reviews, filtered on the fields ``review_field`` reads."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend.resources, "review")
        self._b = backend

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        if query.filter is None and query.sort is None:
            return super().page(query, additional)
        with self._b.store.locked():
            records = self._b.records
            chosen, next_key = select(
                records.scan("review"),
                query,
                partial(review_field, records),
                lambda record: [record["seq"]],
            )
            return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)

    def published(self, query: ListQuery) -> Page:
        """What a storefront lists: the published reviews, filtered as it asks."""
        public = Compare("any", "status", list(PUBLIC))
        both = public if query.filter is None else Logic("and", (public, query.filter))
        return self.page(replace(query, filter=both))


class Reviews:
    """Reviews as the shopper writes them and the account moderates them."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def item_of(self, product: Mapping[str, Any]) -> Item | None:
        """The catalog item of a review's product: the one with its external id, of its
        integration if the catalog has that one (the mock's catalog holds ``$custom``
        items: *chosen*, any integration's item with that id will do)."""
        records = self._b.records
        found = records.find("catalog-item", "external_id", product["external_id"])
        if not found:
            return None
        mine = [i for i in found if i.startswith(f"${product['integration_key']}{SEPARATOR}")]
        chosen = (mine or found)[0]
        return next(iter(self._b.resources.source("catalog-item").items([chosen])), None)

    def create(self, attributes: Mapping[str, Any], extra: Mapping[str, Any]) -> str:
        """Store a checked review (the caller holds the store's lock, and has identified its
        author); its id."""
        item = self.item_of(attributes["product"]) if attributes.get("product") else None
        shown = {
            "email": attributes["email"],
            "status": {"value": NEW_STATUS},
            "verified": False,
            "review_type": attributes["review_type"],
            "images": list(attributes.get("images") or []),
            "product": _product(item) if item is not None else None,
            "rating": attributes.get("rating"),
            "author": attributes["author"],
            "content": attributes["content"],
            "title": attributes.get("title"),
            "smart_quote": None,
            "public_reply": None,
        }
        links = {"item": item.id} if item is not None else {}
        return self._b.resources.create("review", shown, links, extra=extra).id

    def on_update(
        self, review_id: str, current: Mapping[str, Any], merged: dict[str, Any]
    ) -> dict[str, Any]:
        """What an update changes: the status alone (the document's update body has nothing
        else; *chosen*: other attributes sent are ignored), never to none."""
        status = merged.get("status")
        if status is None:
            raise InvalidAttribute("status", "A review's status cannot be cleared.")
        return {**current["attributes"], "status": status}


def _product(item: Item) -> dict[str, Any]:
    """A review's ``product``: its catalog item's title, URL and image (*chosen*: an item
    without a URL or title shows an empty URL, its external id as its name)."""
    shown = item.attributes
    return {
        "url": shown.get("url") or "",
        "name": shown.get("title") or shown.get("external_id") or item.id,
        "image_url": shown.get("image_full_url"),
        "external_id": shown.get("external_id"),
    }


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources["review"] = ReviewSource
    klaviyo.registry.rules["review"] = Rules(
        on_update=lambda backend, *args: Reviews(backend).on_update(*args)
    )
