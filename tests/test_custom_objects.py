"""Custom objects: data sources receive records; an object type's active schema and its source
mapping turn them into object records (``{type id}:::{id}``), and the records that fail into
ingestion log entries; schema versions, drafts and activation; relationships between schemas;
deletes and what goes with them; and every bad input the family refuses, refused whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from conftest import current
from flask.testing import FlaskClient

PROPS = [{"id": 1, "name": "name", "type": "string"}, {"id": 2, "name": "age", "type": "int"}]
#: As a schema shows them (a description is "" unless given).
SHOWN = [{**prop, "description": ""} for prop in PROPS]


def _ok(answer: Any, status: int) -> Any:
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.json if answer.data else None


def simple(prop: int, source: str, path: str, id_path: str = "$['id']") -> dict[str, Any]:
    return {
        "id": prop,
        "type": "simple",
        "source": {"source_id": source, "id_path": id_path, "data_path": path},
    }


def mapped(source: str) -> list[dict[str, Any]]:
    """``name`` and ``age`` read from a record's ``name`` and ``age``."""
    return [simple(1, source, "$['name']"), simple(2, source, "$.age")]


def embedded(
    props: list[dict[str, Any]] | None = None,
    mappings: list[dict[str, Any]] | None = None,
    status: str | None = "active",
    required: list[str] | None = None,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "properties": PROPS if props is None else props,
        "required": ["name"] if required is None else required,
        "source-mapping": {
            "data": {"type": "source-mapping", "attributes": {"property_mappings": mappings or []}}
        },
    }
    if status is not None:
        attributes["status"] = status
    return {"data": {"type": "object-schema", "attributes": attributes}}


def make_source(client: FlaskClient, title: str = "Pets", **attributes: Any) -> str:
    body = {"data": {"type": "data-source", "attributes": {"title": title, **attributes}}}
    return str(_ok(current(client, "POST", "/api/data-sources", body), 201)["data"]["id"])


def make_type(
    client: FlaskClient, title: str = "Pet", schema: Any = None, **attributes: Any
) -> str:
    attributes = {"title": title, **attributes}
    if schema is not None:
        attributes["object-schema"] = schema
    body = {"data": {"type": "object-type", "attributes": attributes}}
    return str(_ok(current(client, "POST", "/api/object-types", body), 201)["data"]["id"])


def pets(client: FlaskClient) -> tuple[str, str]:
    """A data source, and an object type whose active schema maps its records."""
    source = make_source(client)
    return source, make_type(client, schema=embedded(mappings=mapped(source)))


def make_schema(client: FlaskClient, type_id: str, **attributes: Any) -> str:
    body = {
        "data": {
            "type": "object-schema",
            "attributes": {"title": "Pet", "properties": PROPS, **attributes},
            "relationships": {"object-type": {"data": {"type": "object-type", "id": type_id}}},
        }
    }
    return str(_ok(current(client, "POST", "/api/object-schemas", body), 201)["data"]["id"])


def records_body(source: str, *records: Any) -> dict[str, Any]:
    entries = [{"type": "data-source-record", "attributes": {"record": r}} for r in records]
    return {
        "data": {
            "type": "data-source-record-bulk-create-job",
            "attributes": {"data-source-records": {"data": entries}},
            "relationships": {"data-source": {"data": {"type": "data-source", "id": source}}},
        }
    }


def record_body(source: str, record: Any) -> dict[str, Any]:
    entry = {"data": {"type": "data-source-record", "attributes": {"record": record}}}
    return {
        "data": {
            "type": "data-source-record-create-job",
            "attributes": {"data-source-record": entry},
            "relationships": {"data-source": {"data": {"type": "data-source", "id": source}}},
        }
    }


def send(client: FlaskClient, source: str, *records: Any) -> None:
    body = records_body(source, *records)
    _ok(current(client, "POST", "/api/data-source-record-bulk-create-jobs", body), 204)


def send_one(client: FlaskClient, source: str, *records: Any) -> None:
    for record in records:
        body = record_body(source, record)
        _ok(current(client, "POST", "/api/data-source-record-create-jobs", body), 204)


def read(client: FlaskClient, path: str) -> Any:
    return _ok(current(client, "GET", path), 200)


def object_records(client: FlaskClient, type_id: str) -> dict[str, Any]:
    found = read(client, f"/api/object-types/{type_id}/object-records?page[size]=100")["data"]
    return {r["id"].split(":::", 1)[1]: r["attributes"]["record_properties"] for r in found}


def logs(client: FlaskClient, type_id: str, query: str = "") -> Any:
    return read(client, f"/api/object-types/{type_id}/object-ingestion-logs{query}")


def schema_of(client: FlaskClient, type_id: str, which: str) -> str | None:
    data = read(client, f"/api/object-types/{type_id}/relationships/{which}-schema")["data"]
    return None if data is None else str(data["id"])


def ids(client: FlaskClient, path: str) -> list[str]:
    return [entry["id"] for entry in read(client, path)["data"]]


# -- ingestion ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", [send, send_one], ids=["bulk", "one-by-one"])
def test_records_sent_to_a_mapped_data_source_become_object_records(client, sender):
    source, type_id = pets(client)
    sender(client, source, {"id": "p1", "name": "Rex", "age": 4}, {"id": 2, "name": "Tom"})
    record = read(client, f"/api/object-records/{type_id}:::p1")["data"]
    assert record["attributes"]["record_properties"] == {"name": "Rex", "age": 4}
    assert object_records(client, type_id) == {
        "p1": {"name": "Rex", "age": 4},
        "2": {"name": "Tom"},
    }
    linkage = ids(client, f"/api/object-types/{type_id}/relationships/object-records")
    assert linkage == [f"{type_id}:::p1", f"{type_id}:::2"]
    assert logs(client, type_id)["data"] == []  # only failures are logged


def test_records_and_their_ids_page_in_the_order_they_were_made(client):
    source, type_id = pets(client)
    send(client, source, *({"id": f"p{i}", "name": f"n{i}"} for i in range(5)))
    path = f"/api/object-types/{type_id}/relationships/object-records?page[size]=2"
    seen: list[str] = []
    while path:
        answer = read(client, path)
        seen += [entry["id"].split(":::")[1] for entry in answer["data"]]
        path = answer["links"].get("next", "").replace("http://localhost", "")
    assert seen == ["p0", "p1", "p2", "p3", "p4"]


