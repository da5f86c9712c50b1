"""In process, every HTTP client: the ``klaviyo_mock`` fixture answers Klaviyo's hosts for
requests, urllib3 (the official SDK, unchanged), httpx sync and async; any other client is
stopped with an error naming the fixture; no request ever connects to Klaviyo; other hosts
pass through untouched; a test's own ``responses`` stubs keep working beside the mock."""

from __future__ import annotations

import asyncio
import http.client
import http.server
import ipaddress
import json
import socket
import sys
import threading
import urllib.request
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import responses
import urllib3

from mockserver import create_app
from mockserver.intercept import KLAVIYO
from mockserver.intercept import is_klaviyo
from mockserver.testing import mock_klaviyo

PRIVATE = "pk_" + "c3" * 17
HEADERS = {
    "Authorization": f"Klaviyo-API-Key {PRIVATE}",
    "revision": "2026-07-15",
    "Accept": "application/vnd.api+json",
    "Content-Type": "application/vnd.api+json",
}
PROFILES = "https://a.klaviyo.com/api/profiles"
#: Create or update (the official SDK's ``create_or_update_profile``): one person, one profile.
IMPORT = "https://a.klaviyo.com/api/profile-import"


def profile_body(email: str) -> bytes:
    return json.dumps({"data": {"type": "profile", "attributes": {"email": email}}}).encode()


@pytest.fixture(autouse=True)
def no_real_connection(monkeypatch) -> Iterator[list[Any]]:
    """Fails the test on any connection that is not to this machine (a request that escaped
    the mock would make one)."""
    made: list[Any] = []
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local:
            made.append(address)
            raise AssertionError(f"a real connection to {address} was attempted")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield made
    assert made == []


# -- each client, in process -------------------------------------------------------------------


def with_requests(email: str) -> int:
    return requests.post(IMPORT, data=profile_body(email), headers=HEADERS).status_code


def with_urllib3(email: str) -> int:
    return urllib3.request("POST", IMPORT, body=profile_body(email), headers=HEADERS).status


def with_httpx(email: str) -> int:
    return httpx.post(IMPORT, content=profile_body(email), headers=HEADERS).status_code


def with_httpx_async(email: str) -> int:
    async def send() -> int:
        async with httpx.AsyncClient(headers=HEADERS) as client:
            return (await client.post(IMPORT, content=profile_body(email))).status_code

    return asyncio.run(send())


def with_the_official_sdk(email: str) -> int:
    """``klaviyo-api`` as an integration uses it: no ``test_host``, its own urllib3 pool."""
    from klaviyo_api import KlaviyoAPI

    client = KlaviyoAPI(PRIVATE, max_delay=0, max_retries=0)
    answer = client.Profiles.create_or_update_profile(
        {"data": {"type": "profile", "attributes": {"email": email}}}
    )
    return 201 if answer.data.id else 500


CLIENTS: dict[str, Callable[[str], int]] = {
    "requests": with_requests,
    "urllib3": with_urllib3,
    "httpx": with_httpx,
    "httpx-async": with_httpx_async,
    "official-sdk": with_the_official_sdk,
}


@pytest.mark.parametrize("send", CLIENTS.values(), ids=CLIENTS.keys())
def test_each_client_is_answered_in_process_with_klaviyos_rules(klaviyo_mock, send):
    assert send("ann@example.com") in (200, 201)
    assert send("ANN@example.com") in (200, 201)  # the same person: one profile
    profiles = klaviyo_mock.profiles()
    assert [p["email"] for p in profiles] == ["ann@example.com"]


READERS: dict[str, Callable[[str], Any]] = {
    "requests": lambda url: requests.get(url, headers=HEADERS).json(),
    "urllib3": lambda url: urllib3.request("GET", url, headers=HEADERS).json(),
    "httpx": lambda url: httpx.get(url, headers=HEADERS).json(),
}


