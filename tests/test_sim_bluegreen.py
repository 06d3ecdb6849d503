"""Tests for the blue/green shift with an error-rate alarm."""

from __future__ import annotations

import numpy as np
import pytest

from cloudlab.sim.bluegreen import (
    MAX_WEIGHT,
    Alarm,
    Shift,
    all_at_once,
    canary_schedule,
    simulate_blue_green,
)


def first_alarm(run) -> float | None:
    """Recompute, independently, the end of the first run of breaching periods."""
    n = run.alarm.evaluation_periods
    streak = 0
    for end, rate in zip(run.period_end_s, run.green_error_rate, strict=True):
        streak = streak + 1 if (not np.isnan(rate) and rate > run.alarm.threshold) else 0
        if streak == n:
            return float(end)
    return None


def test_default_schedule_is_the_staged_shift():
    assert [(s.blue, s.green) for s in canary_schedule()] == [
        (100, 0),
        (80, 20),
        (50, 50),
        (0, 100),
    ]


def test_rollback_when_errors_exceed_the_alarm():
    run = simulate_blue_green(100, duration_s=3000, green_error_rate=0.2, seed=1)
    assert run.rollback_s is not None
    assert (run.green_pct[run.t_s >= run.rollback_s] == 0).all()
    assert run.green_requests[run.t_s >= run.rollback_s].sum() == 0
    # 80/20 starts at 600 s; two breaching one-minute periods end at 720 s.
    assert run.rollback_s == 720.0


def test_no_rollback_when_errors_stay_below_the_alarm():
    run = simulate_blue_green(100, duration_s=3000, green_error_rate=0.01, seed=1)
    assert run.rollback_s is None
    assert run.green_pct[-1] == 100


def test_rollback_triggers_exactly_when_the_alarm_condition_is_met():
    for seed in range(8):
        for rate in (0.03, 0.05, 0.07):
            watched = simulate_blue_green(
                50, duration_s=2400, green_error_rate=rate, rollback=False, seed=seed
            )
            acted = simulate_blue_green(50, duration_s=2400, green_error_rate=rate, seed=seed)
            assert acted.rollback_s == first_alarm(watched)


def test_weights_sum_to_100_and_follow_the_schedule():
    run = simulate_blue_green(100, duration_s=2400, green_error_rate=0.0, seed=2)
    np.testing.assert_array_equal(run.green_pct[[0, 600, 1200, 1800]], [0, 20, 50, 100])
    assert ((run.green_pct >= 0) & (run.green_pct <= 100)).all()
    total = run.blue_requests + run.green_requests
    assert (total >= 0).all()
    assert Shift(0, 3, 1).green_pct + Shift(0, 1, 3).green_pct == 100


def test_staged_shift_shows_fewer_users_errors_than_all_at_once():
    staged = simulate_blue_green(100, duration_s=3000, green_error_rate=0.1, seed=3)
    switch = simulate_blue_green(
        100, all_at_once(600), duration_s=3000, green_error_rate=0.1, seed=3
    )
    assert staged.rollback_s == switch.rollback_s == 720.0
    assert staged.errors < switch.errors


def test_seeded():
    a = simulate_blue_green(80, duration_s=1200, seed=4)
    b = simulate_blue_green(80, duration_s=1200, seed=4)
    c = simulate_blue_green(80, duration_s=1200, seed=5)
    np.testing.assert_array_equal(a.green_requests, b.green_requests)
    np.testing.assert_array_equal(a.blue_errors, b.blue_errors)
    assert not np.array_equal(a.blue_requests, c.blue_requests)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Shift(0, 1000, 0), f"0 to {MAX_WEIGHT}"),
        (lambda: Shift(0, -1, 5), "whole number"),
        (lambda: Shift(0, 0, 0), "both be 0"),
        (lambda: Shift(-1, 1, 1), "0 s or later"),
        (lambda: Alarm(threshold=0), "between 0 and 1"),
        (lambda: Alarm(threshold=5), "between 0 and 1"),
        (lambda: Alarm(evaluation_periods=0), "at least 1"),
        (lambda: canary_schedule(every_s=0), "more than 0"),
        (lambda: simulate_blue_green(10, duration_s=60, green_error_rate=1.5), "fraction"),
        (lambda: simulate_blue_green(10), "give a duration"),
        (lambda: simulate_blue_green(10, duration_s=60, schedule=[]), "at least one"),
    ],
)
def test_bad_inputs(make, message):
    with pytest.raises(ValueError, match=message):
        make()
