"""Building a plan in the emulator: create, verify, tear down; a failure half-way cleans up."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from cloudlab.aws import session as aws
from cloudlab.aws.session import Connection, local_emulator
from cloudlab.vpc.build import (
    BuildError,
    BuiltNetwork,
    build_network,
    create_subnets,
    create_vpc,
    describe,
    leftovers,
    security_group_rules,
    teardown,
    temporary_network,
    verify,
)
from cloudlab.vpc.plan import plan_network


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    """One emulator for the whole module (starting one takes a second)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in (aws.OPT_IN_VARIABLE, aws.PROFILE_VARIABLE, aws.REGION_VARIABLE):
            patch.delenv(name, raising=False)
        with local_emulator(out=io.StringIO()) as connection:
            yield connection


def _only_default_network_left(conn: Connection) -> None:
    ec2 = conn.client("ec2")
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in vpcs] == [True]
    default = vpcs[0]["VpcId"]
    assert all(s["VpcId"] == default for s in ec2.describe_subnets()["Subnets"])
    assert all(t["VpcId"] == default for t in ec2.describe_route_tables()["RouteTables"])
    assert all(g["VpcId"] == default for g in ec2.describe_security_groups()["SecurityGroups"])
    assert ec2.describe_addresses()["Addresses"] == []
    gateways = ec2.describe_internet_gateways()["InternetGateways"]
    assert all(a["VpcId"] == default for g in gateways for a in g["Attachments"])
    assert ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"] == []
    nats = ec2.describe_nat_gateways()["NatGateways"]
    assert all(n["State"] == "deleted" for n in nats)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("dual-stack", {"azs": ("a", "b", "c"), "ipv6": True, "nat": "per-az"}),
        ("ipv4-single", {}),
    ],
)
def test_build_verify_teardown(conn, name, kwargs):
    plan = plan_network(name=name, **kwargs)
    built = build_network(conn, plan)
    try:
        assert set(built.subnet_ids) == {s.name for s in plan.subnets}
        assert set(built.nat_ids) == set(plan.nat_azs)
        assert (built.eigw_id is not None) == kwargs.get("ipv6", False)
        described = describe(conn, built)
        assert verify(plan, described) == []
        if plan.ipv6_cidr is not None:
            assert described.ipv6_cidr.endswith("/56")
            assert described.ipv6_cidr != str(plan.ipv6_cidr)  # AWS picked the real block
        assert len({s["zone"] for s in described.subnets.values()}) == len(plan.azs)
        left = leftovers(conn, name)
        assert len(left) == len(built.ids()) - len(built.association_ids)
        if built.eigw_id is not None:
            kind = f"egress-only internet gateway {built.eigw_id} "
            assert any(line.startswith(kind) for line in left), left
    finally:
        deleted = teardown(conn, built)
    assert built.empty
    assert "vpc-" in " ".join(deleted)
    assert leftovers(conn, name) == []
    _only_default_network_left(conn)
    assert teardown(conn, built) == []  # idempotent: nothing left to do


def test_teardown_twice_from_a_stale_record_skips_what_is_gone(conn):
    plan = plan_network(name="stale", ipv6=True)
    built = build_network(conn, plan)
    stale = copy.deepcopy(built)
    teardown(conn, built)
    assert teardown(conn, stale) == []  # every id is already gone: nothing fails
    assert stale.empty
    _only_default_network_left(conn)


def test_a_failure_half_way_deletes_what_was_created(conn, monkeypatch):
    real_client = conn.client

    def broken_client(service: str):
        client = real_client(service)

        def refuse(**_kwargs):
            raise ClientError(
                {"Error": {"Code": "RouteTableLimitExceeded", "Message": "injected failure"}},
                "CreateRouteTable",
            )

        client.create_route_table = refuse
        return client

    monkeypatch.setattr(conn, "client", broken_client)
    plan = plan_network(name="doomed", ipv6=True, nat="per-az")
    with pytest.raises(BuildError, match="failed at step 'create the route tables'") as info:
        build_network(conn, plan)
    message = str(info.value)
    assert "\n" not in message
    assert "RouteTableLimitExceeded" in message
    assert "everything it had created was deleted" in message
    assert isinstance(info.value.__cause__, ClientError)
    monkeypatch.undo()
    assert leftovers(conn, "doomed") == []
    _only_default_network_left(conn)


