"""Sign-up forms (``/api/forms``): a form is made from its definition, and each version the
definition holds becomes a form-version resource linked to the form, both ways, whose id
(a number, as the document's example ``1234567``) the definition then shows. Forms have no
update in the API: the definition stays as made. A deleted form's versions go with it.

A new form is a draft (the create body allows no other status), and so are its versions
(*chosen*: a version marked live in the definition of a form that is not is made a draft).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.backend import Backend
from ...domain.models import json_copy
from ...domain.resources import Rules
from ...domain.service import Klaviyo

#: A version's ``type`` (the definition's words) as a form-version's ``form_type`` (the
#: answer's): the definition says ``full_screen`` where the answer says ``full_page``.
FORM_TYPES = {"full_screen": "full_page"}
#: A version's ``type`` when the definition gives none (the document's default).
DEFAULT_TYPE = "popup"
NEW_STATUS = "draft"


def variation_name(version: Mapping[str, Any], index: int) -> str:
    """A version's name: the definition's, else "Version A", "Version B"… by its place, as
    Klaviyo's editor names an A/B test's variations (*chosen*: the document is silent)."""
    name = version.get("name")
    if isinstance(name, str) and name:
        return name
    return f"Version {chr(ord('A') + index)}" if index < 26 else f"Version {index + 1}"


def version_attributes(version: Mapping[str, Any], index: int) -> dict[str, Any]:
    """A form-version's attributes, read off its version in the form's definition."""
    kind = version.get("type") or DEFAULT_TYPE
    name = variation_name(version, index)
    return {
        "form_type": FORM_TYPES.get(kind, kind),
        "variation_name": name,
        "ab_test": {"variation_name": name} if version.get("ab_test") else None,
        "status": NEW_STATUS,
    }


class Forms:
    """Forms and their versions (no state of its own: a handler makes one per call)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def create(self, name: str, ab_test: bool, definition: Any) -> str:
        """Make a form and its versions from a checked create body; the form's id."""
        resources = self._b.resources
        with self._b.store.locked():
            stored = json_copy(definition)
            versions = stored["versions"]
            ids = self._b.resources.new_ids("form-version", len(versions))
            for version, version_id in zip(versions, ids, strict=True):
                version["id"] = int(version_id)
                version["status"] = NEW_STATUS
            form = resources.create(
                "form",
                {"name": name, "status": NEW_STATUS, "ab_test": ab_test, "definition": stored},
            )
            for index, (version, version_id) in enumerate(zip(versions, ids, strict=True)):
                resources.create(
                    "form-version",
                    version_attributes(version, index),
                    {"form": form.id},
                    record_id=version_id,
                )
            return form.id

    def on_delete(self, form_id: str) -> None:
        """A deleted form's versions go with it."""
        records = self._b.records
        for version_id in records.linked("form", form_id, "form-versions"):
            self._b.resources.delete("form-version", version_id)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.rules["form"] = Rules(
        on_delete=lambda backend, form_id: Forms(backend).on_delete(form_id)
    )
