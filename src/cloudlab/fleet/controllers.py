"""The book's controllers acting on a real fleet while real load runs.

Both call the very functions the simulations use, not copies of them:

- :func:`run_canary` shifts weights on a schedule and applies the rollback rule
  :func:`cloudlab.sim.bluegreen.alarm_fires_after` to green's measured error rate;
- :func:`run_autoscaling` feeds the measured requests per copy to
  :func:`cloudlab.sim.autoscaling.target_tracking_step` and scales the fleet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cloudlab.fleet.fleet import Fleet
from cloudlab.fleet.load import LoadResult, run_load
from cloudlab.sim.autoscaling import ScalingPolicy, target_tracking_step
from cloudlab.sim.bluegreen import Alarm, alarm_fires_after

__all__ = ["CanaryRun", "ScalingTrace", "run_autoscaling", "run_canary"]


@dataclass
class CanaryRun:
    """What a real canary did: the load, each weight change and the rollback time."""

    load: LoadResult
    changes: list[tuple[float, int, int]] = field(default_factory=list)
    period_end_s: list[float] = field(default_factory=list)
    green_requests: list[int] = field(default_factory=list)
    green_errors: list[int] = field(default_factory=list)
    rollback_s: float | None = None


def _green(sample_served: str | None) -> bool:
    return bool(sample_served) and str(sample_served).startswith("green")


def run_canary(
    fleet: Fleet,
    steps: Sequence[tuple[int, int]] = ((100, 0), (80, 20), (50, 50), (0, 100)),
    *,
    every_s: float = 3.0,
    alarm: Alarm | None = None,
    rollback: bool = True,
    rps: float = 60.0,
    users: int = 4,
    path: str = "/api/whoami",
    duration_s: float | None = None,
) -> CanaryRun:
    """Shift blue/green weights every ``every_s`` seconds under load; roll back on the alarm.

    Every ``alarm.period_s`` the controller counts green's requests and errors in that
    period (a failed request has no ``X-Served-By`` when Caddy could not reach a copy, so
    only answers count) and asks :func:`~cloudlab.sim.bluegreen.alarm_fires_after`
    whether to roll back; if so the weights go to 100/0 through Caddy's admin API.
    The run lasts ``duration_s`` (default: one ``every_s`` per step).
    """
    alarm = alarm or Alarm(threshold=0.05, evaluation_periods=2, period_s=1.0)
    run = CanaryRun(load=LoadResult())
    duration = every_s * len(steps) if duration_s is None else duration_s
    fleet.set_weights({"blue": steps[0][0], "green": steps[0][1]})
    run.changes.append((0.0, *steps[0]))
    state = {"stage": 0, "period": 0}

    def tick(now: float, result: LoadResult) -> None:
        while (state["period"] + 1) * alarm.period_s <= now:
            state["period"] += 1
            start, end = (state["period"] - 1) * alarm.period_s, state["period"] * alarm.period_s
            green = [
                s for s in list(result.samples) if start <= s.t_s < end and _green(s.served_by)
            ]
            run.period_end_s.append(end)
            run.green_requests.append(len(green))
            run.green_errors.append(sum(1 for s in green if s.status >= 500))
            if run.rollback_s is None and rollback:
                fired = alarm_fires_after(run.green_requests, run.green_errors, alarm)
                if fired is not None:
                    run.rollback_s = end
                    fleet.set_weights({"blue": 100, "green": 0})
                    run.changes.append((now, 100, 0))
        stage = min(int(now // every_s), len(steps) - 1)
        if stage > state["stage"] and run.rollback_s is None:
            state["stage"] = stage
            blue, green = steps[stage]
            fleet.set_weights({"blue": blue, "green": green})
            run.changes.append((now, blue, green))

    run.load = run_load(
        fleet.url + path,
        requests=int(rps * duration * 2) + 10,
        time_limit_s=duration,
        users=users,
        rps=rps,
        on_tick=tick,
    )
    return run


@dataclass
class ScalingTrace:
    """What the real target tracking did: per period, the metric and the copies."""

    load: LoadResult
    period_end_s: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    copies: list[int] = field(default_factory=list)
    events: list[tuple[float, str, int, int]] = field(default_factory=list)


def run_autoscaling(
    fleet: Fleet,
    rps: Callable[[float], float],
    policy: ScalingPolicy,
    *,
    duration_s: float,
    users: int = 8,
    path: str = "/healthz",
) -> ScalingTrace:
    """Drive ``fleet.scale`` from measured requests per copy with the book's target tracking.

    ``policy`` must use the ``requests`` metric (requests per copy per period, like
    ``ALBRequestCountPerTarget``); its ``period_s`` and cooldowns are seconds of this
    run, so a short period (e.g. 2 s) makes a ramp of a minute show several decisions.
    """
    if policy.metric != "requests":
        raise ValueError("the real controller measures requests per copy: use metric='requests'")
    trace = ScalingTrace(load=LoadResult())
    desired = len(fleet.members)
    state = {"period": 0, "desired": desired, "out": -math.inf, "in": -math.inf}

    def tick(now: float, result: LoadResult) -> None:
        while (state["period"] + 1) * policy.period_s <= now:
            state["period"] += 1
            end = state["period"] * policy.period_s
            start = end - policy.period_s
            count = sum(1 for s in list(result.samples) if start <= s.t_s < end)
            running = max(1, sum(1 for c in fleet.members if c.running))
            trace.period_end_s.append(end)
            trace.metric.append(count / running)
            decision = target_tracking_step(
                trace.metric, state["desired"], end, state["out"], state["in"], policy
            )
            state["out"], state["in"] = decision.out_until_s, decision.in_until_s
            if decision.kind is not None:
                trace.events.append((end, decision.kind, state["desired"], decision.desired))
                state["desired"] = decision.desired
                fleet.scale(decision.desired)
            trace.copies.append(len(fleet.members))

    trace.load = run_load(
        fleet.url + path,
        requests=100_000,
        time_limit_s=duration_s,
        users=users,
        rps=rps,
        on_tick=tick,
    )
    return trace
