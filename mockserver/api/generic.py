"""The generic handlers: one per kind of operation (``spec.Kind``), for every operation no
family answers itself. Each reads through the type's source (a family's or the generic one)
and writes through ``domain.resources``, so a family that keeps a type itself (lists,
profiles, events) is listed, included and linked by the same code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Response

from ..domain.filters import Compare
from ..domain.filters import Logic
from ..domain.jobs import relationships_of
from ..domain.listing import Item
from ..domain.listing import Linkage
from ..domain.listing import ListQuery
from ..domain.listing import Page
from ..domain.listing import select_items
from ..spec import Kind
from ..spec import Operation
from .call import Call
from .call import Handler
from .context import note
from .errors import ApiError
from .jsonapi import respond
from .jsonapi import self_link
from .render import item_path

#: How many items a listing the document does not page answers (all of them, in practice).
UNPAGED = 10_000


def primary_type(call: Call | Operation) -> str:
    """The type an operation answers (or, answering none, the type its path names)."""
    operation = call if isinstance(call, Operation) else call.operation
    if operation.data_types:
        return operation.data_types[0]
    if operation.resource_type is None:
        raise RuntimeError(f"{operation.id}: no resource type")
    return operation.resource_type


def document(
    call: Call,
    kind: str,
    items: list[Item],
    *,
    many: bool,
    next_key: list[Any] | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    """The answer to a read: ``data`` (one or many), ``included`` when asked, and links."""
    resources = call.backend.resources
    renderer = call.renderer()
    linkages, found = resources.included(kind, items, call.params.includes)
    rendered = [renderer.resource(kind, item, linkage=linkages.get(item.id)) for item in items]
    request_path = path or _request_path(call)
    answer: dict[str, Any] = {"data": rendered if many else (rendered[0] if rendered else None)}
    if call.params.includes:
        answer["included"] = renderer.included(found)
    if many and call.params.listing is not None and call.operation.cursor is not None:
        answer["links"] = call.page_links(request_path, next_key)
    else:
        answer["links"] = {"self": self_link(request_path)}
    return answer


def _request_path(call: Call) -> str:
    path = call.operation.path
    for name, value in call.path.items():
        path = path.replace("{" + name + "}", value)
    return path


def answer(call: Call, kind: str, item: Item, status: int = 200) -> Response:
    """One resource, as a write answers it: ``data``, ``included`` when asked, and its own
    ``links.self``."""
    return respond(document(call, kind, [item], many=False, path=item_path(kind, item.id)), status)


def list_resources(call: Call) -> Response:
    kind = primary_type(call)
    source = call.backend.resources.source(kind)
    query = call.params.listing or ListQuery(size=UNPAGED)  # the document does not page it
    page = source.page(query, call.params.additional_of(kind))
    note(f"listed {len(page.items)} {kind} resources")
    return respond(document(call, kind, page.items, many=True, next_key=page.next_key))


def get_resource(call: Call) -> Response:
    kind = primary_type(call)
    return respond(document(call, kind, [_one(call, kind, call.id)], many=False))


def _one(call: Call, kind: str, item_id: str) -> Item:
    found = call.backend.resources.source(kind).items([item_id], call.params.additional_of(kind))
    if not found:
        raise ApiError(404, f"A {kind} with id {item_id} does not exist.")
    return found[0]


def _attributes(call: Call) -> dict[str, Any]:
    """The attributes a create or an update sets (the dispatcher kept those its body schema
    names)."""
    data = call.data if isinstance(call.data, Mapping) else {}
    attributes = data.get("attributes")
    return dict(attributes) if isinstance(attributes, Mapping) else {}


def writable(operation: Operation | None, attributes: Any) -> dict[str, Any]:
    """``attributes`` cut to those ``operation``'s body may set."""
    if not isinstance(attributes, Mapping):
        return {}
    allowed = operation.body_attributes if operation is not None else None
    return {k: v for k, v in attributes.items() if allowed is None or k in allowed}


