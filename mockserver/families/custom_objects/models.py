"""(being written)"""

from __future__ import annotations

from ...domain.service import Klaviyo


def install(klaviyo: Klaviyo) -> None:
    pass
