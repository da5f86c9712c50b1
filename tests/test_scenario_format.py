"""The scenario format: strict validation, given state, failures that explain themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_scenario_text as run

from mockserver import create_app
from mockserver import scenario

ROOT = Path(__file__).resolve().parent.parent
ROW_06 = (ROOT / "scenarios" / "row-06-email-only-after-id-only.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            ROW_06.replace("identify:", "identfy:"),
            "scenarios/x.yaml: steps[0].identfy: unknown key (did you mean 'identify'?)",
            id="step-typo",
        ),
        pytest.param(
            ROW_06.replace("  profiles:\n    - as: Betty", "  profils:\n    - as: Betty"),
            "scenarios/x.yaml: given.profils: unknown key (did you mean 'profiles'?)",
            id="given-typo",
        ),
        pytest.param(
            ROW_06.replace("profile_count", "profile_cout"),
            "expect.profile_cout: unknown key (did you mean 'profile_count'?)",
            id="expect-typo",
        ),
        pytest.param(
            ROW_06.replace("description:", "descripton:"), "descripton: unknown key", id="top-typo"
        ),
        pytest.param(
            "given: {}\n",
            "description: Missing data for required field.",
            id="no-description",
        ),
        pytest.param(
            "description: x\nsteps:\n  - {}\n",
            "steps[0]: A step is exactly one of identify, track, request, concurrently.",
            id="empty-step",
        ),
        pytest.param(
            "description: x\nsteps:\n  - identify: {a: 1}\n    track: {event: E}\n",
            "A step is exactly one of",
            id="two-calls",
        ),
        pytest.param(
            "description: x\nsteps:\n  - identify: {a: 1}\n    expect: 2\n",
            "steps[0].expect: Track and Identify answer 1 or 0.",
            id="bad-answer",
        ),
        pytest.param(
            "description: x\nsteps:\n  - track: {customer_properties: {}}\n",
            "steps[0].track.event: Missing data for required field.",
            id="track-without-event",
        ),
        pytest.param(
            "description: x\nsteps:\n  - request: {path: /x}\n    expect: {stauts: 200}\n",
            "steps[0].expect.stauts: unknown key (did you mean 'status'?)",
            id="response-typo",
        ),
        pytest.param(
            "description: x\nsteps:\n  - concurrently:\n      - concurrently: []\n",
            "Concurrent groups do not nest.",
            id="nested-groups",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - properties: {a: 1}\n",
            "given.profiles[0]: A profile needs at least one identifier.",
            id="profile-without-identifier",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - email: a@b.com\n      attributes: {nickname: A}\n",
            "given.profiles[0].attributes.nickname",
            id="unknown-attribute",
        ),
        pytest.param(
            "description: x\nexpect:\n  profiles:\n    - find: {email: a, external_id: b}\n",
            "Give exactly one of",
            id="two-selectors",
        ),
        pytest.param(
            "description: x\nexpect:\n  duplicates: [[A]]\n",
            "expect.duplicates[0]: Shorter than minimum length 2.",
            id="group-of-one",
        ),
        pytest.param("- a list\n", "a scenario is a mapping", id="not-a-mapping"),
        pytest.param("description: [unclosed\n", "not valid YAML", id="bad-yaml"),
    ],
)
def test_bad_files_name_the_file_and_the_key(text, message):
    with pytest.raises(scenario.ScenarioError) as error:
        scenario.load("scenarios/x.yaml", text)
    assert message in str(error.value)
    assert str(error.value).startswith("scenarios/x.yaml: ")


def test_unreadable_file():
    with pytest.raises(scenario.ScenarioError, match=r"nope\.yaml: cannot read"):
        scenario.load("nope.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - email: a@b.com\n    - email: A@B.com\n",
            "given.profiles[1]: $email a@b.com already belongs to",
            id="same-email-twice",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - email: not-an-email\n",
            "given.profiles[0]: 'not-an-email' is not a valid email address",
            id="invalid-email",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles:\n    - {as: A, email: a@b.com}\n    - {as: A, email: c@d.com}\n",
            "the name 'A' is taken",
            id="name-twice",
        ),
        pytest.param(
            "description: x\ngiven:\n  events:\n    - {profile: Nobody, metric: M, time: 1600000000}\n",
            "given.events[0].profile: no given profile named 'Nobody'",
            id="event-for-nobody",
        ),
        pytest.param(
            "description: x\naccounts:\n  - {public_key: AbC123, private_keys: [pk_0123456789abcdef0123456789abcdef01]}\ngiven:\n  profiles:\n    - {account: ZZZ999, email: a@b.com}\n",
            "no account with public key 'ZZZ999'",
            id="unknown-account",
        ),
        pytest.param(
            "description: x\naccounts:\n  - {public_key: bad, private_keys: [pk_0123456789abcdef0123456789abcdef01]}\n",
            "accounts: public key 'bad'",
            id="bad-account",
        ),
        pytest.param(
            "description: x\nsteps:\n  - request: {path: '/x/${Nobody}'}\n",
            "steps[0]: no profile named 'Nobody'",
            id="unknown-reference",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles: [{email: a@b.com}]\nexpect:\n  profiles:\n    - {find: {email: a@b.com}, is: Nobody}\n",
            "no profile named 'Nobody'",
            id="unknown-is",
        ),
    ],
)
def test_files_that_cannot_be_applied(text, message):
    with pytest.raises(scenario.ScenarioError) as error:
        run(text)
    assert message in str(error.value)


def test_given_state_is_seeded_without_identity_resolution():
    text = """
