"""A bounded load generator for loopback addresses: a request count and a time limit.

:func:`run_load` sends GET requests from a few threads (each one "user" with its own
connection and, optionally, its own cookies) until ``requests`` were sent or
``time_limit_s`` passed, whichever comes first, and keeps one :class:`Sample` per
request: when it started, how long it took, the status (0: no answer) and
``X-Served-By``.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

__all__ = ["LOOPBACK", "LoadResult", "Sample", "run_load"]

#: The only hosts the generator sends to.
LOOPBACK = ("127.0.0.1", "::1", "localhost")
#: Most requests and longest time one run may take.
MAX_REQUESTS = 200_000
MAX_SECONDS = 600.0


@dataclass(frozen=True)
class Sample:
    """One request: start (seconds from the run's start), duration, status, served by."""

    t_s: float
    latency_s: float
    status: int
    served_by: str | None
    user: int


@dataclass
class LoadResult:
    """Every request of a run, in the order they finished."""

    samples: list[Sample] = field(default_factory=list)
    duration_s: float = 0.0

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def failed(self) -> int:
        """Requests without a 2xx/3xx answer (5xx, or no answer at all)."""
        return sum(1 for s in self.samples if not 200 <= s.status < 400)

    def shares(self) -> dict[str, float]:
        """Percent of the answered requests per copy (``X-Served-By``)."""
        counts = Counter(s.served_by for s in self.samples if s.served_by)
        total = sum(counts.values()) or 1
        return {k: 100.0 * v / total for k, v in sorted(counts.items())}

    def arrays(self) -> dict[str, np.ndarray]:
        """The samples as arrays (``t_s``, ``latency_ms``, ``status``, ``served_by``)."""
        ordered = sorted(self.samples, key=lambda s: s.t_s)
        return {
            "t_s": np.array([s.t_s for s in ordered]),
            "latency_ms": np.array([1000 * s.latency_s for s in ordered]),
            "status": np.array([s.status for s in ordered], dtype=int),
            "served_by": np.array([s.served_by or "" for s in ordered], dtype=object),
            "user": np.array([s.user for s in ordered], dtype=int),
        }

    def between(self, start_s: float, end_s: float) -> LoadResult:
        """The requests that started in ``[start_s, end_s)``."""
        return LoadResult([s for s in self.samples if start_s <= s.t_s < end_s], end_s - start_s)


def _check_url(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise ValueError(f"{url}: the load generator only sends to http:// on 127.0.0.1 or [::1]")
    return parts.hostname, parts.port or 80, parts.path or "/"


def run_load(
    url: str,
    *,
    requests: int,
    time_limit_s: float,
    users: int = 4,
    rps: float | Callable[[float], float] | None = None,
    cookies: bool = False,
    timeout_s: float = 5.0,
    on_tick: Callable[[float, LoadResult], None] | None = None,
) -> LoadResult:
    """Send at most ``requests`` GETs to ``url`` within ``time_limit_s`` seconds.

    Parameters
    ----------
    url : str
        ``http://127.0.0.1:PORT/path`` or ``http://[::1]:PORT/path``.
    requests : int
        Most requests to send (1 to 200,000).
    time_limit_s : float
        Longest run, seconds (at most 600).
    users : int
        Threads sending at once, each with its own keep-alive connection.
    rps : float or callable, optional
        Target rate (requests per second over all users), or a function of the time
        since the start; None sends as fast as the answers come (closed loop).
    cookies : bool
        Each user keeps the cookies it was given (a browser would), e.g. to stay on one
        copy with the ``cookie`` policy.
    timeout_s : float
        Per request.
    on_tick : callable, optional
        Called with the elapsed time and the result so far, about every 0.1 s, from the
        calling thread (a controller acts on the fleet while the load runs).

    Returns
    -------
    LoadResult
    """
    host, port, path = _check_url(url)
    if isinstance(requests, bool) or int(requests) != requests or not 1 <= requests <= MAX_REQUESTS:
        raise ValueError(f"requests must be a whole number from 1 to {MAX_REQUESTS:,}")
    if not 0 < time_limit_s <= MAX_SECONDS:
        raise ValueError(f"the time limit must be more than 0 and at most {MAX_SECONDS:.0f} s")
    if int(users) != users or not 1 <= users <= 64:
        raise ValueError("users must be a whole number from 1 to 64")
    lock = threading.Lock()
    sent = 0
    result = LoadResult()
    start = time.monotonic()
    deadline = start + time_limit_s
    rate = rps if callable(rps) or rps is None else (lambda _t, r=float(rps): r)
    credit = [0.0, 0.0]  # requests allowed so far, time of the last update

    def take() -> bool:
        nonlocal sent
        while True:
            now = time.monotonic()
            if now >= deadline:
                return False
            with lock:
                if sent >= requests:
                    return False
                if rate is None:
                    sent += 1
                    return True
                elapsed = now - start
                credit[0] += max(0.0, rate(elapsed)) * (elapsed - credit[1])
                credit[1] = elapsed
                if credit[0] >= 1.0:
                    credit[0] -= 1.0
                    sent += 1
                    return True
            time.sleep(0.002)

    def user(number: int) -> None:
        conn: http.client.HTTPConnection | None = None
        jar: dict[str, str] = {}
        while take():
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
            headers = {"Connection": "keep-alive"}
            if jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            t0 = time.monotonic()
            status, served = 0, None
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                served = response.getheader("X-Served-By")
                if cookies:
                    for value in response.headers.get_all("Set-Cookie") or []:
                        name, _, rest = value.partition("=")
                        jar[name.strip()] = rest.split(";", 1)[0]
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
            t1 = time.monotonic()
            with lock:
                result.samples.append(Sample(t0 - start, t1 - t0, status, served, number))
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    try:
        while any(t.is_alive() for t in threads):
            if on_tick is not None:
                on_tick(time.monotonic() - start, result)
            for thread in threads:
                thread.join(timeout=0.1 / len(threads))
    finally:
        deadline = 0.0  # stop the users also after an exception in on_tick or an interrupt
        for thread in threads:
            thread.join(timeout=timeout_s + 1)
    result.duration_s = time.monotonic() - start
    return result
