"""The custom objects operations with rules (``models`` says which): object types and schemas
made and changed, source mappings changed, records sent to data sources (204: ingestion is
done by the time the call answers), object records deleted (202), a type's records and logs
listed, and the relationships between schemas. Data sources, object records, source mappings
and most relationship reads are generic, through the family's sources."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.generic import get_resource
from ...api.jsonapi import respond
from ...api.jsonapi import self_link
from ...api.render import item_path
from ...domain.filters import Compare
from ...domain.filters import Filter
from ...domain.filters import Logic
from ...domain.jobs import relationships_of
from ...domain.listing import Item
from ...domain.listing import ListQuery
from ...domain.listing import select
from ...domain.ports import Record
from .ingestion import LOG
from .ingestion import LOG_PAGE
from .ingestion import MOST_DELETES
from .ingestion import RECORD
from .ingestion import Ingestion
from .ingestion import check_records
from .ingestion import open_family
from .refusal import Refused
from .relations import Relations
from .schemas import MAPPING
from .schemas import SCHEMA
from .schemas import SEPARATOR
from .schemas import SOURCE
from .schemas import TYPE
from .sources import log_item


def refusals(handler: Handler) -> Handler:
    """The family's refusals as JSON:API errors."""

    @functools.wraps(handler)
    def answer(call: Call) -> Response:
        try:
            return handler(call)
        except Refused as error:
            raise ApiError(error.status, error.detail, pointer=error.pointer) from None

    return answer


def _family(call: Call) -> Ingestion:
    return open_family(call.backend)


def _attributes(call: Call) -> Mapping[str, Any]:
    attributes: Mapping[str, Any] = call.data.get("attributes") or {}
    return attributes


def _one(call: Call, kind: str, item_id: str, status: int = 200) -> Response:
    """One resource, as its source reads it, with the call's sparse fieldsets."""
    source = call.backend.resources.source(kind)
    [item] = source.items([item_id], call.params.additional_of(kind))
    path = item_path(kind, item_id)
    return respond(document(call, kind, [item], many=False, path=path), status)


# -- object types and schemas -----------------------------------------------------------------


@refusals
def create_object_type(call: Call) -> Response:
    type_id = _family(call).objects.create_type(_attributes(call))
    note(f"created object type {type_id} with a schema and its source mapping")
    return _one(call, TYPE, type_id, 201)


def _by_id(call: Call) -> Response:
    """A type or schema by its id (a relationship's compound id names no type or schema)."""
    if SEPARATOR in call.id:
        kind = call.operation.resource_type
        raise ApiError(404, f"No {kind} has the id {call.id}.")
    return get_resource(call)


@refusals
def create_object_schema(call: Call) -> Response:
    linked = relationships_of(call.data).get("object-type")
    type_id = linked if isinstance(linked, str) else None
    schema_id = _family(call).objects.create_schema(type_id, _attributes(call))
    note(f"created object schema {schema_id} of object type {type_id}")
    return _one(call, SCHEMA, schema_id, 201)


@refusals
def update_object_schema(call: Call) -> Response:
    call.same_id()
    _family(call).objects.update_schema(call.id, _attributes(call))
    note(f"updated object schema {call.id}")
    return _one(call, SCHEMA, call.id)


@refusals
def update_source_mapping(call: Call) -> Response:
    call.same_id()
    _family(call).objects.update_mapping(call.id, _attributes(call))
    note(f"updated source mapping {call.id}")
    return _one(call, MAPPING, call.id)


def _schema_of_type(call: Call) -> str | None:
    relationship = call.operation.relationship
    assert relationship is not None
    linked = call.backend.resources.source(TYPE).linked(call.id, relationship)
    return linked if isinstance(linked, str) else None


def schema_of_type(call: Call) -> Response:
    """A type's current or draft schema; ``data`` is null when it has none (the document's
    answer allows it)."""
    schema_id = _schema_of_type(call)
    if schema_id is None:
        path = call.operation.path.replace("{id}", call.id)
        return respond({"data": None, "links": {"self": self_link(path)}})
    source = call.backend.resources.source(SCHEMA)
    items = source.items([schema_id], call.params.additional_of(SCHEMA))
    return respond(document(call, SCHEMA, items, many=False))


def schema_id_of_type(call: Call) -> Response:
    schema_id = _schema_of_type(call)
    data = None if schema_id is None else {"type": SCHEMA, "id": schema_id}
    path = call.operation.path.replace("{id}", call.id)
    return respond({"data": data, "links": {"self": self_link(path)}})


# -- records ------------------------------------------------------------------------------------


def _data_source(call: Call) -> str:
    linked = relationships_of(call.data).get("data-source")
    if not isinstance(linked, str):
        raise Refused(
            400, "Records are sent to a data source: name it.", "/data/relationships/data-source"
        )
    if not call.backend.records.has(SOURCE, linked):
        raise Refused(
            404,
            f"No data source has the id {linked}.",
            "/data/relationships/data-source/data/id",
        )
    return linked


@refusals
def create_data_source_record(call: Call) -> Response:
    at = "/data/attributes/data-source-record"
    record = _attributes(call)["data-source-record"]["data"]["attributes"]["record"]
    check_records([record], at, f"{at}/data/attributes/record")
    source_id = _data_source(call)
    decisions = _family(call).receive(source_id, [record])
    note(f"data source {source_id} received a record", *decisions)
    return respond(None, 204)


@refusals
def bulk_create_data_source_records(call: Call) -> Response:
    at = "/data/attributes/data-source-records/data"
    entries = (_attributes(call).get("data-source-records") or {}).get("data") or []
    records = [entry["attributes"]["record"] for entry in entries]
    check_records(records, at, at + "/{index}/attributes/record")
    source_id = _data_source(call)
    decisions = _family(call).receive(source_id, records)
    note(f"data source {source_id} received {len(records)} records", *decisions)
    return respond(None, 204)


