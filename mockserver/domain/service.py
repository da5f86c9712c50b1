"""The mock's behaviour: what each call does to the state.

``Klaviyo`` is the app-wide part of the backend, one per app: the store, the declared accounts,
the clock, the journal, Track and Identify, the identity resolver (``ingest.Ingest``) and the
registry of the families' rules. What a call does to one account goes through that account's
``backend.Backend`` (``Klaviyo.backend(account)``). Neither sees a request: they take commands
built by the schemas and return outcomes that the views render. Each identity decision (read,
decide, write) runs under the store's lock, so concurrent calls can never create a duplicate
that the same calls one at a time would not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

from .accounts import OPEN_ACCOUNT_ID
from .accounts import Account
from .accounts import Accounts
from .backend import Backend
from .backend import normalised
from .commands import IdentifyCommand
from .commands import Outcome
from .commands import ProfileData
from .commands import SeedError
from .commands import TrackCommand
from .duplicates import Group
from .duplicates import groups
from .events import ONE_YEAR
from .events import unique_key as _unique_key
from .ingest import Ingest
from .ingest import RaceWindow
from .journal import Journal
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
from .resources import Registry

#: Ingestion limit on event times (legacy-api.md §2.4): "between 2000 and now + 1 year".
EARLIEST_EVENT = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Origin:
    """Where a recording of an account's calls starts (``GET /__mock__/journal?format=scenario``):
    the journal's position then, and the state then: empty after a reset, or a scenario's
    accounts and given state (``scenario``, as loaded, with the ids its names got). ``known``
    is False when the state then is not known (it was read from a state file)."""

    position: int
    scenario: Any = None
    names: Mapping[str, str] = field(default_factory=dict)
    known: bool = True


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
        self.registry = Registry()
        self._backends: dict[str, Backend] = {}
        self._origins: dict[str | None, Origin] = {
            None: Origin(self.journal.position(), known=not store.accounts())
        }
        self._making = threading.Lock()

    def backend_of(self, account_id: str) -> Backend:
        """The backend of the account with this id (a declared one, the open one, or one the
        state holds that is declared no more)."""
        try:
            account = self.accounts.account(account_id)
        except KeyError:
            account = Account(account_id)
        return self.backend(account)

    def backend(self, account: Account) -> Backend:
        """The account's backend (made on first use; a declared account's keys or details
        that changed since make a new one)."""
        found = self._backends.get(account.id)
        if found is None or (found.account is not account and found.account != account):
            with self._making:  # two threads asking at once get the same one
                found = self._backends.get(account.id)
                if found is None or found.account != account:
                    found = self._backends[account.id] = Backend(self, account)
        return found

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
        identifiers = normalised(data, decisions)
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
            self._backends.clear()
            self._origins = {}
        self._origins[account] = Origin(self.journal.position())

    def origin(self, account: str) -> Origin:
        """Where a recording of ``account``'s calls starts."""
        return self._origins.get(account) or self._origins[None]

    def mark_origin(self, accounts: Iterable[str], scenario: Any, names: Mapping[str, str]) -> None:
        """A scenario was loaded: a recording of these accounts starts from its given state."""
        for account in accounts:
            self._origins[account] = Origin(self.journal.position(), scenario, dict(names))
