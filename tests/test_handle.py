"""The handle's questions (in process and live alike): profiles, events, metrics, lists and their
members, the calls made, and strict mode's check that nothing was dropped."""

from __future__ import annotations

import base64
import json

import pytest
import requests

KLAVIYO = "https://a.klaviyo.com"
PUBLIC = "AbC123"
CURRENT = {
    "Authorization": "Klaviyo-API-Key pk_test",
    "revision": "2026-07-15",
    "Content-Type": "application/vnd.api+json",
}


def track(base: str, email: str, event: str = "Placed Order", token: str = PUBLIC, **props):
    data = {"token": token, "event": event, "customer_properties": {"$email": email}}
    data["properties"] = props
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    return requests.get(f"{base}/api/track", params={"data": encoded}, timeout=10)


def make_list(base: str, name: str) -> str:
    body = {"data": {"type": "list", "attributes": {"name": name}}}
    answer = requests.post(f"{base}/api/lists", json=body, headers=CURRENT, timeout=10)
    return answer.json()["data"]["id"]


def add_member(base: str, list_id: str, profile_id: str) -> None:
    body = {"data": [{"type": "profile", "id": profile_id}]}
    path = f"{base}/api/lists/{list_id}/relationships/profiles"
    assert requests.post(path, json=body, headers=CURRENT, timeout=10).status_code == 204


@pytest.fixture(params=["in-process", "live"])
def mock(request):
    """The same questions, asked of both fixtures; ``base`` is where a client sends."""
    handle = request.getfixturevalue(
        "klaviyo_mock" if request.param == "in-process" else "klaviyo_live"
    )
    return handle, (KLAVIYO if request.param == "in-process" else handle.url)


def test_profile_by_id_or_identifier(mock):
    handle, base = mock
    track(base, "ann@example.com")
    ann = handle.profile(email="ann@example.com")
    assert handle.profile(id=ann["id"]) == ann
    with pytest.raises(AssertionError, match=r"no profile has email zed@example.com"):
        handle.profile(email="zed@example.com")


def test_events_by_profile_and_metric(mock):
    handle, base = mock
    track(base, "ann@example.com", "Placed Order", value=1)
    track(base, "ann@example.com", "Viewed Product")
    track(base, "bob@example.com", "Placed Order", value=2)
    assert [e["metric"] for e in handle.events()] == [
        "Placed Order",
        "Viewed Product",
        "Placed Order",
    ]
    anns = handle.events(profile={"email": "ann@example.com"})
    assert [e["metric"] for e in anns] == ["Placed Order", "Viewed Product"]
    orders = handle.events(metric="Placed Order")
    assert [e["properties"].get("value") for e in orders] == [1, 2]
    bob = handle.profile(email="bob@example.com")
    assert [e["profile_id"] for e in handle.events(profile=bob["id"], metric="Placed Order")] == [
        bob["id"]
    ]
    assert handle.events(metric="Never Tracked") == []
    assert sorted(m["name"] for m in handle.metrics()) == ["Placed Order", "Viewed Product"]


def test_lists_and_members(mock):
    handle, base = mock
    track(base, "ann@example.com")
    ann = handle.profile(email="ann@example.com")
    vip = make_list(base, "VIP")
    make_list(base, "Newsletter")
    add_member(base, vip, ann["id"])
    assert [(r["name"], len(r["members"])) for r in handle.lists()] == [
        ("VIP", 1),
        ("Newsletter", 0),
    ]
    assert [m["profile_id"] for m in handle.members("VIP")] == [ann["id"]]
    assert handle.members(vip) == handle.members("VIP")
    with pytest.raises(AssertionError, match=r"no list is 'Gone'; the lists are: .*'VIP'"):
        handle.members("Gone")


def test_calls_and_assert_called(mock):
    handle, base = mock
    track(base, "ann@example.com")
    track(base, "bob@example.com")
    make_list(base, "VIP")
    assert [c["path"] for c in handle.calls("GET", "/api/track")] == ["/api/track", "/api/track"]
    handle.assert_called("GET", "/api/track", times=2)
    handle.assert_called("post", "/api/lists")
    with pytest.raises(AssertionError) as failed:
        handle.assert_called("POST", "/api/events")
    assert "expected at least one call of POST /api/events, found 0" in str(failed.value)
    assert "GET /api/track -> 200" in str(failed.value)
    with pytest.raises(AssertionError, match=r"expected 3 call\(s\) of GET /api/track, found 2"):
        handle.assert_called("GET", "/api/track", times=3)


def test_assert_profile_count_lists_the_profiles(mock):
    handle, base = mock
    track(base, "ann@example.com")
    handle.assert_profile_count(1)
    with pytest.raises(
        AssertionError, match=r"expected 2 profile\(s\), found 1:\n  .*ann@example.com"
    ):
        handle.assert_profile_count(2)


@pytest.mark.parametrize(
    ("send", "said"),
    [
        (lambda base: track(base, "ann@example.com", token=""), "dropped: no public key"),
        (lambda base: track(base, "not-an-email"), "ignored $email"),
        (
            lambda base: requests.get(
                f"{base}/api/track",
                params={
                    "data": base64.b64encode(
                        json.dumps(
                            {
                                "token": PUBLIC,
                                "event": "E",
                                "customer_properties": {"$email": "a@b.com"},
                                "time": 1,
                            }
                        ).encode()
                    ).decode()
                },
                timeout=10,
            ),
            "dropped: event time 1",
        ),
    ],
    ids=["no-token", "invalid-email", "event-too-old"],
)
def test_a_call_answered_1_that_lost_something_is_dropped(mock, send, said):
    handle, base = mock
    assert send(base).text == "1"
    [entry] = handle.dropped()
    assert any(d.startswith(said) for d in entry["decisions"])
    with pytest.raises(AssertionError, match=r"1 call\(s\) answered as if all went well") as failed:
        handle.assert_nothing_dropped()
    assert f"journal #{entry['id']} GET /api/track -> 200: {said}" in str(failed.value)


def test_nothing_dropped_when_every_call_landed(mock):
    handle, base = mock
    track(base, "ann@example.com")
    assert handle.dropped() == []
    handle.assert_nothing_dropped()
