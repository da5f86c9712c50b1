"""Webhooks (``/api/webhooks``) and the topics they subscribe to (``/api/webhook-topics``).

Topics are Klaviyo's own catalog: the same for every account, never made through the API
(``SeededSource``: stored the first time an account reads them, back after a reset). The
document names one (``event:klaviyo.sent_sms``, its example); the catalog is the system topics
Klaviyo's guide "Working with system webhooks" lists, that one among them (*chosen*: the
document alone would leave a one-topic catalog).

A webhook is a generic resource with Klaviyo's rules: its ``endpoint_url`` "must be https" (a
400 otherwise), it has a name, it subscribes to at least one topic that exists (*chosen*: the
document requires the relationship but not that it names one), and its ``secret_key`` is
write-only: kept beside the webhook (its ``extra``), never shown, as no answer's schema has it.
A new webhook is enabled (*chosen*: the create body cannot say, and a webhook is made to be
called); a blank name or secret is refused (*chosen*). Klaviyo calls the url it answers
"truncated for security" without saying how; the mock shows it whole, as it was given
(*chosen*). The listings are not paged (the document gives them no cursor): they answer every
webhook, every topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ...domain.accounts import Account
from ...domain.backend import Backend
from ...domain.commands import InvalidAttribute
from ...domain.listing import Item
from ...domain.resources import Attributes
from ...domain.resources import Rules
from ...domain.service import Klaviyo
from ...domain.sources import seeded

WEBHOOK = "webhook"
TOPIC = "webhook-topic"
TOPICS_RELATIONSHIP = "webhook-topics"
SECRET = "secret_key"

#: Klaviyo's system webhook topics, by channel (the guide's topic table; the document's example
#: ``event:klaviyo.sent_sms`` is one of them). Every account has the same.
TOPICS: tuple[str, ...] = tuple(
    f"event:klaviyo.{name}"
    for name in (
        # email
        "bounced_email",
        "clicked_email",
        "dropped_email",
        "marked_email_as_spam",
        "opened_email",
        "received_email",
        "subscribed_to_email_marketing",
        "unsubscribed_from_email_marketing",
        "manually_suppressed_from_email_marketing",
        "manually_unsuppressed_from_email_marketing",
        "updated_email_preferences",
        # sms
        "clicked_sms",
        "failed_to_deliver_sms",
        "failed_to_deliver_automated_response_sms",
        "received_automated_response_sms",
        "received_sms",
        "sent_sms",
        "subscribed_to_sms_marketing",
        "unsubscribed_from_sms_marketing",
        # push
        "bounced_push",
        "opened_push",
        "received_push",
        # reviews
        "ready_to_review",
        "submitted_rating",
        "submitted_review",
    )
)


def topics(account: Account) -> list[tuple[str, Attributes]]:
    """The topic catalog (``SeededSource`` seed): ids only, topics have no attributes."""
    return [(topic, {}) for topic in TOPICS]


def checked_url(url: str) -> str:
    """An endpoint a webhook may call: an absolute https url with a host ("Must be https")."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        fit = parts.scheme.lower() == "https" and bool(parts.hostname)
    except ValueError:  # a malformed host (``https://[::1``)
        fit = False
    if not fit or any(c.isspace() for c in text):
        raise InvalidAttribute("endpoint_url", f"{url!r} is not an https url; it must be.")
    return text


def _named(attributes: Mapping[str, Any]) -> None:
    name = attributes.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidAttribute("name", "A webhook needs a name.")


def written(attributes: Mapping[str, Any]) -> tuple[Attributes, dict[str, Any]]:
    """A body's attributes split into what the webhook shows and what it keeps unseen (its
    secret). A null leaves a member that the webhook cannot lack as it was (*chosen*: a
    partial update's null is "not given" where the answer has no null; ``description`` can be
    cleared)."""
    shown = {k: v for k, v in attributes.items() if k != SECRET}
    shown = {k: v for k, v in shown.items() if v is not None or k == "description"}
    kept: dict[str, Any] = {}
    secret = attributes.get(SECRET)
    if secret is not None:
        if not str(secret).strip():
            raise InvalidAttribute(SECRET, "A webhook's secret_key cannot be blank.")
        kept[SECRET] = secret
    return shown, kept


def _on_create(backend: Backend, record_id: str, attributes: Attributes) -> Attributes:
    """A new webhook: named, calling an https url, enabled unless the body says."""
    _named(attributes)
    attributes["endpoint_url"] = checked_url(str(attributes.get("endpoint_url", "")))
    attributes.setdefault("enabled", True)
    attributes.setdefault("description", None)
    return attributes


def _on_update(
    backend: Backend, record_id: str, current: Mapping[str, Any], attributes: Attributes
) -> Attributes:
    """A changed webhook keeps the create's rules."""
    _named(attributes)
    attributes["endpoint_url"] = checked_url(str(attributes.get("endpoint_url", "")))
    return attributes


def create(backend: Backend, attributes: Mapping[str, Any], topic_ids: Sequence[str]) -> Item:
    """Make a webhook subscribed to ``topic_ids`` (checked by the caller), its secret kept."""
    shown, kept = written(attributes)
    return backend.resources.create(
        WEBHOOK, shown, {TOPICS_RELATIONSHIP: list(topic_ids)}, extra=kept
    )


def update(
    backend: Backend,
    webhook_id: str,
    attributes: Mapping[str, Any],
    topic_ids: Sequence[str] | None,
) -> Item:
    """Change a webhook; ``topic_ids`` (when given) replace its topics."""
    shown, kept = written(attributes)
    links = {} if topic_ids is None else {TOPICS_RELATIONSHIP: list(topic_ids)}
    return backend.resources.update(WEBHOOK, webhook_id, shown, links, extra=kept)


def install(klaviyo: Klaviyo) -> None:
    klaviyo.registry.sources[TOPIC] = seeded(TOPIC, topics)
    klaviyo.registry.rules[WEBHOOK] = Rules(on_create=_on_create, on_update=_on_update)
