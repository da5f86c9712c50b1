"""Scenario files: given state, Klaviyo calls, and what must be true afterwards.

A scenario is YAML (``scenarios/README.md`` documents it key by key). ``load`` validates it with
marshmallow, refusing unknown keys and naming the file and the path of the bad key; ``seed``
puts its accounts and given state into a backend; ``run`` seeds, sends each step through the
app's HTTP layer as a client would, and checks the expectations, explaining every failure with
what was expected, what was found and the journal entries that led there.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
import uuid
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from .api.journal import TRACE_HEADER
from .domain.accounts import AccountConfigError
from .domain.journal import Entry
from .domain.models import STANDARD_ATTRIBUTES
from .domain.models import IdentifierKind
from .domain.models import Profile
from .domain.service import Klaviyo
from .domain.service import ProfileData
from .domain.service import SeedError

IDENTIFIER_KEYS = {kind.value: kind for kind in IdentifierKind}
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Keys a scenario uses where no account is declared (the open account takes any key).
OPEN_PUBLIC_KEY = "MoCk01"
OPEN_PRIVATE_KEY = "pk_" + "0" * 34


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the bad key."""


# -- the format ---------------------------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _identifier_fields() -> dict[str, fields.Field[Any]]:
    return {key: fields.Str() for key in IDENTIFIER_KEYS}


class _AccountSchema(_Strict):
    public_key = fields.Str(required=True)
    private_keys = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))


_Selector = _Strict.from_dict(_identifier_fields(), name="Selector")


def _one_identifier(data: Mapping[str, Any], key: str) -> None:
    if len(data) != 1:
        raise ValidationError(
            "Give exactly one of email, external_id, phone_number, exchange_id.", key
        )


