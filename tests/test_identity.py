"""The identity table (klaviyo-behavior.md §2) over the domain, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from tables import IDENTITY_ROWS
from tables import NEW

from mockserver.domain.commands import IdentifyCommand
from mockserver.domain.commands import ProfileData
from mockserver.domain.identity import resolve
from mockserver.domain.models import EvidenceKind
from mockserver.domain.models import IdentifierKind
from mockserver.domain.service import Klaviyo
from mockserver.store import TinyDBStore

LEGACY = {kind.legacy: kind for kind in IdentifierKind}


def identify(klaviyo: Klaviyo, properties: dict[str, Any]) -> str | None:
    identifiers = {LEGACY[k]: v for k, v in properties.items() if k in LEGACY}
    return klaviyo.identify(IdentifyCommand("AbC123", ProfileData(identifiers, {}, {}))).profile_id


def identifier_sets(klaviyo: Klaviyo) -> list[dict[str, str]]:
    return [
        {kind.legacy: value for kind, value in p.identifiers.items()}
        for p in klaviyo.profiles("default")
    ]


@pytest.mark.parametrize(
    ("history", "call", "lands_on", "after", "duplicate_groups"), IDENTITY_ROWS
)
def test_identity_table(history, call, lands_on, after, duplicate_groups) -> None:
    klaviyo = Klaviyo(TinyDBStore())
    created: list[str] = []
    for properties in history:
        profile_id = identify(klaviyo, properties)
        if profile_id not in created:
            created.append(profile_id)

    landed = identify(klaviyo, call)

    if lands_on == NEW:
        assert landed not in created
    else:
        assert landed == created[lands_on]
    assert sorted(map(sorted, map(dict.items, identifier_sets(klaviyo)))) == sorted(
        map(sorted, map(dict.items, after))
    )
    assert len(klaviyo.duplicates("default")) == duplicate_groups


def test_conflict_names_both_profiles_and_keeps_the_identifier_where_it_was() -> None:
    klaviyo = Klaviyo(TinyDBStore())
    a = identify(klaviyo, {"$email": "a@example.com"})
    b = identify(klaviyo, {"$id": "U"})
    outcome = klaviyo.identify(
        IdentifyCommand(
            "AbC123",
            ProfileData(
                {IdentifierKind.EMAIL: "a@example.com", IdentifierKind.EXTERNAL_ID: "U"}, {}, {}
            ),
        )
    )
    assert outcome.profile_id == a
    [evidence] = klaviyo.store.evidence("default")
    assert evidence.kind is EvidenceKind.IDENTITY_CONFLICT
    assert evidence.profiles == (a, b)
    assert "$id U, which " + b + " holds" in evidence.detail
    [group] = klaviyo.duplicates("default")
    assert set(group.profiles) == {a, b}
    assert any("identity conflict" in d and b in d for d in outcome.decisions)
    assert klaviyo.store.owner_of("default", IdentifierKind.EXTERNAL_ID, "U") == b


EMAIL, EXT, PHONE, KX = (
    IdentifierKind.EMAIL,
    IdentifierKind.EXTERNAL_ID,
    IdentifierKind.PHONE_NUMBER,
    IdentifierKind.EXCHANGE_ID,
)


@pytest.mark.parametrize(
    ("owners", "identifiers", "profile_id", "matched_by", "assign", "conflicts"),
    [
        pytest.param({}, {EMAIL: "e"}, None, None, {EMAIL: "e"}, (), id="nothing-matches"),
        pytest.param(
            {(EMAIL, "e"): "A"},
            {EMAIL: "e", EXT: "u"},
            "A",
            EMAIL,
            {EXT: "u"},
            (),
            id="email-first",
        ),
        pytest.param(
            {(EXT, "u"): "B"},
            {EMAIL: "e", EXT: "u"},
            "B",
            EXT,
            {EMAIL: "e"},
            (),
            id="id-when-email-unknown",
        ),
        pytest.param(
            {(PHONE, "p"): "C"},
            {PHONE: "p", KX: "k"},
            "C",
            PHONE,
            {KX: "k"},
            (),
            id="phone-before-kx",
        ),
        pytest.param({(KX, "k"): "D"}, {KX: "k"}, "D", KX, {}, (), id="kx-alone"),
        pytest.param(
            {(EMAIL, "e"): "A", (EXT, "u"): "A"},
            {EMAIL: "e", EXT: "u"},
            "A",
            EMAIL,
            {},
            (),
            id="both-on-one",
        ),
        pytest.param(
            {(EMAIL, "e"): "A", (EXT, "u"): "B", (PHONE, "p"): "C"},
            {EMAIL: "e", EXT: "u", PHONE: "p"},
            "A",
            EMAIL,
            {},
            ((EXT, "u", "B"), (PHONE, "p", "C")),
            id="two-conflicts",
        ),
    ],
)
def test_resolve(owners, identifiers, profile_id, matched_by, assign, conflicts) -> None:
    resolution = resolve(identifiers, lambda kind, value: owners.get((kind, value)))
    assert resolution.profile_id == profile_id
    assert resolution.matched_by == matched_by
    assert resolution.assign == assign
    assert resolution.conflicts == conflicts


def test_resolve_needs_an_identifier() -> None:
    with pytest.raises(ValueError, match="at least one"):
        resolve({}, lambda kind, value: None)
