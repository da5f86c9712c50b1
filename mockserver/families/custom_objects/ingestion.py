"""Ingestion: data source records in, object records and ingestion logs out.

A record sent to a data source is kept (the overview: data source records are stored, and a
data source may feed several object types) and mapped, at once (*chosen*: Klaviyo queues it),
to every object type whose current schema's source mapping reads that data source (a simple
property mapping with its ``source_id``): the mapping's ``id_path`` gives the record's id, its
property mappings the values, converted to the properties' types (``coerce``). The object
record is ``{object type id}:::{id}`` (the document's example); a record with that id already
is replaced by the new values (the overview: "include the complete object"), except the
properties mapped from other data sources, which keep theirs (*chosen*).

A record that fails (no id, a value of the wrong type, a required property missing) changes no
object record and is an ingestion log entry of its type, with its errors; one that succeeds
logs nothing (the document: "Only ingestion failures are logged"). Logs show for 14 days,
newest first, 50 to a page (the document). Activating a schema maps the records its data
sources hold already, oldest first (*chosen*: the overview's first steps send records before
the object is defined). Relationship mappings are checked when written but link nothing an
answer could show (*chosen*: an object record's answer has no relationships).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from ...domain.backend import Backend
from ...domain.ports import Record
from ...domain.ports import iso_seconds
from ...spec import parse_moment
from . import jsonpath
from .coerce import convert
from .refusal import Refused
from .refusal import invalid
from .refusal import missing
from .schemas import MAPPING
from .schemas import SCHEMA
from .schemas import SEPARATOR
from .schemas import TYPE
from .schemas import Objects

RECORD = "object-record"
LOG = "object-ingestion-log"
#: The records a data source holds, kept by the family (no type of the document).
RAW = "data-source-record"
#: SPEC bulk_create_data_source_records: "up to 500 records per request. The maximum allowed
#: payload size is 4MB. The maximum allowed payload size per-record is 512KB."
MOST_RECORDS = 500
BATCH_BYTES = 4 * 1024 * 1024
RECORD_BYTES = 512 * 1024
#: SPEC bulk_delete_object_records: "up to 500 object record IDs per request".
MOST_DELETES = 500
#: SPEC get_ingestion_logs_for_object_type: "retained for 14 days", "a fixed page size of 50".
LOG_DAYS = 14
LOG_PAGE = 50


class Target(NamedTuple):
    """How one object type maps the records of one data source."""

    type_id: str
    properties: list[dict[str, Any]]
    required: list[str]
    id_path: str
    simple: list[tuple[dict[str, Any], str]]  # property, data path
    constants: list[tuple[dict[str, Any], Any]]  # property, value


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def check_records(records: Sequence[Any], at: str, record_at: str) -> None:
    """The limits of a call that sends records (``at``: where they are in the body;
    ``record_at``: where a record is, under an entry)."""
    if not 1 <= len(records) <= MOST_RECORDS:
        raise invalid(f"Send from 1 to {MOST_RECORDS} records.", at)
    total = 0
    for index, record in enumerate(records):
        size = _size(record)
        if size > RECORD_BYTES:
            raise invalid(
                f"A record is at most {RECORD_BYTES // 1024}KB; this one is {size} bytes.",
                record_at.format(index=index),
            )
        total += size
    if total > BATCH_BYTES:
        raise Refused(413, f"The records are at most 4MB together; these are {total} bytes.", at)


class Ingestion:
    """Records in, object records and logs out (see the module docstring)."""

    def __init__(self, backend: Backend, objects: Objects) -> None:
        self._b = backend
        self.objects = objects

    # -- records in -------------------------------------------------------------------------

    def receive(self, source_id: str, records: Sequence[Any]) -> list[str]:
        """Keep and map records sent to a data source; what became of each."""
        decisions: list[str] = []
        with self.objects.locked():
            targets = self._targets(source_id)
            for record in records:
                held = {"data_source": source_id, "record": record}
                self.objects.keep(RAW, self._b.ids.ulid(), held)
                decisions.extend(self._ingest(target, record) for target in targets)
        return decisions

    def replay(self, schema_id: str) -> None:
        """Map the records a newly active schema's data sources hold already."""
        type_id = self.objects.type_of(schema_id)
        targets = {}
        for source_id in sorted(self.objects.sources_of(schema_id)):
            target = self._target(type_id, schema_id, source_id)
            if target is not None:
                targets[source_id] = target
        records = self.objects.records()
        held = [
            row
            for source_id in targets
            for i in records.find(RAW, "data_source", source_id)
            if (row := records.get(RAW, i)) is not None
        ]
        for row in sorted(held, key=lambda r: int(r["seq"])):
            attributes = row["attributes"]
            self._ingest(targets[attributes["data_source"]], attributes["record"])

    def _targets(self, source_id: str) -> list[Target]:
        found = []
        for row in self.objects.records().scan(TYPE):
            current = (row.get("extra") or {}).get("current")
            if current:
                target = self._target(str(row["id"]), current, source_id)
                if target is not None:
                    found.append(target)
        return found

    def _target(self, type_id: str, schema_id: str, source_id: str) -> Target | None:
        schema = self.objects.get(SCHEMA, schema_id)["attributes"]
        mapping = self.objects.get(MAPPING, self.objects.mapping_of(schema_id))
        by_id = {prop["id"]: prop for prop in schema["properties"]}
        simple, constants, id_path = [], [], None
        for entry in mapping["attributes"]["property_mappings"]:
            prop = by_id.get(entry["id"])
            if prop is None:
                continue
            if entry["type"] == "constant":
                constants.append((prop, entry["value"]))
            elif entry["source"]["source_id"] == source_id:
                simple.append((prop, entry["source"]["data_path"]))
                id_path = id_path or entry["source"]["id_path"]
        if id_path is None:
            return None
        return Target(type_id, schema["properties"], schema["required"], id_path, simple, constants)

    def _ingest(self, target: Target, record: Any) -> str:
        """Map one record to its object record, or log why not."""
        given = jsonpath.read(target.id_path, record)
        if isinstance(given, bool) or not isinstance(given, str | int) or given == "":
            code, message = (
                ("missing", "Field required")
                if given is jsonpath.MISSING or given is None or given == ""
                else ("string_type", "Input should be a valid string")
            )
            error = _error(code, message, target.id_path, given)
            self._log(target.type_id, None, "a record without an id", [error])
            return f"a record without an id at {target.id_path} was refused"
        record_id = f"{target.type_id}{SEPARATOR}{given}"
        stored = self.objects.records().get(RECORD, record_id)
        here = {prop["name"] for prop, _ in [*target.simple, *target.constants]}
        names = [prop["name"] for prop in target.properties]
        before = (stored or {}).get("attributes", {}).get("record_properties", {})
        values = {k: v for k, v in before.items() if k in names and k not in here}
        errors: list[dict[str, Any]] = []
        pairs = [(p, jsonpath.read(path, record)) for p, path in target.simple]
        for prop, value in [*pairs, *target.constants]:
            if value is jsonpath.MISSING or value is None:
                continue
            converted = convert(prop["type"], value)
            if converted.problem is None:
                values[prop["name"]] = converted.value
            else:
                problem = converted.problem
                errors.append(_error(problem.code, problem.message, prop["name"], value))
        failed = {error["property"] for error in errors}
        for name in target.required:
            if name not in values and name not in failed:
                errors.append(_error("missing", "Field required", name, jsonpath.MISSING))
        if errors:
            self._log(target.type_id, record_id, str(given), errors)
            return f"record {record_id} was refused: {len(errors)} validation error(s)"
        shown = {"record_properties": {n: values[n] for n in names if n in values}}
        resources = self._b.resources
        if stored is None:
            resources.create(
                RECORD, shown, record_id=record_id, extra={"object_type": target.type_id}
            )
            return f"object record {record_id} was made"
        resources.update(RECORD, record_id, shown)
        return f"object record {record_id} was updated"

    def _log(
        self,
        type_id: str,
        record_id: str | None,
        label: str,
        errors: list[dict[str, Any]],
    ) -> None:
        count = len(errors)
        self._b.resources.create(
            LOG,
            {
                "status": "error",
                "event_type": "validation_error",
                "timestamp": iso_seconds(self._b.clock()),
                "summary": f"{count} validation error{'' if count == 1 else 's'} for {label}",
                "errors": errors,
            },
            extra={"object_type": type_id, "object_record": record_id},
        )

    # -- object records and logs ------------------------------------------------------------

    def records_of(self, type_id: str) -> list[Record]:
        """A type's object records, in the order they were made."""
        prefix = f"{type_id}{SEPARATOR}"
        rows = [r for r in self.objects.records().scan(RECORD) if r["id"].startswith(prefix)]
        return sorted(rows, key=lambda r: int(r["seq"]))

    def logs_of(self, type_id: str) -> list[Record]:
        """A type's log entries of the last 14 days, in the order they were written."""
        since = self._b.clock() - timedelta(days=LOG_DAYS)
        rows = []
        for row in self.objects.records().scan(LOG):
            if (row.get("extra") or {}).get("object_type") != type_id:
                continue
            moment = parse_moment(row["attributes"]["timestamp"])
            if moment is not None and moment >= since:
                rows.append(row)
        return sorted(rows, key=lambda r: int(r["seq"]))

    def delete(self, ids: Sequence[str], at: str) -> list[str]:
        """Delete object records by compound id: each must name an object type; a record
        that is gone already is no error (*chosen*). The ids deleted."""
        with self.objects.locked():
            records = self.objects.records()
            for index, record_id in enumerate(ids):
                type_id, separator, _ = record_id.partition(SEPARATOR)
                if not separator:
                    raise invalid(
                        f"{record_id!r} is no object record id ({{object type id}}:::{{id}}).",
                        f"{at}/{index}/id",
                    )
                if not records.has(TYPE, type_id):
                    raise missing(f"No object type has the id {type_id}.", f"{at}/{index}/id")
            gone = [i for i in dict.fromkeys(ids) if records.has(RECORD, i)]
            for record_id in gone:
                self._b.resources.delete(RECORD, record_id)
            return gone

    def forget_type(self, type_id: str) -> None:
        """A deleted type's object records and logs go with it."""
        resources = self._b.resources
        for row in self.records_of(type_id):
            resources.delete(RECORD, str(row["id"]))
        for row in list(self.objects.records().scan(LOG)):
            if (row.get("extra") or {}).get("object_type") == type_id:
                resources.delete(LOG, str(row["id"]))

    def forget_source(self, source_id: str) -> None:
        """A deleted data source's records go with it."""
        records = self.objects.records()
        for raw_id in records.find(RAW, "data_source", source_id):
            records.remove(RAW, raw_id)


def _error(code: str, message: str, name: str, value: Any) -> dict[str, Any]:
    """An ``IngestionLogErrorDetail``: the value JSON-encoded, null when there was none."""
    shown = None if value is jsonpath.MISSING else json.dumps(value)
    return {"code": code, "message": message, "property": name, "invalid_value": shown}


def open_family(backend: Backend) -> Ingestion:
    """The family's domain for one call: object types and schemas (``.objects``) and
    ingestion, wired so that activating a schema maps the records its data sources hold."""
    objects = Objects(backend)
    ingestion = Ingestion(backend, objects)
    objects.on_activate = ingestion.replay
    return ingestion