def test_records_sent_before_activation_are_mapped_when_the_schema_is_activated(client):
    source = make_source(client)
    send(client, source, {"id": "a", "name": "Rex"}, {"id": "b", "name": "Tom", "age": "x"})
    type_id = make_type(client, schema=embedded(mappings=mapped(source), status=None))
    assert object_records(client, type_id) == {}  # a draft maps nothing
    draft = schema_of(client, type_id, "draft")
    body = {"data": {"type": "object-schema", "id": draft, "attributes": {"status": "active"}}}
    _ok(current(client, "PATCH", f"/api/object-schemas/{draft}", body), 200)
    assert object_records(client, type_id) == {"a": {"name": "Rex"}}
    [entry] = logs(client, type_id)["data"]
    assert entry["relationships"]["object-record"]["data"]["id"] == f"{type_id}:::b"


def test_a_record_with_an_id_already_replaces_the_object_record(client):
    source, type_id = pets(client)
    send(client, source, {"id": "p1", "name": "Rex", "age": 4})
    send_one(client, source, {"id": "p1", "name": "Rex II"})
    assert object_records(client, type_id) == {"p1": {"name": "Rex II"}}


def test_properties_mapped_from_another_data_source_keep_their_values(client):
    names, ages = make_source(client, "Names"), make_source(client, "Ages")
    mappings = [
        simple(1, names, "$.name"),
        simple(2, ages, "$.years", id_path="$.pet"),
        {"id": 3, "type": "constant", "value": "dog"},
    ]
    props = [*PROPS, {"id": 3, "name": "kind", "type": "string"}]
    type_id = make_type(client, schema=embedded(props, mappings, required=[]))
    send(client, ages, {"pet": "p1", "years": 3})
    send(client, names, {"id": "p1", "name": "Rex"})
    assert object_records(client, type_id) == {"p1": {"name": "Rex", "age": 3, "kind": "dog"}}


def test_a_data_source_no_mapping_reads_keeps_its_records_quietly(client):
    _, type_id = pets(client)
    other = make_source(client, "Other")
    send(client, other, {"id": "p1", "name": "Rex"})
    assert object_records(client, type_id) == {}
    assert logs(client, type_id)["data"] == []


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        ("string", "Rex", "Rex"),
        ("int", "42", 42),
        ("int", 7.0, 7),
        ("float", 2, 2.0),
        ("float", "2.5", 2.5),
        ("boolean", "yes", True),
        ("boolean", 0, False),
        ("timestamp", 0, "1970-01-01T00:00:00+00:00"),
        ("timestamp", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
        ("timestamp", "2024-05-01", "2024-05-01T00:00:00+00:00"),
    ],
    ids=lambda v: repr(v),
)
def test_values_are_converted_to_their_property_types(client, kind, given, stored):
    source = make_source(client)
    props = [{"id": 1, "name": "value", "type": kind}]
    type_id = make_type(client, schema=embedded(props, [simple(1, source, "$.v")], required=[]))
    send(client, source, {"id": "x", "v": given})
    assert object_records(client, type_id) == {"x": {"value": stored}}


@pytest.mark.parametrize(
    ("kind", "given", "code"),
    [
        ("string", 5, "string_type"),
        ("int", True, "int_type"),
        ("int", [1], "int_type"),
        ("float", "many", "float_parsing"),
        ("float", False, "float_type"),
        ("float", "inf", "finite_number"),
        ("boolean", "maybe", "bool_parsing"),
        ("boolean", 2, "bool_parsing"),
        ("boolean", 1.5, "bool_type"),
        ("timestamp", "yesterday", "datetime_parsing"),
        ("timestamp", 1e20, "datetime_parsing"),
        ("timestamp", True, "datetime_type"),
    ],
    ids=lambda v: repr(v),
)
def test_a_value_its_property_type_does_not_take_is_logged(client, kind, given, code):
    source = make_source(client)
    props = [{"id": 1, "name": "value", "type": kind}]
    type_id = make_type(client, schema=embedded(props, [simple(1, source, "$.v")], required=[]))
    send(client, source, {"id": "x", "v": given})
    assert object_records(client, type_id) == {}
    [entry] = logs(client, type_id)["data"]
    [error] = entry["attributes"]["errors"]
    assert (error["code"], error["property"]) == (code, "value")


@pytest.mark.parametrize(
    ("record", "code", "prop", "invalid_value", "record_id"),
    [
        ({"name": "Rex"}, "missing", "$['id']", None, None),
        ({"id": True, "name": "Rex"}, "string_type", "$['id']", "true", None),
        ({"id": "p1", "name": 5}, "string_type", "name", "5", "p1"),
        ({"id": "p1", "name": "Rex", "age": "old"}, "int_parsing", "age", '"old"', "p1"),
        ({"id": "p1", "name": "Rex", "age": 1.5}, "int_from_float", "age", "1.5", "p1"),
        ({"id": "p1", "age": 3}, "missing", "name", None, "p1"),
    ],
    ids=["no-id", "id-not-text", "wrong-type", "not-a-number", "fraction", "required-missing"],
)
def test_a_record_that_fails_is_a_log_entry_with_its_error(
    client, record, code, prop, invalid_value, record_id
):
    source, type_id = pets(client)
    send(client, source, record)
    assert object_records(client, type_id) == {}
    answer = logs(client, type_id, "?include=object-type,object-record")
    [entry] = answer["data"]
    attributes = entry["attributes"]
    assert (attributes["status"], attributes["event_type"]) == ("error", "validation_error")
    assert attributes["errors"] == [
        {
            "code": code,
            "message": attributes["errors"][0]["message"],
            "property": prop,
            "invalid_value": invalid_value,
        }
    ]
    assert attributes["summary"].startswith("1 validation error for")
    relationships = entry["relationships"]
    assert relationships["object-type"]["data"] == {"type": "object-type", "id": type_id}
    linked = relationships["object-record"].get("data")
    assert linked == (
        None if record_id is None else {"type": "object-record", "id": f"{type_id}:::{record_id}"}
    )
    assert [(i["type"], i["id"]) for i in answer["included"]] == [("object-type", type_id)]


def test_a_failed_update_leaves_the_object_record_as_it_was(client):
    source, type_id = pets(client)
    send(
        client,
        source,
        {"id": "p1", "name": "Rex", "age": 4},
        {"id": "p1", "name": "Rex", "age": "x"},
    )
    assert object_records(client, type_id) == {"p1": {"name": "Rex", "age": 4}}
    [entry] = logs(client, type_id, "?include=object-record")["data"]
    assert entry["attributes"]["summary"] == "1 validation error for p1"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["c", "b", "a"]),
        ("?filter=equals(record_id,'b')", ["b"]),
        ("?filter=equals(record_id,'{type}:::a')", ["a"]),
        ("?filter=equals(status,'error')", ["c", "b", "a"]),
        ("?filter=any(status,['info','warning'])", []),
        ("?filter=equals(event_type,'validation_error')", ["c", "b", "a"]),
        ("?filter=greater-or-equal(timestamp,2000-01-01T00:00:00Z)", ["c", "b", "a"]),
        ("?filter=less-than(timestamp,2000-01-01T00:00:00Z)", []),
    ],
    ids=[
        "newest-first",
        "record-id",
        "compound-record-id",
        "status",
        "status-any",
        "event-type",
        "since",
        "before",
    ],
)
def test_ingestion_logs_are_newest_first_and_filtered(client, query, expected):
    source, type_id = pets(client)
    for name in ("a", "b", "c"):
        send(client, source, {"id": name, "age": 1})
    found = logs(client, type_id, query.replace("{type}", type_id))["data"]
    assert [
        e["relationships"]["object-record"]["data"]["id"].split(":::")[1] for e in found
    ] == expected
    linkage = ids(
        client,
        f"/api/object-types/{type_id}/relationships/object-ingestion-logs{query.replace('{type}', type_id)}",
    )
    assert linkage == [e["id"] for e in found]


