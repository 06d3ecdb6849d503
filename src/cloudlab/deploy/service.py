"""Deploy the Flask app on Fargate behind an ALB, one AWS concept per function; shift; tear down.

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
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.aws import ecr as ecr_steps
from cloudlab.aws.session import Connection
from cloudlab.aws.steps import first_line, run_steps
from cloudlab.compute.prices import (
    CPU_UNITS_PER_VCPU,
    DEFAULT_PRICES,
    HOURS_PER_MONTH,
    PriceTable,
    check_fargate_size,
)
from cloudlab.vpc.build import APP_PORT, BuiltNetwork
from cloudlab.vpc.plan import NetworkPlan

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

#: Tag on everything a deployment creates; its value is the deployment's name.
TAG_KEY = "cloudlab:deployment"
#: The two colours of a blue/green deployment, in order.
COLORS = ("blue", "green")
#: The container's name in the task definition (the load balancer is wired to it).
CONTAINER_NAME = "app"
#: AWS's managed policy that lets ECS pull the image from ECR and write the logs.
EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
#: The retention periods CloudWatch Logs accepts, in days (PutRetentionPolicy).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")
_SCALABLE_DIMENSION = "ecs:service:DesiredCount"


class DeployError(RuntimeError):
    """A deployment failed part-way; what it had created has been deleted."""


# ------------------------------------------------------------------ the settings


@dataclass(frozen=True)
class ServiceSpec:
    """What to deploy, and how; :meth:`check` tests every value before any API call.

    Attributes
    ----------
    name : str, default "cloudlab"
        2–20 lowercase letters, digits and hyphens: the prefix of every resource's name
        (load balancer and target group names are at most 32 characters).
    cpu, memory : int, default 256 and 512
        Task size in CPU units (1024 = 1 vCPU) and MiB; a pair Fargate accepts.
    desired_count, min_tasks, max_tasks : int, default 2, 2 and 6
        Blue's tasks at the start, and its autoscaling bounds (tasks).
    green_count : int, default 1
        Green's tasks at the start, and its autoscaling minimum (it takes no traffic
        until you shift some, then scales up to ``max_tasks`` with its load).
    cpu_target : float, default 50.0
        Target average CPU utilisation of the tasks (percent).
    requests_per_target : float or None, default 1000.0
        Target requests per task per minute (``ALBRequestCountPerTarget``); None for
        CPU tracking only.
    scale_out_cooldown, scale_in_cooldown : int, default 60 and 120
        Seconds to wait after scaling out or in before the next scaling.
    repository, image_tag : str
        The ECR repository (created if missing) and the image tag to run.
    container_port : int, default 5000
        The port the app listens on in the container.
    health_check_path : str, default "/healthz"
    health_check_interval, health_check_timeout : int, default 10 and 5
        Seconds between the load balancer's health checks, and its timeout.
    healthy_threshold, unhealthy_threshold : int, default 2 and 3
        Consecutive successes (failures) before a target is marked healthy (unhealthy).
    deregistration_delay : int, default 30
        Seconds a leaving target keeps serving its requests in flight (AWS's
        default is 300; shorter keeps a lab quick).
    log_retention_days : int, default 7
    container_health_check : bool, default True
        Also let ECS run the image's health check command inside the container.
    secret_key_arn : str or None
        ARN of an SSM parameter or Secrets Manager secret holding the app's
        ``SECRET_KEY``; with it the app runs with ``APP_ENV=production``.
    """

    name: str = "cloudlab"
    cpu: int = 256
    memory: int = 512
    desired_count: int = 2
    min_tasks: int = 2
    max_tasks: int = 6
    green_count: int = 1
    cpu_target: float = 50.0
    requests_per_target: float | None = 1000.0
    scale_out_cooldown: int = 60
    scale_in_cooldown: int = 120
    repository: str = ecr_steps.DEFAULT_REPOSITORY
    image_tag: str = "latest"
    container_port: int = APP_PORT
    health_check_path: str = "/healthz"
    health_check_interval: int = 10
    health_check_timeout: int = 5
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    deregistration_delay: int = 30
    log_retention_days: int = 7
    container_health_check: bool = True
    secret_key_arn: str | None = None

    def check(self) -> ServiceSpec:
        """Return the spec if AWS would accept it, else raise ValueError (one line)."""
        if not _NAME.match(self.name) or self.name.startswith("internal-"):
            raise ValueError(
                f"name {self.name!r}: use 2–20 lowercase letters, digits and hyphens, "
                "starting with a letter and not ending with a hyphen"
            )
        check_fargate_size(self.cpu, self.memory)
        counts = (self.desired_count, self.min_tasks, self.max_tasks, self.green_count)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts):
            raise ValueError("task counts are whole numbers, 0 or more")
        if self.max_tasks < 1 or not self.min_tasks <= self.desired_count <= self.max_tasks:
            raise ValueError(
                f"tasks: need min_tasks ≤ desired_count ≤ max_tasks and max_tasks ≥ 1 "
                f"(got {self.min_tasks}, {self.desired_count}, {self.max_tasks})"
            )
        if self.green_count > self.max_tasks:
            raise ValueError(f"green_count {self.green_count} is above max_tasks {self.max_tasks}")
        if not 0 < self.cpu_target <= 100:
            raise ValueError(f"cpu_target {self.cpu_target}: a CPU utilisation in percent, 0–100")
        if self.requests_per_target is not None and self.requests_per_target <= 0:
            raise ValueError("requests_per_target: a positive number of requests per minute")
        if self.scale_out_cooldown < 0 or self.scale_in_cooldown < 0:
            raise ValueError("cooldowns are seconds, 0 or more")
        ecr_steps.check_repository_name(self.repository)
        ecr_steps.check_tag(self.image_tag)
        if not 1 <= self.container_port <= 65535:
            raise ValueError(f"container_port {self.container_port}: a TCP port is 1–65535")
        if not self.health_check_path.startswith("/") or len(self.health_check_path) > 1024:
            raise ValueError(
                f"health_check_path {self.health_check_path!r}: a path such as /healthz"
            )
        if not 5 <= self.health_check_interval <= 300:
            raise ValueError(
                f"health_check_interval {self.health_check_interval}: the ALB allows 5–300 s"
            )
        if not 2 <= self.health_check_timeout < self.health_check_interval:
            raise ValueError(
                f"health_check_timeout {self.health_check_timeout}: at least 2 s and less "
                f"than the interval ({self.health_check_interval} s)"
            )
        for label, value in (
            ("healthy_threshold", self.healthy_threshold),
            ("unhealthy_threshold", self.unhealthy_threshold),
        ):
            if not 2 <= value <= 10:
                raise ValueError(f"{label} {value}: the ALB allows 2–10 checks in a row")
        if not 0 <= self.deregistration_delay <= 3600:
            raise ValueError(
                f"deregistration_delay {self.deregistration_delay}: the ALB allows 0–3600 s"
            )
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days {self.log_retention_days}: CloudWatch Logs accepts "
                f"{', '.join(map(str, LOG_RETENTION_DAYS[:8]))}, … or 3653 days"
            )
        if self.secret_key_arn is not None and not re.match(
            r"^arn:[a-z-]+:(ssm|secretsmanager):", self.secret_key_arn
        ):
            raise ValueError(
                "secret_key_arn: the ARN of an SSM parameter or a Secrets Manager secret"
            )
        return self

    def min_for(self, color: str) -> int:
        """The autoscaling minimum of a colour: ``min_tasks`` for blue, ``green_count`` for green.

        Green starts small and grows with the traffic it is given; blue keeps its floor.
        """
        return self.min_tasks if _check_color(color) == "blue" else self.green_count

    @property
    def vcpu(self) -> float:
        """The task's vCPUs."""
        return self.cpu / CPU_UNITS_PER_VCPU

    @property
    def memory_gb(self) -> float:
        """The task's memory in GB (AWS bills 1,024 MiB as 1 GB)."""
        return self.memory / 1024


