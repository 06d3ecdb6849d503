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
import select
import socket
import time
from typing import Any

from gunicorn.http.errors import NoMoreData
from gunicorn.workers import gthread

#: Seconds a client has to send one whole request once it has started.
READ_SECONDS = 5.0


class DeadlineSocket:
    """A client socket whose ``recv`` gives up at :attr:`deadline` (``NoMoreData``).

    The socket stays in blocking mode. A read first takes what has already arrived
    (``MSG_DONTWAIT``: one system call, the usual case, since gunicorn hands a connection
    to a thread once it is readable); only when nothing is there does it wait, with
    ``poll``, for at most the time left. Switching the socket's timeout before and after
    every read instead would cost three more system calls per read, each releasing and
    retaking the interpreter lock that the worker's threads share.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = math.inf

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def recv(self, size: int, flags: int = 0) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise NoMoreData(b"")
        try:
            return self._sock.recv(size, flags | socket.MSG_DONTWAIT)
        except BlockingIOError:
            pass  # nothing has arrived yet: wait for it below
        waiter = select.poll()
        waiter.register(self._sock, select.POLLIN)
        if not waiter.poll(remaining * 1000):  # milliseconds
            raise NoMoreData(b"")
        return self._sock.recv(size, flags)


class ThreadWorker(gthread.ThreadWorker):
    """``gthread`` with a :data:`READ_SECONDS` deadline per request."""

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)
        conn.sock.deadline = time.monotonic() + READ_SECONDS
        return super().handle(conn)
