"""Transport decoding (legacy-api.md §11 checklist), without Flask."""

from __future__ import annotations

import base64
import json

import pytest

from mockserver.api import wire

PAYLOAD = {"token": "AbC123", "event": "Placed Order", "properties": {"item": "Boots?>"}}
RAW = json.dumps(PAYLOAD)
STD = base64.b64encode(RAW.encode()).decode()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(STD, id="standard-base64"),
        pytest.param(STD.rstrip("="), id="missing-padding"),
        pytest.param(base64.urlsafe_b64encode(RAW.encode()).decode(), id="urlsafe"),
        pytest.param(
            base64.b64encode((RAW + "\n").encode()).decode(), id="json-with-trailing-newline"
        ),
        pytest.param(STD + "\n", id="base64-with-newline"),
        pytest.param(base64.encodebytes(RAW.encode()).decode(), id="mime-line-breaks"),
        pytest.param(STD.replace("+", " "), id="unescaped-plus-became-space"),
        pytest.param(RAW, id="raw-json"),
        pytest.param("  " + RAW + "\n", id="raw-json-with-whitespace"),
    ],
)
def test_decode_data(data):
    assert wire.decode_data(data) == PAYLOAD


def test_the_plus_case_is_real():
    assert "+" in STD or "/" in STD  # the payload above exercises the non-alphanumeric alphabet


@pytest.mark.parametrize(
    ("query", "form", "body"),
    [
        pytest.param({"data": STD}, {}, b"", id="query"),
        pytest.param({}, {"data": RAW}, b"", id="form-raw-json"),
        pytest.param({}, {"data": STD}, b"", id="form-base64"),
        pytest.param({}, {}, RAW.encode(), id="json-body"),
        pytest.param({}, {}, STD.encode(), id="base64-body"),
        pytest.param({"data": STD}, {"data": "garbage"}, b"garbage", id="query-wins"),
        pytest.param({"test": "0"}, {"data": RAW}, b"", id="test-flag-ignored"),
    ],
)
def test_decode_payload_takes_data_wherever_it_is(query, form, body):
    assert wire.decode_payload(query, form, body) == PAYLOAD


def test_private_call_merges_params_and_finds_the_key_in_order():
    call = wire.private_call(
        {"email": "q@x.com", "api_key": "pk_query"},
        {"api_key": "pk_form", "count": "1"},
        b"",
        "pk_header",
        "application/x-www-form-urlencoded",
    )
    assert call.api_key == "pk_query"
    assert call.params == {"email": "q@x.com", "count": "1"}


@pytest.mark.parametrize(
    ("query", "form", "body", "header", "expected"),
    [
        pytest.param(
            {}, {}, b'{"api_key": "pk_body"}', "pk_header", "pk_header", id="header-before-body"
        ),
        pytest.param({}, {"api_key": "pk_form"}, b"", None, "pk_form", id="form"),
        pytest.param({}, {}, b'{"api_key": "pk_body"}', None, "pk_body", id="json-body-on-get"),
        pytest.param({}, {}, b'{"api_key": 5}', None, None, id="non-string-key"),
        pytest.param({}, {}, b"", None, None, id="none"),
    ],
)
def test_private_key_transports(query, form, body, header, expected):
    mimetype = "application/x-www-form-urlencoded" if form else "application/json"
    assert wire.private_call(query, form, body, header, mimetype).api_key == expected


@pytest.mark.parametrize("body", [b"{nope", b"[1]", b"\xff"])
def test_private_call_rejects_a_body_that_is_not_a_json_object(body):
    with pytest.raises(wire.BodyError, match="JSON parse error"):
        wire.private_call({}, {}, body, None, "application/json")


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        ' \t\r\n{"a": 1} \t\r\n',
        "[1, 2]",
        '"text"',
        "",
        "   ",
        '{"a": 1} x',
        '{"a": 1}  {"b": 2}',
        "{} \n\n  ]",
        '\x0b{"a": 1}',  # a vertical tab is not JSON whitespace
        '{"a": 1}\u00a0',  # nor a no-break space
        "{nope",
        '{"a": }',
    ],
)
def test_parse_json_accepts_and_refuses_what_json_loads_does(text):
    """parse_json skips whitespace itself: the same values, the same errors and positions."""
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as error:
        with pytest.raises(json.JSONDecodeError) as raised:
            wire.parse_json(text)
        assert (raised.value.msg, raised.value.pos) == (error.msg, error.pos)
    else:
        assert wire.parse_json(text) == expected


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "-Infinity", "1e999", '{"a": 1e400}'])
def test_parse_json_refuses_what_is_not_a_finite_number(text):
    with pytest.raises(ValueError):
        wire.parse_json(text)
