"""Build a network plan with boto3, one AWS concept per function, each recorded as it goes.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb, "Build it, step by step").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import refuse_existing, run_steps, wait
from cloudlab.vpc.build.spec import (
    APP_PORT,
    BuildError,
    BuiltNetwork,
    _clean,
    _need,
    _permission,
    _tags,
    security_group_rules,
)
from cloudlab.vpc.build.teardown import leftovers, teardown
from cloudlab.vpc.plan import NetworkPlan
from cloudlab.vpc.prices import PRICES


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
        conn.pause(2)  # no waiter covers an IPv6 block's association
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
    wait(conn, ec2, "vpc_available", delay=15, attempts=40, VpcIds=[built.vpc_id])
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
    wait(
        conn,
        ec2,
        "nat_gateway_available",
        delay=15 if conn.real else 1,
        attempts=40,
        always=True,
        NatGatewayIds=list(built.nat_ids.values()),
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
        The plan breaks a rule, or resources tagged with the plan's name exist already
        (nothing was created).
    BuildError
        A step failed; everything it had created was deleted. The message names the
        step; the original error is chained (``__cause__``).
    """
    plan.validate()
    security_group_rules(plan, app_port)  # checks the port before anything is created
    refuse_existing("network plan", plan.name, leftovers(conn, plan.name))
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
