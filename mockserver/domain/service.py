"""The mock's behaviour: what Track, Identify and people search do to the state.

``Klaviyo`` is the backend the HTTP layer calls, one per app. It never sees a request: it takes
commands built by the schemas and returns outcomes that the views render. Each identity decision
(read, decide, write) runs under the store's lock, so concurrent calls can never create a
duplicate that the same calls one at a time would not.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

from .accounts import OPEN_ACCOUNT_ID
from .accounts import Account
from .accounts import Accounts
from .commands import IdentifierTaken
from .commands import IdentifyCommand
from .commands import NotFound
from .commands import Outcome
from .commands import ProfileData
from .commands import Refused
from .commands import SeedError
from .commands import TrackCommand
from .duplicates import Group
from .duplicates import groups
from .export import Query as ExportQuery
from .export import export
from .identity import Resolution
from .identity import resolve
from .journal import Journal
from .lists import Lists
from .models import LEGACY_ORDER
from .models import Event
from .models import Evidence
from .models import EvidenceKind
from .models import IdentifierKind
from .models import Identifiers
from .models import JSONDict
from .models import Metric
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import Clock
from .ports import Ids
from .ports import Store
from .ports import iso_seconds as _iso
from .ports import system_clock
from .timeline import Page
from .timeline import Since
from .timeline import page

#: Ingestion limit on event times (legacy-api.md §2.4): "between 2000 and now + 1 year".
EARLIEST_EVENT = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
ONE_YEAR = 366 * 24 * 3600


@dataclass
class RaceWindow:
    """Calls applied inside one window resolve against the state as it was when it opened
    (klaviyo-behavior.md §3): the mock's deterministic version of row 10, the race.

    ``before`` keeps, for each identifier whose holder changed inside the window, the holder it
    had when the window opened; ``created`` the profiles created inside it, by account.
    """

    before: dict[tuple[str, IdentifierKind, str], str | None] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)


_ABSENT = object()
IDENTIFIER_NAMES = frozenset(kind.value for kind in IdentifierKind)


def _normalised(data: ProfileData, decisions: list[str]) -> Identifiers:
    """The call's identifiers in canonical form; an invalid one is ignored, and said so."""
    identifiers: Identifiers = {}
    for kind in LEGACY_ORDER:
        raw = data.identifiers.get(kind)
        if raw is None:
            continue
        try:
            identifiers[kind] = normalize(kind, raw)
        except InvalidIdentifier as error:
            decisions.append(f"ignored {kind.legacy}: {error}")
    return identifiers


def _changes(have: JSONDict, new: JSONDict) -> bool:
    """Whether upserting ``new`` into ``have`` changes anything."""
    return any(have.get(key, _ABSENT) != value for key, value in new.items())


def _unique_key(event_id: object, timestamp: int) -> str:
    """What deduplicates an event: its ``$event_id`` (``7``, ``7.0`` and ``"7"`` alike), or
    else its time to the second (legacy-api.md §3)."""
    if event_id is None or event_id == "":
        return str(timestamp)
    if isinstance(event_id, float) and event_id.is_integer():
        return str(int(event_id))
    return str(event_id)


def _same_value_as(kind: IdentifierKind, value: str) -> list[tuple[IdentifierKind, str]]:
    """The same value as another kind of identifier: an ``$id`` that is an email address or a
    phone number, and the reverse. (Cheap checks first: this runs on every new identifier.)"""
    if kind is IdentifierKind.EXTERNAL_ID:
        found = []
        for other, looks_like in (
            (IdentifierKind.EMAIL, "@" in value),
            (IdentifierKind.PHONE_NUMBER, value[:1] == "+" or value.isdigit()),
        ):
            if looks_like:
                with contextlib.suppress(InvalidIdentifier):
                    found.append((other, normalize(other, value)))
        return found
    if kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE_NUMBER):
        return [(IdentifierKind.EXTERNAL_ID, value)]
    return []


def _describe(identifiers: Identifiers) -> str:
    return " and ".join(f"{kind.legacy} {value}" for kind, value in identifiers.items())


