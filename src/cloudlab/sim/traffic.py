"""Make traffic curves: how many requests per second arrive at each time step.

Every curve is a NumPy array of request rates (requests per second, rps), one value per
time step of ``step_s`` seconds, starting at time 0. Shapes:

- :func:`steady`: the same rate all the time;
- :func:`ramp`: a straight line from one rate to another between two times;
- :func:`spike`: a base rate with a sudden burst for a while;
- :func:`daily_cycle`: a smooth day, quiet at night and busiest at ``peak_hour``;
- :func:`with_noise`: any curve with seeded random wobble added.

:func:`arrivals` turns rates into whole requests per step, either exactly (rounded,
carrying the fractions forward) or as seeded Poisson counts, which is how independent
users' requests bunch up in practice. :func:`make_traffic` builds any shape by name, for
the widgets. Everything is pure: the same arguments and seed give the same arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from cloudlab.checks import finite, show

__all__ = [
    "SHAPES",
    "Shape",
    "arrivals",
    "daily_cycle",
    "make_traffic",
    "ramp",
    "spike",
    "steady",
    "times",
    "with_noise",
]

Shape = Literal["steady", "ramp", "spike", "daily"]
#: The shapes :func:`make_traffic` knows, with a label for menus.
SHAPES: dict[str, str] = {
    "steady": "steady",
    "ramp": "ramp up",
    "spike": "sudden spike",
    "daily": "daily cycle",
}

DAY_S = 86_400.0


def _seconds(value: object, what: str) -> float:
    """A positive number of seconds, else a ValueError naming ``what``."""
    seconds = finite(value)
    if seconds is None or seconds <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {show(value)}")
    return seconds


def _steps(duration_s: float, step_s: float) -> int:
    duration_s = _seconds(duration_s, "the duration")
    step_s = _seconds(step_s, "the time step")
    n = round(duration_s / step_s)
    if n < 1:
        raise ValueError(
            f"a duration of {duration_s} s is shorter than one time step of {step_s} s"
        )
    if n > 10_000_000:
        raise ValueError(f"{n:,} time steps is too many: use a longer step or a shorter duration")
    return n


def _rate(value: object, what: str) -> float:
    rate = finite(value)
    if rate is None or rate < 0:
        raise ValueError(f"{what} must be zero or more requests per second, not {show(value)}")
    return rate


def rate_series(
    rps: float | Sequence[float] | np.ndarray, duration_s: float | None, step_s: float
) -> np.ndarray:
    """The request rate per time step that every simulation takes as input.

    Parameters
    ----------
    rps
        One rate (requests per second, then ``duration_s`` is needed) or a series of them.
    duration_s
        Length in seconds when ``rps`` is a single number.
    step_s
        Seconds per time step.

    Raises
    ------
    ValueError
        A non-positive step, a missing duration, an empty series, or a rate that is
        negative or not a number.
    """
    _seconds(step_s, "the time step")
    if isinstance(rps, (str, bytes)):
        raise ValueError(f"the request rate must be a number or a series, not {show(rps)}")
    if np.ndim(rps) == 0:
        if duration_s is None:
            raise ValueError("give a duration when the request rate is a single number")
        one = rps.item() if isinstance(rps, np.ndarray) else rps
        rates = np.full(_steps(duration_s, step_s), _rate(one, "the request rate"))
    else:
        try:
            rates = np.asarray(rps, dtype=float)
        except (OverflowError, TypeError, ValueError):
            raise ValueError(
                "the traffic must be a series of request rates (numbers of requests per second)"
            ) from None
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError("the traffic must be a non-empty series of request rates")
    if np.any(~np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError("request rates must be zero or more requests per second")
    return rates


def _series(rates: object) -> np.ndarray:
    """Rates as a float array, or a ValueError (text, None and objects are not rates)."""
    if isinstance(rates, (str, bytes)):
        rates = None  # np.asarray("1") would be an array of text
    try:
        return np.asarray(rates, dtype=float)
    except (OverflowError, TypeError, ValueError):
        raise ValueError(
            "the traffic must be a series of request rates (numbers of requests per second)"
        ) from None


def random_generator(seed: object) -> np.random.Generator:
    """NumPy's generator for ``seed``, or a ValueError naming the seed (2.5, text, a list...)."""
    try:
        return np.random.default_rng(seed)  # type: ignore[arg-type]  # any object: NumPy refuses what it can't seed
    except (OverflowError, TypeError, ValueError):
        raise ValueError(f"the seed must be a whole number, 0 or more, not {show(seed)}") from None


