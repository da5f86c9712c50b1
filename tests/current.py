"""What the tests of today's API share: headers, bodies, the state and the error envelope."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from conftest import CURRENT

ACCOUNT = "default"
HEADERS = CURRENT  # what the official SDK sends
E, E2, PHONE = "betty@example.com", "betty.new@example.com", "+15555550100"
#: The pointer to the profile attributes inside an event body.
PERSON = "data/attributes/profile/data/attributes"
T0 = 1_704_067_200  # 2024-01-01T00:00:00+00:00


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def event_body(
    metric: str = "Placed Order",
    profile: dict[str, Any] | None = None,
    profile_id: str | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "type": "profile",
        "attributes": {"email": E} if profile is None else profile,
    }
    if profile_id is not None:
        person["id"] = profile_id
    return {
        "data": {
            "type": "event",
            "attributes": {
                "properties": {"Sku": "1"},
                "metric": {"data": {"type": "metric", "attributes": {"name": metric}}},
                "profile": {"data": person},
                **attributes,
            },
        }
    }


def state(klaviyo) -> tuple[Any, ...]:
    return (
        klaviyo.profiles(ACCOUNT),
        klaviyo.store.events(ACCOUNT),
        klaviyo.store.metrics(ACCOUNT),
    )


def error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/vnd.api+json"
    [entry] = response.json["errors"]
    assert entry["status"] == status
    return entry


def refused(answer: Any, status: int, pointer: str | None = None) -> dict[str, Any]:
    """The one error of a refused call, pointing at ``pointer`` when one is given."""
    assert answer.status_code == status, answer.data
    [found] = answer.json["errors"]
    if pointer is not None:
        assert found["source"] == {"pointer": pointer}, found
    return dict(found)


def push_token_body(
    profile: dict[str, Any], token: str = "tok-1", **attributes: Any
) -> dict[str, Any]:
    """``POST /api/push-tokens``: an iOS token of the profile ``profile`` describes."""
    return {
        "data": {
            "type": "push-token",
            "attributes": {
                "token": token,
                "platform": "ios",
                "vendor": "apns",
                "profile": {"data": {"type": "profile", "attributes": profile}},
                **attributes,
            },
        }
    }
