"""Security headers on every response, and a same-origin check for state-changing POSTs.

The pages load nothing from anywhere else: no CDN, no fonts, no analytics. The Content
Security Policy says so, which also stops an injected ``<script>`` from running.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, request
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


_HEADER_ITEMS = list(HEADERS.items())


def add_security_headers(response: Response) -> Response:
    """Add the headers above; pages about the reader are not cached (``no-store``)."""
    response.headers.extend(_HEADER_ITEMS)  # no view sets these itself
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


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
    """Register the scheme check and the header hook on ``app``."""
    app.before_request(check_scheme)
    app.after_request(add_security_headers)
