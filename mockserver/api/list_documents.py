"""marshmallow schemas for today's list bodies (current-api.md §7), loaded into plain values.
As in ``documents``: unknown members are ignored, a wrong type, a missing member or a wrong
``type`` is a 400 whose pointer names it.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate

from .documents import BodySchema
from .documents import resource_type

OPT_IN = ("double_opt_in", "single_opt_in")
#: Profiles per call (SPEC description).
MAX_MEMBERS = 1000


# -- lists ----------------------------------------------------------------------------------


class _ListAttributes(BodySchema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, error="A list needs a name.")
    )
    opt_in_process = fields.String(allow_none=True, validate=validate.OneOf(OPT_IN))


class _ListUpdateAttributes(_ListAttributes):
    name = fields.String(
        allow_none=True, validate=validate.Length(min=1, error="A list needs a name.")
    )


class _ListCreateData(BodySchema):
    type = resource_type("list")
    attributes = fields.Nested(_ListAttributes, required=True)


class _ListUpdateData(BodySchema):
    type = resource_type("list")
    id = fields.String(required=True)
    attributes = fields.Nested(_ListUpdateAttributes, required=True)


def _double_opt_in(attributes: dict[str, Any]) -> bool | None:
    process = attributes.get("opt_in_process")
    return None if process is None else process == "double_opt_in"


class ListCreateQuery(BodySchema):
    """``POST /api/lists``, loaded as ``(name, double_opt_in or None)``."""

    data = fields.Nested(_ListCreateData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> tuple[str, bool | None]:
        attributes = document["data"]["attributes"]
        return attributes["name"], _double_opt_in(attributes)


class ListUpdateQuery(BodySchema):
    """``PATCH /api/lists/{id}``, loaded as ``(id, name or None, double_opt_in or None)``."""

    data = fields.Nested(_ListUpdateData, required=True)

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> tuple[str, str | None, bool | None]:
        data = document["data"]
        return data["id"], data["attributes"].get("name"), _double_opt_in(data["attributes"])


class _ProfileReference(BodySchema):
    type = resource_type("profile")
    id = fields.String(required=True)


class ListMembersQuery(BodySchema):
    """``POST|DELETE /api/lists/{id}/relationships/profiles``, loaded as the profile ids."""

    data = fields.List(
        fields.Nested(_ProfileReference),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_MEMBERS, error="Give from {min} to {max} profiles."
        ),
    )

    @post_load
    def make(self, document: dict[str, Any], **kwargs: Any) -> list[str]:
        return [reference["id"] for reference in document["data"]]
