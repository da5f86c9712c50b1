"""Templates as the create body's descriptions have them: ``editor_type`` is "Restricted to
CODE, USER_DRAGGABLE, or SYSTEM_DRAGGABLE"; an HTML template (CODE, USER_DRAGGABLE) needs its
``html`` and has no ``definition`` ("ignored", "Omitted for CODE/USER_DRAGGABLE"); a
drag-and-drop one (SYSTEM_DRAGGABLE) needs its ``definition`` (an additional field), takes no
``html`` or ``amp``, and shows the html its definition renders. "There is a limit of 1,000
templates that can be created via the API". Universal content starts without a screenshot.

``copy`` makes a clone (``template-clone``) and the "non-reusable version of the template" a
campaign message gets (``campaign-message-assign-template``): such a copy reads, updates and
deletes like any template, but the account's listing leaves it out, as Klaviyo's template
library does (*chosen*). ``rendering`` fills a template with a context (``template-render``)."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.listing import select
from ...domain.models import json_copy
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import GenericSource

TEMPLATE = "template"
UNIVERSAL = "template-universal-content"
DND = "SYSTEM_DRAGGABLE"
EDITOR_TYPES = ("CODE", "USER_DRAGGABLE", DND)
#: Templates made through the API, at most (create_template, clone_template).
MAX_TEMPLATES = 1000
#: Klaviyo makes a block's screenshot later; the mock never does (*chosen*).
NO_SCREENSHOT = {"screenshot_status": "never_generated", "screenshot_url": ""}


def _name(attributes: Mapping[str, Any]) -> str:
    name = attributes.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidAttribute("name", "A template needs a name.")
    return name


def _contents(node: Any) -> Iterator[str]:
    """The text and HTML of a drag-and-drop definition's blocks, in the order they come."""
    if isinstance(node, Mapping):
        data = node.get("data")
        if node.get("content_type") == "block" and isinstance(data, Mapping):
            content = data.get("content")
            if isinstance(content, str):
                yield content
        for value in node.values():
            yield from _contents(value)
    elif isinstance(node, list):
        for value in node:
            yield from _contents(value)


def definition_html(definition: Mapping[str, Any]) -> str:
    """The html a drag-and-drop template shows: its text and HTML blocks, one ``div`` each, in
    a page (*chosen*: Klaviyo's own rendering lays out sections, columns and styles too)."""
    blocks = "".join(f"<div>{content}</div>" for content in _contents(definition.get("body")))
    return f"<!DOCTYPE html><html><body>{blocks}</body></html>"


def _draggable(record_id: str, attributes: dict[str, Any], before: Mapping[str, Any]) -> None:
    """A SYSTEM_DRAGGABLE template: no html or amp of its own ("not allowed"), a definition
    ("Required"), which names the template (its read-only ids) and renders the html."""
    for name in ("html", "amp"):
        if attributes.get(name) is not None and attributes.get(name) != before.get(name):
            raise InvalidAttribute(name, f"{name} is not allowed for {DND} templates.")
    definition = attributes.get("definition")
    if not isinstance(definition, Mapping):
        raise InvalidAttribute("definition", f"A {DND} template needs a definition.")
    attributes["definition"] = {**definition, "id": record_id, "template_id": record_id}
    attributes["html"] = definition_html(definition)


