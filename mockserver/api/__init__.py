"""The HTTP layer: the only package that knows about Flask requests.

Views decode, validate, call the backend and render; the rules live in ``mockserver.domain``.
"""

from __future__ import annotations

from flask import Flask

from ..domain.service import Klaviyo
from . import admin
from . import journal
from . import people
from . import public
from .context import EXTENSION

__all__ = ["EXTENSION", "init_app"]
from .errors import register_error_handlers


def init_app(app: Flask, klaviyo: Klaviyo) -> None:
    app.extensions[EXTENSION] = klaviyo
    app.register_blueprint(public.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(admin.bp)
    register_error_handlers(app)
    app.after_request(journal.record)