def test_ingestion_logs_come_fifty_to_a_page(client):
    source, type_id = pets(client)
    send(client, source, *({"id": f"r{i}", "age": i} for i in range(55)))
    first = logs(client, type_id)
    assert len(first["data"]) == 50
    second = read(client, first["links"]["next"].replace("http://localhost", ""))
    assert len(second["data"]) == 5 and "next" not in second["links"]
    shown = [
        e["relationships"]["object-record"]["data"]["id"] for e in first["data"] + second["data"]
    ]
    assert shown == [f"{type_id}:::r{i}" for i in reversed(range(55))]


def test_ingestion_logs_are_kept_fourteen_days(client, klaviyo, monkeypatch):
    source, type_id = pets(client)
    send(client, source, {"id": "p1"})
    later = datetime.now(UTC) + timedelta(days=14, minutes=1)
    monkeypatch.setattr(klaviyo, "clock", lambda: later)
    assert logs(client, type_id)["data"] == []
    send(client, source, {"id": "p2"})
    assert len(logs(client, type_id)["data"]) == 1


# -- object types and schemas -----------------------------------------------------------------


def test_a_new_object_type_has_a_draft_schema_and_an_empty_source_mapping(client):
    type_id = make_type(client, "Reservation", description="Tables", visibility="shared")
    shown = read(client, f"/api/object-types/{type_id}?include=draft-schema,current-schema")
    attributes = shown["data"]["attributes"]
    assert (attributes["title"], attributes["status"]) == ("Reservation", "draft")
    assert attributes["namespace"] == "custom-objects"
    [draft] = shown["included"]
    assert draft["attributes"]["status"] == "draft"
    assert draft["attributes"]["properties"] == [] and draft["attributes"]["visibility"] == "shared"
    assert draft["attributes"]["description"] == "Tables"
    assert read(client, f"/api/object-types/{type_id}/current-schema")["data"] is None
    assert schema_of(client, type_id, "current") is None
    assert ids(client, f"/api/object-types/{type_id}/schema-versions") == [draft["id"]]
    mapping = read(client, f"/api/object-schemas/{draft['id']}/source-mapping")["data"]
    assert mapping["attributes"] == {"property_mappings": [], "relationship_mappings": []}
    again = read(client, f"/api/source-mappings/{mapping['id']}")["data"]
    assert again["attributes"] == mapping["attributes"]
    link = read(client, f"/api/object-schemas/{draft['id']}/relationships/source-mapping")["data"]
    assert link == {"type": "source-mapping", "id": mapping["id"]}


def test_activating_a_schema_makes_it_current_and_retires_the_one_before(client):
    _, type_id = pets(client)
    first = schema_of(client, type_id, "current")
    second = make_schema(client, type_id, title="Pet v2")
    assert schema_of(client, type_id, "draft") == second
    assert read(client, f"/api/object-types/{type_id}")["data"]["attributes"]["status"] == "active"
    body = {"data": {"type": "object-schema", "id": second, "attributes": {"status": "active"}}}
    answer = _ok(current(client, "PATCH", f"/api/object-schemas/{second}", body), 200)
    assert answer["data"]["attributes"]["published_at"] is not None
    assert schema_of(client, type_id, "current") == second
    assert schema_of(client, type_id, "draft") is None
    versions = read(client, f"/api/object-types/{type_id}/schema-versions")["data"]
    assert [(v["id"], v["attributes"]["status"]) for v in versions] == [
        (first, "undefined"),
        (second, "active"),
    ]
    assert ids(client, f"/api/object-types/{type_id}/relationships/schema-versions") == [
        first,
        second,
    ]


def test_a_type_may_have_several_drafts_and_shows_the_newest(client):
    type_id = make_type(client)
    generated = schema_of(client, type_id, "draft")
    made = make_schema(client, type_id)
    assert schema_of(client, type_id, "draft") == made
    assert ids(client, f"/api/object-types/{type_id}/relationships/schema-versions") == [
        generated,
        made,
    ]
    assert (
        read(client, f"/api/object-schemas/{generated}")["data"]["attributes"]["status"] == "draft"
    )


def test_a_schemas_title_and_description_are_its_types(client):
    type_id = make_type(client, "Pet")
    generated = schema_of(client, type_id, "draft")
    made = make_schema(client, type_id, title="Animal", description="Four legs")
    shown = read(client, f"/api/object-types/{type_id}")["data"]["attributes"]
    assert (shown["title"], shown["description"]) == ("Animal", "Four legs")
    body = {"data": {"type": "object-schema", "id": made, "attributes": {"title": "Beast"}}}
    _ok(current(client, "PATCH", f"/api/object-schemas/{made}", body), 200)
    for schema in (generated, made):
        assert (
            read(client, f"/api/object-schemas/{schema}")["data"]["attributes"]["title"] == "Beast"
        )


def test_object_types_are_listed_and_filtered_by_namespace(client):
    app_space = "applications/01K5YKKQKM819VVGCPZZKGE6D4"
    ours, theirs = make_type(client, "Ours"), make_type(client, "Theirs", namespace=app_space)
    assert ids(client, "/api/object-types") == [ours, theirs]
    assert ids(client, f"/api/object-types?filter=equals(namespace,'{app_space}')") == [theirs]
    listed = read(client, "/api/object-types?include=draft-schema")
    assert len(listed["included"]) == 2


