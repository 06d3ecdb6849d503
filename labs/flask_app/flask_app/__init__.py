"""A Flask app that shows what a web server can know about you (the cloudlab Flask lab).

Run it with gunicorn (see ``gunicorn.conf.py``) or, for a quick look, with
``flask --app flask_app run``. Configuration comes from environment variables; see
:mod:`flask_app.settings` and the README.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    consent,
    db,
    errors,
    faults,
    fingerprint,
    framing,
    health,
    identity,
    pages,
    security,
)
from .settings import load_settings

__all__ = ["create_app"]

#: Limits on form posts (the consent form has one short field).
MAX_FORM_MEMORY_SIZE = 4 * 1024
MAX_FORM_PARTS = 16


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app.

    Parameters
    ----------
    test_config : Mapping, optional
        Flask config keys that override what the environment says (tests use this).

    Returns
    -------
    Flask
        The app, wrapped in ``ProxyFix`` when ``TRUSTED_PROXY_HOPS`` is above 0.

    Raises
    ------
    flask_app.settings.ConfigError
        With a one-line message when the environment is invalid, e.g. production
        without ``SECRET_KEY``.
    """
    app = Flask(__name__, instance_relative_config=True)
    # JSON keys in the order the code writes them (``/api/whoami``: ip first), not sorted:
    # sorting every dict of every answer is a tenth of that route's time, and Flask's
    # documentation names turning it off as the way to save it.
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider's attribute, the provider Flask installs
    settings = load_settings(os.environ)
    app.config.from_mapping(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY_SIZE,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
    )
    app.config.from_mapping(settings.to_flask_config())
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning(
            "SECRET_KEY is not set: using a random key for this run, so sessions end when "
            "the server restarts. Set SECRET_KEY (and APP_ENV=production) when deploying."
        )

    identity.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    db.init_app(app)
    faults.init_app(app)
    for blueprint in (pages.bp, consent.bp, fingerprint.bp, health.bp):
        app.register_blueprint(blueprint)

    # Around Flask, innermost first: read errors in the body become 400s; /healthz is
    # answered before Flask; every response gets the security headers (and X-Served-By);
    # outermost, ProxyFix sets the client address and scheme the others see.
    wsgi = framing.check_input(app.wsgi_app)
    wsgi = health.answer_health_checks(wsgi)
    static = f"{app.static_url_path}/"
    app.wsgi_app = security.with_security_headers(wsgi, static, faults.served_by_header(app))  # type: ignore[method-assign]  # Flask's documented way to wrap
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]  # Flask's documented way to wrap
    return app
