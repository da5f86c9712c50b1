"""Catalogs: items, their variants and categories, kept as generic resources with Klaviyo's
rules, and back-in-stock subscriptions to a variant.

- Ids are made as Klaviyo makes them, ``{integration_type}:::{catalog_type}:::{external_id}``
  (``$custom:::$default:::SAMPLE-DATA-ITEM-1``), so a second create of one external id is a
  409. The document: "the only supported integration type is `$custom`, and the only
  supported catalog type is `$default`"; any other is refused.
- A variant belongs to the item its create body names; deleting an item deletes its variants.
- Categories and items link both ways (generic links). Listings filter on those to-many links
  (``category.id`` on items, ``item.id`` on categories) through ``CatalogSource``.
- A back-in-stock subscription is kept beside its variant (``subscriptions``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from ... import spec
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.filters import Compare
from ...domain.filters import Filter
from ...domain.filters import Has
from ...domain.filters import Logic
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.ports import iso_seconds
from ...domain.resources import CREATED
from ...domain.resources import UPDATED
from ...domain.resources import Attributes
from ...domain.resources import Rules
from ...domain.resources import unchanged
from ...domain.service import Klaviyo
from ...domain.sources import GenericSource

ITEM, VARIANT, CATEGORY = "catalog-item", "catalog-variant", "catalog-category"
#: The only integration and catalog types the document says Klaviyo supports; the defaults.
INTEGRATION, CATALOG = "$custom", "$default"
SEPARATOR = ":::"
#: The document's defaults (create bodies' ``default``), by type.
DEFAULTS: dict[str, dict[str, Any]] = {
    ITEM: {"published": True},
    VARIANT: {"published": True, "inventory_policy": 0},
    CATEGORY: {},
}
#: Where a variant keeps its back-in-stock subscriptions (its record's ``extra``).
BACK_IN_STOCK = "back_in_stock"
#: The identifier each notification channel needs on the subscribing profile (*chosen*: a
#: profile without it could not be notified there; PUSH needs a push token, not checked).
CHANNEL_NEEDS = {"EMAIL": "email", "SMS": "phone_number", "WHATSAPP": "phone_number"}


def catalog_id(attributes: Mapping[str, Any]) -> str:
    """The id Klaviyo gives a catalog resource its create body describes; refuses what the
    document says Klaviyo does not support, and a blank ``external_id`` (*chosen*)."""
    external_id = attributes.get("external_id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise InvalidAttribute("external_id", "external_id must not be blank.")
    integration = attributes.get("integration_type") or INTEGRATION
    if integration != INTEGRATION:
        raise InvalidAttribute(
            "integration_type", f"The only supported integration type is {INTEGRATION}."
        )
    catalog = attributes.get("catalog_type") or CATALOG
    if catalog != CATALOG:
        raise InvalidAttribute("catalog_type", f"The only supported catalog type is {CATALOG}.")
    return SEPARATOR.join((integration, catalog, external_id))


def _filled(kind: str) -> Callable[[Backend, str, Attributes], Attributes]:
    """``on_create`` of a catalog type: the document's defaults where the body gives none (or
    null), and null for every other attribute it leaves out (*chosen*: an answer shows them
    all, as Klaviyo's do)."""
    names = [
        name
        for name in spec.load().types[kind].attributes.get("properties", {})
        if name not in CREATED + UPDATED
    ]

    def on_create(backend: Backend, record_id: str, attributes: Attributes) -> Attributes:
        filled = {**dict.fromkeys(names), **attributes}
        for name, value in DEFAULTS[kind].items():
            if filled.get(name) is None:
                filled[name] = value
        return filled

    return on_create


def _fixed(
    backend: Backend, record_id: str, current: Mapping[str, Any], merged: Attributes
) -> Attributes:
    """``on_update`` of a catalog type: its ``external_id`` stays (``unchanged``)."""
    return unchanged(("external_id",), current, merged)


def _variants_go(backend: Backend, record_id: str) -> None:
    """``on_delete`` of an item: its variants go with it (a variant belongs to one item)."""
    records = backend.records
    for variant_id in records.linked(ITEM, record_id, "variants"):
        if records.has(VARIANT, variant_id):
            backend.resources.delete(VARIANT, variant_id)


class CatalogSource(GenericSource):
    """A catalog type whose listings filter on a to-many relationship by one related id
    (``category.id`` on items, ``item.id`` on categories), which the generic source reads as a
    list that equals nothing: the filter is rewritten into the ids the named resource links
    (``equals(category.id,'c')``: ``any(id,[the items of c])``), which reads the id index."""

    def __init__(self, backend: Backend, kind: str, field: str, other: str, back: str) -> None:
        super().__init__(backend.resources, kind)
        self._b = backend
        self._field, self._other, self._back = field, other, back

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        if query.filter is None:
            return super().page(query, additional)
        with self._b.store.locked():
            rewritten = self._rewrite(query.filter)
            return super().page(replace(query, filter=rewritten), additional)

    def _rewrite(self, expression: Filter) -> Filter:
        if isinstance(expression, Logic):
            terms = tuple(self._rewrite(term) for term in expression.terms)
            return Logic(expression.op, terms)
        if isinstance(expression, Has) or expression.field != self._field:
            return expression
        values = expression.value if expression.op == "any" else [expression.value]
        records = self._b.records
        ids = [i for value in values for i in records.linked(self._other, str(value), self._back)]
        return Compare("any", "id", list(dict.fromkeys(ids)))


# -- back in stock ------------------------------------------------------------------------


def missing_channel(
    channels: Sequence[str], identifiers: Mapping[str, str | None]
) -> tuple[str, str] | None:
    """The first channel whose identifier the subscribing profile lacks, and that identifier's
    name; None when it can be notified on every channel asked."""
    for channel in channels:
        needed = CHANNEL_NEEDS.get(channel)
        if needed is not None and not identifiers.get(needed):
            return channel, needed
    return None


def subscribe(
    backend: Backend, variant_id: str, profile_id: str, channels: Sequence[str]
) -> dict[str, Any]:
    """Keep a profile's subscription to a variant's return in stock, in the variant's
    ``extra`` (*chosen*: the document has no resource to read them back). One subscription
    per profile and variant: a later call adds its channels to it (*chosen*: nothing
    unsubscribes through the API) and moves its ``updated``."""
    with backend.store.locked():
        now = iso_seconds(backend.clock())
        kept = subscriptions(backend, variant_id)
        previous = next((s for s in kept if s["profile"] == profile_id), None)
        entry = {
            "profile": profile_id,
            "channels": list(dict.fromkeys([*(previous or {}).get("channels", ()), *channels])),
            "created": (previous or {}).get("created", now),
            "updated": now,
        }
        if previous is None:
            kept.append(entry)
        else:
            kept[kept.index(previous)] = entry
        backend.resources.set_extra(VARIANT, variant_id, {BACK_IN_STOCK: kept})
        return entry


def subscriptions(backend: Backend, variant_id: str) -> list[dict[str, Any]]:
    """A variant's back-in-stock subscriptions, in the order profiles first subscribed:
    ``{"profile", "channels", "created", "updated"}`` each (a :class:`NotFound` when the variant
    does not exist). Profile ids are kept as they were when the profile subscribed."""
    kept = backend.resources.extra(VARIANT, variant_id).get(BACK_IN_STOCK, [])
    return [dict(entry) for entry in kept]


def install(klaviyo: Klaviyo) -> None:
    registry = klaviyo.registry
    for kind in (ITEM, VARIANT, CATEGORY):
        registry.rules[kind] = Rules(
            make_id=lambda backend, attributes: catalog_id(attributes),
            on_create=_filled(kind),
            on_update=_fixed,
            on_delete=_variants_go if kind == ITEM else None,
        )
    registry.sources[ITEM] = partial(
        CatalogSource, kind=ITEM, field="category.id", other=CATEGORY, back="items"
    )
    registry.sources[CATEGORY] = partial(
        CatalogSource, kind=CATEGORY, field="item.id", other=ITEM, back="categories"
    )
