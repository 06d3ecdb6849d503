"""Build a network plan with boto3, one AWS concept per function; describe, verify, tear down.

Every function takes a :class:`~cloudlab.aws.session.Connection` (the local emulator
unless the reader opted into a real account), the :class:`~cloudlab.vpc.plan.NetworkPlan`
and a :class:`BuiltNetwork` record. Each step writes the id of everything it creates
into the record *as soon as AWS returns it*, prints one line saying what it made, and
returns it, so that :func:`teardown` can always delete exactly what exists, in
dependency order, however far a build got. Before a billable resource is created the
step prints its dated price (:meth:`Connection.costs`, prices from
:mod:`cloudlab.vpc.prices`).

:func:`build_network` runs the steps in order after checking every rule of the plan
(the emulator does not enforce several of AWS's rules); if any step fails it deletes
what was made and raises :class:`BuildError` with one line saying where and why.
:func:`describe` reads everything back, :func:`verify` compares it with the plan, and
:func:`leftovers` lists anything still tagged ``cloudlab:plan``.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import first_line, run_steps
from cloudlab.vpc.plan import TAG_KEY, NetworkPlan
from cloudlab.vpc.prices import PRICES

__all__ = [
    "APP_PORT",
    "BuildError",
    "BuiltNetwork",
    "DescribedNetwork",
    "SecurityRule",
    "associate_route_tables",
    "build_network",
    "create_egress_only_internet_gateway",
    "create_internet_gateway",
    "create_nat_gateways",
    "create_route_tables",
    "create_security_groups",
    "create_subnets",
    "create_vpc",
    "describe",
    "leftovers",
    "resolve_azs",
    "security_group_rules",
    "teardown",
    "temporary_network",
    "verify",
]

#: The port the Flask app's container listens on (see labs/flask_app).
APP_PORT = 5000
_ANY4 = "0.0.0.0/0"
_ANY6 = "::/0"


class BuildError(RuntimeError):
    """A build failed part-way; what it had created has been deleted."""


@dataclass
class BuiltNetwork:
    """The id of everything a build created, filled in step by step.

    Attributes
    ----------
    plan : str
        The plan's name, also the value of every resource's ``cloudlab:plan`` tag.
    region : str
        Where it was built (only the connection knows; never written into the project).
    az_names : dict
        AZ letter → the Availability Zone's name in that region.
    vpc_id, igw_id, eigw_id : str or None
    ipv6_cidr : str or None
        The /56 AWS assigned.
    igw_attached : bool
    subnet_ids : dict
        Subnet name → id.
    allocation_ids, nat_ids : dict
        AZ letter → Elastic IP allocation id, NAT gateway id.
    route_table_ids : dict
        Route table name → id.
    association_ids : dict
        Subnet name → route table association id.
    security_group_ids : dict
        ``"alb"`` / ``"app"`` → security group id.
    """

    plan: str
    region: str = ""
    az_names: dict[str, str] = field(default_factory=dict)
    vpc_id: str | None = None
    ipv6_cidr: str | None = None
    subnet_ids: dict[str, str] = field(default_factory=dict)
    igw_id: str | None = None
    igw_attached: bool = False
    eigw_id: str | None = None
    allocation_ids: dict[str, str] = field(default_factory=dict)
    nat_ids: dict[str, str] = field(default_factory=dict)
    route_table_ids: dict[str, str] = field(default_factory=dict)
    association_ids: dict[str, str] = field(default_factory=dict)
    security_group_ids: dict[str, str] = field(default_factory=dict)

    def ids(self) -> list[str]:
        """Every resource id in the record, in creation order."""
        found = [self.vpc_id, *self.subnet_ids.values(), self.igw_id, self.eigw_id]
        found += [*self.allocation_ids.values(), *self.nat_ids.values()]
        found += [*self.route_table_ids.values(), *self.association_ids.values()]
        found += list(self.security_group_ids.values())
        return [i for i in found if i]

    @property
    def empty(self) -> bool:
        """True when nothing is recorded (nothing to tear down)."""
        return not self.ids()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class SecurityRule:
    """One security group rule, as planned and as read back.

    Attributes
    ----------
    protocol : str
        ``"tcp"``, ``"udp"``, ``"icmp"`` or ``"-1"`` (all).
    from_port, to_port : int
        Port range (``-1`` for all).
    peer : str
        A CIDR block, or ``"sg:<role>"`` for another security group of the plan.
    description : str
        Why the rule exists (not compared by :func:`verify`).
    """

    protocol: str
    from_port: int
    to_port: int
    peer: str
    description: str = field(default="", compare=False)

    def __str__(self) -> str:
        ports = "all traffic" if self.protocol == "-1" else f"{self.protocol} {self.from_port}"
        if self.to_port != self.from_port and self.protocol != "-1":
            ports += f"–{self.to_port}"
        return f"{ports} {self.peer}"


def security_group_rules(
    plan: NetworkPlan, app_port: int = APP_PORT
) -> dict[str, dict[str, tuple[SecurityRule, ...]]]:
    """The two security groups of the book's design, as data.

    * ``alb`` (the load balancer): inbound HTTP 80 and HTTPS 443 from anywhere, over
      IPv4 and, with IPv6, over IPv6; outbound only to the app group on ``app_port``.
    * ``app`` (the Flask tasks): inbound ``app_port`` only from the ``alb`` group;
      outbound all traffic to anywhere (image pulls, AWS APIs, other services, through
      the NAT gateway): AWS's default outbound rule, written out so it is visible and
      can be narrowed (to TCP 443, say). Replies to allowed connections need no rule:
      security groups are stateful. These are the groups
      :data:`cloudlab.vpc.firewall.BOOK_GROUPS` simulates.

    Parameters
    ----------
    plan : NetworkPlan
    app_port : int, default 5000

    Returns
    -------
    dict
        Role → ``{"ingress": rules, "egress": rules}``.
    """
    if not 1 <= app_port <= 65535:
        raise ValueError(f"app_port {app_port}: a TCP port is 1–65535")
    anywhere = [_ANY4] + ([_ANY6] if plan.ipv6_cidr is not None else [])
    alb_in = tuple(
        SecurityRule("tcp", port, port, cidr, f"{name} from anywhere")
        for port, name in ((80, "HTTP"), (443, "HTTPS"))
        for cidr in anywhere
    )
    return {
        "alb": {
            "ingress": alb_in,
            "egress": (SecurityRule("tcp", app_port, app_port, "sg:app", "to the app tasks only"),),
        },
        "app": {
            "ingress": (
                SecurityRule("tcp", app_port, app_port, "sg:alb", "only from the load balancer"),
            ),
            "egress": tuple(
                SecurityRule("-1", -1, -1, cidr, "all outbound: image pulls, AWS APIs")
                for cidr in anywhere
            ),
        },
    }


# ------------------------------------------------------------------------- helpers


def _tags(plan: NetworkPlan, resource_type: str, name: str) -> list[dict[str, Any]]:
    return [
        {
            "ResourceType": resource_type,
            "Tags": [
                {"Key": "Name", "Value": f"{plan.name}-{name}"},
                {"Key": TAG_KEY, "Value": plan.name},
            ],
        }
    ]


def _need(value: object, what: str, step: str) -> None:
    if not value:
        raise RuntimeError(f"{what} does not exist yet: run {step} first")


def _price_note(key: str) -> str:
    price = PRICES[key]
    extra = f" plus USD {price.usd_per_gb:.3f} per GB processed" if price.usd_per_gb else ""
    return f"{extra} (prices read {price.read}, source: {price.source})".lstrip()


# ----------------------------------------------------------------------- the steps


def resolve_azs(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> dict[str, str]:
    """Map the plan's AZ letters to the region's Availability Zones, in order (read-only).

    Letter ``a`` is the first available Availability Zone (by name), ``b`` the second,
    and so on; Local Zones and Wavelength Zones are left out.

    Returns
    -------
    dict
        Letter → Availability Zone name.

    Raises
    ------
    ValueError
        If the region has fewer Availability Zones than the plan uses.
    """
    ec2 = conn.client("ec2")
    zones = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])
    names = sorted(
        z["ZoneName"]
        for z in zones["AvailabilityZones"]
        if z.get("ZoneType", "availability-zone") == "availability-zone"
    )
    wanted = sorted(plan.azs)
    last = ord(wanted[-1]) - ord("a")
    if last >= len(names):
        raise ValueError(
            f"the plan uses AZ {wanted[-1]!r} but this region has {len(names)} available "
            f"Availability Zones (a–{chr(ord('a') + len(names) - 1)})"
        )
    built.az_names = {az: names[ord(az) - ord("a")] for az in plan.azs}
    built.region = conn.region
    if conn.real:
        shown = ", ".join(f"{a} → {n}" for a, n in built.az_names.items())
    else:  # the emulator's zone names are only labels: not worth printing
        shown = ", ".join(f"{a} → zone {ord(a) - ord('a') + 1}" for a in built.az_names)
    conn.say(f"Availability Zones (in name order): {shown}")
    return dict(built.az_names)


def _vpc_ipv6(conn: Connection, ec2: Any, vpc: dict[str, Any]) -> str | None:
    for attempt in range(30):
        for assoc in vpc.get("Ipv6CidrBlockAssociationSet", []):
            state = assoc.get("Ipv6CidrBlockState", {}).get("State")
            if state == "associated" and assoc.get("Ipv6CidrBlock"):
                return str(assoc["Ipv6CidrBlock"])
        if not conn.real or attempt == 29:
            break
        time.sleep(2)
        vpc = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    return None


def create_vpc(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> str:
    """Create the VPC with DNS hostnames on (and an Amazon-provided IPv6 /56 if planned).

    Returns
    -------
    str
        The VPC id.
    """
    ec2 = conn.client("ec2")
    want_v6 = plan.ipv6_cidr is not None
    vpc = ec2.create_vpc(
        CidrBlock=str(plan.vpc_cidr),
        AmazonProvidedIpv6CidrBlock=want_v6,
        TagSpecifications=_tags(plan, "vpc", "vpc"),
    )["Vpc"]
    built.vpc_id = vpc["VpcId"]
    if conn.real:
        ec2.get_waiter("vpc_available").wait(VpcIds=[built.vpc_id])
    ec2.modify_vpc_attribute(VpcId=built.vpc_id, EnableDnsHostnames={"Value": True})
    if want_v6:
        built.ipv6_cidr = _vpc_ipv6(conn, ec2, vpc)
        if built.ipv6_cidr is None:
            raise RuntimeError(f"{built.vpc_id}: AWS did not assign the IPv6 /56")
    v6 = f" + IPv6 {built.ipv6_cidr}" if built.ipv6_cidr else ""
    conn.say(f"VPC {built.vpc_id}: {plan.vpc_cidr}{v6}, DNS hostnames on")
    return built.vpc_id


def create_subnets(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> dict[str, str]:
    """Create one subnet per tier per AZ; IPv6 /64s sit where the plan put them in the real /56.

    Returns
    -------
    dict
        Subnet name → subnet id.
    """
    _need(built.vpc_id, "the VPC", "create_vpc")
    if not built.az_names:
        resolve_azs(conn, plan, built)
    ec2 = conn.client("ec2")
    placed = plan.with_ipv6(built.ipv6_cidr) if plan.ipv6_cidr and built.ipv6_cidr else plan
    for subnet in placed.subnets:
        kwargs: dict[str, Any] = {
            "VpcId": built.vpc_id,
            "CidrBlock": str(subnet.cidr),
            "AvailabilityZone": built.az_names[subnet.az],
            "TagSpecifications": _tags(plan, "subnet", subnet.name),
        }
        if subnet.ipv6_cidr is not None:
            kwargs["Ipv6CidrBlock"] = str(subnet.ipv6_cidr)
        built.subnet_ids[subnet.name] = ec2.create_subnet(**kwargs)["Subnet"]["SubnetId"]
    conn.say(
        f"{len(placed.subnets)} subnets: "
        + ", ".join(f"{s.name} {s.cidr}" for s in placed.subnets),
    )
    return dict(built.subnet_ids)


def create_internet_gateway(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> str:
    """Create the internet gateway and attach it to the VPC (a VPC has at most one).

    Returns
    -------
    str
        The internet gateway id.
    """
    _need(built.vpc_id, "the VPC", "create_vpc")
    ec2 = conn.client("ec2")
    igw = ec2.create_internet_gateway(TagSpecifications=_tags(plan, "internet-gateway", "igw"))
    built.igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=built.igw_id, VpcId=built.vpc_id)
    built.igw_attached = True
    conn.say(f"Internet gateway {built.igw_id}: attached to {built.vpc_id}")
    return built.igw_id


def create_nat_gateways(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> dict[str, str]:
    """Allocate an Elastic IP and create a NAT gateway in a public subnet, per NAT AZ.

    ``nat="single"``: one, in the first AZ; ``"per-az"``: one in every AZ. Prints the
    price of each before creating it, and waits until the gateways are available.

    Returns
    -------
    dict
        AZ letter → NAT gateway id (empty with ``nat="none"``).
    """
    if not plan.nat_azs:
        conn.say("NAT gateways: none in this plan")
        return {}
    _need(built.subnet_ids, "the subnets", "create_subnets")
    ec2 = conn.client("ec2")
    for az in plan.nat_azs:
        subnet = plan.nat_subnet(az)
        conn.costs(
            f"Elastic IP (public IPv4) for the NAT gateway in AZ {az}",
            PRICES["public-ipv4"].usd_per_hour,
            note=_price_note("public-ipv4"),
        )
        allocation = ec2.allocate_address(
            Domain="vpc", TagSpecifications=_tags(plan, "elastic-ip", f"nat-{az}")
        )
        built.allocation_ids[az] = allocation["AllocationId"]
        conn.costs(
            f"NAT gateway in AZ {az}",
            PRICES["nat-gateway"].usd_per_hour,
            note=_price_note("nat-gateway"),
        )
        nat = ec2.create_nat_gateway(
            SubnetId=built.subnet_ids[subnet.name],
            AllocationId=built.allocation_ids[az],
            TagSpecifications=_tags(plan, "natgateway", f"nat-{az}"),
        )
        built.nat_ids[az] = nat["NatGateway"]["NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=list(built.nat_ids.values()),
        WaiterConfig={"Delay": 15 if conn.real else 1, "MaxAttempts": 40},
    )
    conn.say(
        "NAT gateways available: "
        + ", ".join(f"{nid} in {plan.nat_subnet(az).name}" for az, nid in built.nat_ids.items()),
    )
    return dict(built.nat_ids)


def create_egress_only_internet_gateway(
    conn: Connection, plan: NetworkPlan, built: BuiltNetwork
) -> str | None:
    """Create the egress-only internet gateway (IPv6 out, nothing in) when the plan has IPv6.

    Returns
    -------
    str or None
        Its id, or None for an IPv4-only plan.
    """
    if plan.ipv6_cidr is None:
        return None
    _need(built.vpc_id, "the VPC", "create_vpc")
    ec2 = conn.client("ec2")
    eigw = ec2.create_egress_only_internet_gateway(
        VpcId=built.vpc_id, TagSpecifications=_tags(plan, "egress-only-internet-gateway", "eigw")
    )
    built.eigw_id = eigw["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    conn.say(f"Egress-only internet gateway {built.eigw_id}: IPv6 out only, in {built.vpc_id}")
    return built.eigw_id


def _route_target(target: str, built: BuiltNetwork) -> dict[str, str]:
    if target == "igw":
        _need(built.igw_id, "the internet gateway", "create_internet_gateway")
        return {"GatewayId": str(built.igw_id)}
    if target == "eigw":
        _need(built.eigw_id, "the egress-only gateway", "create_egress_only_internet_gateway")
        return {"EgressOnlyInternetGatewayId": str(built.eigw_id)}
    if target.startswith("nat-") and target[4:] in built.nat_ids:
        return {"NatGatewayId": built.nat_ids[target[4:]]}
    for prefix, key in (
        ("nat-", "NatGatewayId"),
        ("igw-", "GatewayId"),
        ("vgw-", "GatewayId"),
        ("tgw-", "TransitGatewayId"),
        ("pcx-", "VpcPeeringConnectionId"),
        ("eni-", "NetworkInterfaceId"),
        ("eigw-", "EgressOnlyInternetGatewayId"),
    ):
        if target.startswith(prefix) and len(target) > len(prefix) + 4:
            return {key: target}
    raise ValueError(
        f"route target {target!r}: the build knows igw, eigw, nat-<az> (with a NAT gateway "
        "there) or an AWS id such as tgw-…; AWS makes blackhole routes itself"
    )


def create_route_tables(conn: Connection, plan: NetworkPlan, built: BuiltNetwork) -> dict[str, str]:
    """Create each route table of the plan with its routes (AWS adds the local routes).

    Returns
    -------
    dict
        Route table name → route table id.
    """
    _need(built.vpc_id, "the VPC", "create_vpc")
    ec2 = conn.client("ec2")
    summary = []
    for table in plan.route_tables:
        rtb = ec2.create_route_table(
            VpcId=built.vpc_id, TagSpecifications=_tags(plan, "route-table", table.name)
        )
        rtb_id = rtb["RouteTable"]["RouteTableId"]
        built.route_table_ids[table.name] = rtb_id
        shown = []
        for route in table.routes:
            if route.target == "local":
                continue
            key = (
                "DestinationCidrBlock"
                if route.destination.version == 4
                else "DestinationIpv6CidrBlock"
            )
            ec2.create_route(
                RouteTableId=rtb_id,
                **{key: str(route.destination)},
                **_route_target(route.target, built),
            )
            shown.append(f"{route.destination} → {route.target}")
        summary.append(f"{table.name} ({', '.join(shown) or 'local only'})")
    conn.say(f"{len(plan.route_tables)} route tables: " + "; ".join(summary))
    return dict(built.route_table_ids)


def associate_route_tables(
    conn: Connection, plan: NetworkPlan, built: BuiltNetwork
) -> dict[str, str]:
    """Associate every subnet with its route table (otherwise it uses the VPC's main table).

    Returns
    -------
    dict
        Subnet name → association id.
    """
    _need(built.route_table_ids, "the route tables", "create_route_tables")
    _need(built.subnet_ids, "the subnets", "create_subnets")
    ec2 = conn.client("ec2")
    for table in plan.route_tables:
        for name in table.subnets:
            assoc = ec2.associate_route_table(
                RouteTableId=built.route_table_ids[table.name], SubnetId=built.subnet_ids[name]
            )
            built.association_ids[name] = assoc["AssociationId"]
    conn.say(
        "Associations: "
        + "; ".join(f"{t.name} ← {', '.join(t.subnets)}" for t in plan.route_tables),
    )
    return dict(built.association_ids)


def _permission(rule: SecurityRule, groups: dict[str, str]) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": rule.protocol}
    if rule.protocol != "-1":
        permission.update(FromPort=rule.from_port, ToPort=rule.to_port)
    if rule.peer.startswith("sg:"):
        permission["UserIdGroupPairs"] = [
            {"GroupId": groups[rule.peer[3:]], "Description": rule.description}
        ]
    elif ipaddress.ip_network(rule.peer).version == 4:
        permission["IpRanges"] = [{"CidrIp": rule.peer, "Description": rule.description}]
    else:
        permission["Ipv6Ranges"] = [{"CidrIpv6": rule.peer, "Description": rule.description}]
    return permission


def _clean(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Permissions as read back, reduced to what revoke_* accepts."""
    keep = ("IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "UserIdGroupPairs")
    cleaned = []
    for permission in permissions:
        item = {k: v for k, v in permission.items() if k in keep and v not in ([], None)}
        if "UserIdGroupPairs" in item:
            item["UserIdGroupPairs"] = [{"GroupId": p["GroupId"]} for p in item["UserIdGroupPairs"]]
        if any(k in item for k in ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs")):
            cleaned.append(item)
    return cleaned


def create_security_groups(
    conn: Connection, plan: NetworkPlan, built: BuiltNetwork, *, app_port: int = APP_PORT
) -> dict[str, str]:
    """Create the ALB and app security groups with exactly :func:`security_group_rules`.

    A new group allows all outbound traffic; that rule is removed so the outbound
    rules are the stated ones only.

    Returns
    -------
    dict
        ``{"alb": id, "app": id}``.
    """
    _need(built.vpc_id, "the VPC", "create_vpc")
    ec2 = conn.client("ec2")
    spec = security_group_rules(plan, app_port)
    purpose = {
        "alb": "load balancer: HTTP/HTTPS from anywhere",
        "app": f"app tasks: port {app_port} from the load balancer",
    }
    for role in spec:
        group = ec2.create_security_group(
            GroupName=f"{plan.name}-{role}",
            Description=f"{plan.name} {purpose[role]}",
            VpcId=built.vpc_id,
            TagSpecifications=_tags(plan, "security-group", role),
        )
        built.security_group_ids[role] = group["GroupId"]
    for role, rules in spec.items():
        group_id = built.security_group_ids[role]
        current = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        default_egress = _clean(current.get("IpPermissionsEgress", []))
        if default_egress:
            ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=default_egress)
        if rules["ingress"]:
            ec2.authorize_security_group_ingress(
                GroupId=group_id,
                IpPermissions=[_permission(r, built.security_group_ids) for r in rules["ingress"]],
            )
        if rules["egress"]:
            ec2.authorize_security_group_egress(
                GroupId=group_id,
                IpPermissions=[_permission(r, built.security_group_ids) for r in rules["egress"]],
            )
    conn.say(
        "Security groups: "
        + "; ".join(
            f"{role} {built.security_group_ids[role]} in: {', '.join(map(str, rules['ingress']))}"
            f" / out: {', '.join(map(str, rules['egress']))}"
            for role, rules in spec.items()
        ),
    )
    return dict(built.security_group_ids)


_STEPS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("resolve Availability Zones", resolve_azs),
    ("create the VPC", create_vpc),
    ("create the subnets", create_subnets),
    ("create the internet gateway", create_internet_gateway),
    ("create the NAT gateways", create_nat_gateways),
    ("create the egress-only internet gateway", create_egress_only_internet_gateway),
    ("create the route tables", create_route_tables),
    ("associate the route tables", associate_route_tables),
    ("create the security groups", create_security_groups),
)


def build_network(conn: Connection, plan: NetworkPlan, *, app_port: int = APP_PORT) -> BuiltNetwork:
    """Build the whole plan, step by step; on any failure delete what was made and say why.

    The plan is checked first (:meth:`NetworkPlan.validate`), before any API call.

    Parameters
    ----------
    conn : Connection
        From :func:`cloudlab.aws.connect` (the emulator unless you opted in).
    plan : NetworkPlan
    app_port : int, default 5000
        The port the app's security group admits from the load balancer.

    Returns
    -------
    BuiltNetwork
        Every id created. Pass it to :func:`teardown` when done.

    Raises
    ------
    ValueError
        The plan breaks a rule (nothing was created).
    BuildError
        A step failed; everything it had created was deleted. The message names the
        step; the original error is chained (``__cause__``).
    """
    plan.validate()
    security_group_rules(plan, app_port)  # checks the port before anything is created
    built = BuiltNetwork(plan=plan.name, region=conn.region)
    steps = [
        (
            label,
            partial(step, conn, plan, built, app_port=app_port)
            if step is create_security_groups
            else partial(step, conn, plan, built),
        )
        for label, step in _STEPS
    ]
    run_steps(
        conn,
        steps,
        undo=partial(teardown, conn, built),
        error=BuildError,
        what=f"building plan {plan.name!r}",
    )
    return built


@contextmanager
def temporary_network(
    conn: Connection, plan: NetworkPlan, *, app_port: int = APP_PORT
) -> Iterator[BuiltNetwork]:
    """Build the plan for the length of a ``with`` block, then tear it down, whatever happens."""
    built = build_network(conn, plan, app_port=app_port)
    try:
        yield built
    finally:
        teardown(conn, built)


# ----------------------------------------------------------------------- teardown

_GONE = {
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidGatewayID.NotFound",
    "InvalidAllocationID.NotFound",
    "InvalidNatGatewayID.NotFound",
    "NatGatewayNotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidAssociationID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidEgressOnlyInternetGatewayId.NotFound",
    "Gateway.NotAttached",
    "InvalidAddress.NotFound",
}


def _gone(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in _GONE or code.endswith(".NotFound") or code.endswith(".Malformed")


def _call(conn: Connection, method: Callable[..., Any], problems: list[str], **kwargs: Any) -> str:
    """Call a delete-like ``method``: ``"done"``, ``"gone"`` (already deleted) or ``"failed"``.

    On real AWS, dependency errors (a NAT gateway's network interface lingering for a
    minute, say) are retried for up to two minutes.
    """
    for attempt in range(12 if conn.real else 1):
        try:
            method(**kwargs)
            return "done"
        except ClientError as error:
            if _gone(error):
                return "gone"
            code = error.response.get("Error", {}).get("Code", "")
            retry = code in ("DependencyViolation", "InvalidIPAddress.InUse")
            if conn.real and retry and attempt < 11:
                time.sleep(10)
                continue
            problems.append(f"{method.__name__}({', '.join(map(str, kwargs.values()))}): {code}")
            return "failed"
    return "failed"  # pragma: no cover - the loop always returns


def teardown(conn: Connection, built: BuiltNetwork) -> list[str]:
    """Delete everything in ``built``, in dependency order; safe to run again.

    Order: NAT gateways (and wait until deleted), Elastic IPs, route table
    associations and route tables, the internet gateway (detach, delete), the
    egress-only gateway, the security groups (their rules first, since each refers to
    the other), the subnets, the VPC. Anything already gone is skipped. Ids deleted
    (or found gone) are removed from ``built``; ids that could not be deleted stay, so
    running it again retries them.

    Returns
    -------
    list of str
        The ids this call deleted.

    Raises
    ------
    RuntimeError
        If something could not be deleted (after the rest was); run :func:`leftovers`.
    """
    if built.empty:
        conn.say(f"Teardown of {built.plan!r}: nothing left to delete")
        return []
    ec2 = conn.client("ec2")
    problems: list[str] = []
    deleted: list[str] = []

    def sweep(
        records: dict[str, str], method: Callable[..., Any], key: str, what: str
    ) -> list[str]:
        """Delete every id in ``records`` with ``method(key=id)``; report; forget the gone."""
        now = []
        for label, resource_id in list(records.items()):
            outcome = _call(conn, method, problems, **{key: resource_id})
            if outcome != "failed":
                del records[label]
            if outcome == "done":
                now.append(resource_id)
        if now:
            conn.say(f"{what}: {', '.join(now)}")
        deleted.extend(now)
        return now

    if built.nat_ids:  # AWS lists deleted NAT gateways for a while: those are gone too
        try:
            listed = ec2.describe_nat_gateways(NatGatewayIds=list(built.nat_ids.values()))
            finished = {
                n["NatGatewayId"]
                for n in listed["NatGateways"]
                if n.get("State") in ("deleted", "deleting")
            }
        except ClientError as error:
            finished = set()
            if not _gone(error):
                problems.append(f"describe_nat_gateways: {first_line(error)}")
        for az, nat_id in list(built.nat_ids.items()):
            if nat_id in finished:
                del built.nat_ids[az]
    nats = sweep(built.nat_ids, ec2.delete_nat_gateway, "NatGatewayId", "Deleted NAT gateways")
    if nats:
        try:
            ec2.get_waiter("nat_gateway_deleted").wait(
                NatGatewayIds=nats,
                WaiterConfig={"Delay": 15 if conn.real else 1, "MaxAttempts": 40},
            )
        except Exception as error:
            problems.append(f"waiting for NAT gateways to be deleted: {first_line(error)}")
    sweep(built.allocation_ids, ec2.release_address, "AllocationId", "Released Elastic IPs")
    sweep(
        built.association_ids,
        ec2.disassociate_route_table,
        "AssociationId",
        "Removed route table associations",
    )
    sweep(built.route_table_ids, ec2.delete_route_table, "RouteTableId", "Deleted route tables")
    if built.igw_id and built.vpc_id and built.igw_attached:
        outcome = _call(
            conn,
            ec2.detach_internet_gateway,
            problems,
            InternetGatewayId=built.igw_id,
            VpcId=built.vpc_id,
        )
        if outcome != "failed":
            built.igw_attached = False
    if built.igw_id and not built.igw_attached:
        gateway = {"igw": built.igw_id}
        sweep(
            gateway,
            ec2.delete_internet_gateway,
            "InternetGatewayId",
            "Deleted internet gateway (detached first)",
        )
        built.igw_id = gateway.get("igw")
    if built.eigw_id:
        gateway = {"eigw": built.eigw_id}
        sweep(
            gateway,
            ec2.delete_egress_only_internet_gateway,
            "EgressOnlyInternetGatewayId",
            "Deleted egress-only internet gateway",
        )
        built.eigw_id = gateway.get("eigw")

    # Each group's rules name the other group: remove the rules, then the groups.
    for group_id in built.security_group_ids.values():
        try:
            found = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
        except ClientError as error:
            if not _gone(error):
                problems.append(f"describe_security_groups({group_id}): {first_line(error)}")
            continue
        for permissions, revoke in (
            (found[0].get("IpPermissions", []), ec2.revoke_security_group_ingress),
            (found[0].get("IpPermissionsEgress", []), ec2.revoke_security_group_egress),
        ):
            cleaned = _clean(permissions)
            if cleaned:
                _call(conn, revoke, problems, GroupId=group_id, IpPermissions=cleaned)
    sweep(
        built.security_group_ids,
        ec2.delete_security_group,
        "GroupId",
        "Deleted security groups (their rules first)",
    )
    sweep(built.subnet_ids, ec2.delete_subnet, "SubnetId", "Deleted subnets")
    if built.vpc_id and not built.subnet_ids:
        vpc = {"vpc": built.vpc_id}
        sweep(vpc, ec2.delete_vpc, "VpcId", "Deleted VPC")
        built.vpc_id = vpc.get("vpc")
        if built.vpc_id is None:
            built.ipv6_cidr = None
    if problems:
        raise RuntimeError(
            f"teardown of {built.plan!r} could not delete everything: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    return deleted


def leftovers(conn: Connection, tag: str | None = None) -> list[str]:
    """Everything in the region still tagged ``cloudlab:plan`` (with value ``tag`` if given).

    The region's default VPC carries no such tag, so it is never listed. NAT gateways
    already deleted (AWS shows them for a while) are not listed either.

    Returns
    -------
    list of str
        ``"<kind> <id> (<Name tag>)"`` lines; empty when nothing is left.
    """
    ec2 = conn.client("ec2")
    filters = [{"Name": "tag-key", "Values": [TAG_KEY]}]
    if tag is not None:
        filters = [{"Name": f"tag:{TAG_KEY}", "Values": [tag]}]
    found: list[str] = []

    def name(item: dict[str, Any]) -> str:
        tags = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
        return tags.get("Name", "")

    listings = (
        ("VPC", ec2.describe_vpcs, "Vpcs", "VpcId"),
        ("subnet", ec2.describe_subnets, "Subnets", "SubnetId"),
        (
            "internet gateway",
            ec2.describe_internet_gateways,
            "InternetGateways",
            "InternetGatewayId",
        ),
        (
            "egress-only internet gateway",
            ec2.describe_egress_only_internet_gateways,
            "EgressOnlyInternetGateways",
            "EgressOnlyInternetGatewayId",
        ),
        ("NAT gateway", ec2.describe_nat_gateways, "NatGateways", "NatGatewayId"),
        ("Elastic IP", ec2.describe_addresses, "Addresses", "AllocationId"),
        ("route table", ec2.describe_route_tables, "RouteTables", "RouteTableId"),
        ("security group", ec2.describe_security_groups, "SecurityGroups", "GroupId"),
    )
    for kind, method, key, id_key in listings:
        for item in method(Filters=filters).get(key, []):
            if kind == "NAT gateway" and item.get("State") in ("deleted", "deleting"):
                continue
            found.append(f"{kind} {item[id_key]} ({name(item)})")
    return found


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


def describe(conn: Connection, built: BuiltNetwork) -> DescribedNetwork:
    """Read back everything a build created (describe_* calls only).

    Returns
    -------
    DescribedNetwork
    """
    ec2 = conn.client("ec2")
    seen = DescribedNetwork()
    if not built.vpc_id:
        return seen
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
    nat_azs = {v: k for k, v in built.nat_ids.items()}
    table_names = {v: k for k, v in built.route_table_ids.items()}
    for t in ec2.describe_route_tables(Filters=vpc_filter)["RouteTables"]:
        if t["RouteTableId"] not in table_names:
            continue  # the VPC's main route table, which the plan does not use
        routes = []
        for r in t.get("Routes", []):
            destination = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            if destination is None:
                continue
            if r.get("State") == "blackhole":
                target = "blackhole"
            elif r.get("GatewayId") == "local":
                target = "local"
            elif r.get("GatewayId") and r["GatewayId"] == built.igw_id:
                target = "igw"
            elif r.get("EgressOnlyInternetGatewayId"):
                target = (
                    "eigw"
                    if r["EgressOnlyInternetGatewayId"] == built.eigw_id
                    else r["EgressOnlyInternetGatewayId"]
                )
            elif r.get("NatGatewayId"):
                nat = r["NatGatewayId"]
                target = f"nat-{nat_azs[nat]}" if nat in nat_azs else nat
            else:
                target = next((str(v) for k, v in r.items() if k.endswith("Id")), "?")
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
    if built.nat_ids:
        for n in ec2.describe_nat_gateways(NatGatewayIds=list(built.nat_ids.values()))[
            "NatGateways"
        ]:
            addresses = n.get("NatGatewayAddresses", [])
            seen.nat_gateways[nat_azs.get(n["NatGatewayId"], n["NatGatewayId"])] = {
                "subnet": subnet_names.get(n["SubnetId"], n["SubnetId"]),
                "state": n["State"],
                "public_ip": addresses[0].get("PublicIp") if addresses else None,
            }
    if built.igw_id:
        igw = ec2.describe_internet_gateways(InternetGatewayIds=[built.igw_id])["InternetGateways"][
            0
        ]
        seen.internet_gateway_attached = any(
            a.get("VpcId") == built.vpc_id and a.get("State") in ("attached", "available")
            for a in igw.get("Attachments", [])
        )
    if built.eigw_id:
        found = ec2.describe_egress_only_internet_gateways(
            EgressOnlyInternetGatewayIds=[built.eigw_id]
        )
        seen.egress_only_gateway = bool(found.get("EgressOnlyInternetGateways"))
    roles = {v: k for k, v in built.security_group_ids.items()}
    if roles:
        for g in ec2.describe_security_groups(GroupIds=list(roles))["SecurityGroups"]:
            seen.security_groups[roles[g["GroupId"]]] = {
                "ingress": _rules_read_back(g.get("IpPermissions", []), roles),
                "egress": _rules_read_back(g.get("IpPermissionsEgress", []), roles),
            }
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
    out: list[str] = []
    if described.vpc_cidr != str(plan.vpc_cidr):
        out.append(f"VPC block is {described.vpc_cidr}, planned {plan.vpc_cidr}")
    expected = plan
    if plan.ipv6_cidr is not None:
        if described.ipv6_cidr is None:
            out.append("the VPC has no IPv6 block, but the plan asks for an Amazon-provided /56")
        elif ipaddress.ip_network(described.ipv6_cidr).prefixlen != 56:
            out.append(f"the VPC's IPv6 block {described.ipv6_cidr} is not a /56")
        else:
            expected = plan.with_ipv6(described.ipv6_cidr)
    elif described.ipv6_cidr is not None:
        out.append(f"the VPC has IPv6 {described.ipv6_cidr}, but the plan is IPv4 only")
    if described.dns_hostnames is not True:
        out.append("DNS hostnames are off in the VPC")
    for s in expected.subnets:
        got = described.subnets.get(s.name)
        if got is None:
            out.append(f"subnet {s.name} is missing")
            continue
        if got["cidr"] != str(s.cidr):
            out.append(f"subnet {s.name} is {got['cidr']}, planned {s.cidr}")
        if got["az"] != s.az:
            out.append(f"subnet {s.name} is in AZ {got['az']}, planned {s.az}")
        want6 = None if s.ipv6_cidr is None else str(s.ipv6_cidr)
        if got["ipv6_cidr"] != want6:
            out.append(f"subnet {s.name} has IPv6 {got['ipv6_cidr']}, planned {want6}")
    for name in sorted(set(described.subnets) - {s.name for s in plan.subnets}):
        out.append(f"subnet {name} exists but is not in the plan")
    zones: dict[str, set[str]] = {}
    for got in described.subnets.values():
        zones.setdefault(got["az"], set()).add(got["zone"])
    letters_by_zone: dict[str, set[str]] = {}
    for letter, names in zones.items():
        for zone in names:
            letters_by_zone.setdefault(zone, set()).add(letter)
    for zone, letters in letters_by_zone.items():
        if len(letters) > 1:
            out.append(f"AZs {', '.join(sorted(letters))} are the same zone {zone}")
    for tier in plan.tiers:
        names = {s.name for s in plan.subnets if s.tier == tier.name}
        spread = {g["zone"] for n, g in described.subnets.items() if n in names}
        if len(spread) != len(plan.azs):
            out.append(f"tier {tier.name} spans {len(spread)} AZs, planned {len(plan.azs)}")
    for table in expected.route_tables:
        got = described.route_tables.get(table.name)
        if got is None:
            out.append(f"route table {table.name} is missing")
            continue
        want = sorted((str(r.destination), r.target) for r in table.routes)
        if got["routes"] != want:
            missing = sorted(set(want) - set(got["routes"]))
            extra = sorted(set(got["routes"]) - set(want))
            out.append(
                f"route table {table.name}: "
                + "; ".join(
                    [f"missing {d} → {t}" for d, t in missing]
                    + [f"unplanned {d} → {t}" for d, t in extra]
                )
            )
        if got["subnets"] != sorted(table.subnets):
            out.append(
                f"route table {table.name} is associated with "
                f"{', '.join(got['subnets']) or 'nothing'}, "
                f"planned {', '.join(sorted(table.subnets))}"
            )
    for az in plan.nat_azs:
        got = described.nat_gateways.get(az)
        if got is None:
            out.append(f"the NAT gateway of AZ {az} is missing")
            continue
        if got["subnet"] != plan.nat_subnet(az).name:
            out.append(
                f"the NAT gateway of AZ {az} is in {got['subnet']}, "
                f"planned {plan.nat_subnet(az).name}"
            )
        if got["state"] != "available":
            out.append(f"the NAT gateway of AZ {az} is {got['state']}, not available")
    if not described.internet_gateway_attached:
        out.append("no internet gateway is attached to the VPC")
    if (plan.ipv6_cidr is not None) != described.egress_only_gateway:
        out.append(
            "the egress-only internet gateway is missing"
            if plan.ipv6_cidr is not None
            else "an egress-only internet gateway exists in an IPv4-only plan"
        )
    for role, rules in security_group_rules(plan, app_port).items():
        got = described.security_groups.get(role)
        if got is None:
            out.append(f"security group {role} is missing")
            continue
        for direction in ("ingress", "egress"):
            want = set(rules[direction])
            if got[direction] != want:
                missing = ", ".join(sorted(map(str, want - got[direction]))) or "nothing"
                extra = ", ".join(sorted(map(str, got[direction] - want))) or "nothing"
                out.append(
                    f"security group {role} {direction}: missing {missing}; unplanned {extra}"
                )
    return out
