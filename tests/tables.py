"""The identity table of klaviyo-behavior.md §2, as data for ``pytest.mark.parametrize``.

Each row: the calls that build the existing state (``history``, Identify properties), the
incoming call, which profile it lands on (the index, in creation order, of a profile the
history made, or ``NEW``), the identifiers of every profile afterwards, and how many groups
of profiles the duplicates report shows (evidence: row 9's old email, row 11's conflict).
"""

from __future__ import annotations

from typing import Any

import pytest

NEW = "new"
U, U2 = "user-1", "user-2"
E, E2 = "betty@example.com", "betty.new@example.com"
PHONE = "+15555550100"


def row(
    id: str,
    history: list[dict[str, Any]],
    call: dict[str, Any],
    lands_on: int | str,
    after: list[dict[str, str]],
    duplicate_groups: int = 0,
) -> Any:
    return pytest.param(history, call, lands_on, after, duplicate_groups, id=id)


IDENTITY_ROWS = [
    row("1-id-matches", [{"$id": U, "$email": E}], {"$id": U}, 0, [{"$id": U, "$email": E}]),
    row("2-email-matches", [{"$id": U, "$email": E}], {"$email": E}, 0, [{"$id": U, "$email": E}]),
    row(
        "3-id-matches-email-set",
        [{"$id": U}],
        {"$id": U, "$email": E},
        0,
        [{"$id": U, "$email": E}],
    ),
    row(
        "4-email-matches-id-set",
        [{"$email": E}],
        {"$id": U, "$email": E},
        0,
        [{"$id": U, "$email": E}],
    ),
    row(
        "5-email-matches-id-replaced",
        [{"$id": U, "$email": E}],
        {"$email": E, "$id": U2},
        0,
        [{"$id": U2, "$email": E}],
    ),
    row(
        "6-email-only-duplicates-id-only",
        [{"$id": U}],
        {"$email": E},
        NEW,
        [{"$id": U}, {"$email": E}],
    ),
    row(
        "7-email-changed-through-id",
        [{"$id": U, "$email": E}],
        {"$id": U, "$email": E2},
        0,
        [{"$id": U, "$email": E2}],
    ),
    row(
        "8-new-email-matches-after-7",
        [{"$id": U, "$email": E}, {"$id": U, "$email": E2}],
        {"$email": E2},
        0,
        [{"$id": U, "$email": E2}],
    ),
    row(
        "9-old-email-creates-after-7",
        [{"$id": U, "$email": E}, {"$id": U, "$email": E2}],
        {"$email": E},
        NEW,
        [{"$id": U, "$email": E2}, {"$email": E}],
        duplicate_groups=1,
    ),
    row(
        "11-email-and-id-on-two-profiles",
        [{"$email": E}, {"$id": U}],
        {"$email": E, "$id": U},
        0,
        [{"$email": E}, {"$id": U}],
        duplicate_groups=1,
    ),
    row("12-phone-only-creates", [], {"$phone_number": PHONE}, NEW, [{"$phone_number": PHONE}]),
    row(
        "12-phone-only-matches",
        [{"$phone_number": PHONE, "$email": E}],
        {"$phone_number": PHONE},
        0,
        [{"$phone_number": PHONE, "$email": E}],
    ),
]
