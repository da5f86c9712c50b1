"""``python run.py``: serve the mock with waitress (one process, threads, state in memory).

Settings come from defaults, then ``KLAVIYO_MOCK_*`` environment variables, then the command
line. Ctrl-C or SIGTERM stops the server cleanly: requests in flight finish, and with ``--db``
the state is saved before the process exits.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import waitress
from flask import Flask

from . import __version__
from . import scenario
from .app import create_app
from .app import service_of
from .app import store_of
from .config import APP_DEFAULTS
from .config import SERVER_DEFAULTS
from .config import from_env
from .domain.accounts import AccountConfigError
from .store import StateFileError

log = logging.getLogger("klaviyo_mock")

#: Track/Identify carry their payload base64-encoded in the query: let a GET carry as much as a
#: POST may (5 MB, 4/3 larger as base64), instead of waitress's 256 kB header limit.
MAX_REQUEST_LINE = 8 * 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (0 to 65535)")
    return port


def _seconds(text: str) -> float:
    seconds = float(text)
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{text}: must be more than 0 and at most 3600 seconds")
    return seconds


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return number


def parse_args(argv: Sequence[str] | None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="A Klaviyo-compatible mock server. Every option can also be set as an "
        "environment variable KLAVIYO_MOCK_<OPTION>, e.g. KLAVIYO_MOCK_PORT=9000 "
        "(--account: KLAVIYO_MOCK_ACCOUNTS, space-separated; KLAVIYO_MOCK_LEGACY_ALIASES=false "
        "stops unprefixed email/id/phone_number from identifying).",
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1: loopback only)")
    parser.add_argument("--port", type=_port, help="port to listen on (default 8080; 0 picks one)")
    parser.add_argument("--db", metavar="PATH", help="keep the state in this JSON file")
    parser.add_argument(
        "--flush-interval",
        type=_seconds,
        metavar="SECONDS",
        help="with --db: write changes to disk this often (default 1 s: what a kill -9 may lose)",
    )
    parser.add_argument(
        "--durable",
        action="store_true",
        default=None,
        help="with --db: write each call's changes to disk before answering it",
    )
    parser.add_argument(
        "--account",
        action="append",
        dest="accounts",
        metavar="PUBLIC:PRIVATE[,PRIVATE]",
        help="declare an account (repeatable); without any, one open account takes any key",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        metavar="FILE",
        help="load a scenario's accounts and given state before serving (repeatable)",
    )
    parser.add_argument(
        "--check",
        nargs="+",
        metavar="FILE",
        help="run scenario files (each on a fresh state), print their reports and exit: "
        "0 if all pass, 1 if any fails",
    )
    parser.add_argument(
        "--legacy",
        choices=("on", "gone"),
        help="gone: every legacy endpoint answers 410 Gone, as Klaviyo has since 2024-06-30",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="on stop, write the default account's calls since the start (or the last reset or"
        " scenario load) to FILE as a scenario that replays them",
    )
    parser.add_argument("--seed", type=int, help="make generated ids the same on every run")
    parser.add_argument("--threads", type=_positive, help="worker threads (default 8)")
    parser.add_argument("--quiet", action="store_true", default=None, help="no request log")
    parser.add_argument("--version", action="version", version=f"klaviyo-mock {__version__}")
    args = parser.parse_args(argv)
    return {k.upper(): v for k, v in vars(args).items() if v is not None}


def settings(argv: Sequence[str] | None, environ: Mapping[str, str]) -> dict[str, Any]:
    """Defaults < environment < command line."""
    defaults: dict[str, Any] = {"SCENARIOS": [], "CHECK": None}
    config = {
        **APP_DEFAULTS,
        **SERVER_DEFAULTS,
        **defaults,
        **from_env(environ),
        **parse_args(argv),
    }
    _port(str(config["PORT"]))
    _positive(str(config["THREADS"]))
    _seconds(str(config["FLUSH_INTERVAL"]))
    return config


def check(config: Mapping[str, Any], paths: Sequence[str]) -> int:
    """Run scenario files, each on a fresh app, and print their reports."""
    failed = 0
    for path in paths:
        app = create_app({k: v for k, v in config.items() if k in APP_DEFAULTS and k != "DB"})
        try:
            report = scenario.run(service_of(app), app.test_client(), scenario.load(path))
        except scenario.ScenarioError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        print(report.text())
        failed += not report.passed
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


class RequestLog:
    """WSGI middleware that logs one line per request."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        status: list[str] = []

        def start(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            query = environ.get("QUERY_STRING", "")
            target = environ.get("PATH_INFO", "") + (f"?{query[:80]}" if query else "")
            if len(query) > 80:
                target += "…"
            elapsed = (time.perf_counter() - started) * 1000
            log.info(
                '%s "%s %s" %s %.1f ms',
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                target,
                status[0] if status else "-",
                elapsed,
            )


def _stopper() -> Callable[[int, object], None]:
    """A signal handler that stops the server once: waitress's loop catches the first
    ``SystemExit``, lets requests in flight finish and returns; a second signal, which may
    come while waitress winds down, is ignored rather than cutting the shutdown short."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise SystemExit(0)

    return stop


def _record(app: Flask, path: str) -> None:
    klaviyo = service_of(app)
    try:
        text = scenario.record(klaviyo, klaviyo.default_account)
        Path(path).write_text(text, encoding="utf-8")
    except (scenario.RecordError, OSError) as error:
        log.error("klaviyo-mock: not recorded to %s: %s", path, error)
        return
    log.warning("klaviyo-mock: calls recorded to %s", path)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(format="%(asctime)s %(message)s", level=logging.INFO, stream=sys.stderr)
    try:
        config = settings(argv, os.environ)
        if config["CHECK"]:
            return check(config, config["CHECK"])
        app = create_app({k: v for k, v in config.items() if k in APP_DEFAULTS})
        fresh = store_of(app).document_count() == 0
        for path in config["SCENARIOS"]:
            if not fresh:  # the state file already holds it, or something else
                log.warning("klaviyo-mock: %s holds state; not loading %s", config["DB"], path)
                continue
            loaded = scenario.seed(service_of(app), scenario.load(path))
            log.warning(
                "klaviyo-mock: loaded scenario %s (%s)", path, ", ".join(loaded.names) or "no names"
            )
    except (
        StateFileError,
        AccountConfigError,
        scenario.ScenarioError,
        argparse.ArgumentTypeError,
        ValueError,
    ) as error:
        log.error("klaviyo-mock: %s", error)
        return 2
    if config["QUIET"]:
        logging.getLogger("klaviyo_mock").setLevel(logging.WARNING)
    # waitress warns whenever requests queue for a thread: normal for a mock under a load test
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    wsgi: WSGIApp = app if config["QUIET"] else RequestLog(app)
    try:
        server = waitress.create_server(
            wsgi,
            host=config["HOST"],
            port=config["PORT"],
            threads=config["THREADS"],
            ident="klaviyo-mock",
            max_request_header_size=MAX_REQUEST_LINE,
        )
    except (OSError, ValueError) as error:
        log.error("klaviyo-mock: cannot listen on %s:%s: %s", config["HOST"], config["PORT"], error)
        return 2
    stop = _stopper()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    # What start-up made (modules, the app, a state loaded from --db) lives as long as the
    # server: keep the cyclic collector from walking it again and again.
    gc.freeze()
    if config["DB"]:
        every = "each call" if config["DURABLE"] else f"every {config['FLUSH_INTERVAL']:g} s"
        state = f"state file {config['DB']}, changes written {every}"
    else:
        state = "state in memory"
    accounts = len(config["ACCOUNTS"]) or "open"
    log.warning(
        "klaviyo-mock %s listening on http://%s:%s (%s; accounts: %s)",
        __version__,
        config["HOST"],
        server.effective_port,
        state,
        accounts,
    )
    try:
        server.run()
    except SystemExit:  # the stop signal, raised outside waitress's loop
        pass
    finally:
        # A second Ctrl-C or SIGTERM (make forwards one, a supervisor may send another) must
        # not cut the save short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if config["RECORD"]:
            _record(app, config["RECORD"])
        store_of(app).close()
        if config["DB"]:
            log.warning("klaviyo-mock: state saved to %s", config["DB"])
    log.warning("klaviyo-mock: stopped")
    return 0
