"""A request body the server cannot read is the client's fault: 400, not 500.

gunicorn reads a chunked body lazily, while the view reads it, so bad framing
(``Transfer-Encoding: chunked`` and then ``ZZ\\r\\n``) surfaces inside the view as
gunicorn's ``InvalidChunkSize``; a client that closes before sending all of its
``Content-Length`` surfaces as ``NoMoreData`` (an ``OSError``). :class:`CheckedInput`
wraps ``wsgi.input`` so that any failure to read it becomes a 400 naming the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.exceptions import BadRequest


class MalformedBody(BadRequest):
    """400: the request body's framing is broken or the body ended early."""


class CheckedInput:
    """A ``wsgi.input`` whose read errors raise :class:`MalformedBody`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._stream, method)(*args)
        except Exception as error:  # gunicorn's ParseException subclasses, OSError
            name = type(error).__name__
            raise MalformedBody(f"the request body could not be read ({name})") from None

    def read(self, *args: Any) -> bytes:
        return self._call("read", *args)

    def readline(self, *args: Any) -> bytes:
        return self._call("readline", *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._call("readlines", *args)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


def check_input(
    wsgi_app: Callable[[dict[str, Any], Any], Iterable[bytes]],
) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """Wrap a WSGI app so that its ``wsgi.input`` is a :class:`CheckedInput`."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None:
            environ["wsgi.input"] = CheckedInput(stream)
        return wsgi_app(environ, start_response)

    return app