def create_resource(call: Call) -> Response:
    kind = primary_type(call)
    data = call.data if isinstance(call.data, Mapping) else {}
    # No create body of a generic type has an ``id``: the mock makes it (one given is ignored).
    item = call.backend.resources.create(kind, _attributes(call), relationships_of(data))
    note(f"created {kind} {item.id}")
    status = call.operation.statuses[0] if call.operation.statuses else 201
    return answer(call, kind, item, status)


def update_resource(call: Call) -> Response:
    kind = primary_type(call)
    call.same_id()
    data = call.data if isinstance(call.data, Mapping) else {}
    item = call.backend.resources.update(kind, call.id, _attributes(call), relationships_of(data))
    note(f"updated {kind} {item.id}")
    if 204 in call.operation.statuses:
        return respond(None, 204)
    return respond(document(call, kind, [item], many=False))


def delete_resource(call: Call) -> Response:
    kind = primary_type(call)
    call.backend.resources.delete(kind, call.id)
    note(f"deleted {kind} {call.id}")
    return respond(None, 204)


def _linked(call: Call) -> tuple[str, Linkage]:
    operation = call.operation
    kind = operation.resource_type
    name = operation.relationship
    assert kind is not None and name is not None
    source = call.backend.resources.source(kind)
    return kind, source.linked(call.id, name)


def related_resources(call: Call) -> Response:
    _, linked = _linked(call)
    target = primary_type(call)
    ids = linked if isinstance(linked, tuple) else (linked,) if linked else ()
    items = call.backend.resources.source(target).items(
        list(ids), call.params.additional_of(target)
    )
    if not call.operation.many:
        if not items:
            return _unset(call)
        return respond(document(call, target, items[:1], many=False))
    next_key = None
    if call.params.listing is not None:
        page = select_items(items, call.params.listing)
        items, next_key = page.items, page.next_key
    return respond(document(call, target, items, many=True, next_key=next_key))


def linkage(call: Call) -> Response:
    _, linked = _linked(call)
    target = primary_type(call)
    path = _request_path(call)
    if isinstance(linked, tuple):
        ids = list(linked)
        next_key = None
        query = call.params.listing
        if query is not None:
            if query.filter is not None or query.sort is not None:  # they read attributes
                items = call.backend.resources.source(target).items(ids)
            else:
                items = [Item(i, {}) for i in ids]
            page = select_items(items, query)
            ids, next_key = [item.id for item in page.items], page.next_key
        data: Any = [{"type": target, "id": i} for i in ids]
        links = (
            call.page_links(path, next_key) if call.operation.cursor else {"self": self_link(path)}
        )
        return respond({"data": data, "links": links})
    if linked is None:
        return _unset(call)
    return respond({"data": {"type": target, "id": linked}, "links": {"self": self_link(path)}})


def _unset(call: Call) -> Response:
    """A to-one relationship nothing is linked to: ``data`` null where the document allows
    it, a 404 where it does not."""
    if not call.operation.data_nullable:
        raise ApiError(404, f"The {call.operation.relationship} of {call.id} is not set.")
    return respond({"data": None, "links": {"self": self_link(_request_path(call))}})


def change_links(call: Call) -> Response:
    operation = call.operation
    kind, name = operation.resource_type, operation.relationship
    assert kind is not None and name is not None
    data = call.data
    entries = data if isinstance(data, list) else [] if data is None else [data]
    ids = [str(entry["id"]) for entry in entries if isinstance(entry, Mapping)]
    how = {Kind.LINK_ADD: "add", Kind.LINK_REPLACE: "replace", Kind.LINK_REMOVE: "remove"}
    call.backend.resources.link(kind, call.id, name, ids, how[operation.kind])
    note(f"{how[operation.kind]} {name} of {kind} {call.id}: {', '.join(ids) or 'none'}")
    return respond(None, 204)


