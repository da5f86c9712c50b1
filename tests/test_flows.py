"""Flows (``/api/flows``, ``/api/flow-actions``, ``/api/flow-messages``): a flow made from its
definition, its actions and messages as resources linked both ways, the definition read back
from them, status updates, action updates and deletes, and every bad body refused with a
pointer and no change. Every answer is checked against stable.json by the ``client`` fixture.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import current
from flask.testing import FlaskClient

DEFINITION = "additional-fields[flow]=definition"


def made(answer: Any, status: int = 201) -> str:
    assert answer.status_code == status, answer.get_data(as_text=True)
    return str(answer.json["data"]["id"])


def new_list(client: FlaskClient) -> str:
    body = {"data": {"type": "list", "attributes": {"name": "Newsletter"}}}
    return made(current(client, "POST", "/api/lists", body))


def new_template(client: FlaskClient) -> str:
    attributes = {"name": "Welcome", "editor_type": "CODE", "html": "<p>Hi</p>"}
    body = {"data": {"type": "template", "attributes": attributes}}
    return made(current(client, "POST", "/api/templates", body))


def new_metric(client: FlaskClient, name: str = "Placed Order") -> str:
    profile = {"data": {"type": "profile", "attributes": {"email": "a@example.com"}}}
    metric = {"data": {"type": "metric", "attributes": {"name": name}}}
    event = {"properties": {}, "metric": metric, "profile": profile}
    body = {"data": {"type": "event", "attributes": event}}
    assert current(client, "POST", "/api/events", body).status_code == 202
    metrics = current(client, "GET", "/api/metrics").json["data"]
    return str(next(m["id"] for m in metrics if m["attributes"]["name"] == name))


def email(temporary_id: str, after: str | None = None, **message: Any) -> dict[str, Any]:
    return {
        "temporary_id": temporary_id,
        "type": "send-email",
        "links": {"next": after},
        "data": {"message": {"subject_line": "Hello", "name": temporary_id, **message}},
    }


def delay(temporary_id: str, after: str | None = None) -> dict[str, Any]:
    return {
        "temporary_id": temporary_id,
        "type": "time-delay",
        "links": {"next": after},
        "data": {"unit": "days", "value": 1},
    }


def ab_test(temporary_id: str, variations: int = 2) -> dict[str, Any]:
    main = email(f"{temporary_id}-main")
    experiment = {
        "name": "Subject lines",
        "variations": [email(f"{temporary_id}-v{n}") for n in range(variations)],
    }
    return {
        "temporary_id": temporary_id,
        "type": "ab-test",
        "links": {"next": None},
        "data": {"main_action": main, "current_experiment": experiment},
    }


def definition(
    triggers: list[dict[str, Any]], actions: list[dict[str, Any]], entry: str | None
) -> dict[str, Any]:
    return {"triggers": triggers, "actions": actions, "entry_action_id": entry}


def flow_body(definition: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    attributes = {"name": "Welcome series", "definition": definition, **attributes}
    return {"data": {"type": "flow", "attributes": attributes}}


def welcome(client: FlaskClient, **attributes: Any) -> str:
    """A flow triggered by a new list: a delay, then an email with a template."""
    shape = definition(
        [{"type": "list", "id": new_list(client)}],
        [delay("wait", "mail"), email("mail", template_id=new_template(client))],
        "wait",
    )
    return made(current(client, "POST", "/api/flows", flow_body(shape, **attributes)))


def read(client: FlaskClient, path: str) -> Any:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def flow_definition(client: FlaskClient, flow_id: str) -> dict[str, Any]:
    return dict(
        read(client, f"/api/flows/{flow_id}?{DEFINITION}")["data"]["attributes"]["definition"]
    )


def ids(document: Any) -> list[str]:
    return [entry["id"] for entry in document["data"]]


def error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    (entry,) = answer.json["errors"]
    return dict(entry)


# -- making a flow --------------------------------------------------------------------------


def test_a_flow_is_made_from_its_definition_with_real_ids(client):
    flow_id = welcome(client)
    shown = read(client, f"/api/flows/{flow_id}?{DEFINITION}")["data"]["attributes"]
    assert (shown["name"], shown["status"], shown["archived"]) == ("Welcome series", "draft", False)
    assert shown["trigger_type"] == "Added to List"
    wait, mail = shown["definition"]["actions"]
    assert shown["definition"]["entry_action_id"] == wait["id"]
    assert wait["links"]["next"] == mail["id"]
    assert wait["id"].isdigit() and mail["id"].isdigit()
    assert "temporary_id" not in wait and "temporary_id" not in mail
    assert mail["data"]["status"] == "draft"  # the flow's, where the action gives none
    message = read(client, f"/api/flow-messages/{mail['data']['message']['id']}")["data"]
    assert message["attributes"]["channel"] == "email"
    assert message["attributes"]["definition"] == mail["data"]["message"]


def test_the_definition_is_an_additional_field(client):
    flow_id = welcome(client)
    assert "definition" not in read(client, f"/api/flows/{flow_id}")["data"]["attributes"]
    answer = current(
        client, "POST", f"/api/flows?{DEFINITION}", flow_body(definition([], [], None))
    )
    assert answer.json["data"]["attributes"]["definition"]["actions"] == []


@pytest.mark.parametrize(
    ("trigger", "shown"),
    [
        (None, "Unconfigured"),
        ({"type": "list", "id": None}, "Unconfigured"),
        ({"type": "list", "id": "LIST"}, "Added to List"),
        ({"type": "metric", "id": "METRIC"}, "Metric"),
        (
            {
                "type": "date",
                "date_field_type": "profile-property",
                "date_profile_property": "birthday",
                "timedelta_value_before_date": 0,
                "trigger_time": "09:00:00",
            },
            "Date Based",
        ),
        (
            {
                "type": "price-drop",
                "trigger_filter": None,
                "price_drop_amount_value": 5,
                "audience": ["viewed"],
            },
            "Price Drop",
        ),
    ],
    ids=["none", "list-unset", "list", "metric", "date", "price-drop"],
)
def test_a_flows_trigger_type_comes_from_its_trigger(client, trigger, shown):
    if trigger is not None and trigger.get("id") == "LIST":
        trigger = {**trigger, "id": new_list(client)}
    if trigger is not None and trigger.get("id") == "METRIC":
        trigger = {**trigger, "id": new_metric(client)}
    body = flow_body(definition([trigger] if trigger else [], [], None))
    flow_id = made(current(client, "POST", "/api/flows", body))
    assert read(client, f"/api/flows/{flow_id}")["data"]["attributes"]["trigger_type"] == shown
    found = read(client, f"/api/flows?filter=equals(trigger_type,'{shown}')")
    assert ids(found) == [flow_id]


@pytest.mark.parametrize("given", [{}, {"status": "live"}], ids=["none", "live-ignored"])
def test_a_new_flow_is_a_draft(client, given):
    # the create body has no status: an attribute it does not name is ignored
    flow_id = welcome(client, **given)
    assert read(client, f"/api/flows/{flow_id}")["data"]["attributes"]["status"] == "draft"
    [wait, mail] = flow_definition(client, flow_id)["actions"]
    assert mail["data"]["status"] == "draft" and "status" not in wait["data"]


@pytest.mark.parametrize("kind", ["list", "metric"])
def test_what_a_trigger_names_lists_the_flow_until_it_is_deleted(client, kind):
    trigger_id = new_list(client) if kind == "list" else new_metric(client)
    body = flow_body(definition([{"type": kind, "id": trigger_id}], [], None))
    flow_id = made(current(client, "POST", "/api/flows", body))
    base = f"/api/{kind}s/{trigger_id}"
    assert ids(read(client, f"{base}/relationships/flow-triggers")) == [flow_id]
    assert ids(read(client, f"{base}/flow-triggers")) == [flow_id]
    assert current(client, "DELETE", f"/api/flows/{flow_id}").status_code == 204
    assert ids(read(client, f"{base}/relationships/flow-triggers")) == []


# -- nested resources, both ways ------------------------------------------------------------


def test_actions_and_messages_are_linked_both_ways(client):
    flow_id = welcome(client)
    template = flow_definition(client, flow_id)["actions"][1]["data"]["message"]["template_id"]
    wait, mail = ids(read(client, f"/api/flows/{flow_id}/flow-actions"))
    assert ids(read(client, f"/api/flows/{flow_id}/relationships/flow-actions")) == [wait, mail]
    for action in (wait, mail):
        assert read(client, f"/api/flow-actions/{action}/flow")["data"]["id"] == flow_id
        linkage = read(client, f"/api/flow-actions/{action}/relationships/flow")
        assert linkage["data"] == {"type": "flow", "id": flow_id}
    assert ids(read(client, f"/api/flow-actions/{wait}/relationships/flow-messages")) == []
    [message] = ids(read(client, f"/api/flow-actions/{mail}/flow-messages"))
    assert ids(read(client, f"/api/flow-actions/{mail}/relationships/flow-messages")) == [message]
    assert read(client, f"/api/flow-messages/{message}/flow-action")["data"]["id"] == mail
    back = read(client, f"/api/flow-messages/{message}/relationships/flow-action")
    assert back["data"] == {"type": "flow-action", "id": mail}
    assert read(client, f"/api/flow-messages/{message}/template")["data"]["id"] == template
    assert read(client, f"/api/flow-messages/{message}/relationships/template")["data"]["id"] == (
        template
    )


@pytest.mark.parametrize(
    ("path", "included"),
    [
        ("/api/flows/{flow}?include=flow-actions", ["flow-action", "flow-action"]),
        (
            "/api/flow-actions/{mail}?include=flow,flow-messages",
            ["flow", "flow-message"],
        ),
        (
            "/api/flow-messages/{message}?include=flow-action,template",
            ["flow-action", "template"],
        ),
    ],
    ids=["flow", "action", "message"],
)
def test_include_follows_the_links(client, path, included):
    flow_id = welcome(client)
    mail = flow_definition(client, flow_id)["actions"][1]
    path = path.format(flow=flow_id, mail=mail["id"], message=mail["data"]["message"]["id"])
    assert [entry["type"] for entry in read(client, path)["included"]] == included


def test_an_ab_tests_variations_are_messages_of_its_action(client):
    body = flow_body(definition([], [ab_test("split", variations=2)], "split"))
    flow_id = made(current(client, "POST", "/api/flows", body))
    [action] = flow_definition(client, flow_id)["actions"]
    data = action["data"]
    shown = [data["main_action"]["data"]["message"]["id"]] + [
        v["data"]["message"]["id"] for v in data["current_experiment"]["variations"]
    ]
    path = f"/api/flow-actions/{action['id']}/flow-messages"
    assert ids(read(client, path)) == shown and len(set(shown)) == 3


# -- listings of a flow's actions and an action's messages -----------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=equals(action_type,'send-email')", ["mail"]),
        ("filter=any(action_type,['time-delay','send-sms'])", ["wait"]),
        ("filter=equals(status,'draft')", ["mail"]),
        ("sort=-id", ["mail", "wait"]),
        ("sort=action_type", ["mail", "wait"]),
    ],
    ids=["type", "type-any", "status", "sort-id", "sort-type"],
)
def test_a_flows_actions_are_filtered_and_sorted_on_their_definition(client, query, expected):
    flow_id = welcome(client)
    wait, mail = flow_definition(client, flow_id)["actions"]
    names = {wait["id"]: "wait", mail["id"]: "mail"}
    for path in ("flow-actions", "relationships/flow-actions"):
        found = read(client, f"/api/flows/{flow_id}/{path}?{query}")
        assert [names[i] for i in ids(found)] == expected, path


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=equals(name,'split-v1')", ["split-v1"]),
        ("sort=-name", ["split-v1", "split-v0", "split-main"]),
    ],
    ids=["name", "sort-name"],
)
def test_an_actions_messages_are_filtered_on_their_name(client, query, expected):
    body = flow_body(definition([], [ab_test("split")], "split"))
    flow_id = made(current(client, "POST", "/api/flows", body))
    [action] = flow_definition(client, flow_id)["actions"]
    data = action["data"]
    messages = [data["main_action"]] + data["current_experiment"]["variations"]
    names = {m["data"]["message"]["id"]: m["data"]["message"]["name"] for m in messages}
    base = f"/api/flow-actions/{action['id']}"
    found = read(client, f"{base}/flow-messages?{query}")
    assert [names[i] for i in ids(found)] == expected
    found = read(client, f"{base}/relationships/flow-messages?{query}")
    assert [names[i] for i in ids(found)] == expected


# -- updates --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["manual", "live", "draft"])
def test_a_flows_status_update_sets_its_actions(client, status):
    flow_id = welcome(client)
    body = {"data": {"type": "flow", "id": flow_id, "attributes": {"status": status}}}
    answer = current(client, "PATCH", f"/api/flows/{flow_id}", body)
    assert answer.status_code == 200 and answer.json["data"]["attributes"]["status"] == status
    assert read(client, f"/api/flows/{flow_id}")["data"]["attributes"]["status"] == status
    wait, mail = flow_definition(client, flow_id)["actions"]
    assert mail["data"]["status"] == status
    assert "status" not in wait["data"]  # a delay has none
    found = read(client, f"/api/flows?filter=equals(status,'{status}')")
    assert ids(found) == [flow_id]


def test_a_flows_update_changes_its_status_alone(client):
    flow_id = welcome(client)
    attributes = {"status": "live", "name": "Renamed", "archived": True}
    body = {"data": {"type": "flow", "id": flow_id, "attributes": attributes}}
    assert current(client, "PATCH", f"/api/flows/{flow_id}", body).status_code == 200
    shown = read(client, f"/api/flows/{flow_id}")["data"]["attributes"]
    assert (shown["status"], shown["name"], shown["archived"]) == ("live", "Welcome series", False)


def _patch_action(client: FlaskClient, action_id: str, given: dict[str, Any]) -> Any:
    body = {"data": {"type": "flow-action", "id": action_id, "attributes": {"definition": given}}}
    return current(client, "PATCH", f"/api/flow-actions/{action_id}", body)


def test_an_action_update_keeps_its_message_and_shows_in_the_flow(client):
    flow_id = welcome(client)
    wait, mail = flow_definition(client, flow_id)["actions"]
    message_id = mail["data"]["message"]["id"]
    other = new_template(client)
    changed = {
        "type": "send-email",
        "links": {"next": wait["id"]},
        "data": {"message": {"subject_line": "Changed", "name": "mail", "template_id": other}},
    }
    answer = _patch_action(client, mail["id"], changed)
    assert answer.status_code == 200, answer.json
    shown = answer.json["data"]["attributes"]["definition"]
    assert shown["data"]["message"]["id"] == message_id
    assert shown["data"]["status"] == "draft"  # kept
    assert flow_definition(client, flow_id)["actions"][1] == shown
    template = read(client, f"/api/flow-messages/{message_id}/relationships/template")
    assert template["data"]["id"] == other
    message = read(client, f"/api/flow-messages/{message_id}")["data"]["attributes"]
    assert message["definition"] == shown["data"]["message"]


def test_an_action_that_no_longer_sends_loses_its_message(client):
    flow_id = welcome(client)
    _, mail = flow_definition(client, flow_id)["actions"]
    message_id = mail["data"]["message"]["id"]
    answer = _patch_action(client, mail["id"], {"type": "time-delay", "data": {"value": 2}})
    assert answer.status_code == 200, answer.json
    assert ids(read(client, f"/api/flow-actions/{mail['id']}/relationships/flow-messages")) == []
    assert current(client, "GET", f"/api/flow-messages/{message_id}").status_code == 404


def test_an_ab_test_update_matches_messages_by_id(client):
    body = flow_body(definition([], [ab_test("split", variations=2)], "split"))
    flow_id = made(current(client, "POST", "/api/flows", body))
    [action] = flow_definition(client, flow_id)["actions"]
    main = action["data"]["main_action"]["data"]["message"]["id"]
    first, second = (
        v["data"]["message"]["id"] for v in action["data"]["current_experiment"]["variations"]
    )
    given = ab_test("ignored", variations=1)
    given.pop("temporary_id")
    given["data"]["main_action"]["data"]["message"]["id"] = main
    given["data"]["current_experiment"]["variations"][0]["data"]["message"]["id"] = second
    for part in (given["data"]["main_action"], *given["data"]["current_experiment"]["variations"]):
        part.pop("temporary_id")
    assert _patch_action(client, action["id"], given).status_code == 200
    path = f"/api/flow-actions/{action['id']}/relationships/flow-messages"
    assert sorted(ids(read(client, path))) == sorted([main, second])
    assert current(client, "GET", f"/api/flow-messages/{first}").status_code == 404


def test_an_ab_test_update_naming_a_message_twice_is_refused(client):
    body = flow_body(definition([], [ab_test("split", variations=1)], "split"))
    flow_id = made(current(client, "POST", "/api/flows", body))
    [action] = flow_definition(client, flow_id)["actions"]
    given = copy.deepcopy(action)
    main = action["data"]["main_action"]["data"]["message"]["id"]
    given["data"]["current_experiment"]["variations"][0]["data"]["message"]["id"] = main
    answer = _patch_action(client, action["id"], given)
    pointer = "/data/attributes/definition/data/current_experiment/variations/0/data/message/id"
    assert error(answer)["source"] == {"pointer": pointer}
    assert flow_definition(client, flow_id)["actions"] == [action]


# -- deletes --------------------------------------------------------------------------------


def test_a_deleted_flow_takes_its_actions_messages_and_links(client):
    flow_id = welcome(client)
    tag = made(
        current(
            client, "POST", "/api/tags", {"data": {"type": "tag", "attributes": {"name": "VIP"}}}
        )
    )
    link = {"data": [{"type": "flow", "id": flow_id}]}
    assert current(client, "POST", f"/api/tags/{tag}/relationships/flows", link).status_code == 204
    assert ids(read(client, f"/api/flows/{flow_id}/tags")) == [tag]
    wait, mail = flow_definition(client, flow_id)["actions"]
    assert current(client, "DELETE", f"/api/flows/{flow_id}").status_code == 204
    for path in (
        f"/api/flows/{flow_id}",
        f"/api/flow-actions/{wait['id']}",
        f"/api/flow-actions/{mail['id']}",
        f"/api/flow-messages/{mail['data']['message']['id']}",
    ):
        assert current(client, "GET", path).status_code == 404, path
    assert ids(read(client, f"/api/tags/{tag}/relationships/flows")) == []
    assert ids(read(client, "/api/flows")) == []


@pytest.mark.parametrize(
    ("gone", "entry", "next_of_wait"),
    [("wait", "mail", None), ("mail", "wait", None)],
    ids=["entry-action", "last-action"],
)
def test_a_deleted_action_is_spliced_out_of_its_flow(client, gone, entry, next_of_wait):
    flow_id = welcome(client)
    wait, mail = flow_definition(client, flow_id)["actions"]
    actions = {"wait": wait, "mail": mail}
    assert current(client, "DELETE", f"/api/flow-actions/{actions[gone]['id']}").status_code == 204
    after = flow_definition(client, flow_id)
    assert [a["id"] for a in after["actions"]] == [a["id"] for n, a in actions.items() if n != gone]
    assert after["entry_action_id"] == actions[entry]["id"]
    if gone == "mail":
        assert after["actions"][0]["links"]["next"] is next_of_wait
        message = mail["data"]["message"]["id"]
        assert current(client, "GET", f"/api/flow-messages/{message}").status_code == 404
    assert ids(read(client, f"/api/flows/{flow_id}/relationships/flow-actions")) == [
        a["id"] for n, a in actions.items() if n != gone
    ]


def test_a_deleted_branch_leaves_what_led_to_it_going_nowhere(client):
    split = {
        "temporary_id": "split",
        "type": "conditional-split",
        "links": {"next_if_true": "mail", "next_if_false": None},
        "data": {"profile_filter": None},
    }
    shape = definition([], [delay("wait", "split"), split, email("mail")], "wait")
    flow_id = made(current(client, "POST", "/api/flows", flow_body(shape)))
    wait, branch, mail = flow_definition(client, flow_id)["actions"]
    assert branch["links"] == {"next_if_true": mail["id"], "next_if_false": None}
    assert current(client, "DELETE", f"/api/flow-actions/{branch['id']}").status_code == 204
    after = flow_definition(client, flow_id)
    assert [a["id"] for a in after["actions"]] == [wait["id"], mail["id"]]
    assert after["actions"][0]["links"]["next"] is None
    assert after["entry_action_id"] == wait["id"]


# -- bad input ------------------------------------------------------------------------------


CREATE_REFUSALS = [
    ("blank-name", {"name": " "}, None, "/data/attributes/name"),
    (
        "two-triggers",
        {},
        lambda d: d.update(triggers=[{"type": "list", "id": None}] * 2),
        "/data/attributes/definition/triggers",
    ),
    (
        "unknown-list",
        {},
        lambda d: d.update(triggers=[{"type": "list", "id": "NoSuch"}]),
        "/data/attributes/definition/triggers/0/id",
    ),
    (
        "action-id",
        {},
        lambda d: d["actions"][0].update(id="123"),
        "/data/attributes/definition/actions/0/id",
    ),
    (
        "message-id",
        {},
        lambda d: d["actions"][1]["data"]["message"].update(id="AbCdEf"),
        "/data/attributes/definition/actions/1/data/message/id",
    ),
    (
        "twice-the-same-temporary-id",
        {},
        lambda d: d["actions"][1].update(temporary_id="wait"),
        "/data/attributes/definition/actions/1/temporary_id",
    ),
    (
        "unknown-entry",
        {},
        lambda d: d.update(entry_action_id="nowhere"),
        "/data/attributes/definition/entry_action_id",
    ),
    (
        "unknown-link",
        {},
        lambda d: d["actions"][0]["links"].update(next="nowhere"),
        "/data/attributes/definition/actions/0/links/next",
    ),
    (
        "unknown-template",
        {},
        lambda d: d["actions"][1]["data"]["message"].update(template_id="NoSuch"),
        "/data/attributes/definition/actions/1/data/message/template_id",
    ),
    (
        "unknown-list-of-a-list-update",
        {},
        lambda d: d["actions"].append(
            {
                "type": "list-update",
                "data": {"name": "Add", "on_execution": True, "list_id": "NoSuch"},
            }
        ),
        "/data/attributes/definition/actions/2/data/list_id",
    ),
]


@pytest.mark.parametrize(
    ("attributes", "change", "pointer"),
    [case[1:] for case in CREATE_REFUSALS],
    ids=[case[0] for case in CREATE_REFUSALS],
)
def test_a_bad_flow_is_refused_and_nothing_is_made(client, attributes, change, pointer):
    list_id = new_list(client)
    shape = definition(
        [{"type": "list", "id": list_id}], [delay("wait", "mail"), email("mail")], "wait"
    )
    if change is not None:
        change(shape)
    answer = current(client, "POST", "/api/flows", flow_body(shape, **attributes))
    assert error(answer)["source"] == {"pointer": pointer}
    assert ids(read(client, "/api/flows")) == []
    assert current(client, "GET", "/api/flow-actions/1").status_code == 404  # none made
    assert ids(read(client, f"/api/lists/{list_id}/relationships/flow-triggers")) == []


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ({"status": "paused"}, 400, "/data/attributes/status"),
        ({"status": None}, 400, "/data/attributes/status"),
    ],
    ids=["unknown-status", "null-status"],
)
def test_a_bad_status_update_is_refused(client, body, status, pointer):
    flow_id = welcome(client)
    patch = {"data": {"type": "flow", "id": flow_id, "attributes": body}}
    found = error(current(client, "PATCH", f"/api/flows/{flow_id}", patch), status)
    assert found["source"]["pointer"] == pointer
    assert read(client, f"/api/flows/{flow_id}")["data"]["attributes"]["status"] == "draft"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/flows/NoSuch", None, 404),
        ("DELETE", "/api/flows/NoSuch", None, 404),
        ("GET", "/api/flow-actions/999999", None, 404),
        ("DELETE", "/api/flow-actions/999999", None, 404),
        ("GET", "/api/flow-messages/NoSuch", None, 404),
        ("GET", "/api/flows/NoSuch/flow-actions", None, 404),
        (
            "PATCH",
            "/api/flows/NoSuch",
            {"data": {"type": "flow", "id": "NoSuch", "attributes": {"status": "live"}}},
            404,
        ),
        (
            "PATCH",
            "/api/flow-actions/999999",
            {
                "data": {
                    "type": "flow-action",
                    "id": "999999",
                    "attributes": {"definition": delay("x")},
                }
            },
            404,
        ),
    ],
    ids=[
        "get-flow",
        "delete-flow",
        "get-action",
        "delete-action",
        "get-message",
        "actions-of-flow",
        "patch-flow",
        "patch-action",
    ],
)
def test_unknown_ids_are_404(client, method, path, body, status):
    error(current(client, method, path, body), status)


ACTION_REFUSALS = [
    ("link-to-another-flow", "link", "/data/attributes/definition/links/next"),
    ("temporary-id", "temporary", "/data/attributes/definition/temporary_id"),
    ("other-actions-id", "id", "/data/attributes/definition/id"),
    ("message-of-another-action", "message", "/data/attributes/definition/data/message/id"),
    ("unknown-template", "template", "/data/attributes/definition/data/message/template_id"),
    ("url-id-mismatch", "data-id", "/data/id"),
]


@pytest.mark.parametrize(
    ("fault", "pointer"),
    [case[1:] for case in ACTION_REFUSALS],
    ids=[c[0] for c in ACTION_REFUSALS],
)
def test_a_bad_action_update_is_refused_and_changes_nothing(client, fault, pointer):
    flow_id = welcome(client)
    other_flow = welcome(client)
    wait, mail = flow_definition(client, flow_id)["actions"]
    stranger = flow_definition(client, other_flow)["actions"][1]
    given: dict[str, Any] = {
        "type": "send-email",
        "links": {"next": None},
        "data": {"message": {"subject_line": "Changed"}},
    }
    target = mail["id"]
    if fault == "link":
        given["links"]["next"] = stranger["id"]
    elif fault == "temporary":
        given["temporary_id"] = "again"
    elif fault == "id":
        given["id"] = wait["id"]
    elif fault == "message":
        given["data"]["message"]["id"] = stranger["data"]["message"]["id"]
    elif fault == "template":
        given["data"]["message"]["template_id"] = "NoSuch"
    body = {"data": {"type": "flow-action", "id": target, "attributes": {"definition": given}}}
    if fault == "data-id":
        body["data"]["id"] = wait["id"]
    answer = current(client, "PATCH", f"/api/flow-actions/{target}", body)
    assert error(answer)["source"] == {"pointer": pointer}
    assert flow_definition(client, flow_id)["actions"] == [wait, mail]
    assert flow_definition(client, other_flow)["actions"][1] == stranger
