"""The work done once instead of per request keeps every answer the slow way gave."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from flask_app import health, identity, security


def test_healthz_is_answered_before_flask_with_the_views_own_answer(make_app):
    app = make_app()
    client = app.test_client()
    fast = client.get("/healthz")
    with app.test_request_context("/healthz"):
        slow = app.make_response(app.view_functions["health.healthz"]())
    assert fast.get_data() == slow.get_data() == health.BODY
    assert fast.mimetype == slow.mimetype == "application/json"
    assert int(fast.headers["Content-Length"]) == len(health.BODY)
    calls = []
    app.before_request(lambda: calls.append(1))  # Flask itself never ran for it
    client.get("/healthz")
    assert calls == []
    client.get("/api/whoami")
    assert calls == [1]


def test_healthz_head_has_the_headers_and_no_body(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Length"] == str(len(health.BODY))
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_other_methods_and_bad_schemes_on_healthz_still_go_to_flask(make_app):
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    post = client.post("/healthz")
    assert post.status_code == 405
    assert "GET" in post.headers["Allow"]
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "ftp"}
    bad = client.get("/healthz", headers=forwarded)
    assert bad.status_code == 400
    assert "X-Forwarded-Proto must be http or https" in bad.get_data(as_text=True)
    assert client.get("/healthz/").status_code == 404


def test_served_by_is_on_every_response_also_the_fast_ones(make_app):
    client = make_app(SERVED_BY="blue-3").test_client()
    for path in ("/healthz", "/api/whoami", "/static/style.css", "/nowhere"):
        with client.get(path) as response:
            assert response.headers["X-Served-By"] == "blue-3", path


def test_pages_are_not_stored_but_static_files_keep_their_caching(client):
    assert client.get("/api/whoami").headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    assert client.get("/nowhere").headers["Cache-Control"] == "no-store"  # error pages too
    with client.get("/static/style.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY


def test_a_views_own_cache_control_gives_way_to_no_store(make_app):
    app = make_app()

    @app.get("/cached")
    def cached():
        return "x", 200, {"Cache-Control": "max-age=3600"}

    assert app.test_client().get("/cached").headers.getlist("Cache-Control") == ["no-store"]


def test_hsts_only_over_https_and_never_twice(make_app):
    client = make_app(TRUSTED_PROXY_HOPS=1).test_client()
    https = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for path in ("/healthz", "/api/whoami", "/static/style.css"):
        with client.get(path, headers=https) as response:
            assert response.headers.getlist("Strict-Transport-Security") == [security.HSTS[1]]
        with client.get(path) as response:
            assert "Strict-Transport-Security" not in response.headers
    app = make_app()

    @app.get("/own-hsts")
    def own():
        return "x", 200, {"Strict-Transport-Security": "max-age=60"}

    response = app.test_client().get("/own-hsts", base_url="https://lab.example")
    assert response.headers.getlist("Strict-Transport-Security") == ["max-age=60"]


def test_session_cookies_are_signed_exactly_as_flasks_own_interface_signs_them(make_app):
    app = make_app(SECRET_KEY_FALLBACKS=["an-older-key"])
    ours = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    data = {"sid": "abcdefghijklmnopqrstuv"}
    assert stock.loads(ours.dumps(data)) == data
    assert ours.loads(stock.dumps(data)) == data
    assert ours.dumps(data).split(".")[0] == stock.dumps(data).split(".")[0]
    older = make_app(SECRET_KEY="an-older-key")
    signed_before = older.session_interface.get_signing_serializer(older).dumps(data)
    assert ours.loads(signed_before) == data  # a fallback key still opens old sessions
    elsewhere = make_app(SECRET_KEY="someone-else").session_interface
    with pytest.raises(BadSignature):
        elsewhere.get_signing_serializer(make_app(SECRET_KEY="someone-else")).loads(
            ours.dumps(data)
        )


def test_short_sessions_are_not_compressed_and_long_ones_still_are(make_app):
    app = make_app()
    ours = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    short, long = {"sid": "abcdefghijklmnopqrstuv"}, {"sid": "a" * 400}
    assert not ours.dumps(short).startswith(".")
    assert ours.dumps(long).startswith(".")  # itsdangerous' mark of a compressed payload
    assert len(ours.dumps(long)) < 200
    assert ours.loads(stock.dumps(long)) == stock.loads(ours.dumps(long)) == long


def test_the_signer_is_built_once_per_key(make_app):
    app = make_app()
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is serializer
    assert serializer.make_signer() is serializer.make_signer()
    app.secret_key = "a-new-key"
    assert interface.get_signing_serializer(app) is not serializer


def test_cookie_lookup_without_the_name_is_none(app):
    with app.test_request_context("/", headers={"Cookie": "theme=dark"}):
        assert identity.cookie("theme") == "dark"
        assert identity.cookie(identity.DEVICE_COOKIE) is None
    with app.test_request_context("/") as context:  # no Cookie header: nothing is parsed
        assert identity.cookie("theme", context.request) is None
        assert "cookies" not in vars(context.request)  # werkzeug's cached property, unset


@pytest.mark.parametrize(
    "value",
    [
        {"sid": "abcdefghijklmnopqrstuv"},
        {"sid": "x", "theme": "dark"},
        {},
        {" t": "a"},  # looks like one of Flask's tags: Flask's own path
        {"sid": "x", "when": datetime(2026, 12, 3, tzinfo=UTC), "raw": b"\x00"},
        {"pair": ("a", "b"), "n": 3},
    ],
)
def test_session_json_is_flasks_tagged_json(app, value):
    fast, stock = identity.SessionJSON(), TaggedJSONSerializer()
    with app.app_context():
        assert fast.dumps(value) == stock.dumps(value)
        assert fast.loads(stock.dumps(value)) == stock.loads(stock.dumps(value)) == value


@pytest.mark.parametrize("case", ["new", "returning", "emptied", "untouched"])
def test_session_cookie_headers_are_the_ones_flask_would_send(make_app, case):
    def headers(interface):
        app = make_app()
        app.session_interface = interface

        @app.get("/touch")
        def touch():
            if case == "new":
                session["sid"] = "abcdefghijklmnopqrstuv"
            elif case == "returning":
                session.get("sid")
            elif case == "emptied":
                session.clear()
            return "x"

        client = app.test_client()
        if case in ("returning", "emptied"):
            with client.session_transaction() as stored:
                stored["sid"] = "abcdefghijklmnopqrstuv"
        response = client.get("/touch")
        cookies = [
            c.split(";", 1)[1] if "=;" not in c else c
            for c in response.headers.getlist("Set-Cookie")
        ]
        return response.headers.getlist("Vary"), cookies

    assert headers(identity.CheckedSessionInterface()) == headers(SecureCookieSessionInterface())
