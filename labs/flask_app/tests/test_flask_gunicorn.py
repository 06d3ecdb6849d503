"""The app under a real gunicorn on free loopback ports, over IPv4 and IPv6."""

from __future__ import annotations

import http.client
import json
import subprocess
from http.cookies import SimpleCookie

import pytest
from flask_lab_support import HAS_IPV6_LOOPBACK, STOP_TIMEOUT

pytestmark = pytest.mark.integration

needs_ipv6 = pytest.mark.skipif(not HAS_IPV6_LOOPBACK, reason="no IPv6 loopback (::1) here")
TIMEOUT = 5  # seconds per request


def request(server, method, path, family=4, headers=None, body=None):
    """Send one request with http.client; return (status, headers, decoded body)."""
    host = "127.0.0.1" if family == 4 else "::1"
    connection = http.client.HTTPConnection(host, server.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def whoami(server, family=4, headers=None):
    status, response_headers, text = request(server, "GET", "/api/whoami", family, headers)
    assert status == 200, text
    return json.loads(text), response_headers


@pytest.fixture
def server(gunicorn_server):
    """gunicorn with the default (loopback) binds of gunicorn.conf.py."""
    return gunicorn_server()


@pytest.mark.parametrize(
    ("family", "ip"), [(4, "127.0.0.1"), pytest.param(6, "::1", marks=needs_ipv6)]
)
def test_both_families_on_loopback(server, family, ip):
    status, _, text = request(server, "GET", "/healthz", family)
    assert status == 200
    assert json.loads(text) == {"status": "ok"}
    data, _ = whoami(server, family)
    assert data["ip"] == ip
    assert data["ip_version"] == family
    assert data["ip_family"] == f"IPv{family}"


def test_page_and_session_cookie_over_the_wire(server):
    status, headers, text = request(server, "GET", "/")
    assert status == 200
    assert "What this server knows about you" in text
    assert headers["Server"] == "gunicorn"
    cookie = SimpleCookie()
    cookie.load(headers["Set-Cookie"])
    morsel = cookie["session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["max-age"] == ""
    assert not morsel["secure"]


def test_spoofed_forwarded_headers_are_not_believed(server):
    spoofed = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}
    data, _ = whoami(server, headers=spoofed)
    assert data["ip"] == "127.0.0.1"
    assert data["forwarded_for"] == ["6.6.6.6"]
    assert data["scheme"] == "http"  # gunicorn's own X-Forwarded-Proto trust is switched off
    _, headers, _ = request(server, "GET", "/", headers=spoofed)  # the page sets the cookie
    assert "secure" not in headers["Set-Cookie"].lower()


def test_bad_input_over_the_wire_then_healthy(server):
    fingerprint = {"Content-Type": "application/json"}
    cases = [
        ("POST", "/api/fingerprint", fingerprint, "{oops", 400),
        ("POST", "/api/fingerprint", fingerprint, "[" * 6000 + "]" * 6000, 400),
        ("POST", "/api/fingerprint", fingerprint, json.dumps({"attributes": "x" * 30_000}), 413),
        ("GET", "/", {"Cookie": "session=forged.value.here"}, None, 400),
        ("GET", "/", {"Cookie": "device_id=<x>"}, None, 400),
        ("GET", "/", {"Cookie": "a=" + "b" * 9000}, None, 431),  # gunicorn's header limit
    ]
    for method, path, headers, body, expected in cases:
        status, _, text = request(server, method, path, headers=headers, body=body)
        assert status == expected, text
    assert request(server, "GET", "/healthz")[0] == 200
    assert server.process.poll() is None


@needs_ipv6
def test_ipv4_clients_of_a_dual_stack_socket_look_mapped(gunicorn_server):
    """An IPv6 socket bound to an IPv4-mapped address sees IPv4 clients as ::ffff:a.b.c.d.

    That is what a container's ``[::]`` socket shows for IPv4 clients, reproduced here on
    loopback only (binding ``[::]`` in a test would expose the app on every interface).
    """
    mapped = gunicorn_server(args=lambda port: ["--bind", f"[::ffff:127.0.0.1]:{port}"])
    data, _ = whoami(mapped, family=4)
    assert data["ip"] == "::ffff:127.0.0.1"
    assert data["ip_version"] == 6
    assert data["ip_family"] == "IPv4-mapped IPv6"
    assert data["ipv4_mapped"] == "127.0.0.1"


def test_behind_a_trusted_proxy(gunicorn_server):
    server = gunicorn_server(env={"TRUSTED_PROXY_HOPS": "1", "COLOR": "green", "VERSION": "v9"})
    forwarded = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"}
    data, _ = whoami(server, headers=forwarded)
    assert data["ip"] == "203.0.113.9"
    assert data["peer"] == "127.0.0.1"
    assert data["scheme"] == "https"
    assert data["color"] == "green"
    assert data["version"] == "v9"
    _, headers, _ = request(server, "GET", "/", headers=forwarded)  # the page sets the cookie
    assert "secure" in headers["Set-Cookie"].lower()


def test_production_without_secret_key_stops_with_one_line(gunicorn_server):
    server = gunicorn_server(env={"APP_ENV": "production", "SECRET_KEY": ""}, wait=False)
    try:
        returncode = server.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gunicorn kept running:\n{server.log_tail()}")
    assert returncode != 0
    log = server.log_tail()
    assert "flask_app: SECRET_KEY is not set" in log
    assert "Traceback" not in log
