"""Today's subscription endpoints (current-api.md §6 and §7): the bulk subscribe and
unsubscribe jobs (``/api``, private key) and ``/client/subscriptions`` (public key).

All three answer 202 with no body once the whole call is applied; a call that cannot be
applied is refused whole (400, or 404 for an unknown list) and changes nothing. The rules are
in ``domain.subscriptions``.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from ..domain.subscriptions import BadSubscriber
from .context import backend
from .context import note
from .errors import ApiError
from .jsonapi import account
from .jsonapi import body
from .jsonapi import client_guard
from .jsonapi import load
from .jsonapi import private_guard
from .jsonapi import respond
from .jsonapi import stamp
from .subscription_documents import BulkSubscribeQuery
from .subscription_documents import BulkUnsubscribeQuery
from .subscription_documents import ClientSubscriptionQuery

bp = Blueprint("subscriptions", __name__)
bp.before_request(private_guard)
bp.after_request(stamp)

client_bp = Blueprint("client_subscriptions", __name__)
client_bp.before_request(client_guard)
client_bp.after_request(stamp)

subscribe_query = BulkSubscribeQuery()
unsubscribe_query = BulkUnsubscribeQuery()
client_query = ClientSubscriptionQuery()

#: Where each call's profiles sit in its body.
BULK_PROFILES = "/data/attributes/profiles/data/{index}/attributes"
CLIENT_PROFILE = "/data/attributes/profile/data/attributes"


def _refusal(error: BadSubscriber, where: str) -> ApiError:
    pointer = where.format(index=error.index)
    return ApiError(400, str(error), pointer=f"{pointer}/{error.name}" if error.name else pointer)


@bp.post("/api/profile-subscription-bulk-create-jobs", strict_slashes=False)
def bulk_subscribe() -> Response:
    owner = account()
    job = load(subscribe_query, body())
    decisions: list[str] = []
    try:
        touched = backend().subscriptions.subscribe(
            owner,
            job["subscribers"],
            job["list_id"],
            decisions,
            source="profile-subscription-bulk-create-job",
            custom_source=job["custom_source"],
            historical=job["historical"],
        )
    except BadSubscriber as error:
        raise _refusal(error, BULK_PROFILES) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)


@bp.post("/api/profile-subscription-bulk-delete-jobs", strict_slashes=False)
def bulk_unsubscribe() -> Response:
    owner = account()
    job = load(unsubscribe_query, body())
    decisions: list[str] = []
    try:
        touched = backend().subscriptions.unsubscribe(
            owner,
            job["subscribers"],
            job["list_id"],
            decisions,
            source="profile-subscription-bulk-delete-job",
        )
    except BadSubscriber as error:
        raise _refusal(error, BULK_PROFILES) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)


@client_bp.post("/client/subscriptions", strict_slashes=False)
def client_subscription() -> Response:
    """Like the bulk job for one profile, except that a profile it finds keeps its
    identifiers (client endpoints never change them, current-api.md §6)."""
    owner = account()
    call = load(client_query, body())
    decisions: list[str] = []
    try:
        touched = backend().subscriptions.subscribe(
            owner,
            [call["subscriber"]],
            call["list_id"],
            decisions,
            source="client-subscription",
            custom_source=call["custom_source"],
            keep_identifiers=True,
        )
    except BadSubscriber as error:
        raise _refusal(error, CLIENT_PROFILE) from None
    note(*decisions, profiles=touched)
    return respond(None, 202)
