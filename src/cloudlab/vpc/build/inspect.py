"""Read a built network back from AWS and compare it with its plan.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb, "Build it, step by step").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudlab.aws.session import Connection
from cloudlab.vpc.build.spec import APP_PORT, BuiltNetwork, SecurityRule, security_group_rules
from cloudlab.vpc.plan import NetworkPlan, RouteTablePlan, SubnetPlan

# ----------------------------------------------------------------- describe, verify


@dataclass
class DescribedNetwork:
    """What AWS says exists, in the plan's own names (subnet names, AZ letters, route targets).

    Attributes
    ----------
    vpc_cidr, ipv6_cidr : str or None
    dns_hostnames : bool or None
    subnets : dict
        Name → ``{"cidr", "ipv6_cidr", "az", "zone"}``.
    route_tables : dict
        Name → ``{"routes": sorted (destination, target) pairs, "subnets": sorted names}``.
    nat_gateways : dict
        AZ letter → ``{"subnet", "state", "public_ip"}``.
    internet_gateway_attached : bool
    egress_only_gateway : bool
    security_groups : dict
        Role → ``{"ingress": set of SecurityRule, "egress": set of SecurityRule}``.
    """

    vpc_cidr: str | None = None
    ipv6_cidr: str | None = None
    dns_hostnames: bool | None = None
    subnets: dict[str, dict[str, Any]] = field(default_factory=dict)
    route_tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    nat_gateways: dict[str, dict[str, Any]] = field(default_factory=dict)
    internet_gateway_attached: bool = False
    egress_only_gateway: bool = False
    security_groups: dict[str, dict[str, set[SecurityRule]]] = field(default_factory=dict)


def _rules_read_back(permissions: list[dict[str, Any]], roles: dict[str, str]) -> set[SecurityRule]:
    rules = set()
    for p in permissions:
        protocol = str(p.get("IpProtocol", "-1"))
        low, high = int(p.get("FromPort", -1)), int(p.get("ToPort", -1))
        for r in p.get("IpRanges", []):
            rules.add(SecurityRule(protocol, low, high, r["CidrIp"]))
        for r in p.get("Ipv6Ranges", []):
            rules.add(SecurityRule(protocol, low, high, r["CidrIpv6"]))
        for r in p.get("UserIdGroupPairs", []):
            rules.add(
                SecurityRule(protocol, low, high, f"sg:{roles.get(r['GroupId'], r['GroupId'])}")
            )
    return rules


def _route_target(route: dict[str, Any], built: BuiltNetwork, nat_azs: dict[str, str]) -> str:
    """A route's target read back, in the plan's words (``igw``, ``nat-a``, ``local``…)."""
    if route.get("State") == "blackhole":
        return "blackhole"
    if route.get("GatewayId") == "local":
        return "local"
    if route.get("GatewayId") and route["GatewayId"] == built.igw_id:
        return "igw"
    if route.get("EgressOnlyInternetGatewayId"):
        eigw = str(route["EgressOnlyInternetGatewayId"])
        return "eigw" if eigw == built.eigw_id else eigw
    if route.get("NatGatewayId"):
        nat = str(route["NatGatewayId"])
        return f"nat-{nat_azs[nat]}" if nat in nat_azs else nat
    return next((str(v) for k, v in route.items() if k.endswith("Id")), "?")


def _describe_vpc(ec2: Any, built: BuiltNetwork, seen: DescribedNetwork) -> None:
    vpc = ec2.describe_vpcs(VpcIds=[built.vpc_id])["Vpcs"][0]
    seen.vpc_cidr = vpc["CidrBlock"]
    seen.ipv6_cidr = next(
        (
            a["Ipv6CidrBlock"]
            for a in vpc.get("Ipv6CidrBlockAssociationSet", [])
            if a.get("Ipv6CidrBlock")
        ),
        None,
    )
    attribute = ec2.describe_vpc_attribute(VpcId=built.vpc_id, Attribute="enableDnsHostnames")
    seen.dns_hostnames = bool(attribute["EnableDnsHostnames"]["Value"])


def _describe_subnets(ec2: Any, built: BuiltNetwork, seen: DescribedNetwork) -> None:
    subnet_names = {v: k for k, v in built.subnet_ids.items()}
    zone_letters = {v: k for k, v in built.az_names.items()}
    vpc_filter = [{"Name": "vpc-id", "Values": [built.vpc_id]}]
    for s in ec2.describe_subnets(Filters=vpc_filter)["Subnets"]:
        name = subnet_names.get(s["SubnetId"], s["SubnetId"])
        v6 = [a["Ipv6CidrBlock"] for a in s.get("Ipv6CidrBlockAssociationSet", [])]
        seen.subnets[name] = {
            "cidr": s["CidrBlock"],
            "ipv6_cidr": v6[0] if v6 else None,
            "az": zone_letters.get(s["AvailabilityZone"], s["AvailabilityZone"]),
            "zone": s["AvailabilityZone"],
        }


def _describe_route_tables(ec2: Any, built: BuiltNetwork, seen: DescribedNetwork) -> None:
    subnet_names = {v: k for k, v in built.subnet_ids.items()}
    nat_azs = {v: k for k, v in built.nat_ids.items()}
    table_names = {v: k for k, v in built.route_table_ids.items()}
    vpc_filter = [{"Name": "vpc-id", "Values": [built.vpc_id]}]
    for t in ec2.describe_route_tables(Filters=vpc_filter)["RouteTables"]:
        if t["RouteTableId"] not in table_names:
            continue  # the VPC's main route table, which the plan does not use
        routes = []
        for r in t.get("Routes", []):
            destination = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            if destination is not None:
                target = _route_target(r, built, nat_azs)
                routes.append((str(ipaddress.ip_network(destination)), target))
        members = [
            subnet_names.get(a["SubnetId"], a["SubnetId"])
            for a in t.get("Associations", [])
            if a.get("SubnetId")
        ]
        seen.route_tables[table_names[t["RouteTableId"]]] = {
            "routes": sorted(routes),
            "subnets": sorted(members),
        }


def _describe_gateways(ec2: Any, built: BuiltNetwork, seen: DescribedNetwork) -> None:
    subnet_names = {v: k for k, v in built.subnet_ids.items()}
    nat_azs = {v: k for k, v in built.nat_ids.items()}
    if built.nat_ids:
        listed = ec2.describe_nat_gateways(NatGatewayIds=list(built.nat_ids.values()))
        for n in listed["NatGateways"]:
            addresses = n.get("NatGatewayAddresses", [])
            seen.nat_gateways[nat_azs.get(n["NatGatewayId"], n["NatGatewayId"])] = {
                "subnet": subnet_names.get(n["SubnetId"], n["SubnetId"]),
                "state": n["State"],
                "public_ip": addresses[0].get("PublicIp") if addresses else None,
            }
    if built.igw_id:
        listed = ec2.describe_internet_gateways(InternetGatewayIds=[built.igw_id])
        igw = listed["InternetGateways"][0]
        seen.internet_gateway_attached = any(
            a.get("VpcId") == built.vpc_id and a.get("State") in ("attached", "available")
            for a in igw.get("Attachments", [])
        )
    if built.eigw_id:
        found = ec2.describe_egress_only_internet_gateways(
            EgressOnlyInternetGatewayIds=[built.eigw_id]
        )
        seen.egress_only_gateway = bool(found.get("EgressOnlyInternetGateways"))


def _describe_security_groups(ec2: Any, built: BuiltNetwork, seen: DescribedNetwork) -> None:
    roles = {v: k for k, v in built.security_group_ids.items()}
    if roles:
        for g in ec2.describe_security_groups(GroupIds=list(roles))["SecurityGroups"]:
            seen.security_groups[roles[g["GroupId"]]] = {
                "ingress": _rules_read_back(g.get("IpPermissions", []), roles),
                "egress": _rules_read_back(g.get("IpPermissionsEgress", []), roles),
            }


def _placed(plan: NetworkPlan, described: DescribedNetwork) -> NetworkPlan:
    """The plan with its IPv6 blocks inside the /56 AWS gave the VPC (if it gave a /56)."""
    if (
        plan.ipv6_cidr is not None
        and described.ipv6_cidr is not None
        and ipaddress.ip_network(described.ipv6_cidr).prefixlen == 56
    ):
        return plan.with_ipv6(described.ipv6_cidr)
    return plan


@dataclass(frozen=True)
class _Expected:
    """What :func:`verify` compares with: the plan, that plan in the real /56, the app port."""

    plan: NetworkPlan
    placed: NetworkPlan
    app_port: int


def _check_vpc(want: _Expected, seen: DescribedNetwork) -> list[str]:
    """The VPC's blocks and DNS hostnames."""
    plan = want.plan
    out: list[str] = []
    if seen.vpc_cidr != str(plan.vpc_cidr):
        out.append(f"VPC block is {seen.vpc_cidr}, planned {plan.vpc_cidr}")
    if plan.ipv6_cidr is not None:
        if seen.ipv6_cidr is None:
            out.append("the VPC has no IPv6 block, but the plan asks for an Amazon-provided /56")
        elif ipaddress.ip_network(seen.ipv6_cidr).prefixlen != 56:
            out.append(f"the VPC's IPv6 block {seen.ipv6_cidr} is not a /56")
    elif seen.ipv6_cidr is not None:
        out.append(f"the VPC has IPv6 {seen.ipv6_cidr}, but the plan is IPv4 only")
    if seen.dns_hostnames is not True:
        out.append("DNS hostnames are off in the VPC")
    return out


