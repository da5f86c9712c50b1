"""Templates as the create body's descriptions have them: ``editor_type`` is "Restricted to
CODE, USER_DRAGGABLE, or SYSTEM_DRAGGABLE"; an HTML template (CODE, USER_DRAGGABLE) needs its
``html`` and has no ``definition`` ("ignored", "Omitted for CODE/USER_DRAGGABLE"); a
drag-and-drop one (SYSTEM_DRAGGABLE) needs its ``definition`` (an additional field), takes no
``html`` or ``amp``, and shows the html its definition renders. "There is a limit of 1,000
templates that can be created via the API". Universal content starts without a screenshot.

``copy`` makes a clone (``template-clone``) and the "non-reusable version of the template" a
campaign message gets (``campaign-message-assign-template``): such a copy reads, updates and
deletes like any template, but the account's listing leaves it out, as Klaviyo's template
library does (*chosen*). ``render`` (``template-render``) fills a template with a context."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from ...domain.accounts import Account
from ...domain.commands import InvalidAttribute
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.listing import select
from ...domain.models import json_copy
from ...domain.resources import GenericSource
from ...domain.resources import Rules
from ...domain.service import Klaviyo

TEMPLATE = "template"
UNIVERSAL = "template-universal-content"
DND = "SYSTEM_DRAGGABLE"
EDITOR_TYPES = ("CODE", "USER_DRAGGABLE", DND)
#: Templates made through the API, at most (create_template, clone_template).
MAX_TEMPLATES = 1000
#: Klaviyo makes a block's screenshot later; the mock never does (*chosen*).
NO_SCREENSHOT = {"screenshot_status": "never_generated", "screenshot_url": ""}
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


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


def _on_create(account: Account, record_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
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
    account: Account, record_id: str, current: Mapping[str, Any], merged: dict[str, Any]
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
    account: Account, record_id: str, attributes: dict[str, Any]
) -> dict[str, Any]:
    if not str(attributes.get("name") or "").strip():
        raise InvalidAttribute("name", "Universal content needs a name.")
    return {**attributes, **NO_SCREENSHOT}


def _universal_updated(
    account: Account, record_id: str, current: Mapping[str, Any], merged: dict[str, Any]
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

    def __init__(self, klaviyo: Klaviyo) -> None:
        super().__init__(klaviyo.resources, TEMPLATE)
        self._k = klaviyo

    def page(
        self, account: Account, query: ListQuery, additional: frozenset[str] = frozenset()
    ) -> Page:
        with self._k.store.locked():
            records = self._k.resources.records(account)
            candidates = [r for r in records.scan(TEMPLATE) if reusable(r)]
            chosen, next_key = select(candidates, query, _field, lambda r: [r["seq"]])
            return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)


def room(klaviyo: Klaviyo, account: Account) -> bool:
    """Whether the account may make one more template through the API."""
    with klaviyo.store.locked():
        records = klaviyo.resources.records(account)
        return sum(1 for r in records.scan(TEMPLATE) if reusable(r)) < MAX_TEMPLATES


def copy(
    klaviyo: Klaviyo,
    account: Account,
    template_id: str,
    name: str | None = None,
    *,
    for_message: bool = False,
) -> Item:
    """A new template with the content of ``template_id``: a clone (reusable, ``name`` or the
    original's, prefixed "Clone of ", *chosen* after the document's example), or a message's
    non-reusable copy (the original's name)."""
    with klaviyo.store.locked():
        record = klaviyo.resources.records(account).get(TEMPLATE, template_id)
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
        return klaviyo.resources.create(
            account, TEMPLATE, {**given, "name": name or default}, extra=extra
        )


def drop_copy(klaviyo: Klaviyo, account: Account, template_ids: Sequence[str]) -> None:
    """Delete the message copies among ``template_ids`` (a message let go of them)."""
    with klaviyo.store.locked():
        records = klaviyo.resources.records(account)
        for template_id in template_ids:
            record = records.get(TEMPLATE, template_id)
            if record is not None and not reusable(record):
                klaviyo.resources.delete(account, TEMPLATE, template_id)


def plain_text(html: str) -> str:
    """The text of an html document: tags dropped, white space folded."""
    return _SPACES.sub(" ", _TAGS.sub(" ", html)).strip()


def render(attributes: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """A template's html, text and AMP versions with ``context`` filled in. A template without
    a text version renders the text of its html (*chosen*); variables are HTML-escaped in the
    html and AMP versions, as Django does, not in the text (*chosen*)."""
    html = render_text(str(attributes.get("html") or ""), context, escape=True)
    text = attributes.get("text")
    amp = attributes.get("amp")
    return {
        **attributes,
        "html": html,
        "text": plain_text(html) if text is None else render_text(text, context, escape=False),
        "amp": None if amp is None else render_text(amp, context, escape=True),
    }


# -- rendering, Django-style --------------------------------------------------------------------
#
# "Email templates are rendered with contexts in a similar manner to Django templates. Nested
# template variables can be referenced via dot notation. Template variables without
# corresponding context values are treated as FALSE and output nothing." The mock renders
# ``{{ value|filter:arg }}``, ``{% if %}``/``{% elif %}``/``{% else %}`` with ``and``, ``or``,
# ``not`` and comparisons, ``{% for x in xs %}``/``{% empty %}`` and ``{# comments #}``; a tag it
# does not know (``{% unsubscribe %}``…) renders nothing and a filter it does not know leaves the
# value as it is (*chosen*).

_TOKENS = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)
_WORDS = re.compile(r"""(?:"[^"]*"|'[^']*'|[^\s"']+)+""")
_MISSING: Any = object()
Node = tuple[Any, ...]


class _Safe(str):
    """Text the ``safe`` filter marked: never escaped."""


def _split(expression: str) -> list[str]:
    """``value|filter:arg|…`` into its parts, ``|`` inside quotes kept."""
    parts, current, quote = [], "", ""
    for char in expression:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "|":
            parts.append(current.strip())
            current = ""
            continue
        current += char
    return [*parts, current.strip()]


def _literal(text: str, context: Mapping[str, Any]) -> Any:
    """A literal (quoted text, a number, True/False/None) or a variable's value."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        pass
    value: Any = context
    for part in text.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return value if isinstance(value, str) else str(value)


def _filtered(value: Any, name: str, argument: Any) -> Any:
    if name == "default":
        return value if value is not _MISSING and value else argument
    if name == "default_if_none":
        return argument if value is _MISSING or value is None else value
    if name == "safe":
        return _Safe(_text(value))
    text = _text(value)
    simple = {
        "upper": str.upper,
        "lower": str.lower,
        "title": str.title,
        "capfirst": lambda t: t[:1].upper() + t[1:],
        "striptags": plain_text,
    }
    if name in simple:
        return simple[name](text)
    if name == "length":
        return len(value) if isinstance(value, str | list | Mapping) else 0
    if name == "join" and isinstance(value, list):
        return str(argument).join(_text(v) for v in value)
    return value


def _value(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of ``name.path|filter:arg|…``."""
    head, *filters = _split(expression)
    value = _literal(head, context)
    for entry in filters:
        name, _, argument = entry.partition(":")
        given = _literal(argument.strip(), context) if argument else None
        value = _filtered(value, name.strip(), None if given is _MISSING else given)
    return value


def _test(words: list[str], context: Mapping[str, Any]) -> bool:
    """An ``if`` condition: ``or`` binds loosest, then ``and``, ``not``, a comparison."""
    for joiner, combine in (("or", any), ("and", all)):
        if joiner in words:
            at = words.index(joiner)
            return combine((_test(words[:at], context), _test(words[at + 1 :], context)))
    if words[:1] == ["not"]:
        return not _test(words[1:], context)
    for at, word in enumerate(words):
        if word in ("==", "!=", "<", ">", "<=", ">=", "in"):
            left = _value(" ".join(words[:at]), context)
            right = _value(" ".join(words[at + 1 :]), context)
            return _compare(word, left, right)
    value = _value(" ".join(words), context) if words else _MISSING
    return value is not _MISSING and bool(value)


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator == "==":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    try:
        if operator == "in":
            return bool(left in right)
        order = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
        return bool(order[operator])
    except TypeError:
        return False


def _parse(tokens: list[str], at: int, ends: tuple[str, ...]) -> tuple[list[Node], int, list[str]]:
    """The nodes from ``tokens[at]`` to the first tag named in ``ends`` (its words), or to the
    end (an unclosed block closes there)."""
    nodes: list[Node] = []
    while at < len(tokens):
        token, at = tokens[at], at + 1
        if token.startswith("{{"):
            nodes.append(("var", token[2:-2].strip()))
        elif token.startswith("{%"):
            words = _WORDS.findall(token[2:-2])
            tag = words[0] if words else ""
            if tag in ends:
                return nodes, at, words
            if tag == "if":
                node, at = _parse_if(tokens, at, words[1:])
                nodes.append(node)
            elif tag == "for" and len(words) >= 4 and words[2] == "in":
                body, at, end = _parse(tokens, at, ("empty", "endfor"))
                empty: list[Node] = []
                if end[:1] == ["empty"]:
                    empty, at, _ = _parse(tokens, at, ("endfor",))
                nodes.append(("for", words[1], " ".join(words[3:]), body, empty))
        elif not token.startswith("{#"):
            nodes.append(("text", token))
    return nodes, at, []


def _parse_if(tokens: list[str], at: int, condition: list[str]) -> tuple[Node, int]:
    branches: list[tuple[list[str], list[Node]]] = []
    while True:
        body, at, end = _parse(tokens, at, ("elif", "else", "endif"))
        branches.append((condition, body))
        if end[:1] == ["elif"]:
            condition = end[1:]
            continue
        otherwise: list[Node] = []
        if end[:1] == ["else"]:
            otherwise, at, _ = _parse(tokens, at, ("endif",))
        return ("if", branches, otherwise), at


def _emit(nodes: list[Node], context: Mapping[str, Any], escape: bool) -> Iterator[str]:
    for node in nodes:
        if node[0] == "text":
            yield node[1]
        elif node[0] == "var":
            value = _value(node[1], context)
            text = _text(value)
            yield text if not escape or isinstance(value, _Safe) else html_module.escape(text)
        elif node[0] == "if":
            chosen = next((body for test, body in node[1] if _test(test, context)), node[2])
            yield from _emit(chosen, context, escape)
        else:
            _, name, source, body, empty = node
            items = _value(source, context)
            items = list(items) if isinstance(items, list | Mapping) else []
            for index, item in enumerate(items):
                loop = {"counter": index + 1, "first": index == 0, "last": index == len(items) - 1}
                yield from _emit(body, {**context, name: item, "forloop": loop}, escape)
            if not items:
                yield from _emit(empty, context, escape)


def render_text(source: str, context: Mapping[str, Any], *, escape: bool) -> str:
    """``source`` with ``context`` filled in (see above)."""
    nodes, _, _ = _parse(_TOKENS.split(source), 0, ())
    return "".join(_emit(nodes, context, escape))


def install(klaviyo: Klaviyo) -> None:
    klaviyo.resources.rules[TEMPLATE] = Rules(on_create=_on_create, on_update=_on_update)
    klaviyo.resources.rules[UNIVERSAL] = Rules(
        on_create=_universal_created, on_update=_universal_updated
    )
    klaviyo.resources.sources[TEMPLATE] = TemplateSource(klaviyo)