def check_weight(green_weight: int) -> int:
    """Return ``green_weight`` if it is a whole percentage 0–100, else raise ValueError.

    The ALB accepts weights 0–999 per target group and sends each group its share of
    the sum; the book keeps blue + green = 100 so a weight reads as a percentage.
    """
    if isinstance(green_weight, bool) or not isinstance(green_weight, int):
        raise ValueError(f"green weight {green_weight!r}: a whole percentage, 0–100")
    if not 0 <= green_weight <= 100:
        raise ValueError(
            f"green weight {green_weight}: use 0–100 (the percentage of requests for green; "
            "the ALB itself accepts 0–999 per group)"
        )
    return green_weight


# ------------------------------------------------------------------ the record


@dataclass
class Deployment:
    """Where the service goes, and the id or ARN of everything created, step by step.

    Attributes
    ----------
    spec : ServiceSpec
    plan : str
        The network plan's name.
    region : str
        Where it is deployed (only the connection knows; never written into the project).
    vpc_id : str
    public_subnets, private_subnets : dict
        Subnet name → id (the load balancer's and the tasks' subnets).
    public_azs : list of str
        AZ letters of the public subnets.
    alb_security_group, app_security_group : str
    load_balancer_arn, load_balancer_dns, listener_arn : str or None
    target_group_arns : dict
        Colour → target group ARN.
    weights : dict
        Colour → the listener weight this deployment last set.
    repository_name, repository_uri : str or None
    repository_created : bool
        False when the repository existed before (teardown then keeps it).
    log_group : str or None
    execution_role_name, execution_role_arn : str or None
    attached_policies, inline_policies : list of str
    cluster_arn : str or None
    task_definition_arns, service_names : dict
        Colour → task definition ARN, service name.
    scalable_targets : dict
        Colour → the scalable target's resource id ``service/<cluster>/<service>``.
    scaling_policies : dict
        Colour → policy names.
    """

    spec: ServiceSpec
    plan: str
    region: str = ""
    vpc_id: str = ""
    public_subnets: dict[str, str] = field(default_factory=dict)
    private_subnets: dict[str, str] = field(default_factory=dict)
    public_azs: list[str] = field(default_factory=list)
    alb_security_group: str = ""
    app_security_group: str = ""
    load_balancer_arn: str | None = None
    load_balancer_dns: str | None = None
    target_group_arns: dict[str, str] = field(default_factory=dict)
    listener_arn: str | None = None
    weights: dict[str, int] = field(default_factory=dict)
    repository_name: str | None = None
    repository_uri: str | None = None
    repository_created: bool = False
    log_group: str | None = None
    execution_role_name: str | None = None
    execution_role_arn: str | None = None
    attached_policies: list[str] = field(default_factory=list)
    inline_policies: list[str] = field(default_factory=list)
    cluster_arn: str | None = None
    task_definition_arns: dict[str, str] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)
    scalable_targets: dict[str, str] = field(default_factory=dict)
    scaling_policies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The deployment's name (the spec's)."""
        return self.spec.name

    def ids(self) -> list[str]:
        """Every id, ARN or name this deployment created and has not deleted yet."""
        found: list[str | None] = [*self.scalable_targets.values()]
        found += [f"{c}:{p}" for c, names in self.scaling_policies.items() for p in names]
        found += [*self.service_names.values(), *self.task_definition_arns.values()]
        found += [self.cluster_arn, self.listener_arn, self.load_balancer_arn]
        found += [*self.target_group_arns.values(), self.log_group]
        found += [self.repository_name if self.repository_created else None]
        found += [*self.attached_policies, *self.inline_policies, self.execution_role_name]
        return [i for i in found if i]

    @property
    def empty(self) -> bool:
        """True when nothing is recorded (nothing to tear down)."""
        return not self.ids()

    @property
    def image(self) -> str:
        """The image the tasks run: the repository's URI and the spec's tag."""
        if not self.repository_uri:
            raise RuntimeError("the ECR repository does not exist yet: run create_repository first")
        return f"{self.repository_uri}:{self.spec.image_tag}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def new_deployment(
    plan: NetworkPlan, network: BuiltNetwork, spec: ServiceSpec | None = None
) -> Deployment:
    """An empty :class:`Deployment` placed on a built network (no API call).

    The load balancer goes into the subnets of the plan's ``public`` tiers, the tasks
    into those of its ``private`` tiers (behind the NAT gateway, no public address).

    Raises
    ------
    ValueError
        If the spec is invalid, the network is not built, the public subnets span
        fewer than two Availability Zones (an ALB needs two), or there is no private
        subnet or no ``alb``/``app`` security group.
    """
    spec = (spec or ServiceSpec()).check()
    if not network.vpc_id:
        raise ValueError(f"network {network.plan!r} is not built: run build_network first")
    public = [s for s in plan.subnets_of_kind("public") if s.name in network.subnet_ids]
    private = [s for s in plan.subnets_of_kind("private") if s.name in network.subnet_ids]
    azs = sorted({s.az for s in public})
    if len(azs) < 2:
        raise ValueError(
            f"an Application Load Balancer needs public subnets in at least two "
            f"Availability Zones; plan {plan.name!r} has {len(azs)}"
        )
    if not private:
        raise ValueError(f"plan {plan.name!r} has no private subnet for the tasks")
    missing = [r for r in ("alb", "app") if r not in network.security_group_ids]
    if missing:
        raise ValueError(f"network {network.plan!r} has no {' or '.join(missing)} security group")
    return Deployment(
        spec=spec,
        plan=plan.name,
        region=network.region,
        vpc_id=network.vpc_id,
        public_subnets={s.name: network.subnet_ids[s.name] for s in public},
        private_subnets={s.name: network.subnet_ids[s.name] for s in private},
        public_azs=azs,
        alb_security_group=network.security_group_ids["alb"],
        app_security_group=network.security_group_ids["app"],
    )


# ------------------------------------------------------------------ costs


@dataclass(frozen=True)
class CostItem:
    """One line of the deployment's hourly cost.

    Attributes
    ----------
    item : str
    usd_per_hour : float
        USD per hour while it exists.
    detail : str
        How the number was made.
    read : str
        Date the prices were read.
    sources : str
        Bibliography keys, comma-separated.
    """

    item: str
    usd_per_hour: float
    detail: str
    read: str
    sources: str


def hourly_costs(
    plan: NetworkPlan,
    spec: ServiceSpec | None = None,
    *,
    lcus: float = 1.0,
    prices: PriceTable = DEFAULT_PRICES,
) -> list[CostItem]:
    """What the deployment and its network cost per hour, before per-GB charges.

    Parameters
    ----------
    plan : NetworkPlan
        The network (its NAT gateways are counted).
    spec : ServiceSpec, optional
    lcus : float, default 1.0
        Load balancer capacity units used per hour (traffic; a quiet lab uses less
        than one).
    prices : PriceTable
        Dated rates (default: :data:`cloudlab.compute.prices.DEFAULT_PRICES`).

    Returns
    -------
    list of CostItem
    """
    spec = (spec or ServiceSpec()).check()
    if lcus < 0:
        raise ValueError(f"lcus {lcus}: capacity units cannot be negative")
    rates = prices.rates
    public_azs = len({s.az for s in plan.subnets_of_kind("public")})
    per_task = spec.vcpu * prices.usd("fargate-vcpu") + spec.memory_gb * prices.usd("fargate-gb")
    nat = len(plan.nat_azs)

    def meta(*keys: str) -> tuple[str, str]:
        read = min(rates[k].read for k in keys)
        return read, ", ".join(dict.fromkeys(rates[k].source for k in keys))

    return [
        CostItem(
            "Application Load Balancer",
            prices.usd("alb"),
            "per load balancer-hour",
            *meta("alb"),
        ),
        CostItem(
            f"load balancer capacity ({lcus:g} LCU)",
            lcus * prices.usd("alb-lcu"),
            f"{lcus:g} × USD {prices.usd('alb-lcu')} per LCU-hour",
            *meta("alb-lcu"),
        ),
        CostItem(
            f"load balancer public IPv4 addresses ({public_azs})",
            public_azs * prices.usd("public-ipv4"),
            f"counted as one per Availability Zone × USD {prices.usd('public-ipv4')} per hour",
            *meta("public-ipv4"),
        ),
        CostItem(
            f"Fargate tasks: {spec.desired_count} blue + {spec.green_count} green",
            (spec.desired_count + spec.green_count) * per_task,
            f"each {spec.vcpu:g} vCPU × USD {prices.usd('fargate-vcpu')} + "
            f"{spec.memory_gb:g} GB × USD {prices.usd('fargate-gb')} = USD {per_task:.5f}",
            *meta("fargate-vcpu", "fargate-gb"),
        ),
        CostItem(
            f"NAT gateways of the network ({nat}, with their public IPv4)",
            nat * (prices.usd("nat-hour") + prices.usd("public-ipv4")),
            f"{nat} × (USD {prices.usd('nat-hour')} + USD {prices.usd('public-ipv4')})",
            *meta("nat-hour", "public-ipv4"),
        ),
    ]


def show_costs(
    conn: Connection,
    plan: NetworkPlan,
    spec: ServiceSpec | None = None,
    *,
    lcus: float = 1.0,
    prices: PriceTable = DEFAULT_PRICES,
) -> float:
    """Print the deployment's hourly cost, item by item and in total (before creating it).

    Returns
    -------
    float
        The total in USD per hour.
    """
    items = hourly_costs(plan, spec, lcus=lcus, prices=prices)
    for item in items:
        conn.costs(item.item, item.usd_per_hour, note=f"({item.detail}; read {item.read})")
    total = sum(i.usd_per_hour for i in items)
    read = min(i.read for i in items)
    sources = ", ".join(dict.fromkeys(s for i in items for s in i.sources.split(", ")))
    conn.say(
        f"Whole deployment: about USD {total:.4f} per hour (USD {total * HOURS_PER_MONTH:.2f} "
        f"per {HOURS_PER_MONTH}-hour month), plus per-GB charges (NAT processing, data "
        f"transfer, logs); prices read {read}, sources: {sources}",
    )
    return total


# ------------------------------------------------------------------ helpers


def _need(value: object, what: str, step: str) -> None:
    if not value:
        raise RuntimeError(f"{what} does not exist yet: run {step} first")


def _tags(d: Deployment, name: str) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": name}, {"Key": TAG_KEY, "Value": d.name}]


def _ecs_tags(d: Deployment, name: str) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in _tags(d, name)]


def _check_color(color: str) -> str:
    if color not in COLORS:
        raise ValueError(f"colour {color!r}: use 'blue' or 'green'")
    return color


def resource_label(load_balancer_arn: str, target_group_arn: str) -> str:
    """The ``ALBRequestCountPerTarget`` resource label of a target group behind a load balancer.

    It is the end of the load balancer's ARN (``app/<name>/<id>``), a slash, and the
    end of the target group's ARN (``targetgroup/<name>/<id>``).
    """
    _, sep, lb_part = load_balancer_arn.partition(":loadbalancer/")
    tg_part = target_group_arn.split(":")[-1]
    if not sep or not lb_part.startswith("app/") or not tg_part.startswith("targetgroup/"):
        raise ValueError("need an Application Load Balancer ARN and a target group ARN")
    return f"{lb_part}/{tg_part}"


# ------------------------------------------------------------------ the steps


def create_load_balancer(conn: Connection, d: Deployment) -> str:
    """Create the internet-facing ALB in the public subnets, with the ALB security group.

    Returns
    -------
    str
        The load balancer's ARN (its DNS name is recorded too).
    """
    if len(d.public_azs) < 2:
        raise ValueError("an Application Load Balancer needs subnets in at least two AZs")
    prices = DEFAULT_PRICES.rates
    conn.costs(
        "Application Load Balancer",
        prices["alb"].usd,
        note=f"plus USD {prices['alb-lcu'].usd} per LCU-hour and a public IPv4 address per AZ "
        f"(read {prices['alb'].read}, source: {prices['alb'].source})",
    )
    elb = conn.client("elbv2")
    lb = elb.create_load_balancer(
        Name=f"{d.name}-alb",
        Subnets=list(d.public_subnets.values()),
        SecurityGroups=[d.alb_security_group],
        Scheme="internet-facing",
        Type="application",
        IpAddressType="ipv4",
        Tags=_tags(d, f"{d.name}-alb"),
    )["LoadBalancers"][0]
    d.load_balancer_arn = lb["LoadBalancerArn"]
    d.load_balancer_dns = lb["DNSName"]
    if conn.real:
        elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[d.load_balancer_arn])
    conn.say(
        f"Load balancer {d.name}-alb: internet-facing in {', '.join(d.public_subnets)} "
        f"(AZs {', '.join(d.public_azs)}), security group {d.alb_security_group}, "
        + (f"DNS {d.load_balancer_dns}" if conn.real else "DNS name assigned"),
    )
    return d.load_balancer_arn


def create_target_groups(conn: Connection, d: Deployment) -> dict[str, str]:
    """Create the blue and green target groups: IP targets, HTTP, health checks on the app.

    Returns
    -------
    dict
        Colour → target group ARN.
    """
    spec = d.spec
    elb = conn.client("elbv2")
    for color in COLORS:
        tg = elb.create_target_group(
            Name=f"{d.name}-{color}",
            Protocol="HTTP",
            Port=spec.container_port,
            VpcId=d.vpc_id,
            TargetType="ip",
            HealthCheckProtocol="HTTP",
            HealthCheckPath=spec.health_check_path,
            HealthCheckIntervalSeconds=spec.health_check_interval,
            HealthCheckTimeoutSeconds=spec.health_check_timeout,
            HealthyThresholdCount=spec.healthy_threshold,
            UnhealthyThresholdCount=spec.unhealthy_threshold,
            Matcher={"HttpCode": "200"},
            Tags=_tags(d, f"{d.name}-{color}"),
        )["TargetGroups"][0]
        d.target_group_arns[color] = tg["TargetGroupArn"]
        elb.modify_target_group_attributes(
            TargetGroupArn=tg["TargetGroupArn"],
            Attributes=[
                {
                    "Key": "deregistration_delay.timeout_seconds",
                    "Value": str(spec.deregistration_delay),
                }
            ],
        )
    conn.say(
        f"Target groups {d.name}-blue, {d.name}-green: IP targets on HTTP "
        f"{spec.container_port}, health check GET {spec.health_check_path} every "
        f"{spec.health_check_interval} s (healthy after {spec.healthy_threshold}, unhealthy "
        f"after {spec.unhealthy_threshold}), deregistration delay {spec.deregistration_delay} s",
    )
    return dict(d.target_group_arns)


def _forward(d: Deployment, weights: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [
                    {"TargetGroupArn": d.target_group_arns[c], "Weight": weights[c]} for c in COLORS
                ]
            },
        }
    ]


def create_listener(conn: Connection, d: Deployment) -> str:
    """Create the HTTP listener on port 80 forwarding by weight: blue 100, green 0.

    Returns
    -------
    str
        The listener's ARN.
    """
    _need(d.load_balancer_arn, "the load balancer", "create_load_balancer")
    _need(len(d.target_group_arns) == 2, "the target groups", "create_target_groups")
    weights = {"blue": 100, "green": 0}
    elb = conn.client("elbv2")
    listener = elb.create_listener(
        LoadBalancerArn=d.load_balancer_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=_forward(d, weights),
        Tags=_tags(d, f"{d.name}-http"),
    )["Listeners"][0]
    d.listener_arn = listener["ListenerArn"]
    d.weights = weights
    conn.say("Listener HTTP :80: forward to blue (weight 100) and green (weight 0)")
    return d.listener_arn


def create_repository(conn: Connection, d: Deployment) -> str:
    """Create the ECR repository for the image, or reuse it if it exists.

    A repository that existed before is recorded as not created by this deployment,
    so :func:`teardown` keeps it (and the images you pushed).

    Returns
    -------
    str
        The repository's URI.
    """
    ecr = conn.client("ecr")
    name = d.spec.repository
    try:
        existed = bool(ecr.describe_repositories(repositoryNames=[name])["repositories"])
    except ecr.exceptions.RepositoryNotFoundException:
        existed = False
    repository = ecr_steps.ensure_repository(ecr, name)
    d.repository_name = name
    d.repository_created = not existed
    d.repository_uri = repository["repositoryUri"]
    if not existed:
        ecr.tag_resource(resourceArn=repository["repositoryArn"], tags=_tags(d, name))
    how = "existing, kept at teardown" if existed else "created"
    # The URI names the account and region: shown only for a real account.
    shown = d.image if conn.real else f"{name}:{d.spec.image_tag}"
    conn.say(f"ECR repository {name} ({how}): image {shown}")
    return d.repository_uri


def create_log_group(conn: Connection, d: Deployment) -> str:
    """Create the CloudWatch Logs group for the containers' output, with a retention period.

    Returns
    -------
    str
        The log group's name.
    """
    logs = conn.client("logs")
    name = f"/ecs/{d.name}"
    logs.create_log_group(logGroupName=name, tags={TAG_KEY: d.name})
    d.log_group = name
    logs.put_retention_policy(logGroupName=name, retentionInDays=d.spec.log_retention_days)
    conn.say(f"Log group {name}: kept {d.spec.log_retention_days} days")
    return name


def create_execution_role(conn: Connection, d: Deployment) -> str:
    """Create the task execution role ECS uses to pull the image and write the logs.

    It trusts ``ecs-tasks.amazonaws.com`` and has AWS's managed
    ``AmazonECSTaskExecutionRolePolicy``; with :attr:`ServiceSpec.secret_key_arn` it may
    also read that one secret.

    Returns
    -------
    str
        The role's ARN.
    """
    iam = conn.client("iam")
    name = f"{d.name}-task-execution"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description=f"ECS task execution role of {d.name}: pull the image, write logs",
        Tags=_tags(d, name),
    )["Role"]
    d.execution_role_name = name
    d.execution_role_arn = role["Arn"]
    if conn.real:
        iam.get_waiter("role_exists").wait(RoleName=name)
    iam.attach_role_policy(RoleName=name, PolicyArn=EXECUTION_POLICY_ARN)
    d.attached_policies.append(EXECUTION_POLICY_ARN)
    extra = ""
    if d.spec.secret_key_arn:
        arn = d.spec.secret_key_arn
        action = "ssm:GetParameters" if ":ssm:" in arn else "secretsmanager:GetSecretValue"
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": arn}],
        }
        iam.put_role_policy(
            RoleName=name, PolicyName="read-secret-key", PolicyDocument=json.dumps(document)
        )
        d.inline_policies.append("read-secret-key")
        extra = f", may read the SECRET_KEY ({action})"
    conn.say(
        f"Task execution role {name}: trusts ecs-tasks.amazonaws.com, "
        f"AmazonECSTaskExecutionRolePolicy attached{extra}",
    )
    return d.execution_role_arn


def create_cluster(conn: Connection, d: Deployment) -> str:
    """Create the ECS cluster (on Fargate it is only a name space: no servers to manage).

    Returns
    -------
    str
        The cluster's ARN.
    """
    ecs = conn.client("ecs")
    cluster = ecs.create_cluster(clusterName=d.name, tags=_ecs_tags(d, d.name))["cluster"]
    d.cluster_arn = cluster["clusterArn"]
    conn.say(f"ECS cluster {d.name}")
    return d.cluster_arn


def _container(d: Deployment, color: str) -> dict[str, Any]:
    spec = d.spec
    environment = [
        {"name": "COLOR", "value": color},
        {"name": "VERSION", "value": spec.image_tag},
        {"name": "TRUSTED_PROXY_HOPS", "value": "1"},
    ]
    if spec.secret_key_arn:
        environment.append({"name": "APP_ENV", "value": "production"})
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": d.image,
        "essential": True,
        "portMappings": [{"containerPort": spec.container_port, "protocol": "tcp"}],
        "environment": environment,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": str(d.log_group),
                "awslogs-region": _region(d),
                "awslogs-stream-prefix": color,
            },
        },
    }
    if spec.secret_key_arn:
        container["secrets"] = [{"name": "SECRET_KEY", "valueFrom": spec.secret_key_arn}]
    if spec.container_health_check:
        probe = (
            "import urllib.request; "
            f"urllib.request.urlopen('http://127.0.0.1:{spec.container_port}"
            f"{spec.health_check_path}', timeout=3)"
        )
        container["healthCheck"] = {
            "command": ["CMD", "python", "-c", probe],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 10,
        }
    return container


def _region(d: Deployment) -> str:
    """The region the deployment's logs go to (read from the connection at run time)."""
    _need(d.region, "the deployment's region", "new_deployment")
    return d.region


