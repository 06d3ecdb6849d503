"""The health check the load balancer's target group calls: cheap, no database, no cookies.

Every node of a load balancer calls it every few seconds, so it should cost next to
nothing: :func:`answer_health_checks` answers ``GET`` and ``HEAD /healthz`` at the WSGI
layer with a body built once, before Flask builds a request, opens a session or runs a
hook. It still proves what a health check is for (this process accepts connections,
parses HTTP and answers), and its response is the one the Flask view below gives: the
same body and type, and the security headers and ``X-Served-By`` of the wrapper around
it (:func:`flask_app.security.with_security_headers`). Anything else on that path (another
method, a scheme the app refuses) goes on to Flask, which answers as for any route: 405
with ``Allow``, 400 for ``X-Forwarded-Proto: javascript``. The fault knobs never touch it
(:mod:`flask_app.faults`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, current_app

bp = Blueprint("health", __name__)

PATH = "/healthz"
BODY = b'{"status":"ok"}\n'  # what jsonify(status="ok") gives
HEADERS = (("Content-Type", "application/json"), ("Content-Length", str(len(BODY))))
#: Schemes the app serves (:func:`flask_app.security.check_scheme` refuses the others).
SCHEMES = frozenset({"http", "https"})

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


@bp.get(PATH)
def healthz() -> Response:
    """Answer 200 while the process can serve requests (reached when not answered earlier)."""
    return current_app.response_class(BODY, mimetype="application/json")


def answer_health_checks(wsgi_app: WSGIApp) -> WSGIApp:
    """Wrap a WSGI app so that ``GET``/``HEAD /healthz`` is answered here, without Flask."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and environ.get("wsgi.url_scheme") in SCHEMES
        ):
            start_response("200 OK", list(HEADERS))
            return [BODY] if environ["REQUEST_METHOD"] == "GET" else []
        return wsgi_app(environ, start_response)

    return app
