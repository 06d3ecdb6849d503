"""Dated prices for running containers on AWS, and the task sizes Fargate accepts.

Prices are data: each :class:`Rate` has its amount in USD, its unit, the date it was
read and its source (a key of the book's bibliography). They are on-demand Linux rates
for **one reference region**, the one AWS's pricing pages show first; other regions
differ, so read the pricing pages for your region and pass your own table
(:meth:`PriceTable.with_rate`, :meth:`PriceTable.with_instance`) to the cost model in
:mod:`cloudlab.compute.costs`. No region is named in the project on purpose.

The NAT gateway and public IPv4 rates come from :mod:`cloudlab.vpc.prices` (one home for
each number). Several AWS pricing pages fill in their tables with JavaScript; where the
stored copy of AWS's own page did not show the number, the entry's ``note`` says which
copy of the page it was checked against.

:data:`FARGATE_SIZES` lists the task CPU and memory pairs Fargate accepts, and
:func:`check_fargate_size` refuses anything else with a message a learner can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from cloudlab.checks import number, show, whole
from cloudlab.vpc.prices import HOURS_PER_MONTH
from cloudlab.vpc.prices import PRICES as VPC_PRICES

__all__ = [
    "CPU_UNITS_PER_VCPU",
    "DEFAULT_PRICES",
    "FARGATE_SIZES",
    "HOURS_PER_MONTH",
    "INSTANCES",
    "RATES",
    "Instance",
    "PriceTable",
    "Rate",
    "check_fargate_size",
    "fargate_memory_text",
    "smallest_fargate_size",
]

#: ECS counts CPU in units: 1,024 units are one vCPU.
CPU_UNITS_PER_VCPU = 1024
_READ = "2026-11-28"


@dataclass(frozen=True)
class Rate:
    """One price.

    Attributes
    ----------
    item : str
        What is billed.
    usd : float
        The price in USD per ``unit``.
    unit : str
        E.g. ``"vCPU-hour"``, ``"GB-hour"``, ``"hour"``, ``"LCU-hour"``, ``"GB"``.
    note : str
        What the price covers, and how it was checked.
    read : str
        ISO date the price was read.
    source : str
        Bibliography key.
    """

    item: str
    usd: float
    unit: str
    note: str
    read: str
    source: str


@dataclass(frozen=True)
class Instance:
    """An EC2 instance type that can host ECS tasks or Kubernetes pods.

    Attributes
    ----------
    name : str
        The instance type, e.g. ``"t3.medium"``.
    vcpu : int
        vCPUs.
    memory_gib : float
        Memory in GiB.
    usd_per_hour : float
        On-demand Linux price, USD per hour.
    arch : {"x86", "arm"}
    note, read, source : str
        As in :class:`Rate`.
    """

    name: str
    vcpu: int
    memory_gib: float
    usd_per_hour: float
    arch: str
    note: str
    read: str
    source: str


def _vpc(key: str, attribute: str, unit: str, item: str) -> Rate:
    price = VPC_PRICES[key]
    return Rate(item, getattr(price, attribute), unit, price.note, price.read, price.source)


#: Every rate the cost model uses (read 2026-11-28; one reference region; edit freely).
RATES: Mapping[str, Rate] = MappingProxyType(
    {
        "fargate-vcpu": Rate(
            "Fargate, Linux/x86, per vCPU",
            0.04048,
            "vCPU-hour",
            "billed per second (one-minute minimum) from image download until the task or "
            "pod stops; AWS's page renders the table with JavaScript, so the number was "
            "checked against copies of it (Vantage, Wring, 2026)",
            _READ,
            "aws-fargate-pricing",
        ),
        "fargate-gb": Rate(
            "Fargate, Linux/x86, per GB of memory",
            0.004445,
            "GB-hour",
            "as for the vCPU rate; 20 GB of ephemeral storage per task is included",
            _READ,
            "aws-fargate-pricing",
        ),
        "fargate-arm-vcpu": Rate(
            "Fargate, Linux/ARM (Graviton), per vCPU",
            0.03238,
            "vCPU-hour",
            "ARM is offered for Amazon ECS only, not for EKS pods; checked as above",
            _READ,
            "aws-fargate-pricing",
        ),
        "fargate-arm-gb": Rate(
            "Fargate, Linux/ARM (Graviton), per GB of memory",
            0.00356,
            "GB-hour",
            "ARM is offered for Amazon ECS only; checked as above",
            _READ,
            "aws-fargate-pricing",
        ),
        "eks-cluster": Rate(
            "EKS control plane (Kubernetes version in standard support)",
            0.10,
            "hour",
            "per cluster, whether or not anything runs on it",
            _READ,
            "aws-eks-extended-support-pricing",
        ),
        "eks-cluster-extended": Rate(
            "EKS control plane (Kubernetes version in extended support)",
            0.60,
            "hour",
            "per cluster, in total, once its Kubernetes version leaves standard support "
            "(14 months after release on EKS); upgrade to avoid it",
            _READ,
            "aws-eks-extended-support-pricing",
        ),
        "alb": Rate(
            "Application Load Balancer",
            0.0225,
            "hour",
            "per load balancer per hour or partial hour; number from the worked example "
            "on AWS's page (its table renders with JavaScript)",
            _READ,
            "aws-elb-pricing",
        ),
        "alb-lcu": Rate(
            "Application Load Balancer capacity unit",
            0.008,
            "LCU-hour",
            "one LCU per hour covers the largest of: 25 new connections/s, 3,000 active "
            "connections/min, 1 GB processed per hour (EC2, container or IP targets), "
            "1,000 rule evaluations/s",
            _READ,
            "aws-elb-pricing",
        ),
        "nat-hour": _vpc("nat-gateway", "usd_per_hour", "hour", "NAT gateway"),
        "nat-gb": _vpc("nat-gateway", "usd_per_gb", "GB", "NAT gateway data processed"),
        "public-ipv4": _vpc(
            "public-ipv4", "usd_per_hour", "hour", "public IPv4 address (any, incl. managed)"
        ),
    }
)

#: A few EC2 instance types (on-demand Linux, one reference region, read 2026-11-28).
INSTANCES: Mapping[str, Instance] = MappingProxyType(
    {
        "t3.medium": Instance(
            "t3.medium",
            2,
            4,
            0.0416,
            "x86",
            "burstable: full speed only while CPU credits last; checked against copies "
            "of AWS's page (its table renders with JavaScript)",
            _READ,
            "aws-ec2-instance-pricing",
        ),
        "t3.large": Instance(
            "t3.large",
            2,
            8,
            0.0832,
            "x86",
            "burstable, as t3.medium; checked against copies of AWS's page",
            _READ,
            "aws-ec2-instance-pricing",
        ),
        "m7g.large": Instance(
            "m7g.large",
            2,
            8,
            0.0816,
            "arm",
            "Graviton (ARM): the image must be built for arm64; checked against a copy "
            "of AWS's page dated June 2026",
            _READ,
            "aws-ec2-instance-pricing",
        ),
    }
)


@dataclass(frozen=True)
class PriceTable:
    """The rates and instance types the cost model reads; make your own for your region.

    Attributes
    ----------
    rates : Mapping[str, Rate]
        Keys as in :data:`RATES`.
    instances : Mapping[str, Instance]
        Instance type name → :class:`Instance`.
    """

    rates: Mapping[str, Rate] = field(default_factory=lambda: RATES)
    instances: Mapping[str, Instance] = field(default_factory=lambda: INSTANCES)

    def usd(self, key: str) -> float:
        """The price of rate ``key`` in USD per its unit."""
        try:
            return self.rates[key].usd
        except KeyError:
            known = ", ".join(sorted(self.rates))
            raise ValueError(f"no price {key!r} in the table (it has {known})") from None

    def instance(self, name: str) -> Instance:
        """The instance type ``name``, or a ValueError naming the ones in the table."""
        try:
            return self.instances[name]
        except (KeyError, TypeError):  # TypeError: a list or another unhashable name
            known = ", ".join(sorted(self.instances))
            raise ValueError(f"instance type {show(name)} is not in the table ({known})") from None

    def with_rate(self, key: str, usd: float, *, read: str = "", source: str = "") -> PriceTable:
        """A copy with rate ``key`` set to ``usd`` (say when and where you read it)."""
        if usd < 0:
            raise ValueError(f"{key}: a price cannot be negative ({usd})")
        old = self.rates.get(key) or Rate(key, 0.0, "", "", "", "")
        rates = dict(self.rates)
        rates[key] = replace(old, usd=usd, read=read or old.read, source=source or old.source)
        return replace(self, rates=MappingProxyType(rates))

    def with_instance(self, instance: Instance) -> PriceTable:
        """A copy with ``instance`` added or replaced."""
        if instance.vcpu <= 0 or instance.memory_gib <= 0 or instance.usd_per_hour < 0:
            raise ValueError(f"{instance.name}: vCPUs and memory must be positive, price >= 0")
        instances = dict(self.instances)
        instances[instance.name] = instance
        return replace(self, instances=MappingProxyType(instances))


#: The table the cost model uses unless you pass your own.
DEFAULT_PRICES = PriceTable()


# ------------------------------------------------------------------ Fargate sizes


def _steps(first: int, last: int, step: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1, step))


#: Valid Fargate task sizes: CPU units → the memory values (MiB) allowed with it.
#: From the ECS task definition reference (cpu 8192 and 16384 need Linux platform 1.4.0+).
FARGATE_SIZES: Mapping[int, tuple[int, ...]] = MappingProxyType(
    {
        256: (512, 1024, 2048),
        512: _steps(1024, 4096, 1024),
        1024: _steps(2048, 8192, 1024),
        2048: _steps(4096, 16384, 1024),
        4096: _steps(8192, 30720, 1024),
        8192: _steps(16384, 61440, 4096),
        16384: _steps(32768, 122880, 8192),
    }
)


def _vcpu_text(cpu: int) -> str:
    return f"{cpu / CPU_UNITS_PER_VCPU:g} vCPU"


def fargate_memory_text(cpu: int) -> str:
    """The memory Fargate allows with ``cpu`` units, in words (e.g. "512, 1024 or 2048 MiB")."""
    if whole("cpu", cpu) not in FARGATE_SIZES:
        values = ", ".join(map(str, FARGATE_SIZES))
        raise ValueError(f"cpu {cpu}: a Fargate task has one of {values} CPU units")
    allowed = FARGATE_SIZES[cpu]
    if len(allowed) <= 4:
        return ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]} MiB"
    step = allowed[1] - allowed[0]
    return f"{allowed[0]} to {allowed[-1]} MiB in steps of {step}"


def check_fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """Check a task size against the pairs Fargate accepts.

    Parameters
    ----------
    cpu : int
        Task CPU in CPU units (1024 = 1 vCPU).
    memory : int
        Task memory in MiB.

    Returns
    -------
    tuple of int
        ``(cpu, memory)``, unchanged.

    Raises
    ------
    ValueError
        One line saying what Fargate allows instead, e.g. ``"cpu 256 with memory 4096:
        Fargate allows 512, 1024 or 2048 MiB with 0.25 vCPU"``.
    """
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (cpu, memory)):
        raise ValueError("cpu and memory are whole numbers (CPU units and MiB)")
    if cpu not in FARGATE_SIZES:
        values = ", ".join(map(str, list(FARGATE_SIZES)[:-1])) + f" or {list(FARGATE_SIZES)[-1]}"
        raise ValueError(f"cpu {cpu}: a Fargate task has {values} CPU units (1024 = 1 vCPU)")
    if memory not in FARGATE_SIZES[cpu]:
        raise ValueError(
            f"cpu {cpu} with memory {memory}: Fargate allows {fargate_memory_text(cpu)} "
            f"with {_vcpu_text(cpu)}"
        )
    return cpu, memory


def smallest_fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest valid Fargate size with at least ``cpu`` units and ``memory`` MiB.

    This is how EKS places a pod on Fargate: it rounds the pod's requests up to the
    nearest valid combination (after adding 256 MiB for the Kubernetes components).

    Raises
    ------
    ValueError
        If no Fargate size is that large, or a request is not positive.
    """
    if number("cpu", cpu) <= 0 or number("memory", memory) <= 0:
        raise ValueError(f"cpu {cpu}, memory {memory}: requests must be positive")
    for size_cpu, memories in FARGATE_SIZES.items():
        if size_cpu < cpu:
            continue
        for size_memory in memories:
            if size_memory >= memory:
                return size_cpu, size_memory
    raise ValueError(
        f"cpu {cpu}, memory {memory} MiB: larger than any Fargate size "
        f"(at most 16 vCPU and {FARGATE_SIZES[16384][-1]} MiB)"
    )
