# test_upsert.py: an integration on today's official SDK (PyPI klaviyo-api), unchanged, in
# process: klaviyo_mock answers its calls to https://a.klaviyo.com (no test_host needed)
import json

from klaviyo_api import KlaviyoAPI
from openapi_client.exceptions import ApiException


def upsert(klaviyo: KlaviyoAPI, email: str, **attributes) -> str:
    """Your integration's code: create the profile; on 409, update the one Klaviyo names."""
    attributes["email"] = email
    try:
        body = {"data": {"type": "profile", "attributes": attributes}}
        return klaviyo.Profiles.create_profile(body).data.id
    except ApiException as error:
        if error.status != 409:
            raise
        holder = json.loads(error.body)["errors"][0]["meta"]["duplicate_profile_id"]
        body = {"data": {"type": "profile", "id": holder, "attributes": attributes}}
        return klaviyo.Profiles.update_profile(holder, body).data.id


def test_upserting_twice_makes_one_profile(klaviyo_mock):
    klaviyo = KlaviyoAPI("pk_test")
    first = upsert(klaviyo, "betty@example.com", first_name="Betty")
    second = upsert(klaviyo, "Betty@Example.com", last_name="Jones")
    assert first == second
    betty = klaviyo_mock.find_profile(email="betty@example.com")
    assert betty["attributes"] == {"first_name": "Betty", "last_name": "Jones"}
    assert len(klaviyo_mock.profiles()) == 1
