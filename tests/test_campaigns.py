"""Campaigns: made as drafts with their messages (linked both ways, listed by their channel),
changed and deleted while they are drafts, cloned, given a copy of a template and an image,
sent (at once, or scheduled and then cancelled or reverted), and their recipients estimated
from their audiences. Every answer is checked against stable.json by the ``app`` fixture."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from conftest import current
from conftest import new_profile
from current import refused
from flask.testing import FlaskClient

from mockserver.domain.service import Klaviyo

EMAIL = {
    "channel": "email",
    "label": "Spring email",
    "content": {"subject": "Hello", "from_email": "store@example.com", "from_label": "Store"},
}
SMS = {"channel": "sms", "content": {"body": "Hello {{ first_name }}"}}
PUSH = {"channel": "mobile_push", "content": {"title": "Sale", "body": "Now on"}}
SILENT = {"channel": "mobile_push", "kv_pairs": {"refresh": "1"}}
HTML = "<html><body>Hello {{ first_name }}</body></html>"
CHANNELS = "email", "sms", "mobile_push"


# -- helpers ------------------------------------------------------------------------------------


def make_list(client: FlaskClient, name: str, *emails: str) -> str:
    made = current(
        client, "POST", "/api/lists", {"data": {"type": "list", "attributes": {"name": name}}}
    )
    assert made.status_code == 201, made.json
    list_id = str(made.json["data"]["id"])
    add(client, list_id, *emails)
    return list_id


def add(client: FlaskClient, list_id: str, *emails: str) -> None:
    if emails:
        profiles = [{"type": "profile", "id": new_profile(client, email=e)} for e in emails]
        path = f"/api/lists/{list_id}/relationships/profiles"
        assert current(client, "POST", path, {"data": profiles}).status_code == 204


def body(
    included: list[str],
    *definitions: dict[str, Any],
    name: str = "Spring sale",
    excluded: list[str] | None = None,
    image: str | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    messages = []
    for definition in definitions or (EMAIL,):
        message: dict[str, Any] = {
            "type": "campaign-message",
            "attributes": {"definition": definition},
        }
        if image is not None:
            message["relationships"] = {"image": {"data": {"type": "image", "id": image}}}
        messages.append(message)
    audiences: dict[str, Any] = {"included": included}
    if excluded is not None:
        audiences["excluded"] = excluded
    given = {"name": name, "audiences": audiences, "campaign-messages": {"data": messages}}
    return {"data": {"type": "campaign", "attributes": {**given, **attributes}}}


def make(
    client: FlaskClient, included: list[str], *definitions: dict[str, Any], **more: Any
) -> dict[str, Any]:
    answer = current(client, "POST", "/api/campaigns", body(included, *definitions, **more))
    assert answer.status_code == 201, answer.json
    return dict(answer.json["data"])


def get(client: FlaskClient, path: str) -> Any:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.json
    return answer.json["data"]


def campaign(client: FlaskClient, campaign_id: str) -> dict[str, Any]:
    return dict(get(client, f"/api/campaigns/{campaign_id}")["attributes"])


def message_of(client: FlaskClient, campaign_id: str) -> str:
    [message] = get(client, f"/api/campaigns/{campaign_id}/relationships/campaign-messages")
    return str(message["id"])


def listed(client: FlaskClient, channel: str = "email", more: str = "") -> list[str]:
    """The names of the campaigns on ``channel`` (``more``: another condition, or a sort)."""
    condition, _, sort = more.partition("&")
    expression = f"equals(messages.channel,'{channel}')"
    if condition:
        expression = f"and({expression}{condition})"
    query = f"filter={expression}&{sort}"
    data = get(client, f"/api/campaigns?{query}")
    return [c["attributes"]["name"] for c in data]


def nothing_made(client: FlaskClient) -> None:
    assert all(listed(client, channel) == [] for channel in CHANNELS)


def resource(kind: str, resource_id: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": kind, "id": resource_id, "attributes": attributes}}


def send(client: FlaskClient, campaign_id: str) -> Any:
    document = {"data": {"type": "campaign-send-job", "id": campaign_id}}
    return current(client, "POST", "/api/campaign-send-jobs", document)


def act(client: FlaskClient, campaign_id: str, action: str) -> Any:
    document = resource("campaign-send-job", campaign_id, action=action)
    return current(client, "PATCH", f"/api/campaign-send-jobs/{campaign_id}", document)


def template(client: FlaskClient, html: str = HTML) -> str:
    attributes = {"name": "Newsletter", "editor_type": "CODE", "html": html}
    made = current(
        client, "POST", "/api/templates", {"data": {"type": "template", "attributes": attributes}}
    )
    assert made.status_code == 201, made.json
    return str(made.json["data"]["id"])


def assign(client: FlaskClient, message_id: str, template_id: str) -> Any:
    document = {
        "data": {
            "type": "campaign-message",
            "id": message_id,
            "relationships": {"template": {"data": {"type": "template", "id": template_id}}},
        }
    }
    return current(client, "POST", "/api/campaign-message-assign-template", document)


def image(client: FlaskClient) -> str:
    attributes = {"import_from_url": "https://example.com/hero.png"}
    made = current(
        client, "POST", "/api/images", {"data": {"type": "image", "attributes": attributes}}
    )
    assert made.status_code == 201, made.json
    return str(made.json["data"]["id"])


def later(days: int = 1) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)).isoformat()


def scheduled(client: FlaskClient, audience: str) -> str:
    strategy = {"method": "static", "datetime": later()}
    made = make(client, [audience], send_strategy=strategy)
    assert send(client, made["id"]).json["data"]["attributes"]["status"] == "queued"
    return str(made["id"])


@pytest.fixture
def audience(client: FlaskClient) -> str:
    return make_list(client, "Newsletter", "ann@example.com")


# -- a new campaign -----------------------------------------------------------------------------


def test_a_new_campaign_is_a_draft_with_its_messages_linked_both_ways(client, audience):
    made = make(client, [audience])
    attributes = made["attributes"]
    assert attributes["status"] == "Draft"
    assert attributes["archived"] is False
    assert (attributes["send_time"], attributes["scheduled_at"]) == (None, None)
    assert attributes["send_strategy"] == {"method": "immediate"}
    assert attributes["send_options"] == {"use_smart_sending": True}
    assert attributes["tracking_options"]["is_tracking_opens"] is True
    assert attributes["audiences"] == {"included": [audience], "excluded": []}
    [linked] = made["relationships"]["campaign-messages"]["data"]

    messages = get(client, f"/api/campaigns/{made['id']}/campaign-messages")
    assert [m["id"] for m in messages] == [linked["id"]]
    assert get(client, f"/api/campaign-messages/{linked['id']}/campaign")["id"] == made["id"]
    owner = get(client, f"/api/campaign-messages/{linked['id']}/relationships/campaign")
    assert owner == {"type": "campaign", "id": made["id"]}
    assert campaign(client, made["id"]) == attributes


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            EMAIL,
            {
                **EMAIL,
                "content": {
                    **dict.fromkeys(("preview_text", "reply_to_email", "cc_email", "bcc_email")),
                    **EMAIL["content"],
                },
            },
        ),
        (
            {"channel": "email"},
            {
                "channel": "email",
                "label": "Spring sale",
                "content": dict.fromkeys(
                    (
                        "subject",
                        "preview_text",
                        "from_email",
                        "from_label",
                        "reply_to_email",
                        "cc_email",
                        "bcc_email",
                    )
                ),
            },
        ),
        (
            SMS,
            {
                "channel": "sms",
                "content": {"body": "Hello {{ first_name }}", "media_url": None},
                "render_options": {
                    "shorten_links": True,
                    "add_org_prefix": True,
                    "add_info_link": True,
                    "add_opt_out_language": False,
                },
            },
        ),
        (PUSH, {**PUSH, "notification_type": "standard"}),
        (SILENT, {**SILENT, "notification_type": "silent"}),
    ],
    ids=["email", "email-defaults", "sms", "push", "silent-push"],
)
def test_a_message_shows_its_definition_with_what_klaviyo_fills_in(
    client, audience, definition, expected
):
    made = make(client, [audience], definition)
    message = get(client, f"/api/campaign-messages/{message_of(client, made['id'])}")
    assert message["attributes"]["definition"] == expected
    assert message["attributes"]["send_times"] == []


@pytest.mark.parametrize(
    ("channel", "more", "names"),
    [
        ("email", "", ["Email one", "Email two"]),
        ("sms", "", ["Texts"]),
        ("mobile_push", "", ["Pushes"]),
        ("email", "&sort=-name", ["Email two", "Email one"]),
        ("email", ",contains(name,'two')", ["Email two"]),
        ("email", ",equals(status,'Draft')", ["Email one", "Email two"]),
        ("email", ",equals(status,'Sent')", []),
    ],
    ids=["email", "sms", "push", "sorted", "and-name", "and-status", "none-sent"],
)
def test_campaigns_are_listed_by_their_messages_channel(client, audience, channel, more, names):
    make(client, [audience], EMAIL, name="Email one")
    make(client, [audience], SMS, name="Texts")
    make(client, [audience], PUSH, name="Pushes")
    make(client, [audience], EMAIL, name="Email two")
    assert listed(client, channel, more) == names


def test_a_listing_without_a_channel_is_400(client):
    answer = current(client, "GET", "/api/campaigns")
    assert answer.status_code == 400


def test_a_campaign_includes_its_messages(client, audience):
    made = make(client, [audience], EMAIL, EMAIL)
    answer = current(client, "GET", f"/api/campaigns/{made['id']}?include=campaign-messages")
    included = answer.json["included"]
    assert [m["type"] for m in included] == ["campaign-message", "campaign-message"]
    linked = answer.json["data"]["relationships"]["campaign-messages"]["data"]
    assert [m["id"] for m in included] == [m["id"] for m in linked]


@pytest.mark.parametrize(
    ("change", "status", "pointer"),
    [
        ({"name": ""}, 400, "/data/attributes/name"),
        ({"included": ["NoSuch"]}, 400, "/data/attributes/audiences/included/0"),
        ({"excluded": ["NoSuch"]}, 400, "/data/attributes/audiences/excluded/0"),
        ({"excluded": ["AUDIENCE"]}, 400, "/data/attributes/audiences/excluded"),
        ({"definitions": ()}, 400, "/data/attributes/campaign-messages/data"),
        (
            {"definitions": (EMAIL, SMS)},
            400,
            "/data/attributes/campaign-messages/data/1/attributes/definition/channel",
        ),
        (
            {"image": "999"},
            404,
            "/data/attributes/campaign-messages/data/0/relationships/image/data/id",
        ),
    ],
    ids=[
        "empty-name",
        "unknown-list",
        "unknown-excluded-list",
        "included-and-excluded",
        "no-message",
        "two-channels",
        "unknown-image",
    ],
)
def test_a_campaign_that_cannot_be_made_makes_nothing(client, audience, change, status, pointer):
    given = body([audience], name=change.get("name", "Spring sale"), image=change.get("image"))
    attributes = given["data"]["attributes"]
    if "included" in change:
        attributes["audiences"]["included"] = change["included"]
    if "excluded" in change:
        attributes["audiences"]["excluded"] = [
            audience if e == "AUDIENCE" else e for e in change["excluded"]
        ]
    if "definitions" in change:
        attributes["campaign-messages"]["data"] = [
            {"type": "campaign-message", "attributes": {"definition": d}}
            for d in change["definitions"]
        ]
    refused(current(client, "POST", "/api/campaigns", given), status, pointer)
    nothing_made(client)


def test_an_unknown_audience_is_named_in_the_refusal(client, audience):
    given = body([audience])
    given["data"]["attributes"]["audiences"]["included"] = ["NoSuch"]
    answer = current(client, "POST", "/api/campaigns", given)
    error = refused(answer, 400, "/data/attributes/audiences/included/0")
    assert error["detail"] == "NoSuch is no list or segment of this account."


def test_a_campaign_takes_a_segment_as_audience(client, klaviyo: Klaviyo):
    segment = segment_of(client, klaviyo)
    made = make(client, [segment])
    assert made["attributes"]["audiences"]["included"] == [segment]


# -- changing and deleting a draft --------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "Summer sale"}, {"name": "Summer sale"}),
        ({"name": None}, {"name": "Spring sale"}),
        (
            {"audiences": {"excluded": ["OTHER"]}},
            {"audiences": {"included": ["AUDIENCE"], "excluded": ["OTHER"]}},
        ),
        (
            {"send_strategy": {"method": "static", "datetime": "2030-01-01T09:00:00+00:00"}},
            {"send_strategy": {"method": "static", "datetime": "2030-01-01T09:00:00+00:00"}},
        ),
        (
            {"send_options": {"use_smart_sending": False}},
            {"send_options": {"use_smart_sending": False}},
        ),
        ({"send_options": None}, {"send_options": {"use_smart_sending": True}}),
        (
            {"tracking_options": None},
            {
                "tracking_options": {
                    "add_tracking_params": False,
                    "is_tracking_clicks": True,
                    "is_tracking_opens": True,
                }
            },
        ),
    ],
    ids=[
        "name",
        "null-name",
        "audiences",
        "send-strategy",
        "send-options",
        "null-send-options",
        "null-tracking-options",
    ],
)
def test_a_draft_is_updated(client, audience, change, expected):
    other = make_list(client, "Other")
    made = make(client, [audience], tracking_options={"is_tracking_opens": False})

    def named(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: named(v) for k, v in value.items()}
        if isinstance(value, list):
            return [{"AUDIENCE": audience, "OTHER": other}.get(v, v) for v in value]
        return value

    path = f"/api/campaigns/{made['id']}"
    answer = current(client, "PATCH", path, resource("campaign", made["id"], **named(change)))
    assert answer.status_code == 200, answer.json
    shown = campaign(client, made["id"])
    assert {k: shown[k] for k in expected} == named(expected)
    assert shown["updated_at"] >= made["attributes"]["updated_at"]


@pytest.mark.parametrize(
    ("path_id", "change", "status", "pointer"),
    [
        (None, {"name": ""}, 400, "/data/attributes/name"),
        (
            None,
            {"audiences": {"included": ["NoSuch"]}},
            400,
            "/data/attributes/audiences/included/0",
        ),
        ("01JSAMPLE0000000000000000X", {"name": "x"}, 400, "/data/id"),
        ("404", {"name": "x"}, 404, "/data/id"),
    ],
    ids=["empty-name", "unknown-list", "id-mismatch", "unknown-campaign"],
)
def test_an_update_that_cannot_be_made_changes_nothing(
    client, audience, path_id, change, status, pointer
):
    made = make(client, [audience])
    target = made["id"] if path_id in (None, "404") else path_id
    if path_id == "404":
        target = made["id"][:-1] + ("A" if made["id"][-1] != "A" else "B")
    document = resource("campaign", made["id"] if path_id != "404" else target, **change)
    refused(current(client, "PATCH", f"/api/campaigns/{target}", document), status, pointer)
    assert campaign(client, made["id"]) == made["attributes"]


def test_deleting_a_campaign_deletes_its_messages_and_their_template_copies(client, audience):
    made = make(client, [audience])
    message = message_of(client, made["id"])
    copy = assign(client, message, template(client)).json["data"]["relationships"]["template"][
        "data"
    ]["id"]
    assert current(client, "DELETE", f"/api/campaigns/{made['id']}").status_code == 204
    for path in (
        f"/api/campaigns/{made['id']}",
        f"/api/campaign-messages/{message}",
        f"/api/templates/{copy}",
    ):
        assert current(client, "GET", path).status_code == 404
    assert len(get(client, "/api/templates")) == 1


def test_a_campaign_that_does_not_exist_is_404(client):
    assert current(client, "DELETE", "/api/campaigns/01JSAMPLE0000000000000000X").status_code == 404
    assert current(client, "GET", "/api/campaigns/01JSAMPLE0000000000000000X").status_code == 404


# -- only a draft changes -----------------------------------------------------------------------


def _update(client: FlaskClient, campaign_id: str, message: str) -> Any:
    return current(
        client,
        "PATCH",
        f"/api/campaigns/{campaign_id}",
        resource("campaign", campaign_id, name="x"),
    )


def _delete(client: FlaskClient, campaign_id: str, message: str) -> Any:
    return current(client, "DELETE", f"/api/campaigns/{campaign_id}")


def _update_message(client: FlaskClient, campaign_id: str, message: str) -> Any:
    document = resource("campaign-message", message, definition={"channel": "email", "label": "x"})
    return current(client, "PATCH", f"/api/campaign-messages/{message}", document)


def _assign(client: FlaskClient, campaign_id: str, message: str) -> Any:
    return assign(client, message, template(client))


def _image(client: FlaskClient, campaign_id: str, message: str) -> Any:
    document = {"data": {"type": "image", "id": image(client)}}
    return current(
        client, "PATCH", f"/api/campaign-messages/{message}/relationships/image", document
    )


def _send(client: FlaskClient, campaign_id: str, message: str) -> Any:
    return send(client, campaign_id)


@pytest.mark.parametrize(
    ("call", "pointer"),
    [
        (_update, "/data/id"),
        (_delete, "/data"),
        (_update_message, "/data/id"),
        (_assign, "/data/id"),
        (_image, "/data"),
        (_send, "/data/id"),
    ],
    ids=["update", "delete", "update-message", "assign-template", "set-image", "send-again"],
)
@pytest.mark.parametrize("state", ["sent", "scheduled"])
def test_a_campaign_that_is_no_draft_is_not_changed(client, audience, call, pointer, state):
    made = make(client, [audience]) if state == "sent" else {"id": scheduled(client, audience)}
    if state == "sent":
        assert send(client, made["id"]).status_code == 202
    message = message_of(client, made["id"])
    before = (campaign(client, made["id"]), get(client, f"/api/campaign-messages/{message}"))
    error = refused(call(client, made["id"], message), 400, pointer)
    assert ("Sent" if state == "sent" else "Scheduled") in error["detail"]
    assert (
        campaign(client, made["id"]),
        get(client, f"/api/campaign-messages/{message}"),
    ) == before


# -- messages -----------------------------------------------------------------------------------


def test_a_message_update_changes_the_members_it_names(client, audience):
    made = make(client, [audience])
    message = message_of(client, made["id"])
    picture = image(client)
    document = resource(
        "campaign-message",
        message,
        definition={"channel": "email", "content": {"subject": "Last chance"}},
    )
    document["data"]["relationships"] = {"image": {"data": {"type": "image", "id": picture}}}
    answer = current(client, "PATCH", f"/api/campaign-messages/{message}", document)
    assert answer.status_code == 200, answer.json
    content = answer.json["data"]["attributes"]["definition"]["content"]
    assert (content["subject"], content["from_email"]) == ("Last chance", "store@example.com")
    assert get(client, f"/api/campaign-messages/{message}/image")["id"] == picture


@pytest.mark.parametrize(
    ("path", "definition", "image_id", "status", "pointer"),
    [
        ("MESSAGE", {"channel": "sms"}, None, 400, "/data/attributes/definition/channel"),
        ("MESSAGE", None, "999", 404, "/data/relationships/image/data/id"),
        ("01JSAMPLE0000000000000000X", {"channel": "email"}, None, 404, "/data/"),
    ],
    ids=["another-channel", "unknown-image", "unknown-message"],
)
def test_a_message_update_that_cannot_be_made_changes_nothing(
    client, audience, path, definition, image_id, status, pointer
):
    made = make(client, [audience])
    message = message_of(client, made["id"])
    target = message if path == "MESSAGE" else path
    document = resource(
        "campaign-message", target, **({} if definition is None else {"definition": definition})
    )
    if image_id is not None:
        document["data"]["relationships"] = {"image": {"data": {"type": "image", "id": image_id}}}
    before = get(client, f"/api/campaign-messages/{message}")
    refused(current(client, "PATCH", f"/api/campaign-messages/{target}", document), status, pointer)
    assert get(client, f"/api/campaign-messages/{message}") == before


def test_a_message_takes_an_image(client, audience):
    made = make(client, [audience], SMS)
    message = message_of(client, made["id"])
    picture = image(client)
    path = f"/api/campaign-messages/{message}/relationships/image"
    assert (
        current(client, "PATCH", path, {"data": {"type": "image", "id": picture}}).status_code
        == 204
    )
    assert get(client, path) == {"type": "image", "id": picture}
    assert get(client, f"/api/campaign-messages/{message}/image")["id"] == picture
    refused(
        current(client, "PATCH", path, {"data": {"type": "image", "id": "999"}}), 404, "/data/id"
    )
    assert get(client, path) == {"type": "image", "id": picture}


# -- templates ----------------------------------------------------------------------------------


def test_assigning_a_template_gives_the_message_a_copy_of_it(client, audience):
    made = make(client, [audience])
    message = message_of(client, made["id"])
    original = template(client)
    answer = assign(client, message, original)
    assert answer.status_code == 200, answer.json
    data = answer.json["data"]
    assert (data["attributes"]["channel"], data["attributes"]["label"]) == ("email", "Spring email")
    assert data["attributes"]["content"]["subject"] == "Hello"
    copy = data["relationships"]["template"]["data"]["id"]
    assert copy != original
    assert get(client, f"/api/campaign-messages/{message}/relationships/template") == {
        "type": "template",
        "id": copy,
    }
    shown = get(client, f"/api/campaign-messages/{message}/template")
    assert (shown["id"], shown["attributes"]["html"]) == (copy, HTML)
    assert [t["id"] for t in get(client, "/api/templates")] == [original]

    again = assign(client, message, template(client, "<p>Two</p>")).json["data"]
    second = again["relationships"]["template"]["data"]["id"]
    assert get(client, f"/api/templates/{second}")["attributes"]["html"] == "<p>Two</p>"
    assert current(client, "GET", f"/api/templates/{copy}").status_code == 404
    assert current(client, "GET", f"/api/templates/{original}").status_code == 200


@pytest.mark.parametrize(
    ("message", "template_id", "definition", "status", "pointer"),
    [
        ("01JSAMPLE0000000000000000X", "OWN", EMAIL, 404, "/data/id"),
        ("OWN", "AbCdEf", EMAIL, 404, "/data/relationships/template/data/id"),
        ("OWN", "OWN", SMS, 400, "/data/id"),
    ],
    ids=["unknown-message", "unknown-template", "sms-message"],
)
def test_a_template_that_cannot_be_assigned_changes_nothing(
    client, audience, message, template_id, definition, status, pointer
):
    made = make(client, [audience], definition)
    own = message_of(client, made["id"])
    original = template(client)
    target = own if message == "OWN" else message
    refused(
        assign(client, target, original if template_id == "OWN" else template_id), status, pointer
    )
    assert get(client, f"/api/campaign-messages/{own}/relationships/template") is None
    assert [t["id"] for t in get(client, "/api/templates")] == [original]


# -- clone --------------------------------------------------------------------------------------


def clone(client: FlaskClient, campaign_id: str, new_name: str | None = None) -> Any:
    attributes = {} if new_name is None else {"new_name": new_name}
    return current(
        client, "POST", "/api/campaign-clone", resource("campaign", campaign_id, **attributes)
    )


@pytest.mark.parametrize(
    ("new_name", "sent", "expected"),
    [
        (None, False, "Spring sale (Clone)"),
        ("Autumn sale", False, "Autumn sale"),
        (None, True, "Spring sale (Clone)"),
    ],
    ids=["default-name", "new-name", "of-a-sent-campaign"],
)
def test_a_clone_is_a_new_draft_with_copies_of_the_messages(
    client, audience, new_name, sent, expected
):
    made = make(client, [audience], image=image(client))
    message = message_of(client, made["id"])
    assign(client, message, template(client))
    if sent:
        send(client, made["id"])
    answer = clone(client, made["id"], new_name)
    assert answer.status_code == 201, answer.json
    copy = answer.json["data"]
    assert copy["id"] != made["id"]
    assert copy["attributes"]["name"] == expected
    assert copy["attributes"]["status"] == "Draft"
    assert copy["attributes"]["send_time"] is None
    assert copy["attributes"]["audiences"] == made["attributes"]["audiences"]
    copied = message_of(client, copy["id"])
    assert copied != message
    original = get(client, f"/api/campaign-messages/{message}")["attributes"]
    assert (
        get(client, f"/api/campaign-messages/{copied}")["attributes"]["definition"]
        == original["definition"]
    )
    assert get(client, f"/api/campaign-messages/{copied}/image") == get(
        client, f"/api/campaign-messages/{message}/image"
    )
    templates = [get(client, f"/api/campaign-messages/{m}/template") for m in (message, copied)]
    assert templates[0]["id"] != templates[1]["id"]
    assert templates[0]["attributes"]["html"] == templates[1]["attributes"]["html"]
    assert sorted(listed(client)) == sorted(["Spring sale", expected])


@pytest.mark.parametrize(
    ("campaign_id", "new_name", "status", "pointer"),
    [
        ("01JSAMPLE0000000000000000X", None, 404, "/data/id"),
        (None, "", 400, "/data/attributes/new_name"),
    ],
    ids=["unknown-campaign", "empty-name"],
)
def test_a_clone_that_cannot_be_made_makes_nothing(
    client, audience, campaign_id, new_name, status, pointer
):
    made = make(client, [audience])
    refused(clone(client, campaign_id or made["id"], new_name), status, pointer)
    assert listed(client) == ["Spring sale"]


# -- sending ------------------------------------------------------------------------------------


def test_an_immediate_campaign_is_sent_at_once(client, audience):
    made = make(client, [audience])
    answer = send(client, made["id"])
    assert answer.status_code == 202, answer.json
    assert answer.json["data"] == {
        "type": "campaign-send-job",
        "id": made["id"],
        "attributes": {"status": "complete"},
        "links": answer.json["data"]["links"],
    }
    shown = campaign(client, made["id"])
    assert shown["status"] == "Sent"
    assert shown["send_time"] is not None and shown["scheduled_at"] is not None
    assert get(client, f"/api/campaign-send-jobs/{made['id']}")["attributes"] == {
        "status": "complete"
    }
    [sent_at] = get(client, f"/api/campaign-messages/{message_of(client, made['id'])}")[
        "attributes"
    ]["send_times"]
    assert sent_at == {"datetime": shown["send_time"], "is_local": False}
    assert listed(client, more=",equals(status,'Sent')") == ["Spring sale"]


def test_a_scheduled_campaign_is_sent_when_its_moment_passes(client, klaviyo: Klaviyo, audience):
    campaign_id = scheduled(client, audience)
    shown = campaign(client, campaign_id)
    assert shown["status"] == "Scheduled"
    assert get(client, f"/api/campaign-send-jobs/{campaign_id}")["attributes"]["status"] == "queued"
    klaviyo.clock = lambda: datetime.now(UTC) + timedelta(days=2)
    assert campaign(client, campaign_id)["status"] == "Sent"
    assert (
        get(client, f"/api/campaign-send-jobs/{campaign_id}")["attributes"]["status"] == "complete"
    )
    refused(act(client, campaign_id, "cancel"), 400, "/data/id")


@pytest.mark.parametrize(
    ("action", "status", "send_time"),
    [("cancel", "Cancelled", True), ("revert", "Draft", False)],
)
def test_a_queued_send_job_is_cancelled_or_reverted_once(
    client, audience, action, status, send_time
):
    campaign_id = scheduled(client, audience)
    assert act(client, campaign_id, action).status_code == 204
    shown = campaign(client, campaign_id)
    assert shown["status"] == status
    assert (shown["send_time"] is not None) == send_time
    assert (
        get(client, f"/api/campaign-send-jobs/{campaign_id}")["attributes"]["status"] == "cancelled"
    )
    error = refused(act(client, campaign_id, action), 400, "/data/id")
    assert "cancelled already" in error["detail"]
    assert campaign(client, campaign_id) == shown


def test_a_reverted_campaign_is_a_draft_again(client, audience):
    campaign_id = scheduled(client, audience)
    act(client, campaign_id, "revert")
    message = message_of(client, campaign_id)
    assert get(client, f"/api/campaign-messages/{message}")["attributes"]["send_times"] == []
    change = resource("campaign", campaign_id, send_strategy={"method": "immediate"})
    assert current(client, "PATCH", f"/api/campaigns/{campaign_id}", change).status_code == 200
    assert send(client, campaign_id).json["data"]["attributes"]["status"] == "complete"


def test_a_cancelled_campaign_can_be_deleted(client, audience):
    campaign_id = scheduled(client, audience)
    act(client, campaign_id, "cancel")
    assert current(client, "DELETE", f"/api/campaigns/{campaign_id}").status_code == 204
    assert current(client, "GET", f"/api/campaign-send-jobs/{campaign_id}").status_code == 404


@pytest.mark.parametrize(
    ("campaign_id", "included", "status", "pointer"),
    [("01JSAMPLE0000000000000000X", True, 404, "/data/id"), (None, False, 400, "/data/id")],
    ids=["unknown-campaign", "no-audience"],
)
def test_a_campaign_that_cannot_be_sent_is_not(
    client, audience, campaign_id, included, status, pointer
):
    made = make(client, [audience] if included else [])
    refused(send(client, campaign_id or made["id"]), status, pointer)
    assert campaign(client, made["id"]) == made["attributes"]
    assert current(client, "GET", f"/api/campaign-send-jobs/{made['id']}").status_code == 404


@pytest.mark.parametrize(
    ("job", "status", "pointer"),
    [
        ("DRAFT", 404, "/data/"),
        ("01JSAMPLE0000000000000000X", 404, "/data/"),
        ("SENT", 400, "/data/id"),
    ],
    ids=["never-sent", "unknown-campaign", "complete"],
)
def test_a_send_job_that_cannot_be_cancelled(client, audience, job, status, pointer):
    made = make(client, [audience])
    if job == "SENT":
        send(client, made["id"])
    target = made["id"] if job in ("DRAFT", "SENT") else job
    refused(act(client, target, "cancel"), status, pointer)


# -- recipient estimation -----------------------------------------------------------------------


def segment_of(client: FlaskClient, klaviyo: Klaviyo, *emails: str) -> str:
    """A segment with these members (segments are computed by Klaviyo; no call sets them)."""
    account = klaviyo.accounts.for_private_key("pk_test")
    assert account is not None
    made = klaviyo.backend(account).resources.create("segment", {"name": "VIPs"})
    profiles = [new_profile(client, email=e) for e in emails]
    klaviyo.backend(account).resources.link("segment", made.id, "profiles", profiles, "replace")
    return made.id


def estimate(client: FlaskClient, campaign_id: str) -> int:
    data = get(client, f"/api/campaign-recipient-estimations/{campaign_id}")
    return int(data["attributes"]["estimated_recipient_count"])


def test_the_estimate_counts_included_profiles_on_no_excluded_list(client, klaviyo: Klaviyo):
    first = make_list(client, "First", "a@example.com", "b@example.com", "c@example.com")
    second = make_list(client, "Second")
    excluded = make_list(client, "Excluded")
    segment = segment_of(client, klaviyo, "d@example.com")
    made = make(client, [first, second, segment], excluded=[excluded])
    assert estimate(client, made["id"]) == 4

    add(client, second, "e@example.com")
    assert estimate(client, made["id"]) == 4  # until refreshed
    job = {"data": {"type": "campaign-recipient-estimation-job", "id": made["id"]}}
    answer = current(client, "POST", "/api/campaign-recipient-estimation-jobs", job)
    assert answer.status_code == 202, answer.json
    assert answer.json["data"]["attributes"]["status"] == "complete"
    assert estimate(client, made["id"]) == 5
    path = f"/api/campaign-recipient-estimation-jobs/{made['id']}"
    assert get(client, path)["attributes"]["status"] == "complete"


def test_the_estimate_leaves_out_the_excluded_profiles(client):
    both = make_list(client, "Both", "a@example.com", "b@example.com")
    some = make_list(client, "Some")
    [member] = get(client, f"/api/lists/{both}/relationships/profiles")[:1]
    path = f"/api/lists/{some}/relationships/profiles"
    current(client, "POST", path, {"data": [member]})
    made = make(client, [both], excluded=[some])
    assert estimate(client, made["id"]) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/campaign-recipient-estimations/01JSAMPLE0000000000000000X",
        "/api/campaign-recipient-estimation-jobs/01JSAMPLE0000000000000000X",
    ],
    ids=["estimate", "job"],
)
def test_the_estimate_of_a_campaign_that_does_not_exist_is_404(client, path):
    assert current(client, "GET", path).status_code == 404


def test_an_estimation_job_for_a_campaign_that_does_not_exist_is_404(client):
    job = {
        "data": {"type": "campaign-recipient-estimation-job", "id": "01JSAMPLE0000000000000000X"}
    }
    refused(
        current(client, "POST", "/api/campaign-recipient-estimation-jobs", job), 404, "/data/id"
    )


# -- tags ---------------------------------------------------------------------------------------


def test_a_campaign_is_tagged_both_ways(client, audience):
    made = make(client, [audience])
    tag = current(
        client, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "Seasonal"}}}
    )
    assert tag.status_code == 201, tag.json
    tag_id = tag.json["data"]["id"]
    document = {"data": [{"type": "campaign", "id": made["id"]}]}
    assert (
        current(client, "POST", f"/api/tags/{tag_id}/relationships/campaigns", document).status_code
        == 204
    )
    assert [t["id"] for t in get(client, f"/api/campaigns/{made['id']}/tags")] == [tag_id]
    assert get(client, f"/api/tags/{tag_id}/relationships/campaigns") == [
        {"type": "campaign", "id": made["id"]}
    ]
