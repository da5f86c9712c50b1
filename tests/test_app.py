"""The app factory's Flask subclass."""

from __future__ import annotations

import pytest

from mockserver import create_app


def test_the_app_remembers_plain_views_and_leaves_coroutines_to_flask():
    app = create_app()

    def plain() -> str:
        return "1"

    async def coroutine() -> str:
        return "1"

    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(plain) is plain  # the second time from memory
    with pytest.raises(RuntimeError, match="async"):  # Flask's own answer without asgiref
        app.ensure_sync(coroutine)
