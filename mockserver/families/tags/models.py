"""Tags and tag groups, with the rules the document states (create_tag, create_tag_group,
delete_tag_group, tag_lists…): every account has one default tag group (made the first time
the account's tags are touched), a tag with no group joins it, the default group cannot be
deleted, deleting a group deletes its tags, a resource can carry at most one tag of an
exclusive group, and the limits: 500 tags and 50 groups an account, 100 tags a resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.resources import Attributes
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import seeded

TAG, GROUP = "tag", "tag-group"
#: The default group's name (*chosen*: Klaviyo's documents do not give it).
DEFAULT_NAME = "Default"
MAX_TAGS, MAX_GROUPS, MAX_TAGS_PER_RESOURCE = 500, 50, 100


class TagRuleError(ValueError):
    """A tag call the document's rules refuse (400), with the member at fault."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def default_id(account: Account) -> str:
    """The default tag group's id: a UUID, the same on every call for one account (so that
    making it on first use is idempotent)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"klaviyo-mock/{account.id}/default-tag-group"))


def default_group(backend: Backend) -> str:
    """The account's default tag group, made on first use."""
    group = default_id(backend.account)
    backend.resources.source(GROUP).items([group])  # seeds it
    return group


def delete_group(backend: Backend, group: str) -> None:
    """Delete a group with its tags (and their links); the default one cannot go."""
    with backend.store.locked():
        records = backend.records
        record = records.get(GROUP, group)
        if record is not None and record["attributes"].get("default"):
            raise TagRuleError("/data/id", "The default tag group cannot be deleted.")
        for tag in records.linked(GROUP, group, "tags"):
            backend.resources.delete(TAG, tag)
        backend.resources.delete(GROUP, group)


def check_tagging(backend: Backend, tag: str, kind: str, ids: Sequence[str]) -> None:
    """Refuse to give the resources ``ids`` (of ``kind``) the tag ``tag`` where a resource
    would carry more than 100 tags, or two tags of one exclusive group."""
    records = backend.records
    groups = records.linked(TAG, tag, "tag-group")
    group = records.get(GROUP, groups[0]) if groups else None
    exclusive = bool(group and group["attributes"].get("exclusive"))
    for index, resource in enumerate(ids):
        have = [t for t in records.linked(kind, resource, "tags") if t != tag]
        if len(have) + 1 > MAX_TAGS_PER_RESOURCE:
            raise TagRuleError(
                f"/data/{index}/id",
                f"A {kind} cannot be associated with more than {MAX_TAGS_PER_RESOURCE} tags.",
            )
        if exclusive and groups:
            clash = [t for t in have if records.linked(TAG, t, "tag-group") == groups]
            if clash:
                raise TagRuleError(
                    f"/data/{index}/id",
                    f"{kind} {resource} already has tag {clash[0]} of the exclusive tag group"
                    f" {groups[0]}.",
                )


def install(klaviyo: Klaviyo) -> None:
    def seed(account: Account) -> list[tuple[str, Attributes]]:
        attributes = {"name": DEFAULT_NAME, "exclusive": False, "default": True}
        return [(default_id(account), attributes)]

    def new_group(backend: Backend, record_id: str, given: Attributes) -> Attributes:
        if backend.records.count(GROUP) >= MAX_GROUPS:
            raise InvalidAttribute("", f"An account cannot have more than {MAX_GROUPS} tag groups.")
        return {
            **given,
            "exclusive": bool(given.get("exclusive")),
            "default": bool(given.get("default")),
        }

    def new_tag(backend: Backend, record_id: str, given: Attributes) -> Attributes:
        if backend.records.count(TAG) >= MAX_TAGS:
            raise InvalidAttribute("", f"An account cannot have more than {MAX_TAGS} tags.")
        return given

    klaviyo.registry.sources[GROUP] = seeded(GROUP, seed)
    klaviyo.registry.rules[GROUP] = Rules(on_create=new_group)
    klaviyo.registry.rules[TAG] = Rules(on_create=new_tag)
