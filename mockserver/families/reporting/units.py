"""What each kind of report reports on, read from the generic records: a campaign's or a
flow's messages, a form or its versions, a segment, each as a ``Unit`` with its value for every
grouping, the resources the answer names, and the events its statistics count."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...domain.models import Event
from ...domain.ports import Record
from ...domain.ports import Records
from .timeframes import Span
from .timeframes import parse_moment

#: A message's channel as ``send_channel`` names it (*chosen*: mobile push is the filter's
#: ``push-notification``).
CHANNELS = {"mobile_push": "push-notification", "push": "push-notification"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One thing a report has rows for: its value for each grouping (``tag_id`` and
    ``tag_name`` are lists: a row for each), the resources it names in the answer's
    relationships, the events its statistics count and its members (segments)."""

    groupings: Mapping[str, Any]
    related: tuple[tuple[str, str], ...] = ()
    events: tuple[Event, ...] = ()
    members: int = 0


def _scan(records: Records, kind: str) -> list[Record]:
    return sorted(records.scan(kind), key=lambda record: record.get("seq", 0))


def _made_by(record: Record, attribute: str, span: Span) -> bool:
    """Whether a resource existed before the span ended (one made later has nothing to
    report)."""
    made = parse_moment((record.get("attributes") or {}).get(attribute) or record.get("created"))
    return made is None or made < span.end


def _tags(records: Records, kind: str, record_id: str) -> tuple[list[str], list[str]]:
    ids = [t for t in records.linked(kind, record_id, "tags") if records.has("tag", t)]
    names = [str((records.get("tag", t) or {}).get("attributes", {}).get("name")) for t in ids]
    return ids, names


def _channel(channel: Any) -> str | None:
    return CHANNELS.get(channel, channel) if isinstance(channel, str) else None


def _text_format(channel: str | None, media: Any) -> str | None:
    """An SMS is ``mms`` with an image, ``sms`` without; other channels have no format."""
    if channel != "sms":
        return None
    return "mms" if media else "sms"


def campaign_units(
    records: Records, span: Span, conversions: Mapping[str, list[Event]]
) -> list[Unit]:
    """Each message of each campaign sent in the timeframe: at its ``send_time``, else at its
    ``scheduled_at``; a campaign never sent counts from when it was made (*chosen*: the mock
    sends nothing, and a report that left drafts out would always be empty)."""
    units = []
    for campaign in _scan(records, "campaign"):
        shown = campaign.get("attributes") or {}
        moment = shown.get("send_time") or shown.get("scheduled_at") or shown.get("created_at")
        if not span.holds_moment(moment or campaign.get("created")):
            continue
        campaign_id = str(campaign["id"])
        tag_ids, tag_names = _tags(records, "campaign", campaign_id)
        for message_id in records.linked("campaign", campaign_id, "campaign-messages"):
            message = _message(records, "campaign-message", message_id)
            if message is None:
                continue
            attributes, definition, channel = message
            content = attributes.get("content") or definition.get("content") or {}
            groupings = {
                "campaign_id": campaign_id,
                "campaign_message_id": message_id,
                "campaign_message_name": attributes.get("label") or definition.get("label"),
                "send_channel": _channel(channel),
                "tag_id": tag_ids,
                "tag_name": tag_names,
                "text_message_format": _text_format(channel, content.get("media_url")),
                "variation": None,  # the mock has no A/B tests (*chosen*)
                "variation_name": None,
                "group": None,
                "group_name": None,
            }
            events = tuple(conversions.get(message_id, ()))
            units.append(Unit(groupings, (("campaigns", campaign_id),), events))
    return units


def _message(
    records: Records, kind: str, message_id: str
) -> tuple[Mapping[str, Any], Mapping[str, Any], Any] | None:
    """A campaign's or a flow's message: its attributes, its definition and its channel (the
    message's, else its definition's); None when it is gone."""
    message = records.get(kind, message_id)
    if message is None:
        return None
    attributes = message.get("attributes") or {}
    definition = attributes.get("definition") or {}
    return attributes, definition, attributes.get("channel") or definition.get("channel")


def flow_units(records: Records, span: Span, conversions: Mapping[str, list[Event]]) -> list[Unit]:
    """Each message of each flow's actions, for the flows made before the timeframe ended."""
    units = []
    for flow in _scan(records, "flow"):
        if not _made_by(flow, "created", span):
            continue
        flow_id = str(flow["id"])
        name = (flow.get("attributes") or {}).get("name")
        tag_ids, tag_names = _tags(records, "flow", flow_id)
        for action_id in records.linked("flow", flow_id, "flow-actions"):
            for message_id in records.linked("flow-action", action_id, "flow-messages"):
                message = _message(records, "flow-message", message_id)
                if message is None:
                    continue
                _, definition, channel = message
                groupings = {
                    "flow_id": flow_id,
                    "flow_name": name,
                    "flow_message_id": message_id,
                    "flow_message_name": definition.get("name"),
                    "send_channel": _channel(channel),
                    "tag_id": tag_ids,
                    "tag_name": tag_names,
                    "text_message_format": _text_format(channel, definition.get("image_id")),
                    "variation": None,
                    "variation_name": None,
                }
                related = (("flows", flow_id), ("flow-messages", message_id))
                units.append(Unit(groupings, related, tuple(conversions.get(message_id, ()))))
    return units


def form_units(
    records: Records, span: Span, by_version: bool, events: Iterable[Event]
) -> list[Unit]:
    """Each form made before the timeframe ended, or each of its versions where the report
    groups or filters by version (a form without versions then has no row)."""
    by_form: dict[str, list[Event]] = {}
    for event in events:
        by_form.setdefault(str(event.properties.get("form_id")), []).append(event)
    units = []
    for form in _scan(records, "form"):
        if not _made_by(form, "created_at", span):
            continue
        form_id = str(form["id"])
        mine = by_form.get(form_id, [])
        if not by_version:
            units.append(Unit({"form_id": form_id}, events=tuple(mine)))
            continue
        for version_id in records.linked("form", form_id, "form-versions"):
            own = tuple(e for e in mine if str(e.properties.get("form_version_id")) == version_id)
            units.append(Unit({"form_id": form_id, "form_version_id": version_id}, events=own))
    return units


def segment_units(records: Records, span: Span, members: Callable[[str], int]) -> list[Unit]:
    """Each segment made before the timeframe ended, with its members now."""
    return [
        Unit({"segment_id": str(s["id"])}, members=members(str(s["id"])))
        for s in _scan(records, "segment")
        if _made_by(s, "created", span)
    ]
