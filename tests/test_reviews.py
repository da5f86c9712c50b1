"""Reviews: written from a storefront (``POST /client/reviews``, 202) by a shopper the identity
engine finds or makes, linked to the catalog item of their product, moderated by the account
(``PATCH /api/reviews/{id}``: the status) and listed by it (``/api/reviews``, every review) and
by the storefront (``/client/reviews``, the published ones), each with the document's
filters; bad bodies refused with a pointer and no change. Every answer is checked against
stable.json by the ``client`` fixture.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import current
from flask.testing import FlaskClient

CLIENT = "/client/reviews?company_id=AbC123"
ITEM = "$custom:::$default:::SKU-1"


def new_item(client: FlaskClient, external_id: str = "SKU-1") -> str:
    attributes = {
        "external_id": external_id,
        "title": "Ocean Blue Shirt",
        "description": "A shirt.",
        "url": "https://shop.example.com/shirt",
        "image_full_url": "https://shop.example.com/shirt.jpg",
    }
    body = {"data": {"type": "catalog-item", "attributes": attributes}}
    answer = current(client, "POST", "/api/catalog-items", body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return str(answer.json["data"]["id"])


def review_body(**attributes: Any) -> dict[str, Any]:
    attributes = {
        "review_type": "review",
        "email": "shopper@example.com",
        "author": "Sam S.",
        "content": "Fits well, lovely colour.",
        "rating": 5,
        "product": {"external_id": "SKU-1", "integration_key": "shopify"},
        **attributes,
    }
    return {"data": {"type": "review", "attributes": attributes}}


def write(client: FlaskClient, **attributes: Any) -> str:
    """Write a review from the storefront; its id, as the account's listing shows it."""
    before = set(ids(read(client, "/api/reviews")))
    answer = current(client, "POST", CLIENT, review_body(**attributes))
    assert (answer.status_code, answer.data) == (202, b""), answer.get_data(as_text=True)
    [made] = [i for i in ids(read(client, "/api/reviews")) if i not in before]
    return made


def moderate(client: FlaskClient, review_id: str, status: Any, **more: Any) -> Any:
    attributes = {"status": status, **more}
    body = {"data": {"type": "review", "id": review_id, "attributes": attributes}}
    return current(client, "PATCH", f"/api/reviews/{review_id}", body)


def read(client: FlaskClient, path: str) -> Any:
    answer = current(client, "GET", path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def ids(document: Any) -> list[str]:
    return [entry["id"] for entry in document["data"]]


def test_a_review_is_written_pending_and_read_back(client):
    new_item(client)
    review_id = write(client, title="Great", images=["https://cdn.example.com/1.jpg"])
    shown = read(client, f"/api/reviews/{review_id}")["data"]["attributes"]
    assert shown["status"] == {"value": "pending"}
    assert (shown["email"], shown["author"], shown["rating"]) == (
        "shopper@example.com",
        "Sam S.",
        5,
    )
    assert (shown["title"], shown["review_type"], shown["verified"]) == ("Great", "review", False)
    assert shown["images"] == ["https://cdn.example.com/1.jpg"]
    assert shown["product"] == {
        "url": "https://shop.example.com/shirt",
        "name": "Ocean Blue Shirt",
        "image_url": "https://shop.example.com/shirt.jpg",
        "external_id": "SKU-1",
    }
    assert (shown["smart_quote"], shown["public_reply"]) == (None, None)


@pytest.mark.parametrize(
    ("catalog", "linked"),
    [(True, True), (False, False)],
    ids=["item-in-the-catalog", "item-not-in-the-catalog"],
)
def test_a_review_links_to_its_products_catalog_item_when_there_is_one(client, catalog, linked):
    if catalog:
        new_item(client)
    review_id = write(client)
    found = read(client, f"/api/reviews?filter=equals(item.id,'{ITEM}')")
    assert ids(found) == ([review_id] if linked else [])
    product = read(client, f"/api/reviews/{review_id}")["data"]["attributes"]["product"]
    assert (product is not None) is linked


def test_the_author_is_found_or_made_by_email(client):
    write(client, email="Shopper@Example.com")
    write(client, email="shopper@example.com", review_type="question", rating=None)
    people = read(client, "/api/profiles?filter=equals(email,'shopper@example.com')")
    assert len(people["data"]) == 1


@pytest.mark.parametrize(
    ("status", "public"),
    [
        ({"value": "published"}, True),
        ({"value": "featured"}, True),
        ({"value": "unpublished"}, False),
        ({"value": "pending"}, False),
        ({"value": "rejected", "rejection_reason": {"reason": "fake"}}, False),
    ],
    ids=["published", "featured", "unpublished", "pending", "rejected"],
)
def test_moderation_decides_what_the_storefront_lists(client, status, public):
    review_id = write(client)
    assert ids(read(client, CLIENT)) == []  # pending until moderated
    answer = moderate(client, review_id, status)
    assert answer.status_code == 200, answer.json
    assert answer.json["data"]["attributes"]["status"] == status
    assert read(client, f"/api/reviews/{review_id}")["data"]["attributes"]["status"] == status
    assert ids(read(client, CLIENT)) == ([review_id] if public else [])
    found = read(client, f"/api/reviews?filter=equals(status,'{status['value']}')")
    assert ids(found) == [review_id]


def test_an_update_changes_the_status_alone(client):
    review_id = write(client)
    answer = moderate(client, review_id, {"value": "published"}, content="Rewritten")
    assert answer.status_code == 200
    assert answer.json["data"]["attributes"]["content"] == "Fits well, lovely colour."


def _three(client: FlaskClient) -> dict[str, str]:
    new_item(client)
    made = {
        "five": write(client, rating=5, images=["https://cdn.example.com/a.jpg"]),
        "two": write(client, rating=2, content="Too small", incentive_type="free_product"),
        "question": write(client, review_type="question", rating=None, content="Machine wash?"),
    }
    for review_id in made.values():
        assert moderate(client, review_id, {"value": "published"}).status_code == 200
    return made


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/api/reviews", "filter=equals(rating,5)", ["five"]),
        ("/api/reviews", "filter=greater-or-equal(rating,2)", ["five", "two"]),
        ("/api/reviews", "filter=any(rating,[1,2])", ["two"]),
        ("/api/reviews", "filter=contains(content,'small')", ["two"]),
        ("/api/reviews", "filter=equals(review_type,'question')", ["question"]),
        ("/api/reviews", "filter=equals(verified,false)", ["five", "two", "question"]),
        ("/api/reviews", "sort=-rating", ["five", "two", "question"]),
        ("/api/reviews", "sort=rating", ["question", "two", "five"]),
        (CLIENT, "filter=equals(incentivized,true)", ["two"]),
        (CLIENT, "filter=has(media)", ["five"]),
        (CLIENT, "filter=has(smart_quote)", []),
        (CLIENT, "filter=equals(edited,false)", ["five", "two", "question"]),
        (CLIENT, "filter=less-or-equal(rating,2)", ["two"]),
        (CLIENT, "filter=equals(status,'published')", ["five", "two", "question"]),
    ],
    ids=[
        "rating",
        "rating-at-least",
        "rating-any",
        "content",
        "type",
        "verified",
        "sort-rating-down",
        "sort-rating-up",
        "client-incentivized",
        "client-media",
        "client-smart-quote",
        "client-edited",
        "client-rating",
        "client-status",
    ],
)
def test_reviews_are_listed_with_the_documents_filters(client, path, query, expected):
    made = _three(client)
    names = {review_id: name for name, review_id in made.items()}
    separator = "&" if "?" in path else "?"
    found = read(client, f"{path}{separator}{query}")
    assert [names[i] for i in ids(found)] == expected


