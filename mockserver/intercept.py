"""In process, for every HTTP client: Klaviyo's hosts answered by an app, never the network.

:func:`intercept` routes every request to Klaviyo's hosts (``klaviyo.com`` and its subdomains:
``a.klaviyo.com`` and the others Klaviyo's clients use) to a mock app, through the client's own
well-kept interception library, and lets requests to other hosts through untouched:

- ``requests``: ``responses`` (a ``RequestsMock`` of the mock's own). A test's own ``responses``
  stubs keep working beside it: Klaviyo's hosts are added to the pass-through list of
  ``responses``' default mock, so a Klaviyo call the test did not stub reaches the mock;
- ``urllib3`` 2 (the official ``klaviyo-api`` SDK, unchanged): ``compat.route_urllib3``;
- ``httpx``, sync and async: respx, when it is installed (``klaviyo-mock[httpx]``);
- any other client (``aiohttp``, ``http.client``, ``urllib.request``…), and ``httpx`` without
  respx: the guard. Looking up a Klaviyo host fails with :class:`NotIntercepted`, whose message
  names the fixture and what to do, so that no request to Klaviyo can leave the process.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import ExitStack
from contextlib import contextmanager
from typing import TYPE_CHECKING
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import requests
import responses

from .compat import Answer
from .compat import body_bytes
from .compat import route_urllib3
from .compat import supported

if TYPE_CHECKING:
    from flask import Flask

KLAVIYO_URL = "https://a.klaviyo.com"
#: A URL on one of Klaviyo's hosts (``responses`` matches URLs, with their query).
KLAVIYO = re.compile(r"^https?://([^/?#@]*\.)?klaviyo\.com(:\d+)?([/?#].*)?$", re.IGNORECASE)
#: Any other URL (what the mock's ``RequestsMock`` lets through).
ELSEWHERE = re.compile(r"^(?!https?://([^/?#@]*\.)?klaviyo\.com(:\d+)?([/?#]|$))", re.IGNORECASE)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_BRIDGE = "klaviyo_mock.bridge"
#: How a body travelled; the app gets it whole.
_FRAMING = {"transfer-encoding", "content-length"}


def is_klaviyo(host: str | None) -> bool:
    """Whether a host name is one of Klaviyo's (``klaviyo.com`` or below it)."""
    name = (host or "").rstrip(".").lower()
    return name == "klaviyo.com" or name.endswith(".klaviyo.com")


class NotIntercepted(socket.gaierror):
    """A request to one of Klaviyo's hosts from a client the in-process mock does not answer:
    the lookup of the host fails (a ``gaierror``, so that every client reports it as a failed
    lookup, with this message)."""


def _refusal(host: str) -> NotIntercepted:
    return NotIntercepted(
        socket.EAI_NONAME,
        f"klaviyo-mock: {host} is one of Klaviyo's hosts, and the in-process mock (the"
        " klaviyo_mock fixture, mock_klaviyo()) does not answer this HTTP client, so the request"
        " was stopped before it left the process. In process the mock answers requests, urllib3"
        " (the official klaviyo-api SDK) and httpx (with klaviyo-mock[httpx] installed); for any"
        " other client, point it at a live mock (the klaviyo_live fixture's url) instead.",
    )


class Bridge:
    """Hands a request to the app (Flask's test client) and returns its answer. One per app
    (:meth:`of`), with what routing to it costs to build (respx's router)."""

    def __init__(self, app: Flask) -> None:
        self._client = app.test_client()
        self.httpx_router: Any = None

    @classmethod
    def of(cls, app: Flask) -> Bridge:
        found: Bridge | None = app.extensions.get(_BRIDGE)
        if found is None:
            found = app.extensions[_BRIDGE] = cls(app)
        return found

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        parts = urlsplit(url)
        response = self._client.open(
            parts.path or "/",
            # the links of the answer name the host the client called, as Klaviyo's do
            base_url=f"{parts.scheme}://{parts.netloc}",
            method=method,
            query_string=parts.query,
            headers={k: v for k, v in headers.items() if k.lower() not in _FRAMING},
            data=body,
        )
        kept = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return response.status_code, kept, response.get_data()


