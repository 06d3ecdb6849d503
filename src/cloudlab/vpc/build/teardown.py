"""Tear a built network down in dependency order, and list what is left of any build.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb, "Build it, step by step").
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import Teardown, error_code, first_line
from cloudlab.vpc.build.spec import BuiltNetwork, _clean
from cloudlab.vpc.plan import TAG_KEY

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
    code = error_code(error)
    return code in _GONE or code.endswith(".NotFound") or code.endswith(".Malformed")


def _finished_nat_gateways(ec2: Any, built: BuiltNetwork, job: Teardown) -> None:
    """Forget NAT gateways AWS already lists as deleted (it shows them for a while)."""
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
            job.problems.append(f"describe_nat_gateways: {first_line(error)}")
    for az, nat_id in list(built.nat_ids.items()):
        if nat_id in finished:
            del built.nat_ids[az]


def _gateways(ec2: Any, built: BuiltNetwork, job: Teardown) -> None:
    """Detach and delete the internet gateway, then the egress-only gateway."""
    if built.igw_id and built.vpc_id and built.igw_attached:
        detached = job.call(
            ec2.detach_internet_gateway, InternetGatewayId=built.igw_id, VpcId=built.vpc_id
        )
        if detached != "failed":
            built.igw_attached = False
    if built.igw_id and not built.igw_attached:
        gateway = {"igw": built.igw_id}
        job.sweep(
            gateway,
            ec2.delete_internet_gateway,
            "InternetGatewayId",
            "Deleted internet gateway (detached first)",
        )
        built.igw_id = gateway.get("igw")
    if built.eigw_id:
        gateway = {"eigw": built.eigw_id}
        job.sweep(
            gateway,
            ec2.delete_egress_only_internet_gateway,
            "EgressOnlyInternetGatewayId",
            "Deleted egress-only internet gateway",
        )
        built.eigw_id = gateway.get("eigw")


def _revoke_group_rules(ec2: Any, built: BuiltNetwork, job: Teardown) -> None:
    """Each group's rules name the other group: remove the rules before the groups."""
    for group_id in built.security_group_ids.values():
        try:
            found = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
        except ClientError as error:
            if not _gone(error):
                job.problems.append(f"describe_security_groups({group_id}): {first_line(error)}")
            continue
        for permissions, revoke in (
            (found[0].get("IpPermissions", []), ec2.revoke_security_group_ingress),
            (found[0].get("IpPermissionsEgress", []), ec2.revoke_security_group_egress),
        ):
            cleaned = _clean(permissions)
            if cleaned:
                job.call(revoke, GroupId=group_id, IpPermissions=cleaned)


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
    job = Teardown(conn, _gone)
    if built.nat_ids:
        _finished_nat_gateways(ec2, built, job)
    nats = job.sweep(built.nat_ids, ec2.delete_nat_gateway, "NatGatewayId", "Deleted NAT gateways")
    if nats:
        delay = 15 if conn.real else 1
        job.wait(
            ec2,
            "nat_gateway_deleted",
            "NAT gateways to be deleted",
            delay=delay,
            attempts=40,
            always=True,
            NatGatewayIds=nats,
        )
    for records, method, key, what in (
        (built.allocation_ids, ec2.release_address, "AllocationId", "Released Elastic IPs"),
        (
            built.association_ids,
            ec2.disassociate_route_table,
            "AssociationId",
            "Removed route table associations",
        ),
        (built.route_table_ids, ec2.delete_route_table, "RouteTableId", "Deleted route tables"),
    ):
        job.sweep(records, method, key, what)
    _gateways(ec2, built, job)
    _revoke_group_rules(ec2, built, job)
    job.sweep(
        built.security_group_ids,
        ec2.delete_security_group,
        "GroupId",
        "Deleted security groups (their rules first)",
    )
    job.sweep(built.subnet_ids, ec2.delete_subnet, "SubnetId", "Deleted subnets")
    if built.vpc_id and not built.subnet_ids:
        vpc = {"vpc": built.vpc_id}
        job.sweep(vpc, ec2.delete_vpc, "VpcId", "Deleted VPC")
        built.vpc_id = vpc.get("vpc")
        if built.vpc_id is None:
            built.ipv6_cidr = None
    return job.finish(built.plan)


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
        return str(tags.get("Name", ""))

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
