"""The JSONPath a source mapping reads records with (``id_path``, ``data_path``,
``related_id_path``): the document's examples are ``$['id']`` and ``$['full_name']``.

The mock takes the paths that name one value (*chosen*: Klaviyo's documents give no grammar):
the root ``$``, then members as ``.name`` or ``['name']`` / ``["name"]``, and list items as
``[0]`` (``[-1]`` from the end). Wildcards, slices, filters and recursive descent name several
values, so a mapping that uses them is refused when it is written.
"""

from __future__ import annotations

import re
from typing import Any

Step = str | int

_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_$][\w$-]*)"""
    r"""|\[\s*(?:'(?P<single>(?:[^'\\]|\\.)*)'|"(?P<double>(?:[^"\\]|\\.)*)"|(?P<index>-?[0-9]+))\s*\]"""
)


class PathError(ValueError):
    """A path the mock cannot read one value with."""


class _Missing:
    """Nothing at the path (not even null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def parse(path: str) -> tuple[Step, ...]:
    """The steps of ``path``; a :class:`PathError` when it is no path of the grammar above."""
    if not path.startswith("$"):
        raise PathError(f"{path!r} is no JSONPath: it must start at the root, $.")
    steps: list[Step] = []
    at = 1
    while at < len(path):
        found = _STEP.match(path, at)
        if found is None:
            raise PathError(
                f"{path!r}: the mock reads paths of members and list items only"
                f" ($['name'], $.name, $[0]); {path[at:]!r} is none."
            )
        if found["name"] is not None:
            steps.append(found["name"])
        elif found["index"] is not None:
            steps.append(int(found["index"]))
        else:
            quoted = found["single"] if found["single"] is not None else found["double"]
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        at = found.end()
    return tuple(steps)


def read(path: str, document: Any) -> Any:
    """The value at ``path`` in ``document``, or :data:`MISSING`."""
    value = document
    for step in parse(path):
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
    return value
