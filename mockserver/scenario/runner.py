"""Putting a scenario's given state in, sending its steps, checking its expectations.

``seed`` declares the accounts and puts the given state in as it is; ``run`` starts from a clean
slate for the scenario's accounts, seeds, sends each step through the app's HTTP layer as a
client would (concurrent groups in a race window), and checks the expectations, explaining each
failure with what was expected, what was found and the journal entries that led there.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask.testing import FlaskClient

from ..api.journal import TRACE_HEADER
from ..domain.accounts import AccountConfigError
from ..domain.commands import NotFound
from ..domain.commands import ProfileData
from ..domain.commands import SeedError
from ..domain.journal import Entry
from ..domain.models import MemberStatus
from ..domain.models import Profile
from ..domain.service import Klaviyo
from .format import IDENTIFIER_KEYS
from .format import Scenario
from .format import ScenarioError

#: ``${NAME}``, or ``$${`` (a literal ``${``, as a recording writes one it found in a call).
_REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Keys a scenario uses where no account is declared (the open account takes any key).
OPEN_PUBLIC_KEY = "MoCk01"
OPEN_PRIVATE_KEY = "pk_" + "0" * 34


@dataclass
class Context:
    """What a scenario run knows: the backend, the names it gave profiles, the default keys."""

    klaviyo: Klaviyo
    scenario: Scenario
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (account, id)
    lists: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (account, id)

    def take_name(self, name: str, where: str) -> None:
        """Profiles and lists share one set of names (``${NAME}`` means one thing)."""
        if name in self.names or name in self.lists:
            raise ScenarioError(f"{self.scenario.source}: {where}: the name {name!r} is taken")

    def account(self, public_key: str | None = None) -> tuple[str, str, str]:
        """(account id, public key, private key) of the named account, or the default one."""
        accounts = self.klaviyo.accounts
        if public_key is not None:
            found = accounts.for_public_key(public_key)
            if found is None:
                raise ScenarioError(
                    f"{self.scenario.source}: no account with public key {public_key!r}"
                )
            private = found.private_keys[0] if found.private_keys else OPEN_PRIVATE_KEY
            return found.id, public_key, private
        if accounts.declared:
            first = accounts.declared[0]
            return (
                first.id,
                first.public_key or "",
                first.private_keys[0] if first.private_keys else "",
            )
        return self.klaviyo.default_account, OPEN_PUBLIC_KEY, OPEN_PRIVATE_KEY

    def profile_id(self, name: str, where: str) -> str:
        if name not in self.names:
            known = ", ".join(sorted(self.names)) or "none yet"
            raise ScenarioError(
                f"{self.scenario.source}: {where}: no profile named {name!r} (known: {known})"
            )
        return self.names[name][1]

    def substitute(self, value: Any, where: str) -> Any:
        """Replace ``${NAME}`` (a profile's id), ``${public_key}`` and ``${private_key}``;
        ``$${`` is a literal ``${``."""
        if isinstance(value, str):
            _, public, private = self.account()

            def replace(match: re.Match[str]) -> str:
                key = match.group(1)
                if key is None:
                    return "${"
                if key == "public_key":
                    return public
                if key == "private_key":
                    return private
                if key in self.lists:
                    return self.lists[key][1]
                return self.profile_id(key, where)

            return _REFERENCE.sub(replace, value)
        if isinstance(value, list):
            return [self.substitute(item, where) for item in value]
        if isinstance(value, dict):
            return {k: self.substitute(v, where) for k, v in value.items()}
        return value


def seed(klaviyo: Klaviyo, scenario: Scenario) -> Context:
    """Declare the scenario's accounts and put its given state in ``klaviyo``, as one change; a
    recording of those accounts' calls starts from here (``Klaviyo.origin``)."""
    with klaviyo.batch():
        context = _seed(klaviyo, scenario)
    declared = [a["public_key"] for a in scenario.data.get("accounts", [])]
    names = {name: found for name, (_, found) in [*context.names.items(), *context.lists.items()]}
    klaviyo.mark_origin(declared or [context.account()[0]], scenario, names)
    return context


def _seed(klaviyo: Klaviyo, scenario: Scenario) -> Context:
    source = scenario.source
    context = Context(klaviyo, scenario)
    accounts = scenario.data.get("accounts", [])
    if accounts:
        try:
            klaviyo.declare_accounts(accounts)
        except AccountConfigError as error:
            raise ScenarioError(f"{source}: accounts: {error}") from None
    given = scenario.data.get("given", {})
    for i, spec in enumerate(given.get("profiles", [])):
        where = f"given.profiles[{i}]"
        account, _, _ = context.account(spec.get("account"))
        identifiers = {IDENTIFIER_KEYS[k]: spec[k] for k in IDENTIFIER_KEYS if k in spec}
        data = ProfileData({}, spec.get("attributes", {}), spec.get("properties", {}))
        try:
            profile = klaviyo.seed_profile(account, identifiers, data)
        except SeedError as error:
            raise ScenarioError(f"{source}: {where}: {error}") from None
        if "name" in spec:
            context.take_name(spec["name"], f"{where}.as")
            context.names[spec["name"]] = (account, profile.id)
    for i, spec in enumerate(given.get("events", [])):
        where = f"given.events[{i}]"
        if spec["profile"] not in context.names:
            raise ScenarioError(
                f"{source}: {where}.profile: no given profile named {spec['profile']!r}"
            )
        event_account, profile_id = context.names[spec["profile"]]
        try:
            klaviyo.seed_event(
                event_account, profile_id, spec["metric"], spec["time"], spec.get("properties", {})
            )
        except SeedError as error:
            raise ScenarioError(f"{source}: {where}: {error}") from None
    for i, spec in enumerate(given.get("lists", [])):
        where = f"given.lists[{i}]"
        account_id, _, _ = context.account(spec.get("account"))
        owner = klaviyo.backend_of(account_id)
        record = owner.lists.create(spec["name"], spec["double_opt_in"])
        if "label" in spec:
            context.take_name(spec["label"], f"{where}.as")
            context.lists[spec["label"]] = (account_id, record.id)
        for key, status in (
            ("members", MemberStatus.MEMBER),
            ("subscribers", MemberStatus.SUBSCRIBED),
        ):
            for name in spec[key]:
                profile_id = context.profile_id(name, f"{where}.{key}")  # or raises
                if context.names[name][0] != account_id:
                    raise ScenarioError(
                        f"{source}: {where}.{key}: {name!r} is a profile of another account"
                    )
                owner.lists.enroll(record.id, profile_id, status)
    return context


@dataclass
class Report:
    scenario: Scenario
    failures: list[str] = field(default_factory=list)
    steps: int = 0

    @property
    def passed(self) -> bool:
        return not self.failures

    def text(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        head = f"scenario {self.scenario.name} ({self.scenario.source}): {verdict}"
        head += f", {self.steps} step(s)"
        return "\n".join([head, *self.failures])


def _entry_lines(entries: list[Entry]) -> list[str]:
    lines = []
    for entry in entries:
        decided = "; ".join(entry.decisions) or "-"
        answer = entry.response.strip()[:60]
        lines.append(
            f"      #{entry.id} {entry.method} {entry.path} -> {entry.status} {answer}: {decided}"
        )
    return lines


class _Runner:
    def __init__(self, klaviyo: Klaviyo, client: FlaskClient, scenario: Scenario) -> None:
        self.client = client
        self.klaviyo = klaviyo
        self.scenario = scenario
        self.report = Report(scenario)
        self.context = Context(self.klaviyo, scenario)

    def fail(
        self,
        where: str,
        expected: Any,
        found: Any,
        *,
        profiles: Sequence[str] = (),
        identifiers: Sequence[str] = (),
    ) -> None:
        lines = [f"  {where}: expected {expected!r}, found {found!r}"]
        entries: list[Entry] = []
        seen = set()
        for needle in [*profiles, *identifiers]:
            for entry in self.klaviyo.journal.entries(identifier=needle, limit=5):
                if entry.id not in seen:
                    seen.add(entry.id)
                    entries.append(entry)
        if entries:
            lines.append("    journal (newest first):")
            lines += _entry_lines(sorted(entries, key=lambda e: -e.id)[:8])
        self.report.failures.append("\n".join(lines))

    def run(self) -> Report:
        """Start from a clean slate for the accounts the scenario uses, then seed, step, check."""
        declared = [a["public_key"] for a in self.scenario.data.get("accounts", [])]
        for account in declared or [self.klaviyo.default_account]:
            self.klaviyo.reset(account)
        self.context = seed(self.klaviyo, self.scenario)
        for i, step in enumerate(self.scenario.data.get("steps", [])):
            where = f"steps[{i}]"
            if "concurrently" in step:
                with self.klaviyo.race():
                    for j, inner in enumerate(step["concurrently"]):
                        self.step(inner, f"{where}.concurrently[{j}]")
            else:
                self.step(step, where)
        self.check(self.scenario.data.get("expect", {}))
        return self.report

    # -- steps --

    def step(self, step: dict[str, Any], where: str) -> None:
        self.report.steps += 1
        if "request" in step:
            self.request(step, where)
            return
        _, public, _ = self.context.account(step.get("account"))
        if "identify" in step:
            path = "/api/identify"
            payload: dict[str, Any] = {
                "token": public,
                "properties": self.context.substitute(step["identify"], where),
            }
        else:
            path = "/api/track"
            payload = {"token": public, **self.context.substitute(step["track"], where)}
        encoding = step.get("encoding", "query")
        trace = f"{self.scenario.name}/{where}/{uuid.uuid4().hex}"
        headers = {TRACE_HEADER: trace}
        if encoding == "query":
            data = base64.b64encode(json.dumps(payload).encode()).decode()
            response = self.client.get(path, query_string={"data": data}, headers=headers)
        elif encoding == "form":
            response = self.client.post(path, data={"data": json.dumps(payload)}, headers=headers)
        else:
            response = self.client.post(
                path, data=json.dumps(payload), content_type="application/json", headers=headers
            )
        expected = str(step.get("expect", 1))
        answer = response.get_data(as_text=True)
        said = self.klaviyo.journal.entries(trace=trace, limit=1)
        landed = said[0].profiles[0] if said and said[0].profiles else None
        if answer != expected:
            self.fail(
                f"{where} ({path})",
                expected,
                answer,
                identifiers=said[0].identifiers if said else (),
            )
        if "name" in step:
            account, _, _ = self.context.account(step.get("account"))
            self.name_landing(step["name"], landed, account, f"{where}.as")

    def name_landing(self, name: str, landed: str | None, account: str, where: str) -> None:
        """``as: NAME`` on a step: name the profile the call landed on; a name given before (in
        ``given`` or by an earlier step) asserts the call landed on that same profile."""
        if name in self.context.lists:
            self.context.take_name(name, where)  # raises: the name is a list's
        known = self.context.names.get(name)
        if known is not None:
            if landed != known[1]:
                found = "the call stored nothing" if landed is None else f"profile {landed}"
                touched = [known[1], *([landed] if landed else [])]
                self.fail(where, f"the profile named {name} ({known[1]})", found, profiles=touched)
            return
        if landed is None:
            self.fail(where, "a profile to name", "the call stored nothing")
        else:
            self.context.names[name] = (account, landed)

    def request(self, step: dict[str, Any], where: str) -> None:
        spec = self.context.substitute(step["request"], where)
        trace = f"{self.scenario.name}/{where}/{uuid.uuid4().hex}"
        kwargs: dict[str, Any] = {
            "method": spec["method"],
            "query_string": spec.get("query"),
            "headers": {**spec.get("headers", {}), TRACE_HEADER: trace},
        }
        if "json" in spec:
            kwargs["json"] = spec["json"]
        elif "form" in spec:
            kwargs["data"] = spec["form"]
        elif "body" in spec:
            kwargs["data"] = spec["body"]
        response = self.client.open(spec["path"], **kwargs)
        expect = self.context.substitute(step.get("expect", {}), where)
        call = f"{where} ({spec['method']} {spec['path']})"
        if "status" in expect and response.status_code != expect["status"]:
            self.fail(f"{call} status", expect["status"], response.status_code)
        if "body" in expect and response.get_data(as_text=True) != expect["body"]:
            self.fail(f"{call} body", expect["body"], response.get_data(as_text=True))
        if "json" in expect:
            found = response.get_json(silent=True)
            if found != expect["json"]:
                self.fail(f"{call} json", expect["json"], found)
        if "name" in step:
            said = self.klaviyo.journal.entries(trace=trace, limit=1)
            landed = said[0].profiles[0] if said and said[0].profiles else None
            account = said[0].account if said and said[0].account else self.context.account()[0]
            self.name_landing(step["name"], landed, account, f"{where}.as")

    # -- expectations --

    def resolve_ref(self, account: str, ref: Any, where: str) -> tuple[str | None, str]:
        """A profile reference (a name, a profile id, or a one-identifier selector) -> (id or
        None, label)."""
        if isinstance(ref, str):
            if ref not in self.context.names and self.klaviyo.store.has_profile(account, ref):
                return ref, ref
            return self.context.profile_id(ref, where), ref
        if isinstance(ref, dict) and len(ref) == 1 and next(iter(ref)) in IDENTIFIER_KEYS:
            key, value = next(iter(ref.items()))
            profile = self.klaviyo.find_profile(account, IDENTIFIER_KEYS[key], str(value))
            return (profile.id if profile else None), f"{key} {value}"
        raise ScenarioError(
            f"{self.scenario.source}: {where}: a profile is a name or"
            " {email|external_id|phone_number|exchange_id: value}"
        )

    def check(self, expect: dict[str, Any]) -> None:
        expect = self.context.substitute(expect, "expect")
        account = expect.get("account")
        account_id = self.context.account(account)[0] if account else self.context.account()[0]
        profiles = self.klaviyo.profiles(account_id)
        if "profile_count" in expect and len(profiles) != expect["profile_count"]:
            self.fail(
                "expect.profile_count",
                expect["profile_count"],
                len(profiles),
                profiles=[p.id for p in profiles],
            )
        if "event_count" in expect:
            count = len(self.klaviyo.store.events(account_id))
            if count != expect["event_count"]:
                self.fail("expect.event_count", expect["event_count"], count)
        for i, spec in enumerate(expect.get("profiles", [])):
            self.check_profile(account_id, spec, f"expect.profiles[{i}]")
        if "duplicates" in expect:
            self.check_duplicates(account_id, expect["duplicates"])
        for i, spec in enumerate(expect.get("lists", [])):
            self.check_list(account_id, spec, f"expect.lists[{i}]")

    def check_list(self, account: str, spec: dict[str, Any], where: str) -> None:
        """The list's members (active: added, or subscribed and confirmed) are exactly these. A
        named list is checked in its own account."""
        account, list_id = self.context.lists.get(spec["list"], (account, spec["list"]))
        try:
            rows, _ = self.klaviyo.backend_of(account).lists.page(list_id, 0, 10**9)
        except NotFound:
            self.fail(f"{where}.list", "a list", f"no list {spec['list']!r}")
            return
        expected = {}
        for j, ref in enumerate(spec["members"]):
            pid, label = self.resolve_ref(account, ref, f"{where}.members[{j}]")
            if pid is None:
                self.fail(f"{where}.members[{j}]", f"a profile for {label}", None)
                return
            expected[pid] = label
        found = {profile.id for profile, _ in rows}
        if set(expected) != found:
            names = {pid: name for name, (_, pid) in self.context.names.items()}
            self.fail(
                f"{where}.members",
                sorted(str(v) for v in expected.values()),
                sorted(names.get(pid, pid) for pid in found),
                profiles=sorted(found | {p for p in expected if p}),
            )

    def check_profile(self, account: str, spec: dict[str, Any], where: str) -> None:
        ((key, value),) = spec["find"].items()
        profile = self.klaviyo.find_profile(account, IDENTIFIER_KEYS[key], value)
        if spec.get("absent"):
            if profile is not None:
                self.fail(
                    f"{where} ({key} {value})",
                    "no profile",
                    _describe(profile),
                    profiles=[profile.id],
                )
            return
        if profile is None:
            self.fail(f"{where} ({key} {value})", "a profile", None, identifiers=[value])
            return
        if "name" in spec:
            named = self.context.profile_id(spec["name"], f"{where}.is")
            if named != profile.id:
                self.fail(
                    f"{where}.is",
                    f"{spec['name']} ({named})",
                    profile.id,
                    profiles=[named, profile.id],
                )
        if "identifiers" in spec:
            found = {kind.value: v for kind, v in profile.identifiers.items()}
            if found != {k: v for k, v in spec["identifiers"].items() if v is not None}:
                self.fail(f"{where}.identifiers", spec["identifiers"], found, profiles=[profile.id])
        for part in ("attributes", "properties"):
            if part in spec:
                have = getattr(profile, part)
                wrong = {k: v for k, v in spec[part].items() if have.get(k) != v}
                if wrong:
                    self.fail(
                        f"{where}.{part}",
                        spec[part],
                        {k: have.get(k) for k in spec[part]},
                        profiles=[profile.id],
                    )

    def check_duplicates(self, account: str, expected_groups: list[list[Any]]) -> None:
        expected = []
        labels = {}
        for i, group in enumerate(expected_groups):
            ids = []
            for j, ref in enumerate(group):
                pid, label = self.resolve_ref(account, ref, f"expect.duplicates[{i}][{j}]")
                if pid is None:
                    self.fail(f"expect.duplicates[{i}][{j}]", f"a profile for {label}", None)
                    return
                labels[pid] = label
                ids.append(pid)
            expected.append(frozenset(ids))
        found = self.klaviyo.duplicates(account)
        found_sets = [frozenset(g.profiles) for g in found]
        if sorted(map(sorted, expected)) != sorted(map(sorted, found_sets)):
            names = {pid: name for name, (_, pid) in self.context.names.items()}

            def show(groups: list[frozenset[str]]) -> list[list[str]]:
                return [sorted(labels.get(pid) or names.get(pid, pid) for pid in g) for g in groups]

            evidence = [e.detail for g in found for e in g.evidence]
            involved = sorted({pid for g in [*expected, *found_sets] for pid in g})
            self.fail(
                "expect.duplicates",
                show(expected),
                show(found_sets) + ([f"evidence: {evidence}"] if evidence else []),
                profiles=involved,
            )


def _describe(profile: Profile) -> str:
    ids = ", ".join(f"{k.value} {v}" for k, v in profile.identifiers.items())
    return f"{profile.id} ({ids})"


def run(klaviyo: Klaviyo, client: FlaskClient, scenario: Scenario) -> Report:
    """Seed ``scenario`` into ``klaviyo``, send its steps through ``client`` (a test client of
    the app that serves ``klaviyo``), and check its expectations."""
    return _Runner(klaviyo, client, scenario).run()
