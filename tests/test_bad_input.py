"""Bad input (klaviyo-behavior.md §4): the answer Klaviyo gives, never a 500, nothing stored."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import PUBLIC
from conftest import b64

OK_PROFILE = {"$email": "a@b.com"}


def nested(levels: int):
    value: object = "deep"
    for _ in range(levels):
        value = {"k": value}
    return value


def track(**fields):
    return {"token": PUBLIC, "event": "E", "customer_properties": OK_PROFILE, **fields}


def identify(**properties):
    return {"token": PUBLIC, "properties": {**OK_PROFILE, **properties}}


# (endpoint, query data, why): `data` values that must be answered 0.
UNDECODABLE = [
    pytest.param("track", "not base64 at all!", id="not-base64"),
    pytest.param("track", base64.b64encode(b"not json").decode(), id="base64-not-json"),
    pytest.param("identify", b64([1, 2]), id="json-array"),
    pytest.param("identify", b64("a string"), id="json-string"),
    pytest.param("identify", b64(None), id="json-null"),
    pytest.param("track", base64.b64encode(b'{"token": NaN}').decode(), id="nan"),
    pytest.param("track", base64.b64encode(b"\xff\xfe{}").decode(), id="not-utf8"),
    pytest.param("track", "", id="empty"),
    pytest.param(
        "track", base64.b64encode(b"[" * 100_000 + b"]" * 100_000).decode(), id="nesting-bomb"
    ),
]

# Payloads that decode but do not fit the schema: answered 0.
MALFORMED = [
    pytest.param(
        "track", {"token": PUBLIC, "customer_properties": OK_PROFILE}, id="track-without-event"
    ),
    pytest.param("track", track(event=""), id="event-empty"),
    pytest.param("track", track(event="  "), id="event-blank"),
    pytest.param("track", track(event=12), id="event-not-string"),
    pytest.param("track", track(event=None), id="event-null"),
    pytest.param("track", track(customer_properties=["a@b.com"]), id="customer-properties-list"),
    pytest.param("track", track(properties="x"), id="properties-string"),
    pytest.param("track", track(time="yesterday"), id="time-not-number"),
    pytest.param("track", track(time=True), id="time-bool"),
    pytest.param("track", track(token=123456), id="token-not-string"),
    pytest.param(
        "identify", {"token": PUBLIC, "properties": "a@b.com"}, id="properties-not-object"
    ),
    pytest.param("identify", identify(**{"$email": {"a": 1}}), id="email-object"),
    pytest.param("identify", identify(**{"$email": 42}), id="email-number"),
    pytest.param("identify", identify(**{"$id": ["u"]}), id="id-list"),
    pytest.param("identify", identify(**{"$id": True}), id="id-bool"),
    pytest.param("identify", identify(**{"$phone_number": {"n": 1}}), id="phone-object"),
    pytest.param("identify", identify(**{"$exchange_id": 7}), id="exchange-id-number"),
    pytest.param(
        "identify", {"token": PUBLIC, "properties": {"email": ["a@b.com"]}}, id="alias-wrong-type"
    ),
    pytest.param("identify", identify(deep=nested(11)), id="nested-11-levels"),
    pytest.param("identify", identify(big="x" * 100_001), id="value-over-100kB"),
    pytest.param("identify", identify(many=list(range(4001))), id="array-over-4000"),
    pytest.param(
        "identify", identify(**{f"p{i}": i for i in range(301)}), id="over-300-properties"
    ),
    pytest.param("track", track(properties={"deep": nested(11)}), id="event-nested-11-levels"),
    pytest.param(
        "track", track(properties={f"p{i}": i for i in range(301)}), id="event-over-300-properties"
    ),
]


def assert_nothing_stored(klaviyo):
    assert klaviyo.profiles("default") == []
    assert klaviyo.store.events("default") == []


@pytest.mark.parametrize(("endpoint", "data"), UNDECODABLE)
def test_undecodable_data_answers_0(client, klaviyo, endpoint, data):
    response = client.get(f"/api/{endpoint}", query_string={"data": data})
    assert (response.status_code, response.data) == (200, b"0")
    assert_nothing_stored(klaviyo)
    assert "rejected" in klaviyo.journal.entries()[0].decisions[0]


@pytest.mark.parametrize(("endpoint", "payload"), MALFORMED)
@pytest.mark.parametrize("encoding", ["query", "form", "json"])
def test_malformed_payload_answers_0(client, klaviyo, endpoint, payload, encoding):
    path = f"/api/{endpoint}"
    if encoding == "query":
        response = client.get(path, query_string={"data": b64(payload)})
    elif encoding == "form":
        response = client.post(path, data={"data": json.dumps(payload)})
    else:
        response = client.post(path, data=json.dumps(payload), content_type="application/json")
    assert (response.status_code, response.data) == (200, b"0")
    assert_nothing_stored(klaviyo)


def test_limits_are_inclusive(client, klaviyo):
    payload = identify(deep=nested(9), big="x" * 100_000, many=list(range(4000)))
    payload["properties"].update({f"p{i}": i for i in range(300 - len(payload["properties"]))})
    assert client.post("/api/identify", data={"data": json.dumps(payload)}).data == b"1"
    assert len(klaviyo.profiles("default")) == 1


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        pytest.param("post", {}, id="post-no-body"),
        pytest.param("get", {}, id="get-no-data"),
        pytest.param("post", {"data": "just text", "content_type": "text/plain"}, id="text-body"),
        pytest.param("post", {"data": {"other": "field"}}, id="form-without-data"),
        pytest.param(
            "post", {"data": b"\xff\xfe", "content_type": "application/json"}, id="binary-body"
        ),
    ],
)
def test_requests_without_a_payload_answer_0(client, klaviyo, method, kwargs):
    response = getattr(client, method)("/api/identify", **kwargs)
    assert (response.status_code, response.data) == (200, b"0")
    assert_nothing_stored(klaviyo)


def test_body_over_5_mb_is_413_and_stores_nothing(client, klaviyo):
    payload = identify(filler="x" * 99_000)
    body = json.dumps(payload).encode() + b" " * (5 * 1024 * 1024)
    response = client.post("/api/identify", data=body, content_type="application/json")
    assert (response.status_code, response.data) == (413, b"0")
    assert_nothing_stored(klaviyo)


def test_form_field_of_1_mb_is_accepted(client, klaviyo):
    """Flask's default form limit (500 kB) must not refuse what Klaviyo takes."""
    payload = identify(**{f"p{i}": "x" * 90_000 for i in range(12)})
    response = client.post("/api/identify", data={"data": json.dumps(payload)})
    assert response.data == b"1"
    assert len(klaviyo.profiles("default")) == 1


