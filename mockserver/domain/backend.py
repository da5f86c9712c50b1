"""One account's backend: what today's API and the legacy reads do to that account's state.

``Klaviyo`` (``service``) is the app-wide part: the store, the accounts, the clock, the journal,
the identity resolver (``Ingest``) and the registry of family rules. ``Klaviyo.backend(account)``
answers the account's ``Backend`` (moto's ``backends[account]``), made on first use and kept;
its services (resources, lists, people, subscriptions, events, jobs) are bound to the account, so
no signature below it takes an account beside a backend. A backend keeps no state of its own:
the store holds it all (a reset of everything drops the map, so that accounts a scenario
declared leave no backend behind).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from .accounts import Account
from .commands import IdentifierTaken
from .commands import NotFound
from .commands import ProfileData
from .commands import Refused
from .events import EventQuery
from .events import Events
from .export import Query as ExportQuery
from .export import export
from .jobs import Jobs
from .lists import Lists
from .models import LEGACY_ORDER
from .models import IdentifierKind
from .models import Identifiers
from .models import Metric
from .models import Profile
from .normalize import InvalidIdentifier
from .normalize import normalize
from .ports import Ids
from .ports import Records
from .ports import Store
from .profile_query import ProfileQuery
from .profiles import Profiles
from .resources import Resources
from .subscriptions import Subscriptions
from .timeline import Page
from .timeline import Since
from .timeline import page

if TYPE_CHECKING:
    from .ingest import Ingest
    from .service import Klaviyo

IDENTIFIER_NAMES = frozenset(kind.value for kind in IdentifierKind)


def normalised(data: ProfileData, decisions: list[str]) -> Identifiers:
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


#: A profile's relationships to what is the person's alone, and goes when they are deleted.
PERSONAL = (("push-tokens", "push-token"), ("conversations", "conversation"))


class Backend:
    """One account's state and the services over it (``Klaviyo.backend(account)``)."""

    def __init__(self, klaviyo: Klaviyo, account: Account) -> None:
        self.klaviyo = klaviyo
        self.account = account
        self.resources = Resources(self)
        self.lists = Lists(self)
        self.people = Profiles(self)
        self.people_query = ProfileQuery(self)
        self.subscriptions = Subscriptions(self)
        self.events = Events(self)
        self.event_query = EventQuery(self)
        self.jobs = Jobs(self)

    @property
    def store(self) -> Store:
        return self.klaviyo.store

    @property
    def ids(self) -> Ids:
        return self.klaviyo.ids

    @property
    def ingest(self) -> Ingest:
        return self.klaviyo.ingest

    def clock(self) -> datetime:
        return self.klaviyo.clock()

    @property
    def records(self) -> Records:
        """The account's generic records (``Store.records``)."""
        return self.store.records(self.account.id)

    def resolve_person(self, data: ProfileData, decisions: list[str]) -> Profile | None:
        """Find or create the profile ``data`` describes, as Identify would (list members)."""
        identifiers = normalised(data, decisions)
        if not identifiers:
            decisions.append("skipped a member: no identifier")
            return None
        with self.store.locked():
            profile, _, _ = self.ingest.upsert(self.account.id, identifiers, data, decisions)
        return profile

    # -- People search --------------------------------------------------------------------------

    def search_people(self, kind: IdentifierKind, raw: str) -> str:
        """The id of the profile holding ``raw`` as ``kind``; raises :class:`NotFound`."""
        try:
            value = normalize(kind, raw)
        except InvalidIdentifier as error:
            raise NotFound(str(error)) from None
        with self.store.locked():
            profile_id = self.store.owner_of(self.account.id, kind, value)
        if profile_id is None:
            raise NotFound(f"no profile has {kind.value} {value}")
        return profile_id

    def person(self, profile_id: str) -> Profile:
        with self.store.locked():
            profile = self.store.get_profile(self.account.id, profile_id)
        if profile is None:
            raise NotFound(f"There is no person with id {profile_id}.")
        return profile

    def update_person(
        self, profile_id: str, data: ProfileData, unset: list[str]
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
            current = self.store.get_profile(self.account.id, profile_id)
            if current is None:
                raise NotFound(f"There is no person with id {profile_id}.")
            for kind, value in identifiers.items():
                holder = self.store.owner_of(self.account.id, kind, value)
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
                self.account.id,
                current,
                current.identifiers | identifiers,
                attributes,
                properties,
                decisions,
            )
        return updated, decisions

    def timeline(
        self,
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
            if profile_id is not None and not self.store.has_profile(self.account.id, profile_id):
                raise NotFound(f"No profile {profile_id}.")
            if metric_id is not None and not self.store.has_metric_id(self.account.id, metric_id):
                raise NotFound(f"No metric {metric_id}.")
            events = self.store.events(self.account.id, profile_id=profile_id, metric_id=metric_id)
            found = page(events, since, count, ascending)
            people = {}
            for event in found.events:
                profile = self.store.get_profile(self.account.id, event.profile_id)
                if profile is not None:
                    people[event.profile_id] = profile
            names = {m.id: m.name for m in self.store.metrics(self.account.id)}
        return found, people, names

    def export(self, metric_id: str, query: ExportQuery) -> tuple[Metric, list[Any]]:
        with self.store.locked():
            metric = next(
                (m for m in self.store.metrics(self.account.id) if m.id == metric_id), None
            )
            if metric is None:
                raise NotFound(f"No metric {metric_id}.")
            events = self.store.events(self.account.id, metric_id=metric_id)
        return metric, export(events, metric.name, query)

    def metrics(self) -> list[Metric]:
        with self.store.locked():
            return self.store.metrics(self.account.id)

    def exchange(self, exchange_id: str) -> str:
        """The id of the profile a ``_kx`` / ``$exchange_id`` value identifies."""
        with self.store.locked():
            profile_id = self.store.owner_of(
                self.account.id, IdentifierKind.EXCHANGE_ID, exchange_id
            )
        if profile_id is None:
            raise NotFound(f"no profile has $exchange_id {exchange_id}")
        return profile_id

    def delete_person(self, kind: IdentifierKind | None, raw: str) -> str:
        """Delete the profile a data-privacy request names (either API generation), with its
        events, memberships, consent, the evidence naming it, and what today's API keeps for
        the person alone (``PERSONAL``: push tokens, conversations); its id. ``kind`` None:
        ``raw`` is a profile id."""
        with self.store.locked():
            profile_id = raw if kind is None else self.search_people(kind, raw)
            records = self.store.records(self.account.id)
            owned = [
                (target, owned_id)
                for name, target in PERSONAL
                for owned_id in records.linked("profile", profile_id, name)
            ]
            if not self.store.delete_profile(self.account.id, profile_id):
                raise NotFound(f"no profile {profile_id}")
            self.resources.forget("profile", profile_id)
            for target, owned_id in owned:
                if records.has(target, owned_id):
                    self.resources.delete(target, owned_id)
        return profile_id
