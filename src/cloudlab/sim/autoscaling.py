"""Simulate ECS service auto scaling with a target tracking policy against a traffic curve.

Amazon ECS service auto scaling changes a service's *desired count* of tasks through
Application Auto Scaling; the load balancer only spreads requests over the tasks that
exist. This model follows the documented shape of a target tracking policy:

- The service reports one value of the metric per ``period_s`` (ECS sends its metrics
  to CloudWatch every minute): average CPU utilisation of the running tasks
  (``ECSServiceAverageCPUUtilization``, percent) or requests per task in the period
  (``ALBRequestCountPerTarget``).
- When the metric has been above the target for ``scale_out_periods`` periods in a
  row, the desired count grows in proportion (``ceil(desired * metric / target)``),
  at once: AWS scales out "as fast as it can" and scales in "more gradually".
- Scale-in waits for ``scale_in_periods`` periods clearly below the target
  (``scale_in_margin``), removes tasks in proportion, and never goes below
  ``min_tasks``; nothing goes above ``max_tasks``.
- Each direction has a cooldown after it acts; a scale-out may interrupt a scale-in
  cooldown but not the other way round.
- A new task serves only after ``startup_s`` (image pull, container start, first health
  check). Each running task serves up to ``task_capacity_rps``; requests beyond the
  running capacity in a step are counted as *overloaded* (refused or timed out).

The numbers of periods and the margin are parameters of this model, not published AWS
values. Arrivals are seeded Poisson counts, so a seed fixes the whole run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from cloudlab import checks
from cloudlab.sim.traffic import arrivals as make_arrivals
from cloudlab.sim.traffic import rate_series, steps_per_period

__all__ = [
    "METRICS",
    "Metric",
    "ScalingDecision",
    "ScalingEvent",
    "ScalingPolicy",
    "ScalingRun",
    "Service",
    "simulate_autoscaling",
    "target_tracking_step",
]

Metric = Literal["cpu", "requests"]
#: The two predefined target tracking metrics modelled here, with their AWS names.
METRICS: dict[str, str] = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "requests": "ALBRequestCountPerTarget",
}


@dataclass(frozen=True)
class ScalingPolicy:
    """A target tracking scaling policy and the service's task limits.

    Attributes
    ----------
    metric : {"cpu", "requests"}
        Average CPU of the service's tasks (percent), or requests per task per period.
    target_value : float
        The value to keep the metric near: percent for CPU, requests per task per
        period for requests.
    min_tasks, max_tasks : int
        Bounds of the desired count.
    scale_out_cooldown_s, scale_in_cooldown_s : float
        Seconds after a scale-out (scale-in) before another one may start (the ECS
        defaults are 300 s each).
    period_s : float
        Length of one metric period, seconds (60: ECS's one-minute metrics).
    scale_out_periods, scale_in_periods : int
        Periods in a row above (below) the target before acting (model parameters).
    scale_in_margin : float
        Scale in only when the metric is below ``target_value * scale_in_margin``.
    """

    metric: Metric = "cpu"
    target_value: float = 50.0
    min_tasks: int = 2
    max_tasks: int = 10
    scale_out_cooldown_s: float = 300.0
    scale_in_cooldown_s: float = 300.0
    period_s: float = 60.0
    scale_out_periods: int = 3
    scale_in_periods: int = 15
    scale_in_margin: float = 0.9

    def __post_init__(self) -> None:
        checks.fields(self)
        if not isinstance(self.metric, str) or self.metric not in METRICS:
            raise ValueError(f"unknown metric {checks.show(self.metric)}: use 'cpu' or 'requests'")
        if not math.isfinite(self.target_value) or self.target_value <= 0:
            raise ValueError(f"the target value must be more than 0, not {self.target_value}")
        if self.metric == "cpu" and self.target_value > 100:
            raise ValueError(f"a CPU target is a percentage from 1 to 100, not {self.target_value}")
        if int(self.min_tasks) != self.min_tasks or self.min_tasks < 1:
            raise ValueError(f"the minimum must be at least 1 task, not {self.min_tasks}")
        if int(self.max_tasks) != self.max_tasks or self.max_tasks > 1000:
            raise ValueError(f"the maximum must be a whole number up to 1000, not {self.max_tasks}")
        if self.min_tasks > self.max_tasks:
            raise ValueError(
                f"the minimum ({self.min_tasks} tasks) is more than the maximum "
                f"({self.max_tasks} tasks)"
            )
        for name, value in (
            ("scale-out cooldown", self.scale_out_cooldown_s),
            ("scale-in cooldown", self.scale_in_cooldown_s),
        ):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"the {name} must be 0 seconds or more, not {value}")
        if not math.isfinite(self.period_s) or self.period_s <= 0:
            raise ValueError(f"the metric period must be more than 0 seconds, not {self.period_s}")
        for name, value in (
            ("scale-out periods", self.scale_out_periods),
            ("scale-in periods", self.scale_in_periods),
        ):
            if int(value) != value or value < 1:
                raise ValueError(f"the number of {name} must be a whole number, at least 1")
        if not 0 < self.scale_in_margin <= 1:
            raise ValueError("the scale-in margin must be a fraction above 0 and at most 1")


@dataclass(frozen=True)
class Service:
    """The tasks being scaled.

    Attributes
    ----------
    task_capacity_rps : float
        Requests per second one task serves at 100 % CPU.
    startup_s : float
        Seconds from launching a task to it serving traffic.
    initial_tasks : int or None
        Tasks running at time 0 (default: the policy's minimum).
    base_latency_ms : float
        Response time of an idle task, milliseconds.
    """

    task_capacity_rps: float = 50.0
    startup_s: float = 60.0
    initial_tasks: int | None = None
    base_latency_ms: float = 30.0

    def __post_init__(self) -> None:
        checks.fields(self)
        if not math.isfinite(self.task_capacity_rps) or self.task_capacity_rps <= 0:
            raise ValueError("a task must serve more than 0 requests per second")
        if not math.isfinite(self.startup_s) or self.startup_s < 0:
            raise ValueError(
                f"the task start-up time must be 0 seconds or more, not {self.startup_s}"
            )
        if self.initial_tasks is not None and self.initial_tasks < 0:
            raise ValueError("the initial number of tasks must be 0 or more")
        if not math.isfinite(self.base_latency_ms) or self.base_latency_ms < 0:
            raise ValueError("the base latency must be 0 ms or more")


@dataclass(frozen=True)
class ScalingEvent:
    """One change of the desired count.

    Attributes
    ----------
    t_s : float
        When it happened, seconds.
    kind : {"scale out", "scale in"}
        Direction.
    before, after : int
        Desired count before and after.
    metric : float
        The metric value that triggered it.
    """

    t_s: float
    kind: str
    before: int
    after: int
    metric: float

    def text(self, unit: str) -> str:
        """The event in words, such as ``"t=3600 s: scale out 2 → 4 (CPU 83 %)"``."""
        value = unit.format(self.metric)
        return f"t={self.t_s:.0f} s: {self.kind} {self.before} → {self.after} ({value})"


@dataclass(frozen=True, eq=False)
class ScalingRun:
    """What happened, step by step.

    Attributes
    ----------
    t_s : numpy.ndarray
        Start of each step, seconds.
    step_s : float
        Step length, seconds.
    demand : numpy.ndarray
        Requests arriving in each step.
    served : numpy.ndarray
        Requests served in each step.
    overloaded : numpy.ndarray
        Requests beyond the running capacity in each step (not served).
    desired : numpy.ndarray
        Desired count at each step.
    running : numpy.ndarray
        Tasks serving at each step.
    cpu_pct : numpy.ndarray
        Average CPU of the running tasks, percent.
    latency_ms : numpy.ndarray
        Modelled response time, ms (rises steeply as the tasks fill up).
    period_end_s : numpy.ndarray
        End of each metric period, seconds.
    metric : numpy.ndarray
        The policy's metric for each period.
    events : tuple of ScalingEvent
        Every change of the desired count.
    policy : ScalingPolicy
        The policy used.
    service : Service
        The service used.
    """

    t_s: np.ndarray
    step_s: float
    demand: np.ndarray
    served: np.ndarray
    overloaded: np.ndarray
    desired: np.ndarray
    running: np.ndarray
    cpu_pct: np.ndarray
    latency_ms: np.ndarray
    period_end_s: np.ndarray
    metric: np.ndarray
    events: tuple[ScalingEvent, ...]
    policy: ScalingPolicy
    service: Service

    @property
    def metric_unit(self) -> str:
        """A format string for the metric, such as ``"CPU {:.0f} %"``."""
        if self.policy.metric == "cpu":
            return "CPU {:.0f} %"
        if self.policy.period_s == 60:
            return "{:.0f} requests per task per minute"
        return "{:.0f} requests per task per period"

    @property
    def summary(self) -> str:
        """One line: task range, overload and scaling activity."""
        total = int(self.demand.sum())
        lost = int(self.overloaded.sum())
        share = 100.0 * lost / total if total else 0.0
        outs = sum(1 for e in self.events if e.kind == "scale out")
        ins = len(self.events) - outs
        busy = self.cpu_pct[self.running > 0]
        cpu = float(busy.mean()) if busy.size else 0.0
        return (
            f"Tasks {int(self.running.min())}–{int(self.running.max())}; "
            f"{lost:,} of {total:,} requests ({share:.2f} %) met no free capacity; "
            f"{outs} scale-out{'' if outs == 1 else 's'}, {ins} scale-in{'' if ins == 1 else 's'}; "
            f"average CPU {cpu:.0f} %."
        )


@dataclass(frozen=True)
class ScalingDecision:
    """What target tracking decides at the end of one metric period.

    Attributes
    ----------
    desired : int
        The desired count from now on (unchanged when ``kind`` is None).
    kind : {"scale out", "scale in"} or None
        The change made, or None.
    out_until_s, in_until_s : float
        When the scale-out and scale-in cooldowns end, seconds.
    """

    desired: int
    kind: str | None
    out_until_s: float
    in_until_s: float


def target_tracking_step(
    metrics: Sequence[float],
    desired: int,
    now_s: float,
    out_until_s: float,
    in_until_s: float,
    policy: ScalingPolicy,
) -> ScalingDecision:
    """Decide one period of target tracking: the rule the simulation and the real fleet share.

    Parameters
    ----------
    metrics : sequence of float
        The metric of every period so far, oldest first (the last one just ended).
    desired : int
        The desired count now.
    now_s : float
        The end of the period just measured, seconds (any clock, as long as the
        cooldown times use the same one).
    out_until_s, in_until_s : float
        When the scale-out and scale-in cooldowns end (``-math.inf``: no cooldown yet).
    policy : ScalingPolicy
        Target, limits, numbers of periods, margin and the cooldowns (its time
        constants, seconds).

    Returns
    -------
    ScalingDecision
        The new desired count and cooldown ends. Scaling out grows in proportion,
        ``ceil(desired * metric / target)``, once ``scale_out_periods`` periods in a row
        were above the target and the scale-out cooldown is over (it also ends any
        scale-in cooldown); scaling in needs ``scale_in_periods`` periods below
        ``target * scale_in_margin`` and the scale-in cooldown over.
    """
    checks.instance("policy", policy, ScalingPolicy)
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, (Sequence, np.ndarray)):
        raise ValueError(f"metrics={checks.show(metrics)}: expected the metric of each period")
    checks.whole("desired", desired, low=0)
    checks.number("now_s", now_s)
    checks.number("out_until_s", out_until_s, infinite=True)
    checks.number("in_until_s", in_until_s, infinite=True)
    # Only the periods the rule looks at: the whole history every period would be quadratic.
    window = max(int(policy.scale_out_periods), int(policy.scale_in_periods))
    checks.series("metrics", metrics[-window:])
    if not len(metrics):
        return ScalingDecision(desired, None, out_until_s, in_until_s)
    value = metrics[-1]
    target = policy.target_value
    recent_out = metrics[-int(policy.scale_out_periods) :]
    recent_in = metrics[-int(policy.scale_in_periods) :]
    if (
        len(recent_out) == policy.scale_out_periods
        and min(recent_out) > target
        and now_s >= out_until_s
    ):
        wanted = min(policy.max_tasks, math.ceil(desired * value / target))
        if wanted > desired:
            return ScalingDecision(wanted, "scale out", now_s + policy.scale_out_cooldown_s, now_s)
    if (
        len(recent_in) == policy.scale_in_periods
        and max(recent_in) < target * policy.scale_in_margin
        and now_s >= in_until_s
    ):
        wanted = max(policy.min_tasks, math.ceil(desired * value / target))
        if wanted < desired:
            return ScalingDecision(
                wanted, "scale in", out_until_s, now_s + policy.scale_in_cooldown_s
            )
    return ScalingDecision(desired, None, out_until_s, in_until_s)


def simulate_autoscaling(
    rps: float | Sequence[float] | np.ndarray,
    policy: ScalingPolicy | None = None,
    service: Service | None = None,
    *,
    duration_s: float | None = None,
    step_s: float = 1.0,
    random_arrivals: bool = True,
    seed: int = 0,
) -> ScalingRun:
    """Run target tracking against a traffic curve.

    Parameters
    ----------
    rps : float or sequence of float
        Request rate, requests per second: one number (then give ``duration_s``) or one
        value per step (see :mod:`cloudlab.sim.traffic`).
    policy : ScalingPolicy, optional
        The scaling policy (default: 50 % CPU, 2–10 tasks, 300 s cooldowns).
    service : Service, optional
        Task capacity and start-up time.
    duration_s : float, optional
        Length of the run when ``rps`` is one number, seconds.
    step_s : float, optional
        Step length, seconds; must divide the metric period.
    random_arrivals : bool, optional
        Poisson arrivals (True) or exactly ``rps * step_s`` per step.
    seed : int, optional
        Seed for the arrivals.

    Returns
    -------
    ScalingRun
        Arrays over time, the scaling events and a ``summary``.
    """
    policy = ScalingPolicy() if policy is None else checks.instance("policy", policy, ScalingPolicy)
    service = Service() if service is None else checks.instance("service", service, Service)
    rates = rate_series(rps, duration_s, step_s)
    per = steps_per_period(policy.period_s, step_s, "the metric period")
    demand = make_arrivals(rates, step_s, random=random_arrivals, seed=seed)
    steps = demand.size
    start = policy.min_tasks if service.initial_tasks is None else service.initial_tasks
    desired_now = min(max(start, policy.min_tasks), policy.max_tasks)
    running_now = desired_now
    ready_at: list[float] = []  # start times of tasks still starting up
    cap_task = service.task_capacity_rps * step_s

    desired = np.empty(steps, dtype=np.int64)
    running = np.empty(steps, dtype=np.int64)
    period_ends: list[float] = []
    metrics: list[float] = []
    events: list[ScalingEvent] = []
    out_until = in_until = -math.inf
    t_all = np.arange(steps) * float(step_s)

    for p0 in range(0, steps, per):
        p1 = min(steps, p0 + per)
        t = t_all[p0:p1]
        if ready_at:
            ready = np.asarray(ready_at)
            starting = (ready[None, :] <= t[:, None]).sum(axis=1)
        else:
            starting = np.zeros(p1 - p0, dtype=np.int64)
        running[p0:p1] = running_now + starting
        desired[p0:p1] = desired_now
        if ready_at:
            end_t = float(t_all[p1 - 1])
            came = sum(1 for r in ready_at if r <= end_t)
            running_now += came
            ready_at = [r for r in ready_at if r > end_t]
        if p1 - p0 < per:
            break  # a partial last period reports nothing
        cap = running[p0:p1] * cap_task
        served_p = np.minimum(demand[p0:p1], cap)
        if policy.metric == "cpu":
            total_cap = cap.sum()
            value = 100.0 * served_p.sum() / total_cap if total_cap else 100.0
        else:
            tasks = max(int(running[p1 - 1]), 1)
            value = float(demand[p0:p1].sum()) / tasks
        now = float(p1 * step_s)
        period_ends.append(now)
        metrics.append(value)
        decision = target_tracking_step(metrics, desired_now, now, out_until, in_until, policy)
        if decision.kind == "scale out":
            wanted = decision.desired
            events.append(ScalingEvent(now, "scale out", desired_now, wanted, value))
            ready_at.extend([now + service.startup_s] * (wanted - desired_now))
        elif decision.kind == "scale in":
            wanted = decision.desired
            events.append(ScalingEvent(now, "scale in", desired_now, wanted, value))
            remove = desired_now - wanted
            while remove and ready_at:  # stop tasks still starting first
                ready_at.pop()
                remove -= 1
            running_now -= remove
        desired_now = decision.desired
        out_until, in_until = decision.out_until_s, decision.in_until_s
    cap = running * cap_task
    served = np.minimum(demand, cap)
    overloaded = demand - served
    with np.errstate(divide="ignore", invalid="ignore"):
        cpu = np.where(cap > 0, 100.0 * served / np.maximum(cap, 1e-12), 0.0)
        rho = np.where(cap > 0, demand / np.maximum(cap, 1e-12), 1.0)
    latency = service.base_latency_ms / np.maximum(1.0 - np.minimum(rho, 1.0), 0.05)
    return ScalingRun(
        t_s=t_all,
        step_s=float(step_s),
        demand=demand,
        served=served,
        overloaded=overloaded,
        desired=desired,
        running=running,
        cpu_pct=cpu,
        latency_ms=latency,
        period_end_s=np.asarray(period_ends),
        metric=np.asarray(metrics),
        events=tuple(events),
        policy=policy,
        service=service,
    )
