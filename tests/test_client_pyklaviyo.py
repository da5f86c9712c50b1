"""A whole story through Klaviyo's own legacy Python client, PyPI ``klaviyo`` 3.1.7, unchanged.

It sends through ``requests`` to https://a.klaviyo.com, so the in-process fixture answers it with
no change to the client at all (legacy-api.md §11: its POST Track/Identify even ignore
``api_server``).
"""

from __future__ import annotations

import pytest

klaviyo = pytest.importorskip("klaviyo")
from klaviyo import Klaviyo  # noqa: E402

PUBLIC, PRIVATE = "PubKey", "pk_secret"


def test_a_whole_story(klaviyo_mock):
    client = Klaviyo(public_token=PUBLIC, private_token=PRIVATE)

    # identify and track, GET and POST, with the client's unprefixed email/id
    public = client.Public
    answers = [
        public.identify(
            email="betty@example.com", external_id="b-1", properties={"$first_name": "Betty"}
        ),
        public.track(
            "Placed Order",
            email="betty@example.com",
            properties={"$value": 10, "$event_id": "o1"},
            timestamp=1_600_000_000,
        ),
        public.track(
            "Placed Order", external_id="b-1", properties={"$event_id": "o2"}, method="post"
        ),
    ]
    assert [a.data for a in answers] == [1, 1, 1]  # the client reads the text 1 as JSON
    klaviyo_mock.assert_no_duplicates()

    # search, get, update, unset
    person_id = client.Profiles.get_profile_id_by_email("betty@example.com").data["id"]
    assert client.Profiles.get_profile(person_id).data["$first_name"] == "Betty"
    updated = client.Profiles.update_profile(person_id, {"$last_name": "Boop", "Plan": "Pro"}).data
    assert (updated["$last_name"], updated["Plan"]) == ("Boop", "Pro")
    assert "Plan" not in client.Profiles.unset_profile_properties(person_id, ["Plan"]).data

    # timelines
    timeline = client.Profiles.get_profile_metrics_timeline(person_id).data
    assert [e["event_properties"]["$event_id"] for e in timeline["data"]] == ["o2", "o1"]
    metric_id = client.Metrics.get_metrics().data["data"][0]["id"]
    assert client.Metrics.get_metric_timeline_by_id(metric_id).data["count"] == 2

    # lists and members
    list_id = client.Lists.create_list("News").data["list_id"]
    added = client.Lists.add_members_to_list(
        list_id, [{"email": "betty@example.com"}, {"email": "sam@example.com"}]
    ).data
    assert [m["email"] for m in added] == ["betty@example.com", "sam@example.com"]
    assert [
        m["email"] for m in client.Lists.get_members_from_list(list_id, ["sam@example.com"]).data
    ] == ["sam@example.com"]
    client.Lists.remove_members_from_list(list_id, ["sam@example.com"])
    assert [r["email"] for r in client.Lists.get_all_members(list_id).data["records"]] == [
        "betty@example.com"
    ]
    assert client.Lists.update_list_name_by_id(list_id, "Newsletter").data == ""
    assert client.Lists.get_lists().data == [{"list_id": list_id, "list_name": "Newsletter"}]

    # deletion
    assert (
        client.DataPrivacy.request_profile_deletion("betty@example.com").data
        == "Submitted new deletion task for customer."
    )
    assert klaviyo_mock.find_profile(email="betty@example.com") is None
