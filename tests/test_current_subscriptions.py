"""Consent (current-api.md §6 and §7): the bulk subscribe and unsubscribe jobs,
``/client/subscriptions``, and ``additional-fields[profile]=subscriptions`` after them and
after the legacy ``/subscribe``. Every answer is checked against stable.json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import PRIVATE
from flask.testing import FlaskClient
from test_current_lists import HEADERS
from test_current_lists import call
from test_current_lists import error
from test_current_lists import make_list
from test_current_lists import make_profile
from test_current_lists import state

from mockserver.domain.models import Profile

SUBSCRIBE = "/api/profile-subscription-bulk-create-jobs"
UNSUBSCRIBE = "/api/profile-subscription-bulk-delete-jobs"
CLIENT = "/client/subscriptions?company_id=AbC123"
EMAIL = {"email": {"marketing": {"consent": "SUBSCRIBED"}}}
SMS = {"sms": {"marketing": {"consent": "SUBSCRIBED"}}}
BOTH = {**EMAIL, **SMS}
PHONE = "+15555550100"
#: Nested deeper than Klaviyo takes (10 levels).
DEEP: dict[str, Any] = {}
for _ in range(11):
    DEEP = {"n": DEEP}


def subscribe_job(
    profiles: list[dict[str, Any]], list_id: str | None = None, **attributes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-create-job",
        "attributes": {"profiles": {"data": profiles}, **attributes},
    }
    if list_id is not None:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    return {"data": data}


def unsubscribe_job(profiles: list[dict[str, Any]], list_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "profile-subscription-bulk-delete-job",
        "attributes": {"profiles": {"data": profiles}},
    }
    if list_id is not None:
        data["relationships"] = {"list": {"data": {"type": "list", "id": list_id}}}
    return {"data": data}


def person(
    subscriptions: Any = None, profile_id: str | None = None, **attributes: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "profile", "attributes": dict(attributes)}
    if subscriptions is not None:
        entry["attributes"]["subscriptions"] = subscriptions
    if profile_id is not None:
        entry["id"] = profile_id
    return entry


def client_body(list_id: str, subscriptions: Any = None, **attributes: Any) -> dict[str, Any]:
    profile = {"type": "profile", "attributes": dict(attributes)}
    if subscriptions is not None:
        profile["attributes"]["subscriptions"] = subscriptions
    return {
        "data": {
            "type": "subscription",
            "attributes": {"custom_source": "Footer form", "profile": {"data": profile}},
            "relationships": {"list": {"data": {"type": "list", "id": list_id}}},
        }
    }


def consent_of(client: FlaskClient, email: str) -> dict[str, Any]:
    """The subscriptions of the profile with this email, as GET /api/profiles shows them."""
    answer = client.get(
        "/api/profiles",
        headers=HEADERS,
        query_string={
            "filter": f'equals(email,"{email}")',
            "additional-fields[profile]": "subscriptions",
        },
    )
    (profile,) = answer.json["data"]
    return dict(profile["attributes"]["subscriptions"])


def on_list(client: FlaskClient, list_id: str) -> list[str]:
    answer = call(client, "GET", f"/api/lists/{list_id}/profiles")
    return [r["attributes"]["email"] for r in answer.json["data"]]


# -- bulk subscribe -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opt_in", "subscriptions", "historical", "email_consent", "sms_consent", "listed"),
    [
        ("single_opt_in", EMAIL, False, "SUBSCRIBED", "NEVER_SUBSCRIBED", True),
        ("single_opt_in", BOTH, False, "SUBSCRIBED", "SUBSCRIBED", True),
        ("single_opt_in", SMS, False, "NEVER_SUBSCRIBED", "SUBSCRIBED", True),
        ("double_opt_in", EMAIL, False, "NEVER_SUBSCRIBED", "NEVER_SUBSCRIBED", False),
        ("double_opt_in", BOTH, False, "NEVER_SUBSCRIBED", "SUBSCRIBED", False),
        ("double_opt_in", SMS, False, "NEVER_SUBSCRIBED", "SUBSCRIBED", True),
        ("double_opt_in", BOTH, True, "SUBSCRIBED", "SUBSCRIBED", True),
        (None, BOTH, False, "SUBSCRIBED", "SUBSCRIBED", False),
    ],
)
def test_bulk_subscribe(
    client: FlaskClient,
    opt_in: str | None,
    subscriptions: dict[str, Any],
    historical: bool,
    email_consent: str,
    sms_consent: str,
    listed: bool,
) -> None:
    list_id = make_list(client, "News", opt_in) if opt_in else None
    if historical:
        at = {"consent": "SUBSCRIBED", "consented_at": "2020-01-02T03:04:05Z"}
        subscriptions = {key: {"marketing": at} for key in subscriptions}
    job = subscribe_job(
        [person(subscriptions, email="Fan@X.com", phone_number=PHONE)],
        list_id,
        historical_import=historical,
        custom_source="Checkout",
    )
    answer = call(client, "POST", SUBSCRIBE, job)
    assert answer.status_code == 202 and answer.data == b""
    consent = consent_of(client, "fan@x.com")
    email, sms = consent["email"]["marketing"], consent["sms"]["marketing"]
    assert (email["consent"], sms["consent"]) == (email_consent, sms_consent)
    assert sms["can_receive_sms_marketing"] is (sms_consent == "SUBSCRIBED")
    assert email["can_receive_email_marketing"] is True  # implicit consent: no suppression
    if email_consent == "SUBSCRIBED":
        assert email["method"] == "API" and email["custom_method_detail"] == "Checkout"
        if historical:
            assert email["consent_timestamp"] == "2020-01-02T03:04:05+00:00"
    if list_id is not None:
        assert on_list(client, list_id) == (["fan@x.com"] if listed else [])
        assert email["double_optin"] is (opt_in == "double_opt_in" and not listed)


def test_bulk_subscribe_finds_profiles_by_id_then_email(client: FlaskClient) -> None:
    list_id = make_list(client)
    by_id = make_profile(client, "old@x.com")
    by_email = make_profile(client, "known@x.com")
    job = subscribe_job(
        [
            person(EMAIL, by_id, email="new@x.com"),  # id wins: its email changes
            person(EMAIL, email="KNOWN@x.com"),
            person(EMAIL, email="fresh@x.com"),
        ],
        list_id,
    )
    assert call(client, "POST", SUBSCRIBE, job).status_code == 202
    listed = call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"]
    assert [(r["id"], r["attributes"]["email"]) for r in listed][:2] == [
        (by_id, "new@x.com"),
        (by_email, "known@x.com"),
    ]
    assert [r["attributes"]["email"] for r in listed][2] == "fresh@x.com"
    assert consent_of(client, "new@x.com")["email"]["marketing"]["consent"] == "SUBSCRIBED"


def test_bulk_subscribe_with_an_unknown_id_drops_that_profile(client: FlaskClient) -> None:
    list_id = make_list(client)
    job = subscribe_job(
        [person(EMAIL, "01UNKNOWN", email="ghost@x.com"), person(EMAIL, email="real@x.com")],
        list_id,
    )
    assert call(client, "POST", SUBSCRIBE, job).status_code == 202
    assert on_list(client, list_id) == ["real@x.com"]


def test_subscribing_again_keeps_the_first_consent_and_join_time(client: FlaskClient) -> None:
    list_id = make_list(client)
    job = subscribe_job([person(EMAIL, email="a@x.com")], list_id)
    call(client, "POST", SUBSCRIBE, job)
    first = call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"]
    before = consent_of(client, "a@x.com")
    call(client, "POST", SUBSCRIBE, job)
    assert call(client, "GET", f"/api/lists/{list_id}/profiles").json["data"] == first
    assert consent_of(client, "a@x.com") == before


# -- bulk unsubscribe -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channels", "email_consent", "sms_consent"),
    [
        ({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, "UNSUBSCRIBED", "SUBSCRIBED"),
        ({"sms": {"marketing": {"consent": "UNSUBSCRIBED"}}}, "SUBSCRIBED", "UNSUBSCRIBED"),
        (
            {
                "email": {"marketing": {"consent": "UNSUBSCRIBED"}},
                "sms": {"marketing": {"consent": "UNSUBSCRIBED"}},
            },
            "UNSUBSCRIBED",
            "UNSUBSCRIBED",
        ),
    ],
)
def test_bulk_unsubscribe(
    client: FlaskClient, channels: dict[str, Any], email_consent: str, sms_consent: str
) -> None:
    list_id = make_list(client)
    call(
        client,
        "POST",
        SUBSCRIBE,
        subscribe_job([person(BOTH, email="a@x.com", phone_number=PHONE)], list_id),
    )
    job = unsubscribe_job([person(channels, email="a@x.com", phone_number=PHONE)], list_id)
    answer = call(client, "POST", UNSUBSCRIBE, job)
    assert answer.status_code == 202 and answer.data == b""
    consent = consent_of(client, "a@x.com")
    email = consent["email"]["marketing"]
    assert (email["consent"], consent["sms"]["marketing"]["consent"]) == (
        email_consent,
        sms_consent,
    )
    assert email["can_receive_email_marketing"] is (email_consent != "UNSUBSCRIBED")
    assert [s["list_id"] for s in email["list_suppressions"]] == [list_id]
    assert on_list(client, list_id) == []
    exclusions = client.get(
        f"/api/v2/list/{list_id}/exclusions/all", query_string={"api_key": PRIVATE}
    )
    assert [r["email"] for r in exclusions.json["records"]] == ["a@x.com"]


def test_bulk_unsubscribe_creates_an_unknown_profile(client: FlaskClient) -> None:
    job = unsubscribe_job(
        [person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, email="new@x.com")]
    )
    assert call(client, "POST", UNSUBSCRIBE, job).status_code == 202
    email = consent_of(client, "new@x.com")["email"]["marketing"]
    assert email["consent"] == "UNSUBSCRIBED"
    assert email["suppression"] == [
        {"reason": "UNSUBSCRIBE", "timestamp": email["consent_timestamp"]}
    ]


# -- /client/subscriptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "subscriptions", "email_consent", "sms_consent"),
    [
        ({"email": "c@x.com"}, None, "SUBSCRIBED", "NEVER_SUBSCRIBED"),
        ({"email": "c@x.com", "phone_number": PHONE}, None, "SUBSCRIBED", "SUBSCRIBED"),
        ({"email": "c@x.com", "phone_number": PHONE}, SMS, "NEVER_SUBSCRIBED", "SUBSCRIBED"),
        (
            {"email": "c@x.com", "phone_number": PHONE},
            {"sms": {"transactional": {"consent": "SUBSCRIBED"}}},
            "NEVER_SUBSCRIBED",
            "NEVER_SUBSCRIBED",
        ),
    ],
)
def test_client_subscription(
    client: FlaskClient,
    attributes: dict[str, Any],
    subscriptions: Any,
    email_consent: str,
    sms_consent: str,
) -> None:
    list_id = make_list(client)
    answer = call(
        client,
        "POST",
        CLIENT,
        client_body(list_id, subscriptions, **attributes),
        content_type="application/json",
    )
    assert answer.status_code == 202 and answer.data == b""
    consent = consent_of(client, "c@x.com")
    assert consent["email"]["marketing"]["consent"] == email_consent
    assert consent["sms"]["marketing"]["consent"] == sms_consent
    if subscriptions and "transactional" in subscriptions.get("sms", {}):
        assert consent["sms"]["transactional"]["consent"] == "SUBSCRIBED"
    assert on_list(client, list_id) == ["c@x.com"]


def test_client_subscription_never_changes_identifiers(client: FlaskClient) -> None:
    list_id = make_list(client)
    profile_id = make_profile(client, "c@x.com", phone_number=PHONE, external_id="shop-1")
    body = client_body(list_id, email="c@x.com", phone_number="+15555550199", external_id="shop-2")
    assert call(client, "POST", CLIENT, body).status_code == 202
    shown = call(client, "GET", f"/api/profiles/{profile_id}").json["data"]["attributes"]
    assert (shown["phone_number"], shown["external_id"]) == (PHONE, "shop-1")
    assert on_list(client, list_id) == ["c@x.com"]


def test_a_client_call_subscribes_only_the_address_it_gave(client: FlaskClient) -> None:
    """X{old@, phone}: a visitor gives new@ and X's phone. X keeps old@ (a client call changes
    no identifier), so email consent is not recorded for old@; SMS consent is."""
    list_id = make_list(client)
    make_profile(client, "old@x.com", phone_number=PHONE)
    body = client_body(list_id, BOTH, email="new@x.com", phone_number=PHONE)
    assert call(client, "POST", CLIENT, body).status_code == 202
    consent = consent_of(client, "old@x.com")
    assert consent["email"]["marketing"]["consent"] == "NEVER_SUBSCRIBED"
    assert consent["sms"]["marketing"]["consent"] == "SUBSCRIBED"


def test_client_subscription_to_a_double_opt_in_list_waits(client: FlaskClient) -> None:
    list_id = make_list(client, "Double", "double_opt_in")
    assert call(client, "POST", CLIENT, client_body(list_id, email="c@x.com")).status_code == 202
    assert on_list(client, list_id) == []
    email = consent_of(client, "c@x.com")["email"]["marketing"]
    assert (email["consent"], email["double_optin"]) == ("NEVER_SUBSCRIBED", True)


# -- consent after the legacy API, merges and old state -------------------------------------


def test_legacy_subscribe_and_unsubscribe_show_as_consent(client: FlaskClient) -> None:
    list_id = make_list(client)
    client.post(
        f"/api/v2/list/{list_id}/subscribe",
        json={"api_key": PRIVATE, "profiles": [{"email": "v2@x.com"}]},
    )
    email = consent_of(client, "v2@x.com")["email"]["marketing"]
    assert (email["consent"], email["method_detail"]) == ("SUBSCRIBED", "v2 list subscribe")
    client.delete(
        f"/api/v2/list/{list_id}/subscribe", json={"api_key": PRIVATE, "emails": ["v2@x.com"]}
    )
    email = consent_of(client, "v2@x.com")["email"]["marketing"]
    assert email["consent"] == "UNSUBSCRIBED"
    assert email["can_receive_email_marketing"] is False
    assert [s["list_id"] for s in email["list_suppressions"]] == [list_id]
    call(client, "POST", SUBSCRIBE, subscribe_job([person(EMAIL, email="v2@x.com")], list_id))
    assert consent_of(client, "v2@x.com")["email"]["marketing"]["consent"] == "SUBSCRIBED"
    assert on_list(client, list_id) == ["v2@x.com"]


def test_a_merge_keeps_consent(client: FlaskClient) -> None:
    call(client, "POST", SUBSCRIBE, subscribe_job([person(SMS, phone_number=PHONE)]))
    source = call(client, "GET", "/api/profiles").json["data"][0]["id"]
    destination = make_profile(client, "d@x.com")
    merge = {
        "data": {
            "type": "profile-merge",
            "id": destination,
            "relationships": {"profiles": {"data": [{"type": "profile", "id": source}]}},
        }
    }
    assert call(client, "POST", "/api/profile-merge", merge).status_code == 201
    assert consent_of(client, "d@x.com")["sms"]["marketing"]["consent"] == "SUBSCRIBED"


def test_a_profile_document_without_consent_still_loads() -> None:
    doc = {
        "id": "01A",
        "created": "2020-01-01T00:00:00+00:00",
        "updated": "2020-01-01T00:00:00+00:00",
        "identifiers": {"email": "a@x.com"},
        "attributes": {},
        "properties": {},
        "former": {},
    }
    profile = Profile.from_document(doc)
    assert profile.consent == {}
    assert profile.to_document() == doc


# -- refusals -------------------------------------------------------------------------------


def _good(list_id: str) -> dict[str, Any]:
    return person(EMAIL, email="ok@x.com")


REFUSED = [
    pytest.param(SUBSCRIBE, "{", 400, "/data/", id="bad-json"),
    pytest.param(
        SUBSCRIBE,
        {
            "data": {
                "type": "profile-subscription-bulk-delete-job",
                "attributes": {"profiles": {"data": [person(EMAIL, email="a@x.com")]}},
            }
        },
        400,
        "/data/type",
        id="wrong-type",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([{"type": "profile", "attributes": {"email": "a@x.com"}}]),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions",
        id="no-subscriptions",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL)]),
        400,
        "/data/attributes/profiles/data/0/attributes",
        id="no-identifier",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL, email="not-an-email")]),
        400,
        "/data/attributes/profiles/data/0/attributes/email",
        id="bad-email",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(SMS, phone_number="555")]),
        400,
        "/data/attributes/profiles/data/0/attributes/phone_number",
        id="bad-phone",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(SMS, email="a@x.com")]),
        400,
        "/data/attributes/profiles/data/0/attributes/phone_number",
        id="sms-without-phone",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person({}, email="a@x.com")]),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions",
        id="no-channel",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job(
            [person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, email="a@x.com")]
        ),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consent",
        id="wrong-consent",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job(
            [
                person(
                    {
                        "email": {
                            "marketing": {
                                "consent": "SUBSCRIBED",
                                "consented_at": "2020-01-01T00:00:00Z",
                            }
                        }
                    },
                    email="a@x.com",
                )
            ]
        ),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consented_at",
        id="consented-at-not-historical",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL, email="a@x.com")], historical_import=True),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consented_at",
        id="historical-without-consented-at",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job(
            [
                person(
                    {
                        "email": {
                            "marketing": {
                                "consent": "SUBSCRIBED",
                                "consented_at": "2999-01-01T00:00:00Z",
                            }
                        }
                    },
                    email="a@x.com",
                )
            ],
            historical_import=True,
        ),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consented_at",
        id="historical-in-the-future",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job(
            [
                person(
                    {
                        "email": {
                            "marketing": {"consent": "SUBSCRIBED", "consented_at": "yesterday"}
                        }
                    },
                    email="a@x.com",
                )
            ],
            historical_import=True,
        ),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consented_at",
        id="consented-at-not-a-date",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL, email="ok@x.com"), person(EMAIL, email="bad")], "{list}"),
        400,
        "/data/attributes/profiles/data/1/attributes/email",
        id="second-bad-refuses-all",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL, email=f"p{i}@x.com") for i in range(1001)]),
        400,
        "/data/attributes/profiles/data",
        id="too-many",
    ),
    pytest.param(SUBSCRIBE, subscribe_job([]), 400, "/data/attributes/profiles/data", id="none"),
    pytest.param(
        SUBSCRIBE,
        subscribe_job([person(EMAIL, email="a@x.com")], "NOPE00"),
        404,
        "/data/",
        id="unknown-list",
    ),
    pytest.param(
        UNSUBSCRIBE,
        unsubscribe_job([person(EMAIL, email="a@x.com")]),
        400,
        "/data/attributes/profiles/data/0/attributes/subscriptions/email/marketing/consent",
        id="unsubscribe-wrong-consent",
    ),
    pytest.param(
        UNSUBSCRIBE,
        unsubscribe_job(
            [person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, email="a@x.com")] * 101
        ),
        400,
        "/data/attributes/profiles/data",
        id="unsubscribe-too-many",
    ),
    pytest.param(
        UNSUBSCRIBE,
        unsubscribe_job([person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}})]),
        400,
        "/data/attributes/profiles/data/0/attributes",
        id="unsubscribe-no-identifier",
    ),
    pytest.param(
        UNSUBSCRIBE,
        unsubscribe_job(
            [person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, email="a@x.com")],
            "NOPE00",
        ),
        404,
        "/data/",
        id="unsubscribe-unknown-list",
    ),
    pytest.param(
        CLIENT,
        {
            "data": {
                "type": "subscription",
                "attributes": {
                    "profile": {"data": {"type": "profile", "attributes": {"email": "a@x.com"}}}
                },
            }
        },
        400,
        "/data/relationships",
        id="client-no-list",
    ),
    pytest.param(
        CLIENT,
        client_body("{list}", phone_number=None),
        400,
        "/data/attributes/profile/data/attributes",
        id="client-no-identifier",
    ),
    pytest.param(
        CLIENT,
        client_body("{list}", email="nope"),
        400,
        "/data/attributes/profile/data/attributes/email",
        id="client-bad-email",
    ),
    pytest.param(
        CLIENT,
        client_body("{list}", SMS, email="a@x.com"),
        400,
        "/data/attributes/profile/data/attributes/phone_number",
        id="client-sms-without-phone",
    ),
    pytest.param(
        CLIENT, client_body("NOPE00", email="a@x.com"), 404, "/data/", id="client-unknown-list"
    ),
    pytest.param(CLIENT, {"data": {"type": "profile"}}, 400, "/data/type", id="client-wrong-type"),
    pytest.param(
        CLIENT,
        client_body(
            "{list}", email="a@x.com", meta={"patch_identifiers": {"append": {"email": ["bad"]}}}
        ),
        400,
        "/data/attributes/profile/data/attributes/meta/patch_identifiers",
        id="client-bad-secondary-email",
    ),
    pytest.param(
        CLIENT,
        client_body("{list}", email="a@x.com", properties={"n": DEEP}),
        400,
        "/data/attributes/profile/data/attributes/properties",
        id="client-nested-too-deep",
    ),
    pytest.param(
        SUBSCRIBE,
        subscribe_job(
            [person(EMAIL, email="new@x.com"), person(EMAIL, email="not-an-email")], "{list}"
        ),
        400,
        "/data/attributes/profiles/data/1/attributes/email",
        id="subscribe-second-profile-bad-email",
    ),
]


@pytest.mark.parametrize(("path", "payload", "status", "pointer"), REFUSED)
def test_refused_calls_change_nothing(
    client: FlaskClient, path: str, payload: Any, status: int, pointer: str | None
) -> None:
    list_id = make_list(client)
    make_profile(client, "a@x.com")
    before = state(client)
    text = payload if isinstance(payload, str) else json.dumps(payload).replace("{list}", list_id)
    answer = call(client, "POST", path, text)
    assert answer.status_code == status, answer.json
    entry = error(answer)
    assert entry["code"] == ("invalid" if status == 400 else "not_found")
    if pointer is not None:
        assert entry["source"] == {"pointer": pointer}, entry
    assert state(client) == before


HEADER_CASES = [
    pytest.param(SUBSCRIBE, {"revision": "2026-07-15"}, 401, id="subscribe-no-key"),
    pytest.param(UNSUBSCRIBE, {"revision": "2026-07-15"}, 401, id="unsubscribe-no-key"),
    pytest.param(
        SUBSCRIBE, {"Authorization": "Klaviyo-API-Key pk_test"}, 400, id="subscribe-no-revision"
    ),
    pytest.param(
        UNSUBSCRIBE, {**HEADERS, "revision": "2026-7-15"}, 400, id="unsubscribe-malformed-revision"
    ),
    pytest.param(
        SUBSCRIBE, {**HEADERS, "revision": "2999-01-01"}, 404, id="subscribe-future-revision"
    ),
    pytest.param(
        "/client/subscriptions", {"revision": "2026-07-15"}, 400, id="client-no-company-id"
    ),
    pytest.param(CLIENT, {}, 400, id="client-no-revision"),
    pytest.param(CLIENT, {"revision": "2999-01-01"}, 404, id="client-future-revision"),
]


@pytest.mark.parametrize(("path", "headers", "status"), HEADER_CASES)
def test_key_company_id_and_revision(
    client: FlaskClient, path: str, headers: dict[str, str], status: int
) -> None:
    list_id = make_list(client)
    before = state(client)
    if path == SUBSCRIBE:
        body = subscribe_job([person(EMAIL, email="a@x.com")], list_id)
    elif path == UNSUBSCRIBE:
        body = unsubscribe_job(
            [person({"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}, email="a@x.com")]
        )
    else:
        body = client_body(list_id, email="a@x.com")
    answer = call(client, "POST", path, body, headers=headers)
    assert answer.status_code == status
    entry = error(answer)
    if path == "/client/subscriptions":
        assert entry["source"] == {"parameter": "company_id"}
    assert state(client) == before


def test_an_empty_identifier_counts_as_absent(client: FlaskClient) -> None:
    """As in the legacy API: ``""`` is no identifier, not an invalid one (no 500, no 400)."""
    list_id = make_list(client)
    job = subscribe_job(
        [person(EMAIL, email="a@x.com"), person(SMS, email="", phone_number=PHONE)], list_id
    )
    assert call(client, "POST", SUBSCRIBE, job).status_code == 202
    assert len(on_list(client, list_id)) == 2


def test_a_blank_profile_id_counts_as_absent(client: FlaskClient) -> None:
    list_id = make_list(client)
    job = subscribe_job([person(EMAIL, profile_id="", email="new@x.com")], list_id)
    assert call(client, "POST", SUBSCRIBE, job).status_code == 202
    assert on_list(client, list_id) == ["new@x.com"]
