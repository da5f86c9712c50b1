"""Accounts (``GET /api/accounts``): the account a key belongs to, as it was declared (its
public key, and the contact information, timezone, currency and locale it declares or the
mock's defaults, *chosen*). Nothing is stored: accounts come from the configuration."""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.accounts import DETAILS
from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.listing import Linkage
from ...domain.listing import ListQuery
from ...domain.listing import Page
from ...domain.service import Klaviyo


def item(account: Account) -> Item:
    details = {**DETAILS, **account.details}
    return Item(account.shown_public_key, {**details, "public_api_key": account.shown_public_key})


class AccountSource:
    """The one account a key sees (``listing.Source``)."""

    def __init__(self, backend: Backend) -> None:
        self._b = backend

    def items(self, ids: Sequence[str], additional: frozenset[str] = frozenset()) -> list[Item]:
        return [item(self._b.account) for i in ids if i == self._b.account.shown_public_key][:1]

    def page(self, query: ListQuery, additional: frozenset[str] = frozenset()) -> Page:
        return Page([item(self._b.account)])

    def linked(self, item_id: str, relationship: str) -> Linkage:
        raise NotFound(f"An account has no relationship {relationship!r}.")


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources["account"] = AccountSource
