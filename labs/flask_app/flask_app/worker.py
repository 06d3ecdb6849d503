"""gunicorn's threaded worker with a deadline for reading each request.

gunicorn 27 has no request-header timeout: a ``gthread`` thread that has started to read a
request waits as long as the client keeps the connection open, so a few clients sending
a header line every few seconds (or a body shorter than its ``Content-Length``) would hold
every thread. :class:`ThreadWorker` gives each request :data:`READ_SECONDS` to arrive, headers
and body together, from the moment its first bytes are readable; then the connection is
closed (while reading headers) or the app answers 400 (while reading the body, see
:mod:`flask_app.framing`). The lab's requests are a few kilobytes, sent in one go.

Used by ``gunicorn.conf.py`` (``worker_class``); the app itself never imports this module.
"""

from __future__ import annotations

import math
import socket
import time
from typing import Any

from gunicorn.http.errors import NoMoreData
from gunicorn.workers import gthread

#: Seconds a client has to send one whole request once it has started.
READ_SECONDS = 5.0


class DeadlineSocket:
    """A client socket whose ``recv`` gives up at :attr:`deadline` (``NoMoreData``)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = math.inf

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def recv(self, size: int, *flags: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise NoMoreData(b"")
        prior = self._sock.gettimeout()
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise NoMoreData(b"") from None
        finally:
            self._sock.settimeout(prior)


class ThreadWorker(gthread.ThreadWorker):
    """``gthread`` with a :data:`READ_SECONDS` deadline per request."""

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)
        conn.sock.deadline = time.monotonic() + READ_SECONDS
        return super().handle(conn)
