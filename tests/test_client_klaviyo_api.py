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


# -- every API class of the SDK, one call or story each ---------------------------------------


def _list(sdk) -> str:
    return sdk.Lists.create_list(
        {"data": {"type": "list", "attributes": {"name": "Buyers"}}}
    ).data.id


def accounts(sdk, live):
    [account] = sdk.Accounts.get_accounts().data
    assert sdk.Accounts.get_account(account.id).data.attributes.public_api_key == "MoCk01"


def campaigns(sdk, live):
    message = {
        "type": "campaign-message",
        "attributes": {
            "definition": {
                "channel": "email",
                "label": "Spring",
                "content": {"subject": "Hi", "from_email": "s@example.com", "from_label": "S"},
            }
        },
    }
    body = {
        "data": {
            "type": "campaign",
            "attributes": {
                "name": "Spring sale",
                "audiences": {"included": [_list(sdk)]},
                "campaign-messages": {"data": [message]},
            },
        }
    }
    # made over HTTP: the SDK's create_campaign takes revision 2026-10-15's body (a campaign
    # with a definition, audiences as a list), which the stored document does not have
    headers = {"Authorization": "Klaviyo-API-Key pk_test", "revision": "2026-07-15"}
    made = requests.post(f"{live.url}/api/campaigns", json=body, headers=headers, timeout=10)
    assert made.status_code == 201, made.text
    # and read without the SDK's models, which are 2026-10-15's (a campaign with a definition)
    raw = sdk.Campaigns.get_campaigns_without_preload_content(
        filter="equals(messages.channel,'email')"
    )
    found = json.loads(raw.data)
    assert [c["id"] for c in found["data"]] == [made.json()["data"]["id"]]
    assert found["data"][0]["attributes"]["status"] == "Draft"


def catalogs(sdk, live):
    item = {
        "data": {
            "type": "catalog-item",
            "attributes": {
                "external_id": "SKU-1",
                "title": "Shirt",
                "description": "A shirt",
                "url": "https://example.com/shirt",
            },
        }
    }
    made = sdk.Catalogs.create_catalog_item(item).data
    assert made.id == "$custom:::$default:::SKU-1"
    assert sdk.Catalogs.get_catalog_item(made.id).data.attributes.title == "Shirt"


def client(sdk, live):
    allowlist = sdk.Client.get_client_ip_allowlist("integration-egress").data
    assert allowlist.id == "integration-egress"


def conversations(sdk, live):
    person = sdk.Profiles.create_profile(profile(phone_number="+14155550123")).data.id
    conversation = sdk.Profiles.get_conversation_for_profile(person).data
    message = {
        "data": {
            "type": "conversation-message",
            "attributes": {"body": "Hello"},
            "relationships": {
                "conversation": {"data": {"type": "conversation", "id": conversation.id}}
            },
        }
    }
    assert sdk.Conversations.create_conversation_message(message) is None  # 202


def coupons(sdk, live):
    coupon = {"data": {"type": "coupon", "attributes": {"external_id": "SPRING10"}}}
    assert sdk.Coupons.create_coupon(coupon).data.id == "SPRING10"
    assert [c.id for c in sdk.Coupons.get_coupons().data] == ["SPRING10"]


def custom_objects(sdk, live):
    source = {
        "data": {
            "type": "data-source",
            "attributes": {"title": "Orders", "visibility": "private", "description": "ERP"},
        }
    }
    made = sdk.Custom_Objects.create_data_source(source).data
    assert sdk.Custom_Objects.get_data_source(made.id).data.attributes.title == "Orders"


def data_privacy(sdk, live):
    gone = sdk.Profiles.create_profile(profile(email="gone@x.com")).data.id
    deletion = {
        "data": {
            "type": "data-privacy-deletion-job",
            "attributes": {
                "profile": {"data": {"type": "profile", "attributes": {"email": "gone@x.com"}}}
            },
        }
    }
    assert sdk.Data_Privacy.request_profile_deletion(deletion) is None
    status, _ = refused(sdk.Profiles.get_profile, gone)
    assert status == 404


def events(sdk, live):
    entry = {
        "type": "event-bulk-create",
        "attributes": {
            "profile": {"data": {"type": "profile", "attributes": {"email": "b@x.com"}}},
            "events": {
                "data": [
                    {
                        "type": "event",
                        "attributes": {
                            "properties": {},
                            "metric": {
                                "data": {"type": "metric", "attributes": {"name": "Viewed"}}
                            },
                        },
                    }
                ]
            },
        },
    }
    job = {
        "data": {
            "type": "event-bulk-create-job",
            "attributes": {"events-bulk-create": {"data": [entry]}},
        }
    }
    assert sdk.Events.bulk_create_events(job) is None
    assert len(sdk.Events.get_events().data) == 1


def flows(sdk, live):
    assert sdk.Flows.get_flows().data == []


def forms(sdk, live):
    assert sdk.Forms.get_forms().data == []


def images(sdk, live):
    made = sdk.Images.upload_image_from_url(
        {
            "data": {
                "type": "image",
                "attributes": {"import_from_url": "https://example.com/logo.png"},
            }
        }
    ).data
    assert sdk.Images.get_image(made.id).data.id == made.id