def bulk_job(call: Call) -> Response:
    kind = primary_type(call)
    attributes = _attributes(call)
    name, entries = next(
        (
            (name, value["data"])
            for name, value in attributes.items()
            if isinstance(value, Mapping) and isinstance(value.get("data"), list)
        ),
        ("", []),
    )
    target = call.backend.resources.target_of(kind)
    verb = Kind.CREATE if "-bulk-create-" in kind else Kind.UPDATE
    operation = call.backend.resources.type(target).operations.get(verb)
    entries = [
        {**entry, "attributes": writable(operation, entry.get("attributes"))} for entry in entries
    ]
    item = call.backend.jobs.bulk(kind, entries, f"/data/attributes/{name}/data")
    note(f"{kind} {item.id}: {item.attributes.get('completed_count')} of {len(entries)} applied")
    status = call.operation.statuses[0] if call.operation.statuses else 202
    return answer(call, kind, item, status)


GENERIC: dict[Kind, Handler] = {
    Kind.LIST: list_resources,
    Kind.GET: get_resource,
    Kind.CREATE: create_resource,
    Kind.UPDATE: update_resource,
    Kind.DELETE: delete_resource,
    Kind.RELATED: related_resources,
    Kind.LINKAGE: linkage,
    Kind.LINK_ADD: change_links,
    Kind.LINK_REPLACE: change_links,
    Kind.LINK_REMOVE: change_links,
    Kind.JOB: bulk_job,
}


# -- helpers for families whose resources filter, count or name themselves --------------------


def refuse_taken(call: Call, kind: str, made: str, member: str) -> None:
    """Before a create whose id its body makes (from ``member``): a ``data.id`` other than
    that id is a 400 (*chosen*: rather than a resource under another id than asked), and an
    id already taken a 409 pointing at ``member``."""
    given = call.data.get("id")
    if given is not None and given != made:
        raise ApiError(
            400, f"data.id {given!r} is not the id this body makes ({made}).", pointer="/data/id"
        )
    if call.backend.resources.exists(kind, made):
        raise ApiError(
            409,
            f"A {kind} with id {made} already exists.",
            pointer=f"/data/attributes/{member}",
            code="conflict",
        )


def limited_job(member: str, limit: int, run: Handler = bulk_job) -> Handler:
    """A bulk job whose ``attributes.<member>.data`` holds 1 to ``limit`` entries (the
    document's limit; *chosen*: an empty job is refused), then run by ``run``."""

    def handler(call: Call) -> Response:
        entries = call.data["attributes"][member]["data"]
        if not 1 <= len(entries) <= limit:
            raise ApiError(
                400,
                f"A job takes from 1 to {limit} entries; this one has {len(entries)}.",
                pointer=f"/data/attributes/{member}/data",
            )
        return run(call)

    handler.__doc__ = f"A bulk job of 1 to {limit} {member}."
    return handler


def related_page(call: Call, target: str, field: str) -> Page:
    """The resources of ``target`` related to the one the path names (404 when it does not
    exist), read as a listing of ``target`` filtered on ``field`` (``category.id``): the
    call's own filter, sort and page then apply as they do to the listing (the generic
    related read filters and sorts only on the attributes a related resource shows)."""
    kind, relationship = call.operation.resource_type, call.operation.relationship
    assert kind is not None and relationship is not None
    call.backend.resources.source(kind).linked(call.id, relationship)
    query = call.params.listing or ListQuery()
    fixed = Compare("equals", field, call.id)
    wanted = fixed if query.filter is None else Logic("and", (fixed, query.filter))
    source = call.backend.resources.source(target)
    return source.page(replace(query, filter=wanted), call.params.additional_of(target))


def related(target: str, field: str) -> Handler:
    """``GET /api/<type>/{id}/<relationship>``: the related resources, a page of them."""

    def handler(call: Call) -> Response:
        page = related_page(call, target, field)
        note(f"listed {len(page.items)} {target} resources of {call.id}")
        return respond(document(call, target, page.items, many=True, next_key=page.next_key))

    return handler


def related_ids(target: str, field: str) -> Handler:
    """``GET /api/<type>/{id}/relationships/<relationship>``: their ids, a page of them."""

    def handler(call: Call) -> Response:
        page = related_page(call, target, field)
        path = call.operation.path.replace("{id}", call.id)
        links = call.page_links(path, page.next_key) if call.operation.cursor else None
        data = [{"type": target, "id": item.id} for item in page.items]
        return respond({"data": data, "links": links or {"self": self_link(path)}})

    return handler
