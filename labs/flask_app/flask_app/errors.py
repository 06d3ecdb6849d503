"""Turn every error into a short, clear 4xx (or, if a bug slips through, a logged 500).

API clients (paths under ``/api/`` or requests that prefer JSON) get
``{"error": ..., "status": ..., "message": ...}``; everyone else gets one line of text.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from . import identity


def wants_json() -> bool:
    """Tell whether the client should get JSON rather than text."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/plain", "text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, name: str, message: str) -> Response:
    """Build the error response in the format the client wants."""
    if wants_json():
        response = jsonify(error=name, status=status, message=message)
    else:
        response = current_app.response_class(
            f"{status} {name}: {message}\n", mimetype="text/plain"
        )
    response.status_code = status
    return response


def handle_http_error(error: HTTPException) -> Response:
    """Answer a 4xx (or other HTTP error) with its description; drop bad cookies."""
    status = error.code or 500
    response = error_response(status, error.name, error.description or error.name)
    for header, value in error.get_headers():
        if header.lower() == "allow":  # 405 lists the allowed methods
            response.headers[header] = value
    for name in getattr(error, "cookie_names", ()):
        identity.delete_cookie(response, name)
    return response


def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected exception and answer 500 without details."""
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(
        500, InternalServerError().name, "the server hit a bug; it has been logged"
    )


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