def _on_create(backend: Backend, record_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
    _name(attributes)
    editor = attributes.get("editor_type")
    if editor not in EDITOR_TYPES:
        raise InvalidAttribute("editor_type", f"editor_type is one of {', '.join(EDITOR_TYPES)}.")
    if editor == DND:
        _draggable(record_id, attributes, {})
    else:
        if not attributes.get("html"):
            raise InvalidAttribute("html", f"A {editor} template needs its html.")
        attributes.pop("definition", None)
    attributes.setdefault("text", None)
    attributes.setdefault("amp", None)
    return attributes


def _on_update(
    backend: Backend, record_id: str, current: Mapping[str, Any], merged: dict[str, Any]
) -> dict[str, Any]:
    """A member the answer requires, sent as null, stays as it is (*chosen*); the editor type
    is the one the template was made with (the update body has none)."""
    before = current["attributes"]
    for name in ("name", "html", "definition"):
        if merged.get(name) is None and before.get(name) is not None:
            merged[name] = before[name]
    _name(merged)
    merged["editor_type"] = before.get("editor_type")
    if merged["editor_type"] == DND:
        _draggable(record_id, merged, before)
    else:
        if not merged.get("html"):
            raise InvalidAttribute("html", "An HTML template needs its html.")
        merged.pop("definition", None)
    return merged


def _universal_created(
    backend: Backend, record_id: str, attributes: dict[str, Any]
) -> dict[str, Any]:
    if not str(attributes.get("name") or "").strip():
        raise InvalidAttribute("name", "Universal content needs a name.")
    return {**attributes, **NO_SCREENSHOT}


def _universal_updated(
    backend: Backend, record_id: str, current: Mapping[str, Any], merged: dict[str, Any]
) -> dict[str, Any]:
    """A null name or definition leaves it as it is (*chosen*, as for templates)."""
    before = current["attributes"]
    for name in ("name", "definition"):
        if merged.get(name) is None:
            merged[name] = before.get(name)
    if not str(merged.get("name") or "").strip():
        raise InvalidAttribute("name", "Universal content needs a name.")
    return merged


def reusable(record: Mapping[str, Any]) -> bool:
    """Whether a stored template is one of the account's own (not a message's copy)."""
    return bool((record.get("extra") or {}).get("reusable", True))


def _field(record: Mapping[str, Any], name: str) -> Any:
    if name in ("id", "ids"):
        return record["id"]
    return record["attributes"].get(name)


class TemplateSource(GenericSource):
    """Templates as the generic resources keep them; the listing leaves out the copies that
    campaign messages hold."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend.resources, TEMPLATE)
        self._b = backend

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        with self._b.store.locked():
            records = self._b.records
            candidates = [r for r in records.scan(TEMPLATE) if reusable(r)]
            chosen, next_key = select(candidates, query, _field, lambda r: [r["seq"]])
            return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)


def room(backend: Backend) -> bool:
    """Whether the account may make one more template through the API."""
    with backend.store.locked():
        records = backend.records
        return sum(1 for r in records.scan(TEMPLATE) if reusable(r)) < MAX_TEMPLATES


def copy(
    backend: Backend,
    template_id: str,
    name: str | None = None,
    *,
    for_message: bool = False,
) -> Item:
    """A new template with the content of ``template_id``: a clone (reusable, ``name`` or the
    original's, prefixed "Clone of ", *chosen* after the document's example), or a message's
    non-reusable copy (the original's name)."""
    with backend.store.locked():
        record = backend.records.get(TEMPLATE, template_id)
        if record is None:
            raise NotFound(f"A template with id {template_id} does not exist.")
        original = json_copy(record["attributes"])
        default = original["name"] if for_message else f"Clone of {original['name']}"
        kept = (
            ("editor_type", "text", "definition")
            if original.get("editor_type") == DND
            else ("editor_type", "text", "html", "amp")
        )
        given = {key: original.get(key) for key in kept}
        extra = {"reusable": not for_message, "origin": template_id}
        return backend.resources.create(TEMPLATE, {**given, "name": name or default}, extra=extra)


def drop_copy(backend: Backend, template_ids: Sequence[str]) -> None:
    """Delete the message copies among ``template_ids`` (a message let go of them)."""
    with backend.store.locked():
        records = backend.records
        for template_id in template_ids:
            record = records.get(TEMPLATE, template_id)
            if record is not None and not reusable(record):
                backend.resources.delete(TEMPLATE, template_id)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.rules[TEMPLATE] = Rules(on_create=_on_create, on_update=_on_update)
    klaviyo.registry.rules[UNIVERSAL] = Rules(
        on_create=_universal_created, on_update=_universal_updated
    )
    klaviyo.registry.sources[TEMPLATE] = TemplateSource
