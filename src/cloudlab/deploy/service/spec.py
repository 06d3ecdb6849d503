"""The deployment's settings, record and costs: what a deployment is, before it exists.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb). :class:`ServiceSpec`
holds every setting, checked; :class:`Deployment` records what exists;
:func:`hourly_costs` prices the whole of it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from cloudlab.aws import ecr as ecr_steps
from cloudlab.aws.session import Connection
from cloudlab.aws.steps import (
    lower_tags,
    need,
    tags,
)
from cloudlab.compute.prices import (
    CPU_UNITS_PER_VCPU,
    DEFAULT_PRICES,
    HOURS_PER_MONTH,
    PriceTable,
    check_fargate_size,
)
from cloudlab.vpc.build import APP_PORT, BuiltNetwork
from cloudlab.vpc.plan import NetworkPlan

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


_need = need


def _tags(d: Deployment, name: str) -> list[dict[str, str]]:
    return tags(name, TAG_KEY, d.name)


def _ecs_tags(d: Deployment, name: str) -> list[dict[str, str]]:
    return lower_tags(_tags(d, name))


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