def steps_per_period(period_s: float, step_s: float, what: str) -> int:
    """How many time steps make one metric or alarm period (it must be a whole number)."""
    per = period_s / step_s
    if abs(per - round(per)) > 1e-9 or round(per) < 1:
        raise ValueError(f"{what} ({period_s} s) must be a whole number of steps of {step_s} s")
    return round(per)


def times(duration_s: float, step_s: float = 1.0) -> np.ndarray:
    """Start time of each step, seconds.

    Parameters
    ----------
    duration_s : float
        Length of the simulation, seconds.
    step_s : float, optional
        Length of one time step, seconds.

    Returns
    -------
    numpy.ndarray
        ``[0, step_s, 2 * step_s, ...]``, one value per step.
    """
    return np.arange(_steps(duration_s, step_s)) * float(step_s)


def steady(rps: float, duration_s: float, step_s: float = 1.0) -> np.ndarray:
    """The same request rate at every step.

    Parameters
    ----------
    rps : float
        Requests per second.
    duration_s, step_s : float
        Length of the simulation and of one step, seconds.

    Returns
    -------
    numpy.ndarray
        Requests per second at each step.
    """
    return np.full(_steps(duration_s, step_s), _rate(rps, "the rate"))


def ramp(
    start_rps: float,
    end_rps: float,
    duration_s: float,
    step_s: float = 1.0,
    *,
    ramp_start_s: float = 0.0,
    ramp_end_s: float | None = None,
) -> np.ndarray:
    """A rate that moves in a straight line from ``start_rps`` to ``end_rps``.

    Parameters
    ----------
    start_rps, end_rps : float
        Rates before and after the ramp, requests per second.
    duration_s, step_s : float
        Length of the simulation and of one step, seconds.
    ramp_start_s, ramp_end_s : float, optional
        When the ramp begins and ends, seconds (default: the whole duration).

    Returns
    -------
    numpy.ndarray
        Requests per second at each step.
    """
    t = times(duration_s, step_s)
    low, high = _rate(start_rps, "the start rate"), _rate(end_rps, "the end rate")
    start = finite(ramp_start_s)
    end = finite(duration_s if ramp_end_s is None else ramp_end_s)
    if start is None or end is None or not 0 <= start < end:
        raise ValueError(
            f"the ramp must start before it ends (start {show(ramp_start_s)} s, "
            f"end {show(duration_s if ramp_end_s is None else ramp_end_s)} s)"
        )
    fraction = np.clip((t - start) / (end - start), 0.0, 1.0)
    return low + (high - low) * fraction


def spike(
    base_rps: float,
    spike_rps: float,
    duration_s: float,
    step_s: float = 1.0,
    *,
    at_s: float,
    length_s: float,
) -> np.ndarray:
    """A base rate with a burst of ``spike_rps`` from ``at_s`` for ``length_s`` seconds.

    Parameters
    ----------
    base_rps, spike_rps : float
        Rates outside and during the burst, requests per second.
    duration_s, step_s : float
        Length of the simulation and of one step, seconds.
    at_s, length_s : float
        Start and length of the burst, seconds.

    Returns
    -------
    numpy.ndarray
        Requests per second at each step.
    """
    t = times(duration_s, step_s)
    length = finite(length_s)
    if length is None or length <= 0:
        raise ValueError(f"the spike must last a positive number of seconds, not {show(length_s)}")
    at = finite(at_s)
    if at is None or not 0 <= at < duration_s:
        raise ValueError(f"the spike must start within the simulation (0 to {duration_s} s)")
    rates = np.full(t.shape, _rate(base_rps, "the base rate"))
    rates[(t >= at) & (t < at + length)] = _rate(spike_rps, "the spike rate")
    return rates


def daily_cycle(
    low_rps: float,
    peak_rps: float,
    duration_s: float = DAY_S,
    step_s: float = 1.0,
    *,
    peak_hour: float = 14.0,
) -> np.ndarray:
    """A smooth 24-hour cycle: ``low_rps`` twelve hours from the peak, ``peak_rps`` at it.

    Parameters
    ----------
    low_rps, peak_rps : float
        Quietest and busiest rates, requests per second.
    duration_s, step_s : float, optional
        Length of the simulation (default one day) and of one step, seconds.
    peak_hour : float, optional
        Hour of the day (0–24) with the most traffic.

    Returns
    -------
    numpy.ndarray
        Requests per second at each step.
    """
    low, high = _rate(low_rps, "the low rate"), _rate(peak_rps, "the peak rate")
    if high < low:
        raise ValueError(f"the peak rate ({high}) must not be below the low rate ({low})")
    hour = finite(peak_hour)
    if hour is None or not 0 <= hour <= 24:
        raise ValueError(f"the peak hour must be between 0 and 24, not {show(peak_hour)}")
    t = times(duration_s, step_s)
    phase = 2 * np.pi * (t / DAY_S - hour / 24.0)
    return low + (high - low) * (1 + np.cos(phase)) / 2


