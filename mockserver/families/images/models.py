"""Images: imported from a url or a data uri (``POST /api/images``) or uploaded as a file
(``POST /api/image-upload``). The document: "Supported image formats: jpeg,png,gif. Maximum image
size: 5MB"; a name "Defaults to the filename if not provided. If the name matches an existing
image, a suffix will be added". Ids are numbers, as the document's example (``7``).

The mock keeps no image bytes: an image's ``image_url`` is where Klaviyo's CDN would serve it
(*chosen*). A file or a data uri is read for its format (by its bytes) and size; a url is not
fetched, so its format comes from its extension (jpeg when it has none or one the mock does
not know, *chosen*) and its size is 0 (*chosen*)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.listing import Item
from ...domain.resources import Rules
from ...domain.service import Klaviyo

IMAGE = "image"
FORMATS = ("jpeg", "png", "gif")
MAX_BYTES = 5 * 1024 * 1024
#: The first bytes of each supported format.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
EXTENSIONS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif"}
#: Extensions of image formats Klaviyo does not take.
OTHER_IMAGES = frozenset({"webp", "svg", "bmp", "tif", "tiff", "heic", "heif", "ico", "avif"})
CDN = "https://d3k81ch9hvuctc.cloudfront.net/company/{company}/images/{key}.{ext}"
_DATA_URI = re.compile(r"data:(?P<mime>[^;,]*)(?P<base64>;base64)?,(?P<data>.*)", re.S)
_SUPPORTED = f"Supported image formats: {','.join(FORMATS)}. Maximum image size: 5MB."


@dataclass(frozen=True)
class Upload:
    """What an image is made from: its name (None: nothing to name it after), format and size."""

    name: str | None
    format: str
    size: int


def from_bytes(data: bytes, name: str | None, member: str) -> Upload:
    """An image's bytes, checked: not empty, at most 5MB, of a supported format (by its first
    bytes, whatever its name says). ``member``: the attribute a refusal names."""
    if not data:
        raise InvalidAttribute(member, "The image is empty.")
    if len(data) > MAX_BYTES:
        raise InvalidAttribute(member, f"The image is {len(data)} bytes. {_SUPPORTED}")
    found = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if found is None:
        raise InvalidAttribute(member, f"The file is no jpeg, png or gif image. {_SUPPORTED}")
    return Upload(name, found, len(data))


def _from_data_uri(uri: str) -> Upload:
    match = _DATA_URI.fullmatch(uri)
    if match is None or not match["mime"].startswith("image/"):
        raise InvalidAttribute("import_from_url", "A data uri must be data:image/...")
    if match["base64"]:
        try:
            data = base64.b64decode(match["data"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidAttribute("import_from_url", "The data uri is not base-64.") from error
    else:
        data = unquote(match["data"]).encode("latin-1", "replace")
    return from_bytes(data, None, "import_from_url")


def from_url(url: str) -> Upload:
    """An image to import from ``url`` (http or https) or a data uri."""
    if url.startswith("data:"):
        return _from_data_uri(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidAttribute("import_from_url", "Give an http(s) url or a data:image/... uri.")
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in OTHER_IMAGES:
        raise InvalidAttribute("import_from_url", f"A {extension} image. {_SUPPORTED}")
    return Upload(filename or None, EXTENSIONS.get(extension, "jpeg"), 0)


def _unique(backend: Backend, name: str) -> str:
    """``name``, or with the first free suffix when an image has it: ``logo (1).png``."""
    records = backend.records
    stem, dot, extension = name.rpartition(".") if "." in name[1:] else (name, "", "")
    number = 0
    candidate = name
    while records.find(IMAGE, "name", candidate):
        number += 1
        candidate = f"{stem} ({number}){dot}{extension}"
    return candidate


def store(backend: Backend, upload: Upload, name: str | None, hidden: bool) -> Item:
    """Make the image: named ``name``, else after its file, else "image" (*chosen*)."""
    with backend.store.locked():
        chosen = _unique(backend, name or upload.name or "image")
        key = backend.ids.hex(32)
        url = CDN.format(company=backend.account.shown_public_key, key=key, ext=upload.format)
        attributes = {
            "name": chosen,
            "image_url": url,
            "format": upload.format,
            "size": upload.size,
            "hidden": hidden,
        }
        return backend.resources.create(IMAGE, attributes)


def _on_update(
    backend: Backend, record_id: str, current: Mapping[str, Any], merged: dict[str, Any]
) -> dict[str, Any]:
    """A null name or hidden leaves it as it is (*chosen*: the answer requires both)."""
    before = current["attributes"]
    for name in ("name", "hidden"):
        if merged.get(name) is None:
            merged[name] = before.get(name)
    if not str(merged.get("name") or "").strip():
        raise InvalidAttribute("name", "An image needs a name.")
    return merged


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.rules[IMAGE] = Rules(on_update=_on_update)
