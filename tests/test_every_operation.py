"""The mock answers every operation of Klaviyo's OpenAPI document: each of the 345 is sent one
valid request built from the spec (``walk.py``) and answers a success the document lists for
it, in a shape the document allows (openapi-core, ``openapi_check``). Then a CRUD round trip
for every type the document lets one create, read, update and delete.

One app for the module; shared resources are made once, on first use. A destructive call (a
delete, a link removal, a merge, a bulk delete…) acts on resources made for it alone, so the
tests pass or fail alike in any order, on any xdist worker.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from openapi_check import document
from openapi_check import failures
from openapi_check import validating
from walk import Context
from walk import Sent
from walk import Walker
from walk import WalkError
from walk import destructive
from walk import success

from mockserver import create_app
from mockserver import spec
from mockserver.spec import Kind
from mockserver.spec import parse_moment

SPEC = spec.load()
#: Creating operations and reads first, then the writes, the destructive ones last.
RANK = [
    Kind.CREATE,
    Kind.JOB,
    Kind.ACTION,
    Kind.LIST,
    Kind.GET,
    Kind.RELATED,
    Kind.LINKAGE,
    Kind.UPDATE,
    Kind.LINK_ADD,
    Kind.LINK_REPLACE,
    Kind.LINK_REMOVE,
    Kind.DELETE,
]
ORDER = sorted(SPEC.operations.values(), key=lambda o: (destructive(o), RANK.index(o.kind), o.id))
OPERATIONS = [operation.id for operation in ORDER]
#: Types with a create, a read, an update and a delete operation.
CRUD = sorted(
    name
    for name, resource in SPEC.types.items()
    if {Kind.CREATE, Kind.GET, Kind.UPDATE, Kind.DELETE} <= set(resource.operations)
)


@pytest.fixture(scope="module")
def app() -> Flask:
    return validating(create_app({"TESTING": True}))


@pytest.fixture(scope="module")
def walker(app: Flask) -> Walker:
    return Walker(app.test_client(), SPEC, document())


def _short(text: str, limit: int = 700) -> str:
    """openapi-core's message quotes the whole answer before its cause: the call, then the
    cause."""
    cause = text.find("schema_errors=")
    if cause >= 0:
        return f"{text[: text.find(': ') + 1]} … {text[cause : cause + limit]}"
    return text if len(text) <= limit else f"{text[:200]} … {text[-(limit - 200) :]}"


def _judge(app: Flask, before: int, problems: list[str]) -> None:
    """Fail once with everything a test found: its own findings, then the answers under test
    that do not fit the document."""
    problems.extend(f"not in stable.json: {_short(found)}" for found in failures(app)[before:])
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_every_operation_is_walked() -> None:
    assert len(OPERATIONS) == len(set(OPERATIONS)) == 345


@pytest.mark.parametrize("operation_id", OPERATIONS, ids=OPERATIONS)
def test_operation(app: Flask, walker: Walker, operation_id: str) -> None:
    operation = SPEC.operations[operation_id]
    try:
        prepared = walker.prepare(operation)
    except WalkError as error:
        unprepared = f"{operation_id}: could not build the request: {error}"
    else:
        unprepared = ""
    if unprepared:
        pytest.fail(unprepared, pytrace=False)
    before = len(failures(app))
    sent = walker.send(operation, prepared.ids, prepared.body)
    problems = []
    if sent.status not in success(operation):
        problems.append(f"expected {success(operation)}: {sent.brief(600)}\nsent: {sent.body}")
    problems.extend(f"a link is no URL of the call: {link}" for link in _links(sent.json))
    _judge(app, before, problems)


def _links(found: Any) -> list[str]:
    """Every ``links`` value of an answer that still holds a path template's ``{variable}``."""
    if isinstance(found, list):
        return [link for item in found for link in _links(item)]
    if not isinstance(found, dict):
        return []
    bad = [v for v in (found.get("links") or {}).values() if isinstance(v, str) and "{" in v]
    return bad + [link for key, value in found.items() if key != "links" for link in _links(value)]


# -- CRUD round trips ---------------------------------------------------------------------------


def _same(sent: Any, shown: Any) -> bool:
    """A value as sent and as answered (date-times compare as moments, objects by the members
    sent)."""
    if isinstance(sent, str) and isinstance(shown, str) and sent != shown:
        a, b = parse_moment(sent), parse_moment(shown)
        return a is not None and a == b
    if isinstance(sent, dict) and isinstance(shown, dict):
        return all(_same(value, shown.get(key)) for key, value in sent.items())
    if isinstance(sent, list) and isinstance(shown, list):
        return len(sent) == len(shown) and all(map(_same, sent, shown))
    return bool(sent == shown)


