"""A fleet on the reader's machine: copies of the lab app under gunicorn, Caddy in front.

::

    from cloudlab.fleet import Fleet, ProxyHealthCheck

    with Fleet(copies=3, green=1, health=ProxyHealthCheck(interval_s=1)) as fleet:
        fleet.set_weights({"blue": 80, "green": 20})
        fleet.kill("blue-1")          # a crash (SIGKILL)
        print(fleet.status())

Every copy and Caddy run in their own process group and are ended by group
(:mod:`cloudlab.procs`); the ``with`` block (or :meth:`Fleet.stop`) ends them all, also
after an exception or a KeyboardInterrupt, and at interpreter exit if the fleet was
never stopped.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudlab import checks
from cloudlab.fleet.caddy import (
    POLICIES,
    Caddy,
    Passive,
    ProxyHealthCheck,
    Upstream,
    caddy_config,
    check_port_free,
    copy_weights,
    find_caddy,
)
from cloudlab.sim.loadbalancer import HealthCheck
from cloudlab.web.dualstack import has_ipv6_loopback
from cloudlab.web.labapp import LabApp, free_port

__all__ = ["COLORS", "Copy", "Fleet"]

#: The two deployment colours of blue/green.
COLORS = ("blue", "green")
#: Largest number of copies (two cores: more only measures the machine).
MAX_COPIES = 12


@dataclass
class Copy:
    """One copy of the lab app.

    Attributes
    ----------
    id : str
        Its name, e.g. ``blue-1`` (sent as ``X-Served-By``).
    color, version : str
        Its deployment.
    port : int
        Its loopback port (it keeps it across restarts).
    env : dict
        Extra settings of the app (e.g. ``{"FAIL_RATE": "0.2"}``).
    """

    id: str
    color: str
    version: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    app: LabApp | None = field(default=None, repr=False)

    def _settings(self) -> dict[str, str]:
        return {
            "COLOR": self.color,
            "VERSION": self.version,
            "SERVED_BY": self.id,
            "TRUSTED_PROXY_HOPS": "1",
            **self.env,
        }

    def start(self, ipv6: bool) -> None:
        """Start gunicorn for this copy and wait for ``/healthz``."""
        if self.running:
            raise ValueError(f"{self.id} is already running")
        self.app = LabApp(
            env=self._settings(),
            port=self.port,
            workers=self.workers,
            ipv6=ipv6,
            tied_to_parent=True,
        )
        try:
            self.app.start()
        except BaseException:
            self.app = None
            raise

    @property
    def running(self) -> bool:
        """True while its gunicorn runs."""
        return self.app is not None and self.app.running

    @property
    def pid(self) -> int | None:
        """The gunicorn master's pid, None when not running."""
        return self.app.pid if self.app is not None else None

    def kill(self) -> None:
        """SIGKILL the copy's process group: a crash."""
        if self.app is not None:
            self.app.kill()
        self.app = None

    def stop(self) -> None:
        """SIGTERM: gunicorn stops accepting, finishes the requests in flight, then exits."""
        if self.app is not None:
            self.app.stop()
        self.app = None


def _stop_all(caddy: Caddy, copies: list[Copy]) -> None:
    for copy in copies:
        with contextlib.suppress(Exception):  # best effort: stop the others too
            copy.kill()
    caddy.stop()


