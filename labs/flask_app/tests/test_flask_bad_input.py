"""Bad input of every kind gets a clear 4xx, never a 500, and the app stays up."""

from __future__ import annotations

import json
import logging
from http.cookies import SimpleCookie

import pytest

from flask_app.identity import DEVICE_COOKIE

GOOD = {"user_agent": "test", "timezone": "UTC"}


def body(payload) -> dict:
    return {"data": json.dumps(payload), "content_type": "application/json"}


# (id, method, path, request keyword arguments, expected status, part of the message)
CASES = [
    (
        "invalid-json",
        "post",
        "/api/fingerprint",
        {"data": "{not json", "content_type": "application/json"},
        400,
        "not valid JSON",
    ),
    (
        "not-json-content-type",
        "post",
        "/api/fingerprint",
        {"data": json.dumps({"attributes": GOOD}), "content_type": "text/plain"},
        415,
        "Content-Type",
    ),
    (
        "empty-body",
        "post",
        "/api/fingerprint",
        {"data": "", "content_type": "application/json"},
        400,
        "empty",
    ),
    ("body-not-object", "post", "/api/fingerprint", body([1, 2]), 400, "JSON object"),
    (
        "attributes-not-object",
        "post",
        "/api/fingerprint",
        body({"attributes": "ua"}),
        400,
        "'attributes' must be a JSON object",
    ),
    ("attributes-empty", "post", "/api/fingerprint", body({"attributes": {}}), 400, "empty"),
    ("attributes-missing", "post", "/api/fingerprint", body({"remember": True}), 400, "missing"),
    (
        "remember-not-bool",
        "post",
        "/api/fingerprint",
        body({"attributes": GOOD, "remember": "yes"}),
        400,
        "'remember' must be true or false",
    ),
    (
        "unknown-field",
        "post",
        "/api/fingerprint",
        body({"attributes": GOOD, "extra": 1}),
        400,
        "unexpected field",
    ),
    (
        "too-many-attributes",
        "post",
        "/api/fingerprint",
        body({"attributes": {f"a{i}": i for i in range(33)}}),
        400,
        "at most 32",
    ),
    (
        "value-too-long",
        "post",
        "/api/fingerprint",
        body({"attributes": {"user_agent": "x" * 513}}),
        400,
        "limit 512",
    ),
    (
        "bad-attribute-name",
        "post",
        "/api/fingerprint",
        body({"attributes": {"User-Agent": "x"}}),
        400,
        "attribute name",
    ),
    (
        "nested-value",
        "post",
        "/api/fingerprint",
        body({"attributes": {"screen": {"w": 1}}}),
        400,
        "expected text, a number",
    ),
    (
        "list-too-long",
        "post",
        "/api/fingerprint",
        body({"attributes": {"languages": ["en"] * 33}}),
        400,
        "limit 32",
    ),
    (
        "nan",
        "post",
        "/api/fingerprint",
        {"data": '{"attributes": {"pixel_ratio": NaN}}', "content_type": "application/json"},
        400,
        "NaN",
    ),
    (
        "infinity-by-overflow",
        "post",
        "/api/fingerprint",
        {"data": '{"attributes": {"pixel_ratio": 1e999}}', "content_type": "application/json"},
        400,
        "finite",
    ),
    (
        "huge-integer",
        "post",
        "/api/fingerprint",
        {
            "data": '{"attributes": {"cores": ' + "9" * 5000 + "}}",
            "content_type": "application/json",
        },
        400,
        "not valid JSON",
    ),
    (
        "deep-nesting",
        "post",
        "/api/fingerprint",
        {"data": "[" * 6000 + "]" * 6000, "content_type": "application/json"},
        400,
        "nested",
    ),
    (
        "invalid-utf8",
        "post",
        "/api/fingerprint",
        {"data": b'{"attributes": {"user_agent": "\xff\xfe"}}', "content_type": "application/json"},
        400,
        "not valid JSON",
    ),
    (
        "huge-json-body",
        "post",
        "/api/fingerprint",
        body({"attributes": {"user_agent": "x" * 20_000}}),
        413,
        "Request Entity Too Large",
    ),
    (
        "huge-form-body",
        "post",
        "/consent",
        {"data": {"choice": "accept", "pad": "x" * 20_000}},
        413,
        "Request Entity Too Large",
    ),
    (
        "forget-bad-id",
        "post",
        "/api/fingerprint/forget",
        body({"fingerprint_id": "abc"}),
        400,
        "64 lower-case hex digits",
    ),
    ("forget-not-object", "post", "/api/fingerprint/forget", body("abc"), 400, "fingerprint_id"),
    ("unknown-api-path", "get", "/api/nothing", {}, 404, "Not Found"),
    ("unknown-page", "get", "/nothing", {}, 404, "Not Found"),
    ("wrong-method", "get", "/consent", {}, 405, "Method Not Allowed"),
    (
        "malformed-device-cookie",
        "get",
        "/",
        {"headers": {"Cookie": f"{DEVICE_COOKIE}=<script>alert(1)</script>"}},
        400,
        "malformed",
    ),
    (
        "oversized-device-cookie",
        "get",
        "/api/whoami",
        {"headers": {"Cookie": f"{DEVICE_COOKIE}={'a' * 3000}"}},
        400,
        "malformed",
    ),
    (
        "garbage-session-cookie",
        "get",
        "/",
        {"headers": {"Cookie": "session=%%%;;=;"}},
        400,
        "signature check",
    ),
    (
        "oversized-session-cookie",
        "get",
        "/",
        {"headers": {"Cookie": "session=" + "a" * 5000}},
        400,
        "limit 4096",
    ),
    (
        "oversized-cookie-header",
        "get",
        "/",
        {"headers": {"Cookie": "; ".join(f"c{i}={'v' * 100}" for i in range(90))}},
        431,
        "Cookie header",
    ),
]