@pytest.mark.parametrize(
    ("attributes", "status"),
    [
        ({"status": "active"}, 200),
        ({}, 200),
        ({"title": "New"}, 400),
        ({"properties": PROPS[:1]}, 400),
        ({"required": []}, 400),
        ({"status": "draft"}, 400),
    ],
    ids=["activate-again", "nothing", "title", "properties", "required", "back-to-draft"],
)
def test_only_a_draft_schema_changes(client, attributes, status):
    _, type_id = pets(client)
    active = schema_of(client, type_id, "current")
    body = {"data": {"type": "object-schema", "id": active, "attributes": attributes}}
    answer = current(client, "PATCH", f"/api/object-schemas/{active}", body)
    assert answer.status_code == status
    if status == 400:
        [name] = attributes
        assert answer.json["errors"][0]["source"]["pointer"] == f"/data/attributes/{name}"
    assert (
        read(client, f"/api/object-schemas/{active}")["data"]["attributes"]["properties"] == SHOWN
    )


def test_changing_a_drafts_properties_drops_the_mappings_of_those_it_loses(client):
    source = make_source(client)
    type_id = make_type(client, schema=embedded(mappings=mapped(source), status=None))
    draft = schema_of(client, type_id, "draft")
    body = {"data": {"type": "object-schema", "id": draft, "attributes": {"properties": PROPS[:1]}}}
    shown = _ok(current(client, "PATCH", f"/api/object-schemas/{draft}", body), 200)["data"]
    assert shown["attributes"]["properties"] == SHOWN[:1]
    mapping = read(client, f"/api/object-schemas/{draft}/source-mapping")["data"]
    assert [m["id"] for m in mapping["attributes"]["property_mappings"]] == [1]


def test_a_source_mapping_is_changed_member_by_member(client):
    source, type_id = pets(client)
    schema = schema_of(client, type_id, "current")
    mapping_id = read(client, f"/api/object-schemas/{schema}/relationships/source-mapping")["data"][
        "id"
    ]
    change = [simple(1, source, "$.title")]
    body = {
        "data": {
            "type": "source-mapping",
            "id": mapping_id,
            "attributes": {"property_mappings": change},
        }
    }
    shown = _ok(current(client, "PATCH", f"/api/source-mappings/{mapping_id}", body), 200)["data"]
    assert shown["attributes"]["property_mappings"] == change
    assert shown["attributes"]["relationship_mappings"] == []
    send(client, source, {"id": "p1", "title": "Rex", "name": "ignored"})
    assert object_records(client, type_id) == {"p1": {"name": "Rex"}}
    body["data"]["attributes"] = {"property_mappings": None}
    _ok(current(client, "PATCH", f"/api/source-mappings/{mapping_id}", body), 200)
    assert (
        read(client, f"/api/source-mappings/{mapping_id}")["data"]["attributes"][
            "property_mappings"
        ]
        == []
    )


# -- relationships --------------------------------------------------------------------------------


def two_schemas(client: FlaskClient) -> tuple[str, str, str, str]:
    """A pet type (active) and an owner type (a draft): their ids and schemas."""
    _, pet = pets(client)
    owner = make_type(client, "Pet Owner")
    return (
        pet,
        schema_of(client, pet, "current") or "",
        owner,
        schema_of(client, owner, "draft") or "",
    )


def relate(
    client: FlaskClient,
    schema: str,
    *entries: dict[str, Any],
    profile: bool = False,
    method: str = "POST",
) -> Any:
    which = "profile-object-schemas" if profile else "object-schemas"
    data: Any = list(entries) if method != "PATCH" else entries[0]
    return current(
        client, method, f"/api/object-schemas/{schema}/relationships/{which}", {"data": data}
    )


def entry(schema: str, name: str | None = None, **meta: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "object-schema", "id": schema}
    if name is not None:
        meta["name"] = name
    if meta:
        found["meta"] = meta
    return found


def profile_entry(name: str | None = None, **meta: Any) -> dict[str, Any]:
    found = entry("profile", name, **meta)
    found["type"] = "profile-object-schema"
    return found


def test_a_relationship_shows_on_both_schemas_and_on_their_types(client):
    pet, pet_schema, owner, owner_schema = two_schemas(client)
    _ok(relate(client, owner_schema, entry(pet_schema, "pets", description="Animals")), 204)
    _ok(relate(client, owner_schema, profile_entry("owner"), profile=True), 204)
    base = f"/api/object-schemas/{owner_schema}/relationships"
    assert ids(client, f"{base}/object-schemas") == [f"{pet_schema}:::pets"]
    assert ids(client, f"{base}/profile-object-schemas") == ["profile:::owner"]
    assert ids(client, f"/api/object-schemas/{pet_schema}/relationships/object-schemas") == [
        f"{owner_schema}:::pets"
    ]
    assert ids(client, f"/api/object-types/{owner}/relationships/object-types") == [f"{pet}:::pets"]
    assert ids(client, f"/api/object-types/{pet}/relationships/object-types") == [f"{owner}:::pets"]
    assert ids(client, f"/api/object-types/{owner}/relationships/profile-object-types") == [
        "profile:::owner"
    ]
    shown = read(
        client, f"/api/object-schemas/{owner_schema}?include=object-schemas,profile-object-schemas"
    )
    metas = {i["id"]: i["attributes"]["meta"] for i in shown["included"]}
    assert metas[f"{pet_schema}:::pets"]["description"] == "Animals"
    assert metas["profile:::owner"]["name"] == "owner"
    typed = read(client, f"/api/object-types/{owner}?include=object-types,profile-object-types")
    assert {(i["type"], i["id"]) for i in typed["included"]} == {
        ("object-type", f"{pet}:::pets"),
        ("profile-object-type", "profile:::owner"),
    }
    assert _ok(current(client, "GET", f"/api/object-types/{pet}:::pets"), 404) is not None


def test_relationships_made_without_a_name_are_named_after_the_other_type(client):
    _, pet_schema, _, owner_schema = two_schemas(client)
    _ok(relate(client, owner_schema, entry(pet_schema), entry(pet_schema)), 204)
    _ok(relate(client, owner_schema, profile_entry(), profile=True), 204)
    base = f"/api/object-schemas/{owner_schema}/relationships"
    assert ids(client, f"{base}/object-schemas") == [f"{pet_schema}:::pet", f"{pet_schema}:::pet_2"]
    assert ids(client, f"{base}/profile-object-schemas") == ["profile:::profile"]


def relationship_id(client: FlaskClient, schema: str, name: str) -> str:
    shown = read(
        client, f"/api/object-schemas/{schema}?include=object-schemas,profile-object-schemas"
    )
    return next(
        i["attributes"]["meta"]["relationship_id"]
        for i in shown["included"]
        if i["attributes"]["meta"]["name"] == name
    )


