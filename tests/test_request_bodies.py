"""A body that does not fit its operation's JSON Schema is a 400 whose detail says what is wrong
and whose ``source.pointer`` names where: the member missing, of the wrong kind, or naming the
wrong ``type``. Where the schema offers branches (``oneOf`` read as ``anyOf``), the error is the
one of the branch the value names by its ``type``, not that it is no other branch."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from current import error

CONDITIONS = "/data/attributes/definition/condition_groups/0/conditions/0"


def segment(condition: dict[str, Any]) -> dict[str, Any]:
    definition = {"condition_groups": [{"conditions": [condition]}]}
    return {"data": {"type": "segment", "attributes": {"name": "S", "definition": definition}}}


def a_list(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "list", "attributes": attributes}}


PROPERTY = {"type": "profile-property", "property": "first_name"}
EQUALS_ANN = {"type": "string", "operator": "equals", "value": "Ann"}


@pytest.mark.parametrize(
    ("path", "body", "detail", "pointer"),
    [
        ("/api/lists", a_list(), "'name' is a required field.", "/data/attributes/name"),
        ("/api/lists", a_list(name=7), '7 is not of type "string"', "/data/attributes/name"),
        (
            "/api/lists",
            {"data": {"type": "tag", "attributes": {"name": "L"}}},
            "Expected type 'list', got 'tag'.",
            "/data/type",
        ),
        ("/api/lists", {"data": []}, '[] is not of type "object"', "/data"),
        (
            "/api/segments",
            segment(PROPERTY),
            "'filter' is a required field.",
            f"{CONDITIONS}/filter",
        ),
        (
            "/api/segments",
            segment({**PROPERTY, "filter": {**EQUALS_ANN, "value": 3}}),
            '3 is not of types "null", "string"',
            f"{CONDITIONS}/filter/value",
        ),
        (
            "/api/segments",
            segment({"type": "no-such-condition"}),
            "Expected type 'profile-group-membership', got 'no-such-condition'.",
            f"{CONDITIONS}/type",
        ),
    ],
    ids=[
        "missing",
        "wrong-kind",
        "wrong-type",
        "data-not-an-object",
        "branch-missing",
        "branch-wrong-kind",
        "no-branch-named",
    ],
)
def test_a_body_off_its_schema_is_400_saying_what_and_where(client, path, body, detail, pointer):
    found = error(current(client, "POST", path, body), 400)
    assert (found["detail"], found["source"]) == (detail, {"pointer": pointer})


def test_a_body_on_its_schema_is_taken(client):
    made = current(client, "POST", "/api/segments", segment({**PROPERTY, "filter": EQUALS_ANN}))
    assert made.status_code == 201, made.json
