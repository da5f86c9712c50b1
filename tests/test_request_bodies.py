"""A body that does not fit its operation's JSON Schema is a 400 whose detail says what is wrong
and whose ``source.pointer`` names where: the member missing, of the wrong kind, or naming the
wrong ``type``. Where the schema offers branches (``oneOf`` read as ``anyOf``), the error is the
one of the branch the value names by its ``type``, not that it is no other branch."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import current
from current import error
from openapi_check import document
from openapi_check import validating
from walk import Walker

from mockserver import create_app
from mockserver import spec
from mockserver.spec import Operation

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


@pytest.mark.parametrize("given", ["../x", "S12345"])
def test_a_create_makes_its_own_id(client, given):
    body = segment({**PROPERTY, "filter": EQUALS_ANN})
    body["data"]["id"] = given
    made = current(client, "POST", "/api/segments", body)
    assert made.status_code == 201 and made.json["data"]["id"] != given
    assert current(client, "GET", f"/api/segments/{made.json['data']['id']}").status_code == 200


# -- a relationship without its data, on every operation whose body names one ---------------

SPEC = spec.load()


def _relationships(operation: Operation) -> list[str]:
    document = SPEC.components.flatten(operation.body_schema or {})
    data = SPEC.components.flatten(document.get("properties", {}).get("data", {}))
    return sorted(
        SPEC.components.flatten(data.get("properties", {}).get("relationships", {})).get(
            "properties", {}
        )
    )


LINKED = [
    (o.id, name)
    for o in sorted(SPEC.operations.values(), key=lambda o: o.id)
    for name in _relationships(o)
]


@pytest.fixture(scope="module")
def walker() -> Walker:
    app = validating(create_app({"TESTING": True}))
    return Walker(app.test_client(), SPEC, document())


@pytest.mark.parametrize(("operation_id", "name"), LINKED, ids=[f"{o}-{n}" for o, n in LINKED])
@pytest.mark.parametrize("given", [{}, {"data": None}], ids=["empty", "null"])
def test_a_relationship_without_its_data(walker, operation_id, name, given):
    """A relationship the body must give is a 400 naming it; one it may leave out links
    nothing (a mapped metric's is unmapped): never a 5xx."""
    operation = SPEC.operations[operation_id]
    prepared = walker.prepare(operation)
    body = copy.deepcopy(prepared.body)
    body["data"].setdefault("relationships", {})[name] = given
    sent = walker.send(operation, prepared.ids, body)
    if name in operation.body_links:
        assert sent.status == 400, sent.brief()
        assert sent.json["errors"][0]["source"] == {"pointer": f"/data/relationships/{name}/data"}
    else:
        assert sent.status < 500, sent.brief()
