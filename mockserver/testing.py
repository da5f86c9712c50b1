"""pytest fixtures for testing an integration against the mock (a ``pytest11`` plugin).

Installing klaviyo-mock makes them available in every test suite:

- ``klaviyo_mock``: in process. Every request that the code under test sends to Klaviyo's
  hosts (``https://a.klaviyo.com``…) through ``requests``, urllib3 (the official ``klaviyo-api``
  SDK, unchanged) or ``httpx`` is answered by the mock, and no other client can reach them
  (``mockserver.intercept``); nothing listens on a port, and requests to other hosts go out as
  usual. The app is built once a session and reset before each test.
- ``klaviyo_server``: a real server on a free loopback port, for clients the in-process mock
  does not answer (``aiohttp``, code in another process). One server per test session;
  ``klaviyo_live`` resets it for each test.

Both fixtures hand the test a :class:`KlaviyoMock`: reset, load or run a scenario, list and find
profiles, events, lists and metrics, the calls made, the duplicate groups, the journal, a
recording of the session as a scenario, and assertions whose failures explain themselves
(strict mode: no call dropped). ``--klaviyo-mock-url`` makes them all drive a mock that is
already running; the plugin then needs none of the server's packages.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlencode

import pytest
import responses

from .domain.models import IdentifierKind
from .intercept import KLAVIYO_URL
from .intercept import Forward
from .intercept import intercept
from .intercept import send_direct

if TYPE_CHECKING:  # the server's packages are imported where an app is made: with
    from flask import Flask  # --klaviyo-mock-url the plugin needs only requests and responses

IDENTIFIER_KEYS = tuple(kind.value for kind in IdentifierKind)

#: How the journal's decisions begin when a call lost something (strict mode fails on them).
DROPPED = ("dropped", "ignored", "skipped")

# (method, path, params, body) -> (status, json)
Transport = Callable[[str, str, dict[str, str] | None, bytes | None], tuple[int, Any]]


@contextmanager
def mock_klaviyo(target: Flask | Forward) -> Iterator[responses.RequestsMock]:
    """Answer every request to Klaviyo's hosts from this process with ``target`` (an app, or
    ``Forward(url)`` for a mock running elsewhere), whatever the HTTP client; let requests to
    other hosts through (``intercept`` says how). Yields the ``RequestsMock`` that answers
    ``requests``."""
    with intercept(target) as mock:
        yield mock


class DuplicatesError(AssertionError):
    """The duplicates report is not what the test expected; the message says why."""


@dataclass
class KlaviyoMock:
    """One handle on a mock, in process or over HTTP, through its admin API (``/__mock__``).

    ``url`` is where to point a client (``https://a.klaviyo.com`` in process); ``api_url`` is
    ``url + "/api"``, the form legacy clients take (``test_host=``, ``api_server=``).
    """

    url: str
    transport: Transport
    #: In process: the ``responses.RequestsMock`` that answers ``requests`` calls to Klaviyo's
    #: hosts (a test's own ``responses`` stubs work beside it: ``mockserver.intercept``).
    responses: responses.RequestsMock | None = None
    #: Strict mode: the fixture fails the test, after it ran, if a call was dropped or in part
    #: ignored (``assert_nothing_dropped``). ``--klaviyo-mock-strict`` sets it for every test;
    #: a test may set it itself.
    strict: bool = False

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Any:
        status, payload = self.transport(method, f"/__mock__{path}", params, body)
        if status != 200:
            detail = payload["errors"][0]["detail"] if isinstance(payload, dict) else payload
            raise RuntimeError(f"{method} /__mock__{path}: {status} {detail}")
        return payload

    @staticmethod
    def _params(account: str | None, **more: str | int | None) -> dict[str, str]:
        params = {k: str(v) for k, v in more.items() if v is not None}
        if account is not None:
            params["account"] = account
        return params

    def reset(self, account: str | None = None) -> None:
        """Forget the state of one account (a public key), or everything."""
        self._call("POST", "/reset", self._params(account))

    def load_scenario(self, path: str | Path) -> dict[str, str]:
        """Declare a scenario's accounts and put its given state in; returns the named profiles'
        ids (``{"Betty": "01J…"}``)."""
        path = Path(path)
        loaded = self._call("POST", "/scenario", {"name": str(path)}, path.read_bytes())
        profiles: dict[str, str] = loaded["profiles"]
        return profiles

    def run_scenario(self, path: str | Path) -> str:
        """Run a scenario file (given, steps, expectations); raise AssertionError with its
        report if any expectation fails. Returns the report."""
        path = Path(path)
        result = self._call(
            "POST", "/scenario", {"name": str(path), "run": "true"}, path.read_bytes()
        )
        if not result["passed"]:
            raise AssertionError(result["report"])
        report: str = result["report"]
        return report

    def profiles(self, account: str | None = None) -> list[dict[str, Any]]:
        """Every profile: ``id``, ``email``, ``external_id``, ``phone_number``, ``exchange_id``,
        ``attributes``, ``properties``, ``former_identifiers``, ``created``, ``updated``."""
        listed: list[dict[str, Any]] = self._call("GET", "/profiles", self._params(account))[
            "profiles"
        ]
        return listed

    def find_profile(self, account: str | None = None, **identifier: str) -> dict[str, Any] | None:
        """The profile holding one identifier: ``find_profile(email="a@b.com")``."""
        if len(identifier) != 1 or not set(identifier) <= set(IDENTIFIER_KEYS):
            raise TypeError(
                f"find_profile takes exactly one of {', '.join(IDENTIFIER_KEYS)};"
                f" got {', '.join(identifier) or 'none'}"
            )
        if not all(isinstance(value, str) and value for value in identifier.values()):
            raise TypeError(f"find_profile needs a non-empty string, got {identifier!r}")
        found = self._call("GET", "/profiles", self._params(account, **identifier))["profiles"]
        return found[0] if found else None

    def duplicates(self, account: str | None = None) -> list[dict[str, Any]]:
        """Groups of profiles that evidence says are one person, with the evidence and the
        journal entries that explain them."""
        groups: list[dict[str, Any]] = self._call("GET", "/duplicates", self._params(account))[
            "groups"
        ]
        return groups

    def journal(
        self,
        identifier: str | None = None,
        path: str | None = None,
        limit: int | None = None,
        account: str | None = None,
    ) -> list[dict[str, Any]]:
        """Calls newest first: what came in, the answer and the decisions in words."""
        params = self._params(account, identifier=identifier, path=path, limit=limit)
        entries: list[dict[str, Any]] = self._call("GET", "/journal", params)["entries"]
        return entries

    def profile(self, account: str | None = None, **identifier: str) -> dict[str, Any]:
        """The one profile with this ``id=`` or identifier (``email=``, ``external_id=``…);
        an ``AssertionError`` listing the profiles when there is none."""
        if set(identifier) == {"id"}:
            found = next((p for p in self.profiles(account) if p["id"] == identifier["id"]), None)
        else:
            found = self.find_profile(account, **identifier)
        if found is None:
            raise AssertionError(
                f"no profile has {_selector(identifier)}; the profiles are:\n"
                + _table(self.profiles(account))
            )
        return found

    def events(
        self,
        profile: str | dict[str, str] | None = None,
        metric: str | None = None,
        account: str | None = None,
    ) -> list[dict[str, Any]]:
        """Events oldest first: all, or a profile's (its id, or ``{"email": …}``), or a
        metric's (its name or id). Each: ``id``, ``profile_id``, ``metric`` (the name),
        ``metric_id``, ``timestamp`` (Unix seconds), ``properties``, ``unique_key``,
        ``created``."""
        profile_id = None
        if isinstance(profile, str):
            profile_id = self.profile(account, id=profile)["id"]
        elif profile is not None:
            profile_id = self.profile(account, **profile)["id"]
        params = self._params(account, profile=profile_id, metric=metric)
        found: list[dict[str, Any]] = self._call("GET", "/events", params)["events"]
        return found

    def metrics(self, account: str | None = None) -> list[dict[str, Any]]:
        """Every metric: ``id``, ``name``, ``created``."""
        found: list[dict[str, Any]] = self._call("GET", "/metrics", self._params(account))[
            "metrics"
        ]
        return found

    def lists(self, account: str | None = None) -> list[dict[str, Any]]:
        """Every list: ``id``, ``name``, ``created``, ``updated``, ``double_opt_in`` and
        ``members``."""
        found: list[dict[str, Any]] = self._call("GET", "/lists", self._params(account))["lists"]
        return found

    def members(self, list_: str, account: str | None = None) -> list[dict[str, Any]]:
        """A list's memberships (by the list's id or name): ``profile_id``, ``status``
        (``member``, ``subscribed``, ``pending``, ``unsubscribed``…) and ``at``."""
        lists = self.lists(account)
        found = [r for r in lists if list_ in (r["id"], r["name"])]
        if len(found) != 1:
            shown = ", ".join(f"{r['id']} {r['name']!r}" for r in lists) or "none"
            many = "several lists are" if found else "no list is"
            raise AssertionError(f"{many} {list_!r}; the lists are: {shown}")
        members: list[dict[str, Any]] = found[0]["members"]
        return members

    def calls(
        self, method: str | None = None, path: str | None = None, account: str | None = None
    ) -> list[dict[str, Any]]:
        """Journal entries oldest first, of one method and of paths starting with ``path``
        (each as ``journal()`` shows it)."""
        entries = self.journal(path=path, account=account)
        return [e for e in reversed(entries) if method is None or e["method"] == method.upper()]

    def assert_called(
        self,
        method: str,
        path: str,
        times: int | None = None,
        account: str | None = None,
    ) -> None:
        """At least one call (``times``: exactly that many) of ``method`` to paths starting
        with ``path``; the failure lists the calls that were made."""
        made = self.calls(method, path, account)
        if (times is None and made) or len(made) == times:
            return
        wanted = "at least one call" if times is None else f"{times} call(s)"
        everything = self.calls(account=account)
        listed = "\n".join(
            f"  #{e['id']} {e['method']} {e['path']} -> {e['status']}" for e in everything
        )
        raise AssertionError(
            f"expected {wanted} of {method.upper()} {path}, found {len(made)}; the calls were:\n"
            + (listed or "  (none)")
        )

    def assert_profile_count(self, count: int, account: str | None = None) -> None:
        profiles = self.profiles(account)
        if len(profiles) != count:
            raise AssertionError(
                f"expected {count} profile(s), found {len(profiles)}:\n{_table(profiles)}"
            )

    def dropped(self, account: str | None = None) -> list[dict[str, Any]]:
        """Calls oldest first that dropped or ignored something and said so only in the
        journal (Klaviyo answers them as if all went well: ``1``, 202): a bad public key, an
        invalid identifier, an event outside Klaviyo's window, a member with no identifier."""
        return [
            e
            for e in reversed(self.journal(account=account))
            if any(d.startswith(DROPPED) for d in e["decisions"])
        ]

    def assert_nothing_dropped(self, account: str | None = None) -> None:
        """What strict mode checks after each test: no call was dropped or in part ignored."""
        dropped = self.dropped(account)
        if dropped:
            lines = [
                f"  journal #{e['id']} {e['method']} {e['path']} -> {e['status']}: "
                + "; ".join(d for d in e["decisions"] if d.startswith(DROPPED))
                for e in dropped
            ]
            raise AssertionError(
                f"{len(dropped)} call(s) answered as if all went well dropped or ignored"
                " something:\n" + "\n".join(lines)
            )

    def record(self, path: str | Path | None = None, account: str | None = None) -> str:
        """The calls since the last reset (or scenario load) as a scenario file that replays
        them: the state they started from, the calls, the state they reached. Written to
        ``path`` too when one is given; run it with ``run_scenario``."""
        text = str(self._call("GET", "/journal", self._params(account, format="scenario")))
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def assert_no_duplicates(self, account: str | None = None) -> None:
        groups = self.duplicates(account)
        if groups:
            raise DuplicatesError(
                f"expected no duplicate profiles, found {len(groups)} group(s):\n"
                + _explain(groups)
            )

    def assert_duplicates(
        self, *expected: list[str | dict[str, str]], account: str | None = None
    ) -> None:
        """Assert the exact duplicate groups. Each group lists two or more profiles, by id or by
        one identifier: ``assert_duplicates([{"external_id": "u1"}, {"email": "b@x.com"}])``.
        With no group, it asserts there are none (as ``assert_no_duplicates``)."""
        wanted: list[frozenset[str]] = []
        labels: dict[str, str] = {}
        for group in expected:
            if not isinstance(group, list | tuple) or len(group) < 2:
                raise TypeError(
                    "each group is a list of two or more profiles (ids or {kind: value}),"
                    f" got {group!r}"
                )
            ids = set()
            for ref in group:
                profile = self._resolve(ref, account)
                if profile["id"] in ids:
                    raise DuplicatesError(f"{ref} is the same profile as another one of {group}")
                ids.add(profile["id"])
                labels[profile["id"]] = ref if isinstance(ref, str) else _selector(ref)
            wanted.append(frozenset(ids))
        groups = self.duplicates(account)
        found = [frozenset(p["id"] for p in g["profiles"]) for g in groups]
        if sorted(map(sorted, wanted)) != sorted(map(sorted, found)):
            shown = [sorted(labels[pid] for pid in g) for g in wanted]
            raise DuplicatesError(
                f"expected duplicate groups {shown}, found {len(groups)} group(s):\n"
                + (_explain(groups) or "  (none)")
                + f"\nthe profiles are:\n{_table(self.profiles(account))}"
            )

    def _resolve(self, ref: str | dict[str, str], account: str | None) -> dict[str, Any]:
        if isinstance(ref, str):
            for profile in self.profiles(account):
                if profile["id"] == ref:
                    return profile
            raise DuplicatesError(
                f"no profile has id {ref}; the profiles are:\n{_table(self.profiles(account))}"
            )
        if not isinstance(ref, dict):
            raise TypeError(f"a profile is an id or {{kind: value}}, got {ref!r}")
        found = self.find_profile(account, **ref)
        if found is None:
            profiles = _table(self.profiles(account))
            raise DuplicatesError(f"no profile has {_selector(ref)}; the profiles are:\n{profiles}")
        return found


