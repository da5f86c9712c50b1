"""Flow writes that the generic handlers cannot do: making a flow from its definition
(``POST /api/flows``) and changing one action's (``PATCH /api/flow-actions/{id}``), each body
checked whole before anything is written (a refused call changes nothing), with a pointer to
the member at fault. A flow's status update and the deletes are generic, with the family's
rules (``models.Flows``); so are the reads, through its sources.

Beyond the schema: one trigger at most, naming a list, segment or metric of the account; ids
are not given on create (``temporary_id`` names an action, and links and the entry use it);
every link names an action of the flow; a template a message names, and the list a list
update names, exist.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.jsonapi import respond
from ...api.render import item_path
from ...domain.backend import Backend
from ...domain.models import json_copy
from ...domain.ports import IdShape
from .models import TRIGGER_SOURCES
from .models import ActionPlan
from .models import FlowPlan
from .models import Flows
from .models import MessagePlan
from .models import status_of
from .models import statused

#: A new flow's status (*chosen*: the create body has none; Klaviyo's editor makes drafts).
NEW_STATUS = "draft"
ATTRIBUTES = "/data/attributes"

#: A flow's ``trigger_type`` by its trigger's ``type``. A segment trigger shows as "Added to
#: List" (*chosen*: the document's enum has no value for segments; both are group joins).
TRIGGER_TYPES = {
    "list": "Added to List",
    "segment": "Added to List",
    "metric": "Metric",
    "date": "Date Based",
    "price-drop": "Price Drop",
    "low-inventory": "Low Inventory",
}
UNCONFIGURED = "Unconfigured"
#: A flow message's ``channel`` by the type of the action that sends it (*chosen*: the
#: document gives none; email, sms and mobile_push are a campaign message's channels).
CHANNELS = {
    "send-email": "email",
    "send-sms": "sms",
    "send-mobile-push": "mobile_push",
    "send-whatsapp": "whatsapp",
    "send-webhook": "webhook",
    "send-internal-alert": "internal_alert",
}
#: Actions whose messages are their variations' (``main_action``, ``current_experiment``).
EXPERIMENTS = frozenset({"ab-test", "content-experiment"})


def trigger_type(triggers: Sequence[Mapping[str, Any]]) -> str:
    """A flow's ``trigger_type``: "Unconfigured" without a trigger, or with one that names no
    list, segment or metric yet (*chosen*)."""
    if not triggers:
        return UNCONFIGURED
    trigger = triggers[0]
    if trigger["type"] in TRIGGER_SOURCES and trigger.get("id") is None:
        return UNCONFIGURED
    return TRIGGER_TYPES.get(trigger["type"], UNCONFIGURED)


def messages_of(action: Mapping[str, Any], at: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """The messages an action sends: where each sits in it (``data/message``), its channel,
    and the message itself (the very object, to be given its id in place)."""
    kind = action.get("type")
    data = action.get("data")
    if not isinstance(data, dict):
        return []
    if kind in CHANNELS and isinstance(data.get("message"), dict):
        return [(f"{at}data/message", CHANNELS[str(kind)], data["message"])]
    if kind not in EXPERIMENTS:
        return []
    found = []
    if isinstance(data.get("main_action"), dict):
        found += messages_of(data["main_action"], f"{at}data/main_action/")
    experiment = data.get("current_experiment")
    variations = experiment.get("variations") if isinstance(experiment, dict) else None
    for index, variation in enumerate(variations or []):
        under = f"{at}data/current_experiment/variations/{index}/"
        found += messages_of(variation, under) if isinstance(variation, dict) else []
    return found


def strip(value: Any) -> Any:
    """A definition without its ``temporary_id`` members (they only serve the create)."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k != "temporary_id"}
    if isinstance(value, list):
        return [strip(item) for item in value]
    return value


def _refuse(at: str, detail: str) -> ApiError:
    return ApiError(400, detail, pointer=f"{ATTRIBUTES}/{at}")


