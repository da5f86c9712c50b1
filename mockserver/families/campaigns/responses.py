"""Campaign writes and actions (the rules are in ``models``): a campaign made with its messages,
changed, deleted and cloned; a message's definition, image and template; the send job, its
cancellation, and the recipient estimation job. Reads are generic, through ``CampaignSource``
and the sources of the jobs and the estimate."""

from __future__ import annotations

import functools
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
from ...domain.listing import Item
from .messages import message_attributes
from .rules import CAMPAIGN
from .rules import ESTIMATION_JOB
from .rules import MESSAGE
from .rules import SEND_JOB
from .rules import Campaigns
from .rules import Refusal


def refusals(handler: Handler) -> Handler:
    """Answer a :class:`Refusal` as the JSON:API error it describes."""

    @functools.wraps(handler)
    def answer(call: Call) -> Response:
        try:
            return handler(call)
        except Refusal as error:
            note(f"refused: {error}")
            raise ApiError(error.status, str(error), pointer=error.pointer) from error

    return answer


def _image(resource: Mapping[str, Any]) -> str | None:
    """The image id a resource object's ``relationships.image`` names, if any."""
    data = ((resource.get("relationships") or {}).get("image") or {}).get("data")
    return str(data["id"]) if isinstance(data, Mapping) else None


@refusals
def create_campaign(call: Call) -> Response:
    """A draft and its messages, each checked (one channel, an image that exists) before
    anything is made."""
    attributes = call.data["attributes"]
    given = attributes["campaign-messages"]["data"]
    at = "/data/attributes/campaign-messages/data"
    if not given:
        raise Refusal("A campaign needs a message.", at)
    name = attributes.get("name") or ""
    messages: list[tuple[dict[str, Any], str | None]] = []
    for index, entry in enumerate(given):
        shown = message_attributes(entry["attributes"]["definition"], name)
        if messages and shown["channel"] != messages[0][0]["channel"]:
            pointer = f"{at}/{index}/attributes/definition/channel"
            raise Refusal("A campaign's messages share one channel.", pointer)
        image = _image(entry)
        if image is not None and not call.backend.resources.exists("image", image):
            pointer = f"{at}/{index}/relationships/image/data/id"
            raise Refusal(f"An image with id {image} does not exist.", pointer, 404)
        messages.append((shown, image))
    item = Campaigns(call.backend).create(attributes, messages)
    note(f"created campaign {item.id} with {len(messages)} {messages[0][0]['channel']} messages")
    return answer(call, CAMPAIGN, item, 201)


@refusals
def update_campaign(call: Call) -> Response:
    call.same_id()
    item = Campaigns(call.backend).update(call.id, call.data["attributes"])
    note(f"updated campaign {call.id}")
    return respond(document(call, CAMPAIGN, [item], many=False))


@refusals
def delete_campaign(call: Call) -> Response:
    Campaigns(call.backend).delete(call.id)
    note(f"deleted campaign {call.id} and its messages")
    return respond(None, 204)


@refusals
def create_campaign_clone(call: Call) -> Response:
    new_name = (call.data.get("attributes") or {}).get("new_name")
    item = Campaigns(call.backend).clone(str(call.data["id"]), new_name)
    note(f"cloned campaign {call.data['id']} as {item.id}")
    return answer(call, CAMPAIGN, item, 201)


@refusals
def update_campaign_message(call: Call) -> Response:
    call.same_id()
    definition = (call.data.get("attributes") or {}).get("definition")
    campaigns = Campaigns(call.backend)
    item = campaigns.update_message(call.id, definition, _image(call.data))
    note(f"updated campaign message {call.id}")
    return respond(document(call, MESSAGE, [item], many=False))


@refusals
def update_image_for_campaign_message(call: Call) -> Response:
    image = str(call.data["id"])
    Campaigns(call.backend).set_image(call.id, image)
    note(f"campaign message {call.id} shows image {image}")
    return respond(None, 204)


@refusals
def assign_template_to_campaign_message(call: Call) -> Response:
    template = call.related_id("template")
    message = str(call.data["id"])
    item = Campaigns(call.backend).assign_template(message, template)
    note(f"campaign message {message} has a copy of template {template}")
    return answer(call, MESSAGE, item)


@refusals
def send_campaign(call: Call) -> Response:
    campaign_id = str(call.data["id"])
    status = Campaigns(call.backend).send(campaign_id)
    note(f"send job of campaign {campaign_id}: {status}")
    return answer(call, SEND_JOB, Item(campaign_id, {"status": status}), 202)


@refusals
def cancel_campaign_send(call: Call) -> Response:
    call.same_id()
    action = call.data["attributes"]["action"]
    Campaigns(call.backend).cancel(call.id, action)
    note(f"{action}: send job of campaign {call.id}")
    return respond(None, 204)


@refusals
def refresh_campaign_recipient_estimation(call: Call) -> Response:
    campaign_id = str(call.data["id"])
    Campaigns(call.backend).refresh_estimate(campaign_id)
    note(f"estimated the recipients of campaign {campaign_id}")
    return answer(call, ESTIMATION_JOB, Item(campaign_id, {"status": "complete"}), 202)


HANDLERS: dict[str, Handler] = {
    "create_campaign": create_campaign,
    "update_campaign": update_campaign,
    "delete_campaign": delete_campaign,
    "create_campaign_clone": create_campaign_clone,
    "update_campaign_message": update_campaign_message,
    "update_image_for_campaign_message": update_image_for_campaign_message,
    "assign_template_to_campaign_message": assign_template_to_campaign_message,
    "send_campaign": send_campaign,
    "cancel_campaign_send": cancel_campaign_send,
    "refresh_campaign_recipient_estimation": refresh_campaign_recipient_estimation,
}
