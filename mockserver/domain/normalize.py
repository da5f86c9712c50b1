"""How identifier values compare: the one place that decides when two values are the same.

- Emails: trimmed and lower-cased (klaviyo-behavior.md §2, *chosen*).
- Phone numbers: E.164 (*chosen*), parsed by ``phonenumbers``. A number written without ``+`` is
  read as a US number (so Klaviyo's own example ``13239169023`` becomes ``+13239169023``), and
  failing that as an international one (``447700900123`` becomes ``+447700900123``).
- ``$id`` / ``external_id`` and ``$exchange_id``: exact strings.
"""

from __future__ import annotations

import re

import phonenumbers

from .models import IdentifierKind


class InvalidIdentifier(ValueError):
    """A value that cannot identify anybody, e.g. an email without ``@``."""


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise InvalidIdentifier(f"{value!r} is not a valid email address")
    return email


def normalize_phone(value: str) -> str:
    text = value.strip()
    attempts = [(text, None)] if text.startswith("+") else [(text, "US"), (f"+{text}", None)]
    for candidate, region in attempts:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return formatted
    raise InvalidIdentifier(f"{value!r} is not a valid phone number")


def normalize(kind: IdentifierKind, value: str) -> str:
    """The canonical form of ``value``; raises :class:`InvalidIdentifier` when there is none."""
    if kind is IdentifierKind.EMAIL:
        return normalize_email(value)
    if kind is IdentifierKind.PHONE_NUMBER:
        return normalize_phone(value)
    return value
