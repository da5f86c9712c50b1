"""One backend per account: ``Klaviyo.backend(account)`` is made on first use and kept, follows
an account whose details change, and no signature below the HTTP layer threads an account
beside it."""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mockserver.domain.accounts import Account
from mockserver.domain.ports import Ids
from mockserver.domain.service import Klaviyo
from mockserver.store import TinyDBStore

ROOT = Path(__file__).resolve().parent.parent / "mockserver"
#: The layers below the HTTP one: their signatures take an account's backend, never an account
#: beside a backend or the app-wide ``Klaviyo``.
BELOW_HTTP = ("domain", "families")
#: Where an account and the app-wide ``Klaviyo`` meet on purpose: making the backend.
MAKERS = {("backend.py", "__init__")}


def test_an_account_has_one_backend_kept_across_calls():
    klaviyo = Klaviyo(TinyDBStore())
    one, other = Account("one"), Account("other")
    assert klaviyo.backend(one) is klaviyo.backend(one)
    assert klaviyo.backend(one) is not klaviyo.backend(other)
    assert klaviyo.backend(one).account is one
    assert klaviyo.backend_of("one") is klaviyo.backend(one)


def test_threads_asking_at_once_get_the_same_backend():
    klaviyo = Klaviyo(TinyDBStore())
    accounts = [Account(f"a{i}") for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(klaviyo.backend, accounts * 4))
    for account in accounts:
        assert len({id(b) for b in found if b.account is account}) == 1


def test_a_reset_of_everything_forgets_the_backends_but_not_one_accounts():
    klaviyo = Klaviyo(TinyDBStore())
    kept = klaviyo.backend(Account("one"))
    klaviyo.reset("one")
    assert klaviyo.backend(Account("one")) is kept
    klaviyo.reset()
    assert klaviyo.backend(Account("one")) is not kept


def test_a_backend_reads_the_apps_parts_when_used():
    """The store, the id maker and the identity resolver are the app's at the time of use
    (a test may swap the id maker of an app whose backends exist)."""
    klaviyo = Klaviyo(TinyDBStore())
    backend = klaviyo.backend(Account("one"))
    klaviyo.ids = Ids(klaviyo.clock)
    assert backend.ids is klaviyo.ids
    assert backend.store is klaviyo.store
    assert backend.ingest is klaviyo.ingest


def test_an_account_whose_details_change_gets_a_backend_that_shows_them():
    klaviyo = Klaviyo(TinyDBStore())
    before = klaviyo.backend(Account("one", details={"organization_name": "Before"}))
    after = klaviyo.backend(Account("one", details={"organization_name": "After"}))
    assert after is not before
    assert after.account.details == {"organization_name": "After"}


def test_state_made_through_one_backend_is_read_through_the_next(klaviyo):
    account = klaviyo.accounts.open
    made = klaviyo.backend(account).resources.create("tag-group", {"name": "Kept"})
    fresh = klaviyo.backend(Account(account.id, details={"organization_name": "Other"}))
    assert fresh.resources.exists("tag-group", made.id)


def _annotations(function: ast.FunctionDef) -> list[str]:
    arguments = function.args
    return [
        ast.unparse(a.annotation)
        for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        if a.annotation is not None
    ]


def threaded(source: str, name: str) -> list[str]:
    """Functions of a module that take an account beside a backend (or the app-wide
    ``Klaviyo``), and methods of its per-account classes (made from a backend) that take one."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
            init = next((n for n in methods if n.name == "__init__"), None)
            if init is not None and {"Backend", "Klaviyo"} & set(_annotations(init)):
                found += [
                    f"{name}: {node.name}.{m.name}"
                    for m in methods
                    if "Account" in _annotations(m) and (name, m.name) not in MAKERS
                ]
        if isinstance(node, ast.FunctionDef):
            kinds = set(_annotations(node))
            threads = "Account" in kinds and kinds & {"Backend", "Klaviyo"}
            if threads and (name, node.name) not in MAKERS:
                found.append(f"{name}: {node.name}")
    return found


def test_no_signature_below_the_http_layer_threads_an_account():
    modules = sorted(p for layer in BELOW_HTTP for p in (ROOT / layer).rglob("*.py"))
    assert len(modules) > 50
    found = [f for path in modules for f in threaded(path.read_text(), path.name)]
    assert sorted(set(found)) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f(backend: Backend, account: Account) -> None: ...", ["m.py: f"]),
        ("def f(klaviyo: Klaviyo, account: Account) -> None: ...", ["m.py: f"]),
        ("def f(account: Account) -> str: ...", []),
        (
            "class C:\n"
            "    def __init__(self, backend: Backend) -> None: ...\n"
            "    def g(self, account: Account) -> None: ...\n",
            ["m.py: C.g"],
        ),
        (
            "class C:\n"
            "    def __init__(self, klaviyo: Klaviyo) -> None: ...\n"
            "    def g(self, account: Account) -> None: ...\n",
            ["m.py: C.g"],
        ),
        (
            "class C:\n"
            "    def __init__(self, store: Store) -> None: ...\n"
            "    def g(self, account: Account) -> None: ...\n",
            [],
        ),
    ],
    ids=[
        "function-with-backend",
        "function-with-klaviyo",
        "pure-helper",
        "per-account-class",
        "app-wide-class",
        "other-class",
    ],
)
def test_the_guard_sees_an_account_threaded_beside_a_backend(source, expected):
    assert threaded(source, "m.py") == expected
