"""The reviews values report (``GET /client/review-values-reports``): the account's published
reviews (generic ``review`` records) over a timeframe, grouped by company (the account) or by
product, with their counts and average ratings.

A review counts once published (``published`` or ``featured``; *chosen*: the report feeds
storefront widgets, which show no pending or rejected review), made within the timeframe
(``last_30_days``: the 30 days before now, *chosen*). Its product is the product's
``external_id``, else the catalog item it is linked to (*chosen*); store reviews have none, and
only show grouped by company.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from ...domain.filters import Filter
from ...domain.filters import matches
from ...domain.ports import Records
from .timeframes import ReportError
from .timeframes import parse_moment

STATISTICS = (
    "average_rating",
    "total_reviews",
    "total_questions",
    "total_ratings",
    "total_store_reviews",
    "average_store_rating",
)
#: Days a timeframe goes back from now (None: all time).
TIMEFRAMES = {"all_time": None, "last_30_days": 30, "last_90_days": 90, "last_365_days": 365}
PUBLISHED = frozenset({"published", "featured"})
#: Review types that carry a product rating (a store review rates the store).
RATED = frozenset({"review", "rating"})


@dataclass(frozen=True, slots=True)
class Review:
    review_type: str
    rating: int | None
    product: str | None


def statistics_asked(text: str) -> tuple[str, ...]:
    """The ``statistics`` parameter: a comma-separated list of ``STATISTICS``."""
    asked = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    if not asked:
        raise ReportError("statistics", "Give at least one statistic.")
    for name in asked:
        if name not in STATISTICS:
            raise ReportError(
                "statistics",
                f"{name!r} is not a statistic of this report; choose from {', '.join(STATISTICS)}.",
            )
    return asked


def _status(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("value")
    return value if isinstance(value, str) else None


def _product(records: Records, review_id: str, attributes: Mapping[str, Any]) -> str | None:
    product = attributes.get("product")
    external = product.get("external_id") if isinstance(product, Mapping) else None
    if external:
        return str(external)
    item = records.linked("review", review_id, "item")
    return item[0] if item else None


def published(records: Records, timeframe: str, now: datetime) -> list[Review]:
    """The published reviews made within the timeframe, in the order they were made."""
    days = TIMEFRAMES[timeframe]
    since = None if days is None else now - timedelta(days=days)
    found = []
    for record in sorted(records.scan("review"), key=lambda r: r.get("seq", 0)):
        attributes = record.get("attributes") or {}
        if _status(attributes.get("status")) not in PUBLISHED:
            continue
        made = parse_moment(attributes.get("created") or record.get("created"))
        if since is not None and (made is None or made < since):
            continue
        rating = attributes.get("rating")
        found.append(
            Review(
                str(attributes.get("review_type") or "review"),
                rating if isinstance(rating, int) and not isinstance(rating, bool) else None,
                _product(records, str(record["id"]), attributes),
            )
        )
    return found


def _average(ratings: list[int]) -> float | None:
    return sum(ratings) / len(ratings) if ratings else None


def _statistics(reviews: Iterable[Review], asked: tuple[str, ...]) -> dict[str, Any]:
    reviews = list(reviews)
    rated = [r.rating for r in reviews if r.review_type in RATED and r.rating is not None]
    store = [r for r in reviews if r.review_type == "store"]
    store_rated = [r.rating for r in store if r.rating is not None]
    counted = {
        "average_rating": _average(rated),
        "total_reviews": sum(1 for r in reviews if r.review_type == "review"),
        "total_questions": sum(1 for r in reviews if r.review_type == "question"),
        "total_ratings": len(rated),
        "total_store_reviews": len(store),
        "average_store_rating": _average(store_rated),
    }
    return {name: counted[name] for name in asked}


def _named(where: Filter, product: str) -> bool:
    """Whether the filter on ``product_external_ids`` names the product."""
    return matches(where, lambda _: product)


def groupings(
    reviews: list[Review],
    group_by: str,
    asked: tuple[str, ...],
    company_id: str,
    where: Filter | None,
) -> list[dict[str, Any]]:
    """The report's results: the company's, or one per product (in the order their first
    review was made), over the reviews the filter on ``product_external_ids`` keeps (those of
    the products it names: no store review)."""
    if where is not None:
        reviews = [r for r in reviews if r.product is not None and _named(where, r.product)]
    if group_by == "company_id":
        return [
            {"groupings": {"company_id": company_id}, "statistics": _statistics(reviews, asked)}
        ]
    by_product: dict[str, list[Review]] = {}
    for review in reviews:
        if review.product is not None:
            by_product.setdefault(review.product, []).append(review)
    return [
        {"groupings": {"product_id": product}, "statistics": _statistics(found, asked)}
        for product, found in by_product.items()
    ]