def _planned_subnets(want: _Expected) -> dict[str, SubnetPlan]:
    return {s.name: s for s in want.placed.subnets}


def _check_subnet(name: str, got: dict[str, Any], s: SubnetPlan) -> list[str]:
    out: list[str] = []
    if got["cidr"] != str(s.cidr):
        out.append(f"subnet {name} is {got['cidr']}, planned {s.cidr}")
    if got["az"] != s.az:
        out.append(f"subnet {name} is in AZ {got['az']}, planned {s.az}")
    want6 = None if s.ipv6_cidr is None else str(s.ipv6_cidr)
    if got["ipv6_cidr"] != want6:
        out.append(f"subnet {name} has IPv6 {got['ipv6_cidr']}, planned {want6}")
    return out


def _check_subnet_spread(want: _Expected, seen: DescribedNetwork) -> list[str]:
    """No unplanned subnet, distinct zones per AZ letter, each tier across every AZ."""
    plan = want.plan
    out = [
        f"subnet {name} exists but is not in the plan"
        for name in sorted(set(seen.subnets) - {s.name for s in plan.subnets})
    ]
    zones: dict[str, set[str]] = {}
    for got in seen.subnets.values():
        zones.setdefault(got["az"], set()).add(got["zone"])
    letters_by_zone: dict[str, set[str]] = {}
    for letter, names in zones.items():
        for zone in names:
            letters_by_zone.setdefault(zone, set()).add(letter)
    for zone, letters in letters_by_zone.items():
        if len(letters) > 1:
            out.append(f"AZs {', '.join(sorted(letters))} are the same zone {zone}")
    for tier in plan.tiers:
        members = {s.name for s in plan.subnets if s.tier == tier.name}
        spread = {g["zone"] for n, g in seen.subnets.items() if n in members}
        if len(spread) != len(plan.azs):
            out.append(f"tier {tier.name} spans {len(spread)} AZs, planned {len(plan.azs)}")
    return out


