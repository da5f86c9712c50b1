from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_check import failures
from openapi_check import validating

from mockserver import create_app
from mockserver.domain.service import Klaviyo
from mockserver.testing import KlaviyoMock
from mockserver.testing import LiveServer
from mockserver.testing import in_process
from mockserver.testing import mock_klaviyo
from mockserver.testing import over_http
from mockserver.testing import serve

pytest_plugins = ["pytester"]

PUBLIC = "AbC123"
PRIVATE = "pk_" + "a1" * 17
OTHER_PUBLIC = "XyZ789"
OTHER_PRIVATE = "pk_" + "b2" * 17


@pytest.fixture
def app() -> Iterator[Flask]:
    """A fresh app whose current-API answers are checked against Klaviyo's OpenAPI document."""
    app = validating(create_app({"TESTING": True}))
    yield app
    assert not failures(app), "answers that do not fit stable.json:\n" + "\n".join(failures(app))


@pytest.fixture
def two_accounts() -> Iterator[Flask]:
    """A fresh app with two declared accounts (``PUBLIC``/``PRIVATE``, ``OTHER_…``), checked
    against the document as ``app`` is."""
    accounts = [f"{PUBLIC}:{PRIVATE}", f"{OTHER_PUBLIC}:{OTHER_PRIVATE}"]
    app = validating(create_app({"TESTING": True, "ACCOUNTS": accounts}))
    yield app
    assert not failures(app), "answers that do not fit stable.json:\n" + "\n".join(failures(app))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def klaviyo(app: Flask) -> Klaviyo:
    return app.extensions["klaviyo_mock"]


def run_scenario_text(text: str, name: str = "test.yaml"):
    """Load a scenario from text and run it on a fresh app; its report."""
    from mockserver import scenario

    app = validating(create_app({"TESTING": True}))
    report = scenario.run(
        app.extensions["klaviyo_mock"], app.test_client(), scenario.load(name, text)
    )
    assert not failures(app), "\n".join(failures(app))
    return report


# The plugin's fixtures (mockserver.testing), with every current-API answer checked against
# stable.json, as the `app` fixture does: the README's examples and the scenario files use them.


@pytest.fixture
def klaviyo_mock() -> Iterator[KlaviyoMock]:
    app = validating(create_app({"TESTING": True}))
    with mock_klaviyo(app) as mock:
        handle = in_process(app)
        handle.responses = mock
        yield handle
    assert not failures(app), "\n".join(failures(app))


@pytest.fixture(scope="session")
def klaviyo_server() -> Iterator[LiveServer]:
    with serve(validating(create_app())) as server:
        yield server


@pytest.fixture
def klaviyo_live(klaviyo_server: LiveServer) -> Iterator[KlaviyoMock]:
    failures(klaviyo_server.app).clear()
    handle = over_http(klaviyo_server.url)
    handle.reset()
    yield handle
    assert not failures(klaviyo_server.app), "\n".join(failures(klaviyo_server.app))


def b64(payload: Any) -> str:
    return base64.b64encode(json.dumps(payload).encode()).decode()


ENCODINGS = ("query-base64", "form-json", "json-body")
KLAVIYO = "https://a.klaviyo.com"


def identify_through_requests(**properties: Any):
    """Identify as code under test would send it with ``requests`` to Klaviyo's host."""
    import requests

    data = b64({"token": PUBLIC, "properties": properties})
    return requests.get(f"{KLAVIYO}/api/identify", params={"data": data}, timeout=10)


def send(client: FlaskClient, endpoint: str, payload: Any, encoding: str = "query-base64"):
    """Send a Track/Identify payload the way one family of real clients does."""
    path = f"/api/{endpoint}"
    if encoding == "query-base64":  # PK, NK, SDK*, RB, PHP GET
        return client.get(path, query_string={"data": b64(payload)})
    if encoding == "form-json":  # PK/NK/SDK*/RB POST
        return client.post(path, data={"data": json.dumps(payload)})
    if encoding == "json-body":  # PHP post=true, Magento 2 since 2022
        return client.post(path, data=json.dumps(payload), content_type="application/json")
    raise ValueError(encoding)


#: What the official Python SDK sends with every call of today's API (current-api.md §9.1).
CURRENT = {"Authorization": "Klaviyo-API-Key pk_test", "revision": "2026-07-15"}


def current(client: FlaskClient, method: str, path: str, body: Any = None, **kwargs: Any):
    """Call today's API as the SDK does: key, revision, ``application/vnd.api+json``."""
    headers = {**CURRENT, **kwargs.pop("headers", {})}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs.setdefault("content_type", "application/vnd.api+json")
    return client.open(path, method=method, headers=headers, **kwargs)


def new_profile(client: FlaskClient, **attributes: Any) -> str:
    """Create a profile through ``POST /api/profiles``; its id."""
    answer = current(
        client, "POST", "/api/profiles", {"data": {"type": "profile", "attributes": attributes}}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.json["data"]["id"])
