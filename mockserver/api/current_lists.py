"""Today's list endpoints (current-api.md §7): ``/api/lists`` and a list's profiles.

The same lists and memberships as the legacy v2 lists API: a list made there shows here and
the reverse. A profile is on a list while it is a member or subscribed (not while pending a
double opt-in confirmation, not once unsubscribed).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import request

from ..domain.accounts import Account
from ..domain.filters import Filter
from ..domain.filters import FilterError
from ..domain.filters import parse
from ..domain.lists import LIST_FILTERS
from ..domain.lists import LIST_SORTS
from ..domain.lists import MEMBER_FILTERS
from ..domain.lists import MEMBER_SORTS
from ..domain.models import ListRecord
from ..domain.models import Membership
from ..domain.models import Profile
from .context import backend
from .context import note
from .errors import ApiError
from .jsonapi import account
from .jsonapi import body
from .jsonapi import csv_param
from .jsonapi import decode_cursor
from .jsonapi import load
from .jsonapi import page_links
from .jsonapi import page_size
from .jsonapi import private_guard
from .jsonapi import respond
from .jsonapi import self_link
from .jsonapi import sparse
from .jsonapi import stamp
from .list_documents import ListCreateQuery
from .list_documents import ListMembersQuery
from .list_documents import ListUpdateQuery
from .profiles import ADDITIONAL_FIELDS
from .profiles import profile_fields
from .profiles import profile_resource

bp = Blueprint("current_lists", __name__)
bp.before_request(private_guard)
bp.after_request(stamp)

create_query = ListCreateQuery()
update_query = ListUpdateQuery()
members_query = ListMembersQuery()

LIST_FIELDS = frozenset({"created", "id", "name", "opt_in_process", "updated"})
INCLUDES = frozenset({"flow-triggers", "tags"})
#: Without ``sort``, lists come in the order they were made (*chosen*).
DEFAULT_LIST_SORT = "created"


# -- rendering ------------------------------------------------------------------------------


def list_resource(
    record: ListRecord, fields: list[str], count: int | None = None
) -> dict[str, Any]:
    """A list as today's API shows it (SPEC ``ListRetrieveResponseObjectResource``)."""
    attributes: dict[str, Any] = {
        "name": record.name,
        "created": record.created,
        "updated": record.updated,
        "opt_in_process": "double_opt_in" if record.double_opt_in else "single_opt_in",
    }
    if count is not None:
        attributes["profile_count"] = count
    path = f"/api/lists/{record.id}"
    return {
        "type": "list",
        "id": record.id,
        "attributes": sparse(attributes, fields),
        "relationships": {
            name: {
                "links": {
                    "self": self_link(f"{path}/relationships/{name}"),
                    "related": self_link(f"{path}/{name}"),
                }
            }
            for name in ("profiles", "tags", "flow-triggers")
        },
        "links": {"self": self_link(path)},
    }


def _one(
    record: ListRecord, status: int = 200, count: int | None = None, included: bool = False
) -> Response:
    fields = csv_param("fields[list]", LIST_FIELDS | {"profile_count"})
    document: dict[str, Any] = {
        "data": list_resource(record, fields, count),
        "links": {"self": self_link(f"/api/lists/{record.id}")},
    }
    if included:
        document["included"] = []  # the mock has no tags or flows
    return respond(document, status)


def _member(
    owner: Account,
    profile: Profile,
    membership: Membership,
    fields: list[str],
    additional: list[str],
) -> dict[str, Any]:
    resource = profile_resource(owner, profile, fields, additional)
    # always there, whatever the sparse fieldset: the SDKs reject a member without it
    resource["attributes"]["joined_group_at"] = membership.at
    return resource


# -- query parameters -----------------------------------------------------------------------


def _filter(allowed: dict[str, frozenset[str]]) -> Filter | None:
    text = request.args.get("filter")
    if not text:
        return None
    try:
        return parse(text, allowed)
    except FilterError as error:
        raise ApiError(400, str(error), parameter="filter") from None


def _sort(allowed: tuple[str, ...], default: str) -> str:
    sort = request.args.get("sort", default)
    if sort.lstrip("-") not in allowed or sort.startswith("--"):
        raise ApiError(
            400,
            f"{sort!r} is not a valid sort; choose from {', '.join(allowed)}"
            " (with - for descending).",
            parameter="sort",
        )
    return sort


def _cursor() -> list[Any] | None:
    cursor = request.args.get("page[cursor]")
    return decode_cursor(cursor) if cursor else None


# -- /api/lists -----------------------------------------------------------------------------


