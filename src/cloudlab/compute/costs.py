"""What a containerised service costs a month on Fargate, ECS on EC2 and EKS, and where they cross.

A pure cost model over the dated table in :mod:`cloudlab.compute.prices`. Four ways to
run the same workload (``tasks`` copies of one container size, ``hours`` a month):

``ecs-fargate``
    ECS schedules tasks on Fargate: you pay per vCPU-hour and GB-hour of each task's
    size. ECS itself has no charge.
``ecs-ec2``
    ECS schedules the same tasks on EC2 instances you run: tasks are packed onto
    instances of one type, keeping ``reserve`` of each instance free for the agent and
    the OS; you pay for whole instances, full or not.
``eks-fargate``
    EKS runs the Kubernetes control plane (a price per cluster-hour) and places each pod
    on Fargate, rounded up to a Fargate size after adding 256 MiB for the Kubernetes
    components. Fargate runs x86 pods only for EKS.
``eks-ec2``
    The EKS control plane plus EC2 nodes, packed as for ``ecs-ec2``.

Every option also pays the pieces they share, so the totals are honest: the
Application Load Balancer (hours and LCU-hours), the NAT gateway(s) (hours and GB
processed) and the public IPv4 addresses (one per NAT gateway, and at least one per
Availability Zone for an internet-facing load balancer). Not modelled: EBS volumes of
instances, data transfer out to the internet, CloudWatch Logs, savings plans and Spot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from cloudlab.checks import instance, items, number, series, text, whole
from cloudlab.compute.prices import (
    CPU_UNITS_PER_VCPU,
    DEFAULT_PRICES,
    HOURS_PER_MONTH,
    PriceTable,
    check_fargate_size,
    smallest_fargate_size,
)

__all__ = [
    "EKS_POD_OVERHEAD_MIB",
    "LABELS",
    "OPTIONS",
    "Breakdown",
    "Comparison",
    "Crossover",
    "Workload",
    "compare",
    "cost_curve",
    "cost_figure",
    "crossovers",
    "ecs_ec2",
    "ecs_fargate",
    "eks_ec2",
    "eks_fargate",
    "pack",
    "shared_costs",
]

#: The four ways to run the workload, in the order tables and plots show them.
OPTIONS = ("ecs-fargate", "ecs-ec2", "eks-fargate", "eks-ec2")
LABELS = {
    "ecs-fargate": "ECS on Fargate",
    "ecs-ec2": "ECS on EC2",
    "eks-fargate": "EKS on Fargate",
    "eks-ec2": "EKS on EC2 nodes",
}
#: Memory EKS adds to every pod on Fargate for kubelet, kube-proxy and containerd (MiB).
EKS_POD_OVERHEAD_MIB = 256
#: The most hours a month can have (31 days).
_MAX_HOURS = 31 * 24
#: Bounds of the model (far above the examples; they keep totals finite).
_MAX_TASKS = 100_000
_MAX_TRAFFIC_GB = 1e9
_MAX_LCUS = 1e6
_MAX_AZS = 8


@dataclass(frozen=True)
class Workload:
    """A service to price.

    Attributes
    ----------
    tasks : int
        Copies running (ECS tasks or Kubernetes pods), at least 1.
    cpu : int
        CPU units per task (1024 = 1 vCPU); with ``memory`` a valid Fargate size.
    memory : int
        Memory per task in MiB.
    hours : float
        Hours per month it runs (730 is a whole average month).
    traffic_gb : float
        GB per month through the NAT gateway(s) (image pulls, calls to APIs).
    lcus : float
        Average load balancer capacity units per hour (1 LCU ≈ 1 GB processed per hour,
        or 25 new connections per second, whichever dimension is highest).
    azs : int
        Availability Zones the service and its load balancer use.
    nat_gateways : int
        NAT gateways (1, or one per AZ; 0 if tasks need no internet access).
    arch : {"x86", "arm"}
        The CPU architecture the image is built for.
    """

    tasks: int = 2
    cpu: int = 256
    memory: int = 512
    hours: float = HOURS_PER_MONTH
    traffic_gb: float = 100.0
    lcus: float = 1.0
    azs: int = 2
    nat_gateways: int = 1
    arch: str = "x86"

    def check(self) -> Workload:
        """Return the workload if every field makes sense, else raise a one-line ValueError."""
        tasks = whole("tasks", self.tasks)
        if tasks < 1:
            raise ValueError(f"tasks={tasks}: run at least 1 task (a whole number)")
        if tasks > _MAX_TASKS:
            raise ValueError(f"tasks={str(tasks)[:12]}...: this model runs at most {_MAX_TASKS:,}")
        check_fargate_size(self.cpu, self.memory)
        hours = number("hours", self.hours)
        if not 0 <= hours <= _MAX_HOURS:
            raise ValueError(f"hours={hours:g}: a month has 0 to {_MAX_HOURS} hours")
        traffic = number("traffic_gb", self.traffic_gb, high=_MAX_TRAFFIC_GB)
        if traffic < 0:
            raise ValueError(f"traffic_gb={traffic:g}: traffic cannot be negative")
        lcus = number("lcus", self.lcus, high=_MAX_LCUS)
        if lcus < 0:
            raise ValueError(f"lcus={lcus:g}: load balancer capacity units cannot be negative")
        azs = whole("azs", self.azs, high=_MAX_AZS)
        if azs < 2:
            raise ValueError(f"azs={azs}: an Application Load Balancer needs at least 2 AZs")
        nats = whole("nat_gateways", self.nat_gateways, high=_MAX_AZS)
        if nats < 0:
            raise ValueError(f"nat_gateways={nats}: cannot be negative")
        if not isinstance(self.arch, str) or self.arch not in ("x86", "arm"):
            raise ValueError(f"arch={self.arch!r:.40}: use 'x86' or 'arm'")
        return self

    @property
    def vcpu(self) -> float:
        """vCPUs per task."""
        return self.cpu / CPU_UNITS_PER_VCPU

    @property
    def memory_gb(self) -> float:
        """Memory per task in GB as Fargate bills it (1 GB = 1024 MiB)."""
        return self.memory / 1024


@dataclass(frozen=True)
class Breakdown:
    """One option's monthly cost, line by line (USD per month).

    Attributes
    ----------
    option : str
        One of :data:`OPTIONS`.
    lines : dict
        ``"compute"``, ``"control plane"``, ``"load balancer"``, ``"NAT gateway"``,
        ``"public IPv4"`` → USD per month.
    detail : str
        How the compute was sized, e.g. ``"2 × t3.medium (7 tasks fit on each)"``.
    instances : int or None
        EC2 instances (None on Fargate).
    """

    option: str
    lines: dict[str, float]
    detail: str
    instances: int | None = None

    @property
    def label(self) -> str:
        """The option's name for people."""
        return LABELS[self.option]

    @property
    def total(self) -> float:
        """USD per month, all lines."""
        # math.fsum, not sum(): sum() of floats rounds differently since Python 3.12
        # (compensated summation), and the live page runs a newer Python than the book.
        return math.fsum(self.lines.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "option": self.option,
            "label": self.label,
            "lines": dict(self.lines),
            "total": self.total,
            "detail": self.detail,
            "instances": self.instances,
        }


