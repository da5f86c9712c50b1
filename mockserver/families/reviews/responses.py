"""Writing a review from a storefront (``POST /client/reviews``, 202 with no body) and listing
the published ones there (``GET /client/reviews``). The account's reads and its moderation
(``PATCH /api/reviews/{id}``: the status) are generic, with the family's source and rule.

The review's author is identified as any background call's profile is (the identity engine:
the profile with that email, made if there is none, keeping the identifiers it has). Beyond
the schema: a rating is from 1 to 5 (the schema's enum); a question has none ("If the review
type is "question", this field will be null"), a review of type rating has one, and a review
of the store names no product (*chosen*: the document does not say); the author's email is
not blank. A review without a product has no item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.bodies import profile_changes
from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.errors import invalid
from ...api.generic import document
from ...api.jsonapi import respond
from ...domain.commands import InvalidAttribute
from ...domain.listing import ListQuery
from .models import Reviews
from .models import ReviewSource

ATTRIBUTES = "/data/attributes"


def _refuse(name: str, detail: str) -> ApiError:
    return ApiError(400, detail, pointer=f"{ATTRIBUTES}/{name}")


def _checked(attributes: Mapping[str, Any]) -> None:
    """What the schema cannot say about a new review (a 400 pointing at the member)."""
    kind = attributes["review_type"]
    if not attributes["email"].strip():
        raise _refuse("email", "A review needs its author's email.")
    rating = attributes.get("rating")
    if kind == "question" and rating is not None:
        raise _refuse("rating", "A question has no rating.")
    if kind == "rating" and rating is None:
        raise _refuse("rating", "A rating needs a rating from 1 to 5.")
    if kind == "store" and attributes.get("product") is not None:
        raise _refuse("product", "A review of the store names no product.")


def _extra(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the mock keeps beside a review's attributes: what the shopper said that no
    answer shows (the incentive, the answers to custom questions, the order)."""
    attributes = data["attributes"]
    order = ((data.get("relationships") or {}).get("order") or {}).get("data") or {}
    return {
        "incentive_type": attributes.get("incentive_type"),
        "custom_questions": attributes.get("custom_questions"),
        "order": order.get("id"),
    }


def create_client_review(call: Call) -> Response:
    data = call.data
    attributes = data["attributes"]
    _checked(attributes)
    changes = profile_changes({"email": attributes["email"]}, None)
    decisions: list[str] = []
    with call.backend.store.locked():
        try:
            profile = call.backend.people.absorb(None, changes, decisions, keep_identifiers=True)
        except InvalidAttribute as error:
            note(*decisions)
            raise invalid(error) from None
        review_id = Reviews(call.backend).create(attributes, _extra(data))
    note(*decisions, f"created review {review_id}", profiles=[profile.id])
    return respond(None, 202)


def get_client_reviews(call: Call) -> Response:
    source = call.backend.resources.source("review")
    assert isinstance(source, ReviewSource)
    page = source.published(call.params.listing or ListQuery())
    note(f"listed {len(page.items)} published reviews")
    return respond(document(call, "review", page.items, many=True, next_key=page.next_key))


HANDLERS: dict[str, Handler] = {
    "create_client_review": create_client_review,
    "get_client_reviews": get_client_reviews,
}
