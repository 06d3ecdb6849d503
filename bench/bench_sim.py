"""Benchmark: simulate one day of traffic at one-second resolution (86,400 steps).

Run with ``.venv/bin/python bench/bench_sim.py`` (or ``make bench``). For each
simulation in :mod:`cloudlab.sim` it builds a realistic day (a daily cycle with noise),
runs it several times and prints the best time: the minimum over repeats is the least
noisy estimate of the code's own cost. The load balancer runs twice: on a calm day
(mostly quiet stretches, handled with NumPy) and on a day with a failure, a
deregistration and overload (many steps handled one by one). Nothing here asserts on
time: it only reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cloudlab.sim import (
    Deregistration,
    Failure,
    ScalingPolicy,
    canary_schedule,
    simulate_autoscaling,
    simulate_blue_green,
    simulate_load_balancer,
)
from cloudlab.sim.traffic import daily_cycle, with_noise

REPEAT = 5
DAY = with_noise(daily_cycle(40, 240), 0.05, seed=1)  # 86,400 one-second steps
HARD_DAY = with_noise(daily_cycle(40, 320), 0.05, seed=1)


def best(call: Callable[[], object]) -> float:
    """Minimum wall time of ``call`` over ``REPEAT`` runs, seconds."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


CASES: dict[str, Callable[[], object]] = {
    "load balancer, round robin, calm day": lambda: simulate_load_balancer(DAY, seed=1),
    "load balancer, least outstanding, calm day": lambda: simulate_load_balancer(
        DAY, algorithm="least_outstanding_requests", seed=1
    ),
    "load balancer, round robin, failure + drain + overload": lambda: simulate_load_balancer(
        HARD_DAY,
        failures=[Failure("task-b", 40_000, 44_000)],
        deregistrations=[Deregistration("task-c", 60_000)],
        seed=1,
    ),
    "load balancer, least outstanding, failure + drain + overload": lambda: simulate_load_balancer(
        HARD_DAY,
        algorithm="least_outstanding_requests",
        failures=[Failure("task-b", 40_000, 44_000)],
        deregistrations=[Deregistration("task-c", 60_000)],
        seed=1,
    ),
    "service auto scaling (CPU target tracking)": lambda: simulate_autoscaling(
        DAY, ScalingPolicy(max_tasks=20), seed=1
    ),
    "service auto scaling (requests per target)": lambda: simulate_autoscaling(
        DAY, ScalingPolicy(metric="requests", target_value=1500, max_tasks=20), seed=1
    ),
    "blue/green with alarm": lambda: simulate_blue_green(
        DAY, canary_schedule(every_s=3600), green_error_rate=0.02, seed=1
    ),
}


def main() -> None:
    print(f"Time to simulate a day of traffic at one-second resolution ({len(DAY):,} steps)")
    print(f"best of {REPEAT} runs each")
    for name, call in CASES.items():
        print(f"  {name:<62} {best(call) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
