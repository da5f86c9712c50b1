"""One call of today's API, as the dispatcher hands it to a handler: the operation the spec
routed it to, the backend of the account its key belongs to, the path's ids, the checked query
and the validated body. Handlers (the generic ones and the families') take a ``Call`` and answer."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response
from flask import request

from ..domain.accounts import Account
from ..domain.backend import Backend
from ..spec import Operation
from .errors import ApiError
from .jsonapi import page_links
from .query import Params
from .query import scope
from .render import Renderer


@dataclass(slots=True)
class Call:
    operation: Operation
    #: The backend of the account the key belongs to.
    backend: Backend
    path: Mapping[str, str]
    params: Params
    document: dict[str, Any] | None

    @property
    def account(self) -> Account:
        return self.backend.account

    @property
    def id(self) -> str:
        """The id the path names (``{id}`` or ``{job_id}``)."""
        return self.path.get("id") or self.path.get("job_id") or ""

    @property
    def data(self) -> Any:
        """The body's ``data`` (the body was validated against the operation's schema)."""
        return (self.document or {}).get("data")

    def related(self, name: str) -> Any:
        """The linkage ``data`` of a relationship the body must give (``Operation.body_links``:
        the dispatcher refused the body without it)."""
        return self.data["relationships"][name]["data"]

    def related_id(self, name: str) -> str:
        """The id of the one resource such a relationship links."""
        return str(self.related(name)["id"])

    def page_links(self, path: str, next_key: list[Any] | None) -> dict[str, str]:
        """``links`` of a page of this call's listing (``next`` with a cursor for it)."""
        sort = request.args.get("sort")
        parameter = self.operation.cursor or "page[cursor]"
        return page_links(path, next_key, scope(self.operation, sort), parameter)

    def renderer(self) -> Renderer:
        return Renderer(self.operation, self.params, self.backend.clock())

    def same_id(self) -> None:
        """An update's ``data.id`` is the id in the URL (400 otherwise)."""
        data = self.data
        given = data.get("id") if isinstance(data, dict) else None
        if given != self.id:
            raise ApiError(
                400,
                f"data.id {given!r} does not match the id in the URL ({self.id}).",
                pointer="/data/id",
            )


Handler = Callable[[Call], Response]