def test_a_relationship_is_renamed_and_removed(client):
    _, pet_schema, _, owner_schema = two_schemas(client)
    _ok(relate(client, owner_schema, entry(pet_schema, "pets"), entry(pet_schema, "best")), 204)
    chosen = relationship_id(client, owner_schema, "pets")
    renamed = entry(pet_schema, "animals", relationship_id=chosen, description="All")
    _ok(relate(client, owner_schema, renamed, method="PATCH"), 204)
    base = f"/api/object-schemas/{owner_schema}/relationships/object-schemas"
    assert ids(client, base) == [f"{pet_schema}:::animals", f"{pet_schema}:::best"]
    _ok(
        relate(client, owner_schema, entry(pet_schema, relationship_id=chosen), method="DELETE"),
        204,
    )
    assert ids(client, base) == [f"{pet_schema}:::best"]
    _ok(relate(client, owner_schema, entry(pet_schema), method="PATCH"), 204)  # the only one
    assert ids(client, base) == [f"{pet_schema}:::best"]
    _ok(relate(client, owner_schema, entry(pet_schema), method="DELETE"), 204)
    assert ids(client, base) == []
    _ok(relate(client, owner_schema, entry(pet_schema), method="DELETE"), 204)  # nothing left


def test_removing_a_relationship_drops_the_mappings_that_use_it(client):
    _, pet_schema, _, owner_schema = two_schemas(client)
    _ok(relate(client, owner_schema, entry(pet_schema, "pets")), 204)
    chosen = relationship_id(client, owner_schema, "pets")
    mapping_id = read(client, f"/api/object-schemas/{owner_schema}/relationships/source-mapping")[
        "data"
    ]["id"]
    rule = {
        "relationship_id": chosen,
        "type": "simple",
        "source": {
            "source_id": make_source(client, "Links"),
            "type": "custom-object",
            "id_path": "$.id",
            "related_id_path": "$.pet",
        },
    }
    body = {
        "data": {
            "type": "source-mapping",
            "id": mapping_id,
            "attributes": {"relationship_mappings": [rule]},
        }
    }
    shown = _ok(current(client, "PATCH", f"/api/source-mappings/{mapping_id}", body), 200)
    assert (
        shown["data"]["attributes"]["relationship_mappings"][0]["source"]["update_strategy"]
        == "replace_from_origin"
    )
    _ok(relate(client, owner_schema, entry(pet_schema), method="DELETE"), 204)
    assert (
        read(client, f"/api/source-mappings/{mapping_id}")["data"]["attributes"][
            "relationship_mappings"
        ]
        == []
    )


# -- deletes --------------------------------------------------------------------------------------


def test_deleting_an_object_type_takes_its_schemas_records_logs_and_relationships(client):
    source, pet = pets(client)
    owner = make_type(client, "Owner")
    owner_schema = schema_of(client, owner, "draft") or ""
    pet_schema = schema_of(client, pet, "current") or ""
    mapping_id = read(client, f"/api/object-schemas/{pet_schema}/relationships/source-mapping")[
        "data"
    ]["id"]
    _ok(relate(client, owner_schema, entry(pet_schema, "pets")), 204)
    send(client, source, {"id": "p1", "name": "Rex"}, {"id": "p2"})
    _ok(current(client, "DELETE", f"/api/object-types/{pet}"), 204)
    for path in (
        f"/api/object-types/{pet}",
        f"/api/object-schemas/{pet_schema}",
        f"/api/source-mappings/{mapping_id}",
        f"/api/object-records/{pet}:::p1",
        f"/api/object-types/{pet}/object-ingestion-logs",
    ):
        assert current(client, "GET", path).status_code == 404, path
    assert ids(client, f"/api/object-schemas/{owner_schema}/relationships/object-schemas") == []
    assert ids(client, "/api/object-types") == [owner]


def test_a_data_source_a_mapping_reads_is_not_deleted(client):
    source, type_id = pets(client)
    answer = current(client, "DELETE", f"/api/data-sources/{source}")
    assert answer.status_code == 409
    assert read(client, f"/api/data-sources/{source}")["data"]["id"] == source
    send(client, source, {"id": "p1", "name": "Rex"})
    _ok(current(client, "DELETE", f"/api/object-types/{type_id}"), 204)
    _ok(current(client, "DELETE", f"/api/data-sources/{source}"), 204)
    assert current(client, "GET", f"/api/data-sources/{source}").status_code == 404


def held(client: FlaskClient) -> list[Any]:
    """What the data sources hold (the admin API's state dump)."""
    resources = client.get("/__mock__/state").json["accounts"]["default"]["resources"]
    return [row["attributes"] for row in resources.get("data-source-record", [])]


def test_deleting_a_data_source_drops_the_records_it_held(client):
    gone, kept = make_source(client, "Gone"), make_source(client, "Kept")
    send(client, gone, {"id": "p1", "name": "Rex"})
    send(client, kept, {"id": "p2", "name": "Tom"})
    _ok(current(client, "DELETE", f"/api/data-sources/{gone}"), 204)
    assert held(client) == [{"data_source": kept, "record": {"id": "p2", "name": "Tom"}}]


def test_object_records_are_deleted_in_bulk(client):
    source, type_id = pets(client)
    send(client, source, {"id": "p1", "name": "Rex"}, {"id": "p2", "name": "Tom"})
    wanted = [{"type": "object-record", "id": f"{type_id}:::{i}"} for i in ("p1", "gone")]
    body = {
        "data": {
            "type": "object-record-bulk-delete-job",
            "relationships": {"object-records": {"data": wanted}},
        }
    }
    _ok(current(client, "POST", "/api/object-record-bulk-delete-jobs", body), 202)
    assert object_records(client, type_id) == {"p2": {"name": "Tom"}}


def test_the_state_dump_shows_what_data_sources_hold_and_schema_relationships(client):
    _, pet_schema, _, owner_schema = two_schemas(client)
    _ok(relate(client, owner_schema, entry(pet_schema, "pets")), 204)
    source = make_source(client, "Raw")
    send(client, source, {"id": "p1"})
    assert held(client) == [{"data_source": source, "record": {"id": "p1"}}]
    resources = client.get("/__mock__/state").json["accounts"]["default"]["resources"]
    [relation] = resources["object-schema-relationship"]
    assert relation["attributes"]["name"] == "pets"


# -- data sources --------------------------------------------------------------------------------


def test_a_data_source_takes_klaviyos_defaults_and_is_listed(client):
    first = make_source(client, "A")
    second = make_source(client, "B", visibility="shared", description="Bee", namespace=None)
    shown = read(client, f"/api/data-sources/{first}")["data"]["attributes"]
    assert shown == {
        "title": "A",
        "visibility": "private",
        "description": "",
        "namespace": "custom-objects",
    }
    page = read(client, "/api/data-sources?page[size]=1")
    assert [d["id"] for d in page["data"]] == [first]
    rest = read(client, page["links"]["next"].replace("http://localhost", ""))
    assert [d["id"] for d in rest["data"]] == [second]
    assert rest["data"][0]["attributes"]["visibility"] == "shared"


# -- bad input ------------------------------------------------------------------------------------