@pytest.mark.parametrize(
    ("method", "path", "status", "shape"),
    [
        pytest.param("get", "/api/nothing-here", 404, "errors", id="unknown-api-path"),
        pytest.param("get", "/", 404, "errors", id="root"),
        pytest.param("get", "/api/v2/unknown", 404, "detail", id="unknown-v2"),
        pytest.param("get", "/api/v1/unknown", 404, "message", id="unknown-v1"),
        pytest.param("put", "/api/track", 405, "detail", id="put-track"),
        pytest.param("delete", "/api/identify", 405, "detail", id="delete-identify"),
        pytest.param("post", "/api/v2/people/search", 405, "detail", id="post-search"),
    ],
)
def test_unknown_paths_and_methods_answer_json(client, method, path, status, shape):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.is_json
    assert shape in response.json
    if status == 405:
        assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("endpoint", "body", "answer"),
    [
        pytest.param("track", track(time="inf"), b"0", id="time-inf-string"),
        pytest.param("track", track(time="1e999"), b"0", id="time-overflowing-string"),
        pytest.param("track", track(time="9" * 400), b"0", id="time-400-digit-string"),
        pytest.param("track", track(time=int("9" * 400)), b"1", id="time-400-digit-int-dropped"),
        pytest.param("identify", identify(**{"$id": int("9" * 400)}), b"1", id="huge-integer-id"),
        pytest.param(
            "identify", identify(**{"$phone_number": int("9" * 400)}), b"1", id="huge-integer-phone"
        ),
    ],
)
def test_extreme_numbers_never_500(client, endpoint, body, answer):
    response = client.post(
        f"/api/{endpoint}", data=json.dumps(body), content_type="application/json"
    )
    assert (response.status_code, response.data) == (200, answer)


