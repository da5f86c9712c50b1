"""The one wrap of a dependency's method (``mockserver/compat.py``): it fails loudly on a
urllib3 release it was not written for."""

from __future__ import annotations

import inspect

import pytest
from urllib3.connectionpool import HTTPConnectionPool

from mockserver import compat


def test_the_installed_urllib3_is_one_the_wrap_supports():
    assert compat.supported(), (
        f"urllib3 {compat.installed()} is outside {compat.URLLIB3}: check compat.route_urllib3"
        " against its HTTPConnectionPool.urlopen, then widen URLLIB3 and pyproject's range"
    )


def test_urlopen_still_takes_what_the_wrap_passes_and_reads():
    parameters = list(inspect.signature(HTTPConnectionPool.urlopen).parameters)
    assert parameters[:5] == ["self", "method", "url", "body", "headers"]
    assert {"preload_content", "decode_content"} <= set(parameters)


@pytest.mark.parametrize(
    ("version", "supported"),
    [("2.0.0", True), ("2.8.0", True), ("1.26.20", False), ("3.0.0", False)],
)
def test_the_range_is_urllib3_2(version, supported):
    assert compat.supported(version) is supported


def test_an_unsupported_urllib3_is_refused_before_anything_is_wrapped(monkeypatch):
    monkeypatch.setattr(compat, "installed", lambda: "3.0.0")
    refused = pytest.raises(RuntimeError, match=r"urllib3 3\.0\.0 is installed")
    with refused, compat.route_urllib3(lambda host: True, lambda *a: (200, [], b"")):
        pass
    assert HTTPConnectionPool.urlopen.__module__ == "urllib3.connectionpool"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        (b"raw", b"raw"),
        ("text", b"text"),
        (bytearray(b"ba"), b"ba"),
        (iter([b"a", "b"]), b"ab"),
    ],
    ids=["none", "bytes", "text", "bytearray", "chunks"],
)
def test_a_body_in_any_form_is_read_whole(given, expected):
    assert compat.body_bytes(given) == expected