@dataclass
class World:
    """What a bad input is tried against: an active pet schema (mapping ``source``), an owner
    draft related to it twice, an object record."""

    source: str
    pet: str
    pet_schema: str
    mapping: str
    owner_schema: str
    owner_mapping: str
    relationship: str
    profile_relationship: str


@pytest.fixture
def world(client: FlaskClient) -> World:
    source, pet = pets(client)
    pet_schema = schema_of(client, pet, "current") or ""
    mapping = read(client, f"/api/object-schemas/{pet_schema}/relationships/source-mapping")[
        "data"
    ]["id"]
    owner = make_type(client, "Owner")
    owner_schema = schema_of(client, owner, "draft") or ""
    _ok(relate(client, owner_schema, entry(pet_schema, "pets"), entry(pet_schema, "best")), 204)
    _ok(relate(client, owner_schema, profile_entry("owner"), profile=True), 204)
    send(client, source, {"id": "p1", "name": "Rex"})
    owner_mapping = read(
        client, f"/api/object-schemas/{owner_schema}/relationships/source-mapping"
    )["data"]["id"]
    return World(
        source,
        pet,
        pet_schema,
        mapping,
        owner_schema,
        owner_mapping,
        relationship_id(client, owner_schema, "pets"),
        relationship_id(client, owner_schema, "owner"),
    )


def snapshot(client: FlaskClient) -> Any:
    """Everything the family's reads show."""
    seen: list[Any] = [read(client, "/api/data-sources?page[size]=100")["data"]]
    for kind in read(client, "/api/object-types")["data"]:
        base = f"/api/object-types/{kind['id']}"
        seen += [
            kind,
            read(client, f"{base}/object-records?page[size]=100")["data"],
            logs(client, kind["id"])["data"],
        ]
        for schema in read(client, f"{base}/schema-versions")["data"]:
            shown = read(
                client,
                f"/api/object-schemas/{schema['id']}?include=object-schemas,profile-object-schemas,source-mapping",
            )
            seen += [shown["data"], shown.get("included")]
    return seen


def type_body(**attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "object-type", "attributes": {"title": "T", **attributes}}}


def with_schema(**schema: Any) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "POST",
        "/api/object-types",
        type_body(**{"object-schema": embedded(**schema)}),
    )


def with_mapping(*mappings: Any) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "POST",
        "/api/object-types",
        type_body(
            **{"object-schema": embedded(mappings=[m(w) if callable(m) else m for m in mappings])}
        ),
    )


def schema_body(w: World, type_id: str | None, **attributes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "object-schema",
        "attributes": {"title": "S", "properties": PROPS, **attributes},
    }
    if type_id is not None:
        data["relationships"] = {"object-type": {"data": {"type": "object-type", "id": type_id}}}
    return {"data": data}


def patch_schema(
    schema: Callable[[World], str], **attributes: Any
) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "PATCH",
        f"/api/object-schemas/{schema(w)}",
        {"data": {"type": "object-schema", "id": schema(w), "attributes": attributes}},
    )


def patch_mapping(**attributes: Any) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "PATCH",
        f"/api/source-mappings/{w.mapping}",
        {
            "data": {
                "type": "source-mapping",
                "id": w.mapping,
                "attributes": {k: v(w) if callable(v) else v for k, v in attributes.items()},
            }
        },
    )


def patch_owner_mapping(rules: Callable[[World], Any]) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "PATCH",
        f"/api/source-mappings/{w.owner_mapping}",
        {
            "data": {
                "type": "source-mapping",
                "id": w.owner_mapping,
                "attributes": {"relationship_mappings": rules(w)},
            }
        },
    )


def to_pets(w: World) -> dict[str, Any]:
    source = {
        "source_id": w.source,
        "type": "custom-object",
        "id_path": "$['id']",
        "related_id_path": "$.pet",
    }
    return {"relationship_id": w.relationship, "type": "simple", "source": source}


def to_profile(w: World, paths: list[Any]) -> dict[str, Any]:
    source = {
        "source_id": w.source,
        "type": "profile",
        "id_path": "$['id']",
        "related_id_paths": paths,
    }
    return {"relationship_id": w.profile_relationship, "type": "simple", "source": source}


def owner_links(
    method: str, data: Callable[[World], Any], profile: bool = False
) -> Callable[[World], tuple[str, str, Any]]:
    which = "profile-object-schemas" if profile else "object-schemas"
    return lambda w: (
        method,
        f"/api/object-schemas/{w.owner_schema}/relationships/{which}",
        {"data": data(w)},
    )


def bulk_delete(*record_ids: Callable[[World], str]) -> Callable[[World], tuple[str, str, Any]]:
    return lambda w: (
        "POST",
        "/api/object-record-bulk-delete-jobs",
        {
            "data": {
                "type": "object-record-bulk-delete-job",
                "relationships": {
                    "object-records": {
                        "data": [{"type": "object-record", "id": i(w)} for i in record_ids]
                    }
                },
            }
        },
    )


def big(size: int) -> dict[str, Any]:
    return {"id": "big", "blob": "x" * size}


RECORD_AT = "/data/attributes/data-source-records/data"
SINGLE_AT = "/data/attributes/data-source-record/data/attributes/record"
MAPPING_AT = "/data/attributes/object-schema/data/attributes/source-mapping/data/attributes/property_mappings"
EMBEDDED_AT = "/data/attributes/object-schema/data/attributes"
RELATION_RULE = "/data/attributes/relationship_mappings/0"

