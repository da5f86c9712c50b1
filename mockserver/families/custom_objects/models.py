"""Custom objects (Klaviyo's custom objects API): data sources receive records; an object type
has schema versions (a draft and a current one), each with a source mapping that maps data
source records to object records. The rules live in ``schemas`` (types, schemas, mappings),
``relations`` (relationships between schemas) and ``ingestion`` (records in, object records
and logs out); this module registers them with the generic resources.

Data sources are generic resources with Klaviyo's defaults and limits: a title of 1 to 255
characters, unique within its namespace (a 409 otherwise, *chosen*: the document says "unique"
but not how a duplicate is refused). A data source that the current or draft schema of an
object type reads cannot be deleted (a 409, *chosen*: the document is silent, and deleting it
would leave a mapping reading nothing); deleting one drops the records it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ... import spec
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.resources import Conflict
from ...domain.resources import Rules
from ...domain.resources import SourceFactory
from ...domain.service import Klaviyo
from . import checks
from .ingestion import LOG
from .ingestion import open_family
from .refusal import Refused
from .schemas import SCHEMA
from .schemas import SOURCE
from .schemas import TYPE
from .sources import LogSource
from .sources import ObjectSchemaSource
from .sources import ObjectTypeSource
from .sources import ProfileRelationSource

Attributes = dict[str, Any]


def _new_source(backend: Backend, record_id: str, given: Attributes) -> Attributes:
    """Defaults (SPEC ``DataSourceCreateQueryResourceObject``) and a unique title."""
    try:
        title = checks.title(given.get("title"), "/data/attributes/title")
        space = checks.namespace(given.get("namespace"), "/data/attributes/namespace")
    except Refused as error:
        raise InvalidAttribute(error.pointer.rsplit("/", 1)[-1], error.detail) from None
    for row in backend.records.scan(SOURCE):
        shown = row["attributes"]
        if shown["title"] == title and shown["namespace"] == space:
            raise Conflict(f"A data source titled {title!r} exists in {space} already.")
    return {
        "title": title,
        "visibility": given.get("visibility") or "private",
        "description": given.get("description") or "",
        "namespace": space,
    }


def _delete_source(backend: Backend, record_id: str) -> None:
    family = open_family(backend)
    readers = family.objects.mappings_reading(record_id)
    if readers:
        raise Conflict(
            f"Data source {record_id} is read by the source mapping of object schema"
            f" {readers[0]}: change that mapping first."
        )
    family.forget_source(record_id)


def _delete_type(backend: Backend, record_id: str) -> None:
    """Every schema version, its mapping and relationships, the type's object records and
    its logs go with it."""
    family = open_family(backend)
    family.objects.delete_type(record_id)
    family.forget_type(record_id)


def _kept(kinds: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every relationship of the family's types: the family keeps them itself."""
    types = spec.load().types
    return {(kind, name) for kind in kinds for name in types[kind].relationships}


def install(klaviyo: Klaviyo) -> None:
    registry = klaviyo.registry
    registry.rules[SOURCE] = Rules(on_create=_new_source, on_delete=_delete_source)
    registry.rules[TYPE] = Rules(on_delete=_delete_type)
    sources: dict[str, SourceFactory] = {
        TYPE: ObjectTypeSource,
        SCHEMA: ObjectSchemaSource,
        "profile-object-type": partial(ProfileRelationSource, kind="profile-object-type"),
        "profile-object-schema": partial(ProfileRelationSource, kind="profile-object-schema"),
        LOG: LogSource,
    }
    registry.sources.update(sources)
    registry.owned |= _kept(sources)