@dataclass(frozen=True)
class Comparison:
    """The options that apply to a workload, and why any others do not.

    Attributes
    ----------
    workload : Workload
    instance_type : str
    options : dict
        Option → :class:`Breakdown`, in the order of :data:`OPTIONS`.
    unavailable : dict
        Option → one line saying why it cannot run this workload.
    """

    workload: Workload
    instance_type: str
    options: dict[str, Breakdown]
    unavailable: dict[str, str] = field(default_factory=dict)

    def cheapest(self) -> Breakdown:
        """The option with the lowest total (the first in :data:`OPTIONS` on a tie)."""
        return min(self.options.values(), key=lambda b: b.total)

    def table(self) -> list[dict[str, Any]]:
        """Rows for a table: option, each line, total, detail."""
        return [b.to_dict() for b in self.options.values()]


@dataclass(frozen=True)
class Crossover:
    """A task count at which the cheaper of two options changes.

    Attributes
    ----------
    tasks : int
        The first task count at which ``cheaper`` costs less than ``dearer``.
    cheaper, dearer : str
        Options (keys of :data:`OPTIONS`).
    usd : float
        ``cheaper``'s monthly total at that count.
    """

    tasks: int
    cheaper: str
    dearer: str
    usd: float

    def __str__(self) -> str:
        return (
            f"from {self.tasks} tasks, {LABELS[self.cheaper]} is cheaper than "
            f"{LABELS[self.dearer]} (USD {self.usd:,.2f} a month)"
        )