def _selector(ref: dict[str, str]) -> str:
    return ", ".join(f"{kind} {value}" for kind, value in ref.items())


def _label(profile: dict[str, Any]) -> str:
    ids = ", ".join(
        f"{k} {profile[k]}"
        for k in ("email", "external_id", "phone_number", "exchange_id")
        if profile.get(k)
    )
    return f"{profile['id']} ({ids or 'no identifier'})"


def _table(profiles: list[dict[str, Any]]) -> str:
    return "\n".join(f"  {_label(p)}" for p in profiles) or "  (none)"


def _explain(groups: list[dict[str, Any]]) -> str:
    lines = []
    for n, group in enumerate(groups, 1):
        lines.append(f"  group {n}: " + "; ".join(_label(p) for p in group["profiles"]))
        lines += [f"    because {e['detail']}" for e in group["evidence"]]
        for entry in group["journal"][:5]:
            decided = "; ".join(entry["decisions"])
            lines.append(f"    journal #{entry['id']} {entry['method']} {entry['path']}: {decided}")
    return "\n".join(lines)


def in_process(app: Flask) -> KlaviyoMock:
    """A handle on ``app`` that calls its admin API in process."""
    client = app.test_client()

    def transport(
        method: str, path: str, params: dict[str, str] | None, body: bytes | None
    ) -> tuple[int, Any]:
        response = client.open(path, method=method, query_string=params, data=body)
        if response.is_json:
            return response.status_code, response.get_json(silent=True)
        return response.status_code, response.get_data(as_text=True)

    return KlaviyoMock(KLAVIYO_URL, transport)


