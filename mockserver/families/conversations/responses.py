"""``POST /api/conversation-messages``: a message sent into a conversation (202, no body)."""

from __future__ import annotations

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.jsonapi import respond
from ...domain.commands import NotFound
from .models import send


def create_conversation_message(call: Call) -> Response:
    data = call.data
    conversation = call.related_id("conversation")
    message = {
        "body": data["attributes"]["body"],
        "message_hierarchy": data["attributes"].get("message_hierarchy"),
    }
    try:
        profile = send(call.backend, conversation, message)
    except NotFound as error:
        raise ApiError(
            404, str(error), pointer="/data/relationships/conversation/data/id"
        ) from None
    note(f"sent a message to conversation {conversation}", profiles=[profile] if profile else [])
    return respond(None, 202)


HANDLERS: dict[str, Handler] = {"create_conversation_message": create_conversation_message}