def register_task_definition(conn: Connection, d: Deployment, color: str = "blue") -> str:
    """Register the Fargate task definition of one colour (``COLOR`` set in its environment).

    Both colours are revisions of one family, ``<name>``: green is simply the next
    version. Size from the spec (checked against Fargate's sizes), ``awsvpc``
    networking, logs to the log group through the ``awslogs`` driver.

    Returns
    -------
    str
        The task definition's ARN (``…:task-definition/<name>:<revision>``).
    """
    _check_color(color)
    _need(d.log_group, "the log group", "create_log_group")
    _need(d.execution_role_arn, "the task execution role", "create_execution_role")
    spec = d.spec
    check_fargate_size(spec.cpu, spec.memory)
    ecs = conn.client("ecs")
    task = ecs.register_task_definition(
        family=d.name,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=str(spec.cpu),
        memory=str(spec.memory),
        executionRoleArn=d.execution_role_arn,
        runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        containerDefinitions=[_container(d, color)],
        tags=_ecs_tags(d, f"{d.name}-{color}"),
    )["taskDefinition"]
    d.task_definition_arns[color] = task["taskDefinitionArn"]
    revision = task["taskDefinitionArn"].rsplit("/", 1)[-1]
    conn.say(
        f"Task definition {revision} ({color}): {spec.vcpu:g} vCPU, {spec.memory} MiB, "
        f"awsvpc, port {spec.container_port}, COLOR={color}, logs to {d.log_group}",
    )
    return d.task_definition_arns[color]


