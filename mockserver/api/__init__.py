"""The HTTP layer: the only package that knows about Flask requests.

Views decode, validate, call the backend and render; the rules live in ``mockserver.domain``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask import request

from ..domain.service import Klaviyo
from . import admin
from . import dispatch
from . import journal
from . import lists
from . import metrics
from . import people
from . import person
from . import public
from .call import Handler
from .context import EXTENSION
from .context import Request

__all__ = ["EXTENSION", "init_app"]
from .context import note
from .errors import ApiError
from .errors import is_legacy
from .errors import register_error_handlers


def init_app(app: Flask, klaviyo: Klaviyo, handlers: Mapping[str, Handler]) -> None:
    app.extensions[EXTENSION] = klaviyo
    app.request_class = Request
    app.register_blueprint(public.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(person.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(lists.bp)
    app.register_blueprint(admin.bp)
    dispatch.init_app(app, handlers)
    register_error_handlers(app)
    if app.config["LEGACY"] == "gone":  # no hook, no cost, in the usual case
        app.before_request(_retired)
    app.after_request(journal.record)


def _retired() -> None:
    """With ``LEGACY = "gone"``, the legacy API answers 410 Gone, as production does."""
    if is_legacy(request.path):
        note("retired: the legacy API is gone (--legacy gone)")
        raise ApiError(410, "This legacy API endpoint was retired on 2024-06-30.")
