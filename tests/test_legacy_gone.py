"""``--legacy gone``: the legacy API answers 410 Gone, as Klaviyo has since 2024-06-30."""

from __future__ import annotations

import pytest
from conftest import PUBLIC
from conftest import b64

from mockserver import create_app


@pytest.fixture
def gone():
    app = create_app({"TESTING": True, "LEGACY": "gone"})
    return app.test_client(), app.extensions["klaviyo_mock"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param(
            "get",
            f"/api/identify?data={b64({'token': PUBLIC, 'properties': {'$email': 'a@b.com'}})}",
            b"0",
            id="identify",
        ),
        pytest.param("post", "/api/track", b"0", id="track"),
        pytest.param("get", "/api/v2/people/search?email=a@b.com&api_key=k", None, id="v2"),
        pytest.param("get", "/api/v1/person/01ABC?api_key=k", None, id="v1"),
    ],
)
def test_every_legacy_path_is_410(gone, method, path, body):
    client, klaviyo = gone
    response = getattr(client, method)(path)
    assert response.status_code == 410
    if body is not None:
        assert response.data == body
    elif path.startswith("/api/v1/"):
        assert response.json == {
            "status": 410,
            "message": "This legacy API endpoint was retired on 2024-06-30.",
        }
    else:
        assert response.json == {"detail": "This legacy API endpoint was retired on 2024-06-30."}
    assert klaviyo.profiles("default") == []
    assert klaviyo.journal.entries()[0].decisions == (
        "retired: the legacy API is gone (--legacy gone)",
    )


def test_the_admin_api_still_works(gone):
    client, _ = gone
    assert client.get("/__mock__/profiles").status_code == 200


def test_a_bad_value_is_refused():
    with pytest.raises(ValueError, match="expected on or gone"):
        create_app({"LEGACY": "off"})