@pytest.mark.parametrize("read", READERS.values(), ids=READERS.keys())
def test_links_name_the_host_the_client_called(klaviyo_mock, read):
    with_requests("ann@example.com")
    listing = read(PROFILES)
    assert listing["links"]["self"].startswith(f"{PROFILES}/")
    assert listing["data"][0]["links"]["self"].startswith(f"{PROFILES}/")


def test_the_official_sdk_pages_through_the_mock(klaviyo_mock):
    """The SDK follows ``links.next`` itself: the cursor link names Klaviyo's host, so the next
    page is answered in process too."""
    for n in range(3):
        with_requests(f"p{n}@example.com")
    from klaviyo_api import KlaviyoAPI

    client = KlaviyoAPI(PRIVATE, max_delay=0, max_retries=0)
    first = client.Profiles.get_profiles(page_size=2)
    assert first.links.next.startswith(PROFILES)
    cursor = first.links.next.split("page%5Bcursor%5D=")[-1].split("&")[0]
    second = client.Profiles.get_profiles(page_size=2, page_cursor=cursor)
    assert len(first.data) + len(second.data) == 3


# -- clients the mock does not answer in process -----------------------------------------------


def with_urllib_request() -> None:
    urllib.request.urlopen(urllib.request.Request(PROFILES, headers=HEADERS), timeout=5)


def with_http_client() -> None:
    connection = http.client.HTTPSConnection("a.klaviyo.com", timeout=5)
    connection.request("GET", "/api/profiles", headers=HEADERS)


def with_aiohttp() -> None:
    async def send() -> None:
        async with (
            aiohttp.ClientSession(headers=HEADERS) as session,
            session.get(PROFILES) as answer,
        ):
            await answer.read()

    asyncio.run(send())


UNANSWERED = {
    "urllib.request": with_urllib_request,
    "http.client": with_http_client,
    "aiohttp": with_aiohttp,
}


@pytest.mark.parametrize("send", UNANSWERED.values(), ids=UNANSWERED.keys())
def test_a_client_the_mock_does_not_answer_is_stopped_naming_the_fixture(klaviyo_mock, send):
    with pytest.raises(Exception) as raised:
        send()
    chain = [raised.value]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    text = " ".join(str(e) for e in chain)
    assert "klaviyo_mock fixture" in text
    assert "klaviyo_live" in text


def test_httpx_without_respx_is_stopped_not_sent(klaviyo_mock_app, monkeypatch):
    monkeypatch.setitem(sys.modules, "respx", None)  # import respx fails
    with mock_klaviyo(klaviyo_mock_app), pytest.raises(httpx.ConnectError) as raised:
        httpx.get(PROFILES, headers=HEADERS)
    assert "klaviyo-mock[httpx]" in str(raised.value)


# -- other hosts, and the test's own stubs --------------------------------------------------


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"local")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_other_hosts_pass_through_untouched(klaviyo_mock, local_server):
    assert requests.get(local_server, timeout=5).text == "local"
    assert urllib3.request("GET", local_server).data == b"local"
    assert httpx.get(local_server).text == "local"
    with urllib.request.urlopen(local_server, timeout=5) as answer:
        assert answer.read() == b"local"


def test_a_tests_own_responses_stubs_work_beside_the_mock(klaviyo_mock):
    with responses.RequestsMock() as own:
        own.add(responses.GET, "https://api.example.com/orders", json={"orders": 2})
        own.add(responses.POST, "https://a.klaviyo.com/api/lists", status=429, json={})
        own.add_passthru(KLAVIYO)
        assert requests.get("https://api.example.com/orders").json() == {"orders": 2}
        assert requests.post("https://a.klaviyo.com/api/lists", headers=HEADERS).status_code == 429
        assert with_requests("ann@example.com") == 201  # not stubbed: the mock answers
    assert [p["email"] for p in klaviyo_mock.profiles()] == ["ann@example.com"]