def test_a_broken_plan_is_refused_before_any_api_call(conn, monkeypatch):
    calls = []
    monkeypatch.setattr(conn, "client", lambda service: calls.append(service))
    bad = replace(plan_network(name="bad"), nat="both")
    with pytest.raises(ValueError, match="use 'single', 'per-az' or 'none'"):
        build_network(conn, bad)
    with pytest.raises(ValueError, match="a TCP port is 1–65535"):
        build_network(conn, plan_network(name="bad"), app_port=70000)
    assert calls == []


def test_verify_reports_what_differs_from_the_plan(conn):
    plan = plan_network(name="drift")
    with temporary_network(conn, plan) as built:
        ec2 = conn.client("ec2")
        ec2.delete_route(
            RouteTableId=built.route_table_ids["private"], DestinationCidrBlock="0.0.0.0/0"
        )
        ec2.disassociate_route_table(AssociationId=built.association_ids["data-b"])
        ec2.revoke_security_group_ingress(
            GroupId=built.security_group_ids["alb"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                }
            ],
        )
        problems = verify(plan, describe(conn, built))
        assert "route table private: missing 0.0.0.0/0 → nat-a" in problems
        assert any(
            p.startswith("route table isolated is associated with data-a,") for p in problems
        )
        assert any("security group alb ingress: missing tcp 80 0.0.0.0/0" in p for p in problems)
        # Verifying against another plan shows the difference in blocks too.
        other = plan_network("10.1.0.0/16", name="drift")
        assert any("VPC block is 10.0.0.0/16" in p for p in verify(other, describe(conn, built)))
    assert leftovers(conn, "drift") == []


def test_steps_one_at_a_time_and_in_order(conn):
    plan = plan_network(name="steps", ipv6=True)
    built = BuiltNetwork(plan=plan.name)
    with pytest.raises(RuntimeError, match="run create_vpc first"):
        create_subnets(conn, plan, built)
    try:
        vpc_id = create_vpc(conn, plan, built)
        assert vpc_id.startswith("vpc-")
        assert built.ipv6_cidr.endswith("/56")
        subnets = create_subnets(conn, plan, built)
        assert set(subnets) == {s.name for s in plan.subnets}
        described = describe(conn, built)
        real = plan.with_ipv6(built.ipv6_cidr)
        assert described.subnets["app-b"]["ipv6_cidr"] == str(real.subnet("app-b").ipv6_cidr)
        assert "the NAT gateway of AZ a is missing" in verify(plan, described)
    finally:
        teardown(conn, built)
    assert leftovers(conn, "steps") == []
    printed = conn.out.getvalue()
    assert f"VPC {vpc_id}: 10.0.0.0/16 + IPv6" in printed
    assert "DNS hostnames on" in printed


def test_costs_are_announced_before_the_billable_steps(conn):
    start = len(conn.out.getvalue())
    plan = plan_network(name="priced", nat="per-az")
    with temporary_network(conn, plan):
        pass
    printed = conn.out.getvalue()[start:]
    lines = printed.splitlines()
    assert sum(line.startswith("NAT gateway in AZ") for line in lines) == 2
    assert sum(line.startswith("Elastic IP (public IPv4)") for line in lines) == 2
    assert "USD 0.0450 per hour" in printed
    assert "prices read 2026-11-28" in printed
    assert printed.index("Elastic IP") < printed.index("NAT gateways available")


def test_security_group_rules_follow_the_plan():
    v4 = security_group_rules(plan_network())
    v6 = security_group_rules(plan_network(ipv6=True), app_port=8080)
    assert {str(r) for r in v4["alb"]["ingress"]} == {"tcp 80 0.0.0.0/0", "tcp 443 0.0.0.0/0"}
    assert {str(r) for r in v6["alb"]["ingress"]} >= {"tcp 80 ::/0", "tcp 443 ::/0"}
    assert [str(r) for r in v6["app"]["ingress"]] == ["tcp 8080 sg:alb"]
    assert [str(r) for r in v6["alb"]["egress"]] == ["tcp 8080 sg:app"]
    assert {str(r) for r in v6["app"]["egress"]} == {"all traffic 0.0.0.0/0", "all traffic ::/0"}


def test_a_plan_already_built_is_refused_before_anything_is_created(conn):
    plan = plan_network(name="built-twice")
    with temporary_network(conn, plan):
        before = leftovers(conn, "built-twice")
        with pytest.raises(ValueError, match=r"a network plan named 'built-twice' exists \(VPC"):
            build_network(conn, plan)
        assert leftovers(conn, "built-twice") == before
    assert leftovers(conn, "built-twice") == []