def create_service(conn: Connection, d: Deployment, color: str = "blue") -> str:
    """Create the ECS service of one colour: Fargate tasks in the private subnets, behind its group.

    No public IP addresses (the tasks reach ECR and the logs through the NAT
    gateway), the app security group, the colour's target group on the container's
    port, and the deployment circuit breaker with rollback.

    Returns
    -------
    str
        The service's name.
    """
    _check_color(color)
    _need(d.cluster_arn, "the cluster", "create_cluster")
    _need(
        d.task_definition_arns.get(color),
        f"the {color} task definition",
        "register_task_definition",
    )
    _need(d.target_group_arns.get(color), f"the {color} target group", "create_target_groups")
    _need(d.listener_arn, "the listener", "create_listener")
    spec = d.spec
    count = spec.desired_count if color == "blue" else spec.green_count
    rates = DEFAULT_PRICES.rates
    per_task = spec.vcpu * rates["fargate-vcpu"].usd + spec.memory_gb * rates["fargate-gb"].usd
    conn.costs(
        f"{count} Fargate task(s) of the {color} service",
        count * per_task,
        note=f"(read {rates['fargate-vcpu'].read}, source: {rates['fargate-vcpu'].source})",
    )
    ecs = conn.client("ecs")
    name = f"{d.name}-{color}"
    ecs.create_service(
        cluster=d.name,
        serviceName=name,
        taskDefinition=d.task_definition_arns[color],
        desiredCount=count,
        launchType="FARGATE",
        platformVersion="LATEST",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": list(d.private_subnets.values()),
                "securityGroups": [d.app_security_group],
                "assignPublicIp": "DISABLED",
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": d.target_group_arns[color],
                "containerName": CONTAINER_NAME,
                "containerPort": spec.container_port,
            }
        ],
        healthCheckGracePeriodSeconds=60,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        propagateTags="SERVICE",
        tags=_ecs_tags(d, name),
    )
    d.service_names[color] = name
    conn.say(
        f"Service {name}: {count} task(s) in {', '.join(d.private_subnets)} (no public IP), "
        f"security group {d.app_security_group}, behind {d.name}-{color} → "
        f"{CONTAINER_NAME}:{spec.container_port}, circuit breaker with rollback",
    )
    return name