# ------------------------------------------------------------------------ pieces


def _checked(workload: object) -> Workload:
    """The workload a public function was given, checked (:meth:`Workload.check`)."""
    return instance("workload", workload, Workload).check()


def _reserve(reserve: object) -> float:
    share = number("reserve", reserve)
    if not 0 <= share < 1:
        raise ValueError(f"reserve={reserve}: keep between 0 and 0.99 of each instance free")
    return share


def _prices(prices: object) -> PriceTable:
    return instance("prices", prices, PriceTable)


def shared_costs(workload: Workload, prices: PriceTable = DEFAULT_PRICES) -> dict[str, float]:
    """The monthly cost every option pays: load balancer, NAT gateway(s), public IPv4.

    Returns
    -------
    dict
        ``"load balancer"``, ``"NAT gateway"``, ``"public IPv4"`` → USD per month.
    """
    w = _checked(workload)
    prices = _prices(prices)
    alb = w.hours * (prices.usd("alb") + w.lcus * prices.usd("alb-lcu"))
    nat = w.nat_gateways * w.hours * prices.usd("nat-hour")
    nat += w.traffic_gb * prices.usd("nat-gb") if w.nat_gateways else 0.0
    addresses = w.azs + w.nat_gateways
    ipv4 = addresses * w.hours * prices.usd("public-ipv4")
    return {"load balancer": alb, "NAT gateway": nat, "public IPv4": ipv4}