class _GivenProfileSchema(_Strict):
    name = fields.Str(data_key="as")
    account = fields.Str()
    attributes = fields.Dict(keys=fields.Str(validate=validate.OneOf(sorted(STANDARD_ATTRIBUTES))))
    properties = fields.Dict(keys=fields.Str())
    email = fields.Str()
    external_id = fields.Str()
    phone_number = fields.Str()
    exchange_id = fields.Str()

    @validates_schema
    def has_identifier(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(key in data for key in IDENTIFIER_KEYS):
            raise ValidationError("A profile needs at least one identifier.")


class _GivenEventSchema(_Strict):
    profile = fields.Str(required=True)
    metric = fields.Str(required=True)
    time = fields.Int(required=True)
    properties = fields.Dict(keys=fields.Str())


class _GivenSchema(_Strict):
    profiles = fields.List(fields.Nested(_GivenProfileSchema))
    events = fields.List(fields.Nested(_GivenEventSchema))


class _TrackSchema(_Strict):
    event = fields.Str(required=True)
    customer_properties = fields.Dict(keys=fields.Str())
    properties = fields.Dict(keys=fields.Str())
    time = fields.Raw(allow_none=True)


class _RequestSchema(_Strict):
    method = fields.Str(
        load_default="GET",
        validate=validate.OneOf(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
    )
    path = fields.Str(required=True, validate=validate.Regexp(r"^/", error="Must start with /."))
    query = fields.Dict(keys=fields.Str())
    form = fields.Dict(keys=fields.Str())
    json = fields.Raw()
    headers = fields.Dict(keys=fields.Str(), values=fields.Str())
    body = fields.Str()


class _ResponseSchema(_Strict):
    status = fields.Int()
    body = fields.Str()
    json = fields.Raw()


class _StepSchema(_Strict):
    description = fields.Str()
    identify = fields.Dict(keys=fields.Str())
    track = fields.Nested(_TrackSchema)
    request = fields.Nested(_RequestSchema)
    concurrently = fields.List(fields.Nested(lambda: _StepSchema()))
    encoding = fields.Str(validate=validate.OneOf(["query", "form", "json"]))
    account = fields.Str()
    name = fields.Str(data_key="as")
    expect = fields.Raw()

    @validates_schema
    def one_call(self, data: dict[str, Any], **kwargs: Any) -> None:
        kinds = [key for key in ("identify", "track", "request", "concurrently") if key in data]
        if len(kinds) != 1:
            raise ValidationError(
                "A step is exactly one of identify, track, request, concurrently."
            )
        if "concurrently" in data:
            if any("concurrently" in step for step in data["concurrently"]):
                raise ValidationError("Concurrent groups do not nest.", "concurrently")
            for key in ("expect", "name", "encoding", "account"):
                if key in data:
                    raise ValidationError(
                        "Put expect, as, encoding and account on the steps inside the group.",
                        "as" if key == "name" else key,
                    )
        elif "request" in data:
            for key in ("encoding", "name", "account"):
                if key in data:
                    raise ValidationError(
                        "A request step sends what it says: no encoding, as or account.",
                        "as" if key == "name" else key,
                    )
            if sum(key in data["request"] for key in ("json", "form", "body")) > 1:
                raise ValidationError("Give one of json, form, body.", "request")
            if "expect" in data:
                try:
                    _ResponseSchema().load(data["expect"])
                except ValidationError as error:
                    raise ValidationError({"expect": error.messages}) from None
        elif "expect" in data and str(data["expect"]) not in ("0", "1"):
            raise ValidationError("Track and Identify answer 1 or 0.", "expect")


class _FindSchema(_Strict):
    find = fields.Nested(_Selector, required=True)
    name = fields.Str(data_key="is")
    absent = fields.Bool()
    identifiers = fields.Dict(keys=fields.Str(validate=validate.OneOf(sorted(IDENTIFIER_KEYS))))
    attributes = fields.Dict(keys=fields.Str())
    properties = fields.Dict(keys=fields.Str())

    @validates_schema
    def selector(self, data: dict[str, Any], **kwargs: Any) -> None:
        _one_identifier(data["find"], "find")


class _ExpectSchema(_Strict):
    account = fields.Str()
    profile_count = fields.Int(validate=validate.Range(min=0))
    event_count = fields.Int(validate=validate.Range(min=0))
    profiles = fields.List(fields.Nested(_FindSchema))
    duplicates = fields.List(fields.List(fields.Raw(), validate=validate.Length(min=2)))


class _ScenarioSchema(_Strict):
    description = fields.Str(required=True)
    accounts = fields.List(fields.Nested(_AccountSchema))
    given = fields.Nested(_GivenSchema)
    steps = fields.List(fields.Nested(_StepSchema))
    expect = fields.Nested(_ExpectSchema)


_schema = _ScenarioSchema()
_KNOWN_KEYS = sorted(
    {
        field.data_key or name
        for schema in (*_Strict.__subclasses__(), _Selector)
        for name, field in schema._declared_fields.items()
    }
)


def _hint(key: str) -> str:
    close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _error_lines(messages: Any, path: str = "") -> Iterator[str]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                yield from _error_lines(value, path)
            elif isinstance(key, int):
                yield from _error_lines(value, f"{path}[{key}]")
            elif value == ["Unknown field."]:
                yield (
                    f"{path}.{key}: unknown key{_hint(str(key))}"
                    if path
                    else f"{key}: unknown key{_hint(str(key))}"
                )
            else:
                yield from _error_lines(value, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list):
        for item in messages:
            yield from _error_lines(item, path)
    else:
        yield f"{path or '(top level)'}: {messages}"


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str
    data: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.data["description"])


try:  # libyaml's parser when PyYAML has it (several times faster), else the pure-Python one
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """``yaml.safe_load``, stricter: a key given twice is an error (YAML would keep the last),
    and dates stay strings (``Signed: 2024-01-01`` is the text a client would send)."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML reads this class attribute
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _not_json(value: Any, path: str = "") -> str | None:
    """The path of the first value JSON cannot carry (a set, bytes, a non-string key), if any."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                return where
            found = _not_json(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _not_json(item, f"{path}[{i}]")
            if found:
                return found
    elif not isinstance(value, str | int | float | bool | type(None)):
        return path
    return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"the key {repeated!r} is given twice")
    return mapping


def _parse(label: str, text: str) -> Any:
    """YAML, or JSON (which is YAML too): a big generated scenario loads fifty times faster
    written as JSON, so a text that starts as a JSON object is read as JSON."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text, object_pairs_hook=_unique_keys)
        except ValueError as error:
            raise ScenarioError(f"{label}: not valid JSON: {error}") from None
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{label}: not valid YAML: {error}") from None
    bad = _not_json(raw)
    if bad is not None:
        raise ScenarioError(f"{label}: {bad}: a value JSON cannot carry (quote it)")
    return raw


def load(source: str | Path, text: str | None = None, name: str | None = None) -> Scenario:
    """Load and validate a scenario from a file, or from ``text`` (``source`` names it)."""
    label = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(f"{label}: cannot read ({error.strerror})") from None
        except UnicodeDecodeError:
            raise ScenarioError(f"{label}: not UTF-8 text") from None
    raw = _parse(label, text)
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{label}: a scenario is a mapping with description, given, steps, expect"
        )
    try:
        data = _schema.load(raw)
    except ValidationError as error:
        raise ScenarioError(
            "\n".join(f"{label}: {line}" for line in _error_lines(error.messages))
        ) from None
    stem = Path(label).stem
    return Scenario(name or stem, label, data)


# -- seeding and running ------------------------------------------------------------------------


@dataclass
class Context:
    """What a scenario run knows: the backend, the names it gave profiles, the default keys."""

    klaviyo: Klaviyo
    scenario: Scenario
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (account, id)

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
        """Replace ``${NAME}`` (a profile's id), ``${public_key}`` and ``${private_key}``."""
        if isinstance(value, str):
            _, public, private = self.account()

            def replace(match: re.Match[str]) -> str:
                key = match.group(1)
                if key == "public_key":
                    return public
                if key == "private_key":
                    return private
                return self.profile_id(key, where)

            return _REFERENCE.sub(replace, value)
        if isinstance(value, list):
            return [self.substitute(item, where) for item in value]
        if isinstance(value, dict):
            return {k: self.substitute(v, where) for k, v in value.items()}
        return value


def seed(klaviyo: Klaviyo, scenario: Scenario) -> Context:
    """Declare the scenario's accounts and put its given state in ``klaviyo``, as one change."""
    with klaviyo.batch():
        return _seed(klaviyo, scenario)


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
            if spec["name"] in context.names:
                raise ScenarioError(f"{source}: {where}.as: the name {spec['name']!r} is taken")
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
            if step["name"] in self.context.names:
                raise ScenarioError(
                    f"{self.scenario.source}: {where}.as: the name {step['name']!r} is taken"
                )
            if landed is None:
                self.fail(f"{where}.as", "a profile to name", "the call stored nothing")
            else:
                account, _, _ = self.context.account(step.get("account"))
                self.context.names[step["name"]] = (account, landed)

    def request(self, step: dict[str, Any], where: str) -> None:
        spec = self.context.substitute(step["request"], where)
        kwargs: dict[str, Any] = {
            "method": spec["method"],
            "query_string": spec.get("query"),
            "headers": spec.get("headers"),
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
