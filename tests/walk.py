"""A walk over Klaviyo's OpenAPI document: for any operation, a valid request built from the
spec (``tests/test_every_operation.py`` sends one to each of the 345).

``Walker.sample`` makes a minimal valid instance of a schema: required members only, the
schema's ``example`` where it is valid, else its first ``enum`` value, else a plausible value
for its type and format (unique strings, date-times a few days ahead); ``oneOf``/``anyOf``
take their first branch. A JSON:API resource identifier (``{"type": …, "id": …}``) names an
existing resource of its type: ``Walker.existing`` finds or makes one (through the type's
create operation or job, an action that produces one, a listing, or a related read from a type
it can make), recursively. What the schema cannot say is in three small tables, each entry with
its reason: ``SEMANTIC`` (by type: a profile needs an identifier), ``OVERRIDES`` (by
operationId: a campaign's audience is a list of this account…) and ``RECIPES`` (by type: ids
the document fixes, such as a tracking setting's, which is the account's).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mockserver.spec import Kind
from mockserver.spec import Operation
from mockserver.spec import Spec

REVISION = "2026-07-15"
PRIVATE = {"Authorization": "Klaviyo-API-Key pk_test", "revision": REVISION}
PUBLIC = {"revision": REVISION}
COMPANY_ID = "AbC123"
MEDIA = "application/vnd.api+json"
#: A 1x1 PNG, for ``/api/image-upload``.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
#: Actions that destroy or spend what they act on: like deletes and link removals, their path
#: ids and the resources their bodies name are made for the call alone, never the shared ones.
DESTRUCTIVE_ACTIONS = frozenset(
    {
        "merge_profiles",
        "request_profile_deletion",
        "bulk_delete_catalog_categories",
        "bulk_delete_catalog_items",
        "bulk_delete_catalog_variants",
        "bulk_delete_object_records",
        "unregister_client_push_token",
        "send_campaign",
        "cancel_campaign_send",
    }
)
#: Updates of a link that must exist first (a relationship between custom object schemas, whose
#: ``meta`` the update changes): made, like a removal's, on a resource made for the call alone.
UPDATES_A_LINK = frozenset(
    {"update_object_schema_relationship", "update_profile_schema_relationship"}
)
#: Operations whose ``data`` names the related resources, not the one the path names.
LINKING = (Kind.LINK_ADD, Kind.LINK_REPLACE, Kind.LINK_REMOVE)
#: Members whose example values must differ from one resource to the next.
UNIQUE_MEMBERS = frozenset(
    {"external_id", "name", "label", "title", "unique_id", "unique_code", "token", "key"}
)

JSON = dict[str, Any]
_MISSING: Any = object()


class WalkError(Exception):
    """A request the walk needed before the one under test failed, or a type it cannot reach."""


def destructive(operation: Operation) -> bool:
    return (
        operation.kind in (Kind.DELETE, Kind.LINK_REMOVE)
        or operation.id in DESTRUCTIVE_ACTIONS
        or operation.id in UPDATES_A_LINK
    )


def success(operation: Operation) -> tuple[int, ...]:
    """The 2xx statuses the document lists for ``operation``."""
    return tuple(code for code in operation.statuses if 200 <= code < 300)


@dataclass
class Context:
    """What a body is being built for: the operation, its path ids, whether the resources it
    names must be its own (a destructive call), and ids the caller fixed, by type."""

    operation: Operation
    ids: Mapping[str, str]
    fresh: bool = False
    given: dict[str, str] = field(default_factory=dict)

    @property
    def path_id(self) -> str | None:
        return self.ids.get("id") or self.ids.get("job_id")


@dataclass
class Sent:
    """One request of the walk and its answer."""

    operation: Operation
    url: str
    query: dict[str, str]
    body: Any
    answer: TestResponse

    @property
    def status(self) -> int:
        return self.answer.status_code

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.answer.get_data(as_text=True) or "null")
        except ValueError:
            return None

    def data_ids(self) -> list[str]:
        found = self.json
        data = found.get("data") if isinstance(found, dict) else None
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]

    def brief(self, limit: int = 400) -> str:
        text = self.answer.get_data(as_text=True)
        text = text if len(text) <= limit else text[:limit] + "…"
        query = f"?{'&'.join(f'{k}={v}' for k, v in self.query.items())}" if self.query else ""
        return f"{self.operation.method} {self.url}{query} -> {self.status}: {text}"


@dataclass
class Prepared:
    """The request for the operation under test, ready to send."""

    operation: Operation
    ids: dict[str, str]
    body: Any


class Walker:
    """Builds and sends requests for the operations of ``spec`` through ``client``."""

    def __init__(self, client: FlaskClient, spec: Spec, document: JSON) -> None:
        self.client = client
        self.spec = spec
        self.document = document
        self.counter = itertools.count(1)
        #: type -> the id of a resource the tests share, made on first use.
        self.shared: dict[str, str] = {}
        self.making: list[str] = []
        self._checks: dict[int, Callable[[Any], bool]] = {}
        self.moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)

    # -- values -----------------------------------------------------------------------------

    def unique(self, prefix: str = "walk") -> str:
        return f"{prefix}-{next(self.counter)}"

    def future(self) -> str:
        return self.moment.isoformat()

    def valid(self, schema: Any, value: Any) -> bool:
        check = self._checks.get(id(schema))
        if check is None:
            check = self._checks[id(schema)] = self.spec.json_schemas.validator(schema).is_valid
        return check(value)

    def sample(self, schema: Any, ctx: Context, pointer: str = "", name: str = "") -> Any:
        """A minimal valid instance of ``schema`` (see the module docstring); ``pointer`` is
        where it goes in the body, ``name`` the member it is the value of."""
        resolved = self._resolved(schema)
        branches = resolved.get("oneOf") or resolved.get("anyOf")
        if branches:
            return self.sample(branches[0], ctx, pointer, name)
        example = resolved.get("example", _MISSING)
        if (
            example is not _MISSING
            and not _names_resources(example)
            and self.valid(resolved, example)
        ):
            if isinstance(example, str) and name in UNIQUE_MEMBERS:
                return f"{example}-{self.unique()}"
            return example
        if resolved.get("enum"):
            return resolved["enum"][0]
        kind = resolved.get("type")
        if kind == "object" or "properties" in resolved:
            return self._object(resolved, ctx, pointer)
        if kind == "array":
            count = max(int(resolved.get("minItems", 0)), 1)
            items = resolved.get("items", {})
            return [self.sample(items, ctx, f"{pointer}/{i}", name) for i in range(count)]
        if kind == "string":
            return self._string(resolved, name)
        if kind in ("integer", "number"):
            value = resolved.get("minimum", 1)
            return min(value, resolved["maximum"]) if "maximum" in resolved else value
        if kind == "boolean":
            return False
        return self.unique()

    def _resolved(self, schema: Any) -> JSON:
        components = self.spec.components
        resolved = components.resolve(schema)
        return components.flatten(resolved) if "allOf" in resolved else resolved

    def _string(self, schema: JSON, name: str) -> str:
        form = schema.get("format")
        if form == "date-time":
            return self.future()
        if form == "date":
            return self.future()[:10]
        if form == "time":
            return "09:00:00"
        if form in ("uri", "url"):
            return f"https://example.com/{self.unique()}"
        if form == "email" or name.endswith("email"):
            return f"{self.unique()}@example.com"
        text = self.unique()
        if len(text) < schema.get("minLength", 0):
            text = text.ljust(int(schema["minLength"]), "x")
        if "maxLength" in schema:
            text = text[-int(schema["maxLength"]) :]
        return text

    def _object(self, schema: JSON, ctx: Context, pointer: str) -> JSON:
        properties: JSON = schema.get("properties") or {}
        required = [n for n in schema.get("required", ()) if n in properties]
        if "data" in properties and "data" not in required:
            required.append("data")  # a relationship object: its linkage is what it is for
        kind = None
        if "type" in properties:
            enum = self.spec.components.resolve(properties["type"]).get("enum")
            kind = enum[0] if enum else None
        identifier = kind is not None and (kind in self.spec.types or pointer == "/data")
        out: JSON = {}
        for member in required:
            if member == "id" and identifier:
                assert kind is not None
                out["id"] = self.identify(kind, ctx, pointer)
            else:
                out[member] = self.sample(properties[member], ctx, f"{pointer}/{member}", member)
        semantic = SEMANTIC.get(kind or "")
        if semantic is not None:
            semantic(self, out)
        return out

    def identify(self, kind: str, ctx: Context, pointer: str) -> str:
        """The id a resource identifier of type ``kind`` at ``pointer`` takes: one the caller
        gave, the path's id for the ``data`` of a call on that resource, else an existing one
        (a new one, for a destructive call)."""
        if kind in ctx.given:
            return ctx.given[kind]
        if pointer == "/data" and ctx.path_id is not None and ctx.operation.kind not in LINKING:
            return ctx.path_id
        return self.fresh(kind) if ctx.fresh else self.existing(kind)

    def fill(self, body: Any, ctx: Context, path: str, value: Any = _MISSING) -> Any:
        """Set the member at ``path`` (``data/attributes/x/0/y``) of ``body`` to ``value``, or
        to a sample of its schema; missing members on the way are sampled too. The body."""
        assert ctx.operation.body_schema is not None
        schema: Any = ctx.operation.body_schema
        node = body
        parts = path.split("/")
        for at, part in enumerate(parts):
            schema = self._child(schema, part)
            pointer = "/" + "/".join(parts[: at + 1])
            last = at == len(parts) - 1
            key: Any = int(part) if part.isdigit() else part
            if last:
                node[key] = self.sample(schema, ctx, pointer, part) if value is _MISSING else value
            elif isinstance(key, str) and key not in node:
                node[key] = self.sample(schema, ctx, pointer, part)
            node = node[key]
        return body

    def _child(self, schema: Any, part: str) -> Any:
        resolved = self._resolved(schema)
        while resolved.get("oneOf") or resolved.get("anyOf"):
            resolved = self._resolved((resolved.get("oneOf") or resolved.get("anyOf"))[0])
        if part.isdigit():
            return resolved["items"]
        return resolved["properties"][part]

    # -- requests ---------------------------------------------------------------------------

    def url(self, operation: Operation, ids: Mapping[str, str]) -> str:
        path = operation.path
        for key, value in ids.items():
            path = path.replace("{" + key + "}", value)
        return path

    def query(self, operation: Operation) -> dict[str, str]:
        """The required query: ``company_id`` for /client/, a required ``filter``, and the
        other required parameters (their first enum value, else the document's example)."""
        query: dict[str, str] = {}
        if operation.client:
            query["company_id"] = COMPANY_ID
        if operation.filter_required:
            query["filter"] = self.filter(operation)
        for parameter in operation.parameters.values():
            if parameter.required:
                value = (
                    parameter.enum[0] if parameter.enum else self.example(operation, parameter.name)
                )
                query[parameter.name] = str(value)
        return query

    def parameter(self, operation: Operation, name: str) -> JSON:
        """The document's entry for a parameter of ``operation`` (path or query)."""
        raw = self.document["paths"][operation.path][operation.method.lower()]
        for entry in raw.get("parameters", ()):
            if entry.get("name") == name:
                return dict(entry)
        raise KeyError(name)

    def example(self, operation: Operation, name: str) -> Any:
        entry = self.parameter(operation, name)
        for found in (entry, entry.get("schema", {})):
            if "example" in found:
                return found["example"]
        raise WalkError(f"{operation.id}: no value known for the required parameter {name}")

    def filter(self, operation: Operation) -> str:
        """A valid expression for a required ``filter``: ``equals`` on a related resource's id
        (``coupon.id``) of a type the walk can reach, else ``equals`` on a field with an enum,
        else the document's example."""
        fields = operation.filters or {}
        for name, found in fields.items():
            if (
                name.endswith(".id")
                and name[:-3] in self.spec.types
                and "equals" in found.operators
            ):
                return f"equals({name},'{self.existing(name[:-3])}')"
        for name, found in fields.items():
            if found.enum and "equals" in found.single:
                return f"equals({name},'{found.enum[0]}')"
        return str(self.example(operation, "filter"))

    def body(self, operation: Operation, ctx: Context) -> Any:
        """The request body of ``operation``: the schema's sample with the operation's override,
        checked against the schema."""
        if operation.body_schema is None:
            return None
        if operation.body_media == "multipart/form-data":
            return {"file": (io.BytesIO(PNG), f"{self.unique()}.png"), "name": self.unique()}
        prepare = GIVEN.get(operation.id)
        if prepare is not None:
            ctx.given.update(prepare(self, ctx))
        body = self.sample(operation.body_schema, ctx)
        override = OVERRIDES.get(operation.id)
        if override is not None:
            override(self, body, ctx)
        validator = self.spec.validator(operation)
        if not validator.is_valid(body):
            errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
            raise AssertionError(f"the walk made an invalid body for {operation.id}: {errors}")
        return body

    def send(
        self,
        operation: Operation,
        ids: Mapping[str, str] | None = None,
        body: Any = None,
        query: Mapping[str, str] | None = None,
    ) -> Sent:
        ids = dict(ids or {})
        url = self.url(operation, ids)
        query = {**self.query(operation), **(query or {})}
        headers = PUBLIC if operation.client else PRIVATE
        kwargs: JSON = {}
        if body is not None:
            if operation.body_media == "multipart/form-data":
                kwargs["data"] = body
                kwargs["content_type"] = "multipart/form-data"
            else:
                kwargs["data"] = json.dumps(body)
                kwargs["content_type"] = MEDIA
        answer = self.client.open(
            url, method=operation.method, headers=headers, query_string=query, **kwargs
        )
        return Sent(operation, url, query, body, answer)

    def prerequisite(
        self, operation: Operation, ids: Mapping[str, str] | None = None, body: Any = None
    ) -> Sent:
        """Send a request the one under test needs: a WalkError unless it answers a success
        the document lists (a crash of the mock included)."""
        try:
            sent = self.send(operation, ids, body)
        except Exception as error:  # the mock's crash, reported as the test's reason
            raise WalkError(f"prerequisite {operation.id} crashed: {error!r}") from error
        if sent.status not in success(operation):
            raise WalkError(f"prerequisite {sent.brief()}")
        return sent

    def call(
        self,
        operation_id: str,
        ids: Mapping[str, str] | None = None,
        *,
        fresh: bool = False,
        then: Callable[[Any], None] | None = None,
        given: Mapping[str, str] | None = None,
    ) -> Sent:
        """Send a prerequisite with a sampled body (``then`` may change it first), given ids
        by type; a WalkError unless it answers a success the document lists."""
        operation = self.spec.operations[operation_id]
        alone = fresh or destructive(operation)
        ctx = Context(operation, ids or {}, fresh=alone, given=dict(given or {}))
        body = self.body(operation, ctx)
        if then is not None:
            then(body)
        return self.prerequisite(operation, ids, body)

    # -- ids --------------------------------------------------------------------------------

    def existing(self, kind: str) -> str:
        """The id of a resource of type ``kind`` the tests share (made on first use)."""
        found = self.shared.get(kind)
        if found is None:
            found = self.shared[kind] = self.obtain(kind, fresh=False)
        return found

    def fresh(self, kind: str) -> str:
        """The id of a new resource of type ``kind``, for one test alone."""
        return self.obtain(kind, fresh=True)

    @contextmanager
    def _making(self, kind: str) -> Iterator[None]:
        if kind in self.making:
            raise WalkError(f"a cycle of required resources: {' -> '.join([*self.making, kind])}")
        self.making.append(kind)
        try:
            yield
        finally:
            self.making.pop()

    def obtain(self, kind: str, *, fresh: bool) -> str:
        with self._making(kind):
            recipe = RECIPES.get(kind)
            if recipe is not None:
                return recipe(self, fresh)
            resource = self.spec.types.get(kind)
            if resource is None:
                raise WalkError(f"{kind} is not a resource type of the document")
            fixed = self._enumerated(kind)
            if fixed is not None:
                return fixed
            for how in (Kind.CREATE, Kind.JOB):
                operation = resource.operations.get(how)
                if operation is not None:
                    return self.create(operation.id, fresh=fresh)
            return self.discover(kind, fresh=fresh)

    def _enumerated(self, kind: str) -> str | None:
        """The first id the document enumerates for the type's path (mapped metrics: the kinds
        of mapping), if it does."""
        read = self.spec.types[kind].operations.get(Kind.GET)
        if read is None:
            return None
        name = re.findall(r"\{([^}]+)\}", read.path)[0]
        enum = self.parameter(read, name).get("schema", {}).get("enum")
        return str(enum[0]) if enum else None

    def create(self, operation_id: str, *, fresh: bool = False) -> str:
        """Create a resource through ``operation_id`` (a create, a job); its id."""
        sent = self.call(operation_id, fresh=fresh)
        ids = sent.data_ids()
        if not ids:
            raise WalkError(f"prerequisite {operation_id} answered no data.id: {sent.brief()}")
        return ids[0]

    def listed(self, kind: str) -> list[str]:
        """The ids the type's listing shows on its first page ([] without a listing)."""
        operation = self.spec.types[kind].operations.get(Kind.LIST)
        if operation is None:
            return []
        return self.prerequisite(operation).data_ids()

    def related(self, operation: Operation, parent: str) -> list[str]:
        return self.prerequisite(operation, {"id": parent}).data_ids()

    def discover(self, kind: str, *, fresh: bool) -> str:
        """A type with no create operation: for a shared one, its listing; else an action that
        produces one (then the new one in the listing), else a related read from a type the
        walk can make (flow-actions from a flow, metrics from an event…)."""
        tried: list[str] = []
        before = self.listed(kind)
        if before and not fresh:
            return before[0]
        for operation in self.spec.operations.values():
            if (
                operation.kind is not Kind.ACTION
                or kind not in operation.request_types
                or self._acts_on_one(operation)
            ):
                continue
            try:
                self.call(operation.id)
            except WalkError as error:
                tried.append(f"{operation.id}: {error}")
                continue
            new = [i for i in self.listed(kind) if i not in before]
            if new:
                return new[0]
            tried.append(f"{operation.id} answered, but the listing shows no new {kind}")
        for operation in self.spec.operations.values():
            parent = operation.resource_type
            if (
                operation.kind is not Kind.RELATED
                or operation.data_types[:1] != (kind,)
                or parent is None
                or parent in self.making
            ):
                continue
            try:
                parent_id = self.obtain(parent, fresh=fresh)
                found = self.related(operation, parent_id)
            except WalkError as error:
                tried.append(f"{operation.id}: {error}")
                continue
            if found:
                return found[0]
            tried.append(f"{operation.id} of {parent} {parent_id} is empty")
        raise WalkError(f"no way to a {kind}:\n  " + "\n  ".join(tried or ["nothing to try"]))

    # -- the operation under test -----------------------------------------------------------

    def _acts_on_one(self, operation: Operation) -> bool:
        """Whether an action's ``data`` names an existing resource by id (it changes one,
        rather than making one: ``assign_template_to_campaign_message``)."""
        assert operation.body_schema is not None
        body = self._resolved(operation.body_schema)
        data = self._resolved(body.get("properties", {}).get("data", {}))
        return "id" in data.get("required", ())

    def prepare(self, operation: Operation) -> Prepared:
        """One valid request for ``operation``: its path id (a shared resource, or one made
        for it alone when it is destructive), its body, and for a link removal the link."""
        alone = destructive(operation)
        ids: dict[str, str] = {}
        names = re.findall(r"\{([^}]+)\}", operation.path)
        if names:
            kind = operation.resource_type
            if kind is None:
                raise WalkError(f"{operation.id}: no resource type for {operation.path}")
            ids[names[0]] = self.fresh(kind) if alone else self.existing(kind)
        body = self.body(operation, Context(operation, ids, fresh=alone))
        if operation.kind is Kind.LINK_REMOVE:
            self._link_first(operation, ids, body)
        if operation.id in UPDATES_A_LINK:
            made = self.spec.match("POST", self.url(operation, ids))
            assert made is not None and made.operation is not None
            target = body["data"]
            self.call(made.operation.id, ids, given={target["type"]: target["id"]})
        return Prepared(operation, ids, body)

    def _link_first(self, operation: Operation, ids: Mapping[str, str], body: Any) -> None:
        """Before a removal, the link it removes (through the same path's POST or PATCH)."""
        for method in ("POST", "PATCH"):
            match = self.spec.match(method, self.url(operation, ids))
            if match is not None and match.operation is not None:
                self.prerequisite(match.operation, ids, body)
                return

    def new_profile(self) -> tuple[str, str]:
        """A new profile (through ``create_profile``): its id and email."""
        sent = self.call("create_profile")
        return sent.data_ids()[0], sent.body["data"]["attributes"]["email"]


def _names_resources(value: Any) -> bool:
    """Whether an example names resources by id (``{"type": "profile", "id": "01GDD…"}``): ids
    of Klaviyo's demo account, which the mock does not have."""
    if isinstance(value, list):
        return any(_names_resources(v) for v in value)
    if not isinstance(value, dict):
        return False
    attributes = value.get("attributes")
    if "type" in value and ("id" in value or (isinstance(attributes, dict) and "id" in attributes)):
        return True
    return any(_names_resources(v) for v in value.values())


# -- what the schemas cannot say ---------------------------------------------------------------


def _profile(walker: Walker, resource: JSON) -> None:
    """Klaviyo: "One or more identifiers is required" (the schema requires none)."""
    attributes = resource.get("attributes")
    if "id" in resource or not isinstance(attributes, dict):
        return
    if not any(attributes.get(k) for k in ("email", "phone_number", "external_id", "id")):
        attributes["email"] = f"{walker.unique()}@example.com"


#: type -> what every resource object of that type needs that its schema does not require.
SEMANTIC: dict[str, Callable[[Walker, JSON], None]] = {"profile": _profile}

#: operationId -> ids its body's identifiers take, by type, before the body is sampled.
GIVEN: dict[str, Callable[[Walker, Context], dict[str, str]]] = {
    # the send job's id is the campaign's (the document: "The ID of the campaign to send")
    "send_campaign": lambda w, ctx: {"campaign-send-job": w.fresh("campaign")},
    # likewise the estimation job's ("The ID of the campaign to perform recipient estimation")
    "refresh_campaign_recipient_estimation": lambda w, ctx: {
        "campaign-recipient-estimation-job": w.existing("campaign")
    },
    # the merge's data.id is the destination profile ("The ID of the destination profile")
    "merge_profiles": lambda w, ctx: {"profile-merge": w.fresh("profile")},
}


def _metric(key: str) -> Callable[[Walker, Any, Context], None]:
    """A metric id member: the example's (``RESQ6t``) is a metric of Klaviyo's demo account."""

    def override(w: Walker, body: Any, ctx: Context) -> None:
        w.fill(body, ctx, key, w.existing("metric"))

    return override


def _campaign(w: Walker, body: Any, ctx: Context) -> None:
    # the audience example (Y6nRLr) is a list of Klaviyo's demo account
    w.fill(body, ctx, "data/attributes/audiences/included", [w.existing("list")])
    # the message's image is optional in the schema, but get_image_for_campaign_message reads it
    w.fill(body, ctx, "data/attributes/campaign-messages/data/0/relationships/image")


def _flow(w: Walker, body: Any, ctx: Context) -> None:
    # a definition the schema's required members alone leave meaningless (an output split with
    # no filter, an entry action id that names nothing): a list trigger and one email
    definition = {
        "triggers": [{"type": "list", "id": w.existing("list")}],
        "profile_filter": None,
        "actions": [
            {
                "temporary_id": "action-1",
                "type": "send-email",
                "links": {"next": None},
                "data": {
                    "message": {
                        "from_email": "store@example.com",
                        "from_label": "Walk",
                        "subject_line": "Hello",
                        "name": w.unique("email"),
                    },
                    "status": "draft",
                },
            }
        ],
        "entry_action_id": "action-1",
    }
    w.fill(body, ctx, "data/attributes/definition", definition)


def _template(w: Walker, body: Any, ctx: Context) -> None:
    # editor_type is "Restricted to CODE, USER_DRAGGABLE, or SYSTEM_DRAGGABLE" (no enum); html
    # is "Required for CODE"
    w.fill(body, ctx, "data/attributes/editor_type", "CODE")
    w.fill(body, ctx, "data/attributes/html", "<html><body><p>walk</p></body></html>")


def _universal_content(w: Walker, body: Any, ctx: Context) -> None:
    # the first branch (a button) takes data of no stated shape; an HTML block is one the
    # schema spells out
    data = {"content": "<p>walk</p>", "display_options": {}}
    block = {"content_type": "block", "type": "html", "data": data}
    w.fill(body, ctx, "data/attributes/definition", block)


def _segment(w: Walker, body: Any, ctx: Context) -> None:
    # a group-membership condition must name a list of this account
    path = "data/attributes/definition/condition_groups/0/conditions/0/group_ids"
    w.fill(body, ctx, path, [w.existing("list")])


def _custom_metric(w: Walker, body: Any, ctx: Context) -> None:
    # a metric group names a metric of this account
    w.fill(body, ctx, "data/attributes/definition/metric_groups/0/metric_id", w.existing("metric"))


def _back_in_stock(w: Walker, body: Any, ctx: Context) -> None:
    # SMS (in the channels example) needs a phone number; the profile subscribing is optional in
    # the schema, but it is who gets notified
    w.fill(body, ctx, "data/attributes/channels", ["EMAIL"])
    w.fill(body, ctx, "data/attributes/profile")


def _consent(consent_path: str) -> Callable[[Walker, Any, Context], None]:
    def override(w: Walker, body: Any, ctx: Context) -> None:
        # subscriptions requires no channel, but a (un)subscribe changes at least one
        w.fill(
            body, ctx, f"data/attributes/profiles/data/0/attributes/subscriptions/{consent_path}"
        )

    return override


def _suppression(w: Walker, body: Any, ctx: Context) -> None:
    # profiles, list and segment are all optional: a job suppresses someone
    w.fill(body, ctx, "data/attributes/profiles")
    w.fill(body, ctx, "data/attributes/profiles/data/0/attributes/email", w.new_profile()[1])


def _deletion(w: Walker, body: Any, ctx: Context) -> None:
    # the profile to delete must exist, and be this test's own
    w.fill(body, ctx, "data/attributes/profile/data/attributes", {"email": w.new_profile()[1]})


def _push_token(w: Walker, body: Any, ctx: Context) -> None:
    # the example pairs vendor apns (Apple's) with the first platform, android
    w.fill(body, ctx, "data/attributes/platform", "ios")
    w.fill(body, ctx, "data/attributes/vendor", "apns")


def _unregister(w: Walker, body: Any, ctx: Context) -> None:
    # only a registered token can be unregistered: register this one first, for this profile
    attributes = body["data"]["attributes"]
    attributes["platform"] = "ios"
    attributes["vendor"] = "apns"

    def same(registered: Any) -> None:
        registered["data"]["attributes"].update(
            token=attributes["token"], profile=attributes["profile"]
        )

    w.call("create_client_push_token", then=same)


def _data_source(key: str) -> Callable[[Walker, Any, Context], None]:
    def override(w: Walker, body: Any, ctx: Context) -> None:
        # records belong to a data source (optional in the schema)
        w.fill(body, ctx, "data/relationships/data-source")
        if key not in body["data"]["attributes"]:
            w.fill(body, ctx, f"data/attributes/{key}")

    return override


def _object_schema(w: Walker, body: Any, ctx: Context) -> None:
    # an object schema belongs to an object type (optional in the schema)
    w.fill(body, ctx, "data/relationships/object-type")


def _schema_relationship(w: Walker, body: Any, ctx: Context) -> None:
    # a relationship between schemas has a name (meta is optional in the schema)
    w.fill(body, ctx, "data/0/meta")


#: operationId -> what the schema cannot say about its body.
OVERRIDES: dict[str, Callable[[Walker, Any, Context], None]] = {
    "create_campaign": _campaign,
    "create_flow": _flow,
    # status is "['draft', 'manual', or 'live']" in words only
    "update_flow": lambda w, body, ctx: w.fill(body, ctx, "data/attributes/status", "manual"),
    "create_template": _template,
    "create_universal_content": _universal_content,
    "create_segment": _segment,
    "create_custom_metric": _custom_metric,
    "query_metric_aggregates": _metric("data/attributes/metric_id"),
    "query_campaign_values": _metric("data/attributes/conversion_metric_id"),
    "query_flow_values": _metric("data/attributes/conversion_metric_id"),
    "query_flow_series": _metric("data/attributes/conversion_metric_id"),
    "create_back_in_stock_subscription": _back_in_stock,
    "create_client_back_in_stock_subscription": _back_in_stock,
    "bulk_subscribe_profiles": _consent("email/marketing"),
    "bulk_unsubscribe_profiles": _consent("email/marketing"),
    "bulk_suppress_profiles": _suppression,
    "bulk_unsuppress_profiles": _suppression,
    "request_profile_deletion": _deletion,
    "create_push_token": _push_token,
    "create_client_push_token": _push_token,
    "unregister_client_push_token": _unregister,
    "create_data_source_record": _data_source("data-source-record"),
    "bulk_create_data_source_records": _data_source("data-source-records"),
    "create_object_schema": _object_schema,
    "create_object_schema_relationship": _schema_relationship,
}


def _send_job(w: Walker, fresh: bool) -> str:
    # only a queued send job can be cancelled or reverted: the job of a campaign scheduled for
    # later (an immediate campaign is sent, and its job complete, at once)
    def later(body: Any) -> None:
        body["data"]["attributes"]["send_strategy"] = {"method": "static", "datetime": w.future()}

    campaign = w.call("create_campaign", fresh=True, then=later).data_ids()[0]
    w.call("send_campaign", then=lambda body: body["data"].update(id=campaign))
    return campaign


def _account_id(w: Walker, fresh: bool) -> str:
    # "The id of the tracking setting (account ID)"
    accounts = w.listed("account")
    if not accounts:
        raise WalkError("GET /api/accounts lists no account")
    return accounts[0]


def _webhook_topic(w: Walker, fresh: bool) -> str:
    # topics are Klaviyo's, not made through the API: listed, else the document's example (a
    # topic Klaviyo has)
    listed = w.listed("webhook-topic")
    if listed:
        return listed[0]
    example = w.spec.types["webhook-topic"].id_example
    assert example is not None
    return example


def _conversation(w: Walker, fresh: bool) -> str:
    # a profile's SMS conversation exists once it has a phone number (the mock's choice: it
    # sends nothing, so none is opened by a message)
    def phone(body: Any) -> None:
        body["data"]["attributes"]["phone_number"] = f"+1415555{next(w.counter) % 10_000:04d}"

    profile = w.call("create_profile", fresh=True, then=phone).data_ids()[0]
    found = w.related(w.spec.operations["get_conversations_for_profile"], profile)
    if not found:
        raise WalkError(f"profile {profile} with a phone number has no conversation")
    return found[0]


def _object_record(w: Walker, fresh: bool) -> str:
    # object records come of ingestion ("{object type id}:::{record id}"): a data source, an
    # object type whose active schema maps it, and a record sent to it
    source = w.obtain("data-source", fresh=True)
    key = w.unique("record")
    mapping = {
        "id": 1,
        "type": "simple",
        "source": {"source_id": source, "id_path": "$['id']", "data_path": "$['name']"},
    }
    schema = {
        "status": "active",
        "properties": [{"id": 1, "name": "name", "type": "string"}],
        "source-mapping": {
            "data": {"type": "source-mapping", "attributes": {"property_mappings": [mapping]}}
        },
    }
    made = w.call(
        "create_object_type",
        then=lambda body: body["data"]["attributes"].update(
            {"object-schema": {"data": {"type": "object-schema", "attributes": schema}}}
        ),
    )
    w.call(
        "create_data_source_record",
        given={"data-source": source},
        then=lambda body: body["data"]["attributes"]["data-source-record"]["data"][
            "attributes"
        ].update(record={"id": key, "name": "walk"}),
    )
    return f"{made.data_ids()[0]}:::{key}"


#: type -> how to get one, where the generic ways cannot (each with the reason).
RECIPES: dict[str, Callable[[Walker, bool], str]] = {
    "conversation": _conversation,
    "tracking-setting": _account_id,
    "webhook-topic": _webhook_topic,
    # "a singleton resource addressed at the fixed id integration-egress"
    "ip-allowlist": lambda w, fresh: "integration-egress",
    # "The profile schema does not exist as a persisted resource, so this value is always
    # profile"
    "profile-object-schema": lambda w, fresh: "profile",
    # "The ID of the campaign for which to get the estimated number of recipients"
    "campaign-recipient-estimation": lambda w, fresh: w.obtain("campaign", fresh=fresh),
    "campaign-send-job": _send_job,
    "object-record": _object_record,
}
