"""What every call of today's API shares (current-api.md §1, §2 and §9): the key, the
``revision`` header, JSON:API bodies in and out, links and cursors.

The dispatcher (``api.dispatch``) calls ``private_guard`` (``/api/*``) or ``client_guard``
(``/client/*``), reads the ``body()`` and ``stamp``s the answer; handlers call ``respond()``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Response
from flask import request

from ..domain.accounts import Account
from ..spec import REVISION
from . import wire
from .context import note
from .context import notes
from .context import service
from .errors import ApiError

MEDIA_TYPE = "application/vnd.api+json"
BODY_TYPES = frozenset({MEDIA_TYPE, "application/json"})
#: The oldest revision the mock serves (*chosen*: the first stable revision of today's API).
EARLIEST_REVISION = date(2022, 10, 17)
_REVISION = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(\.[A-Za-z0-9]+)?")
_ACCOUNT = "klaviyo_mock.account"
_REVISION_SERVED = "klaviyo_mock.revision"
_KEY = "klaviyo_mock.key"


# -- guards ---------------------------------------------------------------------------------


def private_guard() -> None:
    """``Authorization: Klaviyo-API-Key <key>`` (or ``Bearer``), then the revision."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    account = None
    if scheme in ("Klaviyo-API-Key", "Bearer") and key.strip():
        account = service().accounts.for_private_key(key.strip())
    if account is None:
        note("refused: missing or unknown private key")
        raise ApiError(401, "Missing or invalid private key.", pointer="/data/")
    _admit(account)
    request._get_current_object().environ[_KEY] = key.strip()  # type: ignore[attr-defined]


def check_scopes(needed: tuple[str, ...]) -> None:
    """A private key with declared scopes may call only the operations they cover (403)."""
    environ = request._get_current_object().environ  # type: ignore[attr-defined]
    key = environ.get(_KEY)
    if key is None:
        return
    lacking = environ[_ACCOUNT].allows(key, needed)
    if lacking:
        note(f"refused: the key lacks {', '.join(lacking)}")
        raise ApiError(
            403,
            f"This API key is missing required scopes: {', '.join(lacking)}.",
            pointer="/data/",
        )


def client_guard(required: bool = True, revision_required: bool = True) -> None:
    """``?company_id=<public key>``, then the revision. Where the operation does not require
    ``company_id`` (``/client/ip-allowlists``), a call without one is the default account's;
    where it does not require the revision, a call without one is served the document's."""
    company_id = request.args.get("company_id", "")
    if not company_id and not required:
        klaviyo = service()
        _admit(klaviyo.accounts.account(klaviyo.default_account), revision_required)
        return
    if not company_id:
        raise ApiError(400, "company_id is required.", parameter="company_id")
    account = service().accounts.for_public_key(company_id)
    if account is None:
        note(f"refused: unknown company_id {company_id!r}")
        raise ApiError(400, f"Invalid company_id {company_id!r}.", parameter="company_id")
    _admit(account, revision_required)


def _admit(account: Account, revision_required: bool = True) -> None:
    note(account=account.id)
    current = request._get_current_object()  # type: ignore[attr-defined]
    current.environ[_ACCOUNT] = account
    given = current.headers.get("revision")
    served = REVISION if given is None and not revision_required else check_revision(given)
    current.environ[_REVISION_SERVED] = served


def check_revision(value: str | None) -> str:
    """A ``YYYY-MM-DD[.suffix]`` revision from ``EARLIEST_REVISION`` to today: missing or
    malformed is a 400, a future date or one before the earliest a 404 (klaviyo-behavior.md §5)."""
    if not value:
        raise ApiError(400, "A revision header is required.", parameter="revision")
    match = _REVISION.fullmatch(value.strip())
    try:
        day = date(*map(int, match.groups()[:3])) if match else None
    except ValueError:
        day = None
    if day is None:
        raise ApiError(
            400,
            f"Invalid revision {value!r}: expected YYYY-MM-DD[.suffix].",
            parameter="revision",
        )
    if day > service().clock().date():
        raise ApiError(404, "Unable to specify a future revision date.", parameter="revision")
    if day < EARLIEST_REVISION:
        raise ApiError(
            404,
            f"Revision {value} is before the earliest available, use a date after"
            f" {EARLIEST_REVISION.isoformat()}.",
            parameter="revision",
        )
    return value.strip()


def stamp(response: Response) -> Response:
    """Every answer names the revision it served (``X-Klaviyo-API-Revision``)."""
    served = request._get_current_object().environ.get(_REVISION_SERVED)  # type: ignore[attr-defined]
    if served:
        response.headers["X-Klaviyo-API-Revision"] = served
    return response


