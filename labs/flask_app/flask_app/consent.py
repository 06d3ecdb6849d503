"""Consent for the device-id cookie: ``POST /consent`` with ``choice=accept`` or ``decline``.

Accepting sets a persistent device-id cookie (it survives closing the browser, until its
``Max-Age`` runs out); declining deletes it. Without consent the app sets no persistent
cookie at all, only the session cookie.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.exceptions import BadRequest

from . import identity
from .errors import wants_json
from .security import same_origin

bp = Blueprint("consent", __name__)

CHOICES = ("accept", "decline")


@bp.post("/consent")
@same_origin
def consent() -> Response:
    """Record the reader's choice in cookies and go back to the page (303)."""
    choice = request.form.get("choice", "")
    if choice not in CHOICES:
        shown = choice if len(choice) <= 40 else choice[:40] + "..."
        raise BadRequest(f"choice must be 'accept' or 'decline', not {shown!r}")
    device = identity.device_id() if choice == "accept" else None
    if choice == "accept" and device is None:
        device = secrets.token_urlsafe(16)
    if wants_json():
        response = jsonify(consent=choice, device_id=device)
    else:
        response = redirect(url_for("pages.index"), code=303)
    if device is not None:
        identity.set_device_cookie(response, device)
    else:
        identity.delete_cookie(response, identity.DEVICE_COOKIE)
    return response