@refusals
def bulk_delete_object_records(call: Call) -> Response:
    at = "/data/relationships/object-records/data"
    entries = call.related("object-records")
    if not 1 <= len(entries) <= MOST_DELETES:
        raise Refused(400, f"Name from 1 to {MOST_DELETES} object records.", at)
    gone = _family(call).delete([str(entry["id"]) for entry in entries], at)
    note(f"deleted {len(gone)} of {len(entries)} object records: {', '.join(gone) or 'none'}")
    return respond(None, 202)


def _rows(call: Call, rows: list[Record], query: ListQuery) -> tuple[list[Record], Any]:
    def field(row: Record, name: str) -> Any:
        if name == "record_id":
            return (row.get("extra") or {}).get("object_record")
        return row["attributes"].get(name)

    return select(rows, query, field, lambda row: [int(row["seq"])])


def _records(call: Call) -> tuple[list[Record], Any]:
    family = _family(call)
    family.objects.get(TYPE, call.id)
    rows = family.records_of(call.id)
    return _rows(call, rows, call.params.listing or ListQuery())


def get_records_for_object_type(call: Call) -> Response:
    rows, next_key = _records(call)
    items = [Item(str(row["id"]), row["attributes"]) for row in rows]
    return respond(document(call, RECORD, items, many=True, next_key=next_key))


def get_record_ids_for_object_type(call: Call) -> Response:
    return _linkage(call, RECORD, "object-records", *_records(call))


def _linkage(
    call: Call, kind: str, relationship: str, rows: list[Record], next_key: Any
) -> Response:
    """A page of an object type's records or logs as relationship linkage."""
    path = f"/api/object-types/{call.id}/relationships/{relationship}"
    data = [{"type": kind, "id": str(row["id"])} for row in rows]
    return respond({"data": data, "links": call.page_links(path, next_key)})


def _compound(expression: Filter | None, type_id: str) -> Filter | None:
    """``record_id`` filters take the record's id or its compound id (*chosen*: the
    document does not say which)."""

    def whole(value: Any) -> Any:
        if isinstance(value, list):
            return [whole(v) for v in value]
        text = str(value)
        return text if SEPARATOR in text else f"{type_id}{SEPARATOR}{text}"

    if isinstance(expression, Logic):
        terms = tuple(_compound(term, type_id) for term in expression.terms)
        return Logic(expression.op, tuple(t for t in terms if t is not None))
    if isinstance(expression, Compare) and expression.field == "record_id":
        return Compare(expression.op, expression.field, whole(expression.value))
    return expression


def _logs(call: Call) -> tuple[list[Record], Any]:
    """Newest first, 50 to a page (the document's words)."""
    family = _family(call)
    family.objects.get(TYPE, call.id)
    asked = call.params.listing or ListQuery()
    query = ListQuery(
        filter=_compound(asked.filter, call.id), descending=True, after=asked.after, size=LOG_PAGE
    )
    return _rows(call, family.logs_of(call.id), query)


def get_ingestion_logs_for_object_type(call: Call) -> Response:
    rows, next_key = _logs(call)
    items = [log_item(row) for row in rows]
    return respond(document(call, LOG, items, many=True, next_key=next_key))


def get_ingestion_log_ids_for_object_type(call: Call) -> Response:
    return _linkage(call, LOG, "object-ingestion-logs", *_logs(call))


# -- relationships between schemas -------------------------------------------------------------


def _relations(call: Call) -> Relations:
    profile = call.operation.relationship == "profile-object-schemas"
    return Relations(_family(call).objects, call.id, profile)


@refusals
def add_relationships(call: Call) -> Response:
    made = _relations(call).add(call.data)
    note(*(f"related schema {call.id} to {r.related} as {r.name!r} ({r.id})" for r in made))
    return respond(None, 204)


@refusals
def change_relationship(call: Call) -> Response:
    changed = _relations(call).change(call.data)
    note(f"relationship {changed.id} of schema {call.id} is {changed.name!r}")
    return respond(None, 204)


@refusals
def remove_relationships(call: Call) -> Response:
    gone = _relations(call).remove(call.data)
    note(f"removed {len(gone)} relationships of schema {call.id}")
    return respond(None, 204)


HANDLERS: dict[str, Handler] = {
    "create_object_type": create_object_type,
    "get_object_type": _by_id,
    "get_object_schema": _by_id,
    "create_object_schema": create_object_schema,
    "update_object_schema": update_object_schema,
    "update_source_mapping": update_source_mapping,
    "get_current_schema_for_object_type": schema_of_type,
    "get_draft_schema_for_object_type": schema_of_type,
    "get_current_schema_id_for_object_type": schema_id_of_type,
    "get_draft_schema_id_for_object_type": schema_id_of_type,
    "create_data_source_record": create_data_source_record,
    "bulk_create_data_source_records": bulk_create_data_source_records,
    "bulk_delete_object_records": bulk_delete_object_records,
    "get_records_for_object_type": get_records_for_object_type,
    "get_record_ids_for_object_type": get_record_ids_for_object_type,
    "get_ingestion_logs_for_object_type": get_ingestion_logs_for_object_type,
    "get_ingestion_log_ids_for_object_type": get_ingestion_log_ids_for_object_type,
    "create_object_schema_relationship": add_relationships,
    "update_object_schema_relationship": change_relationship,
    "delete_object_schema_relationship": remove_relationships,
    "create_profile_schema_relationship": add_relationships,
    "update_profile_schema_relationship": change_relationship,
    "delete_profile_schema_relationship": remove_relationships,
}
