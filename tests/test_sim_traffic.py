"""Tests for the traffic curves."""

from __future__ import annotations

import numpy as np
import pytest

from cloudlab.sim.traffic import (
    SHAPES,
    arrivals,
    daily_cycle,
    make_traffic,
    ramp,
    spike,
    steady,
    times,
    with_noise,
)


def test_steady_and_times():
    np.testing.assert_array_equal(times(5, 1), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(steady(7, 3), [7, 7, 7])


def test_ramp_goes_from_start_to_end():
    r = ramp(10, 110, 100, 1, ramp_start_s=0, ramp_end_s=100)
    assert r[0] == 10
    assert r[50] == pytest.approx(60)
    assert r[-1] == pytest.approx(109)


def test_spike_is_only_during_its_window():
    s = spike(10, 100, 60, at_s=20, length_s=10)
    assert s[19] == 10
    assert s[20] == s[29] == 100
    assert s[30] == 10


def test_daily_cycle_peaks_at_the_peak_hour():
    d = daily_cycle(20, 200, step_s=60, peak_hour=14)
    assert len(d) == 1440
    assert int(np.argmax(d)) == 14 * 60
    assert d.max() == pytest.approx(200)
    assert d.min() == pytest.approx(20)


def test_exact_arrivals_keep_the_total():
    a = arrivals(np.full(10, 0.5), random=False)
    assert a.sum() == 5
    np.testing.assert_array_equal(a, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])


def test_seeded_arrivals_and_noise():
    rates = np.full(1000, 50.0)
    np.testing.assert_array_equal(arrivals(rates, seed=1), arrivals(rates, seed=1))
    assert not np.array_equal(arrivals(rates, seed=1), arrivals(rates, seed=2))
    np.testing.assert_array_equal(with_noise(rates, seed=3), with_noise(rates, seed=3))
    assert not np.array_equal(with_noise(rates, seed=3), with_noise(rates, seed=4))
    assert (with_noise(rates, 1.0, seed=0) >= 0).all()
    assert arrivals(rates, seed=0).mean() == pytest.approx(50, rel=0.05)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_builds(shape):
    r = make_traffic(shape, low_rps=10, high_rps=100, duration_s=3600, noise=0.1, seed=1)
    assert r.shape == (3600,)
    assert (r >= 0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: steady(-1, 10), "zero or more"),
        (lambda: steady(1, 0), "positive number of seconds"),
        (lambda: steady(1, 10, step_s=0), "time step"),
        (lambda: ramp(1, 2, 10, ramp_start_s=5, ramp_end_s=5), "start before it ends"),
        (lambda: spike(1, 2, 10, at_s=20, length_s=1), "within the simulation"),
        (lambda: spike(1, 2, 10, at_s=2, length_s=0), "positive number of seconds"),
        (lambda: daily_cycle(100, 10), "must not be below"),
        (lambda: daily_cycle(1, 10, peak_hour=25), "between 0 and 24"),
        (lambda: with_noise(np.ones(3), 2), "between 0 and 1"),
        (lambda: arrivals(np.array([-1.0])), "zero or more"),
        (lambda: make_traffic("sawtooth"), "unknown traffic shape"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()
