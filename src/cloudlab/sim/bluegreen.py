"""Simulate shifting traffic from blue to green with weighted target groups, and rolling back.

A listener rule's ``forward`` action can name several target groups, each with a weight
from 0 to 999; requests are shared in proportion to the weights. Shipping a new version
(green) next to the old one (blue) then means changing the weights on a schedule, for
example 100/0 → 80/20 → 50/50 → 0/100, while an alarm watches green's error rate and
puts everything back on blue (100/0) if it fires.

The model, one step (``step_s``) at a time:

- requests arrive (seeded Poisson counts) and each goes to green with probability
  ``green / (blue + green)`` of the weights in force (:class:`Shift`);
- each colour fails a request with its own error rate (green's is the injected bug);
- every ``period_s`` the alarm computes green's error rate over the period (periods in
  which green got no requests do not count as breaching); when ``evaluation_periods``
  periods in a row are above ``threshold``, the alarm fires at the end of the last one
  and the weights go to 100/0 for the rest of the run.

:func:`all_at_once` builds the schedule of a plain switch (100/0 then 0/100) to compare
with. Weights are always shown as percentages that sum to 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cloudlab import checks
from cloudlab.sim.traffic import arrivals as make_arrivals
from cloudlab.sim.traffic import random_generator, rate_series, steps_per_period

__all__ = [
    "MAX_WEIGHT",
    "Alarm",
    "BlueGreenRun",
    "Shift",
    "alarm_fires_after",
    "all_at_once",
    "canary_schedule",
    "error_rates",
    "simulate_blue_green",
]

#: Largest weight of one target group in a forward action (weights are 0–999).
MAX_WEIGHT = 999


@dataclass(frozen=True)
class Shift:
    """Set the listener's weights at ``at_s``.

    Attributes
    ----------
    at_s : float
        When the weights change, seconds.
    blue, green : int
        Weights of the two target groups, each 0–999, not both 0.
    """

    at_s: float
    blue: int
    green: int

    def __post_init__(self) -> None:
        checks.fields(self)
        at = checks.finite(self.at_s)
        if at is None or at < 0:
            raise ValueError(
                f"a weight change must happen at 0 s or later, not {checks.show(self.at_s)}"
            )
        for colour, weight in (("blue", self.blue), ("green", self.green)):
            number = checks.finite(weight)
            if number is None or int(number) != number or not 0 <= number <= MAX_WEIGHT:
                raise ValueError(
                    f"the {colour} weight must be a whole number from 0 to {MAX_WEIGHT}, "
                    f"not {checks.show(weight)}"
                )
        if self.blue == 0 and self.green == 0:
            raise ValueError("the blue and green weights cannot both be 0")

    @property
    def green_pct(self) -> float:
        """Green's share of requests, percent (blue's is 100 minus this)."""
        return 100.0 * self.green / (self.blue + self.green)


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch-style alarm on green's error rate.

    Attributes
    ----------
    threshold : float
        Error rate that breaches, as a fraction (0.05 = 5 %).
    evaluation_periods : int
        Periods in a row above the threshold before the alarm fires.
    period_s : float
        Length of one period, seconds.
    """

    threshold: float = 0.05
    evaluation_periods: int = 2
    period_s: float = 60.0

    def __post_init__(self) -> None:
        checks.fields(self)
        if not 0 < self.threshold < 1:
            raise ValueError(
                f"the alarm threshold is an error rate between 0 and 1 (0.05 = 5 %), "
                f"not {self.threshold}"
            )
        if int(self.evaluation_periods) != self.evaluation_periods or self.evaluation_periods < 1:
            raise ValueError("the alarm needs a whole number of evaluation periods, at least 1")
        if not math.isfinite(self.period_s) or self.period_s <= 0:
            raise ValueError(f"the alarm period must be more than 0 seconds, not {self.period_s}")


def canary_schedule(
    steps: Sequence[tuple[int, int]] = ((100, 0), (80, 20), (50, 50), (0, 100)),
    every_s: float = 600.0,
) -> tuple[Shift, ...]:
    """Weights changed in stages, one stage every ``every_s`` seconds from time 0.

    Parameters
    ----------
    steps : sequence of (blue, green)
        Weights of each stage (default 100/0 → 80/20 → 50/50 → 0/100).
    every_s : float
        Seconds between stages.

    Returns
    -------
    tuple of Shift
        The schedule.
    """
    every = checks.finite(every_s)
    if every is None or every <= 0:
        raise ValueError(
            f"the time between stages must be more than 0 seconds, not {checks.show(every_s)}"
        )
    weights = []
    for stage in checks.items("steps", steps, what="a list of (blue, green) weights"):
        try:
            blue, green = stage
        except (TypeError, ValueError):
            raise ValueError(
                f"stage {checks.show(stage)}: give the (blue, green) weights"
            ) from None
        weights.append((blue, green))
    return tuple(Shift(i * every_s, b, g) for i, (b, g) in enumerate(weights))


