"""What the client API tells SDKs about an account's configuration: its geofences
(``GET /client/geofences``: none until some are in state, nearest first when the
``X-Klaviyo-API-Filters`` header gives a point) and the integration-egress IP allow list
(``GET /client/ip-allowlists/integration-egress``). Every answer is checked against the
document by the ``client`` fixture."""

from __future__ import annotations

import pytest
from conftest import current
from current import error

from mockserver.domain.commands import InvalidAttribute
from mockserver.families.client_config.models import PREFIXES
from mockserver.families.client_config.models import sync_token

GEOFENCES = "/client/geofences?company_id=AbC123"
ALLOWLIST = "/client/ip-allowlists/integration-egress?company_id=AbC123"
HEADER = "X-Klaviyo-API-Filters"
#: Centres of geofences, by the city they are in.
CITIES = {
    "london": (51.5074, -0.1278),
    "new-york": (40.7128, -74.0060),
    "los-angeles": (34.0522, -118.2437),
    "boston": (42.3601, -71.0589),
}


@pytest.fixture
def fences(klaviyo) -> dict[str, str]:
    """Geofences in state, made as the mock's docstring says they come in: through the domain
    (no operation of this revision writes one). Their ids, by city."""
    resources = klaviyo.backend(klaviyo.accounts.open).resources
    return {
        city: resources.create("geofence", {"latitude": lat, "longitude": lng, "radius": 250}).id
        for city, (lat, lng) in CITIES.items()
    }


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.json
    return [g["id"] for g in answer.json["data"]]


def test_an_account_has_no_geofences_until_some_are_in_state(client):
    assert ids(current(client, "GET", GEOFENCES)) == []


def test_geofences_in_state_are_listed_in_the_order_they_were_made(client, fences):
    answer = current(client, "GET", GEOFENCES)
    assert ids(answer) == list(fences.values())
    first = answer.json["data"][0]["attributes"]
    assert first == {"latitude": 51.5074, "longitude": -0.1278, "radius": 250}


@pytest.mark.parametrize(
    ("point", "order"),
    [
        (
            "and(equals(lat,40.7128),equals(lng,-74.0060))",
            ["new-york", "boston", "los-angeles", "london"],
        ),
        ("and(equals(lng,-0.2),equals(lat,51.4))", ["london", "boston", "new-york", "los-angeles"]),
        ("equals(lat,34.05),equals(lng,-118.24)", ["los-angeles", "new-york", "boston", "london"]),
        ("equals(lat,0)", ["london", "new-york", "los-angeles", "boston"]),
        ("", ["london", "new-york", "los-angeles", "boston"]),
    ],
    ids=["from-new-york", "from-london", "comma-for-and", "lat-alone-keeps-order", "empty-header"],
)
def test_a_point_in_the_header_sorts_nearest_first(client, fences, point, order):
    answer = current(client, "GET", GEOFENCES, headers={HEADER: point})
    assert ids(answer) == [fences[city] for city in order]


def test_nearest_first_pages_with_the_cursor(client, fences):
    point = {HEADER: "and(equals(lat,40.7128),equals(lng,-74.0060))"}
    first = current(client, "GET", f"{GEOFENCES}&page[size]=3", headers=point)
    assert ids(first) == [fences[c] for c in ("new-york", "boston", "los-angeles")]
    following = first.json["links"]["next"]
    second = current(client, "GET", following.removeprefix("http://localhost"), headers=point)
    assert ids(second) == [fences["london"]]
    assert second.json["links"].get("next") is None


def test_pages_without_a_point_follow_the_order_they_were_made(client, fences):
    first = current(client, "GET", f"{GEOFENCES}&page[size]=2")
    assert ids(first) == [fences["london"], fences["new-york"]]
    second = current(client, "GET", first.json["links"]["next"].removeprefix("http://localhost"))
    assert ids(second) == [fences["los-angeles"], fences["boston"]]


@pytest.mark.parametrize(
    "header",
    [
        "or(equals(lat,1),equals(lng,2))",
        "not(equals(lat,1))",
        "and(equals(lat,1),equals(lat,2))",
        "equals(lat,91)",
        "equals(lng,-180.5)",
        "equals(lat,'40')",
        "greater-than(lat,1)",
        "equals(radius,100)",
        "equals(lat,",
    ],
    ids=[
        "or",
        "not",
        "lat-twice",
        "lat-out-of-range",
        "lng-out-of-range",
        "quoted",
        "operator",
        "field",
        "syntax",
    ],
)
def test_a_header_that_says_anything_else_is_400(client, fences, header):
    found = error(current(client, "GET", GEOFENCES, headers={HEADER: header}), 400)
    assert found["source"] == {"parameter": HEADER}


@pytest.mark.parametrize(
    ("attributes", "name"),
    [
        ({"latitude": 90.5, "longitude": 0, "radius": 1}, "latitude"),
        ({"latitude": 0, "longitude": 181, "radius": 1}, "longitude"),
        ({"latitude": 0, "longitude": 0, "radius": 0}, "radius"),
        ({"latitude": "north", "longitude": 0, "radius": 1}, "latitude"),
        ({"longitude": 0, "radius": 1}, "latitude"),
    ],
    ids=["latitude", "longitude", "radius", "not-a-number", "missing"],
)
def test_a_geofence_off_the_globe_is_refused_and_not_kept(client, klaviyo, attributes, name):
    with pytest.raises(InvalidAttribute) as refused:
        klaviyo.backend(klaviyo.accounts.open).resources.create("geofence", attributes)
    assert refused.value.name == name
    assert ids(current(client, "GET", GEOFENCES)) == []


# -- the IP allow list ---------------------------------------------------------------------------


def test_the_allow_list_is_the_published_one(client):
    answer = current(client, "GET", ALLOWLIST)
    assert answer.status_code == 200, answer.json
    data = answer.json["data"]
    assert (data["type"], data["id"]) == ("ip-allowlist", "integration-egress")
    assert data["attributes"] == {
        "prefixes": list(PREFIXES),
        "sync_token": sync_token(PREFIXES),
        "created": "2022-11-08T00:00:00+00:00",
    }


def test_the_allow_list_is_the_same_after_a_reset(client):
    before = current(client, "GET", ALLOWLIST).json
    assert client.post("/__mock__/reset").status_code == 200
    assert current(client, "GET", ALLOWLIST).json == before


@pytest.mark.parametrize("other", ["integration-ingress", "default", "INTEGRATION-EGRESS"])
def test_any_other_allow_list_is_404(client, other):
    error(current(client, "GET", f"/client/ip-allowlists/{other}?company_id=AbC123"), 404)
