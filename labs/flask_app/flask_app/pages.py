"""What the server knows about you: the ``/`` page and the same facts as JSON at ``/api/whoami``."""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass, fields
from types import SimpleNamespace

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from . import identity
from .clientinfo import Hop, address_info, forwarded_chain, split_forwarded_for

bp = Blueprint("pages", __name__)

#: Cookie values longer than this are shortened on the page (the JSON has them whole).
SHOWN_COOKIE_CHARS = 120
#: The serving host's name (a container id in Docker, ip-10-... on AWS): it does not change.
HOSTNAME = socket.gethostname()


@dataclass(frozen=True)
class RequestFacts:
    """What one request tells the server about the client, and who served it.

    The page reads these as attributes and ``/api/whoami`` returns :meth:`to_dict`.
    (Templates look a name up as an attribute first, so an object is also the faster
    thing to hand them: on a dict every ``info.ip`` raises and catches an AttributeError.)

    Attributes
    ----------
    ip, ip_version, ip_family, ipv4_mapped
        The client address the app believes and what kind of address it is.
    peer : str
        The TCP peer (the nearest proxy, or the client itself).
    trusted_proxy_hops : int
        ``TRUSTED_PROXY_HOPS``: how many proxies in front of the app are believed.
    forwarded_for : list of str
        ``X-Forwarded-For`` entries as received, leftmost first.
    forwarded_chain : list of Hop
        Each entry and the peer, with whether it is trusted and why.
    scheme : str
        ``http`` or ``https`` as the app believes it.
    session_id : str or None
        This browser session's random id; None when the browser has no session yet
        (only the page starts one: the JSON route reports a session, it never starts one).
    device_id : str or None
        The consented device id, None without consent.
    user_agent : str or None
        The ``User-Agent`` header.
    headers, cookies : dict of str to str
        Every request header and every cookie received.
    color, version : str or None
        The deployment's colour and version (blue/green), from the environment.
    host : str
        The serving host's name.
    pid : int
        The serving worker process.
    served_by : str or None
        This copy's id in a fleet (``SERVED_BY``, also sent as ``X-Served-By``).
    """

    ip: str
    ip_version: int | None
    ip_family: str
    ipv4_mapped: str | None
    peer: str
    trusted_proxy_hops: int
    forwarded_for: list[str]
    forwarded_chain: list[Hop]
    scheme: str
    session_id: str | None
    device_id: str | None
    user_agent: str | None
    headers: dict[str, str]
    cookies: dict[str, str]
    color: str | None
    version: str | None
    host: str
    pid: int
    served_by: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the JSON-ready dict that ``/api/whoami`` sends."""
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["forwarded_chain"] = [hop.to_dict() for hop in self.forwarded_chain]
        return data


_FIELD_NAMES = tuple(field.name for field in fields(RequestFacts))
#: The same few client addresses come back request after request; the answer is immutable.
_address_info = functools.lru_cache(maxsize=1024)(address_info)


def describe_request(*, start_session: bool = False) -> RequestFacts:
    """Collect what the current request tells the server about the client.

    Parameters
    ----------
    start_session : bool
        Start a session (a new signed session cookie) when the browser has none, as the
        page does. The JSON route only reports one: a ``GET`` that reads should not make
        the server keep anything, nor set a cookie nobody needed.
    """
    req = request._get_current_object()  # one context lookup instead of one per attribute
    config = current_app.config
    hops = config["TRUSTED_PROXY_HOPS"]
    original = req.environ.get("werkzeug.proxy_fix.orig", {})
    peer = original.get("REMOTE_ADDR", req.remote_addr) or ""
    environ = req.environ  # read directly: a missing header costs no exception here
    forwarded = split_forwarded_for(environ.get("HTTP_X_FORWARDED_FOR"))
    client = _address_info(req.remote_addr)
    return RequestFacts(
        ip=client.address,
        ip_version=client.version,
        ip_family=client.family,
        ipv4_mapped=client.ipv4_mapped,
        peer=peer,
        trusted_proxy_hops=hops,
        forwarded_for=forwarded,
        forwarded_chain=forwarded_chain(peer, forwarded, hops),
        scheme=req.scheme,
        session_id=identity.session_id() if start_session else identity.known_session_id(),
        device_id=identity.device_id(),
        user_agent=environ.get("HTTP_USER_AGENT"),
        headers=dict(req.headers.items()),
        cookies=identity.cookies_of(req).to_dict(),
        color=config["COLOR"],
        version=config["VERSION"],
        host=HOSTNAME,
        pid=os.getpid(),
        served_by=config.get("SERVED_BY"),
    )


@bp.app_context_processor
def page_context() -> dict[str, SimpleNamespace]:
    """Template context for every page: the URLs it links to and the deployment.

    The links are built once per script root: ``url_for`` is not free, and they never
    change while the app runs.
    """
    cache = current_app.extensions.setdefault("flask_app.links", {})
    root = request.script_root
    if root not in cache:
        cache[root] = SimpleNamespace(
            index=url_for("pages.index"),
            whoami=url_for("pages.whoami"),
            fingerprint=url_for("fingerprint.page"),
            consent=url_for("consent.consent"),
            style=url_for("static", filename="style.css"),
            favicon=url_for("static", filename="favicon.svg"),
            script=url_for("static", filename="fingerprint.js"),
        )
    config = current_app.config
    return {
        "links": cache[root],
        "deployment": SimpleNamespace(color=config["COLOR"], version=config["VERSION"]),
    }


@bp.get("/")
def index() -> str:
    """Render the page that shows the reader what the server sees."""
    return render_template(
        "index.html", info=describe_request(start_session=True), shown=SHOWN_COOKIE_CHARS
    )


@bp.get("/api/whoami")
def whoami() -> Response:
    """Return the same facts as the ``/`` page, as JSON; a first visit has no session yet."""
    return jsonify(describe_request().to_dict())
