"""Settings: their defaults, and reading them from ``KLAVIYO_MOCK_*`` environment variables.

This is the only module that reads the environment; ``create_app`` itself takes a plain mapping
(so that tests stay hermetic), and ``run.py`` layers defaults < environment < command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENV_PREFIX = "KLAVIYO_MOCK_"
FIVE_MB = 5 * 1024 * 1024

#: Settings of the app (``create_app(config)``), with what each means.
APP_DEFAULTS: dict[str, Any] = {
    "DB": None,  # path of the JSON state file; None keeps the state in memory only
    "FLUSH_INTERVAL": 1.0,  # seconds between writes of the change log (what kill -9 may lose)
    "DURABLE": False,  # write the change log before answering each call
    "ACCOUNTS": [],  # declared accounts ("PUBLIC:pk_…,pk_…" or dicts); none: one open account
    "SEED": None,  # an int makes generated ids the same on every run
    "JOURNAL_SIZE": 1000,  # requests kept in the journal, newest first
    "LEGACY_ALIASES": True,  # unprefixed email/id/phone_number identify on Track/Identify
    "LEGACY": "on",  # "gone": every legacy path answers 410, as production has since 2024-06-30
    "MAX_CONTENT_LENGTH": FIVE_MB,  # Klaviyo's payload limit; larger bodies get 413
    "MAX_FORM_MEMORY_SIZE": FIVE_MB,  # Flask's default (500 kB) would refuse legal payloads
}

#: Settings of the server (``run.py``).
SERVER_DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8080,
    "QUIET": False,
    "THREADS": 8,
    "RECORD": None,  # path: on stop, write the calls since start (or the last reset) as a scenario
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(name: str, text: str, default: Any) -> Any:
    if name == "ACCOUNTS":
        return text.split()
    if isinstance(default, bool):
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(f"{ENV_PREFIX}{name}={text!r}: expected true or false")
        return text.lower() in _TRUE
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name}={text!r}: expected a number") from None
    if isinstance(default, int) or name == "SEED":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name}={text!r}: expected an integer") from None
    return text


def from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given as ``KLAVIYO_MOCK_<NAME>`` variables (``ACCOUNTS`` space-separated)."""
    settings = {}
    for name, default in {**APP_DEFAULTS, **SERVER_DEFAULTS}.items():
        text = environ.get(ENV_PREFIX + name)
        if text:  # an empty variable counts as unset
            settings[name] = _parse(name, text, default)
    return settings
