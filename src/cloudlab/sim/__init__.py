"""Seeded simulations of a load balancer, service auto scaling and blue/green shipping.

Each module is pure (NumPy in, NumPy out, a seed fixes every random draw) and returns a
frozen result with a one-line ``summary``; the pictures and widgets live in
:mod:`cloudlab.widgets.loadbalancer` and :mod:`cloudlab.widgets.scaling`.

- :mod:`cloudlab.sim.traffic`: traffic curves (steady, ramp, spike, daily cycle, noise).
- :mod:`cloudlab.sim.loadbalancer`: round robin and least outstanding requests, health
  checks, fail-open, connection draining.
- :mod:`cloudlab.sim.autoscaling`: target tracking on CPU or requests per task.
- :mod:`cloudlab.sim.bluegreen`: weighted target groups, an error-rate alarm, rollback.
- :mod:`cloudlab.sim.happy_eyeballs`: the Happy Eyeballs race (RFC 8305), standard
  library only (the book's site runs it in the browser).

The names below load their module when first asked for (PEP 562), so that
``import cloudlab.sim.happy_eyeballs`` does not import NumPy (the browser has none).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each public name and the module that holds it.
_HOMES = {
    "Alarm": "cloudlab.sim.bluegreen",
    "BlueGreenRun": "cloudlab.sim.bluegreen",
    "Deregistration": "cloudlab.sim.loadbalancer",
    "Failure": "cloudlab.sim.loadbalancer",
    "HealthCheck": "cloudlab.sim.loadbalancer",
    "LoadBalancerRun": "cloudlab.sim.loadbalancer",
    "ScalingPolicy": "cloudlab.sim.autoscaling",
    "ScalingRun": "cloudlab.sim.autoscaling",
    "Service": "cloudlab.sim.autoscaling",
    "Shift": "cloudlab.sim.bluegreen",
    "Target": "cloudlab.sim.loadbalancer",
    "all_at_once": "cloudlab.sim.bluegreen",
    "canary_schedule": "cloudlab.sim.bluegreen",
    "daily_cycle": "cloudlab.sim.traffic",
    "make_traffic": "cloudlab.sim.traffic",
    "ramp": "cloudlab.sim.traffic",
    "simulate_autoscaling": "cloudlab.sim.autoscaling",
    "simulate_blue_green": "cloudlab.sim.bluegreen",
    "simulate_load_balancer": "cloudlab.sim.loadbalancer",
    "spike": "cloudlab.sim.traffic",
    "steady": "cloudlab.sim.traffic",
    "with_noise": "cloudlab.sim.traffic",
}

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


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use (PEP 562)."""
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
