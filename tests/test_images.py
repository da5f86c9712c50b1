"""Images: imported from a url or a data uri, uploaded as a file (multipart/form-data), read back,
listed and updated. "Supported image formats: jpeg,png,gif. Maximum image size: 5MB"; a name
defaults to the file's and takes a suffix when another image has it. Every answer is checked
against stable.json by the ``app`` fixture."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from conftest import current
from current import refused
from flask.testing import FlaskClient

from mockserver.families.images import models as images_models
from mockserver.families.images.models import MAX_BYTES

#: A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 20
CDN = "https://d3k81ch9hvuctc.cloudfront.net/company/"


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def from_url(client: FlaskClient, url: str, **attributes: Any) -> Any:
    document = {"data": {"type": "image", "attributes": {"import_from_url": url, **attributes}}}
    return current(client, "POST", "/api/images", document)


def upload(client: FlaskClient, data: bytes | None, filename: str = "logo.png", **form: str) -> Any:
    fields: dict[str, Any] = dict(form)
    if data is not None:
        fields["file"] = (io.BytesIO(data), filename)
    return current(
        client, "POST", "/api/image-upload", data=fields, content_type="multipart/form-data"
    )


def images(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    answer = current(client, "GET", f"/api/images{query}")
    assert answer.status_code == 200, answer.json
    return list(answer.json["data"])


# -- from a url or a data uri -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name", "format", "size"),
    [
        ("https://example.com/img/banner.jpg", "banner.jpg", "jpeg", 0),
        ("https://example.com/a/Spring%20Sale.PNG?v=2", "Spring Sale.PNG", "png", 0),
        ("http://example.com/anim.gif", "anim.gif", "gif", 0),
        ("https://example.com/image", "image", "jpeg", 0),
        (data_uri(PNG), "image", "png", len(PNG)),
        (data_uri(GIF, "image/gif"), "image", "gif", len(GIF)),
    ],
    ids=["jpg", "png-named-by-path", "gif", "no-extension", "data-uri-png", "data-uri-gif"],
)
def test_an_image_imported_from_a_url(client, url, name, format, size):
    answer = from_url(client, url)
    assert answer.status_code == 201, answer.json
    image = answer.json["data"]
    assert image["id"] == "1"
    assert image["attributes"]["name"] == name
    assert image["attributes"]["format"] == format
    assert image["attributes"]["size"] == size
    assert image["attributes"]["hidden"] is False
    assert image["attributes"]["image_url"].startswith(CDN)
    assert image["attributes"]["image_url"].endswith(f".{format}")
    shown = current(client, "GET", "/api/images/1").json["data"]
    assert shown["attributes"] == image["attributes"]


def test_an_image_takes_the_name_given_and_hidden(client):
    answer = from_url(client, "https://example.com/a.png", name="Hero", hidden=True)
    assert answer.json["data"]["attributes"]["name"] == "Hero"
    assert answer.json["data"]["attributes"]["hidden"] is True


def test_a_name_another_image_has_takes_a_suffix(client):
    names = [
        from_url(client, "https://example.com/logo.png").json["data"]["attributes"]["name"],
        from_url(client, "https://example.com/x/logo.png").json["data"]["attributes"]["name"],
        upload(client, PNG, "logo.png").json["data"]["attributes"]["name"],
        from_url(client, "https://example.com/a.png", name="Hero").json["data"]["attributes"][
            "name"
        ],
        from_url(client, "https://example.com/b.png", name="Hero").json["data"]["attributes"][
            "name"
        ],
    ]
    assert names == ["logo.png", "logo (1).png", "logo (2).png", "Hero", "Hero (1)"]
    assert [i["id"] for i in images(client)] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/photo.webp",
        "https://example.com/icon.svg",
        "ftp://example.com/a.png",
        "not a url",
        "data:text/plain;base64,aGVsbG8=",
        "data:image/png;base64,***",
        data_uri(b"hello, world"),
        data_uri(WEBP, "image/webp"),
        "data:image/png;base64,",
    ],
    ids=[
        "webp",
        "svg",
        "ftp",
        "no-url",
        "data-uri-not-an-image",
        "data-uri-not-base64",
        "data-uri-bytes-of-no-image",
        "data-uri-webp",
        "data-uri-empty",
    ],
)
def test_an_import_that_is_no_supported_image_is_400_and_makes_nothing(client, url):
    refused(from_url(client, url), 400, "/data/attributes/import_from_url")
    assert images(client) == []


# -- from a file --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "format"),
    [
        (PNG, "logo.png", "png"),
        (JPEG, "photo.jpeg", "jpeg"),
        (GIF, "anim.gif", "gif"),
        (PNG, "no-extension", "png"),
    ],
    ids=["png", "jpeg", "gif", "format-by-content"],
)
def test_an_uploaded_file(client, data, filename, format):
    answer = upload(client, data, filename)
    assert answer.status_code == 201, answer.json
    image = answer.json["data"]
    assert image["attributes"]["name"] == filename
    assert image["attributes"]["format"] == format
    assert image["attributes"]["size"] == len(data)
    assert current(client, "GET", f"/api/images/{image['id']}").json["data"] == image


@pytest.mark.parametrize(
    ("form", "name", "hidden"),
    [
        ({"name": "Banner"}, "Banner", False),
        ({"hidden": "true"}, "logo.png", True),
        ({"hidden": "false"}, "logo.png", False),
    ],
    ids=["named", "hidden", "shown"],
)
def test_an_upload_takes_the_form_name_and_hidden(client, form, name, hidden):
    image = upload(client, PNG, **form).json["data"]
    assert (image["attributes"]["name"], image["attributes"]["hidden"]) == (name, hidden)


@pytest.mark.parametrize(
    ("data", "filename", "form", "pointer"),
    [
        (None, "", {"name": "x"}, "/data/attributes/file"),
        (b"", "empty.png", {}, "/data/attributes/file"),
        (b"just text", "notes.png", {}, "/data/attributes/file"),
        (WEBP, "photo.webp", {}, "/data/attributes/file"),
        (PNG, "logo.png", {"hidden": "maybe"}, "/data/attributes/hidden"),
    ],
    ids=["no-file", "empty-file", "text-file", "webp-file", "hidden-not-boolean"],
)
def test_an_upload_that_is_no_supported_image_is_400_and_makes_nothing(
    client, data, filename, form, pointer
):
    refused(upload(client, data, filename, **form), 400, pointer)
    assert images(client) == []


@pytest.mark.parametrize(
    "send",
    [
        lambda client, data: upload(client, data, "big.png"),
        lambda client, data: from_url(client, data_uri(data)),
    ],
    ids=["file", "data-uri"],
)
def test_an_image_over_the_size_limit_is_400(client, monkeypatch, send):
    """ "Maximum image size: 5MB" (lowered here: a request over 5MB is refused whole, below)."""
    monkeypatch.setattr(images_models, "MAX_BYTES", len(PNG) + 9)
    answer = send(client, PNG + b"\x00" * 10)
    assert answer.status_code == 400, answer.json
    assert "Maximum image size: 5MB" in answer.json["errors"][0]["detail"]
    assert send(client, PNG + b"\x00" * 9).status_code == 201
    assert len(images(client)) == 1


def test_a_request_over_5mb_is_413_and_makes_nothing(client):
    """Klaviyo's payload limit. (The form goes encoded: the test client would spool a form this
    large to a temporary file it leaves open when the request is refused.)"""
    boundary = "mock-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    form = head + PNG + b"\x00" * MAX_BYTES + f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"
    answer = current(client, "POST", "/api/image-upload", data=form, content_type=content_type)
    assert answer.status_code == 413
    assert answer.json["errors"][0]["code"] == "request_too_large"
    assert images(client) == []


def test_an_upload_sent_as_json_has_no_file(client):
    document = {"data": {"type": "image", "attributes": {"name": "x"}}}
    refused(current(client, "POST", "/api/image-upload", document), 400, "/data/attributes/file")


# -- reading and changing ---------------------------------------------------------------------


def change(image_id: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "image", "id": image_id, "attributes": attributes}}


@pytest.mark.parametrize(
    ("attributes", "name", "hidden"),
    [
        ({"name": "Renamed"}, "Renamed", False),
        ({"hidden": True}, "logo.png", True),
        ({"name": None, "hidden": None}, "logo.png", False),
    ],
    ids=["rename", "hide", "nulls-leave-them"],
)
def test_an_image_is_updated(client, attributes, name, hidden):
    upload(client, PNG)
    answer = current(client, "PATCH", "/api/images/1", change("1", **attributes))
    assert answer.status_code == 200, answer.json
    shown = current(client, "GET", "/api/images/1").json["data"]["attributes"]
    assert (shown["name"], shown["hidden"]) == (name, hidden)


@pytest.mark.parametrize(
    ("path", "document", "status", "pointer"),
    [
        ("/api/images/1", change("1", name=""), 400, "/data/attributes/name"),
        ("/api/images/1", change("2", name="x"), 400, "/data/id"),
        ("/api/images/99", change("99", name="x"), 404, "/data/"),
    ],
    ids=["empty-name", "id-mismatch", "unknown-image"],
)
def test_an_image_update_that_cannot_be_made_changes_nothing(
    client, path, document, status, pointer
):
    before = upload(client, PNG).json["data"]
    refused(current(client, "PATCH", path, document), status, pointer)
    assert current(client, "GET", "/api/images/1").json["data"] == before


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["b.png", "a.gif", "c.png"]),
        ("?filter=equals(format,'png')", ["b.png", "c.png"]),
        ("?filter=equals(hidden,true)", ["c.png"]),
        ("?filter=starts-with(name,'a')", ["a.gif"]),
        ("?sort=-size", ["c.png", "b.png", "a.gif"]),
        ("?sort=name", ["a.gif", "b.png", "c.png"]),
    ],
    ids=["made-order", "by-format", "hidden", "name-starts-with", "by-size", "by-name"],
)
def test_images_are_listed_filtered_and_sorted(client, query, names):
    upload(client, PNG, "b.png")
    upload(client, GIF, "a.gif")
    upload(client, PNG + b"\x00" * 10, "c.png", hidden="true")
    assert [i["attributes"]["name"] for i in images(client, query)] == names


def test_an_image_that_does_not_exist_is_404(client):
    assert current(client, "GET", "/api/images/7").status_code == 404