def test_numbers_beyond_a_double_are_not_json_we_take(client, klaviyo):
    raw = json.dumps(track()).replace('"event": "E"', '"event": "E", "time": 1e400')
    response = client.post("/api/track", data=raw, content_type="application/json")
    assert (response.status_code, response.data) == (200, b"0")
    assert_nothing_stored(klaviyo)


def test_json_body_with_a_byte_order_mark(client, klaviyo):
    body = "\ufeff" + json.dumps(identify())
    assert (
        client.post("/api/identify", data=body.encode(), content_type="application/json").data
        == b"1"
    )
    assert len(klaviyo.profiles("default")) == 1


def test_pixel_even_for_a_body_over_5_mb(client):
    body = b'{"token": "AbC123"}' + b" " * (5 * 1024 * 1024)
    response = client.post("/api/track?i=1", data=body, content_type="application/json")
    assert (response.status_code, response.mimetype) == (413, "image/gif")


def test_journal_keeps_large_requests_clipped(client, klaviyo):
    send_big = identify(filler="x" * 90_000)
    client.post("/api/identify", data={"data": json.dumps(send_big)})
    entry = klaviyo.journal.entries()[0]
    assert len(json.dumps(entry.request)) < 10_000
    assert entry.decisions[0].startswith("created ")


def _raw_call(app, body: bytes, **environ: object) -> tuple[str, bytes]:
    """Call the WSGI app with a hand-made environ (the test client always tells the truth)."""
    from werkzeug.test import create_environ

    env = create_environ("/api/track", method="POST", data=body, content_type="application/json")
    env.update(environ)
    seen: list[str] = []
    answer = b"".join(app(env, lambda status, headers, exc=None: seen.append(status)))
    return seen[0], answer


@pytest.mark.parametrize(
    ("declared", "status"),
    [
        pytest.param(None, "200 OK", id="length-as-sent"),
        pytest.param("10000", "400 BAD REQUEST", id="body-shorter-than-declared"),
        pytest.param(
            str(5 * 1024 * 1024 + 1), "413 REQUEST ENTITY TOO LARGE", id="declared-too-large"
        ),
    ],
)
def test_body_read_keeps_werkzeugs_guards(app, klaviyo, declared, status):
    body = json.dumps(track(customer_properties={"$email": "raw@x.com"})).encode()
    extra = {"CONTENT_LENGTH": declared} if declared else {}
    assert _raw_call(app, body, **extra)[0] == status
    assert len(klaviyo.profiles("default")) == (1 if declared is None else 0)


def test_chunked_body_goes_through_werkzeug(app, klaviyo):
    body = json.dumps(track(customer_properties={"$email": "chunk@x.com"})).encode()
    environ = {
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
    }
    assert _raw_call(app, body, **environ) == ("200 OK", b"1")
    assert len(klaviyo.profiles("default")) == 1


def test_form_body_is_parsed_after_the_body_is_read(client, klaviyo):
    """The body is read first (kept for the journal); the form is then parsed from it."""
    payload = json.dumps(track(customer_properties={"$email": "form@x.com"}))
    assert client.post("/api/track", data={"data": payload}).data == b"1"
    multipart = client.post(
        "/api/track", data={"data": payload}, content_type="multipart/form-data"
    )
    assert multipart.data == b"1"
    assert len(klaviyo.profiles("default")) == 1
    assert klaviyo.journal.entries()[0].request["payload"]["event"] == "E"


def test_a_content_length_in_other_digits_is_werkzeugs_to_read(app):
    body = json.dumps(track(customer_properties={"$email": "digits@x.com"})).encode()
    assert _raw_call(app, body, CONTENT_LENGTH="٣") == ("200 OK", b"0")  # read as no body


def test_the_stream_is_consumed_once_the_body_is_read(app):
    seen = []

    @app.after_request
    def peek(response):
        from flask import request

        seen.append((request.get_data(), request.stream.read()))
        return response

    app.test_client().post("/api/track", data=b'{"token": "x"}', content_type="application/json")
    assert seen == [(b'{"token": "x"}', b"")]
