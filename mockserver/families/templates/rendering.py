"""How a template renders (``template-render``): its html, text and AMP versions with a context
filled in, in the Django-style syntax Klaviyo's templates use. The language is written here,
not taken from a library: Jinja2 reads ``{{ value|default:'x' }}`` as an error and Django's
engine fails on Klaviyo's own tags (``{% unsubscribe %}``), which the mock renders as nothing."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


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
