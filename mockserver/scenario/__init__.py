"""Scenario files: given state, Klaviyo calls, and what must be true afterwards.

``format`` reads and validates a file (``load``); ``runner`` seeds its state (``seed``) and
runs it (``run``); ``record`` writes what happened as a file (``record``).
``scenarios/README.md`` documents the format key by key.
"""

from __future__ import annotations

from .format import IDENTIFIER_KEYS
from .format import Scenario
from .format import ScenarioError
from .format import load
from .record import RecordError
from .record import record
from .runner import Context
from .runner import Report
from .runner import run
from .runner import seed

__all__ = [
    "IDENTIFIER_KEYS",
    "Context",
    "RecordError",
    "Report",
    "Scenario",
    "ScenarioError",
    "load",
    "record",
    "run",
    "seed",
]
