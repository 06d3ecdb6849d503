"""Consent: the device-id cookie exists only after "accept", and "decline" removes it."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from flask_app.identity import DEVICE_COOKIE


def device_morsel(response):
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if DEVICE_COOKIE in cookie:
            return cookie[DEVICE_COOKIE]
    return None


def test_no_persistent_cookie_without_consent(client):
    for path in ("/", "/api/whoami", "/fingerprint"):
        assert device_morsel(client.get(path)) is None
    assert client.get("/api/whoami").get_json()["device_id"] is None


def test_accept_sets_a_persistent_device_cookie(app, client):
    response = client.post("/consent", data={"choice": "accept"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    morsel = device_morsel(response)
    assert morsel is not None
    assert int(morsel["max-age"]) == app.config["DEVICE_COOKIE_MAX_AGE"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    device = client.get("/api/whoami").get_json()["device_id"]
    assert device == morsel.value
    assert device in client.get("/").get_data(as_text=True)


def test_accepting_again_keeps_the_same_id(client):
    client.post("/consent", data={"choice": "accept"})
    first = client.get("/api/whoami").get_json()["device_id"]
    client.post("/consent", data={"choice": "accept"})
    assert client.get("/api/whoami").get_json()["device_id"] == first


def test_decline_deletes_the_cookie(client):
    client.post("/consent", data={"choice": "accept"})
    response = client.post("/consent", data={"choice": "decline"})
    morsel = device_morsel(response)
    assert morsel is not None
    assert morsel.value == ""
    assert morsel["max-age"] == "0"
    assert client.get("/api/whoami").get_json()["device_id"] is None


def test_device_cookie_is_secure_over_https(client):
    response = client.post("/consent", data={"choice": "accept"}, base_url="https://lab.example")
    assert device_morsel(response)["secure"] is True


def test_the_device_id_survives_a_new_session(app, client):
    """Closing the browser drops the session cookie but keeps the persistent one."""
    client.get("/")  # the page starts the session
    client.post("/consent", data={"choice": "accept"})
    before = client.get("/api/whoami").get_json()
    client.delete_cookie("session")  # what a browser restart does to session cookies
    client.get("/")
    after = client.get("/api/whoami").get_json()
    assert after["device_id"] == before["device_id"]
    assert after["session_id"] != before["session_id"]


def test_json_clients_get_json(client):
    response = client.post(
        "/consent", data={"choice": "accept"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["consent"] == "accept"
    assert data["device_id"] == device_morsel(response).value


@pytest.mark.parametrize("choice", ["", "yes", "ACCEPT", "x" * 500])
def test_other_choices_are_refused(client, choice):
    response = client.post("/consent", data={"choice": choice})
    assert response.status_code == 400
    assert "choice must be 'accept' or 'decline'" in response.get_data(as_text=True)
    assert device_morsel(response) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_cross_site_posts_are_refused(client, headers):
    response = client.post("/consent", data={"choice": "accept"}, headers=headers)
    assert response.status_code == 403
    assert "cross-site request refused" in response.get_data(as_text=True)
    assert device_morsel(response) is None


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}, {}]
)
def test_same_origin_posts_are_accepted(client, headers):
    assert client.post("/consent", data={"choice": "accept"}, headers=headers).status_code == 303