def create_autoscaling(conn: Connection, d: Deployment, color: str = "blue") -> list[str]:
    """Let Application Auto Scaling change one service's task count by target tracking.

    Registers the service's desired count as a scalable target between the spec's
    ``min_tasks`` and ``max_tasks``, then a policy tracking average CPU and, if the
    spec asks, one tracking requests per task (``ALBRequestCountPerTarget``, whose
    resource label names the load balancer and the colour's target group).

    Returns
    -------
    list of str
        The policy names.
    """
    _check_color(color)
    _need(d.service_names.get(color), f"the {color} service", "create_service")
    spec = d.spec
    aas = conn.client("application-autoscaling")
    resource = f"service/{d.name}/{d.service_names[color]}"
    aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension=_SCALABLE_DIMENSION,
        MinCapacity=spec.min_for(color),
        MaxCapacity=spec.max_tasks,
    )
    d.scalable_targets[color] = resource
    names = d.scaling_policies.setdefault(color, [])
    cooldowns = {
        "ScaleOutCooldown": spec.scale_out_cooldown,
        "ScaleInCooldown": spec.scale_in_cooldown,
    }
    metrics: list[tuple[str, float, dict[str, str]]] = [
        (
            f"{d.name}-{color}-cpu",
            spec.cpu_target,
            {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        )
    ]
    if spec.requests_per_target is not None:
        _need(d.load_balancer_arn, "the load balancer", "create_load_balancer")
        label = resource_label(str(d.load_balancer_arn), d.target_group_arns[color])
        metrics.append(
            (
                f"{d.name}-{color}-requests",
                spec.requests_per_target,
                {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label},
            )
        )
    for policy, target, metric in metrics:
        aas.put_scaling_policy(
            PolicyName=policy,
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=_SCALABLE_DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": float(target),
                "PredefinedMetricSpecification": metric,
                **cooldowns,
            },
        )
        names.append(policy)
    tracked = f"CPU {spec.cpu_target:g} %"
    if spec.requests_per_target is not None:
        tracked += f" and {spec.requests_per_target:g} requests per task per minute"
    conn.say(
        f"Autoscaling {d.service_names[color]}: {spec.min_for(color)}–{spec.max_tasks} tasks, "
        f"tracking {tracked}",
    )
    return list(names)


_STEPS: tuple[tuple[str, Callable[..., Any], dict[str, str]], ...] = (
    ("create the load balancer", create_load_balancer, {}),
    ("create the target groups", create_target_groups, {}),
    ("create the listener", create_listener, {}),
    ("create the ECR repository", create_repository, {}),
    ("create the log group", create_log_group, {}),
    ("create the task execution role", create_execution_role, {}),
    ("create the ECS cluster", create_cluster, {}),
    ("register the blue task definition", register_task_definition, {"color": "blue"}),
    ("create the blue service", create_service, {"color": "blue"}),
    ("set up autoscaling for blue", create_autoscaling, {"color": "blue"}),
    ("register the green task definition", register_task_definition, {"color": "green"}),
    ("create the green service", create_service, {"color": "green"}),
    ("set up autoscaling for green", create_autoscaling, {"color": "green"}),
)


def deploy_service(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    spec: ServiceSpec | None = None,
    *,
    lcus: float = 1.0,
) -> Deployment:
    """Deploy the whole service, step by step; on any failure delete what was made and say why.

    Every input is checked first, and the hourly cost is printed, before any API call
    that creates something.

    Parameters
    ----------
    conn : Connection
        From :func:`cloudlab.aws.connect` (the emulator unless you opted in).
    plan : NetworkPlan
        The network's plan (which subnets are public and private).
    network : BuiltNetwork
        The network, built by :func:`cloudlab.vpc.build.build_network`.
    spec : ServiceSpec, optional
    lcus : float, default 1.0
        Load balancer capacity units for the cost estimate.

    Returns
    -------
    Deployment
        Every id created. Pass it to :func:`teardown` when done.

    Raises
    ------
    ValueError
        An input breaks a rule (nothing was created).
    DeployError
        A step failed; everything it had created was deleted. The message names the
        step; the original error is chained (``__cause__``).
    """
    d = new_deployment(plan, network, spec)
    show_costs(conn, plan, d.spec, lcus=lcus)
    run_steps(
        conn,
        [(label, partial(step, conn, d, **kwargs)) for label, step, kwargs in _STEPS],
        undo=partial(teardown, conn, d),
        error=DeployError,
        what=f"deploying {d.name!r}",
    )
    return d


@contextmanager
def temporary_deployment(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    spec: ServiceSpec | None = None,
) -> Iterator[Deployment]:
    """Deploy for the length of a ``with`` block, then tear it down, whatever happens."""
    d = deploy_service(conn, plan, network, spec)
    try:
        yield d
    finally:
        teardown(conn, d)


# ------------------------------------------------------------------ traffic


def listener_weights(conn: Connection, d: Deployment) -> dict[str, int]:
    """The listener's weights as AWS reports them: colour → weight."""
    _need(d.listener_arn, "the listener", "create_listener")
    elb = conn.client("elbv2")
    listener = elb.describe_listeners(ListenerArns=[d.listener_arn])["Listeners"][0]
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
            time.sleep(pause_seconds)
        walked.append((weight, shift_traffic(conn, d, weight)))
        if healthy is not None and not healthy(weight):
            conn.say(f"Green is not healthy at {weight} %: rolling back to blue")
            walked.append((0, shift_traffic(conn, d, 0)))
            break
    return walked


# ------------------------------------------------------------------ teardown

_GONE_CODES = {
    "ListenerNotFound",
    "LoadBalancerNotFound",
    "TargetGroupNotFound",
    "ServiceNotFoundException",
    "ServiceNotActiveException",
    "ClusterNotFoundException",
    "ResourceNotFoundException",
    "RepositoryNotFoundException",
    "NoSuchEntity",
    "ObjectNotFoundException",
}
_RETRY_CODES = {
    "ResourceInUse",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "DeleteConflict",
    "ConcurrentUpdateException",
}


def _gone(error: ClientError) -> bool:
    info = error.response.get("Error", {})
    code, message = info.get("Code", ""), str(info.get("Message", "")).lower()
    if code in _GONE_CODES:
        return True
    # Application Auto Scaling and ECS say "not found" inside generic error codes.
    return code in ("ValidationException", "ClientException", "InvalidParameterException") and (
        "not found" in message or "no scal" in message or "does not exist" in message
    )


def _call(conn: Connection, method: Callable[..., Any], problems: list[str], **kwargs: Any) -> str:
    """Call a delete-like ``method``: ``"done"``, ``"gone"`` (already deleted) or ``"failed"``.

    On real AWS, "still in use" errors (a load balancer releasing its target groups, a
    cluster whose services are draining) are retried for up to three minutes.
    """
    attempts = 18 if conn.real else 1
    for attempt in range(attempts):
        try:
            method(**kwargs)
            return "done"
        except ClientError as error:
            if _gone(error):
                return "gone"
            code = error.response.get("Error", {}).get("Code", "")
            if conn.real and code in _RETRY_CODES and attempt < attempts - 1:
                time.sleep(10)
                continue
            shown = ", ".join(map(str, kwargs.values()))
            problems.append(f"{method.__name__}({shown}): {code or first_line(error)}")
            return "failed"
    return "failed"  # pragma: no cover - the loop always returns


