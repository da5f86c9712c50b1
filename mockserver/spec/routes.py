"""The route table: every path of the document, matched segment by segment (a trie: a static
segment wins over a ``{variable}``), with or without a trailing slash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from .operations import Operation


@dataclass(slots=True)
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    variable: _Node | None = None
    operations: dict[str, Operation] = field(default_factory=dict)
    template: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A path of the document; ``operation`` is None when the method is not one of its own
    (``allowed`` lists those)."""

    template: str
    operation: Operation | None
    parameters: dict[str, str]
    allowed: tuple[str, ...]


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self._root = _Node()
        for operation in operations:
            node = self._root
            for segment in operation.segments:
                if segment.startswith("{") and segment.endswith("}"):
                    if node.variable is None:
                        node.variable = _Node()
                    node = node.variable
                else:
                    node = node.static.setdefault(segment, _Node())
            node.operations[operation.method] = operation
            node.template = operation.path

    def match(self, method: str, path: str) -> Match | None:
        """The operation ``method path`` calls, or None when the path is not in the document.
        One trailing slash is allowed; an empty segment (``//``) is no path of the API."""
        if path.endswith("/"):
            path = path[:-1]
        parts = path.split("/")[1:]
        found = self._walk(self._root, parts, 0, [])
        if found is None:
            return None
        node, values = found
        assert node.template is not None
        operation = node.operations.get(method)
        # Named as the operation's own path names them: paths that share a prefix may name
        # one variable differently (``/api/x/{id}``, ``/api/x/{job_id}/y``).
        template = operation.path if operation is not None else node.template
        names = [s[1:-1] for s in template.split("/") if s.startswith("{") and s.endswith("}")]
        return Match(
            template,
            operation,
            dict(zip(names, values, strict=True)),
            tuple(sorted(node.operations)),
        )

    def _walk(
        self, node: _Node, parts: list[str], at: int, values: list[str]
    ) -> tuple[_Node, list[str]] | None:
        if at == len(parts):
            return (node, values) if node.operations else None
        part = parts[at]
        if not part:
            return None
        child = node.static.get(part)
        if child is not None:
            found = self._walk(child, parts, at + 1, values)
            if found is not None:
                return found
        if node.variable is not None:
            return self._walk(node.variable, parts, at + 1, [*values, part])
        return None
