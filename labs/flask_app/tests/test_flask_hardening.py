"""Regressions from the attack in issue 11: inputs anyone can send never give a 500."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from flask_lab_support import Server
from gunicorn.http.errors import NoMoreData

from flask_app import worker

STATE_CHANGING = ["/consent", "/api/fingerprint", "/api/fingerprint/forget"]


@pytest.mark.parametrize("path", STATE_CHANGING)
@pytest.mark.parametrize("origin", ["http://[", "https://[", "http://[::1"])
def test_malformed_origin_is_refused_not_a_500(client, path, origin):
    """Item 1: urlsplit raised ValueError for an unclosed IPv6 bracket."""
    response = client.post(path, headers={"Origin": origin}, json={"attributes": {"a": 1}})
    assert response.status_code == 403
    assert b"cross-site request refused" in response.data


@pytest.mark.parametrize(
    "attributes", [{"a": "\ud800"}, {"a": ["x", "\udfff"]}], ids=["text", "in-list"]
)
def test_lone_surrogate_is_a_400(client, attributes):
    """Item 2: a lone surrogate made fingerprint_id raise UnicodeEncodeError."""
    data = json.dumps({"attributes": attributes})  # ensure_ascii: "\\ud800" on the wire
    response = client.post("/api/fingerprint", data=data, content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.get_json()["message"]


@pytest.mark.parametrize("accept", ["text/plain", "application/json"])
def test_the_apps_own_500_body_comes_out(make_app, accept):
    """Item 3: the handler read a class property (text) or raised TypeError (JSON)."""
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom", headers={"Accept": accept})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "property object" not in text
    assert "the server hit a bug" in text
    if accept == "application/json":
        assert response.get_json()["error"] == "Internal Server Error"
    else:
        assert text.startswith("500 Internal Server Error: ")


class BrokenBody:
    """A wsgi.input that fails like gunicorn's chunked reader on ``ZZ\\r\\n``."""

    def read(self, *args):
        raise OSError("Invalid chunk size: 'ZZ'")

    readline = read


def test_unreadable_body_is_a_400_in_the_app(client):
    """Item 4: a body read error reached the view and became a 500."""
    response = client.post(
        "/api/fingerprint",
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": BrokenBody(), "wsgi.input_terminated": True},
    )
    assert response.status_code == 400
    assert "could not be read" in response.get_json()["message"]


def raw(server: Server, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes to the server, half-close, and return everything it answers."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def healthz(server: Server, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.integration
def test_malformed_chunked_body_over_the_wire_is_a_400(gunicorn_server):
    """Item 4 under gunicorn: InvalidChunkSize and a short body are 400s, not 500s."""
    server = gunicorn_server()
    head = b"POST /api/fingerprint HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    chunked = raw(server, head + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n")
    assert chunked.startswith(b"HTTP/1.1 400"), chunked[:200]
    short = raw(server, head + b"Content-Length: 100\r\n\r\n{}")  # then the client stops
    assert short.startswith(b"HTTP/1.1 400"), short[:200]
    assert healthz(server, 5) == 200


@pytest.mark.integration
def test_slow_clients_cannot_make_the_app_unreachable(gunicorn_server):
    """Item 5: workers x threads sockets dripping headers; /healthz still answers.

    With sync workers (or plain gthread) this hangs for as long as the slow clients go on.
    """
    workers, threads = 1, 2
    server = gunicorn_server(
        env={"WEB_CONCURRENCY": str(workers)}, args=lambda port: ["--threads", str(threads)]
    )
    slow = []
    try:
        for _ in range(workers * threads):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=2)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        time.sleep(0.5)  # every thread is now reading a slow request
        started = time.monotonic()
        assert healthz(server, timeout=worker.READ_SECONDS + 3) == 200
        assert time.monotonic() - started < worker.READ_SECONDS + 3
    finally:
        for sock in slow:
            sock.close()
    assert server.process.poll() is None


@pytest.fixture
def pair():
    """A connected pair of sockets: the server's end wrapped as the worker wraps it."""
    server, client = socket.socketpair()
    with server, client:
        yield worker.DeadlineSocket(server), client


def test_deadline_socket_reads_what_has_arrived_and_stays_blocking(pair):
    sock, client = pair
    sock.deadline = time.monotonic() + 5
    client.sendall(b"GET / HTTP/1.1\r\n")
    assert sock.recv(1024) == b"GET / HTTP/1.1\r\n"
    assert sock.gettimeout() is None  # gunicorn writes the answer on a blocking socket
    client.close()
    assert sock.recv(1024) == b""  # the client went away: end of stream, not an error


def test_deadline_socket_waits_for_late_bytes_within_the_deadline(pair):
    sock, client = pair
    sock.deadline = time.monotonic() + 5
    timer = threading.Timer(0.2, client.sendall, args=(b"Host: x\r\n",))
    timer.start()
    try:
        assert sock.recv(1024) == b"Host: x\r\n"
    finally:
        timer.cancel()


def test_deadline_socket_gives_up_at_the_deadline(pair):
    sock, client = pair
    sock.deadline = time.monotonic() + 0.3
    started = time.monotonic()
    with pytest.raises(NoMoreData):
        sock.recv(1024)
    assert 0.25 < time.monotonic() - started < 2
    client.sendall(b"too late")
    with pytest.raises(NoMoreData):  # past the deadline even with bytes waiting
        sock.recv(1024)
