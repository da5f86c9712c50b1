"""The legacy v2 lists API (legacy-api.md §7): lists, members, subscriptions, exclusions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify

from ..domain.lists import ACTIVE
from ..domain.models import IdentifierKind
from ..domain.models import MemberStatus
from ..domain.models import Profile
from .context import note
from .errors import ApiError
from .params import ListSchema
from .params import LookupSchema
from .params import MarkerSchema
from .params import MembersSchema
from .person import v1_time
from .private import load_params
from .private import private_call

bp = Blueprint("lists", __name__)

list_schema = ListSchema()
members_schema = MembersSchema()
lookup_schema = LookupSchema()
marker_schema = MarkerSchema()

#: Records per batch of ``members/all`` and ``exclusions/all``.
BATCH = 1000
SUBSCRIBED = frozenset({MemberStatus.SUBSCRIBED})


def _member(profile: Profile) -> dict[str, Any]:
    member: dict[str, Any] = {"id": profile.id}
    for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER):
        if kind in profile.identifiers:
            member[kind.value] = profile.identifiers[kind]
    return member


def _empty() -> Response:
    return Response("", status=200, mimetype="application/json")


@bp.get("/api/v2/lists", strict_slashes=False)
def get_lists() -> Response:
    backend, _ = private_call()
    return jsonify([{"list_id": r.id, "list_name": r.name} for r in backend.lists.all()])


@bp.post("/api/v2/lists", strict_slashes=False)
def create_list() -> Response:
    backend, call = private_call()
    name, double_opt_in = load_params(list_schema, call.params)
    if name is None:
        raise ApiError(400, "list_name is required.")
    record = backend.lists.create(name, bool(double_opt_in))
    note(f"created list {record.id} {name!r}")
    return jsonify(list_id=record.id)


@bp.get("/api/v2/list/<list_id>", strict_slashes=False)
def get_list(list_id: str) -> Response:
    backend, _ = private_call()
    record = backend.lists.get(list_id)
    return jsonify(
        list_id=record.id,
        list_name=record.name,
        folder=None,
        opt_in_process="double_opt_in" if record.double_opt_in else "single_opt_in",
        created=v1_time(record.created),
        updated=v1_time(record.updated),
    )


@bp.put("/api/v2/list/<list_id>", strict_slashes=False)
def update_list(list_id: str) -> Response:
    backend, call = private_call()
    name, double_opt_in = load_params(list_schema, call.params)
    backend.lists.update(list_id, name, double_opt_in)
    note(f"updated list {list_id}")
    return _empty()


@bp.delete("/api/v2/list/<list_id>", strict_slashes=False)
def delete_list(list_id: str) -> Response:
    backend, _ = private_call()
    backend.lists.delete(list_id)
    note(f"deleted list {list_id}")
    return _empty()


def _add(list_id: str, subscribe: bool) -> Response:
    backend, call = private_call()
    backend.lists.get(list_id)
    people = load_params(members_schema, call.params)
    added, decisions = backend.lists.add(list_id, people, subscribe)
    note(*decisions, profiles=[p.id for p in added])
    return jsonify([_member(p) for p in added])


def _lookup(list_id: str, statuses: frozenset[MemberStatus]) -> Response:
    backend, call = private_call()
    backend.lists.get(list_id)
    query = load_params(lookup_schema, call.params)
    found = backend.lists.find(list_id, query["emails"], query["phone_numbers"], statuses)
    return jsonify([_member(p) for p in found])


def _remove(list_id: str, unsubscribe: bool) -> Response:
    backend, call = private_call()
    backend.lists.get(list_id)
    query = load_params(lookup_schema, call.params)
    decisions = backend.lists.remove(list_id, query["emails"], query["phone_numbers"], unsubscribe)
    note(*decisions)
    return _empty()


@bp.post("/api/v2/list/<list_id>/members", strict_slashes=False)
def add_members(list_id: str) -> Response:
    return _add(list_id, subscribe=False)


@bp.post("/api/v2/list/<list_id>/subscribe", strict_slashes=False)
def subscribe(list_id: str) -> Response:
    """A double opt-in list answers ``[]``: the people wait for their confirmation."""
    return _add(list_id, subscribe=True)


@bp.get("/api/v2/list/<list_id>/members", strict_slashes=False)
@bp.post("/api/v2/list/<list_id>/get-members", strict_slashes=False)
def get_members(list_id: str) -> Response:
    return _lookup(list_id, ACTIVE)


@bp.get("/api/v2/list/<list_id>/subscribe", strict_slashes=False)
@bp.post("/api/v2/list/<list_id>/get-list-subscriptions", strict_slashes=False)
def get_subscriptions(list_id: str) -> Response:
    return _lookup(list_id, SUBSCRIBED)


@bp.delete("/api/v2/list/<list_id>/members", strict_slashes=False)
def remove_members(list_id: str) -> Response:
    return _remove(list_id, unsubscribe=False)


@bp.delete("/api/v2/list/<list_id>/subscribe", strict_slashes=False)
def unsubscribe(list_id: str) -> Response:
    return _remove(list_id, unsubscribe=True)


def _batch(list_id: str, statuses: frozenset[MemberStatus], exclusions: bool) -> Response:
    backend, call = private_call()
    backend.lists.get(list_id)
    marker = load_params(marker_schema, call.params)["marker"]
    rows, following = backend.lists.page(list_id, marker, BATCH, statuses)
    records = []
    for profile, membership in rows:
        record: dict[str, Any] = {
            "id": profile.id,
            "email": profile.identifiers.get(IdentifierKind.EMAIL),
        }
        if exclusions:
            record |= {"reason": "Unsubscribed", "created": membership.at.replace("+00:00", "Z")}
            phone = profile.identifiers.get(IdentifierKind.PHONE_NUMBER)
            if phone is not None:
                record |= {"phone_number": phone, "phone_reason": "Unsubscribed"}
        else:
            record |= {
                "phone_number": profile.identifiers.get(IdentifierKind.PHONE_NUMBER),
                "push_token": None,
            }
        records.append(record)
    body: dict[str, Any] = {"records": records}
    if following is not None:
        body["marker"] = following
    return jsonify(body)


@bp.get("/api/v2/group/<list_id>/members/all", strict_slashes=False)
def all_members(list_id: str) -> Response:
    return _batch(list_id, ACTIVE, exclusions=False)


@bp.get("/api/v2/list/<list_id>/exclusions/all", strict_slashes=False)
def all_exclusions(list_id: str) -> Response:
    return _batch(list_id, frozenset({MemberStatus.UNSUBSCRIBED}), exclusions=True)
