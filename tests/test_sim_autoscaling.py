"""Tests for service auto scaling with target tracking."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from cloudlab.sim.autoscaling import ScalingPolicy, Service, simulate_autoscaling
from cloudlab.sim.traffic import daily_cycle, spike, with_noise


def within_bounds(run):
    p = run.policy
    assert (run.desired >= p.min_tasks).all()
    assert (run.desired <= p.max_tasks).all()
    assert (run.running <= run.desired).all()
    assert (run.running >= 0).all()
    np.testing.assert_array_equal(run.served + run.overloaded, run.demand)


@pytest.mark.parametrize(("metric", "target"), [("cpu", 50), ("requests", 1500)])
def test_a_day_stays_within_min_and_max(metric, target):
    rates = with_noise(daily_cycle(20, 900), 0.1, seed=2)
    policy = ScalingPolicy(metric=metric, target_value=target, min_tasks=2, max_tasks=12)
    run = simulate_autoscaling(rates, policy, seed=2)
    within_bounds(run)
    assert run.running.max() == 12  # the peak needs more than the maximum
    assert run.overloaded.sum() > 0
    assert run.events


def test_scale_out_is_proportional_and_waits_for_the_start_up_time():
    policy = ScalingPolicy(min_tasks=2, max_tasks=20, scale_out_periods=1)
    service = Service(task_capacity_rps=50, startup_s=90)
    # 100 req/s on 2 tasks of 50 = 100 % CPU, target 50 %: double to 4 tasks.
    run = simulate_autoscaling(100, policy, service, duration_s=600, random_arrivals=False)
    first = run.events[0]
    assert (first.t_s, first.kind, first.before, first.after) == (60.0, "scale out", 2, 4)
    assert run.desired[60] == 4
    assert run.running[60] == 2
    assert run.running[150] == 4  # 60 s + 90 s start-up
    within_bounds(run)


def test_cpu_scale_out_is_capped_by_saturation_but_requests_are_not():
    rates = spike(20, 1000, 3600, at_s=600, length_s=3000)
    cpu = simulate_autoscaling(
        rates, ScalingPolicy(metric="cpu", target_value=50, max_tasks=40), seed=1
    )
    req = simulate_autoscaling(
        rates, ScalingPolicy(metric="requests", target_value=1500, max_tasks=40), seed=1
    )
    first_cpu = next(e for e in cpu.events if e.t_s > 600)
    first_req = next(e for e in req.events if e.t_s > 600)
    assert first_cpu.after / first_cpu.before <= 2  # CPU cannot read more than 100 %
    assert first_req.after / first_req.before > 2
    assert req.overloaded.sum() < cpu.overloaded.sum()


def test_cooldown_spaces_scale_outs():
    policy = ScalingPolicy(min_tasks=1, max_tasks=50, scale_out_cooldown_s=600, scale_out_periods=1)
    run = simulate_autoscaling(2000, policy, duration_s=3600, seed=1)
    outs = [e.t_s for e in run.events if e.kind == "scale out"]
    assert len(outs) >= 2
    assert all(b - a >= 600 for a, b in pairwise(outs))


def test_scale_in_is_slower_than_scale_out():
    rates = spike(20, 400, 7200, at_s=1200, length_s=1800)
    run = simulate_autoscaling(rates, ScalingPolicy(min_tasks=1, max_tasks=20), seed=4)
    up = next(e.t_s for e in run.events if e.kind == "scale out" and e.t_s >= 1200)
    down = next(e.t_s for e in run.events if e.kind == "scale in" and e.t_s >= 3000)
    assert up - 1200 <= 5 * 60  # three one-minute periods, then at once
    assert down - 3000 >= 15 * 60  # fifteen quiet periods first
    within_bounds(run)


def test_seeded():
    rates = daily_cycle(10, 500, 7200)
    a = simulate_autoscaling(rates, seed=1)
    b = simulate_autoscaling(rates, seed=1)
    c = simulate_autoscaling(rates, seed=2)
    np.testing.assert_array_equal(a.running, b.running)
    np.testing.assert_array_equal(a.demand, b.demand)
    assert not np.array_equal(a.demand, c.demand)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"min_tasks": 5, "max_tasks": 2}, "more than the maximum"),
        ({"min_tasks": 0}, "at least 1 task"),
        ({"target_value": 0}, "more than 0"),
        ({"metric": "cpu", "target_value": 150}, "1 to 100"),
        ({"metric": "memory"}, "unknown metric"),
        ({"scale_in_cooldown_s": -1}, "0 seconds or more"),
        ({"period_s": 0}, "more than 0 seconds"),
        ({"scale_out_periods": 0}, "at least 1"),
        ({"scale_in_margin": 0}, "fraction"),
    ],
)
def test_bad_policies(settings, message):
    with pytest.raises(ValueError, match=message):
        ScalingPolicy(**settings)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Service(task_capacity_rps=0), "more than 0 requests"),
        (lambda: Service(startup_s=-1), "start-up"),
        (lambda: simulate_autoscaling(10), "give a duration"),
        (lambda: simulate_autoscaling([-5.0, 1.0]), "zero or more"),
        (lambda: simulate_autoscaling(10, duration_s=100, step_s=7), "whole number of steps"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()
