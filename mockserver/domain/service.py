"""The mock's behaviour: what each call does to the state.

``Klaviyo`` is the backend the HTTP layer calls, one per app. It never sees a request: it takes
commands built by the schemas and returns outcomes that the views render. Each identity decision
(read, decide, write) runs under the store's lock, so concurrent calls can never create a
duplicate that the same calls one at a time would not. ``ingest.Ingest`` applies those decisions;
``lists.Lists`` holds the lists; ``timeline`` and ``export`` page and count events.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
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
from .events import ONE_YEAR
from .events import EventQuery
from .events import Events
from .events import unique_key as _unique_key
from .export import Query as ExportQuery
from .export import export
from .ingest import Ingest
from .ingest import RaceWindow
from .jobs import Jobs
from .journal import Journal
from .lists import Lists
from .models import LEGACY_ORDER
from .models import Event
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
from .profile_query import ProfileQuery
from .profiles import Profiles
from .resources import Resources
from .subscriptions import Subscriptions
from .timeline import Page
from .timeline import Since
from .timeline import page

#: Ingestion limit on event times (legacy-api.md §2.4): "between 2000 and now + 1 year".
EARLIEST_EVENT = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())


IDENTIFIER_NAMES = frozenset(kind.value for kind in IdentifierKind)
#: A profile's relationships to what is the person's alone, and goes when they are deleted.
PERSONAL = (("push-tokens", "push-token"), ("conversations", "conversation"))


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
        self.ingest = Ingest(self)
        self.lists = Lists(self)
        self.people = Profiles(self)
        self.people_query = ProfileQuery(self)
        self.subscriptions = Subscriptions(self)
        self.events = Events(self)
        self.event_query = EventQuery(self)
        self.resources = Resources(self)
        self.jobs = Jobs(self)

    # -- Track and Identify -------------------------------------------------------------------

    def identify(self, command: IdentifyCommand) -> Outcome:
        account, identifiers, decisions = self._admit(command.token, command.profile)
        if account is None or not identifiers:
            return Outcome(account.id if account else None, None, tuple(decisions))
        with self.store.locked():
            profile, created, touched = self.ingest.upsert(
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
            profile, created, touched = self.ingest.upsert(
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
            profile, _, _ = self.ingest.upsert(account.id, identifiers, data, decisions)
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

    def _record_event(
        self,
        account: str,
        profile_id: str,
        command: TrackCommand,
        timestamp: int,
        decisions: list[str],
    ) -> Event | None:
        key = _unique_key(command.properties.get("$event_id"), timestamp)
        event = self.record_event(
            account, profile_id, command.event, key, "$event_id", timestamp, command.properties,
            decisions,
        )  # fmt: skip
        if event is not None:
            decisions.append(f"recorded event {event.id} {command.event!r} for {profile_id}")
        return event

    def record_event(
        self,
        account: str,
        profile_id: str,
        metric_name: str,
        key: str,
        label: str,
        timestamp: int,
        properties: JSONDict,
        decisions: list[str],
    ) -> Event | None:
        """Record an event of ``metric_name`` (made on first use) unless the profile has one of
        that metric with the same deduplication ``key`` (``label`` says what the key is);
        both API generations record through here."""
        metric = self._metric(account, metric_name, decisions)
        if self.store.has_event(account, profile_id, metric.id, key):
            decisions.append(
                f"duplicate event ignored: {profile_id} already has {metric_name!r}"
                f" with {label} {key}"
            )
            return None
        return self._add_event(account, profile_id, metric, timestamp, key, properties)

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
        now = self.clock()  # one reading for the id and the stamp, under the store's lock
        event = Event(
            id=self.ids.ulid(now),
            profile_id=profile_id,
            metric_id=metric.id,
            timestamp=timestamp,
            unique_key=unique_key,
            properties=dict(properties),
            created=_iso(now),
        )
        self.store.add_event(account, event)
        return event

    def batch(self) -> AbstractContextManager[object]:
        """Hold the state for several changes made as one (given state from a scenario): with
        ``--durable``, one write to disk at the end instead of one per change."""
        return self.store.locked()

    # -- Race windows ---------------------------------------------------------------------------

    def race(self) -> AbstractContextManager[RaceWindow]:
        """Apply the calls this thread makes inside the block as if they were processed at the
        same time (see ``Ingest.race``)."""
        return self.ingest.race()

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
            raise NotFound(f"There is no person with id {profile_id}.")
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
                raise NotFound(f"There is no person with id {profile_id}.")
            for kind, value in identifiers.items():
                holder = self.store.owner_of(account.id, kind, value)
                if holder is not None and holder != profile_id:
                    raise IdentifierTaken(kind, value, holder)
            attributes = current.attributes | data.attributes
            properties = current.properties | data.properties
            for key in unset:
                name = key[1:] if key.startswith("$") else None
                if name in attributes:
                    del attributes[name]
                else:
                    properties.pop(key, None)
            updated = self.ingest.rewrite(
                account.id,
                current,
                current.identifiers | identifiers,
                attributes,
                properties,
                decisions,
            )
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
                raise NotFound(f"No profile {profile_id}.")
            if metric_id is not None and not self.store.has_metric_id(account.id, metric_id):
                raise NotFound(f"No metric {metric_id}.")
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
                raise NotFound(f"No metric {metric_id}.")
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
        """Delete the profile a data-privacy request names (either API generation), with its
        events, memberships, consent, the evidence naming it, and what today's API keeps for
        the person alone (``PERSONAL``: push tokens, conversations); its id. ``kind`` None:
        ``raw`` is a profile id."""
        with self.store.locked():
            profile_id = raw if kind is None else self.search_people(account, kind, raw)
            records = self.store.records(account.id)
            owned = [
                (target, owned_id)
                for name, target in PERSONAL
                for owned_id in records.linked("profile", profile_id, name)
            ]
            if not self.store.delete_profile(account.id, profile_id):
                raise NotFound(f"no profile {profile_id}")
            self.resources.forget(account, "profile", profile_id)
            for target, owned_id in owned:
                if records.has(target, owned_id):
                    self.resources.delete(account, target, owned_id)
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
            taken = self.ingest.taken(account, normalised)
            if taken:
                kind, holder = next(iter(taken.items()))
                raise SeedError(f"{kind.legacy} {normalised[kind]} already belongs to {holder}")
            return self.ingest.create(account, normalised, data, [])

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
