"""UTM tracking settings (``/api/tracking-settings``): one per account, made by Klaviyo, read and
changed, never created or deleted (``SeededSource``: stored the first time the account reads
it, back to the defaults after a reset). Its id is the account's id, as the document says
("account ID"): the account's public key, as ``GET /api/accounts`` shows it (*chosen*: the only
account id the API shows).

A new account's settings are Klaviyo's defaults as its help centre describes them (*chosen* in
the details): UTM parameters added to links automatically; ``utm_source`` "Klaviyo";
``utm_medium`` the message type; ``utm_campaign`` the campaign's name or the flow message's;
``utm_id`` the campaign's or the flow's id; ``utm_term`` off (null); no custom parameters.

A change is a partial update all the way down: a parameter given changes the campaign and flow
values it gives and keeps the others (*chosen*). ``utm_source`` and ``utm_medium`` are always
on (Klaviyo's help: "2 default UTM parameters that are always turned on"), so a null for them,
or for ``auto_add_parameters``, leaves them as they are, and a null campaign or flow value of
theirs is refused; a null for the other three turns them off. A static value says something
(a blank one is refused, *chosen*). Custom parameters are replaced as a whole (a null: none):
at most 5 (the help centre's limit), each with a name of its own (letter case aside,
*chosen*) that is not one of the five prebuilt parameters'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.commands import NotFound
from ...domain.listing import Item
from ...domain.resources import Attributes
from ...domain.service import Klaviyo
from ...domain.sources import seeded

SETTING = "tracking-setting"
ALWAYS_ON = ("utm_source", "utm_medium")
OPTIONAL = ("utm_campaign", "utm_id", "utm_term")
PARAMETERS = (*ALWAYS_ON, *OPTIONAL)
CUSTOM = "custom_parameters"
#: Fully custom parameters an account may have (Klaviyo's help centre: "up to 5").
MAX_CUSTOM = 5
#: The kinds of message a parameter has a value for.
MESSAGES = ("campaign", "flow")


def _static(value: str) -> dict[str, str]:
    return {"type": "static", "value": value}


def _dynamic(value: str) -> dict[str, str]:
    return {"type": "dynamic", "value": value}


#: A new account's settings (*chosen*, after Klaviyo's help centre).
DEFAULTS: dict[str, Any] = {
    "auto_add_parameters": True,
    "utm_source": {"campaign": _static("Klaviyo"), "flow": _static("Klaviyo")},
    "utm_medium": {"campaign": _dynamic("message_type"), "flow": _dynamic("message_type")},
    "utm_campaign": {"campaign": _dynamic("campaign_name"), "flow": _dynamic("message_name")},
    "utm_id": {"campaign": _dynamic("campaign_id"), "flow": _dynamic("flow_id")},
    "utm_term": None,
    CUSTOM: [],
}


def seed(account: Account) -> list[tuple[str, Attributes]]:
    """The account's one tracking setting, with Klaviyo's defaults."""
    return [(account.shown_public_key, {k: _copy(v) for k, v in DEFAULTS.items()})]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _values(name: str, given: Mapping[str, Any], *, always_on: bool) -> None:
    """Each campaign or flow value a parameter gives: a static one says something, an
    always-on parameter's is never removed."""
    for message in MESSAGES:
        if message not in given:
            continue
        value = given[message]
        if value is None:
            if always_on:
                raise InvalidAttribute(
                    f"{name}/{message}", f"{name} is always on: its {message} value stays."
                )
            continue
        if value["type"] == "static" and not str(value["value"]).strip():
            raise InvalidAttribute(f"{name}/{message}/value", "A static value cannot be blank.")


def _parameter(name: str, current: Any, given: Any) -> Any:
    """A prebuilt parameter after a change: ``given`` merged into ``current``."""
    if given is None:
        return current if name in ALWAYS_ON else None
    _values(name, given, always_on=name in ALWAYS_ON)
    merged = dict(current) if isinstance(current, Mapping) else {}
    merged.update({message: given[message] for message in MESSAGES if message in given})
    return merged


def _custom(given: Any) -> list[Any]:
    """Custom parameters after a change (replaced whole): at most five, named apart."""
    if given is None:
        return []
    if len(given) > MAX_CUSTOM:
        raise InvalidAttribute(CUSTOM, f"An account has at most {MAX_CUSTOM} custom parameters.")
    seen: set[str] = set()
    for index, parameter in enumerate(given):
        name = str(parameter["name"]).strip()
        where = f"{CUSTOM}/{index}"
        if not name:
            raise InvalidAttribute(f"{where}/name", "A custom parameter needs a name.")
        if name.lower() in PARAMETERS:
            raise InvalidAttribute(f"{where}/name", f"{name} is a prebuilt parameter.")
        if name.lower() in seen:
            raise InvalidAttribute(f"{where}/name", f"Two custom parameters are named {name}.")
        seen.add(name.lower())
        _values(where, parameter, always_on=False)
    return list(given)


def changed(current: Mapping[str, Any], given: Mapping[str, Any]) -> Attributes:
    """The attributes a change sets (those it gives), checked."""
    found: Attributes = {}
    if given.get("auto_add_parameters") is not None:
        found["auto_add_parameters"] = given["auto_add_parameters"]
    for name in PARAMETERS:
        if name in given:
            found[name] = _parameter(name, current.get(name), given[name])
    if CUSTOM in given:
        found[CUSTOM] = _custom(given[CUSTOM])
    return found


def update(backend: Backend, setting_id: str, given: Mapping[str, Any]) -> Item:
    """Change the account's tracking setting (seeded first, if the account never read it)."""
    source = backend.resources.source(SETTING)
    with backend.store.locked():
        found = source.items([setting_id])
        if not found:
            raise NotFound(f"There is no tracking setting {setting_id}; the account's is its id.")
        attributes = changed(found[0].attributes, given)
        return backend.resources.update(SETTING, setting_id, attributes)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources[SETTING] = seeded(SETTING, seed)