def test_responses_default_mock_passes_klaviyo_on_while_the_mock_is_active(klaviyo_mock_app):
    """``@responses.activate`` and ``responses.add`` use the default mock: a Klaviyo call it has
    no stub for reaches the mock, and only while the mock is active."""
    with mock_klaviyo(klaviyo_mock_app):
        responses.start()
        try:
            responses.add(responses.GET, "https://api.example.com/orders", json={})
            assert requests.get("https://api.example.com/orders").json() == {}
            assert with_requests("ann@example.com") == 201
        finally:
            responses.stop()
            responses.reset()
    assert not any(p is KLAVIYO for p in responses.mock.passthru_prefixes)


def test_klaviyo_is_reachable_again_once_the_mock_is_gone(klaviyo_mock_app):
    with mock_klaviyo(klaviyo_mock_app):
        pass
    assert socket.getaddrinfo.__module__ == "socket"
    assert urllib3.connectionpool.HTTPConnectionPool.urlopen.__module__ == "urllib3.connectionpool"


@pytest.mark.parametrize(
    ("host", "klaviyos"),
    [
        ("a.klaviyo.com", True),
        ("A.Klaviyo.COM.", True),
        ("klaviyo.com", True),
        ("static.klaviyo.com", True),
        ("notklaviyo.com", False),
        ("klaviyo.com.example.org", False),
        ("example.com", False),
        ("", False),
    ],
)
def test_klaviyos_hosts_are_klaviyo_com_and_below(host, klaviyos):
    assert is_klaviyo(host) is klaviyos


def test_the_fixtures_app_is_built_once_and_reset_before_each_test(pytester):
    pytester.makepyfile(
        """
        import requests

        BODY = '{"data": {"type": "profile", "attributes": {"email": "a@b.com"}}}'
        HEADERS = {"Authorization": "Klaviyo-API-Key pk_x", "revision": "2026-07-15",
                   "Content-Type": "application/vnd.api+json"}
        apps = []

        def test_one(klaviyo_mock, klaviyo_mock_app):
            apps.append(klaviyo_mock_app)
            requests.post("https://a.klaviyo.com/api/profiles", data=BODY, headers=HEADERS)
            assert len(klaviyo_mock.profiles()) == 1

        def test_two(klaviyo_mock, klaviyo_mock_app):
            assert klaviyo_mock_app is apps[0]
            assert klaviyo_mock.profiles() == []
        """
    )
    pytester.runpytest("-p", "no:xdist", "-q").assert_outcomes(passed=2)


def test_a_fresh_app_can_be_mocked_directly():
    app = create_app({"TESTING": True})
    with mock_klaviyo(app):
        assert with_httpx("direct@example.com") == 201


def test_the_connection_guard_fails_on_a_real_connection(no_real_connection):
    """The guard above is not vacuous: a connection off this machine is caught."""
    with socket.socket() as sock, pytest.raises(AssertionError, match="real connection"):
        sock.connect(("192.0.2.1", 443))
    assert no_real_connection == [("192.0.2.1", 443)]
    no_real_connection.clear()


def test_a_tests_own_mock_started_first_keeps_its_stubs(klaviyo_mock_app):
    """A suite's own ``RequestsMock`` (an autouse fixture, say) started before the mock: its
    stubs for other hosts keep answering, and Klaviyo's calls reach the mock."""
    with responses.RequestsMock() as own:
        own.add(responses.GET, "https://api.example.com/orders", json={"orders": 1})
        own.add_passthru(KLAVIYO)
        with mock_klaviyo(klaviyo_mock_app):
            assert requests.get("https://api.example.com/orders").json() == {"orders": 1}
            assert with_requests("first@example.com") == 201


def test_plain_http_through_a_proxy_is_answered_not_sent_to_the_proxy(klaviyo_mock):
    proxied = urllib3.ProxyManager("http://127.0.0.1:9")
    answer = proxied.request("GET", "http://a.klaviyo.com/api/profiles", headers=HEADERS)
    assert answer.status == 200
    assert answer.json()["data"] == []
