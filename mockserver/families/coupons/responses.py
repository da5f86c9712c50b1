"""(being written)"""

from __future__ import annotations

from ...api.call import Handler

HANDLERS: dict[str, Handler] = {}