class Klaviyo:
    def __init__(
        self,
        store: Store,
        accounts: Accounts | None = None,
        *,
        clock: Clock = system_clock,
        ids: Ids | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.store = store
        self.configured_accounts = self.accounts = accounts or Accounts()
        self.clock = clock
        self.ids = ids or Ids(clock)
        self.journal = journal or Journal()
        self._local = threading.local()
        self.lists = Lists(self)

    # -- Track and Identify -------------------------------------------------------------------

    def identify(self, command: IdentifyCommand) -> Outcome:
        account, identifiers, decisions = self._admit(command.token, command.profile)
        if account is None or not identifiers:
            return Outcome(account.id if account else None, None, tuple(decisions))
        with self.store.locked():
            profile, created, touched = self._upsert(
                account.id, identifiers, command.profile, decisions
            )
        return Outcome(
            account.id,
            profile.id,
            tuple(decisions),
            created,
            touched=touched,
            identifiers=tuple(identifiers.values()),
        )

    def track(self, command: TrackCommand) -> Outcome:
        account, identifiers, decisions = self._admit(command.token, command.profile)
        if account is None or not identifiers:
            return Outcome(account.id if account else None, None, tuple(decisions))
        now = self.clock()
        timestamp = int(now.timestamp()) if command.time is None else command.time
        if not EARLIEST_EVENT <= timestamp <= int(now.timestamp()) + ONE_YEAR:
            decisions.append(
                f"dropped: event time {timestamp} is outside 2000-01-01 .. now + 1 year"
            )
            return Outcome(account.id, None, tuple(decisions))
        with self.store.locked():
            profile, created, touched = self._upsert(
                account.id, identifiers, command.profile, decisions
            )
            event = self._record_event(account.id, profile.id, command, timestamp, decisions)
        return Outcome(
            account.id,
            profile.id,
            tuple(decisions),
            created,
            event.id if event else None,
            touched=touched,
            identifiers=tuple(identifiers.values()),
        )

    def resolve_person(
        self, account: Account, data: ProfileData, decisions: list[str]
    ) -> Profile | None:
        """Find or create the profile ``data`` describes, as Identify would (list members)."""
        identifiers = _normalised(data, decisions)
        if not identifiers:
            decisions.append("skipped a member: no identifier")
            return None
        with self.store.locked():
            profile, _, _ = self._upsert(account.id, identifiers, data, decisions)
        return profile

    def _admit(
        self, token: str | None, data: ProfileData
    ) -> tuple[Account | None, Identifiers, list[str]]:
        """Find the account and normalise the identifiers; say why a call is dropped."""
        decisions: list[str] = []
        account = self.accounts.for_public_key(token)
        if account is None:
            reason = f"unknown public key {token!r}" if token else "no public key (token)"
            decisions.append(f"dropped: {reason}")
            return None, {}, decisions
        identifiers = _normalised(data, decisions)
        if not identifiers:
            decisions.append("dropped: no identifier")
        return account, identifiers, decisions

    def _upsert(
        self, account: str, identifiers: Identifiers, data: ProfileData, decisions: list[str]
    ) -> tuple[Profile, bool, tuple[str, ...]]:
        window = self._window()

        def owner_of(kind: IdentifierKind, value: str) -> str | None:
            key = (account, kind, value)
            if window is not None and key in window.before:
                return window.before[key]
            return self.store.owner_of(account, kind, value)

        resolution = resolve(identifiers, owner_of)
        if resolution.profile_id is None:
            taken = self._taken(account, identifiers)
            if not taken:
                profile = self._create(account, identifiers, data, decisions)
                return profile, True, (profile.id,)
            # Only in a race window: another call of the window took one of these first.
            first = next(kind for kind in LEGACY_ORDER if kind in taken)
            decisions.append(
                f"{first.legacy} {identifiers[first]} was taken by {taken[first]} in the same"
                " race window"
            )
            resolution = Resolution(
                taken[first],
                first,
                {k: v for k, v in identifiers.items() if k not in taken},
                tuple((k, identifiers[k], o) for k, o in taken.items() if o != taken[first]),
            )
        return self._update(account, resolution, identifiers, data, decisions)

    def _taken(self, account: str, identifiers: Identifiers) -> dict[IdentifierKind, str]:
        found = {
            kind: self.store.owner_of(account, kind, value) for kind, value in identifiers.items()
        }
        return {kind: owner for kind, owner in found.items() if owner is not None}

    def _create(
        self, account: str, identifiers: Identifiers, data: ProfileData, decisions: list[str]
    ) -> Profile:
        now = _iso(self.clock())
        profile_id = self.ids.ulid()
        while self.store.has_profile(account, profile_id):
            profile_id = self.ids.ulid()
        profile = Profile(
            id=profile_id,
            created=now,
            updated=now,
            identifiers=dict(identifiers),
            attributes=dict(data.attributes),
            properties=dict(data.properties),
        )
        self._save(account, None, profile)
        decisions.append(f"created {profile.id}: no profile has {_describe(identifiers)}")
        for kind, value in identifiers.items():
            self._link(account, profile.id, kind, value, now, decisions)
        return profile

    def _update(
        self,
        account: str,
        resolution: Resolution,
        identifiers: Identifiers,
        data: ProfileData,
        decisions: list[str],
    ) -> tuple[Profile, bool, tuple[str, ...]]:
        now = _iso(self.clock())
        current = self.store.get_profile(account, resolution.profile_id or "")
        matched = resolution.matched_by
        if current is None or matched is None:
            raise RuntimeError(
                f"the identity index points at {resolution.profile_id}, which is gone"
            )
        decisions.append(f"matched {current.id} by {matched.legacy} {identifiers[matched]}")
        new_identifiers = dict(current.identifiers)
        former = {kind: list(values) for kind, values in current.former.items()}
        conflicts = list(resolution.conflicts)
        for kind, value in resolution.assign.items():
            holder = self.store.owner_of(account, kind, value)
            if holder is not None and holder != current.id:  # taken inside a race window
                conflicts.append((kind, value, holder))
                continue
            old = new_identifiers.get(kind)
            new_identifiers[kind] = value
            if old is None:
                decisions.append(f"set {kind.legacy} {value} on {current.id}")
            else:
                former.setdefault(kind, []).append(old)
                decisions.append(f"changed {kind.legacy} of {current.id} from {old} to {value}")
            self._link(account, current.id, kind, value, now, decisions)
        for kind, value, holder in conflicts:
            self.store.add_evidence(
                account,
                Evidence(
                    EvidenceKind.IDENTITY_CONFLICT,
                    (current.id, holder),
                    f"a call identified {current.id} by {matched.legacy} {identifiers[matched]}"
                    f" and also carried {kind.legacy} {value}, which {holder} holds",
                    now,
                ),
            )
            decisions.append(
                f"identity conflict: {kind.legacy} {value} belongs to {holder} and stays there;"
                f" {current.id} and {holder} look like one person"
            )
        updated = current
        if (
            new_identifiers != current.identifiers
            or _changes(current.attributes, data.attributes)
            or _changes(current.properties, data.properties)
        ):
            updated = current.with_changes(
                identifiers=new_identifiers,
                attributes=current.attributes | data.attributes,
                properties=current.properties | data.properties,
                former=former,
                updated=now,
            )
            self._save(account, current, updated)
        touched = (current.id, *dict.fromkeys(holder for _, _, holder in conflicts))
        return updated, False, touched

    def _link(
        self,
        account: str,
        profile_id: str,
        kind: IdentifierKind,
        value: str,
        now: str,
        decisions: list[str],
    ) -> None:
        """Record evidence that ``profile_id``, which just took ``value``, is someone else: a
        profile that held the value before (row 9), or one that holds it as another kind of
        identifier (an ``$id`` that is somebody's email)."""
        links = [
            (
                EvidenceKind.FORMER_IDENTIFIER,
                holder,
                f"{profile_id} took {kind.legacy} {value}, which {holder} held before",
            )
            for holder in sorted(self.store.former_holders(account, kind, value) - {profile_id})
        ]
        for other, other_value in _same_value_as(kind, value):
            holder = self.store.owner_of(account, other, other_value)
            if holder is not None and holder != profile_id:
                links.append(
                    (
                        EvidenceKind.SHARED_VALUE,
                        holder,
                        f"{profile_id}'s {kind.legacy} {value} is {holder}'s {other.legacy}",
                    )
                )
        for evidence_kind, holder, detail in links:
            self.store.add_evidence(
                account, Evidence(evidence_kind, (holder, profile_id), detail, now)
            )
            decisions.append(f"evidence of a duplicate: {detail}")

    def _save(self, account: str, old: Profile | None, new: Profile) -> None:
        """Save ``new``; inside a race window, first remember who held what it changes."""
        window = self._window()
        if window is not None:
            before = set(old.identifiers.items()) if old else set()
            for kind, value in before ^ set(new.identifiers.items()):
                key = (account, kind, value)
                if key not in window.before:
                    window.before[key] = self.store.owner_of(account, kind, value)
            if old is None:
                window.created.setdefault(account, []).append(new.id)
        self.store.save_profile(account, new)

    def _record_event(
        self,
        account: str,
        profile_id: str,
        command: TrackCommand,
        timestamp: int,
        decisions: list[str],
    ) -> Event | None:
        metric = self._metric(account, command.event, decisions)
        unique_key = _unique_key(command.properties.get("$event_id"), timestamp)
        if self.store.has_event(account, profile_id, metric.id, unique_key):
            decisions.append(
                f"duplicate event ignored: {profile_id} already has {command.event!r}"
                f" with $event_id {unique_key}"
            )
            return None
        event = self._add_event(
            account, profile_id, metric, timestamp, unique_key, command.properties
        )
        decisions.append(f"recorded event {event.id} {command.event!r} for {profile_id}")
        return event

    def _metric(self, account: str, name: str, decisions: list[str]) -> Metric:
        metric = self.store.metric_named(account, name)
        if metric is None:
            metric_id = self.ids.short()
            while self.store.has_metric_id(account, metric_id):
                metric_id = self.ids.short()
            metric = Metric(id=metric_id, name=name, created=_iso(self.clock()))
            self.store.save_metric(account, metric)
            decisions.append(f"created metric {metric.id} {name!r}")
        return metric

    def _add_event(
        self,
        account: str,
        profile_id: str,
        metric: Metric,
        timestamp: int,
        unique_key: str,
        properties: JSONDict,
    ) -> Event:
        event = Event(
            id=self.ids.ulid(),
            profile_id=profile_id,
            metric_id=metric.id,
            timestamp=timestamp,
            unique_key=unique_key,
            properties=dict(properties),
            created=_iso(self.clock()),
        )
        self.store.add_event(account, event)
        return event

    def batch(self) -> AbstractContextManager[None]:
        """Hold the state for several changes made as one (given state from a scenario): with
        ``--durable``, one write to disk at the end instead of one per change."""
        return self.store.locked()

    # -- Race windows ---------------------------------------------------------------------------

    def _window(self) -> RaceWindow | None:
        window: RaceWindow | None = getattr(self._local, "window", None)
        return window

    @contextlib.contextmanager
    def race(self) -> Iterator[RaceWindow]:
        """Apply the calls this thread makes inside the block as if they were processed at the
        same time: each resolves against the state from before the block. Profiles created in
        one window are recorded as evidence of one person (row 10)."""
        if self._window() is not None:
            raise RuntimeError("race windows do not nest")
        window = self._local.window = RaceWindow()
        try:
            yield window
        finally:
            self._local.window = None
            now = _iso(self.clock())
            with self.store.locked():
                for account, created in window.created.items():
                    if len(created) > 1:
                        self.store.add_evidence(
                            account,
                            Evidence(
                                EvidenceKind.RACE,
                                tuple(created),
                                f"{', '.join(created)} were created in one race window",
                                now,
                            ),
                        )

    # -- People search --------------------------------------------------------------------------

    def search_people(self, account: Account, kind: IdentifierKind, raw: str) -> str:
        """The id of the profile holding ``raw`` as ``kind``; raises :class:`NotFound`."""
        try:
            value = normalize(kind, raw)
        except InvalidIdentifier as error:
            raise NotFound(str(error)) from None
        with self.store.locked():
            profile_id = self.store.owner_of(account.id, kind, value)
        if profile_id is None:
            raise NotFound(f"no profile has {kind.value} {value}")
        return profile_id

    def person(self, account: Account, profile_id: str) -> Profile:
        with self.store.locked():
            profile = self.store.get_profile(account.id, profile_id)
        if profile is None:
            raise NotFound(f"no profile {profile_id}")
        return profile

    def update_person(
        self, account: Account, profile_id: str, data: ProfileData, unset: list[str]
    ) -> tuple[Profile, list[str]]:
        """The legacy ``PUT /api/v1/person/{id}``: set what ``data`` gives, identifiers included
        (one that another profile holds is refused: Klaviyo's identity rules), then remove the
        ``unset`` keys (``$first_name`` or a custom property; identifiers cannot be unset)."""
        decisions: list[str] = []
        identifiers: Identifiers = {}
        for kind, raw in data.identifiers.items():
            try:
                identifiers[kind] = normalize(kind, raw)
            except InvalidIdentifier as error:
                raise Refused(str(error)) from None
        legacy_identifiers = {kind.legacy for kind in IdentifierKind}
        for key in unset:
            if key in legacy_identifiers or key.lstrip("$") in IDENTIFIER_NAMES:
                raise Refused(f"{key} is an identifier: it can be changed, not unset.")
        with self.store.locked():
            current = self.store.get_profile(account.id, profile_id)
            if current is None:
                raise NotFound(f"no profile {profile_id}")
            for kind, value in identifiers.items():
                holder = self.store.owner_of(account.id, kind, value)
                if holder is not None and holder != profile_id:
                    raise IdentifierTaken(kind, value, holder)
            now = _iso(self.clock())
            new_identifiers = dict(current.identifiers)
            former = {kind: list(values) for kind, values in current.former.items()}
            for kind, value in identifiers.items():
                old = new_identifiers.get(kind)
                if old == value:
                    continue
                new_identifiers[kind] = value
                if old is not None:
                    former.setdefault(kind, []).append(old)
                decisions.append(f"set {kind.legacy} of {profile_id} to {value}")
            attributes = current.attributes | data.attributes
            properties = current.properties | data.properties
            for key in unset:
                name = key[1:] if key.startswith("$") else None
                if name in attributes:
                    del attributes[name]
                else:
                    properties.pop(key, None)
            updated = current.with_changes(
                identifiers=new_identifiers,
                attributes=attributes,
                properties=properties,
                former=former,
                updated=now,
            )
            if updated.with_changes(updated=current.updated) != current:
                self._save(account.id, current, updated)
                for kind, value in identifiers.items():
                    if current.identifiers.get(kind) != value:
                        self._link(account.id, profile_id, kind, value, now, decisions)
            else:
                updated = current
        return updated, decisions

    def timeline(
        self,
        account: Account,
        *,
        profile_id: str | None = None,
        metric_id: str | None = None,
        since: Since = None,
        count: int = 50,
        ascending: bool = False,
    ) -> tuple[Page, dict[str, Profile], dict[str, str]]:
        """A page of events, all or a profile's or a metric's (legacy v1 timelines), with the
        profiles and metric names they need, read under one lock."""
        with self.store.locked():
            if profile_id is not None and not self.store.has_profile(account.id, profile_id):
                raise NotFound(f"No profile {profile_id}")
            if metric_id is not None and not self.store.has_metric_id(account.id, metric_id):
                raise NotFound(f"No metric {metric_id}")
            events = self.store.events(account.id, profile_id=profile_id, metric_id=metric_id)
            found = page(events, since, count, ascending)
            people = {}
            for event in found.events:
                profile = self.store.get_profile(account.id, event.profile_id)
                if profile is not None:
                    people[event.profile_id] = profile
            names = {m.id: m.name for m in self.store.metrics(account.id)}
        return found, people, names

    def export(
        self, account: Account, metric_id: str, query: ExportQuery
    ) -> tuple[Metric, list[Any]]:
        with self.store.locked():
            metric = next((m for m in self.store.metrics(account.id) if m.id == metric_id), None)
            if metric is None:
                raise NotFound(f"No metric {metric_id}")
            events = self.store.events(account.id, metric_id=metric_id)
        return metric, export(events, metric.name, query)

    def metrics(self, account: Account) -> list[Metric]:
        with self.store.locked():
            return self.store.metrics(account.id)

    def exchange(self, account: Account, exchange_id: str) -> str:
        """The id of the profile a ``_kx`` / ``$exchange_id`` value identifies."""
        with self.store.locked():
            profile_id = self.store.owner_of(account.id, IdentifierKind.EXCHANGE_ID, exchange_id)
        if profile_id is None:
            raise NotFound(f"no profile has $exchange_id {exchange_id}")
        return profile_id

    def delete_person(self, account: Account, kind: IdentifierKind | None, raw: str) -> str:
        """Delete the profile a data-privacy request names, with its events; its id.
        ``kind`` None: ``raw`` is a profile id."""
        with self.store.locked():
            profile_id = raw if kind is None else self.search_people(account, kind, raw)
            if not self.store.delete_profile(account.id, profile_id):
                raise NotFound(f"no profile {profile_id}")
        return profile_id

    # -- Given state (scenario files) ---------------------------------------------------------

    def seed_profile(
        self, account: str, identifiers: dict[IdentifierKind, str], data: ProfileData
    ) -> Profile:
        """Put a profile in the state as it is, without identity resolution."""
        normalised: Identifiers = {}
        for kind, raw in identifiers.items():
            try:
                normalised[kind] = normalize(kind, raw)
            except InvalidIdentifier as error:
                raise SeedError(str(error)) from None
        if not normalised:
            raise SeedError("a profile needs at least one identifier")
        with self.store.locked():
            taken = self._taken(account, normalised)
            if taken:
                kind, holder = next(iter(taken.items()))
                raise SeedError(f"{kind.legacy} {normalised[kind]} already belongs to {holder}")
            return self._create(account, normalised, data, [])

    def seed_event(
        self,
        account: str,
        profile_id: str,
        metric_name: str,
        timestamp: int,
        properties: JSONDict,
    ) -> Event:
        with self.store.locked():
            if self.store.get_profile(account, profile_id) is None:
                raise SeedError(f"no profile {profile_id}")
            metric = self._metric(account, metric_name, [])
            key = _unique_key(properties.get("$event_id"), timestamp)
            return self._add_event(account, profile_id, metric, timestamp, key, properties)

    def declare_accounts(self, entries: Iterable[str | dict[str, object]]) -> None:
        """Add accounts (a scenario's); the server stops being open. ``reset()`` undoes it.
        Declaring an account again, with the same keys, changes nothing."""
        known = set(self.accounts.declared)
        declared = [a for a in Accounts.from_config(entries).declared if a not in known]
        self.accounts = Accounts([*self.accounts.declared, *declared])

    # -- Inspection ---------------------------------------------------------------------------

    @property
    def default_account(self) -> str:
        declared = self.accounts.declared
        return declared[0].id if declared else OPEN_ACCOUNT_ID

    def profiles(self, account: str) -> list[Profile]:
        with self.store.locked():
            return self.store.profiles(account)

    def find_profile(self, account: str, kind: IdentifierKind, raw: str) -> Profile | None:
        try:
            value = normalize(kind, raw)
        except InvalidIdentifier:
            return None
        with self.store.locked():
            profile_id = self.store.owner_of(account, kind, value)
            return self.store.get_profile(account, profile_id) if profile_id else None

    def duplicates(self, account: str) -> list[Group]:
        with self.store.locked():
            return groups(self.store.profiles(account), self.store.evidence(account))

    def reset(self, account: str | None = None) -> None:
        """Forget one account's state, or everything: state, journal and scenario accounts."""
        with self.store.locked():
            self.store.reset(account)
        if account is None:
            self.journal.clear()
            self.accounts = self.configured_accounts
