"""Templates: HTML (CODE, USER_DRAGGABLE) and drag-and-drop (SYSTEM_DRAGGABLE) ones as the
create body's descriptions have them, read back, changed and deleted; cloned; rendered with a
context, Django-style; the limit of templates made through the API; universal content. Every
answer is checked against stable.json by the ``app`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from current import refused
from flask.testing import FlaskClient

from mockserver.families.templates import models as templates_models

HTML = "<html><body><p>Hello {{ first_name|default:'there' }}</p></body></html>"
BLOCK = {"content_type": "block", "type": "html", "data": {"content": "", "display_options": {}}}


def definition(*contents: str) -> dict[str, Any]:
    """A drag-and-drop definition: one section, one row, one column, an HTML block each."""
    blocks = [{**BLOCK, "data": {**BLOCK["data"], "content": c}} for c in contents]
    section = {
        "content_type": "section",
        "type": "section",
        "data": {"properties": {}, "display_options": {}, "styles": {}},
        "rows": [{"data": {"styles": {}}, "columns": [{"data": {}, "blocks": blocks}]}],
    }
    return {"body": {"properties": {}, "styles": {}, "sections": [section]}, "styles": []}


def body(**attributes: Any) -> dict[str, Any]:
    given = {"name": "Welcome", "editor_type": "CODE", "html": HTML, **attributes}
    return {
        "data": {"type": "template", "attributes": {k: v for k, v in given.items() if v != ...}}
    }


def make(client: FlaskClient, **attributes: Any) -> dict[str, Any]:
    answer = current(client, "POST", "/api/templates", body(**attributes))
    assert answer.status_code == 201, answer.json
    return dict(answer.json["data"])


def read(client: FlaskClient, template_id: str, query: str = "") -> Any:
    return current(client, "GET", f"/api/templates/{template_id}{query}")


def listed(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    answer = current(client, "GET", f"/api/templates{query}")
    assert answer.status_code == 200, answer.json
    return list(answer.json["data"])


def patch(template_id: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "template", "id": template_id, "attributes": attributes}}


# -- HTML and drag-and-drop templates -----------------------------------------------------------


@pytest.mark.parametrize("editor_type", ["CODE", "USER_DRAGGABLE"])
def test_an_html_template_round_trip(client, editor_type):
    made = make(client, editor_type=editor_type, text="Hello", name="Spring")
    assert made["attributes"]["editor_type"] == editor_type
    assert made["attributes"]["html"] == HTML
    assert made["attributes"]["text"] == "Hello"
    assert made["attributes"]["amp"] is None
    shown = read(client, made["id"]).json["data"]
    assert shown["attributes"] == made["attributes"]

    changed = current(
        client, "PATCH", f"/api/templates/{made['id']}", patch(made["id"], name="Fall")
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["data"]["attributes"]["name"] == "Fall"
    assert read(client, made["id"]).json["data"]["attributes"]["html"] == HTML

    assert current(client, "DELETE", f"/api/templates/{made['id']}").status_code == 204
    assert read(client, made["id"]).status_code == 404


def test_a_drag_and_drop_template_keeps_its_definition_and_shows_its_html(client):
    made = make(client, editor_type="SYSTEM_DRAGGABLE", html=..., definition=definition("<p>A</p>"))
    assert (
        made["attributes"]["html"] == "<!DOCTYPE html><html><body><div><p>A</p></div></body></html>"
    )
    assert "definition" not in read(client, made["id"]).json["data"]["attributes"]
    shown = read(client, made["id"], "?additional-fields[template]=definition").json["data"]
    kept = shown["attributes"]["definition"]
    assert kept["template_id"] == made["id"]
    assert (
        kept["body"]["sections"][0]["rows"][0]["columns"][0]["blocks"][0]["data"]["content"]
        == "<p>A</p>"
    )

    new = patch(made["id"], definition=definition("<p>B</p>", "<p>C</p>"))
    assert current(client, "PATCH", f"/api/templates/{made['id']}", new).status_code == 200
    html = read(client, made["id"]).json["data"]["attributes"]["html"]
    assert html == "<!DOCTYPE html><html><body><div><p>B</p></div><div><p>C</p></div></body></html>"


def test_an_html_template_has_no_definition(client):
    """ "ignored for CODE/USER_DRAGGABLE", "Omitted for CODE/USER_DRAGGABLE"."""
    made = make(client, definition=definition("<p>ignored</p>"))
    shown = read(client, made["id"], "?additional-fields[template]=definition").json["data"]
    assert "definition" not in shown["attributes"]
    assert shown["attributes"]["html"] == HTML


def test_a_null_name_or_html_on_update_leaves_them(client):
    made = make(client)
    answer = current(
        client, "PATCH", f"/api/templates/{made['id']}", patch(made["id"], name=None, html=None)
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["data"]["attributes"]["name"] == "Welcome"
    assert answer.json["data"]["attributes"]["html"] == HTML


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"name": ""}, "/data/attributes/name"),
        ({"name": "  "}, "/data/attributes/name"),
        ({"editor_type": "SIMPLE"}, "/data/attributes/editor_type"),
        ({"editor_type": "code"}, "/data/attributes/editor_type"),
        ({"html": ...}, "/data/attributes/html"),
        ({"html": ""}, "/data/attributes/html"),
        ({"editor_type": "SYSTEM_DRAGGABLE", "html": ...}, "/data/attributes/definition"),
        ({"editor_type": "SYSTEM_DRAGGABLE", "definition": definition()}, "/data/attributes/html"),
        (
            {
                "editor_type": "SYSTEM_DRAGGABLE",
                "html": ...,
                "amp": "<p/>",
                "definition": definition(),
            },
            "/data/attributes/amp",
        ),
    ],
    ids=[
        "empty-name",
        "blank-name",
        "simple-editor",
        "lower-case-editor",
        "code-without-html",
        "code-with-empty-html",
        "dnd-without-definition",
        "dnd-with-html",
        "dnd-with-amp",
    ],
)
def test_a_template_create_that_breaks_a_rule_is_400_and_makes_nothing(client, attributes, pointer):
    answer = current(client, "POST", "/api/templates", body(**attributes))
    refused(answer, 400, pointer)
    assert listed(client) == []


@pytest.mark.parametrize(
    ("draggable", "attributes", "pointer"),
    [
        (False, {"name": ""}, "/data/attributes/name"),
        (False, {"html": ""}, "/data/attributes/html"),
        (True, {"html": "<p>mine</p>"}, "/data/attributes/html"),
        (True, {"amp": "<p>mine</p>"}, "/data/attributes/amp"),
    ],
    ids=["empty-name", "empty-html", "html-on-dnd", "amp-on-dnd"],
)
def test_a_template_update_that_breaks_a_rule_is_400_and_changes_nothing(
    client, draggable, attributes, pointer
):
    made = make(client, editor_type="SYSTEM_DRAGGABLE", html=..., definition=definition("x"))
    if not draggable:
        made = make(client, name="Other")
    path = f"/api/templates/{made['id']}"
    refused(current(client, "PATCH", path, patch(made["id"], **attributes)), 400, pointer)
    assert read(client, made["id"]).json["data"]["attributes"] == made["attributes"]


def test_an_update_of_a_template_that_does_not_exist_is_404(client):
    answer = current(client, "PATCH", "/api/templates/AbCdEf", patch("AbCdEf", name="x"))
    assert answer.status_code == 404


# -- listing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Beta", "Alpha", "Gamma"]),
        ("?sort=name", ["Alpha", "Beta", "Gamma"]),
        ("?sort=-name", ["Gamma", "Beta", "Alpha"]),
        ("?filter=equals(name,'Alpha')", ["Alpha"]),
        ("?filter=contains(name,'mm')", ["Gamma"]),
        ("?filter=any(name,['Gamma','Beta'])", ["Beta", "Gamma"]),
    ],
    ids=["made-order", "by-name", "by-name-descending", "equals", "contains", "any"],
)
def test_templates_are_listed_filtered_and_sorted(client, query, names):
    for name in ("Beta", "Alpha", "Gamma"):
        make(client, name=name)
    assert [t["attributes"]["name"] for t in listed(client, query)] == names


def test_templates_are_listed_a_page_at_a_time(client):
    for number in range(12):
        make(client, name=f"T{number:02}")
    first = current(client, "GET", "/api/templates?sort=name")
    assert [t["attributes"]["name"] for t in first.json["data"]] == [f"T{n:02}" for n in range(10)]
    following = current(client, "GET", first.json["links"]["next"])
    assert [t["attributes"]["name"] for t in following.json["data"]] == ["T10", "T11"]


# -- clone --------------------------------------------------------------------------------------


def clone(client: FlaskClient, template_id: str, name: str | None = None) -> Any:
    attributes = {} if name is None else {"name": name}
    document = {"data": {"type": "template", "id": template_id, "attributes": attributes}}
    return current(client, "POST", "/api/template-clone", document)


@pytest.mark.parametrize(
    ("name", "expected"),
    [(None, "Clone of Welcome"), ("Welcome again", "Welcome again")],
    ids=["default-name", "given-name"],
)
def test_a_clone_is_a_new_template_with_the_same_content(client, name, expected):
    made = make(client, text="Hi")
    answer = clone(client, made["id"], name)
    assert answer.status_code == 201, answer.json
    copy = answer.json["data"]
    assert copy["id"] != made["id"]
    assert copy["attributes"]["name"] == expected
    assert copy["attributes"]["html"] == HTML
    assert copy["attributes"]["text"] == "Hi"
    assert sorted(t["id"] for t in listed(client)) == sorted([made["id"], copy["id"]])


def test_a_clone_of_a_drag_and_drop_template_has_its_own_definition(client):
    made = make(client, editor_type="SYSTEM_DRAGGABLE", html=..., definition=definition("x"))
    copy = clone(client, made["id"]).json["data"]
    shown = read(client, copy["id"], "?additional-fields[template]=definition").json["data"]
    assert shown["attributes"]["definition"]["template_id"] == copy["id"]
    assert shown["attributes"]["html"] == made["attributes"]["html"]


@pytest.mark.parametrize(
    ("template", "name", "status", "pointer"),
    [("AbCdEf", None, 404, "/data/id"), (None, "", 400, "/data/attributes/name")],
    ids=["unknown-template", "empty-name"],
)
def test_a_clone_that_cannot_be_made_makes_nothing(client, template, name, status, pointer):
    made = make(client)
    refused(clone(client, template or made["id"], name), status, pointer)
    assert [t["id"] for t in listed(client)] == [made["id"]]


def test_templates_made_through_the_api_are_limited(client, monkeypatch):
    """ "If there are 1,000 or more templates in an account, creation will fail" (and
    cloning)."""
    monkeypatch.setattr(templates_models, "MAX_TEMPLATES", 2)
    first = make(client, name="One")
    make(client, name="Two")
    refused(current(client, "POST", "/api/templates", body(name="Three")), 400, "/data")
    refused(clone(client, first["id"]), 400, "/data")
    assert len(listed(client)) == 2


# -- render -------------------------------------------------------------------------------------

CONTEXT = {
    "first_name": "Jane",
    "last_name": "Smith",
    "vip": True,
    "points": 120,
    "address": {"city": "Boston"},
    "items": [{"name": "Hat", "price": 10}, {"name": "Scarf", "price": 25}],
    "tags": ["new", "loyal"],
    "markup": "<b>bold</b> & co",
}


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("Hi {{ first_name }} {{last_name}}", "Hi Jane Smith"),
        ("Hi {{ nickname }}!", "Hi !"),
        ("Hi {{ nickname|default:'friend' }}", "Hi friend"),
        ('Hi {{ nickname|default:"friend" }}', "Hi friend"),
        ("Hi {{ first_name|default:'friend' }}", "Hi Jane"),
        ("{{ address.city }} {{ address.zip }}", "Boston "),
        ("{{ items.1.name }}", "Scarf"),
        (
            "{{ first_name|upper }} {{ last_name|lower }} {{ 'ms jane'|title }}",
            "JANE smith Ms Jane",
        ),
        ("{{ tags|join:', ' }} ({{ tags|length }})", "new, loyal (2)"),
        ("{% if vip %}VIP{% else %}member{% endif %}", "VIP"),
        ("{% if not vip %}member{% elif points > 100 %}gold{% endif %}", "gold"),
        ("{% if nickname or first_name == 'Jane' %}yes{% endif %}", "yes"),
        ("{% if vip and points < 100 %}x{% else %}y{% endif %}", "y"),
        (
            "{% for item in items %}{{ forloop.counter }}.{{ item.name }} {% endfor %}",
            "1.Hat 2.Scarf ",
        ),
        ("{% for item in nothing %}x{% empty %}none{% endfor %}", "none"),
        ("{{ markup }}", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        ("{{ markup|safe }}", "<b>bold</b> & co"),
        ("a{# a comment #}b{% unsubscribe %}c", "abc"),
    ],
    ids=[
        "variables",
        "missing-is-empty",
        "default-single-quotes",
        "default-double-quotes",
        "default-unused",
        "dot-notation",
        "list-index",
        "case-filters",
        "join-and-length",
        "if-else",
        "elif-and-comparison",
        "or",
        "and",
        "for-with-counter",
        "for-empty",
        "html-is-escaped",
        "safe",
        "comments-and-unknown-tags",
    ],
)
def test_render_fills_the_html_with_the_context(client, html, expected):
    made = make(client, html=html)
    document = {"data": {"type": "template", "id": made["id"], "attributes": {"context": CONTEXT}}}
    answer = current(client, "POST", "/api/template-render", document)
    assert answer.status_code == 201, answer.json
    assert answer.json["data"]["id"] == made["id"]
    assert answer.json["data"]["attributes"]["html"] == expected
    assert read(client, made["id"]).json["data"]["attributes"]["html"] == html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear {{ first_name }}, {{ markup }}", "Dear Jane, <b>bold</b> & co"),
        (None, "Hello Jane"),
    ],
    ids=["own-text-unescaped", "text-of-the-html"],
)
def test_render_fills_the_text_version(client, text, expected):
    made = make(client, text=text, html="<p>Hello <b>{{ first_name }}</b></p>")
    document = {"data": {"type": "template", "id": made["id"], "attributes": {"context": CONTEXT}}}
    answer = current(client, "POST", "/api/template-render", document)
    assert answer.json["data"]["attributes"]["text"] == expected


def test_render_of_a_template_that_does_not_exist_is_404(client):
    document = {"data": {"type": "template", "id": "AbCdEf", "attributes": {"context": {}}}}
    refused(current(client, "POST", "/api/template-render", document), 404, "/data/id")


# -- universal content --------------------------------------------------------------------------


def block(kind: str = "html", content: str = "<p>Footer</p>") -> dict[str, Any]:
    return {
        "content_type": "block",
        "type": kind,
        "data": {"content": content, "display_options": {}},
    }


def universal(name: str = "Footer", **more: Any) -> dict[str, Any]:
    attributes = {"name": name, "definition": block(), **more}
    return {"data": {"type": "template-universal-content", "attributes": attributes}}


def test_universal_content_round_trip(client):
    made = current(client, "POST", "/api/template-universal-content", universal())
    assert made.status_code == 201, made.json
    item = made.json["data"]
    assert item["attributes"]["screenshot_status"] == "never_generated"
    path = f"/api/template-universal-content/{item['id']}"
    assert current(client, "GET", path).json["data"]["attributes"]["definition"] == block()

    change = {
        "data": {
            "type": "template-universal-content",
            "id": item["id"],
            "attributes": {"name": "Legal", "definition": None},
        }
    }
    answer = current(client, "PATCH", path, change)
    assert answer.status_code == 200, answer.json
    assert answer.json["data"]["attributes"]["name"] == "Legal"
    assert answer.json["data"]["attributes"]["definition"] == block()

    assert current(client, "DELETE", path).status_code == 204
    assert current(client, "GET", path).status_code == 404


def test_universal_content_is_filtered_by_block_type(client):
    current(client, "POST", "/api/template-universal-content", universal("Html"))
    text = {**block("text"), "data": {"content": "x", "display_options": {}, "styles": {}}}
    current(client, "POST", "/api/template-universal-content", universal("Text", definition=text))
    answer = current(
        client, "GET", "/api/template-universal-content?filter=equals(definition.type,'text')"
    )
    assert [u["attributes"]["name"] for u in answer.json["data"]] == ["Text"]


@pytest.mark.parametrize("name", ["", " "], ids=["empty", "blank"])
def test_universal_content_needs_a_name(client, name):
    answer = current(client, "POST", "/api/template-universal-content", universal(name))
    refused(answer, 400, "/data/attributes/name")
    assert current(client, "GET", "/api/template-universal-content").json["data"] == []
