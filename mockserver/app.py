"""The app factory."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import api
from . import families
from .config import APP_DEFAULTS
from .domain.accounts import Accounts
from .domain.journal import Journal
from .domain.ports import Ids
from .domain.ports import system_clock
from .domain.service import Klaviyo
from .store import TinyDBStore

STORE = "klaviyo_mock.store"


class App(Flask):
    """Flask, remembering which views and hooks are plain functions: Flask asks of every view
    and hook, on every call, whether it is a coroutine function (``ensure_sync``, which Flask
    documents as the method to override), at several thousand instructions a time."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._plain: set[Callable[..., Any]] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if func in self._plain:
            return func
        wrapped = super().ensure_sync(func)
        if wrapped is func:
            self._plain.add(func)
        return wrapped


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app with its own state. ``config`` overrides ``config.APP_DEFAULTS``."""
    app = App(__name__)
    app.url_map.merge_slashes = False  # "//" is a 404 in JSON, not a redirect with an HTML body
    app.config.from_mapping(APP_DEFAULTS)
    if config:
        app.config.from_mapping(config)
    if app.config["LEGACY"] not in ("on", "gone"):
        raise ValueError(f"LEGACY={app.config['LEGACY']!r}: expected on or gone")
    store = TinyDBStore(
        app.config["DB"],
        flush_interval=float(app.config["FLUSH_INTERVAL"]),
        durable=bool(app.config["DURABLE"]),
    )
    klaviyo = Klaviyo(
        store,
        Accounts.from_config(app.config["ACCOUNTS"]),
        clock=system_clock,
        ids=Ids(system_clock, seed=_salted(app.config["SEED"], store)),
        journal=Journal(app.config["JOURNAL_SIZE"]),
    )
    app.extensions[STORE] = store
    families.install(klaviyo)
    api.init_app(app, klaviyo, families.handlers())
    return app


def _salted(seed: int | None, store: TinyDBStore) -> str | None:
    """The seed, told apart by the size of the state it starts from: a fresh state always gets
    the same ids, and a restarted one (``--db``) does not replay the ids it already holds."""
    return None if seed is None else f"{seed}/{store.document_count()}"


def service_of(app: Flask) -> Klaviyo:
    klaviyo: Klaviyo = app.extensions[api.EXTENSION]
    return klaviyo


def store_of(app: Flask) -> TinyDBStore:
    store: TinyDBStore = app.extensions[STORE]
    return store
