"""The health check the load balancer's target group calls: cheap, no database, no cookies."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Answer 200 while the process can serve requests."""
    return jsonify(status="ok")
