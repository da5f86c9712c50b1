"""klaviyo-mock: a Klaviyo-compatible mock server that knows Klaviyo's identity rules."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from .app import create_app

__version__ = "0.1.0"
__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` is imported when first asked for: the pytest plugin, driving a mock that
    runs elsewhere, needs none of the server's packages."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
