"""The network plan of a VPC: subnets per tier and Availability Zone, route tables, AWS's rules.

One :class:`NetworkPlan` is the single source of truth for the book's network: the
planner widget shows it, :mod:`cloudlab.vpc.build` creates it in the emulator (or an
opted-in account), :mod:`cloudlab.vpc.pictures` draws it, and :meth:`NetworkPlan.to_tfvars`
hands it to the Terraform lab. It is plain data: it saves to JSON and loads back.

:func:`plan_network` does the planning. Every AWS rule is checked before anything is
created, each with its own one-line :class:`ValueError` (the emulator does not enforce
several of them):

* a VPC's IPv4 block and every IPv4 subnet are /16 to /28, and every subnet keeps 5
  addresses for AWS, so a tier asking for N hosts gets at least N + 5 addresses
  (``aws-vpc-cidr-blocks``, ``aws-subnet-sizing``);
* IPv6 comes as an Amazon-provided /56 for the VPC, carved into one /64 per subnet;
* a subnet lives in exactly one Availability Zone (``aws-configure-subnets``), so the
  planner makes one subnet per tier per AZ;
* an Application Load Balancer needs subnets in at least two Availability Zones
  (``aws-elb-create-load-balancer``), so a plan with a public tier needs two AZs;
* a NAT gateway sits in a public subnet (``aws-nat-gateways``).

Availability Zones are named by letter ("a", "b", ...): a plan never names a region.
The IPv6 block is a placeholder from the documentation prefix ``2001:db8::/32``
(RFC 3849) until AWS assigns the real one; :meth:`NetworkPlan.with_ipv6` moves every
/64 to the same position inside the real block.

Why one module of some 1,250 lines (850 of code): the plan, its tiers, its checks against
AWS's rules and its JSON form are the one model that the build, the pictures, the route
traces and the widget read; each check is a function of its own.
"""

# Ranges are written with an en dash (16–28), as in the book's text.

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cloudlab.checks import digits, instance
from cloudlab.net import aws as aws_rules
from cloudlab.net.parse import Network, parse_network, within
from cloudlab.net.subnets import find_overlaps, free_blocks, vlsm

IPv4Network = ipaddress.IPv4Network
IPv6Network = ipaddress.IPv6Network

__all__ = [
    "DEFAULT_TIERS",
    "FORMAT",
    "KINDS",
    "NAT_MODES",
    "PLACEHOLDER_IPV6",
    "TAG_KEY",
    "NetworkPlan",
    "Route",
    "RouteTablePlan",
    "SubnetPlan",
    "Tier",
    "check_plan",
    "parse_tiers",
    "plan_network",
]

#: Tier kinds: how a tier's subnets reach the internet (by their route table).
KINDS: tuple[str, ...] = ("public", "private", "isolated")
#: NAT gateway layouts: one shared, one per AZ, or none.
NAT_MODES: tuple[str, ...] = ("single", "per-az", "none")
#: The tag every resource built from a plan carries (value: the plan's name).
TAG_KEY = "cloudlab:plan"
#: Identifies the JSON files written by :meth:`NetworkPlan.to_json`.
FORMAT = "cloudlab.vpc.plan/1"
#: Stand-in for the Amazon-provided IPv6 /56 until AWS assigns the real block: a /56
#: from the documentation prefix 2001:db8::/32 (RFC 3849), never routed anywhere.
PLACEHOLDER_IPV6 = IPv6Network("2001:db8::/56")
#: A /56 holds 2**(64 - 56) = 256 subnets of /64.
_IPV6_SUBNET_PREFIX = 64
_IPV6_SLOTS = 1 << (_IPV6_SUBNET_PREFIX - aws_rules.AMAZON_PROVIDED_IPV6_VPC_PREFIX)
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_AZ = re.compile(r"^[a-z]$")
#: Route targets that are not gateways of one AZ.
TARGETS: tuple[str, ...] = ("local", "igw", "eigw", "blackhole")


# ------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Tier:
    """One layer of the network, repeated in every Availability Zone.

    Attributes
    ----------
    name : str
        Lowercase letters, digits and hyphens, e.g. ``"app"``; subnets are named
        ``"<tier>-<az>"``.
    kind : str
        ``"public"`` (0.0.0.0/0 via the internet gateway), ``"private"`` (0.0.0.0/0
        via a NAT gateway) or ``"isolated"`` (no route to the internet).
    hosts : int or None
        Addresses the tier needs in each AZ (hosts); the subnet gets at least
        ``hosts + 5`` addresses because AWS keeps 5.
    prefix : int or None
        Alternatively, the subnet's prefix length (bits), 16–28.
    """

    name: str
    kind: str
    hosts: int | None = None
    prefix: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"name": self.name, "kind": self.kind, "hosts": self.hosts, "prefix": self.prefix}


#: The book's default tiers: the load balancer and NAT gateways, the Flask tasks, a database.
DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("public", "public", prefix=24),
    Tier("app", "private", hosts=1000),
    Tier("data", "isolated", prefix=24),
)


@dataclass(frozen=True)
class SubnetPlan:
    """One planned subnet: a tier in one Availability Zone.

    Attributes
    ----------
    name : str
        ``"<tier>-<az>"``, e.g. ``"public-a"``.
    tier : str
        The tier's name.
    az : str
        The Availability Zone's letter.
    cidr : IPv4Network
    ipv6_cidr : IPv6Network or None
        A /64, or None in an IPv4-only plan.
    route_table : str
        Name of the route table the subnet is associated with.
    kind : str
        The tier's kind (defaults to the tier's name when that is a kind, else "private").
    """

    name: str
    tier: str
    az: str
    cidr: IPv4Network
    ipv6_cidr: IPv6Network | None
    route_table: str
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.kind is None:
            object.__setattr__(self, "kind", self.tier if self.tier in KINDS else "private")

    @property
    def public(self) -> bool:
        """True for a subnet of a public tier (its route table leads to the internet gateway)."""
        return self.kind == "public"

    @property
    def usable(self) -> int:
        """Addresses left for your resources after AWS keeps 5 (addresses)."""
        return self.cidr.num_addresses - aws_rules.RESERVED_PER_SUBNET

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "name": self.name,
            "tier": self.tier,
            "kind": self.kind,
            "az": self.az,
            "cidr": str(self.cidr),
            "ipv6_cidr": None if self.ipv6_cidr is None else str(self.ipv6_cidr),
            "route_table": self.route_table,
        }