def lists(sdk, live):
    list_id = _list(sdk)
    assert sdk.Lists.get_list(list_id).data.attributes.name == "Buyers"


def metrics(sdk, live):
    events(sdk, live)
    [metric] = sdk.Metrics.get_metrics().data
    properties = sdk.Metrics.get_properties_for_metric(metric.id)
    assert properties.data == []  # the event had no properties


def profiles(sdk, live):
    made = sdk.Profiles.create_profile(profile(email="p@x.com")).data.id
    assert sdk.Profiles.get_profile(made).data.attributes.email == "p@x.com"


def reporting(sdk, live):
    assert sdk.Segments.get_segments().data == []
    report = {
        "data": {
            "type": "segment-values-report",
            "attributes": {"statistics": ["total_members"], "timeframe": {"key": "last_30_days"}},
        }
    }
    assert sdk.Reporting.query_segment_values(report).data.attributes.results == []


def reviews(sdk, live):
    assert sdk.Reviews.get_reviews().data == []


def segments(sdk, live):
    list_id = _list(sdk)
    condition = {"type": "profile-group-membership", "is_member": True, "group_ids": [list_id]}
    body = {
        "data": {
            "type": "segment",
            "attributes": {
                "name": "Buyers",
                "definition": {"condition_groups": [{"conditions": [condition]}]},
            },
        }
    }
    made = sdk.Segments.create_segment(body).data
    assert sdk.Segments.get_segment(made.id).data.attributes.name == "Buyers"


def tags(sdk, live):
    made = sdk.Tags.create_tag({"data": {"type": "tag", "attributes": {"name": "VIP"}}}).data
    assert sdk.Tags.get_tag(made.id).data.attributes.name == "VIP"


def templates(sdk, live):
    body = {
        "data": {
            "type": "template",
            "attributes": {
                "name": "Welcome",
                "editor_type": "CODE",
                "html": "<p>Hi {{ first_name }}</p>",
            },
        }
    }
    made = sdk.Templates.create_template(body).data
    rendered = sdk.Templates.render_template(
        {
            "data": {
                "type": "template",
                "id": made.id,
                "attributes": {"context": {"first_name": "Ann"}},
            }
        }
    )
    assert "Hi Ann" in rendered.data.attributes.html


def tracking_settings(sdk, live):
    [setting] = sdk.Tracking_Settings.get_tracking_settings().data
    assert setting.id == "MoCk01"


def web_feeds(sdk, live):
    body = {
        "data": {
            "type": "web-feed",
            "attributes": {
                "name": "Blog",
                "url": "https://example.com/feed.xml",
                "request_method": "get",
                "content_type": "xml",
            },
        }
    }
    made = sdk.Web_Feeds.create_web_feed(body).data
    assert sdk.Web_Feeds.get_web_feed(made.id).data.attributes.name == "Blog"


def webhooks(sdk, live):
    topics = sdk.Webhooks.get_webhook_topics().data
    assert any(t.id == "event:klaviyo.sent_sms" for t in topics)


def newer_revision(call):
    """An API class of revision 2026-10-15, which the stored document (2026-07-15) does not
    have: the mock says so with a 404, and the SDK raises it."""

    def story(sdk, live):
        status, body = refused(call, sdk)
        assert status == 404
        assert "is not a path of Klaviyo's API (revision 2026-07-15)" in body["errors"][0]["detail"]

    return story


API_CLASSES = {
    "Accounts": accounts,
    "Billing": newer_revision(lambda sdk: sdk.Billing.list_billing_usage()),
    "Brands": newer_revision(lambda sdk: sdk.Brands.get_brand_buttons()),
    "Campaigns": campaigns,
    "Catalogs": catalogs,
    "Client": client,
    "Conversations": conversations,
    "Coupons": coupons,
    "Custom_Objects": custom_objects,
    "Data_Privacy": data_privacy,
    "Events": events,
    "Flows": flows,
    "Forms": forms,
    "Images": images,
    "Lists": lists,
    "Metrics": metrics,
    "Profiles": profiles,
    "Reporting": reporting,
    "Reviews": reviews,
    "Segments": segments,
    "Tags": tags,
    "Templates": templates,
    "Text_Messaging": newer_revision(lambda sdk: sdk.Text_Messaging.get_text_messaging_senders()),
    "Tracking_Settings": tracking_settings,
    "Translations": newer_revision(lambda sdk: sdk.Translations.get_translations()),
    "Web_Feeds": web_feeds,
    "Webhooks": webhooks,
}


def test_every_api_class_of_the_sdk_is_in_the_table(sdk):
    assert sorted(API_CLASSES) == sorted(name for name in dir(sdk) if name[:1].isupper())


@pytest.mark.parametrize("name", sorted(API_CLASSES))
def test_each_api_class_of_the_sdk_against_the_live_server(sdk, live, name):
    requests.post(f"{live.url}/__mock__/reset", timeout=10)
    API_CLASSES[name](sdk, live)
