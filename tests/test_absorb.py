"""``Profiles.absorb``: how today's background calls (events, client calls, bulk subscriptions)
create or update a profile, without HTTP. Never refused; conflicts recorded; race windows kept."""

from __future__ import annotations

import pytest
from test_race import identify

from mockserver.domain.accounts import OPEN_ACCOUNT_ID
from mockserver.domain.accounts import Account
from mockserver.domain.commands import ProfileChanges
from mockserver.domain.models import EvidenceKind
from mockserver.domain.models import IdentifierKind
from mockserver.domain.service import Klaviyo
from mockserver.store import TinyDBStore

EMAIL, PHONE = IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER
ACCOUNT = Account(OPEN_ACCOUNT_ID, None, ())


@pytest.fixture
def klaviyo() -> Klaviyo:
    return Klaviyo(TinyDBStore())


def absorb(klaviyo, keep=False, **identifiers):
    changes = ProfileChanges(identifiers={IdentifierKind(k): v for k, v in identifiers.items()})
    return klaviyo.backend(ACCOUNT).people.absorb(None, changes, [], keep_identifiers=keep)


@pytest.mark.parametrize("keep", [False, True])
def test_identifiers_on_two_profiles_are_evidence_of_one_person(klaviyo, keep):
    a = absorb(klaviyo, email="a@x.com")
    b = absorb(klaviyo, phone_number="+14155550100")
    landed = absorb(klaviyo, keep, email="a@x.com", phone_number="+14155550100")
    assert landed.id == a.id
    [evidence] = klaviyo.store.evidence("default")
    assert (evidence.kind, set(evidence.profiles)) == (EvidenceKind.IDENTITY_CONFLICT, {a.id, b.id})


@pytest.mark.parametrize(("keep", "email"), [(False, "new@x.com"), (True, "old@x.com")])
def test_only_client_calls_keep_an_identifier_the_profile_has(klaviyo, keep, email):
    p = absorb(klaviyo, email="old@x.com", phone_number="+14155550100")
    landed = absorb(klaviyo, keep, email="new@x.com", phone_number="+14155550100")
    assert (landed.id, landed.identifiers[EMAIL]) == (p.id, email)


@pytest.mark.parametrize("keep", [False, True])
def test_a_race_window_is_kept(klaviyo, keep):
    """Given P{E, U}: in one window Identify moves P's email to E2, and a background call
    carries E: it resolves against the state before the window and lands on P (as two
    Identifies would), instead of making a second profile."""
    identify(klaviyo, **{"$email": "e@x.com", "$id": "u-1"})
    with klaviyo.race():
        identify(klaviyo, **{"$id": "u-1", "$email": "e2@x.com"})
        absorb(klaviyo, keep, email="e@x.com")
    assert len(klaviyo.profiles("default")) == 1


@pytest.mark.parametrize("keep", [False, True])
def test_two_calls_of_one_window_creating_one_person_meet(klaviyo, keep):
    with klaviyo.race():
        first = absorb(klaviyo, keep, email="n@x.com")
        second = absorb(klaviyo, keep, email="n@x.com", phone_number="+14155550100")
    assert first.id == second.id
    assert len(klaviyo.profiles("default")) == 1