def teardown(conn: Connection, d: Deployment) -> list[str]:
    """Delete everything in ``d``, in dependency order; safe to run again.

    Order: scaling policies and scalable targets; services (scaled to 0, then deleted
    with ``force``); task definitions (deregistered); the cluster; the listener; the
    load balancer; the target groups; the log group; the ECR repository (with its
    images, only if this deployment created it); the execution role (its policies
    first). Anything already gone is skipped; what was deleted (or found gone) is
    removed from ``d``, what could not be deleted stays, so running it again retries.

    Returns
    -------
    list of str
        What this call deleted.

    Raises
    ------
    RuntimeError
        If something could not be deleted (after the rest was); run :func:`leftovers`.
    """
    if d.empty:
        conn.say(f"Teardown of {d.name!r}: nothing left to delete")
        return []
    problems: list[str] = []
    deleted: list[str] = []

    def report(what: str, now: list[str]) -> None:
        if now:
            conn.say(f"{what}: {', '.join(now)}")
            deleted.extend(now)

    def one(method: Callable[..., Any], what: str, label: str, **kwargs: Any) -> bool:
        """Delete one resource; report it if this call deleted it; False if that failed."""
        outcome = _call(conn, method, problems, **kwargs)
        if outcome == "done":
            report(what, [label])
        return outcome != "failed"

    aas = conn.client("application-autoscaling")
    now = []
    for color, names in list(d.scaling_policies.items()):
        resource = d.scalable_targets.get(color) or f"service/{d.name}/{d.name}-{color}"
        for policy in list(names):
            outcome = _call(
                conn,
                aas.delete_scaling_policy,
                problems,
                PolicyName=policy,
                ServiceNamespace="ecs",
                ResourceId=resource,
                ScalableDimension=_SCALABLE_DIMENSION,
            )
            if outcome != "failed":
                names.remove(policy)
            if outcome == "done":
                now.append(policy)
        if not names:
            del d.scaling_policies[color]
    report("Deleted scaling policies", now)
    now = []
    for color, resource in list(d.scalable_targets.items()):
        outcome = _call(
            conn,
            aas.deregister_scalable_target,
            problems,
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=_SCALABLE_DIMENSION,
        )
        if outcome != "failed":
            del d.scalable_targets[color]
        if outcome == "done":
            now.append(resource)
    report("Deregistered scalable targets", now)

    ecs = conn.client("ecs")
    now = []
    for color, service in list(d.service_names.items()):
        _call(conn, ecs.update_service, [], cluster=d.name, service=service, desiredCount=0)
        outcome = _call(
            conn, ecs.delete_service, problems, cluster=d.name, service=service, force=True
        )
        if outcome != "failed":
            del d.service_names[color]
        if outcome == "done":
            now.append(service)
    report("Deleted services (scaled to 0 first)", now)
    if now and conn.real:
        try:
            ecs.get_waiter("services_inactive").wait(
                cluster=d.name, services=now, WaiterConfig={"Delay": 10, "MaxAttempts": 60}
            )
        except Exception as error:
            problems.append(f"waiting for the services to stop: {first_line(error)}")
    now = []
    for color, arn in list(d.task_definition_arns.items()):
        outcome = _call(conn, ecs.deregister_task_definition, problems, taskDefinition=arn)
        if outcome != "failed":
            del d.task_definition_arns[color]
        if outcome == "done":
            now.append(arn.rsplit("/", 1)[-1])
    report("Deregistered task definitions", now)
    if (
        d.cluster_arn
        and not d.service_names
        and one(ecs.delete_cluster, "Deleted cluster", d.name, cluster=d.cluster_arn)
    ):
        d.cluster_arn = None

    elb = conn.client("elbv2")
    if d.listener_arn and one(
        elb.delete_listener, "Deleted listener", "HTTP :80", ListenerArn=d.listener_arn
    ):
        d.listener_arn = None
        d.weights = {}
    if d.load_balancer_arn and not d.listener_arn:
        arn = d.load_balancer_arn
        label = f"{d.name}-alb"
        if one(elb.delete_load_balancer, "Deleted load balancer", label, LoadBalancerArn=arn):
            if conn.real:
                try:
                    elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[arn])
                except Exception as error:
                    problems.append(f"waiting for the load balancer: {first_line(error)}")
            d.load_balancer_arn = None
            d.load_balancer_dns = None
    now = []
    for color, arn in list(d.target_group_arns.items()):
        if d.load_balancer_arn:
            break  # still in use by the load balancer
        outcome = _call(conn, elb.delete_target_group, problems, TargetGroupArn=arn)
        if outcome != "failed":
            del d.target_group_arns[color]
        if outcome == "done":
            now.append(f"{d.name}-{color}")
    report("Deleted target groups", now)

    if d.log_group:
        logs = conn.client("logs")
        if one(logs.delete_log_group, "Deleted log group", d.log_group, logGroupName=d.log_group):
            d.log_group = None
    if d.repository_name:
        if d.repository_created:
            ecr = conn.client("ecr")
            what = "Deleted ECR repository (with its images)"
            name = d.repository_name
            if one(ecr.delete_repository, what, name, repositoryName=name, force=True):
                d.repository_name = d.repository_uri = None
                d.repository_created = False
        else:
            conn.say(f"Kept ECR repository {d.repository_name}: it existed before")
            d.repository_name = d.repository_uri = None

    if d.execution_role_name:
        iam = conn.client("iam")
        role = d.execution_role_name
        for arn in list(d.attached_policies):
            if _call(conn, iam.detach_role_policy, problems, RoleName=role, PolicyArn=arn) != (
                "failed"
            ):
                d.attached_policies.remove(arn)
        for policy in list(d.inline_policies):
            if _call(conn, iam.delete_role_policy, problems, RoleName=role, PolicyName=policy) != (
                "failed"
            ):
                d.inline_policies.remove(policy)
        if (
            not d.attached_policies
            and not d.inline_policies
            and one(
                iam.delete_role, "Deleted task execution role (policies first)", role, RoleName=role
            )
        ):
            d.execution_role_name = d.execution_role_arn = None
    else:
        d.attached_policies.clear()
        d.inline_policies.clear()
    if problems:
        raise RuntimeError(
            f"teardown of {d.name!r} could not delete everything: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    return deleted


def leftovers(conn: Connection, name: str | None = None) -> list[str]:
    """Everything of a deployment still in the region (tagged ``cloudlab:deployment``).

    Parameters
    ----------
    name : str, optional
        Only this deployment's resources (default: every cloudlab deployment's).

    Returns
    -------
    list of str
        ``"<kind> <name or id>"`` lines; empty when nothing is left. Deleted services,
        inactive clusters and deregistered task definitions are not listed.
    """
    found: list[str] = []

    def ours(tags: dict[str, str]) -> bool:
        value = tags.get(TAG_KEY)
        return value is not None and (name is None or value == name)

    elb = conn.client("elbv2")
    lbs = elb.describe_load_balancers().get("LoadBalancers", [])
    tgs = elb.describe_target_groups().get("TargetGroups", [])
    arns = [lb["LoadBalancerArn"] for lb in lbs] + [t["TargetGroupArn"] for t in tgs]
    tags_by_arn: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), 20):
        for item in elb.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
            tags_by_arn[item["ResourceArn"]] = {t["Key"]: t["Value"] for t in item["Tags"]}
    for lb in lbs:
        if ours(tags_by_arn.get(lb["LoadBalancerArn"], {})):
            found.append(f"load balancer {lb['LoadBalancerName']}")
    for tg in tgs:
        if ours(tags_by_arn.get(tg["TargetGroupArn"], {})):
            found.append(f"target group {tg['TargetGroupName']}")

    ecs = conn.client("ecs")
    cluster_arns = ecs.list_clusters().get("clusterArns", [])
    live_clusters: set[str] = set()
    our_clusters: set[str] = set()
    if cluster_arns:
        clusters = ecs.describe_clusters(clusters=cluster_arns, include=["TAGS"])["clusters"]
        for c in clusters:
            if c.get("status") != "ACTIVE":
                continue
            live_clusters.add(c["clusterName"])
            if ours({t["key"]: t["value"] for t in c.get("tags", [])}):
                our_clusters.add(c["clusterName"])
                found.append(f"ECS cluster {c['clusterName']}")
            services = ecs.list_services(cluster=c["clusterArn"]).get("serviceArns", [])
            if services:
                described = ecs.describe_services(
                    cluster=c["clusterArn"], services=services, include=["TAGS"]
                )["services"]
                for s in described:
                    tags = {t["key"]: t["value"] for t in s.get("tags", [])}
                    if s.get("status") != "INACTIVE" and ours(tags):
                        found.append(f"ECS service {s['serviceName']}")
    listing = {"status": "ACTIVE"} | ({"familyPrefix": name} if name else {})
    for arn in ecs.list_task_definitions(**listing).get("taskDefinitionArns", []):
        task = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
        if ours({t["key"]: t["value"] for t in task.get("tags", [])}):
            found.append(f"task definition {arn.rsplit('/', 1)[-1]}")

    aas = conn.client("application-autoscaling")
    for target in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]:
        parts = target["ResourceId"].split("/")
        cluster = parts[1] if len(parts) == 3 else ""
        if name is not None:
            mine = cluster == name  # a deployment's cluster carries its name
        else:
            mine = cluster in our_clusters or cluster not in live_clusters  # ours, or orphaned
        if mine:
            found.append(f"scalable target {target['ResourceId']}")

    logs = conn.client("logs")
    for group in logs.describe_log_groups(logGroupNamePrefix="/ecs/").get("logGroups", []):
        tags = logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags", {})
        if ours(tags):
            found.append(f"log group {group['logGroupName']}")

    ecr = conn.client("ecr")
    for repo in ecr.describe_repositories().get("repositories", []):
        tags = ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"]).get("tags", [])
        if ours({t["Key"]: t["Value"] for t in tags}):
            found.append(f"ECR repository {repo['repositoryName']}")

    iam = conn.client("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if not role["RoleName"].endswith("-task-execution"):
                continue
            tags = iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])
            if ours({t["Key"]: t["Value"] for t in tags}):
                found.append(f"IAM role {role['RoleName']}")
    return found


