"""The campaign rules over the generic resources (see ``models`` for what they are)."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.models import json_copy
from ...domain.sources import linkage
from ...spec import iso
from ...spec import parse_moment
from ..templates.models import TEMPLATE
from ..templates.models import copy
from ..templates.models import drop_copy
from .messages import merged
from .messages import message_attributes

CAMPAIGN = "campaign"
MESSAGE = "campaign-message"
SEND_JOB = "campaign-send-job"
ESTIMATION_JOB = "campaign-recipient-estimation-job"
ESTIMATION = "campaign-recipient-estimation"
DRAFT, SCHEDULED, SENT, CANCELLED = "Draft", "Scheduled", "Sent", "Cancelled"
QUEUED, COMPLETE, JOB_CANCELLED = "queued", "complete", "cancelled"
#: What ``extra`` keeps of a campaign's jobs and estimate (the jobs are read from there).
JOBS = {SEND_JOB: "send_job", ESTIMATION_JOB: "estimation_job"}
COUNT = "estimated_recipient_count"
IMMEDIATE = {"method": "immediate"}
#: "use_smart_sending": the document's default.
SEND_OPTIONS = {"use_smart_sending": True}
#: Tracking options a campaign shows until it is given some (*chosen*: Klaviyo's account
#: defaults track opens and clicks; the document's answer cannot show null here).
TRACKING = {
    "email": {"add_tracking_params": False, "is_tracking_clicks": True, "is_tracking_opens": True},
    "sms": {"add_tracking_params": False},
    "mobile_push": {"add_tracking_params": False},
}


class Refusal(ValueError):
    """A call Klaviyo refuses: the status (400, or 404 for an id that names nothing) and the
    member of the body at fault."""

    def __init__(self, message: str, pointer: str, status: int = 400) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.status = status


def _name(value: Any, pointer: str = "/data/attributes/name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refusal("A campaign needs a name.", pointer)
    return value


def _send_moment(strategy: Mapping[str, Any], now: datetime) -> datetime:
    """When a campaign sends: a static or throttled one at its ``datetime``, a smart send time
    one on its ``date`` (at midnight UTC, *chosen*), any other at once; never before now."""
    method = strategy.get("method")
    text = None
    if method in ("static", "throttled"):
        text = strategy.get("datetime")
    elif method == "smart_send_time":
        text = strategy.get("date")
    moment = parse_moment(text) if isinstance(text, str) else None
    return now if moment is None or moment < now else moment


class Campaigns:
    """The campaign rules over the generic resources (one per call: it keeps nothing)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend
        self._resources = backend.resources

    def _records(self) -> Any:
        return self._resources.records()

    # -- reading ------------------------------------------------------------------------------

    def settle(self, ids: Iterable[str] | None = None) -> None:
        """Send the scheduled campaigns (of ``ids``, or all) whose moment has passed."""
        now = self._b.clock()
        with self._b.store.locked():
            records = self._records()
            chosen = records.find(CAMPAIGN, "status", SCHEDULED) if ids is None else ids
            for campaign_id in list(chosen):
                record = records.get(CAMPAIGN, campaign_id)
                if record is None or record["attributes"].get("status") != SCHEDULED:
                    continue
                moment = parse_moment(str(record["attributes"].get("send_time") or ""))
                if moment is not None and moment <= now:
                    self._resources.update(
                        CAMPAIGN,
                        campaign_id,
                        {"status": SENT},
                        extra={"send_job": COMPLETE},
                    )

    def record(self, campaign_id: str, pointer: str = "/data/id") -> Any:
        """The stored campaign, settled (a 404 naming ``pointer`` when there is none)."""
        self.settle([campaign_id])
        found = self._records().get(CAMPAIGN, campaign_id)
        if found is None:
            raise Refusal(f"A campaign with id {campaign_id} does not exist.", pointer, 404)
        return found

    def messages(self, campaign_id: str) -> tuple[str, ...]:
        return tuple(self._records().linked(CAMPAIGN, campaign_id, "campaign-messages"))

    def channel(self, campaign_id: str) -> str | None:
        """A campaign's channel: its messages'."""
        records = self._records()
        for message_id in self.messages(campaign_id):
            message = records.get(MESSAGE, message_id)
            if message is not None:
                return str(message["attributes"].get("channel"))
        return None

    def item(self, campaign_id: str) -> Item:
        """A campaign as answered after a write, with its messages' linkage."""
        record = self._records().get(CAMPAIGN, campaign_id)
        messages = {"campaign-messages": self.messages(campaign_id)}
        return Item(campaign_id, record["attributes"], messages)

    def _draft(self, campaign_id: str, doing: str, pointer: str) -> Any:
        record = self.record(campaign_id, pointer)
        status = record["attributes"].get("status")
        if status != DRAFT:
            raise Refusal(f"Campaign {campaign_id} is {status}: only a draft can {doing}.", pointer)
        return record

    # -- audiences ----------------------------------------------------------------------------

    def _kind_of(self, audience_id: str) -> str | None:
        for kind in ("list", "segment"):
            if self._resources.exists(kind, audience_id):
                return kind
        return None

    def audiences(
        self, given: Mapping[str, Any] | None, current: Mapping[str, Any]
    ) -> dict[str, list[str]]:
        """``current`` audiences with those given (a member given as null stays, *chosen*):
        each a list or a segment of the account, none both included and excluded (*chosen*)."""
        found = {key: list(current.get(key) or []) for key in ("included", "excluded")}
        for key in ("included", "excluded"):
            ids = (given or {}).get(key)
            if ids is None:
                continue
            for index, audience in enumerate(ids):
                if self._kind_of(audience) is None:
                    raise Refusal(
                        f"{audience} is no list or segment of this account.",
                        f"/data/attributes/audiences/{key}/{index}",
                    )
            found[key] = list(dict.fromkeys(ids))
        both = [i for i in found["excluded"] if i in found["included"]]
        if both:
            raise Refusal(
                f"{both[0]} is both included and excluded.", "/data/attributes/audiences/excluded"
            )
        return found

    def _profiles(self, audience_id: str) -> set[str]:
        kind = self._kind_of(audience_id)
        if kind is None:
            return set()
        linked = self._resources.source(kind).linked(audience_id, "profiles")
        return set(linked) if isinstance(linked, tuple) else set()

    def estimate(self, audiences: Mapping[str, Any]) -> int:
        with self._b.store.locked():
            included = set().union(*(self._profiles(i) for i in audiences["included"]))
            excluded = set().union(*(self._profiles(i) for i in audiences.get("excluded") or ()))
            return len(included - excluded)

    # -- writes -------------------------------------------------------------------------------

    def create(
        self,
        attributes: Mapping[str, Any],
        messages: Sequence[tuple[dict[str, Any], str | None]],
    ) -> Item:
        """A draft campaign with its messages (stored attributes, image id), checked first."""
        name = _name(attributes.get("name"))
        with self._b.store.locked():
            audiences = self.audiences(attributes.get("audiences"), {})
            return self._make(name, attributes, audiences, messages, {})

    def _make(
        self,
        name: str,
        attributes: Mapping[str, Any],
        audiences: Mapping[str, Any],
        messages: Sequence[tuple[dict[str, Any], str | None]],
        templates: Mapping[int, str],
    ) -> Item:
        """Store a new draft and its messages (``templates``: a template to copy into the
        message at that index)."""
        channel = str(messages[0][0]["channel"])
        shown = {
            "name": name,
            "status": DRAFT,
            "archived": False,
            "audiences": dict(audiences),
            "send_strategy": attributes.get("send_strategy") or IMMEDIATE,
            "send_options": attributes.get("send_options") or SEND_OPTIONS,
            "tracking_options": attributes.get("tracking_options") or TRACKING[channel],
            "scheduled_at": None,
            "send_time": None,
        }
        extra = {COUNT: self.estimate(audiences)}
        campaign = self._resources.create(CAMPAIGN, shown, extra=extra)
        for index, (message, image) in enumerate(messages):
            links: dict[str, str | None] = {"campaign": campaign.id, "image": image}
            if index in templates:
                links["template"] = copy(self._b, templates[index], for_message=True).id
            self._resources.create(MESSAGE, message, links)
        return self.item(campaign.id)

    def update(self, campaign_id: str, given: Mapping[str, Any]) -> Item:
        """Change a draft. Null send options, strategy or tracking options go back to the
        defaults a new campaign has (*chosen*)."""
        with self._b.store.locked():
            current = self._draft(campaign_id, "be changed", "/data/id")["attributes"]
            changes: dict[str, Any] = {}
            if given.get("name") is not None:
                changes["name"] = _name(given["name"])
            if "audiences" in given:
                changes["audiences"] = self.audiences(given["audiences"], current["audiences"])
            channel = self.channel(campaign_id) or "email"
            defaults = {
                "send_strategy": IMMEDIATE,
                "send_options": SEND_OPTIONS,
                "tracking_options": TRACKING[channel],
            }
            for key, default in defaults.items():
                if key in given:
                    changes[key] = given[key] if given[key] is not None else default
            self._resources.update(CAMPAIGN, campaign_id, changes)
            return self.item(campaign_id)

    def delete(self, campaign_id: str) -> None:
        with self._b.store.locked():
            self.settle([campaign_id])
            record = self._records().get(CAMPAIGN, campaign_id)
            if record is None:
                raise NotFound(f"A campaign with id {campaign_id} does not exist.")
            status = record["attributes"].get("status")
            if status not in (DRAFT, CANCELLED):
                raise Refusal(f"Campaign {campaign_id} is {status}: it cannot be deleted.", "/data")
            self._resources.delete(CAMPAIGN, campaign_id)

    def on_delete(self, campaign_id: str) -> None:
        """What goes with a campaign: its messages, and the template copies they hold."""
        records = self._records()
        for message_id in self.messages(campaign_id):
            held = records.linked(MESSAGE, message_id, "template")
            if records.has(MESSAGE, message_id):
                self._resources.delete(MESSAGE, message_id)
            drop_copy(self._b, held)

    def clone(self, campaign_id: str, new_name: str | None) -> Item:
        """A new draft with the campaign's audiences, options and messages (each with its
        image and a copy of its template), named ``new_name`` or "<name> (Clone)" (*chosen*);
        tags are not copied (*chosen*)."""
        if new_name is not None:
            _name(new_name, "/data/attributes/new_name")
        with self._b.store.locked():
            original = self.record(campaign_id)["attributes"]
            records = self._records()
            messages: list[tuple[dict[str, Any], str | None]] = []
            templates: dict[int, str] = {}
            for index, message_id in enumerate(self.messages(campaign_id)):
                shown = json_copy(records.get(MESSAGE, message_id)["attributes"])
                for stamp in ("created_at", "updated_at"):
                    shown.pop(stamp, None)
                shown["send_times"] = []
                image = [
                    i
                    for i in records.linked(MESSAGE, message_id, "image")
                    if records.has("image", i)
                ]
                template = records.linked(MESSAGE, message_id, "template")
                if template and records.has(TEMPLATE, template[0]):
                    templates[index] = template[0]
                messages.append((shown, image[0] if image else None))
            name = new_name or f"{original['name']} (Clone)"
            given = json_copy(original)
            return self._make(name, given, given["audiences"], messages, templates)

    # -- messages -----------------------------------------------------------------------------

    def _message(self, message_id: str, pointer: str | None) -> tuple[Any, str]:
        """A stored message and its campaign's id; a 404 (naming ``pointer``) without it."""
        records = self._records()
        found = records.get(MESSAGE, message_id)
        if found is None:
            detail = f"A campaign-message with id {message_id} does not exist."
            raise NotFound(detail) if pointer is None else Refusal(detail, pointer, 404)
        return found, records.linked(MESSAGE, message_id, "campaign")[0]

    def message_item(self, message_id: str) -> Item:
        """A message as answered after a write, with its campaign, template and image."""
        resource = self._resources.type(MESSAGE)
        links = {
            name: linkage(self._resources, resource, message_id, name)
            for name in ("campaign", "template", "image")
        }
        return Item(message_id, self._records().get(MESSAGE, message_id)["attributes"], links)

    def _check_image(self, image_id: str, pointer: str) -> None:
        if not self._resources.exists("image", image_id):
            raise Refusal(f"An image with id {image_id} does not exist.", pointer, 404)

    def update_message(
        self,
        message_id: str,
        definition: Mapping[str, Any] | None,
        image: str | None,
    ) -> Item:
        """Change a draft's message: its definition (on its own channel) and its image."""
        with self._b.store.locked():
            message, campaign_id = self._message(message_id, None)
            self._draft(campaign_id, "change its messages", "/data/id")
            current = message["attributes"]
            changes: dict[str, Any] = {}
            if definition is not None:
                if definition.get("channel") != current["channel"]:
                    raise Refusal(
                        f"Message {message_id} is a {current['channel']} message for good.",
                        "/data/attributes/definition/channel",
                    )
                changes = message_attributes(
                    merged(current["definition"], definition), current["label"]
                )
                changes.pop("send_times")
            if image is not None:
                self._check_image(image, "/data/relationships/image/data/id")
            links = None if image is None else {"image": image}
            self._resources.update(MESSAGE, message_id, changes, links)
            return self.message_item(message_id)

    def set_image(self, message_id: str, image_id: str) -> None:
        with self._b.store.locked():
            _, campaign_id = self._message(message_id, None)
            self._check_image(image_id, "/data/id")
            self._draft(campaign_id, "change its messages", "/data")
            self._resources.update(MESSAGE, message_id, {}, {"image": image_id})

    def assign_template(self, message_id: str, template_id: str) -> Item:
        """ "Creates a non-reusable version of the template and assigns it to the message" (an
        email message of a draft, *chosen*); the copy it held before goes."""
        with self._b.store.locked():
            message, campaign_id = self._message(message_id, "/data/id")
            if not self._resources.exists(TEMPLATE, template_id):
                raise Refusal(
                    f"A template with id {template_id} does not exist.",
                    "/data/relationships/template/data/id",
                    404,
                )
            self._draft(campaign_id, "change its messages", "/data/id")
            if message["attributes"]["channel"] != "email":
                raise Refusal(
                    f"Message {message_id} is no email: it takes no template.", "/data/id"
                )
            held = self._records().linked(MESSAGE, message_id, "template")
            made = copy(self._b, template_id, for_message=True)
            self._resources.update(MESSAGE, message_id, {}, {"template": made.id})
            drop_copy(self._b, held)
            return self.message_item(message_id)

    # -- sending ------------------------------------------------------------------------------

    def send(self, campaign_id: str) -> str:
        """Send a draft with an audience (see the module docstring); the job's status."""
        with self._b.store.locked():
            current = self._draft(campaign_id, "be sent", "/data/id")["attributes"]
            if not current["audiences"].get("included"):
                raise Refusal(f"Campaign {campaign_id} has no audience to send to.", "/data/id")
            now = self._b.clock()
            moment = _send_moment(current.get("send_strategy") or IMMEDIATE, now)
            later = moment > now
            status, job = (SCHEDULED, QUEUED) if later else (SENT, COMPLETE)
            send_time = iso(moment)
            changes = {"status": status, "scheduled_at": iso(now), "send_time": send_time}
            self._resources.update(CAMPAIGN, campaign_id, changes, extra={"send_job": job})
            options = (current.get("send_strategy") or {}).get("options") or {}
            times = [{"datetime": send_time, "is_local": bool(options.get("is_local"))}]
            self._message_times(campaign_id, times)
            return job

    def _message_times(self, campaign_id: str, times: list[Any]) -> None:
        for message_id in self.messages(campaign_id):
            self._resources.update(MESSAGE, message_id, {"send_times": times})

    def cancel(self, job_id: str, action: str) -> None:
        """``cancel`` or ``revert`` a queued send job (see the module docstring)."""
        with self._b.store.locked():
            self.settle([job_id])
            record = self._records().get(CAMPAIGN, job_id)
            job = None if record is None else record.get("extra", {}).get("send_job")
            if job is None:
                raise NotFound(f"A campaign-send-job with id {job_id} does not exist.")
            if job != QUEUED:
                done = "has been sent" if job == COMPLETE else "was cancelled already"
                raise Refusal(
                    f"Campaign {job_id} {done}: its send job cannot {action}.", "/data/id"
                )
            if action == "cancel":
                changes: dict[str, Any] = {"status": CANCELLED}
            else:
                changes = {"status": DRAFT, "scheduled_at": None, "send_time": None}
                self._message_times(job_id, [])
            extra = {"send_job": JOB_CANCELLED}
            self._resources.update(CAMPAIGN, job_id, changes, extra=extra)

    def refresh_estimate(self, campaign_id: str) -> None:
        with self._b.store.locked():
            record = self.record(campaign_id)
            count = self.estimate(record["attributes"]["audiences"])
            extra = {COUNT: count, "estimation_job": COMPLETE}
            self._resources.set_extra(CAMPAIGN, campaign_id, extra)
