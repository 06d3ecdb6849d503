"""Tests for the load balancer simulation: routing, health checks, draining, no lost requests."""

from __future__ import annotations

import numpy as np
import pytest

import cloudlab.sim.loadbalancer as lb
from cloudlab.sim.loadbalancer import (
    Deregistration,
    Failure,
    HealthCheck,
    Target,
    simulate_load_balancer,
)
from cloudlab.sim.traffic import daily_cycle


def accounted(run: lb.LoadBalancerRun) -> None:
    """Every request is served, still queued, or an error; per-target sums add up."""
    assert run.total_arrivals == run.total_served + run.total_errors + run.still_queued
    routed = run.routed.sum(axis=1) + run.errors["no_targets"]
    np.testing.assert_array_equal(routed, run.arrivals)
    per_target = run.routed.sum(axis=0)
    charged = run.served.sum(axis=0) + run.target_errors.sum(axis=0) + run.queued[-1]
    np.testing.assert_array_equal(per_target, charged)
    by_reason = sum(v for k, v in run.errors.items() if k != "no_targets")
    np.testing.assert_array_equal(by_reason, run.target_errors.sum(axis=1))


def test_round_robin_nine_requests_over_three_targets():
    run = simulate_load_balancer([9], targets=3, random_arrivals=False)
    assert run.per_target() == {"task-a": 3, "task-b": 3, "task-c": 3}
    accounted(run)


def test_round_robin_takes_turns_across_steps():
    run = simulate_load_balancer([1, 1, 1, 1], targets=3, random_arrivals=False)
    np.testing.assert_array_equal(run.routed, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])


def test_least_outstanding_requests_fills_the_emptiest_queue():
    # One slow target keeps a queue; new requests go to the other two first.
    targets = [Target("slow", capacity_rps=1), Target("fast-1"), Target("fast-2")]
    run = simulate_load_balancer(
        [30] * 5,
        targets=targets,
        algorithm="least_outstanding_requests",
        random_arrivals=False,
    )
    totals = run.per_target()
    assert totals["slow"] < totals["fast-1"]
    assert totals["slow"] < totals["fast-2"]
    rr = simulate_load_balancer([30] * 5, targets=targets, random_arrivals=False)
    assert rr.per_target()["slow"] == 50
    accounted(run)


def test_lor_with_empty_queues_is_round_robin():
    a = simulate_load_balancer(90, duration_s=60, algorithm="least_outstanding_requests")
    b = simulate_load_balancer(90, duration_s=60, algorithm="round_robin")
    np.testing.assert_array_equal(a.routed, b.routed)


def test_failing_target_is_taken_out_after_the_threshold():
    # Checks at 0, 10, 20, ...: the ones at 60 and 70 fail; the second failure is
    # known when its 5 s timeout runs out, at 75 s.
    health = HealthCheck(interval_s=10, timeout_s=5, unhealthy_threshold=2)
    run = simulate_load_balancer(
        90, duration_s=200, health=health, failures=[Failure("task-b", 60)], seed=3
    )
    (d,) = run.detections
    assert d.out_s == 75.0
    assert d.out_s <= 80
    b = run.names.index("task-b")
    assert run.routed[run.t_s >= 75, b].sum() == 0
    assert run.routed[(run.t_s >= 60) & (run.t_s < 75), b].sum() > 0
    # Its traffic moved to the others; errors happened only in the detection window.
    assert run.errors["target_down"][run.t_s >= 76].sum() == 0
    assert run.errors["target_down"][run.t_s < 60].sum() == 0
    accounted(run)


def test_recovered_target_comes_back_after_healthy_threshold():
    health = HealthCheck(interval_s=10, timeout_s=5, unhealthy_threshold=2, healthy_threshold=3)
    run = simulate_load_balancer(
        60, duration_s=300, health=health, failures=[Failure("task-a", 30, 100)], seed=1
    )
    (d,) = run.detections
    # Checks at 100, 110, 120 succeed; the third puts it back at 120 s.
    assert d.back_s == 120.0
    a = run.names.index("task-a")
    assert run.routed[run.t_s >= 120, a].sum() > 0


def test_default_health_check_is_aws_default():
    h = HealthCheck()
    assert (h.interval_s, h.timeout_s, h.healthy_threshold, h.unhealthy_threshold) == (30, 5, 5, 2)
    assert h.path == "/healthz"
    assert lb.DEFAULT_DEREGISTRATION_DELAY_S == 300


def test_fail_open_when_every_target_is_unhealthy():
    health = HealthCheck(interval_s=10, timeout_s=5)
    run = simulate_load_balancer(
        30,
        duration_s=120,
        targets=2,
        health=health,
        failures=[Failure("task-a", 0), Failure("task-b", 0)],
    )
    assert not run.in_service[-1].any()
    assert run.routed[-10:].sum() > 0  # still sent somewhere: fail open
    assert run.errors["target_down"].sum() == run.total_arrivals
    accounted(run)


def test_draining_target_gets_no_new_requests_and_finishes_its_queue():
    slow = [Target("a", capacity_rps=5), Target("b", capacity_rps=5)]
    run = simulate_load_balancer(
        [20] * 10 + [0] * 30,
        targets=slow,
        deregistrations=[Deregistration("b", 5)],
        deregistration_delay_s=300,
        random_arrivals=False,
    )
    assert run.routed[5:, 1].sum() == 0
    assert run.errors["drain_cutoff"].sum() == 0
    assert not run.registered[-1, 1]
    accounted(run)


