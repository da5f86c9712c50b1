"""The control plane for tests, under one reserved prefix: ``/__mock__``.

``POST /__mock__/reset``, ``GET /__mock__/state``, ``GET /__mock__/profiles``,
``GET /__mock__/events``, ``GET /__mock__/metrics``, ``GET /__mock__/lists``,
``GET /__mock__/duplicates``, ``GET /__mock__/journal`` and ``POST /__mock__/scenario``.
Each takes ``?account=`` (a public key; default: the first declared account, or the open one).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from .. import scenario
from ..domain.models import Evidence
from ..domain.models import IdentifierKind
from ..domain.models import Profile
from ..domain.ports import Store
from ..domain.resources import dump as dump_resources
from .context import service
from .errors import ApiError
from .journal import ADMIN_PREFIX

bp = Blueprint("admin", __name__, url_prefix=ADMIN_PREFIX)


def profile_json(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        **{kind.value: profile.identifiers.get(kind) for kind in IdentifierKind},
        "attributes": profile.attributes,
        "properties": profile.properties,
        "former_identifiers": {kind.value: values for kind, values in profile.former.items()},
        "consent": profile.consent,
        "created": profile.created,
        "updated": profile.updated,
    }


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        "kind": evidence.kind.value,
        "profiles": list(evidence.profiles),
        "detail": evidence.detail,
    }


def _account() -> str:
    key = request.args.get("account")
    if not key:
        return service().default_account
    account = service().accounts.for_public_key(key)
    if account is None:
        raise ApiError(404, f"No account with public key {key!r}.")
    return account.id


def _limit() -> int | None:
    text = request.args.get("limit")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()):
        raise ApiError(400, "limit must be a non-negative integer.")
    return int(text)


def _only(*allowed: str) -> None:
    """Refuse parameters this call does not know: a misspelt filter must not list everything."""
    unknown = sorted(set(request.args) - {"account", *allowed})
    if unknown:
        takes = ", ".join(["account", *allowed])
        raise ApiError(400, f"Unknown parameter(s) {', '.join(unknown)}; this call takes {takes}.")


@bp.post("/reset")
def reset() -> Response:
    _only()
    key = request.args.get("account")
    account = _account() if key else None
    service().reset(account)
    return jsonify(reset=account or "all")


@bp.get("/profiles")
def profiles() -> Response:
    _only(*scenario.IDENTIFIER_KEYS)
    account = _account()
    klaviyo = service()
    selectors = {k: v for k, v in request.args.items() if k in scenario.IDENTIFIER_KEYS}
    if selectors:
        found = [
            klaviyo.find_profile(account, scenario.IDENTIFIER_KEYS[key], value)
            for key, value in selectors.items()
        ]
        listed = list({p.id: p for p in found if p is not None}.values())
    else:
        listed = klaviyo.profiles(account)
    return jsonify(account=account, profiles=[profile_json(p) for p in listed])


@bp.get("/events")
def events() -> Response:
    """Events oldest first, with their metric's name: all, or a profile's (``profile``: its id),
    or a metric's (``metric``: its name or id), or both."""
    _only("profile", "metric")
    account = _account()
    store = service().store
    with store.locked():
        metrics = {m.id: m.name for m in store.metrics(account)}
        named = request.args.get("metric")
        metric_id = None
        if named is not None:
            metric_id = next((i for i, n in metrics.items() if named in (i, n)), None)
            if metric_id is None:
                return jsonify(account=account, events=[])
        found = store.events(account, profile_id=request.args.get("profile"), metric_id=metric_id)
    found.sort(key=lambda e: (e.timestamp, e.id))
    shown = [{**e.to_document(), "metric": metrics.get(e.metric_id)} for e in found]
    return jsonify(account=account, events=shown)


@bp.get("/metrics")
def metrics() -> Response:
    _only()
    account = _account()
    store = service().store
    with store.locked():
        found = [m.to_document() for m in store.metrics(account)]
    return jsonify(account=account, metrics=found)


