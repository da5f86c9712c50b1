# test_signup.py: your integration, tested in process (nothing listens on a port)
import base64
import json

import requests

KLAVIYO = "https://a.klaviyo.com"


def identify(properties: dict) -> None:
    """Your integration's code: Klaviyo's legacy Identify, as a GET with base64 data."""
    data = base64.b64encode(json.dumps({"token": "AbC123", "properties": properties}).encode())
    requests.get(f"{KLAVIYO}/api/identify", params={"data": data.decode()}, timeout=10)


def test_server_side_and_front_end_calls_make_one_profile(klaviyo_mock):
    identify({"$id": "betty-1", "$email": "betty@example.com"})  # server side
    identify({"$email": "betty@example.com", "$first_name": "Betty"})  # front end
    klaviyo_mock.assert_no_duplicates()
    betty = klaviyo_mock.find_profile(email="betty@example.com")
    assert betty["external_id"] == "betty-1"
    assert betty["attributes"] == {"first_name": "Betty"}


def test_changing_the_email_leaves_the_old_one_behind(klaviyo_mock):
    identify({"$id": "betty-1", "$email": "betty@example.com"})
    identify({"$id": "betty-1", "$email": "betty.new@example.com"})  # email change through $id
    identify({"$email": "betty@example.com"})  # a stale front end still has the old email
    klaviyo_mock.assert_duplicates([{"external_id": "betty-1"}, {"email": "betty@example.com"}])