class Checks:
    """A body's flow or action, checked against the account, read into a plan."""

    def __init__(self, backend: Backend, flows: Flows) -> None:
        self._b = backend
        self._flows = flows

    def flow(self, attributes: Mapping[str, Any]) -> FlowPlan:
        name = attributes.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _refuse("name", "A flow needs a name.")
        status = NEW_STATUS
        definition = attributes["definition"]
        triggers = definition.get("triggers") or []
        if len(triggers) > 1:
            raise _refuse("definition/triggers", "Only one trigger is supported.")
        trigger = self._trigger(triggers[0]) if triggers else None
        actions = definition.get("actions") or []
        temporary = self._temporary_ids(actions)
        # Action ids are numbers, as the definition's examples show ("123").
        ids = self._b.resources.new_ids("flow-action", len(actions), IdShape.NUMBER)
        mapping = {given: ids[index] for given, index in temporary.items()}
        entry = definition.get("entry_action_id")
        if entry is not None and entry not in mapping:
            raise _refuse("definition/entry_action_id", f"No action has temporary_id {entry!r}.")
        head = {k: strip(json_copy(v)) for k, v in definition.items() if k != "actions"}
        head["entry_action_id"] = mapping.get(entry) if entry is not None else None
        taken: set[str] = set()
        plans = []
        for index, action in enumerate(actions):
            at = f"definition/actions/{index}"
            plan = self.action(action, at, ids[index], mapping.get, status)
            for message in plan.messages:
                message.assign(self._flows.message_id(taken))
            plans.append(plan)
        attributes = {
            "name": name,
            "status": status,
            "archived": False,
            "trigger_type": trigger_type(triggers),
        }
        return FlowPlan(attributes, head, plans, trigger)

    def _trigger(self, trigger: Mapping[str, Any]) -> tuple[str, str] | None:
        kind = TRIGGER_SOURCES.get(trigger["type"])
        trigger_id = trigger.get("id")
        if kind is None or trigger_id is None:
            return None
        if not self._b.resources.exists(kind, trigger_id):
            raise _refuse("definition/triggers/0/id", f"No {kind} has id {trigger_id}.")
        return kind, trigger_id

    @staticmethod
    def _temporary_ids(actions: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Each action's ``temporary_id`` (once each), and no real id: "Not allowed on
        create", for an action as for a message."""
        found: dict[str, int] = {}
        for index, action in enumerate(actions):
            at = f"definition/actions/{index}"
            if action.get("id") is not None:
                raise _refuse(f"{at}/id", "An action's id is not allowed on create.")
            for path, _, message in messages_of(action):
                if message.get("id") is not None:
                    raise _refuse(f"{at}/{path}/id", "A message's id is not allowed on create.")
            given = action.get("temporary_id")
            if given is None:
                continue
            if given in found:
                raise _refuse(f"{at}/temporary_id", f"Two actions have temporary_id {given!r}.")
            found[given] = index
        return found

    def action(
        self,
        given: Mapping[str, Any],
        at: str,
        action_id: str,
        resolve: Callable[[str], str | None],
        status: str | None,
    ) -> ActionPlan:
        """An action with its id, its links resolved (``resolve``: a link's target as the
        body names it to an action id, None when it names none), the status it lacks, and
        its messages (templates and lists checked)."""
        action = {"id": action_id, **strip(json_copy(dict(given)))}
        links = action.get("links")
        if isinstance(links, dict):
            for name, target in links.items():
                if isinstance(target, str):
                    resolved = resolve(target)
                    if resolved is None:
                        raise _refuse(f"{at}/links/{name}", f"No action of the flow is {target!r}.")
                    links[name] = resolved
        data = action.get("data")
        if action["type"] in statused() and status is not None and status_of(action) is None:
            data = action["data"] = data if isinstance(data, dict) else {}
            data["status"] = status
        if action["type"] == "list-update" and isinstance(data, dict):
            self._exists("list", data.get("list_id"), f"{at}/data/list_id")
        messages = []
        for path, channel, message in messages_of(action):
            template = message.get("template_id")
            self._exists("template", template, f"{at}/{path}/template_id")
            messages.append(MessagePlan(message, channel, template, message.get("id")))
        return ActionPlan(action_id, action, messages)

    def _exists(self, kind: str, given: Any, at: str) -> None:
        if given is not None and not self._b.resources.exists(kind, str(given)):
            raise _refuse(at, f"No {kind} has id {given}.")


def create_flow(call: Call) -> Response:
    flows = Flows(call.backend)
    with call.backend.store.locked():
        plan = Checks(call.backend, flows).flow(call.data["attributes"])
        flow_id = flows.create(plan)
    note(f"created flow {flow_id} with {len(plan.actions)} actions")
    items = call.backend.resources.source("flow").items(
        [flow_id], call.params.additional_of("flow")
    )
    answer = document(call, "flow", items, many=False, path=item_path("flow", flow_id))
    return respond(answer, 201)


def update_flow_action(call: Call) -> Response:
    """A new definition for one action, checked as on create: links to actions of its flow,
    messages named by their ids. Its type may change (the document does not forbid it): its
    messages then follow the new definition."""
    call.same_id()
    flows = Flows(call.backend)
    resources = call.backend.resources
    given = call.data["attributes"]["definition"]
    with call.backend.store.locked():
        found = resources.source("flow-action").items([call.id])
        if not found:
            raise ApiError(404, f"A flow-action with id {call.id} does not exist.")
        before = found[0].attributes.get("definition") or {}
        _same_action(given, call.id)
        _, siblings = flows.siblings(call.id)
        checks = Checks(call.backend, flows)
        plan = checks.action(
            given,
            "definition",
            call.id,
            lambda target: target if target in siblings else None,
            status_of(before),
        )
        mine = resources.source("flow-action").linked(call.id, "flow-messages")
        _known_messages(plan, mine if isinstance(mine, tuple) else ())
        flows.update_action(plan)
    note(f"updated flow-action {call.id}")
    [item] = resources.source("flow-action").items([call.id])
    return respond(document(call, "flow-action", [item], many=False))


def _same_action(given: Mapping[str, Any], action_id: str) -> None:
    """The definition is this action's: its id if it gives one, and no temporary id."""
    if given.get("id") is not None and given["id"] != action_id:
        raise _refuse("definition/id", f"The definition is of action {action_id}.")
    if given.get("temporary_id") is not None:
        raise _refuse("definition/temporary_id", "A temporary_id only serves a flow's create.")


def _known_messages(plan: ActionPlan, mine: Sequence[str]) -> None:
    """The messages a new definition names by id are the action's own, each named once."""
    seen: set[str] = set()
    for (path, _, _), message in zip(messages_of(plan.definition), plan.messages, strict=True):
        if message.id is None:
            continue
        if message.id not in mine:
            raise _refuse(f"definition/{path}/id", f"No message of this action is {message.id}.")
        if message.id in seen:
            raise _refuse(f"definition/{path}/id", f"Message {message.id} is named twice.")
        seen.add(message.id)


HANDLERS: dict[str, Handler] = {
    "create_flow": create_flow,
    "update_flow_action": update_flow_action,
}
