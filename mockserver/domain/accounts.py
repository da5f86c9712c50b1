"""Accounts and their keys (klaviyo-behavior.md §1).

With no account declared there is one open account that accepts any non-empty key (*chosen*).
Declared accounts each own their public key (the 6-character site id / Track ``token``) and
private keys, and their state is isolated from the others'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

OPEN_ACCOUNT_ID = "default"

_PUBLIC_KEY = re.compile(r"[A-Za-z0-9]{6}")
_PRIVATE_KEY = re.compile(r"pk_[A-Za-z0-9]{34}")


class AccountConfigError(ValueError):
    """A declared account whose keys are malformed or clash with another account's."""


@dataclass(frozen=True)
class Account:
    id: str
    public_key: str | None = None
    private_keys: tuple[str, ...] = ()


class Accounts:
    """Finds the account a key belongs to."""

    def __init__(self, declared: Iterable[Account] = ()) -> None:
        self._declared = tuple(declared)
        self._by_public: dict[str, Account] = {}
        self._by_private: dict[str, Account] = {}
        for account in self._declared:
            self._register(account)
        self.open = Account(OPEN_ACCOUNT_ID) if not self._declared else None

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
            accounts.append(Account(id=public, public_key=public, private_keys=tuple(private)))
        return cls(accounts)

    @staticmethod
    def parse_flag(flag: str) -> dict[str, object]:
        """``PUBLIC:PRIVATE[,PRIVATE…]``."""
        public, _, private = flag.partition(":")
        return {"public_key": public, "private_keys": [k for k in private.split(",") if k]}

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

    def for_public_key(self, key: str | None) -> Account | None:
        if not key:
            return None
        return self.open or self._by_public.get(key)

    def for_private_key(self, key: str | None) -> Account | None:
        if not key:
            return None
        return self.open or self._by_private.get(key)
