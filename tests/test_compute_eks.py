"""EKS in the emulator: roles, cluster and Fargate profile created, described and all deleted."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from cloudlab.aws import session as aws
from cloudlab.aws.session import Connection, local_emulator
from cloudlab.compute import eks
from cloudlab.vpc.build import temporary_network
from cloudlab.vpc.plan import plan_network


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    with pytest.MonkeyPatch.context() as patch:
        for name in (aws.OPT_IN_VARIABLE, aws.PROFILE_VARIABLE, aws.REGION_VARIABLE):
            patch.delenv(name, raising=False)
        with local_emulator(out=io.StringIO()) as connection:
            yield connection


def test_create_describe_and_delete_everything(conn: Connection) -> None:
    plan = plan_network(name="ekstest")
    private = {s.name for s in plan.subnets_of_kind("private")}
    with temporary_network(conn, plan) as network:
        built = eks.BuiltEKS(name="ekstest")
        try:
            eks.create_roles(conn, built)
            eks.create_cluster(conn, plan, network, built)
            eks.create_fargate_profile(conn, built)
            found = eks.describe(conn, built)
            cluster, profile = found["cluster"], found["fargate_profile"]
            assert cluster["status"] == "ACTIVE"
            assert cluster["role_arn"] == built.cluster_role_arn
            # the cluster and the profile are on the plan's private subnets only
            expected = sorted(network.subnet_ids[name] for name in private)
            assert sorted(cluster["subnet_ids"]) == expected
            assert sorted(profile["subnets"]) == expected
            assert profile["pod_role_arn"] == built.pod_role_arn
            assert profile["selectors"] == [
                {"namespace": "cloudlab", "labels": {"app.kubernetes.io/name": "cloudlab-web"}}
            ]
            iam = conn.client("iam")
            attached = iam.list_attached_role_policies(RoleName=built.pod_role)
            assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [
                eks.POD_EXECUTION_POLICY
            ]
            assert eks.leftovers(conn, "ekstest")
        finally:
            deleted = eks.teardown(conn, built)
        assert deleted == [
            "fargate profile ekstest-app",
            "cluster ekstest",
            "role ekstest-eks-pods",
            "role ekstest-eks-cluster",
        ]
        assert built.empty
        assert eks.leftovers(conn, "ekstest") == []
        assert eks.teardown(conn, built) == []  # safe to run again


def test_costs_are_announced_before_billable_steps(conn: Connection) -> None:
    out = io.StringIO()
    conn.out = out
    try:
        plan = plan_network(name="ekscost")
        with (
            temporary_network(conn, plan) as network,
            eks.temporary_eks(conn, plan, network, name="ekscost"),
        ):
            pass
    finally:
        conn.out = io.StringIO()
    lines = out.getvalue().splitlines()
    cost = next(i for i, line in enumerate(lines) if line.startswith("EKS cluster ekscost: free"))
    made = next(i for i, line in enumerate(lines) if "ACTIVE on 2 subnets" in line)
    assert cost < made
    assert "USD 0.1000 per hour" in lines[cost]
    assert any("each pod the Fargate profile places" in line for line in lines)
    assert eks.leftovers(conn, "ekscost") == []


def test_teardown_after_a_failed_step_leaves_nothing(conn: Connection) -> None:
    plan = plan_network(name="eksfail")
    with temporary_network(conn, plan) as network:
        with pytest.raises(ValueError, match="create the roles first"):
            eks.create_cluster(conn, plan, network, eks.BuiltEKS(name="eksfail"))
        built = eks.BuiltEKS(name="eksfail")
        eks.create_roles(conn, built)
        # the profile needs the cluster: refused before any API call
        with pytest.raises(ValueError, match="create the roles and the cluster first"):
            eks.create_fargate_profile(conn, built)
        eks.teardown(conn, built)
        assert eks.leftovers(conn, "eksfail") == []


def test_needs_private_subnets_in_two_zones(conn: Connection) -> None:
    plan = plan_network(name="eksnopriv", tiers=[("public", "public", None, 24)], nat="none")
    with temporary_network(conn, plan) as network:
        built = eks.BuiltEKS(name="eksnopriv")
        try:
            eks.create_roles(conn, built)
            with pytest.raises(ValueError, match="private subnets in at least two"):
                eks.create_cluster(conn, plan, network, built)
        finally:
            eks.teardown(conn, built)
