# test_async_signup.py: an integration on httpx (async), in process
# (pip install 'klaviyo-mock[httpx]': the mock answers httpx through respx)
import asyncio

import httpx

HEADERS = {
    "Authorization": "Klaviyo-API-Key pk_test",
    "revision": "2026-07-15",
    "Content-Type": "application/vnd.api+json",
}


async def sign_up(email: str) -> str:
    """Your integration's code: create or update the profile (profile-import)."""
    body = {"data": {"type": "profile", "attributes": {"email": email}}}
    async with httpx.AsyncClient(base_url="https://a.klaviyo.com", headers=HEADERS) as client:
        answer = await client.post("/api/profile-import", json=body)
        answer.raise_for_status()
        return answer.json()["data"]["id"]


def test_signing_up_twice_is_one_profile(klaviyo_mock):
    first = asyncio.run(sign_up("sam@example.com"))
    second = asyncio.run(sign_up("Sam@Example.com"))
    assert first == second
    assert [p["email"] for p in klaviyo_mock.profiles()] == ["sam@example.com"]
