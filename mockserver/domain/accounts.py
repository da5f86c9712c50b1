"""Accounts and their keys (klaviyo-behavior.md §1).

With no account declared there is one open account that accepts any non-empty key (*chosen*).
Declared accounts each own their public key (the 6-character site id / Track ``token``) and
private keys, and their state is isolated from the others'. A private key may carry scopes
(``profiles:read``, ``lists:write``…): an operation of today's API that needs a scope the key
lacks is refused with 403, as Klaviyo refuses it; ``x:write`` grants ``x:read`` too (*chosen*:
Klaviyo's own keys grant "full access" per area). A key without scopes has full access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

OPEN_ACCOUNT_ID = "default"
#: The open account's public key, as ``GET /api/accounts`` shows it (*chosen*).
OPEN_PUBLIC_KEY = "MoCk01"
#: What ``GET /api/accounts`` shows of an account that declares nothing else (*chosen*).
DETAILS: dict[str, Any] = {
    "test_account": False,
    "contact_information": {
        "default_sender_name": "Klaviyo Mock",
        "default_sender_email": "mock@example.com",
        "website_url": "https://example.com",
        "organization_name": "Klaviyo Mock",
        "street_address": {
            "address1": "125 Summer St",
            "address2": None,
            "city": "Boston",
            "region": "MA",
            "country": "US",
            "zip": "02110",
        },
    },
    "industry": None,
    "timezone": "UTC",
    "preferred_currency": "USD",
    "locale": "en-US",
}

_PUBLIC_KEY = re.compile(r"[A-Za-z0-9]{6}")
_PRIVATE_KEY = re.compile(r"pk_[A-Za-z0-9]{34}")


class AccountConfigError(ValueError):
    """A declared account whose keys are malformed or clash with another account's."""


@dataclass(frozen=True)
class Account:
    id: str
    public_key: str | None = None
    private_keys: tuple[str, ...] = ()
    #: Scopes by private key; a key that is not here has full access.
    scopes: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    #: What ``GET /api/accounts`` shows beside the public key (``DETAILS`` where not given).
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def shown_public_key(self) -> str:
        return self.public_key or OPEN_PUBLIC_KEY

    def allows(self, key: str, needed: Iterable[str]) -> tuple[str, ...]:
        """The scopes among ``needed`` that ``key`` lacks (none: the call may go on)."""
        granted = self.scopes.get(key)
        if granted is None:
            return ()
        return tuple(
            scope
            for scope in needed
            if scope not in granted
            and not (scope.endswith(":read") and scope[: -len("read")] + "write" in granted)
        )


class Accounts:
    """Finds the account a key belongs to."""

    def __init__(self, declared: Iterable[Account] = ()) -> None:
        self._declared = tuple(declared)
        self._by_public: dict[str, Account] = {}
        self._by_private: dict[str, Account] = {}
        for account in self._declared:
            self._register(account)
        self.open = Account(OPEN_ACCOUNT_ID, details=DETAILS) if not self._declared else None

    @classmethod
    def from_config(cls, entries: Iterable[str | dict[str, object]]) -> Accounts:
        """Build from ``{"public_key": "AbC123", "private_keys": ["pk_…"]}`` entries or from
        ``"AbC123:pk_…,pk_…"`` strings (the form of ``run.py --account``)."""
        accounts = []
        for item in entries:
            entry = cls.parse_flag(item) if isinstance(item, str) else item
            public = entry.get("public_key")
            private = entry.get("private_keys", [])
            if isinstance(private, str):
                private = [private]
            if not isinstance(public, str) or not isinstance(private, list):
                raise AccountConfigError(f"account {entry!r}: needs public_key and private_keys")
            keys, scopes = _keys(entry, private)
            details = {k: v for k, v in entry.items() if k in DETAILS}
            accounts.append(
                Account(
                    id=public,
                    public_key=public,
                    private_keys=keys,
                    scopes=scopes,
                    details={**DETAILS, **details},
                )
            )
        return cls(accounts)

    @staticmethod
    def parse_flag(flag: str) -> dict[str, object]:
        """``PUBLIC:PRIVATE[,PRIVATE…]``, where a private key may carry scopes:
        ``pk_…=profiles:read+lists:write``."""
        public, _, private = flag.partition(":")
        keys: list[object] = []
        for given in (k for k in private.split(",") if k):
            key, has_scopes, scopes = given.partition("=")
            keys.append({"key": key, "scopes": scopes.split("+")} if has_scopes else key)
        return {"public_key": public, "private_keys": keys}

    def _register(self, account: Account) -> None:
        if account.public_key is None or not _PUBLIC_KEY.fullmatch(account.public_key):
            raise AccountConfigError(
                f"public key {account.public_key!r}: must be 6 letters or digits"
            )
        if account.public_key in self._by_public:
            raise AccountConfigError(f"public key {account.public_key!r} is declared twice")
        self._by_public[account.public_key] = account
        for key in account.private_keys:
            if not _PRIVATE_KEY.fullmatch(key):
                raise AccountConfigError(
                    f"private key {key!r}: must be pk_ and 34 letters or digits"
                )
            if key in self._by_private:
                raise AccountConfigError(f"private key {key!r} is declared twice")
            self._by_private[key] = account

    @property
    def declared(self) -> tuple[Account, ...]:
        return self._declared

    def account(self, account_id: str) -> Account:
        """The account with this id (the open one, or a declared one's public key)."""
        if self.open is not None and account_id == self.open.id:
            return self.open
        found = self._by_public.get(account_id)
        if found is None:
            raise KeyError(account_id)
        return found

    def for_public_key(self, key: str | None) -> Account | None:
        if not key:
            return None
        return self.open or self._by_public.get(key)

    def for_private_key(self, key: str | None) -> Account | None:
        if not key:
            return None
        return self.open or self._by_private.get(key)


def _keys(
    entry: Mapping[str, Any], given: list[Any]
) -> tuple[tuple[str, ...], dict[str, frozenset[str]]]:
    """The private keys of an account entry (strings, or ``{"key", "scopes"}``), and the
    scopes of those that have any."""
    keys: list[str] = []
    scopes: dict[str, frozenset[str]] = {}
    for item in given:
        if isinstance(item, str):
            keys.append(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise AccountConfigError(
                f"account {entry!r}: a private key is a string or {{key, scopes}}"
            )
        key, named = item["key"], item.get("scopes")
        if not isinstance(named, list) or not all(
            isinstance(s, str) and _SCOPE.fullmatch(s) for s in named
        ):
            raise AccountConfigError(
                f"private key {key!r}: scopes are a list like ['profiles:read', 'lists:write']"
            )
        keys.append(key)
        scopes[key] = frozenset(named)
    return tuple(keys), scopes


_SCOPE = re.compile(r"[a-z-]+:(read|write)")
