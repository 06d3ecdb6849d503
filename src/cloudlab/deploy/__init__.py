"""Deploy the book's Flask app on ECS Fargate behind an Application Load Balancer.

:mod:`cloudlab.deploy.service` creates the load balancer, the blue and green target
groups, the weighted listener, the registry, logs, role, cluster, task definitions,
services and their autoscaling on a network built by :mod:`cloudlab.vpc.build` (in the
local emulator unless you opt into a real account), shifts traffic between blue and
green, checks what exists and tears it all down.
"""

from cloudlab.deploy.service import (
    DeployError,
    Deployment,
    DescribedDeployment,
    ServiceSpec,
    deploy_service,
    describe,
    hourly_costs,
    leftovers,
    new_deployment,
    shift_schedule,
    shift_traffic,
    teardown,
    temporary_deployment,
    verify,
)

__all__ = [
    "DeployError",
    "Deployment",
    "DescribedDeployment",
    "ServiceSpec",
    "deploy_service",
    "describe",
    "hourly_costs",
    "leftovers",
    "new_deployment",
    "shift_schedule",
    "shift_traffic",
    "teardown",
    "temporary_deployment",
    "verify",
]