def account() -> Account:
    found: Account = request._get_current_object().environ[_ACCOUNT]  # type: ignore[attr-defined]
    return found


# -- bodies ---------------------------------------------------------------------------------


def body() -> dict[str, Any]:
    """The request's JSON:API document: a JSON object (``application/vnd.api+json`` or
    ``application/json``) with a ``data`` member."""
    raw = notes().body = request.get_data()
    if request.mimetype not in BODY_TYPES:
        raise ApiError(
            415,
            f'Unsupported media type "{request.mimetype or "none"}" in request.',
            pointer="/data/",
        )
    try:  # the legacy API's reader: no NaN, no Infinity, no number beyond a double
        document = wire.parse_json(raw)
    except ValueError as error:
        raise ApiError(400, f"JSON parse error - {error}", pointer="/data/") from None
    if not isinstance(document, dict) or "data" not in document:
        raise ApiError(400, "The request body must be an object with 'data'.", pointer="/data")
    notes().payload = document
    return document


def respond(document: dict[str, Any] | None, status: int = 200) -> Response:
    if document is None:  # 202, 204: no body, so no content type
        response = Response(status=status)
        del response.headers["Content-Type"]
        return response
    return Response(json.dumps(document), status=status, mimetype=MEDIA_TYPE)


# -- links and cursors ----------------------------------------------------------------------


def base_url() -> str:
    """Where links point: the host the request came to (``https://a.klaviyo.com`` in
    process, the live server's address over HTTP)."""
    return request.host_url.rstrip("/")


def self_link(path: str) -> str:
    """``links.self`` as Klaviyo writes it: a full URL ending in ``/``."""
    return f"{base_url()}{path.rstrip('/')}/"


def page_link(path: str, cursor: str | None = None, parameter: str = "page[cursor]") -> str:
    """A listing's URL as Klaviyo writes it (``self_link``) with this call's query, its cursor
    (``page[cursor]``) replaced by ``cursor`` (the query as given when ``cursor`` is None)."""
    args = list(request.args.items(multi=True))
    if cursor is not None:
        args = [(k, v) for k, v in args if k != parameter] + [(parameter, cursor)]
    return f"{self_link(path)}?{urlencode(args)}" if args else self_link(path)


def page_links(
    path: str, next_key: list[Any] | None, scope: str, parameter: str = "page[cursor]"
) -> dict[str, str]:
    """``links.self`` and, unless this is the last page, ``links.next`` (the spec allows no
    ``null`` there: current-api.md §9.1). ``scope`` names the listing the cursor is for."""
    links = {"self": page_link(path)}
    if next_key is not None:
        links["next"] = page_link(path, encode_cursor(next_key, scope), parameter)
    return links


#: What cursors are signed with: they are opaque, and one the mock did not make for this
#: listing and sort is refused (a constant: cursors survive a restart with ``--db``).
_CURSOR_KEY = b"klaviyo-mock cursor"


def _signature(key: list[Any], scope: str) -> str:
    text = json.dumps([scope, key], separators=(",", ":"))
    return hmac.new(_CURSOR_KEY, text.encode(), hashlib.sha256).hexdigest()[:16]


def encode_cursor(key: list[Any], scope: str) -> str:
    """An opaque, URL-safe cursor (no ``+``, ``&``, ``%`` or ``=``: current-api.md §9.1) for
    the position ``key`` of the listing ``scope`` (an operation and its sort)."""
    text = json.dumps({"k": key, "s": _signature(key, scope)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(value: str, scope: str, parameter: str = "page[cursor]") -> list[Any]:
    """A cursor in any of the forms the SDKs send it: as given in ``links.next``, with a
    leading ``=``, or as the whole ``links.next`` URL (current-api.md §9.1). One this
    listing did not make (another listing's, another sort's, a forged one) is a 400."""
    text = value.strip()
    if parameter in text or "page%5Bcursor%5D" in text or text.startswith("http"):
        inner = parse_qs(urlsplit(text).query).get(parameter)
        text = inner[0] if inner else ""
    text = text.lstrip("=")
    try:
        found = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        found = None
    key = found.get("k") if isinstance(found, dict) else None
    signature = found.get("s") if isinstance(found, dict) else None
    if (
        not isinstance(key, list)
        or not isinstance(signature, str)
        or not hmac.compare_digest(signature, _signature(key, scope))
    ):
        raise ApiError(400, f"Invalid page cursor {value!r}.", parameter=parameter)
    return key
