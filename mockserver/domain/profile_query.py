"""``GET /api/profiles``: the filters, sorts and cursor pages of today's profile listing."""

from __future__ import annotations

import bisect
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from .consent import Channel
from .consent import ChannelView
from .consent import view
from .filters import Compare
from .filters import Filter
from .filters import Logic
from .filters import equal_values
from .filters import matches
from .models import IdentifierKind
from .models import Profile
from .models import ProfileHead
from .normalize import InvalidIdentifier
from .normalize import normalize
from .paging import check
from .paging import cut

if TYPE_CHECKING:
    from .backend import Backend

_FIELD_KINDS = {
    "email": IdentifierKind.EMAIL,
    "phone_number": IdentifierKind.PHONE_NUMBER,
    "external_id": IdentifierKind.EXTERNAL_ID,
    "_kx": IdentifierKind.EXCHANGE_ID,
}


def _head(profile: Profile) -> ProfileHead:
    identifiers = {kind.value: value for kind, value in profile.identifiers.items()}
    return ProfileHead(profile.id, profile.created, profile.updated, identifiers)


def _field(profile: ProfileHead, name: str) -> Any:
    kind = _FIELD_KINDS.get(name)
    if kind is not None:
        return profile.identifiers.get(kind.value)
    return getattr(profile, name, None) if name in ("id", "created", "updated") else None


def canonical(expression: Filter) -> Filter:
    """``expression`` with identifier values in canonical form (``A@B.com`` finds ``a@b.com``);
    a value that is no valid identifier stays as it is and matches nobody."""
    if isinstance(expression, Logic):
        return Logic(expression.op, tuple(canonical(term) for term in expression.terms))
    if not isinstance(expression, Compare) or expression.field not in _FIELD_KINDS:
        return expression
    kind = _FIELD_KINDS[expression.field]

    def one(value: Any) -> Any:
        try:
            return normalize(kind, value.strip()) if isinstance(value, str) else value
        except InvalidIdentifier:
            return value

    value = expression.value
    return Compare(
        expression.op,
        expression.field,
        [one(v) for v in value] if isinstance(value, list) else one(value),
    )


def sort_key(profile: ProfileHead, field: str) -> list[Any]:
    """Where a profile sorts: by ``field`` (missing values first), then by id."""
    return _sort_key(_field(profile, field), profile.id)


def _sort_key(value: Any, profile_id: str) -> list[Any]:
    if isinstance(value, list):  # several values (suppression times): the latest
        value = max(value) if value else None
    return [value is not None, value or "", profile_id]


#: Profile fields read from the profile's consent, as ``additional-fields`` shows it.
CONSENT = "subscriptions."


def _mentions_consent(expression: Filter) -> bool:
    if isinstance(expression, Logic):
        return any(_mentions_consent(term) for term in expression.terms)
    return expression.field.startswith(CONSENT)


def consent_field(channels: dict[Channel, ChannelView], name: str) -> Any:
    """A consent field of the spec's profile filters and sorts: the email marketing channel's
    ``suppression`` or ``list_suppressions`` member (a list: a profile may have several)."""
    email = channels[Channel.EMAIL_MARKETING]
    member = name.removeprefix("subscriptions.email.marketing.")
    if member.startswith("suppression."):
        key = member.removeprefix("suppression.")
        reasons = {"reason": 0, "timestamp": 1}
        return [entry[reasons[key]] for entry in email.suppressions] if key in reasons else None
    if member.startswith("list_suppressions."):
        key = member.removeprefix("list_suppressions.")
        columns = {"list_id": 0, "reason": 1, "timestamp": 2}
        return (
            [entry[columns[key]] for entry in email.list_suppressions] if key in columns else None
        )
    return None


class ProfileQuery:
    """``GET /api/profiles``: filter, sort and a cursor, over the profiles of one account."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def page(
        self,
        expression: Filter | None,
        sort: str,
        after: list[Any] | None,
        size: int,
    ) -> tuple[list[Profile], list[Any] | None]:
        """A page of profiles after the cursor key ``after``; the next page's key, if any."""
        field = sort.lstrip("-")
        descending = sort.startswith("-")
        if expression is None and field == "id":
            return self._page_by_id(descending, after, size)
        expression = canonical(expression) if expression is not None else None
        if field.startswith(CONSENT) or (expression is not None and _mentions_consent(expression)):
            return self._page_by_consent(expression, field, descending, after, size)
        with self._b.store.locked():
            candidates = self._candidates(expression)
        rows = [
            (sort_key(p, field), p)
            for p in candidates
            if expression is None or matches(expression, partial(_field, p))
        ]
        heads, next_key = cut(rows, descending, after, size)
        with self._b.store.locked():  # the page's profiles in full (the rows may be heads)
            chosen = [
                p for h in heads if (p := self._b.store.get_profile(self._b.account.id, h.id))
            ]
        return chosen, next_key

    def _page_by_consent(
        self,
        expression: Filter | None,
        field: str,
        descending: bool,
        after: list[Any] | None,
        size: int,
    ) -> tuple[list[Profile], list[Any] | None]:
        """A listing by consent (``subscriptions.email.marketing.suppression.reason`` and the
        like): every profile's consent is read, as ``additional-fields`` shows it."""
        store = self._b.store
        with store.locked():
            profiles = store.profiles(self._b.account.id)
            views = {
                p.id: view(p, store.profile_memberships(self._b.account.id, p.id)) for p in profiles
            }

        def get(profile: Profile, name: str) -> Any:
            if name.startswith(CONSENT):
                return consent_field(views[profile.id], name)
            return _field(_head(profile), name)

        rows = [
            (_sort_key(get(p, field), p.id), p)
            for p in profiles
            if expression is None or matches(expression, partial(get, p))
        ]
        return cut(rows, descending, after, size)

    def _page_by_id(
        self, descending: bool, after: list[Any] | None, size: int
    ) -> tuple[list[Profile], list[Any] | None]:
        """The plain listing (no filter, by id): sort the ids, read only the page's profiles."""
        store = self._b.store
        with store.locked():
            ids = sorted(store.profile_ids(self._b.account.id))
            if after is not None:
                check(after, [True, "", ""])
                last = str(after[2])
                ids = (
                    ids[: bisect.bisect_left(ids, last)]
                    if descending
                    else ids[bisect.bisect_right(ids, last) :]
                )
            if descending:
                ids.reverse()
            chosen = [p for i in ids[:size] if (p := store.get_profile(self._b.account.id, i))]
        next_key = [True, chosen[-1].id, chosen[-1].id] if len(ids) > size and chosen else None
        return chosen, next_key

    def _candidates(self, expression: Filter | None) -> list[ProfileHead]:
        """The profiles the filter can match: through the identity index when it fixes an id
        or an identifier (the common lookup by email), all of them otherwise."""
        store = self._b.store
        if expression is not None:
            ids = equal_values(expression, "id")
            if ids is not None:
                unique = dict.fromkeys(str(i) for i in ids)
                return [_head(p) for i in unique if (p := store.get_profile(self._b.account.id, i))]
            for name, kind in _FIELD_KINDS.items():
                values = equal_values(expression, name)
                if values is not None:
                    owners = dict.fromkeys(
                        store.owner_of(self._b.account.id, kind, str(v)) for v in values
                    )
                    return [
                        _head(p)
                        for o in owners
                        if o and (p := store.get_profile(self._b.account.id, o))
                    ]
        return store.profile_heads(self._b.account.id)

    def last_event_date(self, profile_id: str) -> int | None:
        return self._b.store.last_event_time(self._b.account.id, profile_id)
