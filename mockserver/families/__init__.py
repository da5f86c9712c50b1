"""Hand-written behaviour, one package per resource family (moto's split): ``models.py`` holds
the family's rules (pure Python: no Flask, no TinyDB) and ``install(klaviyo)`` registers them
with the generic resources; ``responses.py`` holds the HTTP handlers of the operations the
family answers itself, by ``operationId`` (``HANDLERS``). Every other operation is answered by
the generic handler of its kind (``api.generic``). ``docs/families.md`` says how to add one.
"""

from __future__ import annotations

from types import ModuleType

from ..api.call import Handler
from ..domain.service import Klaviyo
from .accounts import models as accounts_models
from .accounts import responses as accounts_responses

#: (models, responses) of each family.
FAMILIES: tuple[tuple[ModuleType, ModuleType], ...] = ((accounts_models, accounts_responses),)


def install(klaviyo: Klaviyo) -> None:
    """Register every family's rules with ``klaviyo``'s generic resources."""
    for models, _ in FAMILIES:
        models.install(klaviyo)


def handlers() -> dict[str, Handler]:
    """Every family's handlers, by ``operationId`` (each operation answered by one family)."""
    found: dict[str, Handler] = {}
    for _, responses in FAMILIES:
        for operation_id, handler in responses.HANDLERS.items():
            if operation_id in found:
                raise RuntimeError(f"{operation_id} is answered by two families")
            found[operation_id] = handler
    return found
