"""Webhook writes: a webhook's topics are checked one by one, so that a refusal names the topic
at fault (``/data/relationships/webhook-topics/data/<i>/id``); the rules of the attributes are
``models``'. Reads (the listings answer everything: the document does not page them) and
deletes are generic, the topics read through a ``SeededSource``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import answer
from ...api.generic import document
from ...api.jsonapi import respond
from . import models
from .models import TOPIC
from .models import TOPICS_RELATIONSHIP
from .models import WEBHOOK

POINTER = f"/data/relationships/{TOPICS_RELATIONSHIP}/data"
#: How many resources a listing the document does not page answers: all of them (the generic
#: listing, without a ``ListQuery``, would stop at its default page of 20).
UNPAGED = 10_000


def _topics(call: Call) -> list[str] | None:
    """The topics a body subscribes to (None: it does not say), each one that exists, once."""
    relationships = call.data.get("relationships") or {}
    if TOPICS_RELATIONSHIP not in relationships:
        return None
    entries = relationships[TOPICS_RELATIONSHIP].get("data")
    if not entries:
        raise ApiError(400, "A webhook subscribes to at least one topic.", pointer=POINTER)
    resources = call.backend.resources
    for index, entry in enumerate(entries):
        if not resources.exists(TOPIC, str(entry["id"])):
            raise ApiError(
                404,
                f"There is no webhook topic {entry['id']!r}; GET /api/webhook-topics lists them.",
                pointer=f"{POINTER}/{index}/id",
            )
    return list(dict.fromkeys(str(entry["id"]) for entry in entries))


def _attributes(call: Call) -> Mapping[str, Any]:
    attributes = call.data.get("attributes")
    return attributes if isinstance(attributes, Mapping) else {}


def create_webhook(call: Call) -> Response:
    topics = _topics(call)
    if topics is None:  # the schema requires the relationship
        raise ApiError(400, "A webhook subscribes to at least one topic.", pointer=POINTER)
    item = models.create(call.backend, _attributes(call), topics)
    note(f"created webhook {item.id} on {', '.join(topics)}")
    return answer(call, WEBHOOK, item, 201)


def update_webhook(call: Call) -> Response:
    call.same_id()
    topics = _topics(call)
    item = models.update(call.backend, call.id, _attributes(call), topics)
    note(f"updated webhook {item.id}" + (f": topics {', '.join(topics)}" if topics else ""))
    return respond(document(call, WEBHOOK, [item], many=False))


HANDLERS: dict[str, Handler] = {
    "create_webhook": create_webhook,
    "update_webhook": update_webhook,
}
