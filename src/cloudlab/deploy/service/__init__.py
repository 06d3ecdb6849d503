"""Deploy the Flask app on Fargate behind an ALB, one AWS concept per function; shift; tear down.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb).

The service runs on a network built by :mod:`cloudlab.vpc.build` from a
:class:`~cloudlab.vpc.plan.NetworkPlan`: the load balancer in the public subnets, the
app's tasks in the private subnets. Every step takes a
:class:`~cloudlab.aws.session.Connection` (the local emulator unless the reader opted
into a real account) and a :class:`Deployment` record; it writes the id or ARN of what
it creates into the record *as soon as AWS returns it*, prints one line, and returns
it, so that :func:`teardown` can always delete exactly what exists, in dependency
order, however far a deployment got. Before anything billable is created, the hourly
cost of the whole deployment is printed with dated prices
(:func:`show_costs`, rates from :mod:`cloudlab.compute.prices`).

:func:`deploy_service` checks every input first (the emulator does not enforce several
of AWS's rules, Fargate sizes among them), runs the steps in order, and if any step
fails deletes what was made and raises :class:`DeployError` with one line naming the
step. :func:`shift_traffic` and :func:`shift_schedule` move traffic from blue to
green by changing the listener's weights; :func:`describe` reads everything back,
:func:`verify` compares it with the record, :func:`leftovers` lists anything of a
deployment still in the region.

The stages live in their own modules: :mod:`~cloudlab.deploy.service.spec` (settings,
record, costs), :mod:`~cloudlab.deploy.service.create` (the steps),
:mod:`~cloudlab.deploy.service.traffic` (blue/green weights),
:mod:`~cloudlab.deploy.service.teardown` (teardown, leftovers) and
:mod:`~cloudlab.deploy.service.inspect` (describe, verify); every public name is
importable from here, as before.
"""

from cloudlab.deploy.service.create import (
    create_autoscaling,
    create_cluster,
    create_execution_role,
    create_listener,
    create_load_balancer,
    create_log_group,
    create_repository,
    create_service,
    create_target_groups,
    deploy_service,
    existing,
    register_task_definition,
    temporary_deployment,
)
from cloudlab.deploy.service.inspect import (
    DescribedDeployment,
    describe,
    verify,
)
from cloudlab.deploy.service.spec import (
    COLORS,
    CONTAINER_NAME,
    EXECUTION_POLICY_ARN,
    LOG_RETENTION_DAYS,
    TAG_KEY,
    CostItem,
    DeployError,
    Deployment,
    ServiceSpec,
    check_weight,
    hourly_costs,
    new_deployment,
    resource_label,
    show_costs,
)
from cloudlab.deploy.service.teardown import (
    leftovers,
    teardown,
)
from cloudlab.deploy.service.traffic import (
    listener_weights,
    shift_schedule,
    shift_traffic,
)

__all__ = [
    "COLORS",
    "CONTAINER_NAME",
    "EXECUTION_POLICY_ARN",
    "LOG_RETENTION_DAYS",
    "TAG_KEY",
    "CostItem",
    "DeployError",
    "Deployment",
    "DescribedDeployment",
    "ServiceSpec",
    "check_weight",
    "create_autoscaling",
    "create_cluster",
    "create_execution_role",
    "create_listener",
    "create_load_balancer",
    "create_log_group",
    "create_repository",
    "create_service",
    "create_target_groups",
    "deploy_service",
    "describe",
    "existing",
    "hourly_costs",
    "leftovers",
    "listener_weights",
    "new_deployment",
    "register_task_definition",
    "resource_label",
    "shift_schedule",
    "shift_traffic",
    "show_costs",
    "teardown",
    "temporary_deployment",
    "verify",
]