#: type -> attributes Klaviyo answers rewritten, not as sent: a flow's definition comes back
#: with real action ids in place of the temporary ones.
REWRITTEN: dict[str, frozenset[str]] = {"flow": frozenset({"definition"})}
#: type -> the attribute its round trip changes and the new value, where the generic choice
#: cannot tell (a flow's status is "draft, manual or live" in words only).
CHANGES: dict[str, tuple[str, Any]] = {"flow": ("status", "manual")}


def _change(walker: Walker, kind: str, current: dict[str, Any]) -> tuple[str, Any]:
    """One attribute the update operation takes and the type shows, with a new value: a name
    or title first, else another string, else the enum's next value, else a boolean flipped."""
    if kind in CHANGES:
        return CHANGES[kind]
    update = SPEC.types[kind].operations[Kind.UPDATE]
    c = SPEC.components
    assert update.body_schema is not None
    data = c.flatten(c.flatten(update.body_schema)["properties"]["data"])
    attributes = c.flatten(data["properties"]["attributes"]).get("properties", {})
    shown = SPEC.types[kind].attributes.get("properties", {})
    candidates: list[tuple[int, str, Any]] = []
    for name, raw in attributes.items():
        schema = c.resolve(raw)
        if name not in shown or schema.get("readOnly"):
            continue
        if schema.get("enum"):
            others = [v for v in schema["enum"] if v != current.get(name)]
            if others:
                candidates.append((2, name, others[0]))
        elif schema.get("type") == "string" and schema.get("format") is None:
            rank = 0 if name in ("name", "title", "label") else 1
            candidates.append((rank, name, walker.unique("changed")))
        elif schema.get("type") == "boolean":
            candidates.append((3, name, not current.get(name)))
    assert candidates, f"{update.id} takes no attribute the walk can change"
    _, name, value = min(candidates, key=lambda c: c[0])
    return name, value


@pytest.mark.parametrize("kind", CRUD, ids=CRUD)
def test_crud_round_trip(app: Flask, walker: Walker, kind: str) -> None:
    """Create, read back (the attributes sent are shown), update one attribute, read back
    (changed), delete (204), read again (404)."""
    operations = SPEC.types[kind].operations
    create, read, update = operations[Kind.CREATE], operations[Kind.GET], operations[Kind.UPDATE]
    try:
        body = walker.body(create, Context(create, {}))
    except WalkError as error:
        unprepared = f"{kind}: could not build the create request: {error}"
    else:
        unprepared = ""
    if unprepared:
        pytest.fail(unprepared, pytrace=False)
    before = len(failures(app))
    problems: list[str] = []
    try:
        _round_trip(walker, kind, create, read, update, body)
    except AssertionError as error:
        problems.append(str(error))
    _judge(app, before, problems)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _round_trip(walker: Walker, kind: str, create: Any, read: Any, update: Any, body: Any) -> None:
    made = walker.send(create, {}, body)
    _expect(made.status in success(create), f"create: {made.brief()}")
    item = made.data_ids()[0]
    shown_members = SPEC.types[kind].attributes.get("properties", {})
    given = body["data"].get("attributes", {})
    sent = {k: v for k, v in given.items() if k in shown_members}
    additional = sorted(set(sent) & read.additional.get(kind, frozenset()))
    for name in REWRITTEN.get(kind, ()):
        sent.pop(name, None)
    extra = {f"additional-fields[{kind}]": ",".join(additional)} if additional else {}
    got: Sent = walker.send(read, {"id": item}, query=extra)
    _expect(got.status == 200, f"read: {got.brief()}")
    shown = got.json["data"]["attributes"]
    differ = {k: (v, shown.get(k)) for k, v in sent.items() if not _same(v, shown.get(k))}
    _expect(not differ, f"read after create: (sent, shown) differ: {differ}")

    name, value = _change(walker, kind, shown)
    change = walker.body(update, Context(update, {"id": item}))
    change["data"].setdefault("attributes", {})[name] = value
    updated = walker.send(update, {"id": item}, change)
    _expect(updated.status in success(update), f"update {name}: {updated.brief()}\nsent: {change}")

    got = walker.send(read, {"id": item})
    _expect(got.status == 200, f"read after update: {got.brief()}")
    now = got.json["data"]["attributes"].get(name)
    _expect(_same(value, now), f"read after update: {name} sent {value!r}, shown {now!r}")

    deleted = walker.send(SPEC.types[kind].operations[Kind.DELETE], {"id": item})
    _expect(deleted.status == 204, f"delete: {deleted.brief()}")
    gone = walker.send(read, {"id": item})
    _expect(gone.status == 404, f"read after delete: {gone.brief()}")
