"""What the server knows about you: the ``/`` page and the same facts as JSON at ``/api/whoami``."""

from __future__ import annotations

import os
import socket

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from . import identity
from .clientinfo import address_info, forwarded_chain, split_forwarded_for

bp = Blueprint("pages", __name__)

#: Cookie values longer than this are shortened on the page (the JSON has them whole).
SHOWN_COOKIE_CHARS = 120
#: The serving host's name (a container id in Docker, ip-10-... on AWS): it does not change.
HOSTNAME = socket.gethostname()


def describe_request() -> dict[str, object]:
    """Collect what this request tells the server about the client.

    Returns
    -------
    dict
        JSON-ready facts: ``ip``, ``ip_version``, ``ip_family``, ``ipv4_mapped``, ``peer``,
        ``trusted_proxy_hops``, ``forwarded_for`` (list), ``forwarded_chain``, ``scheme``,
        ``session_id``, ``device_id`` (None without consent), ``user_agent``, ``headers``,
        ``cookies``, ``color``, ``version``, ``host`` and ``pid`` of the serving process.
    """
    hops = current_app.config["TRUSTED_PROXY_HOPS"]
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    peer = original.get("REMOTE_ADDR", request.remote_addr) or ""
    forwarded = split_forwarded_for(request.headers.get("X-Forwarded-For"))
    client = address_info(request.remote_addr)
    return {
        "ip": client.address,
        "ip_version": client.version,
        "ip_family": client.family,
        "ipv4_mapped": client.ipv4_mapped,
        "peer": peer,
        "trusted_proxy_hops": hops,
        "forwarded_for": forwarded,
        "forwarded_chain": [hop.to_dict() for hop in forwarded_chain(peer, forwarded, hops)],
        "scheme": request.scheme,
        "session_id": identity.session_id(),
        "device_id": identity.device_id(),
        "user_agent": request.headers.get("User-Agent"),
        "headers": dict(request.headers.items()),
        "cookies": request.cookies.to_dict(),
        "color": current_app.config["COLOR"],
        "version": current_app.config["VERSION"],
        "host": HOSTNAME,
        "pid": os.getpid(),
    }


@bp.app_context_processor
def links() -> dict[str, dict[str, str]]:
    """Template context: the URLs every page links to, built once per script root.

    ``url_for`` is not free, and these never change while the app runs.
    """
    cache = current_app.extensions.setdefault("flask_app.links", {})
    root = request.script_root
    if root not in cache:
        cache[root] = {
            "index": url_for("pages.index"),
            "whoami": url_for("pages.whoami"),
            "fingerprint": url_for("fingerprint.page"),
            "consent": url_for("consent.consent"),
            "style": url_for("static", filename="style.css"),
            "favicon": url_for("static", filename="favicon.svg"),
            "script": url_for("static", filename="fingerprint.js"),
        }
    return {"links": cache[root]}


@bp.get("/")
def index() -> str:
    """Render the page that shows the reader what the server sees."""
    return render_template("index.html", info=describe_request(), shown=SHOWN_COOKIE_CHARS)


@bp.get("/api/whoami")
def whoami() -> Response:
    """Return the same facts as the ``/`` page, as JSON."""
    return jsonify(describe_request())
