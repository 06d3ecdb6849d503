"""The routes with the test client: pages, JSON, session cookie, proxies, headers."""

from __future__ import annotations

import dataclasses
import json
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROUTES = [
    ("/", "text/html"),
    ("/api/whoami", "application/json"),
    ("/fingerprint", "text/html"),
    ("/healthz", "application/json"),
    ("/static/fingerprint.js", "text/javascript"),
    ("/static/style.css", "text/css"),
    ("/static/favicon.svg", "image/svg+xml"),
]


def set_cookies(response) -> dict[str, SimpleCookie]:
    """Parse each Set-Cookie header of a response with the standard library."""
    parsed = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            parsed[name] = cookie
    return parsed


@pytest.mark.parametrize(("path", "mimetype"), ROUTES)
def test_routes_answer(client, path, mimetype):
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype


@pytest.mark.parametrize(("path", "mimetype"), ROUTES)
def test_security_headers_everywhere(client, path, mimetype):
    with client.get(path) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin anywhere
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_pages_load_nothing_from_elsewhere(client):
    for path in ("/", "/fingerprint"):
        html = client.get(path).get_data(as_text=True)
        assert 'src="http' not in html
        assert 'href="http' not in html
        assert "<script>" not in html  # inline scripts would be blocked by the CSP anyway
    assert '<script src="/static/fingerprint.js"' in client.get("/fingerprint").get_data(
        as_text=True
    )


def test_whoami_fields(client):
    data = client.get("/api/whoami", headers={"User-Agent": "pytest-agent"}).get_json()
    for key in ("ip", "ip_version", "forwarded_for", "session_id", "device_id", "user_agent"):
        assert key in data
    assert data["ip"] == "127.0.0.1"
    assert data["ip_version"] == 4
    assert data["ip_family"] == "IPv4"
    assert data["forwarded_for"] == []
    assert data["device_id"] is None
    assert data["user_agent"] == "pytest-agent"
    assert data["color"] is None
    assert data["scheme"] == "http"
    assert isinstance(data["host"], str)


@pytest.mark.parametrize(
    ("remote", "version", "family"),
    [("::1", 6, "IPv6"), ("::ffff:127.0.0.1", 6, "IPv4-mapped IPv6"), ("10.1.2.3", 4, "IPv4")],
)
def test_whoami_reports_the_family(client, remote, version, family):
    data = client.get("/api/whoami", environ_base={"REMOTE_ADDR": remote}).get_json()
    assert data["ip"] == remote
    assert data["ip_version"] == version
    assert data["ip_family"] == family


def test_page_shows_the_facts(client):
    html = client.get(
        "/", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "::1"}
    ).get_data(as_text=True)
    assert "IPv6" in html
    assert "6.6.6.6" in html
    assert "never trusted" in html
    assert "none: no consent" in html
    assert 'name="choice" value="accept"' in html


def test_colour_and_version_come_from_the_config(make_app):
    client = make_app(COLOR="green", VERSION="v2").test_client()
    assert client.get("/api/whoami").get_json()["color"] == "green"
    html = client.get("/").get_data(as_text=True)
    assert 'class="color-green"' in html
    assert "v2" in html


def test_session_cookie_is_a_session_cookie(client):
    response = client.get("/")
    morsel = set_cookies(response)["session"]["session"]
    assert morsel["max-age"] == ""
    assert morsel["expires"] == ""
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert not morsel["secure"]


def test_session_id_is_stable_within_a_session_and_new_without_it(app):
    first = app.test_client()
    first.get("/")  # the page starts the session
    sid = first.get("/api/whoami").get_json()["session_id"]
    assert first.get("/api/whoami").get_json()["session_id"] == sid
    assert len(sid) >= 16
    other = app.test_client()  # a browser without the cookie
    other.get("/")
    assert other.get("/api/whoami").get_json()["session_id"] not in (sid, None)


def test_the_json_route_reports_a_session_but_never_starts_one(client):
    """A first visit to /api/whoami: no session id, no Set-Cookie; after the page, both agree."""
    response = client.get("/api/whoami")
    assert response.get_json()["session_id"] is None
    assert "session" not in set_cookies(response)
    assert "Cookie" in response.headers.get("Vary", "")  # the answer depends on the cookie
    page = client.get("/")
    sid = page.get_data(as_text=True).split('id="session-id">')[1].split("<")[0]
    assert client.get("/api/whoami").get_json()["session_id"] == sid


def test_session_cookie_is_secure_over_https(client):
    response = client.get("/", base_url="https://lab.example")
    assert set_cookies(response)["session"]["session"]["secure"] is True
    assert "Strict-Transport-Security" in response.headers


def test_forwarded_proto_is_ignored_without_trusted_proxies(client):
    response = client.get("/api/whoami", headers={"X-Forwarded-Proto": "https"})
    assert response.get_json()["scheme"] == "http"
    page = client.get("/", headers={"X-Forwarded-Proto": "https"})  # the page sets the cookie
    assert not set_cookies(page)["session"]["session"]["secure"]


def test_forwarded_for_is_shown_but_not_trusted_by_default(client):
    data = client.get("/api/whoami", headers={"X-Forwarded-For": "6.6.6.6, 7.7.7.7"}).get_json()
    assert data["ip"] == "127.0.0.1"
    assert data["forwarded_for"] == ["6.6.6.6", "7.7.7.7"]
    assert [hop["trusted"] for hop in data["forwarded_chain"]] == [False, False, True]


def test_behind_one_trusted_proxy(make_app):
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    request = {
        "headers": {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"},
        "environ_base": {"REMOTE_ADDR": "10.0.1.23"},
    }
    data = client.get("/api/whoami", **request).get_json()
    assert data["ip"] == "203.0.113.9"  # what the load balancer saw, not the spoofed entry
    assert data["peer"] == "10.0.1.23"
    assert data["scheme"] == "https"
    assert [hop["trusted"] for hop in data["forwarded_chain"]] == [False, True, True]
    page = client.get("/", **request)  # the page sets the cookie, Secure behind HTTPS
    assert set_cookies(page)["session"]["session"]["secure"] is True


def test_healthz_is_cheap(client, app):
    response = client.get("/healthz")
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert not Path(app.config["DATABASE"]).exists()  # no database touched


def test_whoami_keeps_its_keys_in_the_order_the_code_writes_them(client):
    """JSON keys as RequestFacts lists them (ip first), not sorted."""
    from flask_app.pages import RequestFacts

    text = client.get("/api/whoami").get_data(as_text=True)
    keys = list(json.loads(text))
    assert keys == [field.name for field in dataclasses.fields(RequestFacts)]
    assert keys != sorted(keys)
