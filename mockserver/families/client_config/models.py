"""What Klaviyo's mobile SDKs and integrations read of an account's configuration through the
client API: its geofences (``GET /client/geofences``) and the integration-egress IP allow list
(``GET /client/ip-allowlists/integration-egress``).

Geofences are made in Klaviyo's app; no operation of this revision writes one. So an account
has none, and lists none, until something puts them in state: the domain's
``klaviyo.backend(account).resources.create("geofence", {latitude, longitude, radius})`` (a test, an
embedding program), which checks them as Klaviyo would (a latitude within ±90, a longitude
within ±180, a radius above 0) (*chosen*: no API call, no invented geofences). A listing with
``X-Klaviyo-API-Filters: and(equals(lat,…),equals(lng,…))`` comes nearest first, by the
distance from that point to each geofence's centre (the great-circle distance; ties in the
order they were made); with only one of the two, in the order they were made, as without the
header (the document sorts "when both lat and lng are provided").

The allow list is one global list (its id "always ``integration-egress``"), the same for every
account, seeded like a catalog (``SeededSource``): the ranges are the document's example, and
the date they last changed its example too (*chosen*: Klaviyo publishes the list, not here);
its ``sync_token`` is derived from the ranges, so it changes only when they do.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple
from typing import TypeGuard

from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.filters import Compare
from ...domain.filters import Filter
from ...domain.filters import FilterError
from ...domain.filters import Logic
from ...domain.filters import parse
from ...domain.listing import Item
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.listing import select
from ...domain.resources import Attributes
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import seeded

GEOFENCE = "geofence"
ALLOWLIST = "ip-allowlist"
ALLOWLIST_ID = "integration-egress"
#: The integration-egress ranges (the document's example, *chosen*).
PREFIXES = ("207.211.192.0/20", "207.186.206.0/24")
#: When the ranges last changed (the document's example, *chosen*).
PREFIXES_CHANGED = "2022-11-08T00:00:00+00:00"
#: The mean radius of the Earth, in meters (IUGG).
EARTH_RADIUS = 6_371_008.8
#: Where each coordinate may be: the filter's name, the attribute, and its bound.
COORDINATES = (("lat", "latitude", 90.0), ("lng", "longitude", 180.0))
BOUNDS = {name: bound for name, _, bound in COORDINATES}


def sync_token(prefixes: tuple[str, ...]) -> str:
    """An opaque token that changes only when the ranges do."""
    return hashlib.sha256(",".join(sorted(prefixes)).encode()).hexdigest()[:16]


def allowlist(account: Account) -> list[tuple[str, Attributes]]:
    """The one allow list (``SeededSource`` seed)."""
    attributes = {
        "prefixes": list(PREFIXES),
        "sync_token": sync_token(PREFIXES),
        "created": PREFIXES_CHANGED,
    }
    return [(ALLOWLIST_ID, attributes)]


def _number(value: Any) -> TypeGuard[int | float]:
    """A finite JSON number (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _checked(backend: Backend, record_id: str, attributes: Attributes) -> Attributes:
    """A geofence Klaviyo could have: a centre on the globe and a radius."""
    for _, name, bound in COORDINATES:
        value = attributes.get(name)
        if not _number(value) or not -bound <= value <= bound:
            raise InvalidAttribute(
                name, f"A geofence's {name} is a number from -{bound:g} to {bound:g}."
            )
    radius = attributes.get("radius")
    if not _number(radius) or radius <= 0:
        raise InvalidAttribute("radius", "A geofence's radius is a number of meters above 0.")
    return attributes


def _rechecked(
    backend: Backend, record_id: str, current: Mapping[str, Any], attributes: Attributes
) -> Attributes:
    return _checked(backend, record_id, attributes)


class Point(NamedTuple):
    lat: float
    lng: float


def point(header: str | None) -> Point | None:
    """The point ``X-Klaviyo-API-Filters`` gives (``and(equals(lat,…),equals(lng,…))``), or
    None when it gives none or only one coordinate; a :class:`FilterError` when it says
    anything else."""
    if header is None or not header.strip():
        return None
    allowed = {name: frozenset({"equals"}) for name, _, _ in COORDINATES}
    expression: Filter = parse(header, allowed)
    terms = expression.terms if isinstance(expression, Logic) else (expression,)
    if isinstance(expression, Logic) and expression.op != "and":
        raise FilterError(f"Invalid filter: {expression.op}() is not supported; use and().")
    found: dict[str, float] = {}
    for term in terms:
        if not isinstance(term, Compare):
            raise FilterError("Invalid filter: only equals(lat,…) and equals(lng,…) go in and().")
        bound = BOUNDS[term.field]
        if term.field in found:
            raise FilterError(f"Invalid filter: {term.field} is given twice.")
        if not _number(term.value) or not -bound <= term.value <= bound:
            raise FilterError(
                f"Invalid filter: {term.field} is a number from -{bound:g} to {bound:g}."
            )
        found[term.field] = float(term.value)
    if len(found) < len(COORDINATES):
        return None
    return Point(found["lat"], found["lng"])


def distance(origin: Point, attributes: Mapping[str, Any]) -> float:
    """The great-circle distance in meters from ``origin`` to a geofence's centre."""
    lat1, lng1 = math.radians(origin.lat), math.radians(origin.lng)
    lat2 = math.radians(float(attributes["latitude"]))
    lng2 = math.radians(float(attributes["longitude"]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def nearest(backend: Backend, origin: Point, query: ListQuery) -> Page:
    """A page of the account's geofences, nearest ``origin`` first."""
    with backend.store.locked():
        records = list(backend.records.scan(GEOFENCE))
    by_distance = ListQuery(after=query.after, size=query.size, sort="distance")
    chosen, next_key = select(
        records,
        by_distance,
        lambda record, name: distance(origin, record["attributes"]),
        lambda record: [record["seq"]],
    )
    return Page([Item(str(r["id"]), r["attributes"]) for r in chosen], next_key)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.rules[GEOFENCE] = Rules(on_create=_checked, on_update=_rechecked)
    klaviyo.registry.sources[ALLOWLIST] = seeded(ALLOWLIST, allowlist)
