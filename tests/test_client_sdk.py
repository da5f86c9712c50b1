"""A whole story through Klaviyo's generated legacy SDK, PyPI ``klaviyo-sdk`` 1.0.9, unchanged.

It talks urllib3 to ``test_host``, so it runs against the live server; its ``update_profile``
ignores ``test_host`` and calls https://a.klaviyo.com through ``requests`` (legacy-api.md §11),
which ``mock_klaviyo`` routes to the same app.
"""

from __future__ import annotations

import warnings

import pytest

from mockserver.testing import mock_klaviyo

klaviyo_sdk = pytest.importorskip("klaviyo_sdk")


@pytest.fixture
def sdk(klaviyo_live):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK announces its retirement
        return klaviyo_sdk.Client("pk_test", test_host=klaviyo_live.api_url)


def test_a_whole_story(sdk, klaviyo_live, klaviyo_server):
    identify = {
        "token": "AbC123",
        "properties": {"$email": "s@x.com", "$id": "s-1", "$exchange_id": "kx.AbC123"},
    }
    assert sdk.TrackIdentify.identify_get(identify) == "1"
    track = {
        "token": "AbC123",
        "event": "Paid",
        "customer_properties": {"$email": "s@x.com"},
        "properties": {"$event_id": "1"},
        "time": 1_600_000_000,
    }
    assert sdk.TrackIdentify.track_post(track) == "1"

    person_id = sdk.Profiles.get_profile_id(email="s@x.com").id
    assert sdk.Profiles.get_profile(person_id)["$id"] == "s-1"
    assert sdk.Profiles.exchange(body={"exchange_id": "kx.AbC123"}) == {"id": person_id}
    with mock_klaviyo(klaviyo_server.app):
        assert sdk.Profiles.update_profile(person_id, {"Plan": "Pro"})["Plan"] == "Pro"
    [event] = sdk.Profiles.profile_metrics_timeline(person_id)["data"]
    assert event["event_name"] == "Paid"
    assert sdk.Metrics.get_metrics()["total"] == 1

    list_id = sdk.ListsSegments.create_list(list_name="News")["list_id"]
    added = sdk.ListsSegments.add_members(
        list_id, body={"profiles": [{"email": "s@x.com"}, {"email": "t@x.com"}]}
    )
    assert [m["email"] for m in added] == ["s@x.com", "t@x.com"]
    assert [
        m["email"]
        for m in sdk.ListsSegments.get_list_members(list_id, body={"emails": ["t@x.com"]})
    ] == ["t@x.com"]
    assert len(sdk.ListsSegments.get_members(list_id)["records"]) == 2
    sdk.ListsSegments.subscribe(list_id, body={"profiles": [{"email": "u@x.com"}]})
    sdk.ListsSegments.unsubscribe(list_id, body={"emails": ["u@x.com"]})
    assert [r["email"] for r in sdk.ListsSegments.get_list_exclusions(list_id)["records"]] == [
        "u@x.com"
    ]

    assert (
        sdk.DataPrivacy.request_deletion(body={"email": "s@x.com"})
        == "Submitted new deletion task for customer."
    )
    assert klaviyo_live.find_profile(email="s@x.com") is None
    klaviyo_live.assert_no_duplicates()
