"""Blue/green: move the listener's weights from blue to green, step by step.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb, "Shift traffic from blue to
green"). The same idea, simulated: :mod:`cloudlab.sim.bluegreen`; in Terraform: ``green_weight`` in
labs/terraform.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from cloudlab.aws.session import Connection
from cloudlab.deploy.service.spec import (
    Deployment,
    _forward,
    _need,
    check_weight,
)

# ------------------------------------------------------------------ traffic


def listener_weights(conn: Connection, d: Deployment) -> dict[str, int]:
    """The listener's weights as AWS reports them: colour → weight."""
    _need(d.listener_arn, "the listener", "create_listener")
    elb = conn.client("elbv2")
    return weights_of(elb.describe_listeners(ListenerArns=[d.listener_arn])["Listeners"][0], d)


def weights_of(listener: dict[str, Any], d: Deployment) -> dict[str, int]:
    """The weights in a listener ``describe_listeners`` returned: colour → weight."""
    colors = {arn: c for c, arn in d.target_group_arns.items()}
    weights: dict[str, int] = {}
    for action in listener.get("DefaultActions", []):
        groups = action.get("ForwardConfig", {}).get("TargetGroups", [])
        if not groups and action.get("TargetGroupArn"):
            groups = [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
        for g in groups:
            arn = g["TargetGroupArn"]
            weights[colors.get(arn, arn)] = int(g.get("Weight", 1))
    return weights


def shift_traffic(conn: Connection, d: Deployment, green_weight: int) -> dict[str, int]:
    """Send ``green_weight`` percent of requests to green and the rest to blue (modify_listener).

    The weight is checked (0–100) before any API call. New connections follow the
    new weights at once; nothing is restarted.

    Returns
    -------
    dict
        The weights the listener reports afterwards, colour → weight.
    """
    check_weight(green_weight)
    _need(d.listener_arn, "the listener", "create_listener")
    weights = {"blue": 100 - green_weight, "green": green_weight}
    conn.client("elbv2").modify_listener(
        ListenerArn=d.listener_arn, DefaultActions=_forward(d, weights)
    )
    d.weights = weights
    seen = listener_weights(conn, d)
    conn.say(f"Listener weights now: blue {seen.get('blue')}, green {seen.get('green')}")
    return seen


def shift_schedule(
    conn: Connection,
    d: Deployment,
    steps: Sequence[int] = (0, 20, 50, 100),
    *,
    pause_seconds: float = 0.0,
    healthy: Callable[[int], bool] | None = None,
) -> list[tuple[int, dict[str, int]]]:
    """Walk green's share up step by step, reading the listener back after each step.

    Parameters
    ----------
    steps : sequence of int, default (0, 20, 50, 100)
        Green's percentage at each step, each 0–100 and none lower than the one before.
    pause_seconds : float, default 0
        Wait between steps (on real AWS: time to watch errors and latency).
    healthy : callable, optional
        Called with green's weight after each step; if it returns False, all traffic
        goes back to blue and the walk stops (a manual rollback).

    Returns
    -------
    list of (int, dict)
        For each step taken: green's weight and the listener's weights read back.
    """
    steps = [check_weight(s) for s in steps]
    if not steps or any(b < a for a, b in itertools.pairwise(steps)):
        raise ValueError(f"steps {steps}: give green's weights in order, e.g. 0, 20, 50, 100")
    if pause_seconds < 0:
        raise ValueError("pause_seconds cannot be negative")
    walked: list[tuple[int, dict[str, int]]] = []
    for i, weight in enumerate(steps):
        if i and pause_seconds:
            conn.pause(pause_seconds)
        walked.append((weight, shift_traffic(conn, d, weight)))
        if healthy is not None and not healthy(weight):
            conn.say(f"Green is not healthy at {weight} %: rolling back to blue")
            walked.append((0, shift_traffic(conn, d, 0)))
            break
    return walked
