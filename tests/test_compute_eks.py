"""EKS in the emulator: roles, cluster and Fargate profile created, described and all deleted."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cloudlab.aws import session as aws
from cloudlab.aws.session import Connection, emulator_region, local_emulator
from cloudlab.compute import eks
from cloudlab.vpc.build import BuiltNetwork, temporary_network
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


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> tuple[Connection, dict[str, Any], list[str]]:
    """A *real-account* connection whose clients are botocore Stubbers (no network, no sleep).

    Every EKS call is recorded in order, so a test sees what was called before what.
    """
    conn = Connection(real=True, region=emulator_region(), out=io.StringIO(), wait_delay=0)
    session = boto3.session.Session(
        aws_access_key_id="stub", aws_secret_access_key="stub", region_name=conn.region
    )
    clients = {name: session.client(name) for name in ("eks", "iam")}
    calls: list[str] = []
    clients["eks"].meta.events.register(
        "before-parameter-build.eks.*", lambda model, **_: calls.append(model.name)
    )
    monkeypatch.setattr(conn, "client", clients.__getitem__)
    return conn, clients, calls


def _cluster(status: str) -> dict[str, Any]:
    return {"cluster": {"name": "order", "arn": "arn:aws:eks:x:1:cluster/order", "status": status}}


def _profile(status: str) -> dict[str, Any]:
    return {
        "fargateProfile": {
            "fargateProfileName": "order-app",
            "fargateProfileArn": "arn:aws:eks:x:1:fargateprofile/order/order-app/1",
            "status": status,
        }
    }


def test_real_account_waits_for_active_cluster_and_deleted_profile(monkeypatch) -> None:
    """The profile is created only once the cluster reports ACTIVE (it reports CREATING
    first), and the cluster is deleted only once the profile is gone."""
    conn, clients, calls = _stubbed(monkeypatch)
    plan = plan_network(name="order")
    network = BuiltNetwork(
        plan="order", subnet_ids={s.name: f"subnet-{s.name}" for s in plan.subnets}
    )
    built = eks.BuiltEKS(name="order", cluster_role_arn="arn:r1", pod_role_arn="arn:r2")
    gone = {"service_error_code": "ResourceNotFoundException", "http_status_code": 404}
    with Stubber(clients["eks"]) as stub:
        stub.add_response("create_cluster", _cluster("CREATING"))
        stub.add_response("describe_cluster", _cluster("CREATING"), {"name": "order"})
        stub.add_response("describe_cluster", _cluster("ACTIVE"), {"name": "order"})
        stub.add_response("create_fargate_profile", _profile("CREATING"))
        stub.add_response("describe_fargate_profile", _profile("CREATING"))
        stub.add_response("describe_fargate_profile", _profile("ACTIVE"))
        stub.add_response("delete_fargate_profile", _profile("DELETING"))
        stub.add_response("describe_fargate_profile", _profile("DELETING"))
        stub.add_client_error("describe_fargate_profile", **gone)
        stub.add_response("delete_cluster", _cluster("DELETING"), {"name": "order"})
        stub.add_response("describe_cluster", _cluster("DELETING"), {"name": "order"})
        stub.add_client_error("describe_cluster", **gone)
        eks.create_cluster(conn, plan, network, built)
        eks.create_fargate_profile(conn, built)
        assert eks.teardown(conn, built) == ["fargate profile order-app", "cluster order"]
        stub.assert_no_pending_responses()
    assert calls == [
        "CreateCluster",
        "DescribeCluster",  # CREATING: AWS would refuse a Fargate profile now
        "DescribeCluster",  # ACTIVE
        "CreateFargateProfile",
        "DescribeFargateProfile",
        "DescribeFargateProfile",  # ACTIVE
        "DeleteFargateProfile",
        "DescribeFargateProfile",
        "DescribeFargateProfile",  # gone: now the cluster may go
        "DeleteCluster",
        "DescribeCluster",
        "DescribeCluster",  # gone
    ]
    assert built.cluster is None
    assert built.fargate_profile is None


def test_a_failed_profile_deletes_the_cluster_it_made(monkeypatch) -> None:
    """deploy_eks goes through run_steps: a failure leaves nothing billable behind."""
    conn, clients, calls = _stubbed(monkeypatch)
    plan = plan_network(name="order")
    network = BuiltNetwork(
        plan="order", subnet_ids={s.name: f"subnet-{s.name}" for s in plan.subnets}
    )
    monkeypatch.setattr(eks, "leftovers", lambda _conn, _name: [])

    def roles(_conn: Connection, built: eks.BuiltEKS) -> None:  # IAM is not under test here
        built.cluster_role_arn, built.pod_role_arn = "arn:r1", "arn:r2"

    monkeypatch.setattr(eks, "create_roles", roles)
    limit = {"service_error_code": "ResourceLimitExceededException", "http_status_code": 400}
    gone = {"service_error_code": "ResourceNotFoundException", "http_status_code": 404}
    with Stubber(clients["eks"]) as stub:
        stub.add_response("create_cluster", _cluster("CREATING"))
        stub.add_response("describe_cluster", _cluster("ACTIVE"), {"name": "order"})
        stub.add_client_error("create_fargate_profile", **limit)
        stub.add_response("delete_cluster", _cluster("DELETING"), {"name": "order"})
        stub.add_client_error("describe_cluster", **gone)
        with pytest.raises(eks.EKSError, match="failed at step 'create the Fargate profile'"):
            eks.deploy_eks(conn, plan, network, name="order")
        stub.assert_no_pending_responses()
    assert calls[-2:] == ["DeleteCluster", "DescribeCluster"]


def test_a_second_cluster_of_the_same_name_is_refused(conn: Connection) -> None:
    plan = plan_network(name="eks-twice")
    refused = r"a cluster named 'eks-twice' exists \(.*\): tear it down or choose another"
    with (
        temporary_network(conn, plan) as network,
        eks.temporary_eks(conn, plan, network, name="eks-twice"),
        pytest.raises(ValueError, match=refused),
    ):
        eks.deploy_eks(conn, plan, network, name="eks-twice")
    assert eks.leftovers(conn, "eks-twice") == []
