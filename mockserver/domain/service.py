"""The mock's behaviour: what Track, Identify and people search do to the state.

``Klaviyo`` is the backend the HTTP layer calls, one per app. It never sees a request: it takes
commands built by the schemas and returns outcomes that the views render. Each identity decision
(read, decide, write) runs under the store's lock, so concurrent calls can never create a
duplicate that the same calls one at a time would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime

from .accounts import Account
from .accounts import Accounts
from .identity import resolve
from .journal import Journal
from .models import LEGACY_ORDER
from .models import Conflict
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
from .ports import system_clock

#: Ingestion limit on event times (legacy-api.md §2.4): "between 2000 and now + 1 year".
EARLIEST_EVENT = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
ONE_YEAR = 366 * 24 * 3600


class NotFound(LookupError):
    """No profile matches."""


@dataclass(frozen=True)
class ProfileData:
    """What a call says about a person: raw identifier strings (not yet normalised),
    standard attributes and custom properties. ``None`` values have already been dropped."""

    identifiers: dict[IdentifierKind, str] = field(default_factory=dict)
    attributes: JSONDict = field(default_factory=dict)
    properties: JSONDict = field(default_factory=dict)


@dataclass(frozen=True)
class IdentifyCommand:
    token: str | None
    profile: ProfileData


@dataclass(frozen=True)
class TrackCommand:
    token: str | None
    event: str
    profile: ProfileData
    properties: JSONDict = field(default_factory=dict)
    time: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What a Track/Identify call did. ``profile_id`` is None when it was dropped."""

    account: str | None
    profile_id: str | None
    decisions: tuple[str, ...]
    created: bool = False
    event_id: str | None = None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


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
        self.accounts = accounts or Accounts()
        self.clock = clock
        self.ids = ids or Ids(clock)
        self.journal = journal or Journal()

    # -- Track and Identify -------------------------------------------------------------------

    def identify(self, command: IdentifyCommand) -> Outcome:
        account, identifiers, decisions = self._admit(command.token, command.profile)
        if account is None or not identifiers:
            return Outcome(account.id if account else None, None, tuple(decisions))
        with self.store.locked():
            profile, created = self._upsert(account.id, identifiers, command.profile, decisions)
        return Outcome(account.id, profile.id, tuple(decisions), created)

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
            profile, created = self._upsert(account.id, identifiers, command.profile, decisions)
            event = self._record_event(account.id, profile.id, command, timestamp, decisions)
        return Outcome(
            account.id, profile.id, tuple(decisions), created, event.id if event else None
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
        identifiers: Identifiers = {}
        for kind in LEGACY_ORDER:
            raw = data.identifiers.get(kind)
            if raw is None:
                continue
            try:
                identifiers[kind] = normalize(kind, raw)
            except InvalidIdentifier as error:
                decisions.append(f"ignored {kind.legacy}: {error}")
        if not identifiers:
            decisions.append("dropped: no identifier")
        return account, identifiers, decisions

    def _upsert(
        self, account: str, identifiers: Identifiers, data: ProfileData, decisions: list[str]
    ) -> tuple[Profile, bool]:
        resolution = resolve(
            identifiers, lambda kind, value: self.store.owner_of(account, kind, value)
        )
        now = _iso(self.clock())
        if resolution.profile_id is None:
            profile = Profile(
                id=self.ids.ulid(),
                created=now,
                updated=now,
                identifiers=dict(resolution.assign),
                attributes=dict(data.attributes),
                properties=dict(data.properties),
            )
            self.store.save_profile(account, profile)
            decisions.append(f"created {profile.id}: no profile has {_describe(identifiers)}")
            return profile, True

        current = self.store.get_profile(account, resolution.profile_id)
        matched = resolution.matched_by
        if current is None or matched is None:
            raise RuntimeError(
                f"the identity index points at {resolution.profile_id}, which is gone"
            )
        decisions.append(f"matched {current.id} by {matched.legacy} {identifiers[matched]}")
        new_identifiers = dict(current.identifiers)
        for kind, value in resolution.assign.items():
            old = new_identifiers.get(kind)
            new_identifiers[kind] = value
            if old is None:
                decisions.append(f"set {kind.legacy} {value} on {current.id}")
            else:
                decisions.append(f"changed {kind.legacy} of {current.id} from {old} to {value}")
        for kind, value, holder in resolution.conflicts:
            self.store.add_conflict(account, Conflict(current.id, holder, kind, value, now))
            decisions.append(
                f"identity conflict: {kind.legacy} {value} belongs to {holder} and stays there;"
                f" {current.id} and {holder} look like one person"
            )
        updated = current.with_changes(
            identifiers=new_identifiers,
            attributes=current.attributes | data.attributes,
            properties=current.properties | data.properties,
        )
        if updated != current:
            updated = updated.with_changes(updated=now)
            self.store.save_profile(account, updated)
        return updated, False

    def _record_event(
        self,
        account: str,
        profile_id: str,
        command: TrackCommand,
        timestamp: int,
        decisions: list[str],
    ) -> Event | None:
        metric = self.store.metric_named(account, command.event)
        if metric is None:
            metric = Metric(id=self.ids.short(), name=command.event, created=_iso(self.clock()))
            self.store.save_metric(account, metric)
            decisions.append(f"created metric {metric.id} {command.event!r}")
        event_id = command.properties.get("$event_id")
        unique_key = str(timestamp) if event_id in (None, "") else str(event_id)
        if self.store.has_event(account, profile_id, metric.id, unique_key):
            decisions.append(
                f"duplicate event ignored: {profile_id} already has {command.event!r}"
                f" with $event_id {unique_key}"
            )
            return None
        event = Event(
            id=self.ids.ulid(),
            profile_id=profile_id,
            metric_id=metric.id,
            timestamp=timestamp,
            unique_key=unique_key,
            properties=dict(command.properties),
            created=_iso(self.clock()),
        )
        self.store.add_event(account, event)
        decisions.append(f"recorded event {event.id} {command.event!r} for {profile_id}")
        return event

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

    # -- Inspection ---------------------------------------------------------------------------

    def profiles(self, account: str) -> list[Profile]:
        with self.store.locked():
            return self.store.profiles(account)

    def reset(self, account: str | None = None) -> None:
        with self.store.locked():
            self.store.reset(account)
        if account is None:
            self.journal.clear()
