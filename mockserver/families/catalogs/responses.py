"""Catalog calls with Klaviyo's rules beyond the generic handlers (the rules of ids, defaults
and deletes are in ``models``): creates whose id is the one Klaviyo builds, bulk jobs within
the document's limits, reads of related resources that filter and sort as listings do, and
back-in-stock subscriptions (202, no body), whose profile is found or made as a background
call does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response

from ...api.bodies import profile_changes
from ...api.bodies import profile_id
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.errors import invalid
from ...api.generic import create_resource
from ...api.generic import limited_job
from ...api.generic import refuse_taken
from ...api.generic import related
from ...api.generic import related_ids
from ...api.jsonapi import respond
from ...domain.commands import InvalidAttribute
from . import models
from .models import CATEGORY
from .models import ITEM
from .models import VARIANT

#: "Accepts up to 100 catalog items per request" (each catalog job's description).
MAX_JOB_ENTRIES = 100
#: Where a back-in-stock body describes its profile.
PERSON = "/data/attributes/profile/data"


# -- creates ------------------------------------------------------------------------------


def create_catalog_resource(call: Call) -> Response:
    """A catalog item, variant or category, with the id built from its ``external_id``."""
    kind = call.operation.resource_type
    assert kind is not None
    try:
        made = models.catalog_id(call.data["attributes"])
    except InvalidAttribute as error:
        raise invalid(error) from None
    refuse_taken(call, kind, made, "external_id")
    return create_resource(call)


# -- jobs ---------------------------------------------------------------------------------


# -- related reads ------------------------------------------------------------------------


# -- back in stock ------------------------------------------------------------------------


def _channels(attributes: dict[str, Any]) -> list[str]:
    channels = list(dict.fromkeys(attributes["channels"]))
    if not channels:
        raise ApiError(
            400, "Give at least one channel to notify.", pointer="/data/attributes/channels"
        )
    return channels


def _person(attributes: dict[str, Any]) -> dict[str, Any]:
    person = (attributes.get("profile") or {}).get("data")
    if not isinstance(person, dict):
        raise ApiError(
            400,
            "A back-in-stock subscription needs the profile to notify.",
            pointer="/data/attributes/profile",
        )
    return person


def _known(call: Call, person_id: str | None, given: dict[str, str | None]) -> dict[str, Any]:
    """The identifiers the subscribing profile will have: those the body gives, over those of
    the profile it names by id (*chosen*: a profile matched by another identifier is not
    consulted)."""
    stored = call.backend.store.get_profile(call.account.id, person_id) if person_id else None
    known = {} if stored is None else {k.value: v for k, v in stored.identifiers.items()}
    return {**known, **{k: v for k, v in given.items() if v}}


def subscribe_back_in_stock(call: Call, keep_identifiers: bool = False) -> Response:
    """Subscribe the profile the body describes to a variant's return in stock: the variant
    must exist (404), the profile is found or made through the identity engine as a
    background call does (never a 409), and it must have the identifier of each channel
    asked (``models.CHANNEL_NEEDS``). 202 with no body."""
    data = call.data
    attributes = data["attributes"]
    variant_id = call.related_id("variant")
    channels = _channels(attributes)
    person = _person(attributes)
    person_attributes = person.get("attributes") or {}
    changes = profile_changes(person_attributes, None, under=f"{PERSON}/attributes")
    person_id = profile_id(person)
    backend = call.backend
    with backend.store.locked():
        if not backend.resources.exists(VARIANT, variant_id):
            raise ApiError(
                404,
                f"A catalog-variant with id {variant_id} does not exist.",
                pointer="/data/relationships/variant/data/id",
            )
        given = {kind.value: value for kind, value in changes.identifiers.items()}
        missing = models.missing_channel(channels, _known(call, person_id, given))
        if missing is not None:
            channel, needed = missing
            raise ApiError(
                400,
                f"The {channel} channel needs the profile's {needed}.",
                pointer=f"{PERSON}/attributes/{needed}",
            )
        decisions: list[str] = []
        try:
            profile = backend.people.absorb(
                person_id, changes, decisions, keep_identifiers=keep_identifiers
            )
        except InvalidAttribute as error:
            note(*decisions)
            raise invalid(error, f"{PERSON}/attributes") from None
        if profile is None:  # an id naming no profile: dropped, as Klaviyo's queue would
            note(*decisions, f"back in stock of {variant_id}: no profile, nothing kept")
            return respond(None, 202)
        models.subscribe(backend, variant_id, profile.id, channels)
    note(
        *decisions,
        f"subscribed {profile.id} to back in stock of {variant_id} by {', '.join(channels)}",
        profiles=[profile.id],
    )
    return respond(None, 202)


def create_back_in_stock_subscription(call: Call) -> Response:
    return subscribe_back_in_stock(call)


def create_client_back_in_stock_subscription(call: Call) -> Response:
    """As ``POST /api/back-in-stock-subscriptions``, but a profile it finds keeps its
    identifiers (a client call, as for client events)."""
    return subscribe_back_in_stock(call, keep_identifiers=True)


def _jobs(kinds: Sequence[tuple[str, str]]) -> dict[str, Handler]:
    return {operation: limited_job(member, MAX_JOB_ENTRIES) for operation, member in kinds}


HANDLERS: dict[str, Handler] = {
    "create_catalog_item": create_catalog_resource,
    "create_catalog_variant": create_catalog_resource,
    "create_catalog_category": create_catalog_resource,
    **_jobs(
        [
            ("bulk_create_catalog_items", "items"),
            ("bulk_update_catalog_items", "items"),
            ("bulk_delete_catalog_items", "items"),
            ("bulk_create_catalog_variants", "variants"),
            ("bulk_update_catalog_variants", "variants"),
            ("bulk_delete_catalog_variants", "variants"),
            ("bulk_create_catalog_categories", "categories"),
            ("bulk_update_catalog_categories", "categories"),
            ("bulk_delete_catalog_categories", "categories"),
        ]
    ),
    "get_items_for_catalog_category": related(ITEM, "category.id"),
    "get_item_ids_for_catalog_category": related_ids(ITEM, "category.id"),
    "get_variants_for_catalog_item": related(VARIANT, "item.id"),
    "get_variant_ids_for_catalog_item": related_ids(VARIANT, "item.id"),
    "get_categories_for_catalog_item": related(CATEGORY, "item.id"),
    "get_category_ids_for_catalog_item": related_ids(CATEGORY, "item.id"),
    "create_back_in_stock_subscription": create_back_in_stock_subscription,
    "create_client_back_in_stock_subscription": create_client_back_in_stock_subscription,
}
