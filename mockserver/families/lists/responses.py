"""Today's list writes and a list's members (current-api.md §7). Listing and reading lists,
and their tags and flow triggers, are generic (``ListSource``); these have Klaviyo's rules:
membership without consent, and members listed in the order they joined with the time they
did (``joined_group_at``), filtered through the identity index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.context import note
from ...api.errors import ApiError
from ...api.generic import document
from ...api.jsonapi import respond
from ...domain.listing import ListQuery
from ..profiles.models import ProfileSource
from .models import ListSource

#: Profiles per call (SPEC description of the relationship endpoints).
MAX_MEMBERS = 1000


def _opt_in(attributes: Mapping[str, Any]) -> bool | None:
    process = attributes.get("opt_in_process")
    return None if process is None else process == "double_opt_in"


def _name(attributes: Mapping[str, Any]) -> str | None:
    name = attributes.get("name")
    if name is not None and not name:
        raise ApiError(400, "A list needs a name.", pointer="/data/attributes/name")
    return name


def _answer(call: Call, list_id: str, status: int = 200) -> Response:
    source = call.backend.resources.source("list")
    assert isinstance(source, ListSource)
    [item] = source.items([list_id], call.params.additional_of("list"))
    return respond(document(call, "list", [item], many=False, path=f"/api/lists/{list_id}"), status)


def create_list(call: Call) -> Response:
    attributes = call.data["attributes"]
    name = _name(attributes)
    assert name is not None  # the schema requires it
    record = call.backend.lists.create(name, bool(_opt_in(attributes)))
    note(f"created list {record.id} {name!r}")
    return _answer(call, record.id, 201)


def update_list(call: Call) -> Response:
    call.same_id()
    attributes = call.data["attributes"]
    call.backend.lists.update(call.id, _name(attributes), _opt_in(attributes))
    note(f"updated list {call.id}")
    return _answer(call, call.id)


def delete_list(call: Call) -> Response:
    call.backend.lists.delete(call.id)
    note(f"deleted list {call.id}")
    return respond(None, 204)


def _profile_ids(call: Call) -> list[str]:
    data = call.data
    if not data or len(data) > MAX_MEMBERS:
        raise ApiError(400, f"Give from 1 to {MAX_MEMBERS} profiles.", pointer="/data")
    return [str(entry["id"]) for entry in data]


def add_profiles_to_list(call: Call) -> Response:
    profile_ids = _profile_ids(call)
    decisions: list[str] = []
    call.backend.lists.add_profiles(call.id, profile_ids, decisions)
    note(*decisions, profiles=profile_ids)
    return respond(None, 204)


def remove_profiles_from_list(call: Call) -> Response:
    profile_ids = _profile_ids(call)
    decisions: list[str] = []
    call.backend.lists.remove_profiles(call.id, profile_ids, decisions)
    note(*decisions, profiles=profile_ids)
    return respond(None, 204)


def _members(call: Call) -> tuple[list[Any], list[Any] | None]:
    query = call.params.listing or ListQuery()
    rows, next_key = call.backend.lists.members(
        call.id, query.filter, query.descending, query.after, query.size
    )
    note(f"listed {len(rows)} profiles of list {call.id}", profiles=[p.id for p, _ in rows])
    return rows, next_key


def get_profiles_for_list(call: Call) -> Response:
    rows, next_key = _members(call)
    source = call.backend.resources.source("profile")
    assert isinstance(source, ProfileSource)
    additional = call.params.additional_of("profile")
    items = [source.item(p, additional, joined_group_at=m.at) for p, m in rows]
    return respond(document(call, "profile", items, many=True, next_key=next_key))


def get_profile_ids_for_list(call: Call) -> Response:
    rows, next_key = _members(call)
    path = f"/api/lists/{call.id}/relationships/profiles"
    return respond(
        {
            "data": [{"type": "profile", "id": p.id} for p, _ in rows],
            "links": call.page_links(path, next_key),
        }
    )


HANDLERS: dict[str, Handler] = {
    "create_list": create_list,
    "update_list": update_list,
    "delete_list": delete_list,
    "add_profiles_to_list": add_profiles_to_list,
    "remove_profiles_from_list": remove_profiles_from_list,
    "get_profiles_for_list": get_profiles_for_list,
    "get_profile_ids_for_list": get_profile_ids_for_list,
}