#: Opens URLs without the environment's proxies: the way to a mock running on this machine or
#: beside it is never through ``http_proxy``.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send_direct(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float = 60
) -> Answer:
    """One call to a running mock with the standard library (which none of the routes here
    intercepts, and which no ``responses`` mock of a test's reaches), without proxies: its
    status, headers and body, whatever the status."""
    call = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with _DIRECT.open(call, timeout=timeout) as answer:
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, list(error.headers.items()), error.read()


class Forward:
    """Hands a request to a mock running elsewhere (``--klaviyo-mock-url``) over HTTP, with the
    standard library (which none of the routes above intercepts), and returns its answer."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.httpx_router: Any = None

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        parts = urlsplit(url)
        target = self.url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kept = {k: v for k, v in headers.items() if k.lower() not in _FRAMING | {"host"}}
        status, pairs, data = send_direct(method, target, kept, body)
        shown = [(k, v) for k, v in pairs if k.lower() not in _FRAMING | {"connection"}]
        return status, shown, data


Target = Bridge | Forward


def _requests_mock(bridge: Target) -> responses.RequestsMock:
    def callback(request: requests.PreparedRequest) -> tuple[int, Any, bytes]:
        status, headers, data = bridge(
            request.method or "GET", request.url or "", request.headers, body_bytes(request.body)
        )
        return status, headers, data

    # Other hosts go on to whatever sends for requests now: a test's own ``RequestsMock``
    # started before this one keeps answering them.
    mock_ = responses.RequestsMock(
        assert_all_requests_are_fired=False,
        real_adapter_send=requests.adapters.HTTPAdapter.send,
    )
    # One callback per method, none overlapping: ``responses`` drops one of two mocks that
    # match the same request.
    for method in METHODS:
        mock_.add_callback(method, KLAVIYO, callback=callback)
    mock_.add_passthru(ELSEWHERE)
    return mock_


@contextmanager
def _httpx(bridge: Target) -> Iterator[None]:
    try:
        import httpx
        import respx
    except ImportError:  # no httpx: nothing to route; httpx without respx: the guard stops it
        yield
        return

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers, data = bridge(
            request.method, str(request.url), request.headers, request.content
        )
        return httpx.Response(status, headers=headers, content=data)

    router = bridge.httpx_router
    if router is None:  # built once an app: its routes cost more than starting it
        # ``using="httpx"``: respx patches httpx's two transports, not httpcore's pools.
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True, using="httpx")
        router.route(host__regex=r"(?i)^([^.]+\.)*klaviyo\.com\.?$").mock(side_effect=answer)
        router.route().pass_through()
        bridge.httpx_router = router
    with router:
        yield


@contextmanager
def _guard() -> Iterator[None]:
    """Refuse to look up Klaviyo's hosts: a client that got past the routes above would
    otherwise connect to Klaviyo."""
    lookup = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and is_klaviyo(name):
            raise _refusal(name)
        return lookup(host, *args, **kwargs)

    with mock.patch.object(socket, "getaddrinfo", getaddrinfo):
        yield


@contextmanager
def intercept(target: Flask | Forward) -> Iterator[responses.RequestsMock]:
    """Route every request to Klaviyo's hosts, from any client in this process, to an app (in
    process) or to a running mock (``Forward``) while the block runs; yields the
    ``RequestsMock`` that answers ``requests``."""
    bridge = target if isinstance(target, Forward) else Bridge.of(target)
    with ExitStack() as stack:
        stack.enter_context(_guard())
        if supported():  # urllib3 1.x (beside an older application): the guard stops its calls
            stack.enter_context(route_urllib3(is_klaviyo, bridge))
        stack.enter_context(_httpx(bridge))
        requests_mock = stack.enter_context(_requests_mock(bridge))
        stack.enter_context(_through(responses.mock))
        yield requests_mock


@contextmanager
def _through(default: responses.RequestsMock) -> Iterator[None]:
    """A test's own ``responses`` stubs (``responses.add``, ``@responses.activate``) go to the
    default mock: while the mock is active, a Klaviyo call the test has no stub for passes
    through it, on to urllib3 and so to the mock, instead of failing."""
    default.add_passthru(KLAVIYO)
    try:
        yield
    finally:  # take one away: a mock started around this one keeps its own
        kept = list(default.passthru_prefixes)
        if KLAVIYO in kept:
            kept.reverse()
            kept.remove(KLAVIYO)
            kept.reverse()
        default.passthru_prefixes = tuple(kept)