def with_noise(rates: np.ndarray, relative: float = 0.1, *, seed: int = 0) -> np.ndarray:
    """Add seeded random wobble to a curve (never below zero).

    Parameters
    ----------
    rates : numpy.ndarray
        Requests per second at each step.
    relative : float, optional
        Standard deviation of the wobble as a fraction of the rate (0.1 = 10 %).
    seed : int, optional
        Seed of the random-number generator.

    Returns
    -------
    numpy.ndarray
        A new array of requests per second.
    """
    noise = finite(relative)
    if noise is None or not 0 <= noise <= 1:
        raise ValueError(f"the noise must be a fraction between 0 and 1, not {show(relative)}")
    base = _series(rates)
    if noise == 0:
        return base.copy()
    rng = random_generator(seed)
    with np.errstate(over="ignore", invalid="ignore"):
        noisy = np.maximum(0.0, base * (1 + noise * rng.standard_normal(base.shape)))
    if not np.all(np.isfinite(noisy)):
        raise ValueError("request rates must be finite numbers, small enough to add noise to")
    return noisy


def arrivals(
    rates: np.ndarray, step_s: float = 1.0, *, random: bool = True, seed: int = 0
) -> np.ndarray:
    """Whole requests arriving in each step.

    Parameters
    ----------
    rates : numpy.ndarray
        Requests per second at each step.
    step_s : float, optional
        Length of one step, seconds.
    random : bool, optional
        True: Poisson counts with mean ``rate * step_s`` (seeded). False: the exact
        expected number, rounded, with the fractions carried forward so the total is
        right.
    seed : int, optional
        Seed of the random-number generator.

    Returns
    -------
    numpy.ndarray of int64
        Requests per step.
    """
    step = finite(step_s)
    if step is None:
        raise ValueError(f"the time step must be a number of seconds, not {show(step_s)}")
    expected = _series(rates) * step
    if expected.ndim != 1:
        raise ValueError("the traffic must be a one-dimensional series of rates")
    if np.any(~np.isfinite(expected)) or np.any(expected < 0):
        raise ValueError("request rates must be zero or more requests per second")
    if random:
        return random_generator(seed).poisson(expected).astype(np.int64)
    cumulative = np.floor(np.cumsum(expected) + 1e-9).astype(np.int64)
    return np.diff(cumulative, prepend=0)


def make_traffic(
    shape: Shape = "daily",
    *,
    low_rps: float = 20.0,
    high_rps: float = 200.0,
    duration_s: float = DAY_S,
    step_s: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Build a traffic curve by name (used by the widgets).

    Parameters
    ----------
    shape : {"steady", "ramp", "spike", "daily"}
        Which curve. ``steady`` uses ``high_rps``; ``ramp`` climbs from ``low_rps`` to
        ``high_rps`` over the middle third; ``spike`` jumps from ``low_rps`` to
        ``high_rps`` for a tenth of the duration, starting at 40 %; ``daily`` is
        :func:`daily_cycle` stretched to the duration.
    low_rps, high_rps : float
        Quiet and busy rates, requests per second.
    duration_s, step_s : float
        Length of the simulation and of one step, seconds.
    noise : float
        Relative random wobble (see :func:`with_noise`).
    seed : int
        Seed for the noise.

    Returns
    -------
    numpy.ndarray
        Requests per second at each step.
    """
    if shape == "steady":
        rates = steady(high_rps, duration_s, step_s)
    elif shape == "ramp":
        rates = ramp(
            low_rps,
            high_rps,
            duration_s,
            step_s,
            ramp_start_s=duration_s / 3,
            ramp_end_s=2 * duration_s / 3,
        )
    elif shape == "spike":
        rates = spike(
            low_rps, high_rps, duration_s, step_s, at_s=0.4 * duration_s, length_s=duration_s / 10
        )
    elif shape == "daily":
        # One full cycle over the duration, whatever its length, peaking at 60 %.
        day = daily_cycle(low_rps, high_rps, DAY_S, DAY_S / _steps(duration_s, step_s))
        rates = np.roll(day, -round(len(day) * (14 / 24 - 0.6)))
    else:
        raise ValueError(f"unknown traffic shape {shape!r}: use one of {', '.join(SHAPES)}")
    return with_noise(rates, noise, seed=seed)
