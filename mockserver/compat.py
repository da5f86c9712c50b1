"""The one place where the mock wraps a dependency's method rather than using an extension
point it offers.

urllib3 (which the official ``klaviyo-api`` SDK and ``requests`` send through) has no hook for
answering a request in process, and no well-kept library answers urllib3 calls with a callback
(``responses`` answers ``requests``, respx ``httpx``). So, while the in-process fixture is
active, :func:`route_urllib3` wraps ``HTTPConnectionPool.urlopen``, urllib3's public method that
every request of a pool goes through, for the pools of Klaviyo's hosts only: their requests are
answered by the mock, every other pool's go through urllib3 untouched. The wrap is tied to
urllib3 2.x (``URLLIB3``); ``tests/test_compat.py`` fails loudly on a release outside that range
or whose ``urlopen`` no longer takes the arguments read here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import urllib3
from urllib3.connectionpool import HTTPConnectionPool

#: The urllib3 releases the wrap is written for and tested with (major version 2).
URLLIB3 = (2, 3)

#: (method, url, headers, body) -> (status, headers, body)
Answer = tuple[int, list[tuple[str, str]], bytes]
Route = Callable[[str, str, Mapping[str, str], bytes | None], Answer]


@cache
def installed() -> str:
    """The installed urllib3's version (read once: the metadata lookup costs a millisecond)."""
    return metadata.version("urllib3")


def supported(version: str | None = None) -> bool:
    major = int((version or installed()).split(".", 1)[0])
    return URLLIB3[0] <= major < URLLIB3[1]


def body_bytes(body: Any) -> bytes | None:
    """A request body as bytes, whatever form the client gave it in (bytes, text, a file, an
    iterable of chunks)."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    return b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in body)


@contextmanager
def route_urllib3(handles: Callable[[str], bool], route: Route) -> Iterator[None]:
    """Answer, with ``route``, every request of a urllib3 pool whose host ``handles`` accepts;
    every other pool is left alone."""
    if not supported():
        raise RuntimeError(
            f"klaviyo-mock answers urllib3 {URLLIB3[0]}.x in process; urllib3"
            f" {installed()} is installed"
        )
    original = HTTPConnectionPool.urlopen

    def urlopen(
        pool: HTTPConnectionPool,
        method: str,
        url: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # through a proxy (urllib3's ProxyManager, plain http) the pool is the proxy's and the
        # URL absolute: the host asked for is the URL's
        host = urlsplit(url).hostname if "://" in url else pool.host
        if not handles(host or ""):
            return original(pool, method, url, body, headers, *args, **kwargs)
        target = url if "://" in url else f"{pool.scheme}://{pool.host}{url}"
        status, answer_headers, data = route(method, target, dict(headers or {}), body_bytes(body))
        return urllib3.HTTPResponse(
            body=io.BytesIO(data),
            headers=urllib3.HTTPHeaderDict(answer_headers),
            status=status,
            preload_content=kwargs.get("preload_content", True),
            decode_content=kwargs.get("decode_content", True),
            request_method=method,
            request_url=target,
        )

    with mock.patch.object(HTTPConnectionPool, "urlopen", urlopen):
        yield