description: given state
given:
  profiles:
    - {as: A, email: a@b.com, attributes: {first_name: Ann}, properties: {Plan: Pro}}
    - {as: B, external_id: u1, phone_number: "(323) 916-9023"}
  events:
    - {profile: A, metric: Placed Order, time: 1600000000, properties: {$event_id: o1, $value: 5}}
expect:
  profile_count: 2
  event_count: 1
  profiles:
    - {find: {email: a@b.com}, is: A, attributes: {first_name: Ann}, properties: {Plan: Pro}}
    - {find: {phone_number: "+13239169023"}, is: B, identifiers: {external_id: u1, phone_number: "+13239169023"}}
  duplicates: []
"""
    report = run(text)
    assert report.passed, report.text()


def test_a_failing_expectation_says_expected_found_and_the_journal():
    report = run(
        ROW_06.replace("profile_count: 2", "profile_count: 1").replace("is: Duplicate", "is: Betty")
    )
    text = report.text()
    assert not report.passed
    assert "FAILED" in text
    assert "expect.profile_count: expected 1, found 2" in text
    assert "expect.profiles[1].is: expected 'Betty (" in text
    assert "journal (newest first):" in text
    assert "created " in text and "no profile has $email betty@example.com" in text


def test_request_steps_check_status_and_json():
    text = """
description: requests
steps:
  - identify: {$email: a@b.com}
    as: A
  - request: {path: /api/v2/people/search, query: {email: a@b.com, api_key: "${private_key}"}}
    expect: {status: 200, json: {id: "${A}"}}
  - request: {path: /api/v2/people/search, query: {email: z@b.com, api_key: "${private_key}"}}
    expect: {status: 200}
  - request: {method: PUT, path: /api/track}
    expect: {body: "nope"}
"""
    report = run(text)
    assert [f.splitlines()[0] for f in report.failures] == [
        "  steps[2] (GET /api/v2/people/search) status: expected 200, found 404",
        '  steps[3] (PUT /api/track) body: expected \'nope\', found \'{"detail":"Method \\\\"PUT\\\\" not allowed."}\\n\'',
    ]


def test_identify_expecting_0():
    text = "description: x\nsteps:\n  - identify: {$email: a@b.com}\n    expect: 0\n"
    report = run(text)
    assert (
        report.failures[0].splitlines()[0] == "  steps[0] (/api/identify): expected '0', found '1'"
    )


def test_scenario_accounts_are_declared_and_reset_undoes_them():
    text = """
description: accounts
accounts:
  - {public_key: AbC123, private_keys: [pk_0123456789abcdef0123456789abcdef01]}
steps:
  - identify: {$email: a@b.com}
  - request: {path: /api/v2/people/search, query: {email: a@b.com, api_key: pk_0000000000000000000000000000000000}}
    expect: {status: 403}
expect:
  account: AbC123
  profile_count: 1
"""
    app = create_app({"TESTING": True})
    klaviyo = app.extensions["klaviyo_mock"]
    report = scenario.run(klaviyo, app.test_client(), scenario.load("accounts.yaml", text))
    assert report.passed, report.text()
    assert klaviyo.accounts.open is None
    klaviyo.reset()
    assert klaviyo.accounts.open is not None


def test_a_scenario_may_be_written_as_json():
    import json

    doc = {
        "description": "json",
        "given": {
            "profiles": [{"as": "A", "email": "a@b.com", "properties": {"Signed": "2024-01-01"}}]
        },
        "steps": [{"identify": {"$email": "a@b.com", "$id": "u1"}}],
        "expect": {"profile_count": 1, "profiles": [{"find": {"external_id": "u1"}, "is": "A"}]},
    }
    report = run(json.dumps(doc))
    assert report.passed, report.text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"description": "x", "description": "y"}',
            "not valid JSON: the key 'description' is given twice",
        ),
        ('{"description": "x",}', "not valid JSON"),
        (
            '{"description": "x", "steps": [{"identfy": {}}]}',
            "steps[0].identfy: unknown key (did you mean 'identify'?)",
        ),
    ],
)
def test_json_mistakes_are_named_too(text, message):
    with pytest.raises(scenario.ScenarioError) as error:
        scenario.load("big.json", text)
    assert message in str(error.value)


def test_lists_in_given_and_expect():
    text = """
