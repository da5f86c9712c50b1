"""Klaviyo's official Python SDK, PyPI ``klaviyo-api`` 25.0.0, unchanged, against a live mock.

``KlaviyoAPI(key, test_host=URL)`` (current-api.md §9.1). The server's app checks each answer
against stable.json, and the SDK's own pydantic models parse every 2xx body, so a story that
runs through is two checks at once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
import requests
from openapi_check import failures
from openapi_check import validating

from mockserver import create_app
from mockserver.testing import LiveServer
from mockserver.testing import serve

klaviyo_api = pytest.importorskip("klaviyo_api")
exceptions = pytest.importorskip("openapi_client.exceptions")


@pytest.fixture
def live() -> Iterator[LiveServer]:
    app = validating(create_app({"TESTING": True}))
    with serve(app) as server:
        yield server
    assert not failures(app), "\n".join(failures(app))


@pytest.fixture
def sdk(live):
    return klaviyo_api.KlaviyoAPI("pk_test", test_host=live.url, max_retries=1, max_delay=1)


def profile(**attributes):
    return {"data": {"type": "profile", "attributes": attributes}}


def refused(call, *args) -> tuple[int, dict]:
    with pytest.raises(exceptions.ApiException) as caught:
        call(*args)
    return caught.value.status, json.loads(caught.value.body)


def test_create_409_and_the_create_then_patch_pattern(sdk):
    created = sdk.Profiles.create_profile(profile(email="s@x.com", first_name="S"))
    pid = created.data.id
    assert created.data.attributes.email == "s@x.com"

    status, body = refused(sdk.Profiles.create_profile, profile(email="s@x.com", last_name="D"))
    assert status == 409
    [error] = body["errors"]
    assert (error["code"], error["meta"]["duplicate_profile_id"]) == ("duplicate_profile", pid)

    holder = error["meta"]["duplicate_profile_id"]
    update = {"data": {"type": "profile", "id": holder, "attributes": {"last_name": "D"}}}
    patched = sdk.Profiles.update_profile(holder, update)
    assert (patched.data.attributes.first_name, patched.data.attributes.last_name) == ("S", "D")


def test_import_201_200_409(sdk):
    first = sdk.Profiles.create_or_update_profile_with_http_info(profile(email="i@x.com"))
    assert first.status_code == 201
    again = sdk.Profiles.create_or_update_profile_with_http_info(
        profile(email="i@x.com", properties={"plan": "pro"})
    )
    assert (again.status_code, again.data.data.id) == (200, first.data.data.id)
    sdk.Profiles.create_profile(profile(phone_number="+14155550100"))
    status, _ = refused(
        sdk.Profiles.create_or_update_profile,
        profile(email="i@x.com", phone_number="+14155550100"),
    )
    assert status == 409


def test_get_with_a_filter_and_every_page_of_250_profiles(sdk):
    made = [
        sdk.Profiles.create_profile(profile(email=f"p{i:03d}@x.com")).data.id for i in range(250)
    ]
    seen = []
    cursor = None
    while True:
        page = sdk.Profiles.get_profiles(page_size=100, page_cursor=cursor)
        seen += [p.id for p in page.data]
        cursor = page.links.next
        if not cursor:
            break
    assert seen == made

    found = sdk.Profiles.get_profiles(filter='any(email,["p007@x.com","p100@x.com"])')
    assert sorted(p.attributes.email for p in found.data) == ["p007@x.com", "p100@x.com"]
    sparse = sdk.Profiles.get_profiles(
        filter="equals(email,'p001@x.com')",
        fields_profile=["email", "subscriptions"],
        additional_fields_profile=["subscriptions"],
    )
    [one] = sparse["data"]  # with fields_*, the SDK answers a dict
    assert set(one["attributes"]) == {"email", "subscriptions"}


def test_merge(sdk):
    dest = sdk.Profiles.create_profile(profile(email="d@x.com")).data.id
    source = sdk.Profiles.create_profile(profile(phone_number="+14155550100")).data.id
    merge = {
        "data": {
            "type": "profile-merge",
            "id": dest,
            "relationships": {"profiles": {"data": [{"type": "profile", "id": source}]}},
        }
    }
    assert sdk.Profiles.merge_profiles(merge).data.id == dest
    status, _ = refused(sdk.Profiles.get_profile, source)
    assert status == 404
    assert sdk.Profiles.get_profile(dest).data.attributes.phone_number == "+14155550100"


def test_reading_a_profile_legacy_identify_made(sdk, live):
    payload = {
        "token": "AbC123",
        "properties": {"$email": "leg@x.com", "$id": "L-1", "Plan": "Pro"},
    }
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    assert requests.get(f"{live.url}/api/identify", params={"data": data}, timeout=10).text == "1"
    [found] = sdk.Profiles.get_profiles(filter='equals(external_id,"L-1")').data
    assert (found.attributes.email, found.attributes.properties) == ("leg@x.com", {"Plan": "Pro"})
    assert sdk.Profiles.get_profile(found.id).data.attributes.external_id == "L-1"


def test_bad_requests_raise_the_sdks_exceptions(sdk, live):
    status, body = refused(sdk.Profiles.create_profile, profile(email="not-an-email"))
    assert (status, body["errors"][0]["detail"]) == (400, "Invalid email address")
    wrong_key = klaviyo_api.KlaviyoAPI("", test_host=live.url, max_retries=1)
    status, body = refused(wrong_key.Profiles.get_profiles)
    assert (status, body["errors"][0]["code"]) == (401, "not_authenticated")


def test_events_and_metrics(sdk):
    """Typed event answers parse, and a whole ``links.next`` URL works as ``page_cursor``."""
    t0 = 1_704_067_200
    for second in range(3):
        event = {
            "data": {
                "type": "event",
                "attributes": {
                    "properties": {"Sku": "1"},
                    "time": datetime.fromtimestamp(t0 + second, UTC).isoformat(),
                    "metric": {"data": {"type": "metric", "attributes": {"name": "Viewed"}}},
                    "profile": {"data": {"type": "profile", "attributes": {"email": "e@x.com"}}},
                },
            }
        }
        assert sdk.Events.create_event(event) is None  # 202
    first = sdk.Events.get_events(include=["metric", "profile"], page_size=2)
    assert [e.attributes.timestamp for e in first.data] == [t0, t0 + 1]
    rest = sdk.Events.get_events(page_size=2, page_cursor=first.links.next)
    assert [e.attributes.timestamp for e in rest.data] == [t0 + 2]
    assert rest.links.next is None
    event = sdk.Events.get_event(rest.data[0].id, include=["metric"]).data
    assert event.attributes.datetime_ == datetime.fromtimestamp(t0 + 2, UTC)
    assert sdk.Events.get_event_profile(event.id).data.attributes.email == "e@x.com"
    [metric] = sdk.Metrics.get_metrics().data
    assert sdk.Metrics.get_metric(metric.id).data.attributes.name == "Viewed"


def members(ids):
    return {"data": [{"type": "profile", "id": i} for i in ids]}


def test_lists_members_and_bulk_subscribe(sdk):
    """Typed list answers parse (``joined_group_at`` never null), an ``http://`` cursor works,
    202 and 204 answers return None."""
    new_list = {"data": {"type": "list", "attributes": {"name": "SDK"}}}
    list_id = sdk.Lists.create_list(new_list).data.id
    profile_id = sdk.Profiles.create_profile(profile(email="s@x.com")).data.id
    sdk.Lists.add_profiles_to_list(list_id, members([profile_id]))
    assert [m.id for m in sdk.Lists.get_profiles_for_list(list_id).data] == [profile_id]
    assert [m.id for m in sdk.Lists.get_profile_ids_for_list(list_id).data] == [profile_id]
    for i in range(12):
        sdk.Lists.create_list({"data": {"type": "list", "attributes": {"name": f"L{i}"}}})
    first = sdk.Lists.get_lists()
    assert len(first.data) == 10
    assert len(sdk.Lists.get_lists(page_cursor=first.links.next).data) == 3
    consent = {"email": {"marketing": {"consent": "SUBSCRIBED"}}}
    job = {
        "type": "profile-subscription-bulk-create-job",
        "attributes": {
            "profiles": {
                "data": [
                    {
                        "type": "profile",
                        "attributes": {"email": "b@x.com", "subscriptions": consent},
                    }
                ]
            }
        },
        "relationships": {"list": {"data": {"type": "list", "id": list_id}}},
    }
    assert sdk.Profiles.bulk_subscribe_profiles({"data": job}) is None
    found = sdk.Profiles.get_profiles(
        filter='equals(email,"b@x.com")', additional_fields_profile=["subscriptions"]
    )
    assert found.data[0].attributes.subscriptions.email.marketing.consent == "SUBSCRIBED"
    counted = sdk.Lists.get_list(list_id, additional_fields_list=["profile_count"])
    assert counted.data.attributes.profile_count == 2
    assert [r.id for r in sdk.Profiles.get_lists_for_profile(profile_id).data] == [list_id]
    sdk.Lists.remove_profiles_from_list(list_id, members([profile_id]))
    sdk.Lists.delete_list(list_id)
    status, _ = refused(sdk.Lists.get_list, list_id)
    assert status == 404