@dataclass(eq=False)
class Fleet:
    """N copies of the lab app behind Caddy on ``127.0.0.1:port`` and ``[::1]:port``.

    Parameters
    ----------
    copies : int
        Number of copies.
    green : int
        How many of them are green (the rest are blue).
    port : int
        The proxy's port (0: a free one).
    policy : str
        One of :data:`~cloudlab.fleet.caddy.POLICIES`.
    health : HealthCheck
        Active health check, ALB names (default: 1 s interval, 0.5 s timeout, 2 healthy,
        2 unhealthy: the ALB's 30 s / 5 / 2 scaled down to seconds).
    passive : Passive
        Passive health check.
    retries : int
        Upstreams Caddy tries again when one cannot be reached.
    weights : mapping, optional
        Percent per colour (default: by number of copies, through plain round robin).
    workers : int
        gunicorn workers per copy.
    blue_version, green_version : str
        The ``VERSION`` of each colour.
    env : mapping, optional
        Extra settings per copy id or colour, e.g. ``{"green": {"FAIL_RATE": "0.2"}}``.
    """

    copies: int = 3
    green: int = 0
    port: int = 0
    policy: str = "round_robin"
    health: HealthCheck = field(
        default_factory=lambda: ProxyHealthCheck(
            interval_s=1.0, timeout_s=0.5, healthy_threshold=2, unhealthy_threshold=2
        )
    )
    passive: Passive = field(default_factory=Passive)
    retries: int = 0
    weights: Mapping[str, int] | None = None
    workers: int = 1
    blue_version: str = "1.0"
    green_version: str = "2.0"
    env: Mapping[str, Mapping[str, str]] | None = None
    ipv6: bool = field(default_factory=has_ipv6_loopback)
    members: list[Copy] = field(default_factory=list, init=False)
    caddy: Caddy | None = field(default=None, init=False, repr=False)
    _finalizer: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        checks.fields(self)
        for name, value, low in (("copies", self.copies, 1), ("green", self.green, 0)):
            if isinstance(value, bool) or int(value) != value or not low <= value <= MAX_COPIES:
                raise ValueError(f"{name} must be a whole number from {low} to {MAX_COPIES}")
        if self.green > self.copies:
            raise ValueError(f"green ({self.green}) cannot be more than copies ({self.copies})")
        if self.policy not in POLICIES:
            raise ValueError(f"unknown policy {self.policy!r}: use one of {', '.join(POLICIES)}")
        if self.port:
            check_port_free(self.port, self.ipv6)
        if self.weights is not None:
            if not isinstance(self.weights, Mapping):
                raise ValueError(
                    f"weights={checks.show(self.weights)}: expected a share per colour, "
                    "such as {'blue': 80, 'green': 20}"
                )
            self.weights = dict(self.weights)

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        """The proxy on IPv4, e.g. ``http://127.0.0.1:8080``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url6(self) -> str | None:
        """The proxy on IPv6, or None without ``::1``."""
        return f"http://[::1]:{self.port}" if self.ipv6 else None

    def start(self) -> Fleet:
        """Start every copy, then Caddy, and apply the configuration through the admin API."""
        if self.caddy is not None:
            raise RuntimeError("the fleet is already running")
        binary = find_caddy()  # a missing binary fails before anything starts
        self.port = self.port or free_port(self.ipv6)
        check_port_free(self.port, self.ipv6)
        self.caddy = Caddy(admin_port=free_port(False), binary=binary)
        self._finalizer = weakref.finalize(self, _stop_all, self.caddy, self.members)
        try:
            blue = self.copies - self.green
            for color, count in (("blue", blue), ("green", self.green)):
                for _ in range(count):
                    self._add_copy(color)
            self.caddy.start()
            self.apply()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every copy and Caddy; nothing is left running, no port taken, no file."""
        if self._finalizer is not None:
            self._finalizer()  # runs _stop_all once (also at interpreter exit)
            self._finalizer = None
        self.members.clear()
        self.caddy = None

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True while Caddy runs."""
        return self.caddy is not None and self.caddy.running

    # ------------------------------------------------------------------ configuration

    def _version(self, color: str) -> str:
        return self.green_version if color == "green" else self.blue_version

    def _add_copy(self, color: str) -> Copy:
        taken = {c.id for c in self.members}
        n = 1
        while f"{color}-{n}" in taken:
            n += 1
        copy_id = f"{color}-{n}"
        env = dict((self.env or {}).get(color, {}))
        env.update((self.env or {}).get(copy_id, {}))
        copy = Copy(
            id=copy_id,
            color=color,
            version=self._version(color),
            port=free_port(self.ipv6),
            env=env,
            workers=self.workers,
        )
        copy.start(self.ipv6)
        self.members.append(copy)
        return copy

    def config(self) -> dict[str, Any]:
        """The Caddy configuration this fleet applies now."""
        colors = [c.color for c in self.members]
        if self.weights is None:
            weights = [1] * len(colors)
        else:
            present = {k: v for k, v in self.weights.items() if k in colors or v}
            weights = copy_weights(colors, present)
        assert self.caddy is not None
        return caddy_config(
            port=self.port,
            admin_port=self.caddy.admin_port,
            upstreams=[Upstream(c.port, w) for c, w in zip(self.members, weights, strict=True)],
            policy=self.policy,
            health=self.health,
            passive=self.passive,
            retries=self.retries,
            ipv6=self.ipv6,
            log_dir=self.caddy.log_dir,
        )

    def apply(self) -> None:
        """Send the current configuration to Caddy (``POST /load``)."""
        if self.caddy is None:
            raise RuntimeError("the fleet is not running")
        self.caddy.load(self.config())

    def set_weights(self, shares: Mapping[str, int]) -> None:
        """Percent per colour, e.g. ``{"blue": 80, "green": 20}``, applied live.

        The share of a colour is split evenly over its copies. With the ``round_robin``
        or ``least_conn`` policy the fleet switches to ``weighted_round_robin`` (weights
        mean nothing to the others); ``cookie`` keeps its cookie and uses the weights for
        clients without one.
        """
        shares = {str(k): v for k, v in shares.items()}
        copy_weights([c.color for c in self.members], shares)  # checks before changing
        old = self.weights, self.policy
        self.weights = shares
        if self.policy in ("round_robin", "least_conn"):
            self.policy = "weighted_round_robin"
        try:
            self.apply()
        except BaseException:
            self.weights, self.policy = old
            raise

    def set_policy(self, policy: str) -> None:
        """Change the selection policy live."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}: use one of {', '.join(POLICIES)}")
        self.policy = policy
        self.apply()

    # ------------------------------------------------------------------ copies

    def copy(self, copy_id: str) -> Copy:
        """The copy named ``copy_id``; ValueError naming the ones there are."""
        for member in self.members:
            if member.id == copy_id:
                return member
        names = ", ".join(c.id for c in self.members) or "none"
        raise ValueError(f"no copy {copy_id!r} in this fleet (copies: {names})")

    def kill(self, copy_id: str) -> None:
        """Crash a copy (SIGKILL); Caddy still lists it until its checks fail."""
        self.copy(copy_id).kill()

    def stop_copy(self, copy_id: str) -> None:
        """Stop a copy gracefully (SIGTERM: it drains the requests in flight)."""
        self.copy(copy_id).stop()

    def start_copy(self, copy_id: str) -> None:
        """Start a stopped or killed copy again, on its own port."""
        self.copy(copy_id).start(self.ipv6)

    def scale(self, count: int, color: str | None = None) -> None:
        """Run ``count`` copies of ``color`` (default: the colour with the most weight).

        New copies start, answer ``/healthz`` and then join Caddy's upstreams; copies
        taken away leave the upstreams first and then stop gracefully.
        """
        if isinstance(count, bool) or int(count) != count or not 1 <= count <= MAX_COPIES:
            raise ValueError(f"the number of copies must be from 1 to {MAX_COPIES}, not {count}")
        if color is None:
            color = self._main_color()
        if color not in COLORS:
            raise ValueError(f"unknown colour {color!r}: use blue or green")
        same = [c for c in self.members if c.color == color]
        others = len(self.members) - len(same)
        if count + others > MAX_COPIES:
            raise ValueError(f"the fleet can have at most {MAX_COPIES} copies")
        if count > len(same):
            for _ in range(count - len(same)):
                self._add_copy(color)
            self.apply()
        elif count < len(same):
            leaving = same[count:]
            for copy in leaving:
                self.members.remove(copy)
            self.apply()
            assert self.caddy is not None
            for copy in leaving:
                copy.stop()
                self.caddy.forget(f"127.0.0.1:{copy.port}")

    def _main_color(self) -> str:
        weights = self.weights
        if weights:
            return max(COLORS, key=lambda c: (weights.get(c, 0), c == "blue"))
        counts = {c: sum(m.color == c for m in self.members) for c in COLORS}
        return max(COLORS, key=lambda c: (counts[c], c == "blue"))

    # ------------------------------------------------------------------ status

    def shares(self) -> dict[str, float]:
        """Configured percent of new requests per copy (0 for none), from the weights."""
        colors = [c.color for c in self.members]
        if self.weights is None or self.policy in ("round_robin", "least_conn"):
            weights = [1] * len(colors)
        else:
            weights = copy_weights(colors, {k: v for k, v in self.weights.items() if k in colors})
        total = sum(weights) or 1
        return {c.id: 100.0 * w / total for c, w in zip(self.members, weights, strict=True)}

    def status(self) -> dict[str, Any]:
        """The copies (id, pid, port, color, version, running, healthy as Caddy sees it)."""
        if self.caddy is None:
            raise RuntimeError("the fleet is not running")
        seen = self.caddy.health()
        caddy_view = {u.get("address"): u for u in self.caddy.upstreams()}
        rows = []
        for copy in self.members:
            dial = f"127.0.0.1:{copy.port}"
            view = caddy_view.get(dial, {})
            rows.append(
                {
                    "id": copy.id,
                    "pid": copy.pid,
                    "port": copy.port,
                    "color": copy.color,
                    "version": copy.version,
                    "running": copy.running,
                    "healthy": seen.get(dial, True),
                    "in_flight": view.get("num_requests"),
                    "passive_fails": view.get("fails"),
                }
            )
        weights = self.weights or {
            c: round(100 * sum(m.color == c for m in self.members) / len(self.members))
            for c in COLORS
            if any(m.color == c for m in self.members)
        }
        return {
            "port": self.port,
            "url": self.url,
            "url6": self.url6,
            "admin": self.caddy.admin,
            "caddy_pid": self.caddy.pid,
            "policy": self.policy,
            "weights": dict(weights),
            "retries": self.retries,
            "copies": rows,
        }

    def healthy(self, copy_id: str) -> bool:
        """Whether Caddy's active health check counts this copy as up (new copies are)."""
        copy = self.copy(copy_id)
        if self.caddy is None:
            raise RuntimeError("the fleet is not running")
        return self.caddy.health().get(f"127.0.0.1:{copy.port}", True)