# ------------------------------------------------------------------ describe, verify


@dataclass
class DescribedDeployment:
    """What AWS says exists, in the deployment's own words (colours, subnet names).

    Attributes
    ----------
    load_balancer : dict
        ``scheme``, ``type``, ``subnets`` (names), ``azs`` (count), ``security_groups``,
        ``dns``, ``state``; empty if missing.
    target_groups : dict
        Colour → ``protocol``, ``port``, ``target_type``, ``vpc_id``, ``health_path``,
        ``interval``, ``timeout``, ``healthy``, ``unhealthy``, ``deregistration_delay``.
    listener : dict
        ``protocol``, ``port``, ``weights`` (colour → weight).
    task_definitions : dict
        Colour → ``cpu``, ``memory``, ``network_mode``, ``compatibilities``,
        ``execution_role``, ``container``, ``image``, ``port``, ``environment`` (dict),
        ``log_driver``, ``log_group``, ``status``.
    services : dict
        Colour → ``status``, ``launch_type``, ``subnets`` (names), ``security_groups``,
        ``assign_public_ip``, ``load_balancers`` (list of (colour, container, port)),
        ``circuit_breaker`` (enable, rollback; None if not reported: the emulator keeps
        no deployment configuration), ``task_definition``, ``desired``,
        ``running``.
    scaling : dict
        Colour → ``min``, ``max``, ``policies`` (name → (metric type, target value, label)).
    log_group : dict
        ``name``, ``retention_days``.
    role : dict
        ``trusts`` (service principals), ``policies`` (attached ARNs).
    repository : dict
        ``name``, ``uri``.
    cluster : dict
        ``name``, ``status``.
    """

    load_balancer: dict[str, Any] = field(default_factory=dict)
    target_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    listener: dict[str, Any] = field(default_factory=dict)
    task_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    scaling: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_group: dict[str, Any] = field(default_factory=dict)
    role: dict[str, Any] = field(default_factory=dict)
    repository: dict[str, Any] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)


def describe(conn: Connection, d: Deployment) -> DescribedDeployment:
    """Read back everything the deployment created (describe/list calls only).

    Returns
    -------
    DescribedDeployment
    """
    seen = DescribedDeployment()
    subnet_names = {v: k for k, v in {**d.public_subnets, **d.private_subnets}.items()}
    group_colors = {arn: c for c, arn in d.target_group_arns.items()}
    elb = conn.client("elbv2")
    if d.load_balancer_arn:
        lb = elb.describe_load_balancers(LoadBalancerArns=[d.load_balancer_arn])["LoadBalancers"][0]
        zones = lb.get("AvailabilityZones", [])
        seen.load_balancer = {
            "scheme": lb.get("Scheme"),
            "type": lb.get("Type"),
            "subnets": sorted(subnet_names.get(z["SubnetId"], z["SubnetId"]) for z in zones),
            "azs": len({z["ZoneName"] for z in zones}),
            "security_groups": sorted(lb.get("SecurityGroups", [])),
            "dns": lb.get("DNSName"),
            "state": lb.get("State", {}).get("Code"),
        }
    if d.target_group_arns:
        groups = elb.describe_target_groups(TargetGroupArns=list(d.target_group_arns.values()))
        for tg in groups["TargetGroups"]:
            attributes = elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])
            values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
            seen.target_groups[group_colors[tg["TargetGroupArn"]]] = {
                "protocol": tg.get("Protocol"),
                "port": tg.get("Port"),
                "target_type": tg.get("TargetType"),
                "vpc_id": tg.get("VpcId"),
                "health_path": tg.get("HealthCheckPath"),
                "interval": tg.get("HealthCheckIntervalSeconds"),
                "timeout": tg.get("HealthCheckTimeoutSeconds"),
                "healthy": tg.get("HealthyThresholdCount"),
                "unhealthy": tg.get("UnhealthyThresholdCount"),
                "deregistration_delay": int(values.get("deregistration_delay.timeout_seconds", -1)),
            }
    if d.listener_arn:
        listener = elb.describe_listeners(ListenerArns=[d.listener_arn])["Listeners"][0]
        seen.listener = {
            "protocol": listener.get("Protocol"),
            "port": listener.get("Port"),
            "weights": listener_weights(conn, d),
        }
    ecs = conn.client("ecs")
    for color, arn in d.task_definition_arns.items():
        task = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        container = (task.get("containerDefinitions") or [{}])[0]
        log = container.get("logConfiguration", {})
        ports = container.get("portMappings", [])
        seen.task_definitions[color] = {
            "cpu": int(task.get("cpu", 0)),
            "memory": int(task.get("memory", 0)),
            "network_mode": task.get("networkMode"),
            "compatibilities": sorted(task.get("requiresCompatibilities", [])),
            "execution_role": task.get("executionRoleArn"),
            "container": container.get("name"),
            "image": container.get("image"),
            "port": ports[0].get("containerPort") if ports else None,
            "environment": {e["name"]: e["value"] for e in container.get("environment", [])},
            "log_driver": log.get("logDriver"),
            "log_group": log.get("options", {}).get("awslogs-group"),
            "status": task.get("status"),
        }
    if d.service_names and d.cluster_arn:
        services = ecs.describe_services(cluster=d.name, services=list(d.service_names.values()))
        by_name = {c: n for c, n in d.service_names.items()}
        colors = {n: c for c, n in by_name.items()}
        for s in services["services"]:
            network = s.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
            config = s.get("deploymentConfiguration")
            breaker = None if config is None else config.get("deploymentCircuitBreaker", {})
            seen.services[colors[s["serviceName"]]] = {
                "status": s.get("status"),
                "launch_type": s.get("launchType"),
                "subnets": sorted(subnet_names.get(i, i) for i in network.get("subnets", [])),
                "security_groups": sorted(network.get("securityGroups", [])),
                "assign_public_ip": network.get("assignPublicIp"),
                "load_balancers": [
                    (
                        group_colors.get(lb["targetGroupArn"], lb["targetGroupArn"]),
                        lb.get("containerName"),
                        lb.get("containerPort"),
                    )
                    for lb in s.get("loadBalancers", [])
                ],
                # None: the API did not report a deployment configuration (the emulator
                # keeps none; real ECS always does).
                "circuit_breaker": None
                if breaker is None
                else (bool(breaker.get("enable")), bool(breaker.get("rollback"))),
                "task_definition": s.get("taskDefinition"),
                "desired": s.get("desiredCount"),
                "running": s.get("runningCount"),
            }
    if d.cluster_arn:
        cluster = ecs.describe_clusters(clusters=[d.cluster_arn])["clusters"]
        if cluster:
            seen.cluster = {"name": cluster[0]["clusterName"], "status": cluster[0]["status"]}
    if d.scalable_targets:
        aas = conn.client("application-autoscaling")
        colors = {r: c for c, r in d.scalable_targets.items()}
        targets = aas.describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=list(d.scalable_targets.values())
        )["ScalableTargets"]
        for t in targets:
            seen.scaling[colors[t["ResourceId"]]] = {
                "min": t["MinCapacity"],
                "max": t["MaxCapacity"],
                "policies": {},
            }
        for color, resource in d.scalable_targets.items():
            policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)
            for p in policies["ScalingPolicies"]:
                config = p.get("TargetTrackingScalingPolicyConfiguration", {})
                metric = config.get("PredefinedMetricSpecification", {})
                seen.scaling.setdefault(color, {"min": None, "max": None, "policies": {}})
                seen.scaling[color]["policies"][p["PolicyName"]] = (
                    metric.get("PredefinedMetricType"),
                    config.get("TargetValue"),
                    metric.get("ResourceLabel"),
                )
    if d.log_group:
        logs = conn.client("logs")
        for g in logs.describe_log_groups(logGroupNamePrefix=d.log_group)["logGroups"]:
            if g["logGroupName"] == d.log_group:
                seen.log_group = {"name": d.log_group, "retention_days": g.get("retentionInDays")}
    if d.execution_role_name:
        iam = conn.client("iam")
        role = iam.get_role(RoleName=d.execution_role_name)["Role"]
        trust = role.get("AssumeRolePolicyDocument", {})
        if isinstance(trust, str):
            trust = json.loads(trust)
        principals: list[str] = []
        for statement in trust.get("Statement", []):
            service = statement.get("Principal", {}).get("Service", [])
            principals += [service] if isinstance(service, str) else list(service)
        attached = iam.list_attached_role_policies(RoleName=d.execution_role_name)
        seen.role = {
            "trusts": sorted(principals),
            "policies": sorted(p["PolicyArn"] for p in attached["AttachedPolicies"]),
        }
    if d.repository_name:
        ecr = conn.client("ecr")
        repo = ecr.describe_repositories(repositoryNames=[d.repository_name])["repositories"][0]
        seen.repository = {"name": repo["repositoryName"], "uri": repo["repositoryUri"]}
    return seen