def _planned_route_tables(want: _Expected) -> dict[str, RouteTablePlan]:
    return {t.name: t for t in want.placed.route_tables}


def _check_route_table(name: str, got: dict[str, Any], table: RouteTablePlan) -> list[str]:
    out: list[str] = []
    wanted = sorted((str(r.destination), r.target) for r in table.routes)
    if got["routes"] != wanted:
        missing = sorted(set(wanted) - set(got["routes"]))
        extra = sorted(set(got["routes"]) - set(wanted))
        out.append(
            f"route table {name}: "
            + "; ".join(
                [f"missing {d} → {t}" for d, t in missing]
                + [f"unplanned {d} → {t}" for d, t in extra]
            )
        )
    if got["subnets"] != sorted(table.subnets):
        out.append(
            f"route table {name} is associated with "
            f"{', '.join(got['subnets']) or 'nothing'}, "
            f"planned {', '.join(sorted(table.subnets))}"
        )
    return out


def _planned_nat_gateways(want: _Expected) -> dict[str, str]:
    """AZ letter → the name of the subnet its NAT gateway belongs in."""
    return {az: want.plan.nat_subnet(az).name for az in want.plan.nat_azs}


def _check_nat_gateway(az: str, got: dict[str, Any], subnet: str) -> list[str]:
    out: list[str] = []
    if got["subnet"] != subnet:
        out.append(f"the NAT gateway of AZ {az} is in {got['subnet']}, planned {subnet}")
    if got["state"] != "available":
        out.append(f"the NAT gateway of AZ {az} is {got['state']}, not available")
    return out


def _check_internet_gateways(want: _Expected, seen: DescribedNetwork) -> list[str]:
    """The internet gateway, and the egress-only one exactly when the plan has IPv6."""
    out: list[str] = []
    if not seen.internet_gateway_attached:
        out.append("no internet gateway is attached to the VPC")
    ipv6 = want.plan.ipv6_cidr is not None
    if ipv6 != seen.egress_only_gateway:
        out.append(
            "the egress-only internet gateway is missing"
            if ipv6
            else "an egress-only internet gateway exists in an IPv4-only plan"
        )
    return out