BAD: list[tuple[str, Callable[[World], tuple[str, str, Any]], int, str]] = [
    # data sources
    (
        "source-title-blank",
        lambda w: (
            "POST",
            "/api/data-sources",
            {"data": {"type": "data-source", "attributes": {"title": " "}}},
        ),
        400,
        "/data/attributes/title",
    ),
    (
        "source-title-long",
        lambda w: (
            "POST",
            "/api/data-sources",
            {"data": {"type": "data-source", "attributes": {"title": "x" * 256}}},
        ),
        400,
        "/data/attributes/title",
    ),
    (
        "source-namespace",
        lambda w: (
            "POST",
            "/api/data-sources",
            {"data": {"type": "data-source", "attributes": {"title": "N", "namespace": "mine"}}},
        ),
        400,
        "/data/attributes/namespace",
    ),
    (
        "source-title-taken",
        lambda w: (
            "POST",
            "/api/data-sources",
            {"data": {"type": "data-source", "attributes": {"title": "Pets"}}},
        ),
        409,
        "/data/",
    ),
    ("source-in-use", lambda w: ("DELETE", f"/api/data-sources/{w.source}", None), 409, "/data/"),
    # object types and their embedded schema
    (
        "type-title-blank",
        lambda w: ("POST", "/api/object-types", type_body(title="")),
        400,
        "/data/attributes/title",
    ),
    (
        "type-namespace",
        lambda w: ("POST", "/api/object-types", type_body(namespace="applications/x")),
        400,
        "/data/attributes/namespace",
    ),
    (
        "property-id-zero",
        with_schema(props=[{"id": 0, "name": "a", "type": "int"}], required=[]),
        400,
        f"{EMBEDDED_AT}/properties/0/id",
    ),
    (
        "property-id-twice",
        with_schema(props=[PROPS[0], {**PROPS[1], "id": 1}]),
        400,
        f"{EMBEDDED_AT}/properties/1/id",
    ),
    (
        "property-name-twice",
        with_schema(props=[PROPS[0], {**PROPS[1], "name": "name"}]),
        400,
        f"{EMBEDDED_AT}/properties/1/name",
    ),
    (
        "property-name-blank",
        with_schema(props=[{**PROPS[0], "name": " "}], required=[]),
        400,
        f"{EMBEDDED_AT}/properties/0/name",
    ),
    ("required-unknown", with_schema(required=["colour"]), 400, f"{EMBEDDED_AT}/required/0"),
    (
        "mapping-property-unknown",
        with_mapping(lambda w: simple(9, w.source, "$.x")),
        404,
        f"{MAPPING_AT}/0/id",
    ),
    (
        "mapping-property-twice",
        with_mapping(lambda w: simple(1, w.source, "$.x"), lambda w: simple(1, w.source, "$.y")),
        400,
        f"{MAPPING_AT}/1/id",
    ),
    (
        "mapping-source-unknown",
        with_mapping(simple(1, "01JT8ZFT0RD24A0XPXQVNBBB04", "$.x")),
        404,
        f"{MAPPING_AT}/0/source/source_id",
    ),
    (
        "mapping-id-path",
        with_mapping(lambda w: simple(1, w.source, "$.x", id_path="id")),
        400,
        f"{MAPPING_AT}/0/source/id_path",
    ),
    (
        "mapping-data-path",
        with_mapping(lambda w: simple(1, w.source, "$..x")),
        400,
        f"{MAPPING_AT}/0/source/data_path",
    ),
    (
        "mapping-two-id-paths",
        with_mapping(
            lambda w: simple(1, w.source, "$.x"),
            lambda w: simple(2, w.source, "$.y", id_path="$.key"),
        ),
        400,
        f"{MAPPING_AT}/1/source/id_path",
    ),
    (
        "mapping-constant-type",
        with_mapping({"id": 2, "type": "constant", "value": "old"}),
        400,
        f"{MAPPING_AT}/0/value",
    ),
    # object schemas
    (
        "schema-without-type",
        lambda w: ("POST", "/api/object-schemas", schema_body(w, None)),
        400,
        "/data/relationships/object-type",
    ),
    (
        "schema-type-unknown",
        lambda w: ("POST", "/api/object-schemas", schema_body(w, "01K5YKKQKM819VVGCPZZKGE6D4")),
        404,
        "/data/relationships/object-type/data/id",
    ),
    (
        "schema-title-blank",
        lambda w: ("POST", "/api/object-schemas", schema_body(w, w.pet, title=" ")),
        400,
        "/data/attributes/title",
    ),
    (
        "schema-id-mismatch",
        lambda w: (
            "PATCH",
            f"/api/object-schemas/{w.owner_schema}",
            {"data": {"type": "object-schema", "id": w.pet_schema, "attributes": {}}},
        ),
        400,
        "/data/id",
    ),
    (
        "schema-unknown",
        patch_schema(lambda w: "01K61DKJ7EKJ0ES9VE456XF5JG", title="X"),
        404,
        "/data/",
    ),
    (
        "schema-required-unknown",
        patch_schema(lambda w: w.owner_schema, required=["colour"]),
        400,
        "/data/attributes/required/0",
    ),
    (
        "schema-not-a-draft",
        patch_schema(lambda w: w.pet_schema, properties=PROPS[:1]),
        400,
        "/data/attributes/properties",
    ),
    (
        "schema-by-relationship-id",
        lambda w: ("GET", f"/api/object-schemas/{w.pet_schema}:::pets", None),
        404,
        "/data/",
    ),
    (
        "type-by-relationship-id",
        lambda w: ("GET", f"/api/object-types/{w.pet}:::pets", None),
        404,
        "/data/",
    ),
    # source mappings
    (
        "mapping-update-property-unknown",
        patch_mapping(property_mappings=lambda w: [simple(7, w.source, "$.x")]),
        404,
        "/data/attributes/property_mappings/0/id",
    ),
    (
        "mapping-relationship-unknown",
        patch_mapping(
            relationship_mappings=lambda w: [
                {
                    "relationship_id": "01K97SE7GH4TE57FVNQY310QAK",
                    "type": "simple",
                    "source": {
                        "source_id": w.source,
                        "type": "custom-object",
                        "id_path": "$['id']",
                        "related_id_path": "$.o",
                    },
                }
            ]
        ),
        404,
        f"{RELATION_RULE}/relationship_id",
    ),
    (
        "mapping-relationship-kind",
        patch_mapping(
            relationship_mappings=lambda w: [
                {
                    "relationship_id": w.relationship,
                    "type": "simple",
                    "source": {
                        "source_id": w.source,
                        "type": "profile",
                        "id_path": "$['id']",
                        "related_id_paths": [{"identifier_type": "email", "path": "$.email"}],
                    },
                }
            ]
        ),
        400,
        f"{RELATION_RULE}/source/type",
    ),
    (
        "mapping-relationship-path",
        patch_mapping(
            relationship_mappings=lambda w: [
                {
                    "relationship_id": w.relationship,
                    "type": "simple",
                    "source": {
                        "source_id": w.source,
                        "type": "custom-object",
                        "id_path": "$['id']",
                        "related_id_path": "$[*]",
                    },
                }
            ]
        ),
        400,
        f"{RELATION_RULE}/source/related_id_path",
    ),
    (
        "mapping-id-mismatch",
        lambda w: (
            "PATCH",
            f"/api/source-mappings/{w.mapping}",
            {
                "data": {
                    "type": "source-mapping",
                    "id": "01K5HQC66PGHV35SYJC5ZV3DZA",
                    "attributes": {},
                }
            },
        ),
        400,
        "/data/id",
    ),
    (
        "mapping-relationship-twice",
        patch_owner_mapping(lambda w: [to_pets(w), to_pets(w)]),
        400,
        "/data/attributes/relationship_mappings/1/relationship_id",
    ),
    (
        "mapping-profile-no-identifiers",
        patch_owner_mapping(lambda w: [to_profile(w, [])]),
        400,
        f"{RELATION_RULE}/source/related_id_paths",
    ),
    (
        "mapping-profile-identifier-path",
        patch_owner_mapping(
            lambda w: [to_profile(w, [{"identifier_type": "email", "path": "email"}])]
        ),
        400,
        f"{RELATION_RULE}/source/related_id_paths/0/path",
    ),
    (
        "mapping-unknown",
        lambda w: (
            "PATCH",
            "/api/source-mappings/01K5HQC66PGHV35SYJC5ZV3DZA",
            {
                "data": {
                    "type": "source-mapping",
                    "id": "01K5HQC66PGHV35SYJC5ZV3DZA",
                    "attributes": {},
                }
            },
        ),
        404,
        "/data/",
    ),
    # records
    (
        "records-without-source",
        lambda w: (
            "POST",
            "/api/data-source-record-bulk-create-jobs",
            {"data": {**records_body(w.source, {"id": 1})["data"], "relationships": {}}},
        ),
        400,
        "/data/relationships/data-source",
    ),
    (
        "records-source-unknown",
        lambda w: (
            "POST",
            "/api/data-source-record-bulk-create-jobs",
            records_body("01J7C23V8XWMRG13FMD7VZN6GW", {"id": 1}),
        ),
        404,
        "/data/relationships/data-source/data/id",
    ),
    (
        "record-source-unknown",
        lambda w: (
            "POST",
            "/api/data-source-record-create-jobs",
            record_body("01J7C23V8XWMRG13FMD7VZN6GW", {"id": 1}),
        ),
        404,
        "/data/relationships/data-source/data/id",
    ),
    (
        "records-none",
        lambda w: ("POST", "/api/data-source-record-bulk-create-jobs", records_body(w.source)),
        400,
        RECORD_AT,
    ),
    (
        "records-501",
        lambda w: (
            "POST",
            "/api/data-source-record-bulk-create-jobs",
            records_body(w.source, *({"id": i} for i in range(501))),
        ),
        400,
        RECORD_AT,
    ),
    (
        "record-over-512kb",
        lambda w: (
            "POST",
            "/api/data-source-record-bulk-create-jobs",
            records_body(w.source, {"id": 1}, big(512 * 1024)),
        ),
        400,
        f"{RECORD_AT}/1/attributes/record",
    ),
    (
        "single-record-over-512kb",
        lambda w: (
            "POST",
            "/api/data-source-record-create-jobs",
            record_body(w.source, big(512 * 1024)),
        ),
        400,
        SINGLE_AT,
    ),
    (
        "records-over-4mb",
        lambda w: (
            "POST",
            "/api/data-source-record-bulk-create-jobs",
            records_body(w.source, *(big(500 * 1024) for _ in range(9))),
        ),
        413,
        RECORD_AT,
    ),
    # object records
    ("delete-none", bulk_delete(), 400, "/data/relationships/object-records/data"),
    (
        "delete-501",
        lambda w: bulk_delete(*[lambda w, i=i: f"{w.pet}:::{i}" for i in range(501)])(w),
        400,
        "/data/relationships/object-records/data",
    ),
    (
        "delete-malformed-id",
        bulk_delete(lambda w: f"{w.pet}:::p1", lambda w: "p1"),
        400,
        "/data/relationships/object-records/data/1/id",
    ),
    (
        "delete-type-unknown",
        bulk_delete(lambda w: "01K8XV2MM6RFVZT8W61K6CR3ER:::p1"),
        404,
        "/data/relationships/object-records/data/0/id",
    ),
    (
        "records-of-unknown-type",
        lambda w: ("GET", "/api/object-types/01K8XV2MM6RFVZT8W61K6CR3ER/object-records", None),
        404,
        "/data/",
    ),
    (
        "logs-of-unknown-type",
        lambda w: (
            "GET",
            "/api/object-types/01K8XV2MM6RFVZT8W61K6CR3ER/object-ingestion-logs",
            None,
        ),
        404,
        "/data/",
    ),
    # relationships between schemas
    (
        "relate-unknown-schema",
        owner_links("POST", lambda w: [entry("01K5YKKQKM819VVGCPZZKGE6D4", "x")]),
        404,
        "/data/0/id",
    ),
    (
        "relate-profile-id",
        owner_links("POST", lambda w: [{**profile_entry("x"), "id": "person"}], profile=True),
        404,
        "/data/0/id",
    ),
    (
        "relate-name-taken",
        owner_links("POST", lambda w: [entry(w.pet_schema, "pets")]),
        400,
        "/data/0/meta/name",
    ),
    (
        "relate-name-twice",
        owner_links("POST", lambda w: [entry(w.pet_schema, "a"), entry(w.pet_schema, "a")]),
        400,
        "/data/1/meta/name",
    ),
    (
        "relate-name-blank",
        owner_links("POST", lambda w: [entry(w.pet_schema, " ")]),
        400,
        "/data/0/meta/name",
    ),
    (
        "relate-active-schema",
        lambda w: (
            "POST",
            f"/api/object-schemas/{w.pet_schema}/relationships/object-schemas",
            {"data": [entry(w.owner_schema, "x")]},
        ),
        400,
        "/data",
    ),
    (
        "rename-unknown-relationship",
        owner_links(
            "PATCH",
            lambda w: entry(w.pet_schema, "x", relationship_id="01K5YKKQKM819VVGCPZZKGE6D4"),
        ),
        404,
        "/data/meta/relationship_id",
    ),
    (
        "rename-which-relationship",
        owner_links("PATCH", lambda w: entry(w.pet_schema)),
        400,
        "/data/meta/relationship_id",
    ),
    (
        "rename-no-relationship",
        owner_links("PATCH", lambda w: entry(w.owner_schema)),
        404,
        "/data/id",
    ),
    (
        "rename-to-taken-name",
        owner_links("PATCH", lambda w: entry(w.pet_schema, "best", relationship_id=w.relationship)),
        400,
        "/data/meta/name",
    ),
    (
        "rename-name-blank",
        owner_links("PATCH", lambda w: entry(w.pet_schema, " ", relationship_id=w.relationship)),
        400,
        "/data/meta/name",
    ),
    (
        "unrelate-unknown-relationship",
        owner_links(
            "DELETE", lambda w: [entry(w.pet_schema, relationship_id="01K5YKKQKM819VVGCPZZKGE6D4")]
        ),
        404,
        "/data/0/meta/relationship_id",
    ),
]


@pytest.mark.parametrize(
    ("make", "status", "pointer"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_input_is_refused_and_changes_nothing(client, world, make, status, pointer):
    before = snapshot(client)
    method, path, body = make(world)
    answer = current(client, method, path, body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.json["errors"][0]["source"]["pointer"] == pointer
    assert snapshot(client) == before
