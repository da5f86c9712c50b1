"""The scenario format: YAML (or JSON) read strictly and validated by marshmallow.

``load`` refuses unknown keys, keys given twice and values JSON cannot carry, naming the file and
the path of the bad key, with a suggestion for a typo. ``scenarios/README.md`` documents the
format key by key.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from ..domain.models import STANDARD_ATTRIBUTES
from ..domain.models import IdentifierKind

IDENTIFIER_KEYS = {kind.value: kind for kind in IdentifierKind}


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the bad key."""


# -- the format ---------------------------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _identifier_fields() -> dict[str, fields.Field[Any]]:
    return {key: fields.Str() for key in IDENTIFIER_KEYS}


class _ScopedKey(_Strict):
    """A private key with the scopes it may use (``profiles:read``, ``lists:write``…)."""

    key = fields.Str(required=True)
    scopes = fields.List(fields.Str(), required=True)


class _PrivateKey(fields.Field[Any]):
    """A private key: its text (full access), or ``{key, scopes}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return _ScopedKey().load(value)
        raise ValidationError("A private key is a string or {key, scopes}.")


class _AccountSchema(_Strict):
    public_key = fields.Str(required=True)
    private_keys = fields.List(_PrivateKey(), required=True, validate=validate.Length(min=1))
    # what GET /api/accounts shows of the account (the mock's defaults otherwise)
    contact_information = fields.Dict()
    timezone = fields.Str()
    preferred_currency = fields.Str()
    locale = fields.Str()
    industry = fields.Str(allow_none=True)
    test_account = fields.Bool()


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


class _GivenListSchema(_Strict):
    label = fields.Str(data_key="as")
    name = fields.Str(required=True)
    account = fields.Str()
    double_opt_in = fields.Bool(load_default=False)
    members = fields.List(fields.Str(), load_default=list)
    subscribers = fields.List(fields.Str(), load_default=list)


class _GivenSchema(_Strict):
    profiles = fields.List(fields.Nested(_GivenProfileSchema))
    events = fields.List(fields.Nested(_GivenEventSchema))
    lists = fields.List(fields.Nested(_GivenListSchema))


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
            for key in ("encoding", "account"):
                if key in data:
                    raise ValidationError(
                        "A request step sends what it says: no encoding or account.", key
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


class _ListMembersSchema(_Strict):
    list = fields.Str(required=True)
    members = fields.List(fields.Raw(), required=True)


class _ExpectSchema(_Strict):
    account = fields.Str()
    lists = fields.List(fields.Nested(_ListMembersSchema))
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
    """A near key of the format, never the key itself (it is some other place's key: naming it
    would send the reader round in a circle)."""
    close = [c for c in difflib.get_close_matches(key, _KNOWN_KEYS, n=3) if c != key]
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


def to_wire(data: dict[str, Any]) -> dict[str, Any]:
    """A loaded scenario's data as a file writes it (``as`` keys, the defaults filled in)."""
    written: dict[str, Any] = _schema.dump(data)
    return written


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
