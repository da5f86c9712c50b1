# test_legacy_sdk.py: Klaviyo's legacy Python SDK (PyPI klaviyo-sdk) through test_host
import warnings

from klaviyo_sdk import Client


def test_sdk_identify_then_search(klaviyo_live):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK announces its retirement
        client = Client("pk_test", test_host=klaviyo_live.api_url)
    payload = {"token": "AbC123", "properties": {"$email": "sdk@example.com", "$id": "u-7"}}
    assert client.TrackIdentify.identify_get(payload) == "1"
    found = client.Profiles.get_profile_id(email="sdk@example.com")
    assert found.id == klaviyo_live.find_profile(external_id="u-7")["id"]
