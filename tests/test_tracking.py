"""UTM tracking settings (``/api/tracking-settings``): one per account, made by Klaviyo with its
defaults, its id the account's public key; changed parameter by parameter, read back, back to
the defaults after a reset. Every answer is checked against the document by the ``client``
fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import OTHER_PRIVATE
from conftest import OTHER_PUBLIC
from conftest import PRIVATE
from conftest import PUBLIC
from conftest import current
from current import error

from mockserver.domain.accounts import OPEN_PUBLIC_KEY
from mockserver.families.tracking.models import DEFAULTS

SETTING = f"/api/tracking-settings/{OPEN_PUBLIC_KEY}"


def static(value: str) -> dict[str, str]:
    return {"type": "static", "value": value}


def dynamic(value: str) -> dict[str, str]:
    return {"type": "dynamic", "value": value}


def change(setting_id: str = OPEN_PUBLIC_KEY, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "tracking-setting", "id": setting_id, "attributes": attributes}}


def shown(client) -> dict[str, Any]:
    answer = current(client, "GET", SETTING)
    assert answer.status_code == 200, answer.json
    return dict(answer.json["data"]["attributes"])


def test_the_account_has_one_setting_with_klaviyos_defaults(client):
    answer = current(client, "GET", "/api/tracking-settings")
    assert answer.status_code == 200
    [setting] = answer.json["data"]
    assert setting["id"] == OPEN_PUBLIC_KEY
    assert setting["attributes"] == DEFAULTS
    assert setting["attributes"]["utm_term"] is None  # off
    accounts = current(client, "GET", "/api/accounts").json["data"]
    assert [a["id"] for a in accounts] == [setting["id"]]


def test_a_change_before_any_read_finds_the_setting(client):
    answer = current(client, "PATCH", SETTING, change(auto_add_parameters=False))
    assert answer.status_code == 200, answer.json
    assert shown(client)["auto_add_parameters"] is False


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"auto_add_parameters": False}, {"auto_add_parameters": False}),
        (
            {"utm_source": {"campaign": static("newsletter")}},
            {"utm_source": {"campaign": static("newsletter"), "flow": static("Klaviyo")}},
        ),
        (
            {"utm_medium": {"flow": dynamic("message_name")}},
            {"utm_medium": {"campaign": dynamic("message_type"), "flow": dynamic("message_name")}},
        ),
        (
            {"utm_term": {"campaign": dynamic("link_alt_text")}},
            {"utm_term": {"campaign": dynamic("link_alt_text")}},
        ),
        ({"utm_campaign": None, "utm_id": None}, {"utm_campaign": None, "utm_id": None}),
        ({"utm_source": None, "utm_medium": None, "auto_add_parameters": None}, {}),
        (
            {
                "custom_parameters": [
                    {"name": "ref", "campaign": static("mail"), "flow": dynamic("flow_id")}
                ]
            },
            {
                "custom_parameters": [
                    {"name": "ref", "campaign": static("mail"), "flow": dynamic("flow_id")}
                ]
            },
        ),
        ({"custom_parameters": None}, {"custom_parameters": []}),
    ],
    ids=[
        "auto-add-off",
        "source-campaign-only",
        "medium-flow-only",
        "term-on",
        "campaign-and-id-off",
        "always-on-nulls-keep",
        "custom",
        "custom-cleared",
    ],
)
def test_a_change_is_read_back(client, attributes, expected):
    answer = current(client, "PATCH", SETTING, change(**attributes))
    assert answer.status_code == 200, answer.json
    now = shown(client)
    assert now == answer.json["data"]["attributes"]
    assert now == {**DEFAULTS, **expected}


def test_a_parameter_turned_off_can_be_turned_on_again(client):
    current(client, "PATCH", SETTING, change(utm_id=None))
    assert shown(client)["utm_id"] is None
    current(client, "PATCH", SETTING, change(utm_id={"flow": dynamic("flow_id")}))
    assert shown(client)["utm_id"] == {"flow": dynamic("flow_id")}


def test_custom_parameters_are_replaced_whole(client):
    first = [{"name": "a", "campaign": static("1")}, {"name": "b", "flow": static("2")}]
    current(client, "PATCH", SETTING, change(custom_parameters=first))
    current(client, "PATCH", SETTING, change(custom_parameters=[{"name": "c"}]))
    assert shown(client)["custom_parameters"] == [{"name": "c"}]


def test_a_reset_brings_the_defaults_back(client):
    current(client, "PATCH", SETTING, change(auto_add_parameters=False, utm_id=None))
    assert client.post("/__mock__/reset").status_code == 200
    assert shown(client) == DEFAULTS


def test_each_account_has_its_own_setting_named_by_its_key(two_accounts):
    client = two_accounts.test_client()
    mine = {"Authorization": f"Klaviyo-API-Key {PRIVATE}"}
    theirs = {"Authorization": f"Klaviyo-API-Key {OTHER_PRIVATE}"}
    patch = change(PUBLIC, auto_add_parameters=False)
    assert (
        current(
            client, "PATCH", f"/api/tracking-settings/{PUBLIC}", patch, headers=mine
        ).status_code
        == 200
    )
    [own] = current(client, "GET", "/api/tracking-settings", headers=mine).json["data"]
    [other] = current(client, "GET", "/api/tracking-settings", headers=theirs).json["data"]
    assert (own["id"], own["attributes"]["auto_add_parameters"]) == (PUBLIC, False)
    assert (other["id"], other["attributes"]) == (OTHER_PUBLIC, DEFAULTS)
    error(current(client, "GET", f"/api/tracking-settings/{PUBLIC}", headers=theirs), 404)


# -- bad input ---------------------------------------------------------------------------------

SIX = [{"name": f"p{i}", "campaign": static("x")} for i in range(6)]
BAD = [
    (
        "always-on-value-removed",
        {"utm_source": {"campaign": None}},
        "/data/attributes/utm_source/campaign",
    ),
    (
        "blank-static",
        {"utm_campaign": {"flow": static(" ")}},
        "/data/attributes/utm_campaign/flow/value",
    ),
    ("six-custom", {"custom_parameters": SIX}, "/data/attributes/custom_parameters"),
    (
        "custom-blank-name",
        {"custom_parameters": [{"name": ""}]},
        "/data/attributes/custom_parameters/0/name",
    ),
    (
        "custom-prebuilt-name",
        {"custom_parameters": [{"name": "ok"}, {"name": "UTM_Source"}]},
        "/data/attributes/custom_parameters/1/name",
    ),
    (
        "custom-twice",
        {"custom_parameters": [{"name": "ref"}, {"name": "Ref"}]},
        "/data/attributes/custom_parameters/1/name",
    ),
    (
        "custom-blank-static",
        {"custom_parameters": [{"name": "ref", "campaign": static("")}]},
        "/data/attributes/custom_parameters/0/campaign/value",
    ),
    (
        "flow-value-for-campaigns",
        {"utm_id": {"campaign": dynamic("flow_id")}},
        "/data/attributes/utm_id/campaign",
    ),
]


@pytest.mark.parametrize(("attributes", "pointer"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_change_is_400_and_changes_nothing(client, attributes, pointer):
    before = shown(client)
    found = error(
        current(client, "PATCH", SETTING, change(**attributes, auto_add_parameters=False)), 400
    )
    assert found["source"]["pointer"].startswith(pointer)
    assert shown(client) == before


def test_another_accounts_id_is_404(client):
    error(current(client, "GET", "/api/tracking-settings/XyZ789"), 404)
    error(
        current(
            client,
            "PATCH",
            "/api/tracking-settings/XyZ789",
            change("XyZ789", auto_add_parameters=False),
        ),
        404,
    )


def test_a_change_naming_another_id_is_400(client):
    found = error(
        current(client, "PATCH", SETTING, change("XyZ789", auto_add_parameters=False)), 400
    )
    assert found["source"] == {"pointer": "/data/id"}