def all_at_once(switch_s: float) -> tuple[Shift, ...]:
    """All traffic on blue until ``switch_s``, then all on green.

    Parameters
    ----------
    switch_s : float
        When to switch, seconds.

    Returns
    -------
    tuple of Shift
        The schedule.
    """
    switch = checks.finite(switch_s)
    if switch is None or switch < 0:
        raise ValueError(f"the switch must happen at 0 s or later, not {checks.show(switch_s)}")
    return (Shift(0.0, 100, 0), Shift(switch_s, 0, 100))


@dataclass(frozen=True, eq=False)
class BlueGreenRun:
    """What happened, step by step.

    Attributes
    ----------
    t_s : numpy.ndarray
        Start of each step, seconds.
    step_s : float
        Step length, seconds.
    green_pct : numpy.ndarray
        Green's share of the weights in force at each step, percent.
    blue_requests, green_requests : numpy.ndarray
        Requests sent to each colour in each step.
    blue_errors, green_errors : numpy.ndarray
        Failed requests of each colour in each step (the errors users saw).
    period_end_s : numpy.ndarray
        End of each alarm period, seconds.
    green_error_rate : numpy.ndarray
        Green's error rate in each period (NaN when green got no requests).
    breaching : numpy.ndarray of bool
        Whether each period was above the threshold.
    rollback_s : float or None
        When the alarm fired and the weights went back to 100/0 (None: never).
    schedule : tuple of Shift
        The weight changes planned.
    alarm : Alarm
        The alarm used.
    """

    t_s: np.ndarray
    step_s: float
    green_pct: np.ndarray
    blue_requests: np.ndarray
    green_requests: np.ndarray
    blue_errors: np.ndarray
    green_errors: np.ndarray
    period_end_s: np.ndarray
    green_error_rate: np.ndarray
    breaching: np.ndarray
    rollback_s: float | None
    schedule: tuple[Shift, ...]
    alarm: Alarm

    @property
    def requests(self) -> int:
        """All requests."""
        return int(self.blue_requests.sum() + self.green_requests.sum())

    @property
    def errors(self) -> int:
        """All requests that failed, of either colour."""
        return int(self.blue_errors.sum() + self.green_errors.sum())

    @property
    def summary(self) -> str:
        """One line: errors users saw, and whether and when the rollback happened."""
        total = self.requests
        share = 100.0 * self.errors / total if total else 0.0
        text = f"Users saw {self.errors:,} errors in {total:,} requests ({share:.2f} %)"
        if self.rollback_s is not None:
            return f"{text}; the alarm rolled back to blue at t={self.rollback_s:.0f} s."
        finished = self.green_pct[-1]
        return f"{text}; no rollback, green ends with {finished:.0f} % of the traffic."


def _weights(schedule: Sequence[Shift], t: np.ndarray) -> np.ndarray:
    ordered = sorted(schedule, key=lambda s: s.at_s)
    if not ordered:
        raise ValueError("the schedule needs at least one weight setting")
    if ordered[0].at_s > 0:
        ordered.insert(0, Shift(0.0, 100, 0))
    times = np.array([s.at_s for s in ordered])
    pct = np.array([s.green_pct for s in ordered])
    return pct[np.searchsorted(times, t, side="right") - 1]