def test_draining_cuts_off_what_is_left_when_the_delay_ends():
    slow = [Target("a", capacity_rps=2), Target("b", capacity_rps=2)]
    run = simulate_load_balancer(
        [20] * 5 + [0] * 20,
        targets=slow,
        deregistrations=[Deregistration("b", 5)],
        deregistration_delay_s=3,
        random_arrivals=False,
    )
    assert run.errors["drain_cutoff"].sum() > 0
    assert run.errors["drain_cutoff"][8] == run.errors["drain_cutoff"].sum()
    accounted(run)


def test_no_registered_targets_counts_errors():
    run = simulate_load_balancer(
        [5] * 10,
        targets=1,
        deregistrations=[Deregistration("task-a", 3)],
        deregistration_delay_s=0,
        random_arrivals=False,
    )
    assert run.errors["no_targets"][3:].sum() == 35
    accounted(run)


def test_overload_refuses_what_would_wait_too_long():
    run = simulate_load_balancer(
        [300] * 30,
        targets=[Target("only", capacity_rps=100)],
        queue_timeout_s=2,
        random_arrivals=False,
    )
    assert run.errors["timed_out"].sum() > 0
    assert run.queued.max() <= 200
    accounted(run)


@pytest.mark.parametrize("algorithm", ["round_robin", "least_outstanding_requests"])
def test_a_busy_day_loses_nothing(algorithm):
    run = simulate_load_balancer(
        daily_cycle(50, 260)[30_000:50_000],
        algorithm=algorithm,
        failures=[Failure("task-b", 5_000, 8_000)],
        deregistrations=[Deregistration("task-c", 15_000)],
        seed=7,
    )
    accounted(run)
    assert run.total_errors > 0


@pytest.mark.parametrize("algorithm", ["round_robin", "least_outstanding_requests"])
def test_quiet_stretch_shortcut_matches_step_by_step(monkeypatch, algorithm):
    kwargs = {
        "rps": daily_cycle(50, 280)[40_000:46_000],
        "algorithm": algorithm,
        "failures": [Failure("task-b", 1_000, 2_000)],
        "deregistrations": [Deregistration("task-c", 4_000)],
        "seed": 2,
    }
    fast = simulate_load_balancer(**kwargs)
    monkeypatch.setattr(lb, "_FAST", False)
    slow = simulate_load_balancer(**kwargs)
    for name in ("routed", "served", "queued", "target_errors", "in_service", "registered"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)


def test_same_seed_same_run_different_seed_different_run():
    a = simulate_load_balancer(100, duration_s=120, seed=5)
    b = simulate_load_balancer(100, duration_s=120, seed=5)
    c = simulate_load_balancer(100, duration_s=120, seed=6)
    np.testing.assert_array_equal(a.arrivals, b.arrivals)
    np.testing.assert_array_equal(a.routed, b.routed)
    assert not np.array_equal(a.arrivals, c.arrivals)


def test_summary_mentions_detection():
    run = simulate_load_balancer(
        90, duration_s=200, failures=[Failure("task-b", 60)], health=HealthCheck(interval_s=10)
    )
    assert "task-b taken out 15 s after it failed" in run.summary


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rps": -1, "duration_s": 10}, "zero or more"),
        ({"rps": 10}, "give a duration"),
        ({"rps": 10, "duration_s": 10, "targets": 0}, "1 to 26"),
        ({"rps": 10, "duration_s": 10, "targets": []}, "at least one target"),
        ({"rps": 10, "duration_s": 10, "algorithm": "random"}, "unknown routing algorithm"),
        ({"rps": 10, "duration_s": 10, "deregistration_delay_s": 4000}, "0–3600"),
        ({"rps": 10, "duration_s": 10, "failures": [Failure("task-z", 1)]}, "no target called"),
        ({"rps": 10, "duration_s": 10, "targets": [Target("x"), Target("x")]}, "different"),
        ({"rps": 10, "duration_s": 10, "queue_timeout_s": 0}, "queue timeout"),
    ],
)
def test_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_load_balancer(**kwargs)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"interval_s": 4}, "5–300"),
        ({"timeout_s": 1}, "2–120"),
        ({"interval_s": 10, "timeout_s": 10}, "shorter than the"),
        ({"healthy_threshold": 1}, "2 to 10"),
        ({"unhealthy_threshold": 0}, "2 to 10"),
        ({"unhealthy_threshold": 11}, "2 to 10"),
        ({"path": "healthz"}, "start with '/'"),
    ],
)
def test_bad_health_checks(settings, message):
    with pytest.raises(ValueError, match=message):
        HealthCheck(**settings)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Target("a", capacity_rps=0), "capacity"),
        (lambda: Target(" "), "needs a name"),
        (lambda: Failure("a", -1), "0 s or later"),
        (lambda: Failure("a", 10, 5), "end after it starts"),
        (lambda: Deregistration("a", -5), "0 s or later"),
    ],
)
def test_bad_parts(make, message):
    with pytest.raises(ValueError, match=message):
        make()
