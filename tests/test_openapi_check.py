"""The spec check itself: it must catch an answer that does not fit, or it proves nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from openapi_check import failures
from openapi_check import is_current
from openapi_check import validating


def app_answering(body: str, status: int = 200) -> Flask:
    app = Flask(__name__)

    @app.get("/api/profiles")
    def profiles() -> tuple[str, int, dict[str, str]]:
        return body, status, {"Content-Type": "application/vnd.api+json"}

    return validating(app)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"data": [{"type": "list", "id": "x", "attributes": {}, "links": {"self": "s"}}]}', 200),
        ('{"data": [{"type": "profile", "id": "x", "attributes": {}}]}', 200),  # no links.self
        ('{"errors": [{"id": "x", "code": "invalid", "title": "Invalid input."}]}', 400),
        ("{}", 200),
    ],
)
def test_an_answer_that_does_not_fit_is_reported(body: str, status: int) -> None:
    app = app_answering(body, status)
    app.test_client().get("/api/profiles", headers={"revision": "2026-07-15"})
    assert failures(app)


def test_an_answer_that_fits_is_not_reported() -> None:
    body = '{"data": [{"type": "profile", "id": "x", "attributes": {}, "links": {"self": "s"}}]}'
    app = app_answering(body)
    app.test_client().get("/api/profiles", headers={"revision": "2026-07-15"})
    assert failures(app) == []


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/api/profiles", True),
        ("/client/events", True),
        ("/api/track", False),
        ("/api/v2/lists", False),
        ("/__mock__/state", False),
    ],
)
def test_only_todays_api_is_checked(path: str, current: bool) -> None:
    assert is_current(path) is current
