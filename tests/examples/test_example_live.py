# test_any_client.py: the live server, for clients that do not go through requests
import json
import urllib.parse
import urllib.request


def test_identify_over_a_real_socket(klaviyo_live):
    data = json.dumps({"token": "AbC123", "properties": {"$email": "sam@example.com"}})
    body = urllib.parse.urlencode({"data": data}).encode()
    with urllib.request.urlopen(f"{klaviyo_live.url}/api/identify", data=body) as response:
        assert response.read() == b"1"
    assert klaviyo_live.find_profile(email="sam@example.com") is not None
    [entry] = klaviyo_live.journal(identifier="sam@example.com")
    assert entry["decisions"][0].startswith("created ")