@dataclass(frozen=True)
class Route:
    """One route: packets for ``destination`` go to ``target``.

    Attributes
    ----------
    destination : IPv4Network or IPv6Network
    target : str
        ``"local"``, ``"igw"`` (internet gateway), ``"eigw"`` (egress-only internet
        gateway), ``"nat-<az>"`` (the NAT gateway in that AZ), ``"blackhole"``, or
        another id-like string.
    """

    destination: Network
    target: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dictionary."""
        return {"destination": str(self.destination), "target": self.target}


@dataclass(frozen=True)
class RouteTablePlan:
    """A route table: its routes and the subnets associated with it.

    Attributes
    ----------
    name : str
    routes : tuple of Route
    subnets : tuple of str
        Names of the associated subnets.
    """

    name: str
    routes: tuple[Route, ...]
    subnets: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "name": self.name,
            "routes": [r.to_dict() for r in self.routes],
            "subnets": list(self.subnets),
        }

    def target_for(self, destination: str | Network) -> str | None:
        """The target of the route for exactly ``destination`` (e.g. "0.0.0.0/0"), or None."""
        wanted = parse_network(destination)
        for route in self.routes:
            if route.destination == wanted:
                return route.target
        return None


@dataclass(frozen=True)
class NetworkPlan:
    """A whole VPC on paper. Build one with :func:`plan_network`.

    Attributes
    ----------
    name : str
        Used in resource names and as the value of the ``cloudlab:plan`` tag.
    vpc_cidr : IPv4Network
    ipv6_cidr : IPv6Network or None
        The VPC's /56 (a placeholder until AWS assigns one), or None.
    azs : tuple of str
        Availability Zone letters, in order.
    tiers : tuple of Tier
    subnets : tuple of SubnetPlan
        Tier by tier, AZ by AZ.
    route_tables : tuple of RouteTablePlan
    nat : str
        ``"single"``, ``"per-az"`` or ``"none"``.
    spare : tuple of IPv4Network
        Room to grow: blocks kept free on purpose, then whatever is left of the VPC.
    spare_names : tuple of str
        A name for each block of ``spare``.
    alb : bool
        The public tier is meant for an Application Load Balancer (needs two AZs).
    """

    name: str
    vpc_cidr: IPv4Network
    ipv6_cidr: IPv6Network | None
    azs: tuple[str, ...]
    tiers: tuple[Tier, ...]
    subnets: tuple[SubnetPlan, ...]
    route_tables: tuple[RouteTablePlan, ...]
    nat: str
    spare: tuple[IPv4Network, ...] = ()
    spare_names: tuple[str, ...] = field(default=())
    alb: bool = True

    # ----------------------------------------------------------------- look-ups

    def subnet(self, name: str) -> SubnetPlan:
        """The subnet called ``name``.

        Raises
        ------
        KeyError
            If there is none; the message lists the names there are.
        """
        for subnet in self.subnets:
            if subnet.name == name:
                return subnet
        names = ", ".join(s.name for s in self.subnets)
        raise KeyError(f"no subnet called {name!r} in plan {self.name!r} (subnets: {names})")

    def route_table(self, name: str) -> RouteTablePlan:
        """The route table called ``name`` (KeyError if there is none)."""
        for table in self.route_tables:
            if table.name == name:
                return table
        raise KeyError(f"no route table called {name!r} in plan {self.name!r}")

    def route_table_for(self, subnet_name: str) -> RouteTablePlan:
        """The route table a subnet is associated with (KeyError if none)."""
        for table in self.route_tables:
            if subnet_name in table.subnets:
                return table
        self.subnet(subnet_name)  # raises KeyError for an unknown subnet
        raise KeyError(f"subnet {subnet_name!r} is in no route table")

    def tier(self, name: str) -> Tier:
        """The tier called ``name`` (KeyError if there is none)."""
        for tier in self.tiers:
            if tier.name == name:
                return tier
        raise KeyError(f"no tier called {name!r} in plan {self.name!r}")

    def subnets_of_kind(self, kind: str) -> tuple[SubnetPlan, ...]:
        """Subnets of every tier of one kind, tier by tier and AZ by AZ."""
        return tuple(s for s in self.subnets if s.kind == kind)

    @property
    def nat_azs(self) -> tuple[str, ...]:
        """Letters of the AZs that get a NAT gateway (in a public subnet there)."""
        if self.nat == "per-az":
            return self.azs
        if self.nat == "single":
            return self.azs[:1]
        return ()

    def nat_subnet(self, az: str) -> SubnetPlan:
        """The public subnet that holds the NAT gateway of AZ ``az`` (the first public tier's)."""
        for subnet in self.subnets:
            if subnet.public and subnet.az == az:
                return subnet
        raise KeyError(f"AZ {az!r} has no public subnet for a NAT gateway")

    @property
    def named_spare(self) -> dict[str, IPv4Network]:
        """The spare blocks by name."""
        return dict(zip(self.spare_names, self.spare, strict=True))

    def ipv6_index(self, subnet_name: str) -> int:
        """Which /64 of the VPC's /56 a subnet uses (0–255), for Terraform's ``cidrsubnet``."""
        subnet = self.subnet(subnet_name)
        if subnet.ipv6_cidr is None or self.ipv6_cidr is None:
            raise ValueError(f"plan {self.name!r} has no IPv6")
        step = 1 << (128 - _IPV6_SUBNET_PREFIX)
        return (int(subnet.ipv6_cidr.network_address) - int(self.ipv6_cidr.network_address)) // step

    def with_ipv6(self, block: str | IPv6Network) -> NetworkPlan:
        """The same plan inside a different /56: each /64 keeps its position.

        Parameters
        ----------
        block : str or IPv6Network
            The VPC's real IPv6 /56 (AWS picks it when the VPC is created).

        Returns
        -------
        NetworkPlan

        Raises
        ------
        ValueError
            If the plan has no IPv6 or ``block`` is not a /56.
        """
        if self.ipv6_cidr is None:
            raise ValueError(f"plan {self.name!r} has no IPv6 to move")
        new = _check_ipv6_block(block)
        step = 1 << (128 - _IPV6_SUBNET_PREFIX)
        moved = tuple(
            replace(
                s,
                ipv6_cidr=IPv6Network(
                    (int(new.network_address) + self.ipv6_index(s.name) * step, 64)
                ),
            )
            for s in self.subnets
        )
        tables = tuple(
            replace(
                t,
                routes=tuple(
                    Route(new, r.target) if r.destination == self.ipv6_cidr else r for r in t.routes
                ),
            )
            for t in self.route_tables
        )
        return replace(self, ipv6_cidr=new, subnets=moved, route_tables=tables)

    # ------------------------------------------------------------------ checks

    def problems(self) -> list[str]:
        """Every broken rule, one line each (empty when sound); see :func:`check_plan`."""
        return check_plan(self)

    def validate(self) -> NetworkPlan:
        """Raise ValueError with the first broken rule, if any; return the plan otherwise."""
        found = check_plan(self)
        if found:
            more = f" (and {len(found) - 1} more problem{'s' * (len(found) > 2)})"
            raise ValueError(found[0] + (more if len(found) > 1 else ""))
        return self

    # -------------------------------------------------------------- rendering

    def summary(self) -> str:
        """One paragraph: the blocks, how many addresses the subnets use, the NAT's cost."""
        from cloudlab.vpc.prices import HOURS_PER_MONTH, PRICES, nat_costs

        used = sum(s.cidr.num_addresses for s in self.subnets)
        costs = nat_costs(len(self.azs), self.nat, gb_per_month=0)
        nat = PRICES["nat-gateway"]
        gateways = costs["gateways"]
        money = (
            f"{gateways} NAT gateway{'s' * (gateways != 1)}: about USD "
            f"{costs['fixed_usd']:,.2f} per month before traffic (gateway + public IPv4 at "
            f"{HOURS_PER_MONTH} h; plus USD {nat.usd_per_gb} per GB processed; prices read "
            f"{nat.read})"
            if gateways
            else "no NAT gateway: private subnets have no IPv4 route to the internet"
        )
        v6 = (
            f" + IPv6 {self.ipv6_cidr} (placeholder until AWS assigns the /56)"
            if self.ipv6_cidr
            else ""
        )
        return (
            f"VPC {self.vpc_cidr}{v6}: {len(self.subnets)} subnets use {used:,} of "
            f"{self.vpc_cidr.num_addresses:,} addresses. {money}."
        )

    def map_blocks(
        self, *, whole: bool = False
    ) -> tuple[IPv4Network, list[tuple[IPv4Network, str]], str]:
        """What the plan's address map draws: (range shown, named blocks, title).

        The blocks are the subnets and the reserved spare blocks, in address order. The
        planner packs subnets from the start of the VPC, so when they fill less than a
        quarter of it the range shown is the smallest block at the start that holds
        them all (the title says how much lies free after it), unless ``whole`` is set.
        Drawn by :func:`cloudlab.vpc.pictures.address_map` (matplotlib) and by the
        book's live planner (:func:`cloudlab.net.addressmap.address_map_html`).
        """
        blocks = [(s.cidr, s.name) for s in self.subnets]
        blocks += [
            (b, n)
            for n, b in zip(self.spare_names, self.spare, strict=True)
            if not n.startswith("free-")
        ]
        blocks.sort(key=lambda item: item[0].network_address)
        vpc = self.vpc_cidr
        used = sum(s.cidr.num_addresses for s in self.subnets)
        head = (
            f"{self.name}: {len(self.subnets)} subnets use {used:,} of the "
            f"{vpc.num_addresses:,} addresses of VPC {vpc}"
        )
        parent = vpc
        if not whole:
            last = max(b.broadcast_address for b, _ in blocks)
            for prefix in range(vpc.prefixlen, 33):
                candidate = IPv4Network((vpc.network_address, prefix))
                if last not in candidate:
                    break
                parent = candidate
            if parent.num_addresses * 4 > vpc.num_addresses:
                parent = vpc
        if parent == vpc:
            return parent, blocks, f"{head}\nspare blocks pale and dashed, free space hatched"
        rest = vpc.num_addresses - parent.num_addresses
        return (
            parent,
            blocks,
            f"{head}\nshown: its first {parent}; the other {rest:,} addresses are free "
            "(spare blocks pale and dashed, free space hatched)",
        )

    def to_rows(self, *, spare: bool = True) -> list[dict[str, str]]:
        """One dictionary of display strings per subnet (then per spare block).

        Keys: ``subnet``, ``kind``, ``az``, ``ipv4``, ``addresses``, ``usable``,
        ``ipv6``, ``route_table``, ``internet`` (where the IPv4 default route goes).
        """
        rows = []
        for s in self.subnets:
            table = self.route_table_for(s.name)
            rows.append(
                {
                    "subnet": s.name,
                    "kind": s.kind or "",
                    "az": s.az,
                    "ipv4": str(s.cidr),
                    "addresses": f"{s.cidr.num_addresses:,}",
                    "usable": f"{s.usable:,}",
                    "ipv6": "" if s.ipv6_cidr is None else str(s.ipv6_cidr),
                    "route_table": table.name,
                    "internet": _describe_default(table),
                }
            )
        if spare:
            for name, block in zip(self.spare_names, self.spare, strict=True):
                rows.append(
                    {
                        "subnet": name,
                        "kind": "spare",
                        "az": "",
                        "ipv4": str(block),
                        "addresses": f"{block.num_addresses:,}",
                        "usable": "",
                        "ipv6": "",
                        "route_table": "",
                        "internet": "",
                    }
                )
        return rows

    def columns(self) -> list[tuple[str, str]]:
        """The table's columns: (key in :meth:`to_rows`, title); IPv6 only when planned."""
        columns = [
            ("subnet", "subnet"),
            ("kind", "kind"),
            ("az", "AZ"),
            ("ipv4", "IPv4"),
            ("usable", "usable"),
            ("ipv6", "IPv6"),
            ("route_table", "route table"),
            ("internet", "0.0.0.0/0 via"),
        ]
        return [c for c in columns if c[0] != "ipv6" or self.ipv6_cidr is not None]

    def to_text(self, *, spare: bool = True) -> str:
        """The plan as a plain-text table (what :meth:`to_rows` holds)."""
        rows = self.to_rows(spare=spare)
        columns = self.columns()
        widths = [max(len(title), *(len(r[key]) for r in rows)) for key, title in columns]
        lines = [
            f"VPC {self.name}: {self.vpc_cidr}"
            + (f" + {self.ipv6_cidr}" if self.ipv6_cidr else "")
            + f", AZs {', '.join(self.azs)}, NAT: {self.nat}",
            "  ".join(title.ljust(w) for (_, title), w in zip(columns, widths, strict=True)),
        ]
        lines.append("  ".join("-" * w for w in widths))
        for row in rows:
            lines.append(
                "  ".join(row[key].ljust(w) for (key, _), w in zip(columns, widths, strict=True))
            )
        return "\n".join(line.rstrip() for line in lines)

    def __str__(self) -> str:
        return self.to_text()

    # ------------------------------------------------------------ Terraform

    def to_tfvars(self) -> dict[str, Any]:
        """The variables the Terraform lab reads, as written to ``terraform.tfvars.json``.

        Subnet lists are tier by tier, then AZ by AZ, so subnet ``i`` of a kind lies in
        AZ ``azs[i % az_count]``. AZs are letters: the Terraform lab resolves names from
        the provider's ``aws_availability_zones`` data source, in order. With IPv6, each
        subnet's ``*_ipv6_netnums`` entry is its ``netnum`` for
        ``cidrsubnet(vpc_ipv6_block, 8, netnum)``.
        """
        data: dict[str, Any] = {
            "name": self.name,
            "vpc_cidr": str(self.vpc_cidr),
            "azs": list(self.azs),
            "az_count": len(self.azs),
            "enable_ipv6": self.ipv6_cidr is not None,
            "nat_mode": self.nat,
        }
        for kind in KINDS:
            subnets = self.subnets_of_kind(kind)
            data[f"{kind}_subnet_cidrs"] = [str(s.cidr) for s in subnets]
            data[f"{kind}_subnet_names"] = [s.name for s in subnets]
            if self.ipv6_cidr is not None:
                data[f"{kind}_subnet_ipv6_netnums"] = [self.ipv6_index(s.name) for s in subnets]
        data["tags"] = {TAG_KEY: self.name}
        return data

    def write_tfvars(self, path: str | Path) -> Path:
        """Write :meth:`to_tfvars` as JSON to ``path`` (e.g. ``terraform.tfvars.json``)."""
        target = Path(path)
        target.write_text(json.dumps(self.to_tfvars(), indent=2) + "\n", encoding="utf-8")
        return target

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary holding the whole plan."""
        return {
            "format": FORMAT,
            "name": self.name,
            "vpc_cidr": str(self.vpc_cidr),
            "ipv6_cidr": None if self.ipv6_cidr is None else str(self.ipv6_cidr),
            "azs": list(self.azs),
            "nat": self.nat,
            "alb": self.alb,
            "tiers": [t.to_dict() for t in self.tiers],
            "subnets": [s.to_dict() for s in self.subnets],
            "route_tables": [t.to_dict() for t in self.route_tables],
            "spare": [
                {"name": n, "cidr": str(b)}
                for n, b in zip(self.spare_names, self.spare, strict=True)
            ],
        }

    def to_json(self) -> str:
        """The plan as JSON text (loads back with :meth:`from_json`)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkPlan:
        """Rebuild a plan from :meth:`to_dict`'s output, then check every rule.

        Raises
        ------
        ValueError
            If something is missing or malformed, or the plan breaks a rule.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f'not a cloudlab VPC plan: expected "format": "{FORMAT}"')
        try:
            plan = cls(
                name=str(data["name"]),
                vpc_cidr=_v4(data["vpc_cidr"]),
                ipv6_cidr=None if data.get("ipv6_cidr") is None else _v6(data["ipv6_cidr"]),
                azs=tuple(str(a) for a in data["azs"]),
                tiers=tuple(
                    Tier(str(t["name"]), str(t["kind"]), t.get("hosts"), t.get("prefix"))
                    for t in data["tiers"]
                ),
                subnets=tuple(
                    SubnetPlan(
                        name=str(s["name"]),
                        tier=str(s["tier"]),
                        az=str(s["az"]),
                        cidr=_v4(s["cidr"]),
                        ipv6_cidr=None if s.get("ipv6_cidr") is None else _v6(s["ipv6_cidr"]),
                        route_table=str(s["route_table"]),
                        kind=s.get("kind"),
                    )
                    for s in data["subnets"]
                ),
                route_tables=tuple(
                    RouteTablePlan(
                        name=str(t["name"]),
                        routes=tuple(
                            Route(parse_network(r["destination"]), str(r["target"]))
                            for r in t["routes"]
                        ),
                        subnets=tuple(str(n) for n in t["subnets"]),
                    )
                    for t in data["route_tables"]
                ),
                nat=str(data["nat"]),
                spare=tuple(_v4(b["cidr"]) for b in data.get("spare", [])),
                spare_names=tuple(str(b["name"]) for b in data.get("spare", [])),
                alb=bool(data.get("alb", True)),
            )
        except KeyError as missing:
            raise ValueError(f"not a complete cloudlab VPC plan: {missing} is missing") from None
        except (TypeError, AttributeError):
            raise ValueError("not a cloudlab VPC plan: a field has the wrong shape") from None
        return plan.validate()

    @classmethod
    def from_json(cls, text: str) -> NetworkPlan:
        """Read a plan written by :meth:`to_json` (checked like any other plan)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON: {error.msg} (line {error.lineno})") from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> Path:
        """Write the plan as JSON to ``path``."""
        target = Path(path)
        target.write_text(self.to_json(), encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> NetworkPlan:
        """Read a plan saved with :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _describe_default(table: RouteTablePlan) -> str:
    target = table.target_for("0.0.0.0/0")
    if target is None:
        return "no internet route"
    if target == "igw":
        return "internet gateway"
    if target.startswith("nat-"):
        return f"NAT gateway in AZ {target[4:]}"
    return target


def _v4(value: object) -> IPv4Network:
    network = parse_network(str(value))
    if not isinstance(network, IPv4Network):
        raise ValueError(f"{network}: expected an IPv4 block here")
    return network


def _v6(value: object) -> IPv6Network:
    network = parse_network(str(value))
    if not isinstance(network, IPv6Network):
        raise ValueError(f"{network}: expected an IPv6 block here")
    return network


def _check_ipv6_block(block: str | IPv6Network) -> IPv6Network:
    network = parse_network(block) if isinstance(block, str) else block
    if not isinstance(network, IPv6Network):
        raise ValueError(f"{network}: the VPC's extra block must be IPv6")
    if network.prefixlen != aws_rules.AMAZON_PROVIDED_IPV6_VPC_PREFIX:
        raise ValueError(
            f"{network}: an Amazon-provided IPv6 block is a /56; the plan carves one /64 "
            "per subnet from it"
        )
    return network


# ----------------------------------------------------------------------- checking


def _tier_problems(tiers: Sequence[Tier]) -> list[str]:
    problems = []
    if not tiers:
        problems.append("give at least one tier, e.g. Tier('app', 'private', hosts=500)")
    seen: set[str] = set()
    for tier in tiers:
        label = f"tier {tier.name!r}"
        if not isinstance(tier.name, str) or not _NAME.match(tier.name):
            problems.append(
                f"tier name {tier.name!r}: use lowercase letters, digits and hyphens, "
                "starting with a letter (at most 31 characters), e.g. 'app'"
            )
        elif tier.name in seen:
            problems.append(f"two tiers are called {tier.name!r}: tier names must be unique")
        seen.add(tier.name)
        if tier.kind not in KINDS:
            problems.append(f"{label}: kind {tier.kind!r} is not one of {', '.join(KINDS)}")
        if (tier.hosts is None) == (tier.prefix is None):
            problems.append(
                f"{label}: give either hosts (e.g. hosts=500) or a prefix (e.g. prefix=24), "
                + ("not both" if tier.hosts is not None else "not neither")
            )
            continue
        if tier.prefix is not None:
            if isinstance(tier.prefix, bool) or not isinstance(tier.prefix, int):
                problems.append(f"{label}: the prefix must be a whole number such as 24")
            elif tier.prefix not in aws_rules.IPV4_SUBNET_PREFIXES:
                problems.append(
                    f"{label}: /{tier.prefix} is not an AWS subnet size; IPv4 subnets must be "
                    "/16 to /28 (65,536 to 16 addresses)"
                )
        else:
            hosts = tier.hosts
            if isinstance(hosts, bool) or not isinstance(hosts, int) or hosts < 1:
                problems.append(f"{label}: hosts must be a whole number of 1 or more, not {hosts}")
            elif hosts + aws_rules.RESERVED_PER_SUBNET > 1 << (32 - 16):
                problems.append(
                    f"{label}: {hosts:,} hosts need {hosts + 5:,} addresses (AWS keeps 5 per "
                    "subnet), more than the largest AWS subnet (/16, 65,536 addresses)"
                )
    return problems


def _az_problems(azs: Sequence[str]) -> list[str]:
    problems = []
    if not azs:
        problems.append("give at least one Availability Zone, e.g. azs=('a', 'b')")
    seen: set[str] = set()
    for az in azs:
        if not isinstance(az, str) or not _AZ.match(az):
            problems.append(
                f"AZ {az!r}: name each Availability Zone by its letter, a to z "
                "(e.g. 'a', 'b'); the region is chosen when you build"
            )
        elif az in seen:
            problems.append(f"AZ {az!r} is listed twice: each AZ gets one subnet per tier")
        seen.add(az)
    return problems


def _alb_problem(azs: Sequence[str], has_public: bool, alb: bool) -> str | None:
    if alb and has_public and len(set(azs)) < 2:
        only = f"only AZ {azs[0]!r}" if azs else "no AZ"
        return (
            "an Application Load Balancer needs subnets in at least two Availability Zones, "
            f"and this plan has a public tier for one but {only}: add a second AZ "
            "(or, if nothing balances load here, say so: alb=False)"
        )
    return None


def _nat_problems(nat: str, kinds: Iterable[str]) -> list[str]:
    kinds = set(kinds)
    if nat not in NAT_MODES:
        return [f"nat={nat!r}: use 'single', 'per-az' or 'none'"]
    if nat == "none":
        return []
    if "public" not in kinds:
        return [
            f"nat={nat!r}: a NAT gateway lives in a public subnet and this plan has no public "
            "tier; add one, or use nat='none'"
        ]
    if "private" not in kinds:
        return [
            f"nat={nat!r}: no tier is private, so nothing would send traffic to a NAT gateway "
            "(billed by the hour); use nat='none'"
        ]
    return []


def check_plan(plan: NetworkPlan) -> list[str]:
    """Every rule a plan breaks, one learner-readable line each.

    Checks AWS's size rules (VPC and subnets /16–/28, IPv6 /56 and /64s), the 5
    reserved addresses against each tier's hosts, Availability Zones (letters; one AZ
    per subnet; two AZs for a load balancer), overlaps, that every subnet lies inside
    the VPC, and that the route tables are complete: each subnet in exactly one, every
    table with its ``local`` route(s), every target known (a NAT gateway only in an AZ
    that has one, an egress-only gateway only with IPv6).

    Parameters
    ----------
    plan : NetworkPlan

    Returns
    -------
    list of str
        Empty when the plan is sound.
    """
    instance("plan", plan, NetworkPlan)
    problems: list[str] = []
    try:
        aws_rules.check_aws_vpc(plan.vpc_cidr)
    except ValueError as error:
        problems.append(str(error))
    if plan.vpc_cidr.version != 4:
        problems.append(f"{plan.vpc_cidr}: the VPC's main block must be IPv4")
    problems += _az_problems(plan.azs)
    problems += _tier_problems(plan.tiers)
    tiers = {t.name: t for t in plan.tiers}
    names = [s.name for s in plan.subnets]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"two subnets are called {name!r}: subnet names must be unique")
    for subnet in plan.subnets:
        label = f"subnet {subnet.name} ({subnet.cidr})"
        if subnet.tier not in tiers:
            problems.append(f"{label}: its tier {subnet.tier!r} is not in the plan")
        elif tiers[subnet.tier].kind != subnet.kind:
            problems.append(f"{label}: its kind {subnet.kind!r} differs from its tier's")
        if subnet.az not in plan.azs:
            problems.append(f"{label}: AZ {subnet.az!r} is not one of the plan's AZs")
        try:
            aws_rules.check_aws_subnet(subnet.cidr, plan.vpc_cidr)
        except ValueError as error:
            problems.append(f"{label}: {error}")
        tier = tiers.get(subnet.tier)
        if tier is not None and isinstance(tier.hosts, int) and not isinstance(tier.hosts, bool):
            needed = tier.hosts + aws_rules.RESERVED_PER_SUBNET
            if subnet.cidr.num_addresses < needed:
                problems.append(
                    f"{label}: tier {tier.name!r} needs {tier.hosts:,} hosts + 5 reserved = "
                    f"{needed:,} addresses, but a /{subnet.cidr.prefixlen} has "
                    f"{subnet.cidr.num_addresses:,}"
                )
    for tier in plan.tiers:
        have = {s.az for s in plan.subnets if s.tier == tier.name}
        missing = [az for az in plan.azs if az not in have]
        if missing:
            problems.append(f"tier {tier.name!r} has no subnet in AZ {', '.join(missing)}")
    alb = _alb_problem(plan.azs, any(s.public for s in plan.subnets), plan.alb)
    if alb:
        problems.append(alb)
    if len(plan.spare_names) != len(plan.spare):
        problems.append("each spare block needs a name")
    blocks = [s.cidr for s in plan.subnets] + list(plan.spare)
    for outer, inner in find_overlaps(blocks):
        problems.append(f"{outer} and {inner} overlap: subnets in one VPC must not overlap")
    for block in plan.spare:
        if not within(block, plan.vpc_cidr):
            problems.append(f"spare block {block} is not inside the VPC {plan.vpc_cidr}")
    problems += _ipv6_problems(plan)
    problems += _nat_problems(plan.nat, (t.kind for t in plan.tiers))
    problems += _route_problems(plan)
    return problems


def _ipv6_problems(plan: NetworkPlan) -> list[str]:
    problems = []
    if plan.ipv6_cidr is None:
        problems += [
            f"subnet {s.name} has an IPv6 block but the VPC has none"
            for s in plan.subnets
            if s.ipv6_cidr is not None
        ]
        return problems
    try:
        _check_ipv6_block(plan.ipv6_cidr)
    except ValueError as error:
        problems.append(str(error))
    if len(plan.subnets) > _IPV6_SLOTS:
        problems.append(
            f"IPv6: a /56 holds {_IPV6_SLOTS} subnets of /64 and this plan has {len(plan.subnets)}"
        )
    for subnet in plan.subnets:
        if subnet.ipv6_cidr is None:
            problems.append(f"subnet {subnet.name} has no IPv6 /64 though the VPC has IPv6")
        elif subnet.ipv6_cidr.prefixlen != _IPV6_SUBNET_PREFIX:
            problems.append(
                f"subnet {subnet.name}: {subnet.ipv6_cidr} must be a /64 (AWS's IPv6 subnets "
                "for this plan are /64s carved from the VPC's /56)"
            )
        elif not within(subnet.ipv6_cidr, plan.ipv6_cidr):
            problems.append(
                f"subnet {subnet.name}: {subnet.ipv6_cidr} is not inside {plan.ipv6_cidr}"
            )
    v6 = [s.ipv6_cidr for s in plan.subnets if s.ipv6_cidr is not None]
    for outer, inner in find_overlaps(v6):
        problems.append(f"{outer} and {inner} overlap: each subnet needs its own /64")
    return problems


def _route_problems(plan: NetworkPlan) -> list[str]:
    problems = []
    table_names = [t.name for t in plan.route_tables]
    for name in sorted({n for n in table_names if table_names.count(n) > 1}):
        problems.append(f"two route tables are called {name!r}")
    subnet_names = {s.name for s in plan.subnets}
    nat_azs = set(plan.nat_azs)
    for subnet in plan.subnets:
        homes = [t.name for t in plan.route_tables if subnet.name in t.subnets]
        if len(homes) != 1:
            problems.append(
                f"subnet {subnet.name} is associated with {len(homes)} route tables "
                f"({', '.join(homes) or 'none'}); a subnet has exactly one"
            )
        elif homes[0] != subnet.route_table:
            problems.append(
                f"subnet {subnet.name} names route table {subnet.route_table!r} but is "
                f"associated with {homes[0]!r}"
            )
    for table in plan.route_tables:
        for name in table.subnets:
            if name not in subnet_names:
                problems.append(f"route table {table.name}: unknown subnet {name!r}")
        destinations = [r.destination for r in table.routes]
        if Route(plan.vpc_cidr, "local") not in table.routes:
            problems.append(
                f"route table {table.name}: the local route for {plan.vpc_cidr} is missing"
            )
        if plan.ipv6_cidr is not None and Route(plan.ipv6_cidr, "local") not in table.routes:
            problems.append(
                f"route table {table.name}: the local route for {plan.ipv6_cidr} is missing"
            )
        for destination in sorted({d for d in destinations if destinations.count(d) > 1}, key=str):
            problems.append(f"route table {table.name}: two routes for {destination}")
        for route in table.routes:
            target = route.target
            where = f"route table {table.name}: {route.destination} → {target}"
            if target.startswith("nat-"):
                if target[4:] not in nat_azs:
                    problems.append(f"{where}: this plan has no NAT gateway in AZ {target[4:]!r}")
                elif route.destination.version != 4:
                    problems.append(f"{where}: IPv6 goes to the egress-only gateway, not to NAT")
            elif target == "eigw" and plan.ipv6_cidr is None:
                problems.append(f"{where}: an egress-only gateway needs IPv6 in the VPC")
            elif target == "eigw" and route.destination.version != 6:
                problems.append(f"{where}: an egress-only internet gateway carries IPv6 only")
            elif target == "local" and route.destination not in (plan.vpc_cidr, plan.ipv6_cidr):
                problems.append(f"{where}: 'local' covers only the VPC's own blocks")
            elif not target:
                problems.append(f"route table {table.name}: a route has no target")
    return problems


# ------------------------------------------------------------------------ planning


def _as_tier(value: Tier | Sequence[Any] | dict[str, Any]) -> Tier:
    if isinstance(value, Tier):
        return value
    if isinstance(value, dict):
        return Tier(**value)
    return Tier(*value)


def plan_network(
    vpc_cidr: str | IPv4Network = "10.0.0.0/16",
    azs: Sequence[str] = ("a", "b"),
    tiers: Sequence[Tier | Sequence[Any] | dict[str, Any]] = DEFAULT_TIERS,
    *,
    ipv6: bool | str | IPv6Network = False,
    nat: str = "single",
    spare_tiers: int = 1,
    alb: bool = True,
    name: str = "cloudlab",
) -> NetworkPlan:
    """Plan a VPC: one subnet per tier per Availability Zone, route tables, room to grow.

    Subnets are placed largest first, each aligned to its own size, with
    :func:`cloudlab.net.vlsm` in AWS mode (every subnet gets ``hosts + 5`` addresses
    or more). For each tier, ``spare_tiers`` more blocks of the same size are kept free,
    named ``"<tier>-spare"``, so the tier can grow into another AZ; what is left of the
    VPC is listed too, as ``"free-1"``, ``"free-2"``, ...

    Route tables: ``public`` (local, 0.0.0.0/0 → internet gateway, and ::/0 → internet
    gateway with IPv6); for private tiers ``private-<az>`` per AZ (0.0.0.0/0 → that AZ's
    NAT gateway) when ``nat="per-az"``, or one ``private`` table to the NAT gateway in
    the first AZ when ``nat="single"`` (plus ::/0 → egress-only internet gateway with
    IPv6); ``isolated`` (local routes only).

    Parameters
    ----------
    vpc_cidr : str or IPv4Network, default "10.0.0.0/16"
        The VPC's IPv4 block, /16 to /28.
    azs : sequence of str, default ("a", "b")
        Availability Zone letters.
    tiers : sequence of Tier (or tuples / dicts of Tier's fields)
        Default: :data:`DEFAULT_TIERS` (public /24, app private 1,000 hosts, data
        isolated /24).
    ipv6 : bool or str or IPv6Network, default False
        True for an Amazon-provided /56 (a placeholder from 2001:db8::/32 until AWS
        assigns it), or the /56 itself.
    nat : {"single", "per-az", "none"}, default "single"
        One NAT gateway for all private subnets, one per AZ, or none.
    spare_tiers : int, default 1
        Spare blocks kept free per tier (0 for none).
    alb : bool, default True
        The public tier hosts an Application Load Balancer: require two AZs.
    name : str, default "cloudlab"
        The plan's name (lowercase letters, digits, hyphens), used in resource names
        and in the ``cloudlab:plan`` tag.

    Returns
    -------
    NetworkPlan

    Raises
    ------
    ValueError
        The first AWS rule (or input rule) the request breaks, in one line, e.g.
        ``"tier 'app': /29 is not an AWS subnet size; ..."``.

    Examples
    --------
    >>> plan = plan_network("10.0.0.0/16", ("a", "b"))
    >>> [str(s.cidr) for s in plan.subnets_of_kind("private")]
    ['10.0.0.0/22', '10.0.4.0/22']
    >>> plan.route_table_for("app-b").target_for("0.0.0.0/0")
    'nat-a'
    """
    vpc, azs, tier_list, v6_block = _checked_request(
        vpc_cidr, azs, tiers, ipv6=ipv6, nat=nat, spare_tiers=spare_tiers, alb=alb, name=name
    )
    _check_fits(vpc, tier_list, len(azs), spare_tiers)  # before building any list
    allocations, spare_labels = _allocate(vpc, tier_list, azs, spare_tiers)
    subnets = _subnet_plans(tier_list, azs, allocations, v6_block, nat)
    tables = _route_tables(vpc, v6_block, azs, subnets, nat)
    reserved = [allocations[label] for label in spare_labels]
    free = [
        b
        for b in free_blocks(vpc, [s.cidr for s in subnets] + reserved)
        if isinstance(b, IPv4Network)  # all of them: they are blocks of an IPv4 VPC
    ]
    spare = tuple(reserved) + tuple(free)
    spare_names = tuple(spare_labels) + tuple(f"free-{i + 1}" for i in range(len(free)))
    plan = NetworkPlan(
        name=name,
        vpc_cidr=vpc,
        ipv6_cidr=v6_block,
        azs=azs,
        tiers=tier_list,
        subnets=tuple(subnets),
        route_tables=tables,
        nat=nat,
        spare=spare,
        spare_names=spare_names,
        alb=alb,
    )
    return plan.validate()


def _checked_request(
    vpc_cidr: str | IPv4Network,
    azs: Sequence[str],
    tiers: Iterable[Tier | Sequence[Any] | dict[str, Any]],
    *,
    ipv6: bool | str | IPv6Network,
    nat: str,
    spare_tiers: int,
    alb: bool,
    name: str,
) -> tuple[IPv4Network, tuple[str, ...], tuple[Tier, ...], IPv6Network | None]:
    """:func:`plan_network`'s inputs checked, in the order a reader meets them.

    Returns the VPC block, the AZ letters, the tiers and the IPv6 block (or None);
    raises a one-line ValueError for the first rule broken.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"plan name {name!r}: use lowercase letters, digits and hyphens, starting with "
            "a letter, e.g. 'cloudlab'"
        )
    if isinstance(azs, str):
        azs = tuple(azs)  # "ab" -> ("a", "b")
    if not isinstance(azs, Iterable):
        raise ValueError(f"azs={azs!r:.40}: give Availability Zone letters, e.g. ('a', 'b')")
    az_list = tuple(azs)
    try:
        vpc = parse_network(vpc_cidr)
    except ValueError as error:
        raise ValueError(f"VPC block: {error}") from None
    if not isinstance(vpc, IPv4Network):
        raise ValueError(
            f"{vpc}: give the VPC an IPv4 block such as 10.0.0.0/16; IPv6 comes on top "
            "as an Amazon-provided /56 (ipv6=True)"
        )
    aws_rules.check_aws_vpc(vpc)
    for problem in _az_problems(az_list):
        raise ValueError(problem)
    try:
        tier_list = tuple(_as_tier(t) for t in tiers)
    except TypeError as error:
        raise ValueError(
            f"a tier is malformed ({error}); use Tier(name, kind, hosts=...)"
        ) from None
    for problem in _tier_problems(tier_list):
        raise ValueError(problem)
    kinds = [t.kind for t in tier_list]
    alb_problem = _alb_problem(az_list, "public" in kinds, alb)
    if alb_problem:
        raise ValueError(alb_problem)
    for problem in _nat_problems(nat, kinds):
        raise ValueError(problem)
    if isinstance(spare_tiers, bool) or not isinstance(spare_tiers, int) or spare_tiers < 0:
        raise ValueError(f"spare_tiers must be a whole number 0 or more, not {spare_tiers!r}")
    v6_block: IPv6Network | None
    if ipv6 is True:
        v6_block = PLACEHOLDER_IPV6
    elif isinstance(ipv6, bool) or ipv6 is None:
        v6_block = None
    else:
        v6_block = _check_ipv6_block(ipv6)
    count = len(tier_list) * len(az_list)
    if v6_block is not None and count > _IPV6_SLOTS:
        raise ValueError(
            f"IPv6: a /56 holds {_IPV6_SLOTS} subnets of /64 and this plan needs {count}"
        )
    return vpc, az_list, tier_list, v6_block


def _allocate(
    vpc: IPv4Network, tier_list: tuple[Tier, ...], azs: tuple[str, ...], spare_tiers: int
) -> tuple[dict[str, IPv4Network], list[str]]:
    """Every tier in every AZ, then the spare blocks, placed by :func:`vlsm` (AWS mode).

    Returns the blocks by label (``"<tier>-<az>"``, ``"<tier>-spare"``) and the spare
    blocks' labels.
    """
    labels: list[str] = []
    hosts: list[int] = []
    for tier in tier_list:
        size = _tier_hosts(tier)
        for az in azs:
            labels.append(f"{tier.name}-{az}")
            hosts.append(size)
    spare_labels: list[str] = []
    for tier in tier_list:
        for i in range(spare_tiers):
            label = f"{tier.name}-spare" if spare_tiers == 1 else f"{tier.name}-spare-{i + 1}"
            spare_labels.append(label)
            hosts.append(_tier_hosts(tier))
    allocations: dict[str, IPv4Network] = {}
    for a in vlsm(vpc, hosts, aws=True, names=labels + spare_labels):
        assert isinstance(a.network, IPv4Network)  # placed in an IPv4 VPC
        allocations[a.name] = a.network
    return allocations, spare_labels


def _subnet_plans(
    tier_list: tuple[Tier, ...],
    azs: tuple[str, ...],
    allocations: dict[str, IPv4Network],
    v6_block: IPv6Network | None,
    nat: str,
) -> list[SubnetPlan]:
    """One subnet per tier per AZ: its block, its /64 of the IPv6 block, its route table."""
    private_table = {az: (f"private-{az}" if nat == "per-az" else "private") for az in azs}
    v6_slot = 0
    subnets: list[SubnetPlan] = []
    for tier in tier_list:
        for az in azs:
            table = {"public": "public", "isolated": "isolated"}.get(tier.kind, private_table[az])
            ipv6_cidr = None
            if v6_block is not None:
                ipv6_cidr = IPv6Network(
                    (int(v6_block.network_address) + (v6_slot << (128 - _IPV6_SUBNET_PREFIX)), 64)
                )
                v6_slot += 1
            subnets.append(
                SubnetPlan(
                    name=f"{tier.name}-{az}",
                    tier=tier.name,
                    az=az,
                    cidr=allocations[f"{tier.name}-{az}"],
                    ipv6_cidr=ipv6_cidr,
                    route_table=table,
                    kind=tier.kind,
                )
            )
    return subnets


def _tier_hosts(tier: Tier) -> int:
    """The host count that makes :func:`vlsm` choose the tier's subnet size."""
    if tier.prefix is not None:
        return (1 << (32 - tier.prefix)) - aws_rules.RESERVED_PER_SUBNET
    assert tier.hosts is not None  # a Tier has a prefix or a host count (Tier checks it)
    return int(tier.hosts)


def _tier_prefix(tier: Tier) -> int:
    if tier.prefix is not None:
        return tier.prefix
    assert tier.hosts is not None  # a Tier has a prefix or a host count (Tier checks it)
    needed = int(tier.hosts) + aws_rules.RESERVED_PER_SUBNET
    return min(32 - (needed - 1).bit_length(), max(aws_rules.IPV4_SUBNET_PREFIXES))


def _check_fits(vpc: IPv4Network, tiers: Sequence[Tier], n_azs: int, spare: int) -> None:
    """Say, in one line, how much the plan needs when it does not fit the VPC."""
    per_tier = [1 << (32 - _tier_prefix(t)) for t in tiers]
    used = sum(per_tier) * n_azs
    with_spare = sum(per_tier) * (n_azs + spare)
    have = vpc.num_addresses
    if with_spare <= have:
        return
    shape = f"{n_azs} AZ{'s' * (n_azs > 1)} × {len(tiers)} tier{'s' * (len(tiers) > 1)}"
    if used > have:
        raise ValueError(
            f"the plan does not fit in {vpc} ({have:,} addresses): {shape} need {used:,} "
            "addresses (each subnet rounded up to a power of two, 5 reserved in each); "
            "use a larger VPC block or smaller tiers"
        )
    raise ValueError(
        f"the plan does not fit in {vpc} ({have:,} addresses) with {spare} spare block"
        f"{'s' * (spare > 1)} per tier: {shape} + spares need {with_spare:,} addresses "
        f"({used:,} without spares); keep fewer spare blocks per tier (0 for none) "
        "or use a larger VPC block"
    )


def _route_tables(
    vpc: IPv4Network,
    v6: IPv6Network | None,
    azs: Sequence[str],
    subnets: Sequence[SubnetPlan],
    nat: str,
) -> tuple[RouteTablePlan, ...]:
    local = [Route(vpc, "local")] + ([Route(v6, "local")] if v6 is not None else [])
    any4 = IPv4Network("0.0.0.0/0")
    any6 = IPv6Network("::/0")
    tables: list[RouteTablePlan] = []

    def members(table: str) -> tuple[str, ...]:
        return tuple(s.name for s in subnets if s.route_table == table)

    if members("public"):
        routes = [*local, Route(any4, "igw")] + ([Route(any6, "igw")] if v6 is not None else [])
        tables.append(RouteTablePlan("public", tuple(routes), members("public")))
    private_names = list(dict.fromkeys(s.route_table for s in subnets if s.kind == "private"))
    for table in private_names:
        routes = list(local)
        if nat != "none":
            az = table.removeprefix("private-") if nat == "per-az" else azs[0]
            routes.append(Route(any4, f"nat-{az}"))
        if v6 is not None:
            routes.append(Route(any6, "eigw"))
        tables.append(RouteTablePlan(table, tuple(routes), members(table)))
    if members("isolated"):
        tables.append(RouteTablePlan("isolated", tuple(local), members("isolated")))
    return tuple(tables)


def parse_tiers(text: str) -> list[Tier]:
    """Read tiers typed one per line as ``name kind size``.

    ``size`` is a host count (``500``) or a prefix (``/24``); commas may separate the
    parts, a semicolon may end a line (so that one line of text holds several tiers:
    ``"public public /24; app private 1000"``), and lines starting with ``#`` are
    ignored. Example::

        public  public   /24
        app     private  1000
        data    isolated /26

    Parameters
    ----------
    text : str

    Returns
    -------
    list of Tier

    Raises
    ------
    ValueError
        Naming the line that cannot be read.
    """
    tiers = []
    for number, raw in enumerate(str(text).replace(";", "\n").splitlines(), start=1):
        line = raw.split("#", 1)[0].replace(",", " ").strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(
                f"line {number} ({raw.strip()!r}): write 'name kind size', e.g. 'app private 500'"
            )
        tier_name, kind, size = parts
        prefix = digits(size[1:]) if size.startswith("/") else None
        hosts = digits(size.replace("_", ""))
        if size.startswith("/"):
            if prefix is None:
                raise ValueError(f"line {number}: {size[:40]!r} is not a prefix such as /24")
            tiers.append(Tier(tier_name, kind.lower(), prefix=prefix))
        elif hosts is not None:
            tiers.append(Tier(tier_name, kind.lower(), hosts=hosts))
        else:
            raise ValueError(
                f"line {number}: {size!r} is neither a host count (500) nor a prefix (/24)"
            )
    if not tiers:
        raise ValueError(
            "give at least one tier, one per line: name kind size, e.g. 'app private 500'"
        )
    return tiers