@bp.get("/lists")
def lists() -> Response:
    """Every list, with its memberships (``profile_id``, ``status``, ``at``), in the order they
    were made."""
    _only()
    account = _account()
    store = service().store
    with store.locked():
        found = _lists(store, account)
    return jsonify(account=account, lists=found)


def _lists(store: Store, account: str) -> list[dict[str, Any]]:
    return [
        {
            **record.to_document(),
            "members": [
                {"profile_id": m.profile_id, "status": m.status.value, "at": m.at}
                for _, m in store.memberships(account, record.id)
            ],
        }
        for record in store.lists(account)
    ]


@bp.get("/duplicates")
def duplicates() -> Response:
    _only()
    account = _account()
    klaviyo = service()
    by_id = {p.id: p for p in klaviyo.profiles(account)}
    groups = []
    for group in klaviyo.duplicates(account):
        entries = klaviyo.journal.entries(account=account, profiles=group.profiles, limit=20)
        groups.append(
            {
                "profiles": [profile_json(by_id[pid]) for pid in group.profiles],
                "evidence": [evidence_json(e) for e in group.evidence],
                "journal": [e.to_json() for e in entries],
            }
        )
    return jsonify(account=account, groups=groups)


@bp.get("/journal")
def journal() -> Response:
    """Calls newest first; ``format=scenario``: the account's calls since its last reset or
    scenario load, written as a scenario file (YAML) that replays them."""
    if request.args.get("format") is not None:
        _only("format")
        if request.args["format"] != "scenario":
            raise ApiError(400, "format takes one value: scenario.")
        try:
            text = scenario.record(service(), _account())
        except scenario.RecordError as error:
            raise ApiError(409, f"Cannot write the journal as a scenario: {error}.") from None
        return Response(text, mimetype="application/yaml")
    _only("identifier", "path", "limit")
    key = request.args.get("account")
    entries = service().journal.entries(
        account=_account() if key else None,
        identifier=request.args.get("identifier"),
        path=request.args.get("path"),
        limit=_limit(),
    )
    return jsonify(entries=[e.to_json() for e in entries])


@bp.get("/state")
def state() -> Response:
    _only()
    klaviyo = service()
    key = request.args.get("account")
    accounts = [_account()] if key else klaviyo.store.accounts()
    dump = {}
    for account in accounts:
        with klaviyo.store.locked():
            resources = dump_resources(klaviyo.store.records(account))
        dump[account] = {
            "profiles": [profile_json(p) for p in klaviyo.profiles(account)],
            "metrics": [m.to_document() for m in klaviyo.store.metrics(account)],
            "events": [e.to_document() for e in klaviyo.store.events(account)],
            "evidence": [evidence_json(e) for e in klaviyo.store.evidence(account)],
            "lists": _lists(klaviyo.store, account),
            "resources": resources,
        }
    return jsonify(accounts=dump)


@bp.post("/scenario")
def load_scenario() -> Response:
    """The body is a scenario's YAML. ``?run=true`` also sends its steps and checks it."""
    name = request.args.get("name") or "scenario"
    try:
        loaded = scenario.load(name, request.get_data(as_text=True))
        if request.args.get("run", "").lower() in ("1", "true", "yes"):
            report = scenario.run(service(), current_app.test_client(), loaded)
            return jsonify(
                scenario=loaded.name,
                passed=report.passed,
                steps=report.steps,
                failures=report.failures,
                report=report.text(),
            )
        context = scenario.seed(service(), loaded)
    except scenario.ScenarioError as error:
        raise ApiError(400, str(error)) from None
    return jsonify(
        scenario=loaded.name,
        profiles={name: pid for name, (_, pid) in context.names.items()},
        lists={name: list_id for name, (_, list_id) in context.lists.items()},
    )