@pytest.fixture
def quiet_app(app, caplog):
    """The app; the test fails if any request logged an unhandled exception."""
    with caplog.at_level(logging.ERROR):
        yield app
    assert "unhandled error" not in caplog.text


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_gets_a_clear_4xx(quiet_app, method, path, kwargs, status, message):
    client = quiet_app.test_client(use_cookies=False)  # send the Cookie header as written
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text
    if path.startswith("/api/"):
        data = response.get_json()
        assert data["status"] == status
        assert data["message"]
    else:
        assert response.mimetype == "text/plain"
    assert client.get("/healthz").status_code == 200


def test_app_stays_up_after_every_class_of_bad_input(quiet_app):
    for _, method, path, kwargs, status, _ in CASES:
        client = quiet_app.test_client(use_cookies=False)
        assert getattr(client, method)(path, **kwargs).status_code == status
    client = quiet_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/").status_code == 200


def deleted(response, name: str) -> bool:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie and cookie[name]["max-age"] == "0":
            return True
    return False


def test_forged_session_cookie_is_refused_and_deleted(make_app):
    forger = make_app(SECRET_KEY="somebody-else's-key")
    forged = forger.session_interface.get_signing_serializer(forger).dumps({"sid": "admin"})
    client = make_app().test_client(use_cookies=False)
    response = client.get("/", headers={"Cookie": f"session={forged}"})
    assert response.status_code == 400
    assert "signature check" in response.get_data(as_text=True)
    assert deleted(response, "session")
    assert client.get("/").status_code == 200  # the next request starts a new session


def test_tampered_session_cookie_is_refused(app):
    client = app.test_client()
    client.get("/")
    value = client.get_cookie("session").value
    payload, rest = value.split(".", 1)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    response = app.test_client(use_cookies=False).get(
        "/api/whoami", headers={"Cookie": f"session={tampered}"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"


def test_bad_device_cookie_is_deleted(app):
    client = app.test_client(use_cookies=False)
    response = client.get("/", headers={"Cookie": f"{DEVICE_COOKIE}=not-valid-at-all!"})
    assert response.status_code == 400
    assert deleted(response, DEVICE_COOKIE)


def test_other_sites_cookies_are_left_alone(app):
    client = app.test_client(use_cookies=False)
    cookies = '_xsrf=2|abc|def; username-localhost-8888="2|1:0|10:abc"; theme=dark'
    response = client.get("/api/whoami", headers={"Cookie": cookies})
    assert response.status_code == 200
    assert response.get_json()["cookies"]["theme"] == "dark"


def test_health_check_ignores_cookies(app):
    client = app.test_client(use_cookies=False)
    response = client.get("/healthz", headers={"Cookie": f"{DEVICE_COOKIE}=<bad>; session=%%"})
    assert response.status_code == 200


def test_limits_follow_max_content_length(make_app):
    client = make_app(MAX_CONTENT_LENGTH=64 * 1024).test_client()
    payload = {"attributes": {f"a{i}": "x" * 500 for i in range(30)}}
    assert client.post("/api/fingerprint", json=payload).status_code == 200


@pytest.mark.parametrize("proto", ["javascript", "ftp", "data"])
def test_forwarded_proto_other_than_http_or_https_is_refused(make_app, proto):
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    response = client.get(
        "/api/whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": proto}
    )
    assert response.status_code == 400
    assert "X-Forwarded-Proto must be http or https" in response.get_data(as_text=True)
    ok = client.get("/api/whoami", headers={"X-Forwarded-Proto": "https"})
    assert ok.status_code == 200
    assert ok.get_json()["scheme"] == "https"