@bp.get("/api/lists", strict_slashes=False)
def get_lists() -> Response:
    owner = account()
    fields = csv_param("fields[list]", LIST_FIELDS)
    included = csv_param("include", INCLUDES)
    sort = _sort(LIST_SORTS, DEFAULT_LIST_SORT)
    expression = _filter(LIST_FILTERS)
    after = _cursor()
    size = page_size(10, 10)
    found, next_key = backend().lists.query(owner, expression, sort, after, size)
    note(f"listed {len(found)} lists")
    document: dict[str, Any] = {
        "data": [list_resource(record, fields) for record in found],
        "links": page_links("/api/lists", next_key),
    }
    if included:
        document["included"] = []  # the mock has no tags or flows
    return respond(document)


@bp.post("/api/lists", strict_slashes=False)
def create_list() -> Response:
    owner = account()
    name, double_opt_in = load(create_query, body())
    record = backend().lists.create(owner, name, bool(double_opt_in))
    note(f"created list {record.id} {name!r}")
    return _one(record, 201)


@bp.get("/api/lists/<list_id>", strict_slashes=False)
def get_list(list_id: str) -> Response:
    owner = account()
    additional = csv_param("additional-fields[list]", frozenset({"profile_count"}))
    included = csv_param("include", INCLUDES)
    record = backend().lists.get(owner, list_id)
    count = backend().lists.count(owner, list_id) if "profile_count" in additional else None
    return _one(record, count=count, included=bool(included))


@bp.patch("/api/lists/<list_id>", strict_slashes=False)
def update_list(list_id: str) -> Response:
    owner = account()
    given_id, name, double_opt_in = load(update_query, body())
    if given_id != list_id:
        raise ApiError(
            400, f"data.id {given_id!r} does not match the list in the URL.", pointer="/data/id"
        )
    record = backend().lists.update(owner, list_id, name, double_opt_in)
    note(f"updated list {list_id}")
    return _one(record)


@bp.delete("/api/lists/<list_id>", strict_slashes=False)
def delete_list(list_id: str) -> Response:
    backend().lists.delete(account(), list_id)
    note(f"deleted list {list_id}")
    return respond(None, 204)


# -- a list's profiles ----------------------------------------------------------------------


def _members(
    list_id: str, path: str
) -> tuple[Account, list[tuple[Profile, Membership]], dict[str, str]]:
    owner = account()
    sort = _sort(MEMBER_SORTS, "joined_group_at")
    expression = _filter(MEMBER_FILTERS)
    after = _cursor()
    size = page_size(20, 100)
    rows, next_key = backend().lists.members(
        owner, list_id, expression, sort.startswith("-"), after, size
    )
    note(f"listed {len(rows)} profiles of list {list_id}", profiles=[p.id for p, _ in rows])
    return owner, rows, page_links(path, next_key)


@bp.get("/api/lists/<list_id>/profiles", strict_slashes=False)
def get_list_profiles(list_id: str) -> Response:
    fields = profile_fields(frozenset({"joined_group_at"}))
    additional = csv_param("additional-fields[profile]", ADDITIONAL_FIELDS)
    owner, rows, links = _members(list_id, f"/api/lists/{list_id}/profiles")
    data = [_member(owner, p, m, fields, additional) for p, m in rows]
    return respond({"data": data, "links": links})


@bp.get("/api/lists/<list_id>/relationships/profiles", strict_slashes=False)
def get_list_profile_ids(list_id: str) -> Response:
    _, rows, links = _members(list_id, f"/api/lists/{list_id}/relationships/profiles")
    return respond({"data": [{"type": "profile", "id": p.id} for p, _ in rows], "links": links})


@bp.post("/api/lists/<list_id>/relationships/profiles", strict_slashes=False)
def add_list_profiles(list_id: str) -> Response:
    owner = account()
    profile_ids = load(members_query, body())
    decisions: list[str] = []
    backend().lists.add_profiles(owner, list_id, profile_ids, decisions)
    note(*decisions, profiles=profile_ids)
    return respond(None, 204)


@bp.delete("/api/lists/<list_id>/relationships/profiles", strict_slashes=False)
def remove_list_profiles(list_id: str) -> Response:
    owner = account()
    profile_ids = load(members_query, body())
    decisions: list[str] = []
    backend().lists.remove_profiles(owner, list_id, profile_ids, decisions)
    note(*decisions, profiles=profile_ids)
    return respond(None, 204)


@bp.get("/api/profiles/<profile_id>/lists", strict_slashes=False)
def get_profile_lists(profile_id: str) -> Response:
    fields = csv_param("fields[list]", LIST_FIELDS)
    records = backend().lists.of_profile(account(), profile_id)
    return respond(
        {
            "data": [list_resource(record, fields) for record in records],
            "links": {"self": self_link(f"/api/profiles/{profile_id}/lists")},
        }
    )


@bp.get("/api/profiles/<profile_id>/relationships/lists", strict_slashes=False)
def get_profile_list_ids(profile_id: str) -> Response:
    records = backend().lists.of_profile(account(), profile_id)
    return respond(
        {
            "data": [{"type": "list", "id": record.id} for record in records],
            "links": {"self": self_link(f"/api/profiles/{profile_id}/relationships/lists")},
        }
    )
