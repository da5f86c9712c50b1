"""Hand-written behaviour, one package per resource family (moto's split): ``models.py`` holds
the family's rules (pure Python: no Flask, no TinyDB) and ``install(klaviyo)`` registers them
with the generic resources; ``responses.py`` holds the HTTP handlers of the operations the
family answers itself, by ``operationId`` (``HANDLERS``). Every other operation is answered by
the generic handler of its kind (``api.generic``). ``docs/families.md`` says how to add one.
"""

from __future__ import annotations

from types import ModuleType

from ..api.call import Handler
from ..domain.service import Klaviyo
from .accounts import models as accounts_models
from .accounts import responses as accounts_responses
from .bulk import models as bulk_models
from .bulk import responses as bulk_responses
from .campaigns import models as campaigns_models
from .campaigns import responses as campaigns_responses
from .catalogs import models as catalogs_models
from .catalogs import responses as catalogs_responses
from .client_config import models as client_config_models
from .client_config import responses as client_config_responses
from .conversations import models as conversations_models
from .conversations import responses as conversations_responses
from .coupons import models as coupons_models
from .coupons import responses as coupons_responses
from .custom_objects import models as custom_objects_models
from .custom_objects import responses as custom_objects_responses
from .events import models as events_models
from .events import responses as events_responses
from .flows import models as flows_models
from .flows import responses as flows_responses
from .forms import models as forms_models
from .forms import responses as forms_responses
from .images import models as images_models
from .images import responses as images_responses
from .lists import models as lists_models
from .lists import responses as lists_responses
from .metric_catalog import models as metric_catalog_models
from .metric_catalog import responses as metric_catalog_responses
from .privacy import models as privacy_models
from .privacy import responses as privacy_responses
from .profiles import models as profiles_models
from .profiles import responses as profiles_responses
from .push_tokens import models as push_tokens_models
from .push_tokens import responses as push_tokens_responses
from .reporting import models as reporting_models
from .reporting import responses as reporting_responses
from .reviews import models as reviews_models
from .reviews import responses as reviews_responses
from .subscriptions import models as subscriptions_models
from .subscriptions import responses as subscriptions_responses
from .suppressions import models as suppressions_models
from .suppressions import responses as suppressions_responses
from .tags import models as tags_models
from .tags import responses as tags_responses
from .templates import models as templates_models
from .templates import responses as templates_responses
from .tracking import models as tracking_models
from .tracking import responses as tracking_responses
from .webhooks import models as webhooks_models
from .webhooks import responses as webhooks_responses

#: (models, responses) of each family.
FAMILIES: tuple[tuple[ModuleType, ModuleType], ...] = (
    (accounts_models, accounts_responses),
    (profiles_models, profiles_responses),
    (events_models, events_responses),
    (lists_models, lists_responses),
    (subscriptions_models, subscriptions_responses),
    (campaigns_models, campaigns_responses),
    (templates_models, templates_responses),
    (images_models, images_responses),
    (catalogs_models, catalogs_responses),
    (coupons_models, coupons_responses),
    (flows_models, flows_responses),
    (forms_models, forms_responses),
    (webhooks_models, webhooks_responses),
    (tracking_models, tracking_responses),
    (metric_catalog_models, metric_catalog_responses),
    (reviews_models, reviews_responses),
    (client_config_models, client_config_responses),
    (custom_objects_models, custom_objects_responses),
    (reporting_models, reporting_responses),
    (bulk_models, bulk_responses),
    (privacy_models, privacy_responses),
    (suppressions_models, suppressions_responses),
    (tags_models, tags_responses),
    (push_tokens_models, push_tokens_responses),
    (conversations_models, conversations_responses),
)


def install(klaviyo: Klaviyo) -> None:
    """Register every family's rules with ``klaviyo``'s generic resources."""
    for models, _ in FAMILIES:
        models.install(klaviyo)


def handlers() -> dict[str, Handler]:
    """Every family's handlers, by ``operationId`` (each operation answered by one family)."""
    found: dict[str, Handler] = {}
    for _, responses in FAMILIES:
        for operation_id, handler in responses.HANDLERS.items():
            if operation_id in found:
                raise RuntimeError(f"{operation_id} is answered by two families")
            found[operation_id] = handler
    return found
