"""Tags, tag groups, segments and web feeds, which no family answers: the generic handlers
keep them with state. A tag links to campaigns, flows, lists and segments and each shows it
back; a tag belongs to a tag group; a segment keeps its definition; a web feed is created, read
back, changed and deleted. Every answer is checked against the document by the ``client``
fixture."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from current import error

#: The path of each kind of resource a tag links to, by the tag's relationship.
TAGGED = {"lists": "lists", "segments": "segments", "campaigns": "campaigns", "flows": "flows"}


def made(answer) -> str:
    assert answer.status_code == 201, answer.json
    return str(answer.json["data"]["id"])


def new_list(client, name: str = "Newsletter") -> str:
    body = {"data": {"type": "list", "attributes": {"name": name}}}
    return made(current(client, "POST", "/api/lists", body))


def segment_body(name: str, list_id: str, is_member: bool = True) -> dict[str, Any]:
    condition = {"type": "profile-group-membership", "is_member": is_member, "group_ids": [list_id]}
    definition = {"condition_groups": [{"conditions": [condition]}]}
    return {"data": {"type": "segment", "attributes": {"name": name, "definition": definition}}}


def new_segment(client, name: str = "Members") -> str:
    return made(current(client, "POST", "/api/segments", segment_body(name, new_list(client))))


def new_tag(client, name: str = "Holiday", group: str | None = None) -> str:
    data: dict[str, Any] = {"type": "tag", "attributes": {"name": name}}
    if group is not None:
        data["relationships"] = {"tag-group": {"data": {"type": "tag-group", "id": group}}}
    return made(current(client, "POST", "/api/tags", {"data": data}))


def new_group(client, name: str = "Seasons", exclusive: bool | None = None) -> str:
    attributes: dict[str, Any] = {"name": name}
    if exclusive is not None:
        attributes["exclusive"] = exclusive
    body = {"data": {"type": "tag-group", "attributes": attributes}}
    return made(current(client, "POST", "/api/tag-groups", body))


def new_resource(client, klaviyo, relationship: str) -> str:
    """A list, segment, campaign or flow. Campaigns and flows are made through the domain: what
    their creates take and answer is their families' subject, tagging is this file's."""
    if relationship == "lists":
        return new_list(client)
    if relationship == "segments":
        return new_segment(client)
    kind = relationship.removesuffix("s")
    return klaviyo.backend(klaviyo.accounts.open).resources.create(kind, {"name": f"A {kind}"}).id


def ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.json
    data = answer.json["data"]
    return [d["id"] for d in data] if isinstance(data, list) else [data["id"]]


def linkage(kind: str, *resource_ids: str) -> dict[str, Any]:
    return {"data": [{"type": kind, "id": i} for i in resource_ids]}


# -- tags and what they tag --------------------------------------------------------------------


@pytest.mark.parametrize("relationship", list(TAGGED), ids=list(TAGGED))
def test_a_tag_links_both_ways(client, klaviyo, relationship):
    kind = relationship.removesuffix("s")
    tag, other = new_tag(client), new_tag(client, "Sale")
    first, second = (new_resource(client, klaviyo, relationship) for _ in range(2))
    path = f"/api/tags/{tag}/relationships/{relationship}"
    assert current(client, "POST", path, linkage(kind, first, second)).status_code == 204
    assert (
        current(
            client, "POST", f"/api/tags/{other}/relationships/{relationship}", linkage(kind, first)
        ).status_code
        == 204
    )
    assert ids(current(client, "GET", path)) == [first, second]
    collection = TAGGED[relationship]
    assert ids(current(client, "GET", f"/api/{collection}/{first}/tags")) == [tag, other]
    assert ids(current(client, "GET", f"/api/{collection}/{first}/relationships/tags")) == [
        tag,
        other,
    ]
    assert ids(current(client, "GET", f"/api/{collection}/{second}/tags")) == [tag]

    assert current(client, "DELETE", path, linkage(kind, first)).status_code == 204
    assert ids(current(client, "GET", path)) == [second]
    assert ids(current(client, "GET", f"/api/{collection}/{first}/tags")) == [other]


def test_tagging_twice_links_once(client):
    tag, list_id = new_tag(client), new_list(client)
    path = f"/api/tags/{tag}/relationships/lists"
    for _ in range(2):
        assert current(client, "POST", path, linkage("list", list_id)).status_code == 204
    assert ids(current(client, "GET", path)) == [list_id]
    assert ids(current(client, "GET", f"/api/lists/{list_id}/tags")) == [tag]


def test_a_deleted_tag_lets_go_of_what_it_tagged(client):
    tag, list_id = new_tag(client), new_list(client)
    current(client, "POST", f"/api/tags/{tag}/relationships/lists", linkage("list", list_id))
    assert current(client, "DELETE", f"/api/tags/{tag}").status_code == 204
    error(current(client, "GET", f"/api/tags/{tag}"), 404)
    assert ids(current(client, "GET", f"/api/lists/{list_id}/tags")) == []


def test_a_deleted_list_leaves_the_tag(client):
    tag, gone, kept = new_tag(client), new_list(client, "Gone"), new_list(client, "Kept")
    current(client, "POST", f"/api/tags/{tag}/relationships/lists", linkage("list", gone, kept))
    assert current(client, "DELETE", f"/api/lists/{gone}").status_code == 204
    assert ids(current(client, "GET", f"/api/tags/{tag}/relationships/lists")) == [kept]


def test_a_tag_is_renamed_and_read_back(client):
    tag = new_tag(client)
    body = {"data": {"type": "tag", "id": tag, "attributes": {"name": "Renamed"}}}
    assert current(client, "PATCH", f"/api/tags/{tag}", body).status_code == 204
    assert current(client, "GET", f"/api/tags/{tag}").json["data"]["attributes"] == {
        "name": "Renamed"
    }
    listed = current(client, "GET", "/api/tags?filter=equals(name,'Renamed')")
    assert ids(listed) == [tag]


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/tags/{tag}/relationships/lists", linkage("list", "XXXXXX")),
        ("/api/tags/{tag}/relationships/segments", linkage("segment", "XXXXXX")),
        ("/api/tags/01UNKNOWN/relationships/lists", linkage("list", "{list}")),
    ],
    ids=["unknown-list", "unknown-segment", "unknown-tag"],
)
def test_tagging_what_does_not_exist_is_404_and_links_nothing(client, path, payload):
    tag, list_id = new_tag(client), new_list(client)
    payload["data"] = [{**d, "id": d["id"].replace("{list}", list_id)} for d in payload["data"]]
    error(current(client, "POST", path.replace("{tag}", tag), payload), 404)
    assert ids(current(client, "GET", f"/api/tags/{tag}/relationships/lists")) == []
    assert ids(current(client, "GET", f"/api/lists/{list_id}/tags")) == []


# -- tag groups --------------------------------------------------------------------------------


def test_a_tag_belongs_to_its_tag_group(client):
    group, other = new_group(client), new_group(client, "Channels")
    first, second = new_tag(client, "Summer", group), new_tag(client, "Winter", group)
    new_tag(client, "Email", other)
    assert ids(current(client, "GET", f"/api/tags/{first}/tag-group")) == [group]
    assert ids(current(client, "GET", f"/api/tags/{first}/relationships/tag-group")) == [group]
    assert ids(current(client, "GET", f"/api/tag-groups/{group}/tags")) == [first, second]
    assert ids(current(client, "GET", f"/api/tag-groups/{group}/relationships/tags")) == [
        first,
        second,
    ]
    included = current(client, "GET", f"/api/tags/{first}?include=tag-group").json
    assert [i["id"] for i in included["included"]] == [group]


def test_a_tag_in_a_group_that_does_not_exist_is_404_and_not_made(client):
    body = {
        "data": {
            "type": "tag",
            "attributes": {"name": "Orphan"},
            "relationships": {
                "tag-group": {
                    "data": {"type": "tag-group", "id": "zyxw9876-vu54-ts32-rq10-zyxwvu654321"}
                }
            },
        }
    }
    error(current(client, "POST", "/api/tags", body), 404)
    assert ids(current(client, "GET", "/api/tags")) == []


@pytest.mark.parametrize(
    ("exclusive", "shown"),
    [(None, False), (True, True), (False, False)],
    ids=["default", "exclusive", "not-exclusive"],
)
def test_a_tag_group_is_created_and_read_back(client, exclusive, shown):
    group = new_group(client, exclusive=exclusive)
    attributes = current(client, "GET", f"/api/tag-groups/{group}").json["data"]["attributes"]
    assert attributes == {"name": "Seasons", "exclusive": shown, "default": False}
    body = {"data": {"type": "tag-group", "id": group, "attributes": {"name": "Weather"}}}
    assert current(client, "PATCH", f"/api/tag-groups/{group}", body).status_code == 204
    read = current(client, "GET", f"/api/tag-groups/{group}").json["data"]["attributes"]
    assert read == {**attributes, "name": "Weather"}
    listed = current(
        client, "GET", f"/api/tag-groups?filter=equals(exclusive,{str(shown).lower()})"
    )
    assert group in ids(listed)


# -- segments ----------------------------------------------------------------------------------


def test_a_segment_keeps_its_definition(client):
    list_id = new_list(client)
    body = segment_body("Members", list_id)
    segment = made(current(client, "POST", "/api/segments", body))
    read = current(client, "GET", f"/api/segments/{segment}").json["data"]["attributes"]
    assert (read["name"], read["definition"]) == (
        "Members",
        body["data"]["attributes"]["definition"],
    )
    assert ids(current(client, "GET", "/api/segments?filter=equals(name,'Members')")) == [segment]

    changed = segment_body("Non-members", list_id, is_member=False)["data"]["attributes"]
    patch = {"data": {"type": "segment", "id": segment, "attributes": changed}}
    assert current(client, "PATCH", f"/api/segments/{segment}", patch).status_code == 200
    read = current(client, "GET", f"/api/segments/{segment}").json["data"]["attributes"]
    assert (read["name"], read["definition"]) == ("Non-members", changed["definition"])

    assert current(client, "DELETE", f"/api/segments/{segment}").status_code == 204
    error(current(client, "GET", f"/api/segments/{segment}"), 404)
    assert ids(current(client, "GET", "/api/segments")) == []


def test_a_segment_change_naming_another_id_is_400(client):
    segment = new_segment(client)
    patch = {"data": {"type": "segment", "id": "XXXXXX", "attributes": {"name": "x"}}}
    assert error(current(client, "PATCH", f"/api/segments/{segment}", patch), 400)["source"] == {
        "pointer": "/data/id"
    }


# -- web feeds ---------------------------------------------------------------------------------

FEED = {
    "name": "Blog posts",
    "url": "https://blog.example.com/feed.json",
    "request_method": "get",
    "content_type": "json",
}


def test_a_web_feed_is_created_read_back_changed_and_deleted(client):
    answer = current(
        client, "POST", "/api/web-feeds", {"data": {"type": "web-feed", "attributes": FEED}}
    )
    feed = made(answer)
    read = current(client, "GET", f"/api/web-feeds/{feed}").json["data"]["attributes"]
    assert {k: read[k] for k in FEED} == FEED
    assert ids(current(client, "GET", "/api/web-feeds")) == [feed]

    change = {"name": "Products", "content_type": "xml", "request_method": "post"}
    patch = {"data": {"type": "web-feed", "id": feed, "attributes": change}}
    assert current(client, "PATCH", f"/api/web-feeds/{feed}", patch).status_code == 200
    read = current(client, "GET", f"/api/web-feeds/{feed}").json["data"]["attributes"]
    assert {k: read[k] for k in FEED} == {**FEED, **change}

    assert current(client, "DELETE", f"/api/web-feeds/{feed}").status_code == 204
    error(current(client, "GET", f"/api/web-feeds/{feed}"), 404)
    assert ids(current(client, "GET", "/api/web-feeds")) == []


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({**FEED, "request_method": "put"}, "/data/attributes/request_method"),
        ({**FEED, "content_type": "csv"}, "/data/attributes/content_type"),
        ({k: v for k, v in FEED.items() if k != "url"}, "/data/attributes/url"),
    ],
    ids=["method", "content-type", "no-url"],
)
def test_a_bad_web_feed_is_400_and_not_made(client, attributes, pointer):
    answer = current(
        client, "POST", "/api/web-feeds", {"data": {"type": "web-feed", "attributes": attributes}}
    )
    assert error(answer, 400)["source"] == {"pointer": pointer}
    assert ids(current(client, "GET", "/api/web-feeds")) == []


# -- the tag rules of the document (families/tags) ------------------------------------------


def groups(client) -> list[dict[str, Any]]:
    return current(client, "GET", "/api/tag-groups").json["data"]


def test_every_account_has_a_default_group_that_takes_tags_without_one(client):
    [default] = groups(client)
    assert (default["attributes"]["default"], default["attributes"]["exclusive"]) == (True, False)
    tag = new_tag(client)
    linked = current(client, "GET", f"/api/tags/{tag}/relationships/tag-group").json["data"]
    assert linked == {"type": "tag-group", "id": default["id"]}


def test_the_default_group_cannot_be_deleted(client):
    [default] = groups(client)
    answer = current(client, "DELETE", f"/api/tag-groups/{default['id']}")
    assert error(answer, 400)["source"] == {"pointer": "/data/id"}
    assert [g["id"] for g in groups(client)] == [default["id"]]


def test_deleting_a_group_deletes_its_tags_and_their_links(client):
    group = new_group(client)
    tag = new_tag(client, group=group)
    list_id = new_list(client)
    link = {"data": [{"type": "list", "id": list_id}]}
    assert current(client, "POST", f"/api/tags/{tag}/relationships/lists", link).status_code == 204
    assert current(client, "DELETE", f"/api/tag-groups/{group}").status_code == 204
    assert error(current(client, "GET", f"/api/tags/{tag}"), 404)
    assert current(client, "GET", f"/api/lists/{list_id}/tags").json["data"] == []


def test_a_resource_takes_one_tag_of_an_exclusive_group(client):
    exclusive = new_group(client, "Stage", exclusive=True)
    first, second = new_tag(client, "Draft", exclusive), new_tag(client, "Final", exclusive)
    other = new_tag(client, "Anything")
    list_id = new_list(client)
    link = {"data": [{"type": "list", "id": list_id}]}
    assert (
        current(client, "POST", f"/api/tags/{first}/relationships/lists", link).status_code == 204
    )
    refused = current(client, "POST", f"/api/tags/{second}/relationships/lists", link)
    assert error(refused, 400)["source"] == {"pointer": "/data/0/id"}
    assert (
        current(client, "POST", f"/api/tags/{other}/relationships/lists", link).status_code == 204
    )
    tagged = current(client, "GET", f"/api/lists/{list_id}/relationships/tags").json["data"]
    assert sorted(t["id"] for t in tagged) == sorted([first, other])


def test_a_group_keeps_its_exclusive_and_default_flags(client):
    group = new_group(client, exclusive=True)
    body = {
        "data": {
            "type": "tag-group",
            "id": group,
            "attributes": {"name": "Renamed", "exclusive": False, "default": True},
        }
    }
    assert current(client, "PATCH", f"/api/tag-groups/{group}", body).status_code == 204
    attributes = current(client, "GET", f"/api/tag-groups/{group}").json["data"]["attributes"]
    assert attributes == {"name": "Renamed", "exclusive": True, "default": False}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, list(range(7))),
        ({"filter": "equals(is_starred,false)"}, list(range(7))),
        ({"filter": "any(name,['S1','S4','S6'])"}, [1, 4, 6]),
        ({"filter": "equals(name,'S3')"}, [3]),
        ({"filter": "equals(name,'nobody')"}, []),
    ],
    ids=["all", "filter-all", "filter-some", "filter-one", "filter-none"],
)
@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_pages_of_a_generic_listing_hold_each_match_once_in_creation_order(
    client, query, expected, size
):
    list_id = new_list(client)
    made_ids = [
        made(current(client, "POST", "/api/segments", segment_body(f"S{i}", list_id)))
        for i in range(7)
    ]
    seen: list[str] = []
    url, params = "/api/segments", {**query, "page[size]": str(size)}
    while url:
        answer = current(client, "GET", url, query_string=params)
        page = ids(answer)
        assert len(page) <= size
        seen += page
        url, params = answer.json["links"].get("next", ""), None
    assert seen == [made_ids[i] for i in expected]
