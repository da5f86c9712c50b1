"""Race windows (klaviyo-behavior.md §3): calls resolve against the state before the window."""

from __future__ import annotations

import pytest

from mockserver.domain.commands import IdentifyCommand
from mockserver.domain.commands import ProfileData
from mockserver.domain.models import EvidenceKind
from mockserver.domain.models import IdentifierKind
from mockserver.domain.service import Klaviyo
from mockserver.store import TinyDBStore

LEGACY = {kind.legacy: kind for kind in IdentifierKind}


def identify(klaviyo, **properties):
    identifiers = {LEGACY[k]: v for k, v in properties.items()}
    return klaviyo.identify(IdentifyCommand("AbC123", ProfileData(identifiers, {}, {})))


def identifier_sets(klaviyo):
    return sorted(
        sorted((k.legacy, v) for k, v in p.identifiers.items()) for p in klaviyo.profiles("default")
    )


@pytest.mark.parametrize(
    ("before", "calls", "after", "race_evidence"),
    [
        pytest.param(
            [],
            [{"$id": "u"}, {"$email": "e@x.com"}],
            [[("$email", "e@x.com")], [("$id", "u")]],
            True,
            id="row-10",
        ),
        pytest.param(
            [],
            [{"$email": "e@x.com"}, {"$email": "e@x.com"}],
            [[("$email", "e@x.com")]],
            False,
            id="same-email-lands-on-the-first",
        ),
        pytest.param(
            [],
            [{"$email": "e@x.com", "$id": "u"}, {"$email": "e@x.com"}],
            [[("$email", "e@x.com"), ("$id", "u")]],
            False,
            id="overlap-lands-on-the-first",
        ),
        pytest.param(
            [{"$id": "u"}],
            [{"$id": "u", "$email": "e@x.com"}, {"$email": "e@x.com"}],
            [[("$email", "e@x.com"), ("$id", "u")]],
            False,
            id="email-set-in-window-then-email-only",
        ),
        pytest.param(
            [{"$id": "u", "$email": "old@x.com"}],
            [{"$id": "u", "$email": "new@x.com"}, {"$email": "old@x.com"}],
            [[("$email", "new@x.com"), ("$id", "u")]],
            False,
            id="old-email-still-matches-in-the-window",
        ),
    ],
)
def test_calls_in_a_window_resolve_against_the_state_before_it(before, calls, after, race_evidence):
    klaviyo = Klaviyo(TinyDBStore())
    for properties in before:
        identify(klaviyo, **properties)
    with klaviyo.race():
        for properties in calls:
            assert identify(klaviyo, **properties).profile_id is not None
    assert identifier_sets(klaviyo) == sorted(sorted(s) for s in after)
    kinds = {e.kind for e in klaviyo.store.evidence("default")}
    assert (EvidenceKind.RACE in kinds) == race_evidence


def test_the_same_calls_one_at_a_time_make_one_profile():
    klaviyo = Klaviyo(TinyDBStore())
    identify(klaviyo, **{"$id": "u", "$email": "e@x.com"})
    identify(klaviyo, **{"$email": "e@x.com"})
    assert len(klaviyo.profiles("default")) == 1


def test_windows_do_not_nest():
    klaviyo = Klaviyo(TinyDBStore())
    with klaviyo.race(), pytest.raises(RuntimeError, match="do not nest"), klaviyo.race():
        pass


def test_a_window_in_one_thread_does_not_affect_another():
    import threading

    klaviyo = Klaviyo(TinyDBStore())
    identify(klaviyo, **{"$email": "e@x.com"})
    seen = []
    with klaviyo.race():
        identify(klaviyo, **{"$email": "e@x.com", "$id": "u"})
        thread = threading.Thread(
            target=lambda: seen.append(identify(klaviyo, **{"$id": "u"}).profile_id)
        )
        thread.start()
        thread.join()
    assert len(klaviyo.profiles("default")) == 1
    assert seen == [klaviyo.profiles("default")[0].id]