def _planned_security_groups(want: _Expected) -> dict[str, dict[str, Any]]:
    return dict(security_group_rules(want.plan, want.app_port))


def _check_security_group(role: str, got: dict[str, Any], rules: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for direction in ("ingress", "egress"):
        wanted = set(rules[direction])
        if got[direction] != wanted:
            missing = ", ".join(sorted(map(str, wanted - got[direction]))) or "nothing"
            extra = ", ".join(sorted(map(str, got[direction] - wanted))) or "nothing"
            out.append(f"security group {role} {direction}: missing {missing}; unplanned {extra}")
    return out


@dataclass(frozen=True, kw_only=True)
class _Part:
    """One part of the network: how :func:`describe` reads it and how :func:`verify` checks it.

    Attributes
    ----------
    read : callable
        The describe calls: (EC2 client, build record, what is read so far) → None.
    attribute : str or None
        The :class:`DescribedNetwork` field holding one entry per planned item (name → fields),
        checked item by item.
    planned : callable or None
        The planned items, name → what was planned.
    missing : str
        What :func:`verify` says of a planned item not read back (``{name}`` filled in).
    item : callable or None
        Checks of one item: (name, read back, planned) → lines.
    whole : callable or None
        Checks of the part as a whole, after its items: (expected, read back) → lines.
    """

    read: Callable[[Any, BuiltNetwork, DescribedNetwork], None]
    attribute: str | None = None
    planned: Callable[[_Expected], dict[str, Any]] | None = None
    missing: str = ""
    item: Callable[[str, dict[str, Any], Any], list[str]] | None = None
    whole: Callable[[_Expected, DescribedNetwork], list[str]] | None = None

    def differences(self, want: _Expected, seen: DescribedNetwork) -> list[str]:
        """One line per way this part differs from the plan."""
        out: list[str] = []
        if self.attribute and self.planned and self.item:
            found = getattr(seen, self.attribute)
            for name, planned in self.planned(want).items():
                got = found.get(name)
                if got is None:
                    out.append(self.missing.format(name=name))
                else:
                    out += self.item(name, got, planned)
        return out + (self.whole(want, seen) if self.whole else [])


#: Every part of the network, in the order :func:`describe` reads and :func:`verify` checks.
_PARTS = (
    _Part(read=_describe_vpc, whole=_check_vpc),
    _Part(
        read=_describe_subnets,
        attribute="subnets",
        planned=_planned_subnets,
        missing="subnet {name} is missing",
        item=_check_subnet,
        whole=_check_subnet_spread,
    ),
    _Part(
        read=_describe_route_tables,
        attribute="route_tables",
        planned=_planned_route_tables,
        missing="route table {name} is missing",
        item=_check_route_table,
    ),
    _Part(
        read=_describe_gateways,
        attribute="nat_gateways",
        planned=_planned_nat_gateways,
        missing="the NAT gateway of AZ {name} is missing",
        item=_check_nat_gateway,
        whole=_check_internet_gateways,
    ),
    _Part(
        read=_describe_security_groups,
        attribute="security_groups",
        planned=_planned_security_groups,
        missing="security group {name} is missing",
        item=_check_security_group,
    ),
)


def describe(conn: Connection, built: BuiltNetwork) -> DescribedNetwork:
    """Read back everything a build created (describe_* calls only).

    Returns
    -------
    DescribedNetwork
    """
    seen = DescribedNetwork()
    if not built.vpc_id:
        return seen
    ec2 = conn.client("ec2")
    for part in _PARTS:
        part.read(ec2, built, seen)
    return seen


def verify(
    plan: NetworkPlan, described: DescribedNetwork, *, app_port: int = APP_PORT
) -> list[str]:
    """Compare what AWS reports with the plan, one line per difference.

    Checks the VPC's blocks and DNS hostnames, every subnet's IPv4 and IPv6 block and
    AZ (and that different letters are different zones), the spread of each tier over
    the AZs, every route table's routes and associations, the NAT gateways' subnets
    and state, the gateways, and the security groups' rules.

    Returns
    -------
    list of str
        Empty when what exists matches the plan.
    """
    want = _Expected(plan, _placed(plan, described), app_port)
    return [line for part in _PARTS for line in part.differences(want, described)]