def pack(
    workload: Workload,
    instance_type: str,
    *,
    reserve: float = 0.1,
    prices: PriceTable = DEFAULT_PRICES,
) -> tuple[int, int]:
    """How many instances the tasks need, packed by CPU and memory.

    Each instance keeps ``reserve`` of its CPU and memory free (agent, kubelet, OS);
    the rest holds as many whole tasks as fit by both CPU and memory. The service is
    spread over its Availability Zones, so it gets at least one instance per AZ (but
    never more instances than tasks).

    Returns
    -------
    tuple of int
        ``(instances, tasks_per_instance)``.

    Raises
    ------
    ValueError
        If a single task does not fit on the instance type, or the architectures differ.
    """
    w = _checked(workload)
    reserve = _reserve(reserve)
    inst = _prices(prices).instance(instance_type)
    if inst.arch != w.arch:
        raise ValueError(
            f"{inst.name} is an {inst.arch} instance but the image is built for {w.arch}"
        )
    cpu_free = inst.vcpu * CPU_UNITS_PER_VCPU * (1 - reserve)
    memory_free = inst.memory_gib * 1024 * (1 - reserve)
    per_instance = min(int(cpu_free // w.cpu), int(memory_free // w.memory))
    if per_instance < 1:
        raise ValueError(
            f"a task of {w.cpu} CPU units and {w.memory} MiB does not fit on a {inst.name} "
            f"({inst.vcpu} vCPU, {inst.memory_gib:g} GiB, {reserve:.0%} kept free)"
        )
    instances = max(math.ceil(w.tasks / per_instance), min(w.tasks, w.azs))
    return instances, per_instance


def _fargate_compute(
    tasks: int, cpu: int, memory: int, hours: float, arch: str, prices: PriceTable
) -> float:
    prefix = "fargate-arm" if arch == "arm" else "fargate"
    per_hour = (cpu / CPU_UNITS_PER_VCPU) * prices.usd(f"{prefix}-vcpu")
    per_hour += (memory / 1024) * prices.usd(f"{prefix}-gb")
    return tasks * hours * per_hour


def ecs_fargate(workload: Workload, prices: PriceTable = DEFAULT_PRICES) -> Breakdown:
    """ECS on Fargate: each task billed for its size, per hour (USD per month)."""
    w = _checked(workload)
    prices = _prices(prices)
    compute = _fargate_compute(w.tasks, w.cpu, w.memory, w.hours, w.arch, prices)
    lines = {"compute": compute, "control plane": 0.0, **shared_costs(w, prices)}
    detail = f"{w.tasks} × Fargate {w.vcpu:g} vCPU / {w.memory} MiB ({w.arch})"
    return Breakdown("ecs-fargate", lines, detail)


def _ec2(
    option: str,
    control_plane: float,
    workload: Workload,
    instance_type: str,
    reserve: float,
    prices: PriceTable,
) -> Breakdown:
    w = _checked(workload)
    instances, per = pack(w, instance_type, reserve=reserve, prices=prices)
    compute = instances * w.hours * prices.instance(instance_type).usd_per_hour
    lines = {"compute": compute, "control plane": control_plane, **shared_costs(w, prices)}
    detail = f"{instances} × {instance_type} (up to {per} tasks on each)"
    return Breakdown(option, lines, detail, instances)


def ecs_ec2(
    workload: Workload,
    instance_type: str = "t3.medium",
    *,
    reserve: float = 0.1,
    prices: PriceTable = DEFAULT_PRICES,
) -> Breakdown:
    """ECS on EC2: whole instances of one type, tasks packed onto them (USD per month)."""
    return _ec2("ecs-ec2", 0.0, workload, instance_type, reserve, prices)


def _control_plane(hours: float, extended: bool, prices: PriceTable) -> float:
    return hours * prices.usd("eks-cluster-extended" if extended else "eks-cluster")


def eks_fargate(
    workload: Workload, *, extended: bool = False, prices: PriceTable = DEFAULT_PRICES
) -> Breakdown:
    """EKS with pods on Fargate: control plane plus each pod rounded up to a Fargate size.

    Raises
    ------
    ValueError
        For an ARM workload (Fargate runs x86 pods only for EKS).
    """
    w = _checked(workload)
    prices = _prices(prices)
    if w.arch != "x86":
        raise ValueError("Fargate runs only x86 (Linux) pods for EKS; ARM is for ECS only")
    cpu, memory = smallest_fargate_size(w.cpu, w.memory + EKS_POD_OVERHEAD_MIB)
    compute = _fargate_compute(w.tasks, cpu, memory, w.hours, "x86", prices)
    lines = {
        "compute": compute,
        "control plane": _control_plane(w.hours, extended, prices),
        **shared_costs(w, prices),
    }
    detail = (
        f"{w.tasks} × Fargate {cpu / CPU_UNITS_PER_VCPU:g} vCPU / {memory} MiB "
        f"(requests + {EKS_POD_OVERHEAD_MIB} MiB, rounded up)"
    )
    return Breakdown("eks-fargate", lines, detail)


def eks_ec2(
    workload: Workload,
    instance_type: str = "t3.medium",
    *,
    reserve: float = 0.1,
    extended: bool = False,
    prices: PriceTable = DEFAULT_PRICES,
) -> Breakdown:
    """EKS with EC2 nodes: control plane plus whole instances, pods packed onto them."""
    plane = _control_plane(_checked(workload).hours, extended, _prices(prices))
    return _ec2("eks-ec2", plane, workload, instance_type, reserve, prices)


# --------------------------------------------------------------------- comparing


def compare(
    workload: Workload,
    instance_type: str = "t3.medium",
    *,
    reserve: float = 0.1,
    extended: bool = False,
    prices: PriceTable = DEFAULT_PRICES,
) -> Comparison:
    """Price the workload every way that can run it.

    Parameters
    ----------
    workload : Workload
    instance_type : str, default "t3.medium"
        For the EC2-based options; must be in ``prices``.
    reserve : float, default 0.1
        Share of each instance kept free (agent, kubelet, OS).
    extended : bool, default False
        Price the EKS control plane at the extended-support rate.
    prices : PriceTable

    Returns
    -------
    Comparison
        Options that cannot run the workload (an ARM image on EKS Fargate, a task too big
        for the instance type) are listed in ``unavailable`` with the reason.

    Raises
    ------
    ValueError
        For a workload that makes no sense (see :meth:`Workload.check`), or an instance
        type or reserve the table cannot price.
    """
    w = _checked(workload)
    prices = _prices(prices)
    prices.instance(instance_type)
    reserve = _reserve(reserve)
    makers: dict[str, Callable[[], Breakdown]] = {
        "ecs-fargate": lambda: ecs_fargate(w, prices),
        "ecs-ec2": lambda: ecs_ec2(w, instance_type, reserve=reserve, prices=prices),
        "eks-fargate": lambda: eks_fargate(w, extended=extended, prices=prices),
        "eks-ec2": lambda: eks_ec2(
            w, instance_type, reserve=reserve, extended=extended, prices=prices
        ),
    }
    options: dict[str, Breakdown] = {}
    unavailable: dict[str, str] = {}
    for key, make in makers.items():
        try:
            options[key] = make()
        except ValueError as problem:
            unavailable[key] = str(problem)
    return Comparison(w, instance_type, options, unavailable)


def cost_curve(
    workload: Workload,
    max_tasks: int = 40,
    instance_type: str = "t3.medium",
    *,
    reserve: float = 0.1,
    extended: bool = False,
    prices: PriceTable = DEFAULT_PRICES,
) -> dict[str, list[float]]:
    """Monthly total of each option for 1, 2, …, ``max_tasks`` tasks.

    Returns
    -------
    dict
        ``"tasks"`` → ``[1, …, max_tasks]``, and each option that applies → its totals
        (USD per month), in the same order.
    """
    if isinstance(max_tasks, bool) or not isinstance(max_tasks, int) or max_tasks < 1:
        raise ValueError(f"max_tasks={max_tasks!r:.40}: plot at least 1 task")
    whole("max_tasks", max_tasks, high=_MAX_TASKS)
    workload = _checked(workload)
    curves: dict[str, list[float]] = {"tasks": list(range(1, max_tasks + 1))}
    for n in range(1, max_tasks + 1):
        result = compare(
            replace(workload, tasks=n),
            instance_type,
            reserve=reserve,
            extended=extended,
            prices=prices,
        )
        for key, breakdown in result.options.items():
            curves.setdefault(key, []).append(breakdown.total)
    # An option unavailable at some counts (never, with one instance type) is dropped.
    return {k: v for k, v in curves.items() if len(v) == max_tasks}


def crossovers(
    curves: dict[str, list[float]],
    pairs: Iterable[Sequence[str]] = (("ecs-fargate", "ecs-ec2"), ("eks-fargate", "eks-ec2")),
) -> list[Crossover]:
    """Where the cheaper option of each pair changes, along a :func:`cost_curve`.

    For each pair, walks the task counts in order and records every count at which the
    other option becomes strictly cheaper than the one that was cheaper before (ties
    do not count as a change). The first count starts with whichever is cheaper there.

    Returns
    -------
    list of Crossover
        In order of task count.
    """
    curves = _curves(curves)
    tasks = curves["tasks"]
    found: list[Crossover] = []
    for pair in items("pairs", pairs):
        a, b = _pair(pair)
        if a not in curves or b not in curves:
            continue
        cheaper: str | None = None
        for i, n in enumerate(tasks):
            ua, ub = curves[a][i], curves[b][i]
            now = a if ua < ub else b if ub < ua else cheaper
            if cheaper is not None and now != cheaper and now is not None:
                dearer = b if now == a else a
                count = cast("int", n)  # a cost_curve's task counts are whole numbers
                found.append(Crossover(count, now, dearer, curves[now][i]))
            cheaper = now
    return sorted(found, key=lambda c: (c.tasks, c.cheaper))


def _curves(curves: object) -> dict[str, list[float]]:
    """A :func:`cost_curve` result, checked: ``"tasks"`` and series of the same length."""
    if not isinstance(curves, Mapping) or "tasks" not in curves:
        raise ValueError(f"curves={curves!r:.40}: expected the result of cost_curve()")
    tasks = series("curves['tasks']", curves["tasks"], integers=True)
    checked = {"tasks": tasks}
    for key, values in curves.items():
        if key == "tasks":
            continue
        checked[text("option", key)] = series(f"curves[{key!r}]", values, most=len(tasks))
        if len(checked[key]) != len(tasks):
            raise ValueError(f"curves[{key!r}]: one total per task count ({len(tasks)})")
    return checked


def _pair(pair: object) -> tuple[str, str]:
    both = items("pair", pair, what="two options")
    if len(both) != 2:
        raise ValueError(
            f"pair={pair!r:.40}: expected two options, e.g. ('ecs-fargate', 'ecs-ec2')"
        )
    return text("option", both[0]), text("option", both[1])


def cost_figure(
    workload: Workload,
    max_tasks: int = 40,
    instance_type: str = "t3.medium",
    *,
    reserve: float = 0.1,
    extended: bool = False,
    prices: PriceTable = DEFAULT_PRICES,
) -> Any:
    """Monthly cost of each option against the number of tasks, crossovers marked.

    Returns
    -------
    matplotlib.figure.Figure
        Not shown; it shows itself as a PNG in Jupyter, or save it.
    """
    from cloudlab.figures import BLUE, GREEN, PURPLE, VERMILION, ShownFigure

    colours = {"ecs-fargate": BLUE, "ecs-ec2": VERMILION, "eks-fargate": GREEN, "eks-ec2": PURPLE}

    curves = cost_curve(
        workload,
        max_tasks,
        instance_type,
        reserve=reserve,
        extended=extended,
        prices=prices,
    )
    points = crossovers(curves)
    shown = [key for key in OPTIONS if key in curves]
    at_most = ", ".join(f"{LABELS[key]} {curves[key][-1]:,.0f}" for key in shown)
    changes = "; ".join(
        f"from {p.tasks} tasks {LABELS[p.cheaper]} costs less than {LABELS[p.dearer]}"
        for p in points
    )
    alt = (
        f"Step chart of monthly cost in USD against 1 to {max_tasks} tasks of "
        f"{workload.vcpu:g} vCPU and {workload.memory} MiB. At {max_tasks} tasks: {at_most} "
        f"USD per month. {changes.capitalize() if changes else 'The cheapest never changes'}."
    )
    fig = ShownFigure(figsize=(8, 4.5), layout="constrained", alt=alt)
    ax = fig.subplots()
    tasks = curves["tasks"]
    for key in OPTIONS:
        if key not in curves:
            continue
        label = LABELS[key] + (f" ({instance_type})" if key.endswith("ec2") else "")
        ax.step(tasks, curves[key], where="mid", color=colours[key], label=label, lw=1.8)
    for point in points:
        ax.plot(point.tasks, point.usd, "o", ms=9, mfc="none", mec="black", mew=1.5)
        ax.annotate(
            f"{point.tasks}",
            (point.tasks, point.usd),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=9,
        )
    ax.set_xlabel(f"tasks ({workload.vcpu:g} vCPU, {workload.memory} MiB each)")
    ax.set_ylabel("USD per month")
    ax.set_xlim(0.5, max_tasks + 0.5)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("Monthly cost against scale (circles: the cheaper option of a pair changes)")
    return fig