def test_the_storefront_does_not_see_the_authors_email(client):
    review_id = write(client)
    moderate(client, review_id, {"value": "published"})
    [shown] = read(client, CLIENT)["data"]
    assert "email" not in shown["attributes"]


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"review_type": "question", "rating": 4}, "/data/attributes/rating"),
        ({"review_type": "rating", "rating": None}, "/data/attributes/rating"),
        ({"review_type": "store"}, "/data/attributes/product"),
        ({"rating": 6}, "/data/attributes/rating"),
        ({"email": "  "}, "/data/attributes/email"),
        ({"email": "not-an-email"}, "/data/attributes/email"),
        (
            {"product": {"external_id": "SKU-1", "integration_key": "magento"}},
            "/data/attributes/product/integration_key",
        ),
    ],
    ids=[
        "question-with-rating",
        "rating-without-rating",
        "store-with-product",
        "rating-out-of-range",
        "blank-email",
        "bad-email",
        "unknown-integration",
    ],
)
def test_a_bad_review_is_refused_and_nothing_is_made(client, attributes, pointer):
    answer = current(client, "POST", CLIENT, review_body(**attributes))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    [entry] = answer.json["errors"]
    assert entry["source"] == {"pointer": pointer}
    assert ids(read(client, "/api/reviews")) == []
    assert ids(read(client, "/api/profiles")) == []


@pytest.mark.parametrize(
    ("status", "fault", "code", "pointer"),
    [
        (None, None, 400, "/data/attributes/status"),
        ({"value": "rejected"}, None, 400, "/data/attributes/status"),
        ({"value": "published"}, "other-id", 400, "/data/id"),
        ({"value": "published"}, "unknown", 404, None),
    ],
    ids=["cleared", "rejected-without-reason", "id-mismatch", "unknown-review"],
)
def test_a_bad_moderation_is_refused_and_changes_nothing(client, status, fault, code, pointer):
    review_id = write(client)
    target = "0" * 32 if fault == "unknown" else review_id
    body = {"data": {"type": "review", "id": target, "attributes": {"status": status}}}
    if fault == "other-id":
        body["data"]["id"] = "f" * 32
    answer = current(client, "PATCH", f"/api/reviews/{target}", body)
    assert answer.status_code == code, answer.get_data(as_text=True)
    if pointer is not None:
        assert answer.json["errors"][0]["source"]["pointer"].startswith(pointer)
    shown = read(client, f"/api/reviews/{review_id}")["data"]["attributes"]["status"]
    assert shown == {"value": "pending"}


def test_an_unknown_review_is_404(client):
    assert current(client, "GET", f"/api/reviews/{'0' * 32}").status_code == 404


@pytest.mark.parametrize("sort", ["rating", "-rating"])
def test_pages_of_one_follow_a_sort_across_missing_values(client, sort):
    made = _three(client)  # the question has no rating: it sorts before the rated reviews
    expected = [entry["id"] for entry in read(client, f"/api/reviews?sort={sort}")["data"]]
    seen: list[str] = []
    url = f"/api/reviews?sort={sort}&page[size]=1"
    while url:
        page = read(client, url)
        seen += ids(page)
        url = page["links"].get("next", "")
    assert seen == expected and sorted(seen) == sorted(made.values())