description: lists
given:
  profiles:
    - {as: Betty, email: betty@example.com}
    - {as: Sam, email: sam@example.com}
  lists:
    - {as: News, name: Newsletter, members: [Betty]}
    - {as: VIP, name: VIP, double_opt_in: true, subscribers: [Sam]}
steps:
  - request:
      method: POST
      path: /api/v2/list/${News}/subscribe
      json: {profiles: [{email: sam@example.com}], api_key: "${private_key}"}
  - request:
      method: POST
      path: /api/v2/list/${VIP}/subscribe
      json: {profiles: [{email: new@example.com}], api_key: "${private_key}"}
    expect: {status: 200, json: []}
expect:
  lists:
    - {list: News, members: [Betty, Sam]}
    - {list: VIP, members: [Sam]}
"""
    report = run(text)
    assert report.passed, report.text()
    failing = run(text.replace("members: [Betty, Sam]}", "members: [Betty]}"))
    assert "expect.lists[0].members: expected ['Betty'], found ['Betty', 'Sam']" in failing.text()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param(
            "lists:\n    - {name: N, members: [Nobody]}",
            "given.lists[0].members: no profile named 'Nobody'",
            id="unknown-member",
        ),
        pytest.param(
            "lists:\n    - {members: []}",
            "given.lists[0].name: Missing data for required field.",
            id="no-name",
        ),
        pytest.param(
            "lists:\n    - {as: A, name: N}\n    - {as: A, name: M}",
            "given.lists[1].as: the name 'A' is taken",
            id="name-twice",
        ),
    ],
)
def test_given_list_mistakes(given, message):
    with pytest.raises(scenario.ScenarioError) as error:
        run(f"description: x\ngiven:\n  {given}\n")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "description: x\naccounts:\n  - {public_key: AbC123, private_keys: [pk_0123456789abcdef0123456789abcdef01]}\n"
            "  - {public_key: XyZ789, private_keys: [pk_0123456789abcdef0123456789abcdef02]}\n"
            "given:\n  profiles:\n    - {as: Betty, account: XyZ789, email: b@x.com}\n  lists:\n    - {name: News, members: [Betty]}\n",
            "given.lists[0].members: 'Betty' is a profile of another account",
            id="member-of-another-account",
        ),
        pytest.param(
            "description: x\ngiven:\n  profiles: [{as: Betty, email: b@x.com}]\n  lists: [{as: Betty, name: N}]\n",
            "given.lists[0].as: the name 'Betty' is taken",
            id="list-named-like-a-profile",
        ),
        pytest.param(
            "description: x\ngiven:\n  lists: [{as: News, name: N}]\nsteps:\n  - identify: {$email: a@b.com}\n    as: News\n",
            "steps[0].as: the name 'News' is taken",
            id="step-named-like-a-list",
        ),
    ],
)
def test_names_and_accounts_of_lists(text, message):
    with pytest.raises(scenario.ScenarioError) as error:
        run(text)
    assert message in str(error.value)


def test_a_named_list_is_checked_in_its_own_account():
    text = """
description: x
accounts:
  - {public_key: AbC123, private_keys: [pk_0123456789abcdef0123456789abcdef01]}
  - {public_key: XyZ789, private_keys: [pk_0123456789abcdef0123456789abcdef02]}
given:
  profiles: [{as: Betty, account: XyZ789, email: b@x.com}]
  lists: [{as: News, name: News, account: XyZ789, members: [Betty]}]
expect:
  lists: [{list: News, members: [Betty]}]
"""
    report = run(text)
    assert report.passed, report.text()


def test_unfound_list_members_are_named_one_by_one():
    text = "description: x\ngiven:\n  lists: [{as: News, name: N}]\nexpect:\n  lists: [{list: News, members: [{email: a@x.com}, {email: b@x.com}]}]\n"
    assert "expect.lists[0].members[0]: expected 'a profile for email a@x.com'" in run(text).text()
