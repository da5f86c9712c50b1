"""A campaign message as stored: its definition with what Klaviyo fills in, by channel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.models import json_copy

EMAIL_CONTENT = (
    "subject",
    "preview_text",
    "from_email",
    "from_label",
    "reply_to_email",
    "cc_email",
    "bcc_email",
)
#: The defaults the document gives ``RenderOptions``.
RENDER_OPTIONS = {
    "shorten_links": True,
    "add_org_prefix": True,
    "add_info_link": True,
    "add_opt_out_language": False,
}


def merged(current: Any, given: Any) -> Any:
    """``given`` over ``current``, object members one by one (a message update changes the
    members it names, *chosen*)."""
    if isinstance(current, Mapping) and isinstance(given, Mapping):
        return {**current, **{k: merged(current.get(k), v) for k, v in given.items()}}
    return json_copy(given)


def message_attributes(definition: Mapping[str, Any], label: str) -> dict[str, Any]:
    """A message as stored, from its definition: the definition with what Klaviyo fills in
    (an email's label, *chosen*: the campaign's name; its content members, null when unset; an
    SMS's render options, the document's defaults; a push's notification type), and the same
    content flattened as ``campaign-message-assign-template`` answers it."""
    shown = json_copy(dict(definition))
    channel = shown["channel"]
    content = dict(shown.get("content") or {})
    if channel == "email":
        shown["label"] = shown.get("label") or label
        shown["content"] = content = {**dict.fromkeys(EMAIL_CONTENT), **content}
    elif channel == "sms":
        shown["content"] = content = {"body": None, "media_url": None, **content}
        shown["render_options"] = {**RENDER_OPTIONS, **(shown.get("render_options") or {})}
    else:
        shown.setdefault("notification_type", "standard" if "content" in shown else "silent")
        content = {"body": content.get("body")} if content else {}
    attributes = {
        "definition": shown,
        "label": shown.get("label") or label,
        "channel": channel,
        "content": content,
        "send_times": [],
    }
    if channel == "sms":
        attributes["render_options"] = shown["render_options"]
    return attributes
