"""HTTP fuzz of the lab app: hypothesis-made headers, cookies, queries and bodies, never a 5xx.

Against the test client (many examples), then a bounded run of raw requests, including
malformed framing, against a real gunicorn on loopback, which must stay up.
"""

from __future__ import annotations

import os
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES * 4,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

PATHS = [
    "/",
    "/healthz",
    "/consent",
    "/fingerprint",
    "/api/fingerprint",
    "/api/fingerprint/forget",
    "/api/whoami",
    "/nope",
]
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)  # what an HTTP header can carry
HEADERS = [
    "Origin",
    "Sec-Fetch-Site",
    "Cookie",
    "Accept",
    "Content-Type",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "User-Agent",
    "Accept-Language",
    "Referer",
]
bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b'{"attributes":{"a":"\\ud800"}}',
            b'{"attributes":{"a":["\\udfff"]}}',
            b"[" * 3000,
            b'{"attributes":{"a":1e999}}',
            b'{"fingerprint_id":1}',
        ]
    ),
)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"]),
    path=st.sampled_from(PATHS),
    query=st.text(max_size=40),
    headers=st.dictionaries(st.sampled_from(HEADERS), header_text, max_size=5),
    body=bodies,
)
def test_test_client_never_answers_5xx(client, method, path, query, headers, body):
    response = client.open(path, method=method, query_string=query, headers=headers, data=body)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


FRAMINGS = [
    b"POST /api/fingerprint HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\nZZ\r\n",
    b"POST /api/fingerprint HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\n5\r\n{}\r\n",
    b"POST /api/fingerprint HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
    b"Content-Type: application/json\r\n\r\n{}",
    b"POST /consent HTTP/1.1\r\nHost: x\r\nOrigin: http://[\r\nContent-Length: 0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\n\r\n",
    b"\xff\xfe garbage\r\n\r\n",
]


def exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=8) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


@pytest.mark.integration
def test_real_gunicorn_never_answers_5xx_and_stays_up(gunicorn_server):
    server = gunicorn_server()
    requests = list(FRAMINGS)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=os.environ.get("CI") == "true",
    )
    @given(st.lists(st.binary(max_size=80), min_size=1, max_size=3))
    def collect(lines):
        requests.append(b"POST /api/fingerprint HTTP/1.1\r\nHost: x\r\n" + b"\r\n".join(lines))

    collect()
    for data in requests:
        answer = exchange(server.port, data)
        assert not answer.startswith(b"HTTP/1.1 5"), (data, answer[:200])
    assert exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
        b"HTTP/1.1 200"
    )
    assert server.process.poll() is None
