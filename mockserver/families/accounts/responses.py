"""Accounts are read like any other type (the generic handlers, through ``AccountSource``)."""

from __future__ import annotations

from ...api.call import Handler

HANDLERS: dict[str, Handler] = {}
