"""Security headers on every response, and a same-origin check for state-changing POSTs.

The pages load nothing from anywhere else: no CDN, no fonts, no analytics. The Content
Security Policy says so, which also stops an injected ``<script>`` from running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import BadRequest, Forbidden

P = ParamSpec("P")
R = TypeVar("R")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


#: What every response that is not a static file also gets: pages about the reader are
#: not cached.
NO_STORE = ("Cache-Control", "no-store")
#: Over HTTPS (directly, or through a trusted proxy that said so): stay on HTTPS.
HSTS = ("Strict-Transport-Security", "max-age=31536000")

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def with_security_headers(
    wsgi_app: WSGIApp, static_prefix: str, extra: Iterable[tuple[str, str]] = ()
) -> WSGIApp:
    """Wrap a WSGI app so that every response carries :data:`HEADERS` (and ``extra``).

    The list of headers is built once here, not per request: the WSGI layer takes the
    tuples as they are, where setting them one by one on each Flask response would
    check every name and value again. Every response passes through, the error pages
    too. Responses under ``static_prefix`` (``/static/``) keep their own caching
    headers; every other one gets ``Cache-Control: no-store`` in place of any it had,
    and one that arrived over HTTPS (``wsgi.url_scheme``, which ``ProxyFix`` outside
    this wrapper has already set from a trusted ``X-Forwarded-Proto``) gets
    ``Strict-Transport-Security`` unless it set its own.

    Parameters
    ----------
    wsgi_app
        The app (Flask's ``wsgi_app``, with any other wrappers inside this one).
    static_prefix
        The URL prefix of the static files, e.g. ``"/static/"``.
    extra
        More fixed headers, e.g. ``[("X-Served-By", "blue-1")]``.
    """
    fixed = [*HEADERS.items(), *extra]
    page = [*fixed, NO_STORE]
    secure_page = [*page, HSTS]
    secure_static = [*fixed, HSTS]

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        static = environ.get("PATH_INFO", "").startswith(static_prefix)
        secure = environ.get("wsgi.url_scheme") == "https"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {name.lower() for name, _ in headers}
            if not static and "cache-control" in names:
                headers[:] = [h for h in headers if h[0].lower() != "cache-control"]
            if secure and "strict-transport-security" not in names:
                headers.extend(secure_static if static else secure_page)
            else:
                headers.extend(fixed if static else page)
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def check_same_origin() -> None:
    """Refuse a cross-site browser request (a form or script on another site).

    Browsers send ``Sec-Fetch-Site`` on every request and ``Origin`` on POSTs; tools such
    as curl or ``requests`` send neither and are let through, since they carry no
    victim's cookies by accident.

    Raises
    ------
    Forbidden
        403 when the request comes from another site.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise Forbidden(f"cross-site request refused (Sec-Fetch-Site: {fetch_site[:40]})")
    origin = request.headers.get("Origin")
    if origin is not None and fetch_site is None and _origin_host(origin) != request.host:
        raise Forbidden(f"cross-site request refused (Origin: {origin[:100]})")


def _origin_host(origin: str) -> str | None:
    """Return the host[:port] of an ``Origin`` header, or None for "null" or a malformed one.

    ``urlsplit`` raises ValueError for text such as ``http://[`` (an unclosed IPv6
    bracket); such an origin is refused like a foreign one.
    """
    if origin == "null":
        return None
    try:
        return urlsplit(origin).netloc
    except ValueError:
        return None


def same_origin(view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a view so that cross-site requests get 403 before it runs."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        check_same_origin()
        return view(*args, **kwargs)

    return wrapper


def check_scheme() -> None:
    """Refuse a request whose scheme is neither http nor https.

    With trusted proxies, ``X-Forwarded-Proto`` sets the scheme the app believes; a proxy
    that passes a client's value through could make it anything ("javascript").

    Raises
    ------
    BadRequest
        400 naming the header.
    """
    if request.scheme not in ("http", "https"):
        raise BadRequest(f"X-Forwarded-Proto must be http or https, not {request.scheme[:20]!r}")


def init_app(app: Flask) -> None:
    """Register the scheme check on ``app`` (the headers: :func:`with_security_headers`)."""
    app.before_request(check_scheme)
