"""The tag operations with rules (``models``): a tag without a group joins the default one,
a group is deleted with its tags (not the default one), tagging checks exclusive groups and
the limit on a resource's tags. Reads and the other writes are generic."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response

from ...api.call import Call
from ...api.call import Handler
from ...api.errors import ApiError
from ...api.generic import change_links
from ...api.generic import create_resource
from ...api.jsonapi import respond
from .models import GROUP
from .models import TagRuleError
from .models import check_tagging
from .models import default_group
from .models import delete_group


def create_tag(call: Call) -> Response:
    data = call.data
    relationships = data.setdefault("relationships", {})
    group = relationships.get("tag-group")
    if not isinstance(group, Mapping) or not isinstance(group.get("data"), Mapping):
        relationships["tag-group"] = {"data": {"type": GROUP, "id": default_group(call.backend)}}
    return create_resource(call)


def delete_tag_group(call: Call) -> Response:
    try:
        delete_group(call.backend, call.id)
    except TagRuleError as error:
        raise ApiError(400, str(error), pointer=error.pointer) from None
    return respond(None, 204)


def tag_resources(kind: str) -> Handler:
    """``POST /api/tags/{id}/relationships/<kind>s``: the generic link, once the rules allow
    it."""

    def handler(call: Call) -> Response:
        ids = [str(entry["id"]) for entry in call.data]
        with call.backend.store.locked():
            if call.backend.resources.exists("tag", call.id):
                try:
                    check_tagging(call.backend, call.id, kind, ids)
                except TagRuleError as error:
                    raise ApiError(400, str(error), pointer=error.pointer) from None
            return change_links(call)

    return handler


HANDLERS: dict[str, Handler] = {
    "create_tag": create_tag,
    "delete_tag_group": delete_tag_group,
    "tag_lists": tag_resources("list"),
    "tag_segments": tag_resources("segment"),
    "tag_campaigns": tag_resources("campaign"),
    "tag_flows": tag_resources("flow"),
}