def _counts(name: str, values: object) -> np.ndarray:
    """Whole counts per period as an int64 array (a NumPy integer array is taken as it is)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.ndim == 1:
        return values.astype(np.int64, copy=False)
    return np.asarray(checks.series(name, values, low=0, high=2**62, integers=True), dtype=np.int64)


def error_rates(
    requests: Sequence[int] | np.ndarray, errors: Sequence[int] | np.ndarray, alarm: Alarm
) -> tuple[np.ndarray, np.ndarray]:
    """Green's error rate per period (NaN without requests) and whether each breached."""
    checks.instance("alarm", alarm, Alarm)
    req = _counts("requests", requests)
    err = _counts("errors", errors)
    if req.shape != err.shape:
        raise ValueError(
            f"{req.size} periods of requests but {err.size} of errors: give one of each per period"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(req > 0, err / np.maximum(req, 1), np.nan)
    return rate, np.nan_to_num(rate, nan=0.0) > alarm.threshold


def alarm_fires_after(
    requests: Sequence[int] | np.ndarray, errors: Sequence[int] | np.ndarray, alarm: Alarm
) -> int | None:
    """The rollback rule: after how many periods the alarm fires, or None.

    The simulation and the real canary controller (:mod:`cloudlab.fleet.controllers`)
    both call this with green's requests and failed requests per alarm period.

    Parameters
    ----------
    requests, errors : sequence of int
        Green's requests and failed requests in each period so far, oldest first.
    alarm : Alarm
        Threshold and evaluation periods (its ``period_s`` is the length the caller
        measured each period over).

    Returns
    -------
    int or None
        ``k`` when the alarm fires at the end of period ``k`` (counting from 1): the
        first time ``evaluation_periods`` periods in a row had an error rate above the
        threshold (a period without green requests never breaches). None: it did not.
    """
    _, breaching = error_rates(requests, errors, alarm)
    n = alarm.evaluation_periods
    if breaching.size < n:
        return None
    run = np.convolve(breaching.astype(int), np.ones(n, dtype=int), mode="valid")
    fired = np.nonzero(run == n)[0]
    return int(fired[0]) + n if fired.size else None


def simulate_blue_green(
    rps: float | Sequence[float] | np.ndarray,
    schedule: Sequence[Shift] | None = None,
    *,
    green_error_rate: float = 0.1,
    blue_error_rate: float = 0.001,
    alarm: Alarm | None = None,
    rollback: bool = True,
    duration_s: float | None = None,
    step_s: float = 1.0,
    seed: int = 0,
) -> BlueGreenRun:
    """Run a weighted shift from blue to green, with an alarm that can roll it back.

    Parameters
    ----------
    rps : float or sequence of float
        Request rate, requests per second: one number (then give ``duration_s``) or one
        value per step.
    schedule : sequence of Shift, optional
        Weight changes (default :func:`canary_schedule`: 100/0, 80/20, 50/50, 0/100 every
        10 minutes). Before the first change the weights are 100/0.
    green_error_rate, blue_error_rate : float
        Fraction of each colour's requests that fail (0–1).
    alarm : Alarm, optional
        The rollback alarm (default: 5 % over 2 one-minute periods).
    rollback : bool, optional
        False watches the alarm but never acts on it.
    duration_s : float, optional
        Length of the run when ``rps`` is one number, seconds.
    step_s : float, optional
        Step length, seconds; must divide the alarm period.
    seed : int, optional
        Seed for arrivals, routing and errors.

    Returns
    -------
    BlueGreenRun
        Arrays over time and a ``summary``.
    """
    alarm = Alarm() if alarm is None else checks.instance("alarm", alarm, Alarm)
    if schedule is None:
        schedule = canary_schedule()
    schedule = tuple(checks.items("schedule", schedule, what="a list of weight changes"))
    for shift in schedule:
        checks.instance("schedule", shift, Shift, "a list of weight changes (Shift)")
    for name, given in (("green", green_error_rate), ("blue", blue_error_rate)):
        fraction = checks.finite(given)
        if fraction is None or not 0 <= fraction <= 1:
            raise ValueError(
                f"the {name} error rate is a fraction from 0 to 1, not {checks.show(given)}"
            )
    rates = rate_series(rps, duration_s, step_s)
    per = steps_per_period(alarm.period_s, step_s, "the alarm period")
    root = random_generator(seed)
    route_rng, green_rng, blue_rng = root.spawn(3)
    arrived = make_arrivals(rates, step_s, seed=int(root.integers(2**63)))
    steps = arrived.size
    t = np.arange(steps) * float(step_s)
    planned = _weights(schedule, t)
    green_req = route_rng.binomial(arrived, planned / 100.0)
    green_err = green_rng.binomial(green_req, green_error_rate)

    periods = steps // per
    g_req = green_req[: periods * per].reshape(periods, per).sum(axis=1)
    g_err = green_err[: periods * per].reshape(periods, per).sum(axis=1)
    fired_after = alarm_fires_after(g_req, g_err, alarm)
    rollback_s = None
    if fired_after is not None and rollback:
        rollback_s = float(fired_after * per * step_s)
    rate, breaching = error_rates(g_req, g_err, alarm)
    pct = planned.copy()
    if rollback_s is not None:
        after = t >= rollback_s
        pct[after] = 0.0
        green_req = np.where(after, 0, green_req)
        green_err = np.where(after, 0, green_err)
        g_req = green_req[: periods * per].reshape(periods, per).sum(axis=1)
        g_err = green_err[: periods * per].reshape(periods, per).sum(axis=1)
        rate, breaching = error_rates(g_req, g_err, alarm)
    blue_req = arrived - green_req
    blue_err = blue_rng.binomial(blue_req, blue_error_rate)
    return BlueGreenRun(
        t_s=t,
        step_s=float(step_s),
        green_pct=pct,
        blue_requests=blue_req,
        green_requests=green_req,
        blue_errors=blue_err,
        green_errors=green_err,
        period_end_s=(np.arange(periods) + 1) * per * float(step_s),
        green_error_rate=rate,
        breaching=breaching,
        rollback_s=rollback_s,
        schedule=schedule,
        alarm=alarm,
    )