def verify(d: Deployment, described: DescribedDeployment) -> list[str]:
    """Compare what AWS reports with the deployment, one line per difference.

    Checks the load balancer (internet-facing, public subnets, two or more AZs, its
    security group), both target groups (IP targets, port, health check, delay), the
    listener's weights (those :func:`shift_traffic` last set), each task definition
    (size, ``awsvpc``, Fargate, role, image, port, ``COLOR``, ``TRUSTED_PROXY_HOPS``,
    ``awslogs``), each service's wiring (private subnets, no public IP, app security
    group, its target group, container name and port, circuit breaker), autoscaling
    (bounds and policies), the log group's retention and the role.

    Returns
    -------
    list of str
        Empty when what exists matches.
    """
    spec = d.spec
    out: list[str] = []
    lb = described.load_balancer
    if not lb:
        out.append("the load balancer is missing")
    else:
        if lb["scheme"] != "internet-facing" or lb["type"] != "application":
            out.append(f"the load balancer is {lb['scheme']} {lb['type']}, not internet-facing ALB")
        if lb["subnets"] != sorted(d.public_subnets):
            out.append(
                f"the load balancer is in {', '.join(lb['subnets'])}, "
                f"planned {', '.join(sorted(d.public_subnets))}"
            )
        if lb["azs"] < 2:
            out.append(f"the load balancer spans {lb['azs']} AZ(s); an ALB needs at least two")
        if lb["security_groups"] != [d.alb_security_group]:
            out.append(f"the load balancer's security groups are {lb['security_groups']}")
    for color in COLORS:
        tg = described.target_groups.get(color)
        if tg is None:
            out.append(f"target group {color} is missing")
            continue
        want = {
            "protocol": "HTTP",
            "port": spec.container_port,
            "target_type": "ip",
            "vpc_id": d.vpc_id,
            "health_path": spec.health_check_path,
            "interval": spec.health_check_interval,
            "timeout": spec.health_check_timeout,
            "healthy": spec.healthy_threshold,
            "unhealthy": spec.unhealthy_threshold,
            "deregistration_delay": spec.deregistration_delay,
        }
        for key, value in want.items():
            if tg[key] != value:
                out.append(f"target group {color}: {key} is {tg[key]}, expected {value}")
    listener = described.listener
    if not listener:
        out.append("the listener is missing")
    else:
        if (listener["protocol"], listener["port"]) != ("HTTP", 80):
            out.append(f"the listener is {listener['protocol']} {listener['port']}, not HTTP 80")
        if listener["weights"] != d.weights:
            out.append(f"listener weights are {listener['weights']}, expected {d.weights}")
    for color in COLORS:
        task = described.task_definitions.get(color)
        if task is None:
            out.append(f"the {color} task definition is missing")
            continue
        want = {
            "cpu": spec.cpu,
            "memory": spec.memory,
            "network_mode": "awsvpc",
            "compatibilities": ["FARGATE"],
            "execution_role": d.execution_role_arn,
            "container": CONTAINER_NAME,
            "image": d.image if d.repository_uri else None,
            "port": spec.container_port,
            "log_driver": "awslogs",
            "log_group": d.log_group,
        }
        for key, value in want.items():
            if task[key] != value:
                out.append(f"{color} task definition: {key} is {task[key]}, expected {value}")
        env = task["environment"]
        for key, value in (("COLOR", color), ("TRUSTED_PROXY_HOPS", "1")):
            if env.get(key) != value:
                out.append(f"{color} task definition: {key}={env.get(key)}, expected {value}")
    for color in COLORS:
        service = described.services.get(color)
        if service is None:
            out.append(f"the {color} service is missing")
            continue
        if service["status"] != "ACTIVE" or service["launch_type"] != "FARGATE":
            out.append(f"{color} service is {service['status']} {service['launch_type']}")
        if service["subnets"] != sorted(d.private_subnets):
            out.append(
                f"{color} service runs in {', '.join(service['subnets'])}, "
                f"expected the private subnets {', '.join(sorted(d.private_subnets))}"
            )
        if service["assign_public_ip"] != "DISABLED":
            out.append(f"{color} service gives its tasks public IPs")
        if service["security_groups"] != [d.app_security_group]:
            out.append(f"{color} service's security groups are {service['security_groups']}")
        wired = [(color, CONTAINER_NAME, spec.container_port)]
        if service["load_balancers"] != wired:
            out.append(f"{color} service is wired to {service['load_balancers']}, expected {wired}")
        if service["circuit_breaker"] not in (None, (True, True)):
            out.append(f"{color} service has no circuit breaker with rollback")
        if service["task_definition"] != d.task_definition_arns.get(color):
            out.append(f"{color} service runs {service['task_definition']}")
    for color in COLORS:
        scaling = described.scaling.get(color)
        if scaling is None:
            out.append(f"{color} service has no scalable target")
            continue
        if (scaling["min"], scaling["max"]) != (spec.min_for(color), spec.max_tasks):
            out.append(
                f"{color} scaling bounds are {scaling['min']}–{scaling['max']}, "
                f"expected {spec.min_for(color)}–{spec.max_tasks}"
            )
        policies = scaling["policies"]
        cpu = policies.get(f"{d.name}-{color}-cpu")
        if cpu is None or cpu[:2] != ("ECSServiceAverageCPUUtilization", spec.cpu_target):
            out.append(f"{color} has no CPU target tracking policy at {spec.cpu_target:g} %")
        if spec.requests_per_target is not None:
            requests = policies.get(f"{d.name}-{color}-requests")
            label = (
                resource_label(d.load_balancer_arn, d.target_group_arns[color])
                if d.load_balancer_arn and color in d.target_group_arns
                else None
            )
            if requests != ("ALBRequestCountPerTarget", spec.requests_per_target, label):
                out.append(f"{color} has no request-count policy on its target group")
    if described.log_group.get("retention_days") != spec.log_retention_days:
        out.append(
            f"log group retention is {described.log_group.get('retention_days')}, "
            f"expected {spec.log_retention_days} days"
        )
    role = described.role
    if role.get("trusts") != ["ecs-tasks.amazonaws.com"]:
        out.append(f"the execution role trusts {role.get('trusts')}, not ecs-tasks.amazonaws.com")
    if EXECUTION_POLICY_ARN not in role.get("policies", []):
        out.append("the execution role lacks AmazonECSTaskExecutionRolePolicy")
    if described.cluster.get("status") != "ACTIVE":
        out.append("the cluster is missing or not active")
    return out