def over_http(url: str) -> KlaviyoMock:
    """A handle on a running server (``python run.py``) at ``url``.

    It talks to the server with the standard library, not ``requests``, so that a test's own
    ``responses`` mock (which patches ``requests``) cannot intercept it."""
    base = url.rstrip("/")

    def transport(
        method: str, path: str, params: dict[str, str] | None, body: bytes | None
    ) -> tuple[int, Any]:
        query = f"?{urlencode(params)}" if params else ""
        status, _, text = send_direct(method, base + path + query, {}, body)
        try:
            return status, json.loads(text)
        except json.JSONDecodeError:
            return status, text.decode("utf-8", "replace")

    return KlaviyoMock(base, transport)


@dataclass
class LiveServer:
    url: str
    #: The app it serves, when this session started it (None: a mock running elsewhere).
    app: Flask | None


@contextmanager
def serve(app: Flask, host: str = "127.0.0.1", port: int = 0) -> Iterator[LiveServer]:
    """Serve ``app`` with waitress on ``port`` (0: a free one) in a background thread.

    waitress stops cleanly only from its own loop: the loop polls a stop flag, then lets the
    worker threads finish before it closes the sockets (closing them from another thread while
    a kept-alive connection is served makes waitress log a bad file descriptor)."""
    import waitress

    from .server import MAX_REQUEST_LINE

    server = waitress.create_server(
        app,
        host=host,
        port=port,
        threads=8,
        ident="klaviyo-mock",
        max_request_header_size=MAX_REQUEST_LINE,
    )
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        server.asyncore.close_all(server._map)

    thread = threading.Thread(target=loop, name="klaviyo-mock", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://{host}:{server.effective_port}", app)
    finally:
        stop.set()
        thread.join(10)


# -- the pytest plugin ---------------------------------------------------------------------

URL_VARIABLE = "KLAVIYO_MOCK_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("klaviyo-mock")
    group.addoption(
        "--klaviyo-mock-url",
        default=None,
        help="drive a mock that is already running at this URL (reset through its admin API)"
        f" instead of starting one; also ${URL_VARIABLE}",
    )
    group.addoption(
        "--klaviyo-mock-port",
        type=int,
        default=0,
        help="the port klaviyo_server listens on (default: a free one)",
    )
    group.addoption(
        "--klaviyo-mock-strict",
        action="store_true",
        default=False,
        help="fail each test that used a mock fixture when one of its calls was dropped or in"
        " part ignored (a bad public key, an invalid email…), naming the journal entry",
    )


def _create_app() -> Callable[..., Flask]:
    """``create_app``, or a failure saying what to install: without the ``server`` extra
    the plugin can only drive a mock that runs elsewhere."""
    try:
        from .app import create_app
    except ImportError as error:
        pytest.fail(
            f"klaviyo-mock: a mock in this process needs the server's packages ({error}):"
            " install klaviyo-mock[server], or drive a running mock with --klaviyo-mock-url",
            pytrace=False,
        )
    return create_app


def running_url(config: pytest.Config) -> str | None:
    """The URL of a mock that is already running, if the session was given one. Several
    pytest-xdist workers would reset that one mock under each other's tests: refused."""
    url = config.getoption("klaviyo_mock_url") or os.environ.get(URL_VARIABLE) or None
    if url and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.fail(
            "klaviyo-mock: --klaviyo-mock-url is one mock, which each test resets: run the"
            " tests that use it on one pytest-xdist worker (-n 0, or --dist loadgroup with"
            " @pytest.mark.xdist_group), or give each worker its own mock",
            pytrace=False,
        )
    return str(url).rstrip("/") if url else None


@contextmanager
def _checked(handle: KlaviyoMock, config: pytest.Config) -> Iterator[KlaviyoMock]:
    handle.strict = bool(config.getoption("klaviyo_mock_strict"))
    yield handle
    if handle.strict:
        handle.assert_nothing_dropped()


@pytest.fixture(scope="session")
def klaviyo_mock_app() -> Flask:
    """The app the in-process fixture answers with: built once a session (the whole route
    table), reset before each test."""
    return _create_app()({"TESTING": True})


@pytest.fixture
def klaviyo_mock(request: pytest.FixtureRequest) -> Iterator[KlaviyoMock]:
    """A mock with nothing in it, answering every request this process sends to Klaviyo's
    hosts, whatever the HTTP client (``mockserver.intercept``): the session's app in process,
    or, with ``--klaviyo-mock-url``, the mock running there."""
    url = running_url(request.config)
    if url is not None:
        handle = over_http(url)
        handle.reset()
        target: Flask | Forward = Forward(url)
    else:
        from .app import service_of

        app: Flask = request.getfixturevalue("klaviyo_mock_app")
        service_of(app).reset()
        handle, target = in_process(app), app
    with mock_klaviyo(target) as mock, _checked(handle, request.config):
        handle.responses = mock
        yield handle


@pytest.fixture(scope="session")
def klaviyo_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """One real server for the whole session: on a free loopback port (or
    ``--klaviyo-mock-port``), or the mock running at ``--klaviyo-mock-url``."""
    url = running_url(request.config)
    if url is not None:
        yield LiveServer(url, None)
        return
    with serve(_create_app()(), port=request.config.getoption("klaviyo_mock_port")) as server:
        yield server


@pytest.fixture
def klaviyo_live(
    klaviyo_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[KlaviyoMock]:
    """A handle on the session's live server, reset before the test."""
    handle = over_http(klaviyo_server.url)
    handle.reset()
    with _checked(handle, request.config):
        yield handle
