"""The fault knobs a load-balancer lab turns on.

``FAIL_RATE`` (a share from 0 to 1) makes that share of requests answer 500, and
``SLOW_MS`` adds that many milliseconds to each request. Both are off (0) unless set, and
neither touches ``/healthz``: a copy with a bug still passes its health check, which is
what makes a bad release dangerous and why a rollback watches the error rate instead.
(This copy's id, ``SERVED_BY``, goes out as ``X-Served-By`` with the security headers:
:func:`served_by_header`.)
"""

from __future__ import annotations

import random
import time

from flask import Flask, request
from werkzeug.exceptions import InternalServerError

#: The endpoint the load balancer's health check calls, never slowed or failed.
HEALTH_ENDPOINT = "health.healthz"


def served_by_header(app: Flask) -> list[tuple[str, str]]:
    """``[("X-Served-By", id)]`` when ``SERVED_BY`` is set, else nothing (every response)."""
    served_by = app.config.get("SERVED_BY")
    return [("X-Served-By", str(served_by))] if served_by else []


def init_app(app: Flask) -> None:
    """Register the knobs that are on (none by default: then nothing runs per request)."""
    fail_rate = float(app.config.get("FAIL_RATE") or 0.0)
    slow_s = int(app.config.get("SLOW_MS") or 0) / 1000.0

    if fail_rate or slow_s:
        chance = random.Random()

        def inject_faults() -> None:
            if request.endpoint == HEALTH_ENDPOINT:
                return
            if slow_s:
                time.sleep(slow_s)
            if fail_rate and chance.random() < fail_rate:
                raise InternalServerError("FAIL_RATE: this request failed on purpose")

        app.before_request(inject_faults)
