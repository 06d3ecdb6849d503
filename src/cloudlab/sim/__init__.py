"""Seeded simulations of a load balancer, service auto scaling and blue/green shipping.

Each module is pure (NumPy in, NumPy out, a seed fixes every random draw) and returns a
frozen result with a one-line ``summary``; the pictures and widgets live in
:mod:`cloudlab.widgets.loadbalancer` and :mod:`cloudlab.widgets.scaling`.

- :mod:`cloudlab.sim.traffic`: traffic curves (steady, ramp, spike, daily cycle, noise).
- :mod:`cloudlab.sim.loadbalancer`: round robin and least outstanding requests, health
  checks, fail-open, connection draining.
- :mod:`cloudlab.sim.autoscaling`: target tracking on CPU or requests per task.
- :mod:`cloudlab.sim.bluegreen`: weighted target groups, an error-rate alarm, rollback.
"""

from cloudlab.sim.autoscaling import ScalingPolicy, ScalingRun, Service, simulate_autoscaling
from cloudlab.sim.bluegreen import (
    Alarm,
    BlueGreenRun,
    Shift,
    all_at_once,
    canary_schedule,
    simulate_blue_green,
)
from cloudlab.sim.loadbalancer import (
    Deregistration,
    Failure,
    HealthCheck,
    LoadBalancerRun,
    Target,
    simulate_load_balancer,
)
from cloudlab.sim.traffic import daily_cycle, make_traffic, ramp, spike, steady, with_noise

__all__ = [
    "Alarm",
    "BlueGreenRun",
    "Deregistration",
    "Failure",
    "HealthCheck",
    "LoadBalancerRun",
    "ScalingPolicy",
    "ScalingRun",
    "Service",
    "Shift",
    "Target",
    "all_at_once",
    "canary_schedule",
    "daily_cycle",
    "make_traffic",
    "ramp",
    "simulate_autoscaling",
    "simulate_blue_green",
    "simulate_load_balancer",
    "spike",
    "steady",
    "with_noise",
]
