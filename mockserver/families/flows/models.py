"""Flows as today's API keeps them: a flow is made from its definition (``POST /api/flows``),
whose actions become flow-action resources linked to the flow, and whose messages (a sending
action's, and each variation's of an A/B test) become flow-message resources linked to their
action, both ways. The definition is read back from those resources
(``additional-fields[flow]=definition``): an action changed or deleted shows in it.

Klaviyo's rules the document states in words: actions and messages get their ids when the
flow is made (until then a ``temporary_id`` names an action, and the links between actions
use it); updating a flow's status updates its actions'. What a flow's trigger names (a list,
a segment, a metric) lists the flow among its ``flow-triggers``. Bodies are checked in
``responses.py``; this module keeps the state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import Any

from ... import spec
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.listing import Item
from ...domain.models import json_copy
from ...domain.ports import IdShape
from ...domain.ports import Records
from ...domain.ports import iso_seconds
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import GenericSource
from ...spec.document import Components

#: What ``PATCH /api/flows/{id}`` takes ("draft, manual or live", in words only).
STATUSES = ("draft", "manual", "live")
#: Triggers that name a resource of the account: the type it is.
TRIGGER_SOURCES = {"list": "list", "segment": "segment", "metric": "metric"}
#: A definition's members, in the document's order.
DEFINITION_ORDER = ("triggers", "profile_filter", "actions", "entry_action_id", "reentry_criteria")


@functools.cache
def statused() -> frozenset[str]:
    """The action types whose ``data`` has a ``status`` (what a flow's status update sets),
    read off the document's action schemas."""
    components = spec.load().components
    actions = components.schemas["FlowDefinition"]["properties"]["actions"]["items"]
    found: set[str] = set()
    for branch in actions.get("oneOf") or actions.get("anyOf") or ():
        action = components.resolve(branch)
        if "status" in _members(components, action["properties"].get("data", {})):
            found.update(action["properties"]["type"]["enum"])
    return frozenset(found)


def _members(components: Components, schema: Any) -> set[str]:
    """The members an object schema names, through references and the branches of a union
    (a nullable reference is a union with null)."""
    resolved = components.resolve(schema)
    found = set(resolved.get("properties", {}))
    for branch in resolved.get("anyOf", ()) or resolved.get("oneOf", ()):
        found |= _members(components, branch)
    return found


def status_of(definition: Mapping[str, Any]) -> str | None:
    data = definition.get("data")
    return data.get("status") if isinstance(data, dict) else None


def check_status(status: Any) -> str:
    if status not in STATUSES:
        raise InvalidAttribute("status", f"A flow's status is one of {', '.join(STATUSES)}.")
    return str(status)


@dataclass
class MessagePlan:
    """A message of a checked action: its definition (inside the action's), channel and
    template; ``id`` once known (given, kept or new)."""

    definition: dict[str, Any]
    channel: str
    template: str | None
    id: str | None = None

    def assign(self, message_id: str) -> None:
        self.id = self.definition["id"] = message_id


@dataclass
class ActionPlan:
    """An action of a checked body: its id, its definition (ids given, links resolved) and
    its messages."""

    id: str
    definition: dict[str, Any]
    messages: list[MessagePlan] = field(default_factory=list)


@dataclass
class FlowPlan:
    """A checked flow: its attributes, its definition but the actions (``head``), its actions
    and the resource its trigger names."""

    attributes: dict[str, Any]
    head: dict[str, Any]
    actions: list[ActionPlan]
    trigger: tuple[str, str] | None


class Flows:
    """Flows, their actions and messages: writes, the definition read back, and the rules of
    the generic types (a flow's status update, the deletes)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def _records(self) -> Records:
        return self._b.records

    def message_id(self, taken: set[str]) -> str:
        """An id for a new message, none of ``taken``: six characters (*chosen*: the document
        gives no example; Klaviyo's flow messages have ids like its lists')."""
        records = self._records()
        while True:
            candidate = self._b.ids.shaped(IdShape.SHORT)
            if candidate not in taken and not records.has("flow-message", candidate):
                taken.add(candidate)
                return candidate

    # -- writes ------------------------------------------------------------------------------

    def create(self, plan: FlowPlan) -> str:
        """Store a checked flow, its actions and messages; its id. (The caller holds the
        store's lock from the checks on.)"""
        resources = self._b.resources
        flow = resources.create("flow", plan.attributes, extra={"definition": plan.head})
        for action in plan.actions:
            resources.create(
                "flow-action",
                {"definition": action.definition},
                {"flow": flow.id},
                record_id=action.id,
            )
            self._write_messages(action.id, action.messages)
        if plan.trigger is not None:
            kind, trigger_id = plan.trigger
            resources.link(kind, trigger_id, "flow-triggers", [flow.id], "add")
        return flow.id

    def update_action(self, plan: ActionPlan) -> None:
        """Store an action's checked new definition. Its messages follow it: one the
        definition names by id is updated; one without an id takes the place of the first
        message it does not name, else is new; a message left over is deleted."""
        records = self._records()
        mine = list(records.linked("flow-action", plan.id, "flow-messages"))
        named = {m.id for m in plan.messages if m.id is not None}
        free = [i for i in mine if i not in named]
        taken = set(mine)
        for message in plan.messages:
            if message.id is None:
                message.assign(free.pop(0) if free else self.message_id(taken))
        self._b.resources.update("flow-action", plan.id, {"definition": plan.definition})
        self._write_messages(plan.id, plan.messages)
        for gone in free:
            self._drop("flow-message", gone)

    def _write_messages(self, action_id: str, messages: Sequence[MessagePlan]) -> None:
        resources = self._b.resources
        records = self._records()
        for message in messages:
            assert message.id is not None
            attributes = {"channel": message.channel, "definition": message.definition}
            links = {"flow-action": action_id, "template": message.template}
            if records.has("flow-message", message.id):
                resources.update("flow-message", message.id, attributes, links)
            else:
                resources.create("flow-message", attributes, links, record_id=message.id)

    # -- reads -------------------------------------------------------------------------------

    def definition(self, flow_id: str) -> dict[str, Any] | None:
        """A flow's definition as it is now: its own members, and its actions' definitions
        in the order they were made."""
        records = self._records()
        record = records.get("flow", flow_id)
        if record is None:
            return None
        head = json_copy((record.get("extra") or {}).get("definition") or {})
        actions = []
        for action_id in records.linked("flow", flow_id, "flow-actions"):
            action = records.get("flow-action", action_id)
            if action is not None:
                actions.append(json_copy(action["attributes"].get("definition")))
        merged = {"triggers": [], **head, "actions": actions}
        return {name: merged[name] for name in DEFINITION_ORDER if name in merged}

    def siblings(self, action_id: str) -> tuple[str | None, set[str]]:
        """An action's flow, and the flow's actions."""
        records = self._records()
        flow_id = next(iter(records.linked("flow-action", action_id, "flow")), None)
        if flow_id is None:
            return None, set()
        return flow_id, set(records.linked("flow", flow_id, "flow-actions"))

    # -- rules of the generic types ----------------------------------------------------------

    def on_flow_update(
        self, flow_id: str, current: Mapping[str, Any], merged: dict[str, Any]
    ) -> dict[str, Any]:
        """A flow's update sets its status, and its actions' (Klaviyo: "Update the status of
        a flow … and all actions in that flow"); nothing else changes (*chosen*: the document
        lets the call set nothing else)."""
        status = check_status(merged.get("status"))
        for action_id in self._records().linked("flow", flow_id, "flow-actions"):
            self._rewrite(action_id, lambda d: _set_status(d, status))
        return {**current["attributes"], "status": status}

    def on_flow_delete(self, flow_id: str) -> None:
        """A deleted flow's actions and messages go with it, and what its trigger named no
        longer lists it."""
        records = self._records()
        for action_id in records.linked("flow", flow_id, "flow-actions"):
            for message_id in records.linked("flow-action", action_id, "flow-messages"):
                self._drop("flow-message", message_id)
            self._drop("flow-action", action_id)
        head = ((records.get("flow", flow_id) or {}).get("extra") or {}).get("definition") or {}
        for trigger in head.get("triggers") or []:
            kind = TRIGGER_SOURCES.get(trigger.get("type"))
            if kind is not None and trigger.get("id") is not None:
                have = records.linked(kind, trigger["id"], "flow-triggers")
                rest = [i for i in have if i != flow_id]
                records.set_linked(kind, trigger["id"], "flow-triggers", rest)

    def on_action_delete(self, action_id: str) -> None:
        """A deleted action's messages go with it; what led to it leads where it led
        (*chosen*: its ``next``, or nowhere for a branching action), the flow's entry too."""
        records = self._records()
        record = records.get("flow-action", action_id) or {}
        links = (record.get("attributes", {}).get("definition") or {}).get("links")
        after = links.get("next") if isinstance(links, dict) else None
        after = after if isinstance(after, str) else None
        flow_id, siblings = self.siblings(action_id)
        for other in siblings - {action_id}:
            self._rewrite(other, lambda d: _repoint(d, action_id, after))
        if flow_id is not None:
            extra = (records.get("flow", flow_id) or {}).get("extra") or {}
            head = json_copy(extra.get("definition") or {})
            if head.get("entry_action_id") == action_id:
                head["entry_action_id"] = after
                self._b.resources.set_extra("flow", flow_id, {"definition": head})
        for message_id in records.linked("flow-action", action_id, "flow-messages"):
            self._drop("flow-message", message_id)

    # -- helpers -----------------------------------------------------------------------------

    def _rewrite(self, action_id: str, change: Callable[[dict[str, Any]], bool]) -> None:
        """Change an action's stored definition in place (``change`` keeps it valid, and says
        whether it changed anything: then the action is stamped updated)."""
        records = self._records()
        record = records.get("flow-action", action_id)
        if record is None:
            return
        definition = json_copy(record["attributes"].get("definition") or {})
        if not change(definition):
            return
        now = iso_seconds(self._b.clock())
        attributes = {**json_copy(record["attributes"]), "definition": definition, "updated": now}
        records.put("flow-action", {**record, "updated": now, "attributes": attributes})

    def _drop(self, kind: str, record_id: str) -> None:
        """Remove a resource and its links, without its type's rules (its parent is
        removing it, or it is no longer in its action's definition)."""
        self._b.resources.forget(kind, record_id)
        self._records().remove(kind, record_id)


def _set_status(definition: dict[str, Any], status: str) -> bool:
    if definition.get("type") not in statused():
        return False
    data = definition.get("data")
    if not isinstance(data, dict):
        data = definition["data"] = {}
    changed = data.get("status") != status
    data["status"] = status
    return changed


def _repoint(definition: dict[str, Any], gone: str, after: str | None) -> bool:
    links = definition.get("links")
    if not isinstance(links, dict):
        return False
    names = [name for name, value in links.items() if value == gone]
    for name in names:
        links[name] = after
    return bool(names)


class FlowSource(GenericSource):
    """Flows, with their definition when it is asked for."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend.resources, "flow")
        self._b = backend
        self.flows = Flows(backend)

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        found = super().items(ids, additional)
        if "definition" not in additional:
            return found
        with self._b.store.locked():
            return [
                Item(i.id, {**i.attributes, "definition": self.flows.definition(i.id)})
                for i in found
            ]


class DerivedSource(GenericSource):
    """A generic type whose items also carry fields its listings filter and sort on but its
    answers do not show, read off its definition (an action's ``action_type`` and
    ``status``, a message's ``name``)."""

    def __init__(
        self, backend: Backend, kind: str, fields: Callable[[Mapping[str, Any]], dict[str, Any]]
    ) -> None:
        super().__init__(backend.resources, kind)
        self._fields = fields

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        return [
            Item(i.id, {**i.attributes, **self._fields(i.attributes.get("definition") or {})})
            for i in super().items(ids, additional)
        ]


def _action_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {"action_type": definition.get("type"), "status": status_of(definition)}


def _message_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": definition.get("name")}


def install(klaviyo: Klaviyo) -> None:
    registry = klaviyo.registry
    registry.rules["flow"] = Rules(
        on_update=lambda backend, *args: Flows(backend).on_flow_update(*args),
        on_delete=lambda backend, flow_id: Flows(backend).on_flow_delete(flow_id),
    )
    registry.rules["flow-action"] = Rules(
        on_delete=lambda backend, action_id: Flows(backend).on_action_delete(action_id)
    )
    registry.sources["flow"] = FlowSource
    registry.sources["flow-action"] = partial(
        DerivedSource, kind="flow-action", fields=_action_fields
    )
    registry.sources["flow-message"] = partial(
        DerivedSource, kind="flow-message", fields=_message_fields
    )
