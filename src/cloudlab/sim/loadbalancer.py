"""Simulate an Application Load Balancer spreading requests over targets that fail and drain.

The model follows the behaviour documented for Application Load Balancer target groups,
one time step (``step_s``, normally one second) at a time:

- **Routing.** New requests go to the targets that are registered, not draining and
  healthy in the load balancer's view, by ``round_robin`` (each in turn, the default) or
  ``least_outstanding_requests`` (to whoever has the fewest requests in progress). If no
  target is healthy the load balancer *fails open* and uses all of them.
- **Health checks.** Every ``interval_s`` the load balancer asks each target for
  ``path`` (``/healthz``). A target answers if it is up and its queue lets the check
  through within ``timeout_s``; otherwise the check fails when the timeout expires.
  ``unhealthy_threshold`` failures in a row take a target out of service;
  ``healthy_threshold`` successes in a row put it back. Defaults are AWS's: 30 s, 5 s,
  5 and 2.
- **Targets** serve up to ``capacity_rps`` requests per second and queue the rest; a
  request that would wait longer than ``queue_timeout_s`` is refused at once (an
  error), as a client would give up on it anyway. A target that is down fails whatever
  it holds and whatever it is sent.
- **Connection draining.** A target being deregistered gets no new requests, finishes
  its queue, and whatever is still queued when the deregistration delay (default 300 s)
  ends is cut off.

No request is ever lost: each one is served, still queued at the end, or counted as an
error with a reason (:data:`ERROR_REASONS`). Arrivals are seeded Poisson counts (or exact
counts with ``random_arrivals=False``), so the same inputs and seed give the same arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cloudlab import checks
from cloudlab.sim.traffic import arrivals as make_arrivals
from cloudlab.sim.traffic import rate_series

__all__ = [
    "ALGORITHMS",
    "DEFAULT_DEREGISTRATION_DELAY_S",
    "ERROR_REASONS",
    "Algorithm",
    "Deregistration",
    "Detection",
    "Failure",
    "HealthCheck",
    "LoadBalancerRun",
    "Target",
    "simulate_load_balancer",
]

Algorithm = Literal["round_robin", "least_outstanding_requests"]
#: The routing algorithms of an ALB target group, with a label for menus.
ALGORITHMS: dict[str, str] = {
    "round_robin": "round robin",
    "least_outstanding_requests": "least outstanding requests",
}
#: Default deregistration delay (connection draining) of a target group, seconds.
DEFAULT_DEREGISTRATION_DELAY_S = 300.0
#: Why a request failed, keyed by the name used in :attr:`LoadBalancerRun.errors`.
ERROR_REASONS: dict[str, str] = {
    "target_down": "sent to (or in progress on) a target that had failed",
    "timed_out": "refused: the target's queue was longer than the client would wait",
    "drain_cutoff": "still queued when the deregistration delay ended",
    "no_targets": "no registered target left to send it to",
}


@dataclass(frozen=True)
class Target:
    """One registered target (an ECS task, by its IP address).

    Attributes
    ----------
    name : str
        A short name, such as ``"task-a"``.
    capacity_rps : float
        Requests per second it can finish.
    latency_ms : float
        Time to serve one request when nothing is queued, milliseconds.
    """

    name: str
    capacity_rps: float = 100.0
    latency_ms: float = 20.0

    def __post_init__(self) -> None:
        checks.fields(self)
        if not self.name.strip():
            raise ValueError("every target needs a name")
        if not math.isfinite(self.capacity_rps) or self.capacity_rps <= 0:
            raise ValueError(
                f"target {self.name}: capacity must be more than 0 requests per second"
            )
        if not math.isfinite(self.latency_ms) or self.latency_ms < 0:
            raise ValueError(f"target {self.name}: latency must be 0 ms or more")


@dataclass(frozen=True)
class HealthCheck:
    """Health check settings of a target group (ALB defaults for ``ip`` targets).

    Attributes
    ----------
    interval_s : float
        Seconds between checks of one target (AWS allows 5–300; default 30).
    timeout_s : float
        Seconds without an answer that make a check fail (AWS allows 2–120; default 5).
    healthy_threshold : int
        Consecutive successes that put a target back in service (2–10; default 5).
    unhealthy_threshold : int
        Consecutive failures that take a target out of service (2–10; default 2).
    path : str
        The URL path asked for (the lab app answers on ``/healthz``).
    """

    interval_s: float = 30.0
    timeout_s: float = 5.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    path: str = "/healthz"

    def __post_init__(self) -> None:
        checks.fields(self)
        if not 5 <= self.interval_s <= 300:
            raise ValueError(
                f"the health check interval must be 5–300 seconds, not {self.interval_s}"
            )
        if not 2 <= self.timeout_s <= 120:
            raise ValueError(
                f"the health check timeout must be 2–120 seconds, not {self.timeout_s}"
            )
        if self.timeout_s >= self.interval_s:
            raise ValueError(
                f"the health check timeout ({self.timeout_s} s) must be shorter than the "
                f"interval ({self.interval_s} s)"
            )
        for name, value in (
            ("healthy threshold", self.healthy_threshold),
            ("unhealthy threshold", self.unhealthy_threshold),
        ):
            if int(value) != value or not 2 <= value <= 10:
                raise ValueError(f"the {name} must be a whole number of checks from 2 to 10")
        if not self.path.startswith("/"):
            raise ValueError(f"the health check path must start with '/', not {self.path!r}")


@dataclass(frozen=True)
class Failure:
    """A target that stops answering at ``start_s`` and comes back at ``end_s``.

    Attributes
    ----------
    target : str
        Name of the target.
    start_s : float
        When it fails, seconds.
    end_s : float or None
        When it works again, seconds (None: never).
    """

    target: str
    start_s: float
    end_s: float | None = None

    def __post_init__(self) -> None:
        checks.fields(self)
        if self.start_s < 0:
            raise ValueError(f"failure of {self.target}: the start time must be 0 s or later")
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError(f"failure of {self.target}: it must end after it starts")


@dataclass(frozen=True)
class Deregistration:
    """A target removed from the target group at ``at_s`` (it drains first).

    Attributes
    ----------
    target : str
        Name of the target.
    at_s : float
        When deregistration starts, seconds.
    """

    target: str
    at_s: float

    def __post_init__(self) -> None:
        checks.fields(self)
        if self.at_s < 0:
            raise ValueError(f"deregistration of {self.target}: the time must be 0 s or later")


@dataclass(frozen=True)
class Detection:
    """How quickly the health checks noticed one failure.

    Attributes
    ----------
    target : str
        Name of the failed target.
    failed_s : float
        When it failed, seconds.
    out_s : float or None
        When the load balancer took it out of service (None: never).
    recovered_s : float or None
        When it started working again (None: never).
    back_s : float or None
        When the load balancer put it back in service (None: not within the run).
    """

    target: str
    failed_s: float
    out_s: float | None
    recovered_s: float | None
    back_s: float | None

    @property
    def detection_s(self) -> float | None:
        """Seconds between the failure and the target being taken out of service."""
        return None if self.out_s is None else self.out_s - self.failed_s


@dataclass(frozen=True, eq=False)
class LoadBalancerRun:
    """What happened, step by step.

    Attributes
    ----------
    t_s : numpy.ndarray
        Start time of each step, seconds; shape ``(steps,)``.
    step_s : float
        Length of a step, seconds.
    names : tuple of str
        Target names, in column order.
    algorithm : str
        The routing algorithm used.
    arrivals : numpy.ndarray
        Requests arriving in each step; shape ``(steps,)``.
    routed : numpy.ndarray
        Requests sent to each target in each step; shape ``(steps, targets)``.
    served : numpy.ndarray
        Requests each target finished in each step; shape ``(steps, targets)``.
    queued : numpy.ndarray
        Requests waiting at each target at the end of each step.
    errors : dict of str to numpy.ndarray
        Failed requests per step for each reason in :data:`ERROR_REASONS`.
    target_errors : numpy.ndarray
        Failed requests per step charged to each target; ``(steps, targets)``.
    in_service : numpy.ndarray of bool
        Whether the load balancer considered each target healthy (and not draining).
    up : numpy.ndarray of bool
        Whether each target was actually working.
    registered : numpy.ndarray of bool
        Whether each target was registered (draining counts as registered).
    latency_ms : numpy.ndarray
        Typical time to serve a request sent to each target in each step, ms
        (its base latency plus the wait behind its queue); NaN when not in use.
    detections : tuple of Detection
        One per failure.
    health : HealthCheck
        The health check settings used.
    """

    t_s: np.ndarray
    step_s: float
    names: tuple[str, ...]
    algorithm: str
    arrivals: np.ndarray
    routed: np.ndarray
    served: np.ndarray
    queued: np.ndarray
    errors: dict[str, np.ndarray]
    target_errors: np.ndarray
    in_service: np.ndarray
    up: np.ndarray
    registered: np.ndarray
    latency_ms: np.ndarray
    detections: tuple[Detection, ...]
    health: HealthCheck = field(default_factory=HealthCheck)

    @property
    def total_arrivals(self) -> int:
        """All requests that arrived."""
        return int(self.arrivals.sum())

    @property
    def total_served(self) -> int:
        """All requests served."""
        return int(self.served.sum())

    @property
    def total_errors(self) -> int:
        """All failed requests."""
        return int(sum(int(v.sum()) for v in self.errors.values()))

    @property
    def still_queued(self) -> int:
        """Requests still waiting at the end of the run."""
        return int(self.queued[-1].sum())

    def error_counts(self) -> dict[str, int]:
        """Failed requests by reason, over the whole run."""
        return {reason: int(v.sum()) for reason, v in self.errors.items()}

    def per_target(self) -> dict[str, int]:
        """Requests sent to each target over the whole run."""
        return {name: int(n) for name, n in zip(self.names, self.routed.sum(axis=0), strict=True)}

    @property
    def summary(self) -> str:
        """One line: how many requests were served, failed, and why."""
        total = self.total_arrivals
        served = self.total_served
        share = 100.0 * served / total if total else 100.0
        parts = [f"Served {served:,} of {total:,} requests ({share:.2f} %)"]
        counts = {k: v for k, v in self.error_counts().items() if v}
        if counts:
            biggest = ", ".join(f"{v:,} {_SHORT[k]}" for k, v in counts.items())
            parts.append(f"{sum(counts.values()):,} errors ({biggest})")
        else:
            parts.append("no errors")
        for d in self.detections:
            if d.out_s is not None:
                parts.append(f"{d.target} taken out {d.detection_s:.0f} s after it failed")
            else:
                parts.append(f"{d.target} was never taken out")
        return "; ".join(parts) + "."


#: Skip through quiet stretches with NumPy (tests turn this off to compare).
_FAST = True

_SHORT = {
    "target_down": "to a failed target",
    "timed_out": "queue too long",
    "drain_cutoff": "cut off by draining",
    "no_targets": "no target",
}


def _water_fill(levels: list[int], n: int, start: int = 0) -> list[int]:
    """Give ``n`` requests one at a time to whoever has the fewest in progress.

    Ties go in turn, starting at position ``start``, so that equal targets share
    evenly (with empty queues this is exactly round robin).
    """
    k = len(levels)
    order = sorted(range(k), key=lambda j: (levels[j], (j - start) % k))
    s = [levels[j] for j in order]
    remaining, m, cur = n, 1, s[0]
    while m < k:
        need = (s[m] - cur) * m
        if need > remaining:
            break
        remaining -= need
        cur = s[m]
        m += 1
    q, r = divmod(remaining, m)
    out = [0] * k
    for j in range(m):
        out[order[j]] = cur - s[j] + q
    for idx in sorted(order[:m], key=lambda j: (j - start) % k)[:r]:
        out[idx] += 1
    return out


def simulate_load_balancer(
    rps: float | Sequence[float] | np.ndarray,
    *,
    targets: Sequence[Target] | int = 3,
    algorithm: Algorithm = "round_robin",
    health: HealthCheck | None = None,
    failures: Sequence[Failure] = (),
    deregistrations: Sequence[Deregistration] = (),
    deregistration_delay_s: float = DEFAULT_DEREGISTRATION_DELAY_S,
    queue_timeout_s: float = 10.0,
    duration_s: float | None = None,
    step_s: float = 1.0,
    random_arrivals: bool = True,
    seed: int = 0,
) -> LoadBalancerRun:
    """Run the load balancer model.

    Parameters
    ----------
    rps : float or sequence of float
        Request rate, requests per second: one number (then give ``duration_s``) or one
        value per step (see :mod:`cloudlab.sim.traffic`).
    targets : sequence of Target or int, optional
        The targets, or how many identical ones (named ``task-a``, ``task-b``, ...).
    algorithm : {"round_robin", "least_outstanding_requests"}, optional
        How the load balancer picks a target.
    health : HealthCheck, optional
        Health check settings (default: AWS's defaults).
    failures : sequence of Failure, optional
        Targets that stop working for a while.
    deregistrations : sequence of Deregistration, optional
        Targets removed during the run.
    deregistration_delay_s : float, optional
        How long a deregistering target may finish its requests, seconds (0–3600).
    queue_timeout_s : float, optional
        Longest wait in a target's queue before a request is refused, seconds. This is a
        property of the model's clients, not an AWS setting.
    duration_s : float, optional
        Length of the run when ``rps`` is a single number, seconds.
    step_s : float, optional
        Length of one step, seconds.
    random_arrivals : bool, optional
        Poisson arrivals (True) or exactly ``rps * step_s`` per step (False).
    seed : int, optional
        Seed for the arrivals.

    Returns
    -------
    LoadBalancerRun
        Arrays of what happened, and a one-line ``summary``.

    Examples
    --------
    >>> run = simulate_load_balancer([9], targets=3, random_arrivals=False)
    >>> run.per_target()
    {'task-a': 3, 'task-b': 3, 'task-c': 3}
    """
    rates = rate_series(rps, duration_s, step_s)
    if isinstance(targets, int):
        if not 1 <= targets <= 26:
            raise ValueError(f"the number of targets must be 1 to 26, not {targets}")
        targets = [Target(f"task-{chr(ord('a') + i)}") for i in range(targets)]
    targets = list(targets)
    if not targets:
        raise ValueError("the target group needs at least one target")
    names = tuple(t.name for t in targets)
    if len(set(names)) != len(names):
        raise ValueError("target names must be different from each other")
    if algorithm not in ALGORITHMS:
        raise ValueError(
            f"unknown routing algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}"
        )
    health = health or HealthCheck()
    if not 0 <= deregistration_delay_s <= 3600:
        raise ValueError(
            f"the deregistration delay must be 0–3600 seconds, not {deregistration_delay_s}"
        )
    if not math.isfinite(queue_timeout_s) or queue_timeout_s <= 0:
        raise ValueError(f"the queue timeout must be more than 0 seconds, not {queue_timeout_s}")
    index = {name: i for i, name in enumerate(names)}
    events: list[Failure | Deregistration] = [*failures, *deregistrations]
    for event in events:
        if event.target not in index:
            raise ValueError(
                f"there is no target called {event.target!r} (targets: {', '.join(names)})"
            )
    arrived = make_arrivals(rates, step_s, random=random_arrivals, seed=seed)  # the one draw
    balancer = _Balancer(
        targets,
        index,
        arrived,
        algorithm=algorithm,
        health=health,
        failures=failures,
        deregistrations=deregistrations,
        deregistration_delay_s=deregistration_delay_s,
        queue_timeout_s=queue_timeout_s,
        step_s=step_s,
    )
    balancer.run()
    return balancer.result(failures)


#: One slow step's rows: routed, served, queued, errors, in service, up, registered.
_Row = tuple[list[int], list[int], list[int], list[int], list[bool], list[bool], list[bool]]


class _Balancer:
    """The load balancer and its targets, step by step, with one method per event.

    Each step: health checks start and their results arrive (:meth:`on_health_checks`),
    deregistrations start and end (:meth:`on_deregistrations`), the step's requests are
    routed (:meth:`route`) and the targets work through their queues (:meth:`serve`).
    Stretches where nothing can change go faster (:meth:`quiet_stretch`).
    """

    def __init__(
        self,
        targets: list[Target],
        index: dict[str, int],
        arrived: np.ndarray,
        *,
        algorithm: Algorithm,
        health: HealthCheck,
        failures: Sequence[Failure],
        deregistrations: Sequence[Deregistration],
        deregistration_delay_s: float,
        queue_timeout_s: float,
        step_s: float,
    ) -> None:
        k = self.k = len(targets)
        steps = self.steps = arrived.size
        self.targets, self.index, self.arrived = targets, index, arrived
        self.algorithm, self.health, self.step_s = algorithm, health, step_s
        self.deregistration_delay_s = deregistration_delay_s
        self.cap_step = [t.capacity_rps * step_s for t in targets]
        self.cap_rps = [t.capacity_rps for t in targets]
        self.queue_limit = [max(1, int(t.capacity_rps * queue_timeout_s)) for t in targets]
        self.down_windows: list[list[tuple[float, float]]] = [[] for _ in range(k)]
        for f in failures:
            end = math.inf if f.end_s is None else f.end_s
            self.down_windows[index[f.target]].append((f.start_s, end))
        self.dereg_at = [math.inf] * k
        for d in deregistrations:
            self.dereg_at[index[d.target]] = min(self.dereg_at[index[d.target]], d.at_s)
        self.registered = [True] * k
        self.draining = [False] * k
        self.drain_end = [math.inf] * k
        self.healthy = [True] * k
        self.fails = [0] * k
        self.oks = [0] * k
        self.next_check = [0.0] * k
        self.pending: list[tuple[float, int, bool]] = []
        self.backlog = [0] * k
        self.credit = [0.0] * k
        self.pointer = 0
        self.interval, self.timeout = float(health.interval_s), float(health.timeout_s)
        self.need_out, self.need_in = health.unhealthy_threshold, health.healthy_threshold
        self.cap_floor = np.array([math.floor(c) for c in self.cap_step])
        # Steps at which something scheduled happens (a failure starts or ends, a
        # deregistration starts): quiet stretches never cross one.
        windows = self.down_windows
        self.boundaries = sorted(
            {
                min(steps, math.ceil(x / step_s - 1e-9))
                for x in (
                    *(a for w in windows for a, _ in w),
                    *(b for w in windows for _, b in w if math.isfinite(b)),
                    *(d for d in self.dereg_at if math.isfinite(d)),
                )
            }
            | {steps}
        )
        self.routed = np.zeros((steps, k), dtype=np.int64)
        self.served_all = np.zeros((steps, k), dtype=np.int64)
        self.queued = np.zeros((steps, k), dtype=np.int64)
        self.target_errors = np.zeros((steps, k), dtype=np.int64)
        self.in_service = np.zeros((steps, k), dtype=bool)
        self.up_arr = np.zeros((steps, k), dtype=bool)
        self.reg_arr = np.zeros((steps, k), dtype=bool)
        self.err = {reason: np.zeros(steps, dtype=np.int64) for reason in ERROR_REASONS}
        self.arrived_list = arrived.tolist()
        self.slow_steps: list[int] = []
        self.slow_rows: list[_Row] = []

    def up_at(self, now: float) -> list[bool]:
        return [not any(a <= now < b for a, b in self.down_windows[i]) for i in range(self.k)]

    def run(self) -> None:
        """Every step, from the first to the last."""
        step = 0
        while step < self.steps:
            now = step * self.step_s
            up_now = self.up_at(now)
            done = self.quiet_stretch(step, up_now)
            if done:
                step += done
                continue
            self.on_health_checks(now, up_now)
            errs = [0] * self.k
            self.on_deregistrations(step, now, errs)
            assigned = self.route(step)
            served = self.serve(step, assigned, up_now, errs)
            # Rows of the slow steps are collected in lists and written in one go below.
            self.slow_steps.append(step)
            self.slow_rows.append(
                (
                    assigned,
                    served,
                    self.backlog.copy(),
                    errs,
                    [
                        self.registered[i] and not self.draining[i] and self.healthy[i]
                        for i in range(self.k)
                    ],
                    up_now,
                    self.registered.copy(),
                )
            )
            step += 1
        if self.slow_steps:
            columns = list(zip(*self.slow_rows, strict=True))
            arrays = (
                self.routed,
                self.served_all,
                self.queued,
                self.target_errors,
                self.in_service,
                self.up_arr,
                self.reg_arr,
            )
            for array, rows in zip(arrays, columns, strict=True):
                shape = (len(self.slow_steps), self.k)
                array[self.slow_steps] = np.array(rows, dtype=array.dtype).reshape(shape)

    def quiet_stretch(self, step: int, up_now: list[bool]) -> int:
        """Handle a run of steps where nothing can change state; return how many."""
        k, registered, healthy = self.k, self.registered, self.healthy
        if not _FAST or self.pending or any(self.draining) or any(self.backlog):
            return 0
        active = [i for i in range(k) if registered[i]]
        if any(self.dereg_at[i] <= step * self.step_s for i in active):
            return 0
        if any(healthy[i] != up_now[i] for i in active):
            return 0
        eligible = [i for i in active if healthy[i]]
        if not eligible:
            return 0
        end = next(b for b in self.boundaries if b > step)
        n = self.arrived[step:end]
        m = len(eligible)
        before = np.cumsum(n) - n + self.pointer
        q, r = n // m, n % m
        share = q[:, None] + (((np.arange(m)[None, :] - before[:, None]) % m) < r[:, None])
        over = np.nonzero((share > self.cap_floor[eligible][None, :]).any(axis=1))[0]
        length = int(over[0]) if over.size else end - step
        if length == 0:
            return 0
        rows = slice(step, step + length)
        self.routed[rows, eligible] = share[:length]
        self.served_all[rows, eligible] = share[:length]
        flags = np.zeros(k, dtype=bool)
        flags[eligible] = True
        self.in_service[rows] = flags
        self.up_arr[rows] = up_now
        self.reg_arr[rows] = registered
        self.pointer = int((self.pointer + n[:length].sum()) % m)
        last = share[length - 1]
        for j, i in enumerate(eligible):
            self.credit[i] = min(1.0, self.credit[i] + self.cap_step[i] - int(last[j]))
        finish = (step + length) * self.step_s
        for i in active:  # checks in the stretch only confirm what is known
            while self.next_check[i] < finish:
                self.next_check[i] += self.interval
                if up_now[i]:
                    self.oks[i], self.fails[i] = self.oks[i] + 1, 0
                else:
                    self.fails[i], self.oks[i] = self.fails[i] + 1, 0
        return length

    def on_health_checks(self, now: float, up_now: list[bool]) -> None:
        """Checks start on schedule; a failed one is known when its timeout expires."""
        for i in range(self.k):
            while self.registered[i] and self.next_check[i] <= now:
                ok = up_now[i] and self.backlog[i] / self.cap_rps[i] <= self.timeout
                when = self.next_check[i] if ok else self.next_check[i] + self.timeout
                self.pending.append((when, i, ok))
                self.next_check[i] += self.interval
        if not self.pending:
            return
        due = [p for p in self.pending if p[0] <= now]
        if not due:
            return
        self.pending = [p for p in self.pending if p[0] > now]
        for _, i, ok in sorted(due):
            if ok:
                self.oks[i], self.fails[i] = self.oks[i] + 1, 0
                if not self.healthy[i] and self.oks[i] >= self.need_in:
                    self.healthy[i] = True
            else:
                self.fails[i], self.oks[i] = self.fails[i] + 1, 0
                if self.healthy[i] and self.fails[i] >= self.need_out:
                    self.healthy[i] = False

    def on_deregistrations(self, step: int, now: float, errs: list[int]) -> None:
        """Deregistration: stop new requests, then finish or cut off the queue."""
        for i in range(self.k):
            if self.registered[i] and not self.draining[i] and now >= self.dereg_at[i]:
                self.draining[i] = True
                self.drain_end[i] = self.dereg_at[i] + self.deregistration_delay_s
            if (
                self.draining[i]
                and self.registered[i]
                and (self.backlog[i] == 0 or now >= self.drain_end[i])
            ):
                self.err["drain_cutoff"][step] += self.backlog[i]
                errs[i] += self.backlog[i]
                self.backlog[i] = 0
                self.registered[i] = False

    def route(self, step: int) -> list[int]:
        """The step's requests, shared among the targets in service (fail open if none)."""
        k, registered, draining = self.k, self.registered, self.draining
        eligible = [i for i in range(k) if registered[i] and not draining[i] and self.healthy[i]]
        if not eligible:  # fail open: every registered target, healthy or not
            eligible = [i for i in range(k) if registered[i] and not draining[i]]
        n = self.arrived_list[step]
        assigned = [0] * k
        if not n:
            return assigned
        if not eligible:
            self.err["no_targets"][step] = n
            return assigned
        m = len(eligible)
        start = self.pointer % m
        if self.algorithm == "round_robin":
            q, r = divmod(n, m)
            for j, i in enumerate(eligible):
                assigned[i] = q + (1 if (j - start) % m < r else 0)
        else:
            shares = _water_fill([self.backlog[i] for i in eligible], n, start)
            for i, part in zip(eligible, shares, strict=True):
                assigned[i] = part
        self.pointer = (start + n) % m
        return assigned

    def serve(
        self, step: int, assigned: list[int], up_now: list[bool], errs: list[int]
    ) -> list[int]:
        """Each target queues what it was sent (within its limit) and serves what it can."""
        backlog, credit, cap_step, err = self.backlog, self.credit, self.cap_step, self.err
        served = [0] * self.k
        for i in range(self.k):
            a = assigned[i]
            if not up_now[i]:
                lost = a + backlog[i]
                if lost:
                    err["target_down"][step] += lost
                    errs[i] += lost
                    backlog[i] = 0
                credit[i] = 0.0
                continue
            if a:
                room = self.queue_limit[i] - backlog[i]
                if a > room:
                    refused = a - max(room, 0)
                    err["timed_out"][step] += refused
                    errs[i] += refused
                    a -= refused
                backlog[i] += a
            if backlog[i]:
                credit[i] += cap_step[i]
                finished = min(backlog[i], int(credit[i]))
                served[i] = finished
                backlog[i] -= finished
                credit[i] -= finished
                if not backlog[i]:
                    credit[i] = min(credit[i], 1.0)
            else:
                credit[i] = min(credit[i] + cap_step[i], 1.0)
        return served

    def result(self, failures: Sequence[Failure]) -> LoadBalancerRun:
        """What happened, as arrays, with latencies and the failures' detections."""
        names = tuple(t.name for t in self.targets)
        t_s = np.arange(self.steps) * float(self.step_s)
        base = np.array([t.latency_ms for t in self.targets])
        latency = base + 1000.0 * self.queued / np.array(self.cap_rps)
        latency = np.where(self.routed > 0, latency, np.nan)
        detections = _detections(failures, names, self.index, t_s, self.in_service)
        return LoadBalancerRun(
            t_s=t_s,
            step_s=float(self.step_s),
            names=names,
            algorithm=self.algorithm,
            arrivals=self.arrived,
            routed=self.routed,
            served=self.served_all,
            queued=self.queued,
            errors=self.err,
            target_errors=self.target_errors,
            in_service=self.in_service,
            up=self.up_arr,
            registered=self.reg_arr,
            latency_ms=latency,
            detections=detections,
            health=self.health,
        )


def _detections(
    failures: Sequence[Failure],
    names: tuple[str, ...],
    index: dict[str, int],
    t_s: np.ndarray,
    in_service: np.ndarray,
) -> tuple[Detection, ...]:
    found = []
    for f in failures:
        column = in_service[:, index[f.target]]
        after = np.nonzero((t_s >= f.start_s) & ~column)[0]
        out_s = float(t_s[after[0]]) if after.size else None
        back_s = None
        if f.end_s is not None and out_s is not None:
            back = np.nonzero((t_s >= max(f.end_s, out_s)) & column)[0]
            back_s = float(t_s[back[0]]) if back.size else None
        found.append(Detection(f.target, float(f.start_s), out_s, f.end_s, back_s))
    return tuple(found)
