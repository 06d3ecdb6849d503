"""Deploying the service in the emulator: create, verify, shift, tear down; failures clean up."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from cloudlab.aws import session as aws
from cloudlab.aws.session import Connection, local_emulator
from cloudlab.deploy import service as dep
from cloudlab.deploy.service import (
    DeployError,
    Deployment,
    ServiceSpec,
    deploy_service,
    describe,
    hourly_costs,
    leftovers,
    new_deployment,
    resource_label,
    shift_schedule,
    shift_traffic,
    teardown,
    temporary_deployment,
    verify,
)
from cloudlab.vpc.build import BuiltNetwork, build_network
from cloudlab.vpc.build import leftovers as network_leftovers
from cloudlab.vpc.build import teardown as network_teardown
from cloudlab.vpc.plan import plan_network

PLAN = plan_network(name="deploy-test")


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    """One emulator for the whole module (starting one takes a second)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in (aws.OPT_IN_VARIABLE, aws.PROFILE_VARIABLE, aws.REGION_VARIABLE):
            patch.delenv(name, raising=False)
        with local_emulator(out=io.StringIO()) as connection:
            yield connection


@pytest.fixture(scope="module")
def network(conn: Connection) -> Iterator[BuiltNetwork]:
    """One network for every deployment of the module, deleted at the end."""
    built = build_network(conn, PLAN)
    yield built
    network_teardown(conn, built)
    assert network_leftovers(conn) == []


def _nothing_deployed_left(conn: Connection) -> None:
    """Every service the deployment uses is empty again (read directly, not via leftovers)."""
    elb = conn.client("elbv2")
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    assert elb.describe_target_groups()["TargetGroups"] == []
    ecs = conn.client("ecs")
    arns = ecs.list_clusters()["clusterArns"]
    if arns:
        assert {c["status"] for c in ecs.describe_clusters(clusters=arns)["clusters"]} == {
            "INACTIVE"
        }
    assert ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"] == []
    scaling = conn.client("application-autoscaling")
    assert scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert conn.client("logs").describe_log_groups()["logGroups"] == []
    assert conn.client("ecr").describe_repositories()["repositories"] == []
    roles = conn.client("iam").list_roles()["Roles"]
    assert [r["RoleName"] for r in roles if r["RoleName"].endswith("-task-execution")] == []


def test_deploy_verify_shift_and_tear_down(conn, network):
    d = deploy_service(conn, PLAN, network)
    try:
        seen = describe(conn, d)
        assert verify(d, seen) == []
        assert seen.load_balancer["subnets"] == ["public-a", "public-b"]
        assert seen.load_balancer["azs"] == 2
        assert seen.listener["weights"] == {"blue": 100, "green": 0}
        for color in ("blue", "green"):
            service = seen.services[color]
            assert service["subnets"] == ["app-a", "app-b"]
            assert service["assign_public_ip"] == "DISABLED"
            assert service["security_groups"] == [network.security_group_ids["app"]]
            assert service["load_balancers"] == [(color, "app", 5000)]
            task = seen.task_definitions[color]
            assert (task["cpu"], task["memory"], task["network_mode"]) == (256, 512, "awsvpc")
            assert task["environment"]["COLOR"] == color
            assert task["image"].endswith("/flask_deployment-prod-ecr:latest")
            assert seen.target_groups[color]["health_path"] == "/healthz"
            assert seen.scaling[color]["min"] == (2 if color == "blue" else 1)
            assert seen.scaling[color]["max"] == 6
            metrics = {p[0] for p in seen.scaling[color]["policies"].values()}
            assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
        assert seen.role["trusts"] == ["ecs-tasks.amazonaws.com"]
        assert len(leftovers(conn, "cloudlab")) == 13

        walked = shift_schedule(conn, d)
        assert [w for w, _ in walked] == [0, 20, 50, 100]
        assert [seen["green"] for _, seen in walked] == [0, 20, 50, 100]
        assert [seen["blue"] for _, seen in walked] == [100, 80, 50, 0]
        assert verify(d, describe(conn, d)) == []
        assert shift_traffic(conn, d, 10) == {"blue": 90, "green": 10}
    finally:
        deleted = teardown(conn, d)
    assert d.empty
    assert "cloudlab-alb" in deleted
    assert leftovers(conn) == []
    _nothing_deployed_left(conn)
    assert teardown(conn, d) == []  # idempotent: nothing left to do


def test_a_rollback_callback_sends_everything_back_to_blue(conn, network):
    with temporary_deployment(conn, PLAN, network, ServiceSpec(requests_per_target=None)) as d:
        walked = shift_schedule(conn, d, (10, 50, 100), healthy=lambda weight: weight < 50)
        assert [w for w, _ in walked] == [10, 50, 0]
        assert walked[-1][1] == {"blue": 100, "green": 0}
        seen = describe(conn, d)
        assert verify(d, seen) == []
        assert set(seen.scaling["blue"]["policies"]) == {"cloudlab-blue-cpu"}
    _nothing_deployed_left(conn)


def test_verify_reports_drift(conn, network):
    with temporary_deployment(conn, PLAN, network) as d:
        elb = conn.client("elbv2")
        elb.modify_listener(
            ListenerArn=d.listener_arn,
            DefaultActions=[
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": d.target_group_arns["blue"], "Weight": 70},
                            {"TargetGroupArn": d.target_group_arns["green"], "Weight": 30},
                        ]
                    },
                }
            ],
        )
        conn.client("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=d.scalable_targets["green"],
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1,
            MaxCapacity=20,
        )
        conn.client("logs").put_retention_policy(logGroupName=d.log_group, retentionInDays=30)
        conn.client("ecs").update_service(
            cluster=d.name,
            service=d.service_names["blue"],
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": list(d.public_subnets.values()),
                    "securityGroups": [d.app_security_group],
                    "assignPublicIp": "ENABLED",
                }
            },
        )
        problems = verify(d, describe(conn, d))
        assert len(problems) == 5
        assert "blue service gives its tasks public IPs" in problems
        assert any(p.startswith("blue service runs in public-a, public-b") for p in problems)
        assert "listener weights are {'blue': 70, 'green': 30}" in problems[0]
        assert "green scaling bounds are 1–20, expected 1–6" in problems
        assert "log group retention is 30, expected 7 days" in problems
    _nothing_deployed_left(conn)


@pytest.mark.parametrize(
    ("service", "method", "step"),
    [
        ("ecs", "create_service", "create the blue service"),
        ("application-autoscaling", "put_scaling_policy", "set up autoscaling for blue"),
        ("iam", "attach_role_policy", "create the task execution role"),
        ("elbv2", "create_listener", "create the listener"),
    ],
)
def test_a_failure_half_way_deletes_what_was_created(
    conn, network, monkeypatch, service, method, step
):
    real_client = conn.client

    def broken_client(name: str):
        client = real_client(name)
        if name == service:

            def refuse(**_kwargs):
                raise ClientError(
                    {"Error": {"Code": "LimitExceeded", "Message": "injected failure"}}, method
                )

            setattr(client, method, refuse)
        return client

    monkeypatch.setattr(conn, "client", broken_client)
    with pytest.raises(DeployError, match=f"failed at step '{step}'") as info:
        deploy_service(conn, PLAN, network)
    message = str(info.value)
    assert "\n" not in message
    assert "LimitExceeded" in message
    assert "everything it had created was deleted" in message
    assert isinstance(info.value.__cause__, ClientError)
    monkeypatch.undo()
    assert leftovers(conn) == []
    _nothing_deployed_left(conn)


def test_a_shared_secret_key_comes_from_a_parameter(conn, network):
    arn = "arn:aws:ssm:region:000000000000:parameter/cloudlab/secret-key"
    with temporary_deployment(conn, PLAN, network, ServiceSpec(secret_key_arn=arn)) as d:
        task = conn.client("ecs").describe_task_definition(
            taskDefinition=d.task_definition_arns["green"]
        )["taskDefinition"]["containerDefinitions"][0]
        assert task["secrets"] == [{"name": "SECRET_KEY", "valueFrom": arn}]
        assert {"name": "APP_ENV", "value": "production"} in task["environment"]
        iam = conn.client("iam")
        document = iam.get_role_policy(RoleName=d.execution_role_name, PolicyName="read-secret-key")
        assert document["PolicyDocument"]["Statement"][0]["Resource"] == arn
        assert verify(d, describe(conn, d)) == []
    _nothing_deployed_left(conn)


def test_teardown_from_a_stale_record_skips_what_is_gone(conn, network):
    d = deploy_service(conn, PLAN, network)
    stale = copy.deepcopy(d)
    teardown(conn, d)
    teardown(conn, stale)  # every resource is already gone: nothing fails
    assert stale.empty
    assert teardown(conn, stale) == []
    _nothing_deployed_left(conn)


def test_a_repository_that_existed_before_is_kept(conn, network):
    ecr = conn.client("ecr")
    ecr.create_repository(repositoryName="flask_deployment-prod-ecr")
    with temporary_deployment(conn, PLAN, network) as d:
        assert d.repository_created is False
    assert [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]] == [
        "flask_deployment-prod-ecr"
    ]
    ecr.delete_repository(repositoryName="flask_deployment-prod-ecr", force=True)
    _nothing_deployed_left(conn)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ServiceSpec(cpu=256, memory=4096), "Fargate allows 512, 1024 or 2048 MiB"),
        (ServiceSpec(cpu=300), "a Fargate task has 256, 512"),
        (ServiceSpec(name="Flask_App"), "lowercase letters, digits and hyphens"),
        (ServiceSpec(min_tasks=3, desired_count=2), "min_tasks ≤ desired_count ≤ max_tasks"),
        (ServiceSpec(log_retention_days=10), "CloudWatch Logs accepts"),
        (ServiceSpec(health_check_interval=5, health_check_timeout=5), "less than the interval"),
        (ServiceSpec(unhealthy_threshold=11), "the ALB allows 2–10"),
        (ServiceSpec(deregistration_delay=4000), "the ALB allows 0–3600 s"),
        (ServiceSpec(image_tag=".bad"), "an image tag is"),
        (ServiceSpec(secret_key_arn="my-secret"), "the ARN of an SSM parameter"),
    ],
)
def test_bad_inputs_are_refused_before_any_api_call(conn, network, monkeypatch, spec, message):
    calls: list[str] = []
    monkeypatch.setattr(conn, "client", lambda service: calls.append(service))
    with pytest.raises(ValueError, match=message):
        deploy_service(conn, PLAN, network, spec)
    assert calls == []


@pytest.mark.parametrize(
    ("weight", "message"),
    [(120, "use 0–100"), (-1, "use 0–100"), (50.5, "a whole percentage"), (True, "a whole")],
)
def test_bad_weights_are_refused_before_any_api_call(conn, monkeypatch, weight, message):
    calls: list[str] = []
    monkeypatch.setattr(conn, "client", lambda service: calls.append(service))
    d = Deployment(spec=ServiceSpec(), plan="x", listener_arn="arn:listener")
    with pytest.raises(ValueError, match=message):
        shift_traffic(conn, d, weight)
    with pytest.raises(ValueError, match=message):
        shift_schedule(conn, d, (0, weight))
    with pytest.raises(ValueError, match="in order"):
        shift_schedule(conn, d, (0, 50, 20))
    assert calls == []


def test_the_network_must_be_built_and_span_two_zones():
    with pytest.raises(ValueError, match="is not built"):
        new_deployment(PLAN, BuiltNetwork(plan=PLAN.name))
    one_zone = replace(PLAN, subnets=tuple(s for s in PLAN.subnets if s.az == "a"))
    built = BuiltNetwork(
        plan=PLAN.name,
        vpc_id="vpc-1",
        subnet_ids={s.name: f"subnet-{s.name}" for s in one_zone.subnets},
        security_group_ids={"alb": "sg-1", "app": "sg-2"},
    )
    with pytest.raises(ValueError, match=r"at least two Availability Zones; plan .* has 1"):
        new_deployment(one_zone, built)


def test_hourly_costs_by_hand():
    items = {i.item.split(" (")[0].split(":")[0]: i.usd_per_hour for i in hourly_costs(PLAN)}
    per_task = 0.25 * 0.04048 + 0.5 * 0.004445  # 0.25 vCPU, 0.5 GB
    assert items["Application Load Balancer"] == pytest.approx(0.0225)
    assert items["load balancer capacity"] == pytest.approx(0.008)
    assert items["load balancer public IPv4 addresses"] == pytest.approx(2 * 0.005)
    assert items["Fargate tasks"] == pytest.approx(3 * per_task)
    assert items["NAT gateways of the network"] == pytest.approx(0.045 + 0.005)
    total = sum(i.usd_per_hour for i in hourly_costs(PLAN, lcus=0))
    assert total == pytest.approx(0.0225 + 0.01 + 3 * per_task + 0.05)
    with pytest.raises(ValueError, match="cannot be negative"):
        hourly_costs(PLAN, lcus=-1)


def test_the_cost_is_shown_before_anything_is_created(monkeypatch, network, conn):
    order: list[str] = []
    monkeypatch.setattr(conn, "costs", lambda step, usd=0.0, **_: order.append(f"cost {step}"))

    def first_step(c, d):
        order.append("create")
        raise RuntimeError("stop here")

    monkeypatch.setattr(dep.create, "_STEPS", (("create the load balancer", first_step, {}),))
    with pytest.raises(DeployError, match="stop here"):
        deploy_service(conn, PLAN, network)
    assert order.index("create") == 5  # five cost lines first
    assert order[0] == "cost Application Load Balancer"


def test_resource_label_joins_the_ends_of_the_two_arns():
    lb = "arn:aws:elasticloadbalancing:r:1:loadbalancer/app/my-alb/778d41231b141a0f"
    tg = "arn:aws:elasticloadbalancing:r:1:targetgroup/my-tg/943f017f100becff"
    assert (
        resource_label(lb, tg) == "app/my-alb/778d41231b141a0f/targetgroup/my-tg/943f017f100becff"
    )
    with pytest.raises(ValueError, match="Application Load Balancer ARN"):
        resource_label(tg, lb)


def test_a_second_deployment_of_the_same_name_is_refused_and_the_first_kept(conn, network):
    """CreateLoadBalancer is idempotent by name on AWS: a second run would take over the
    first run's load balancer and its clean-up would delete it. The run refuses first."""
    spec = ServiceSpec(name="twice")
    first = deploy_service(conn, PLAN, network, spec)
    try:
        refused = r"a deployment named 'twice' exists \(.*\): tear it down or choose another name"
        with pytest.raises(ValueError, match=refused) as info:
            deploy_service(conn, PLAN, network, spec)
        assert "\n" not in str(info.value)
        assert verify(first, describe(conn, first)) == []  # the first one is untouched
    finally:
        teardown(conn, first)
    assert leftovers(conn, "twice") == []


def test_an_untagged_load_balancer_of_the_name_is_refused_too(conn, network):
    elb = conn.client("elbv2")
    lb = elb.create_load_balancer(
        Name="taken-alb", Subnets=list(network.subnet_ids.values())[:2], Type="application"
    )["LoadBalancers"][0]
    try:
        with pytest.raises(ValueError, match=r"\(load balancer taken-alb\): tear it down"):
            deploy_service(conn, PLAN, network, ServiceSpec(name="taken"))
        assert elb.describe_load_balancers(Names=["taken-alb"])["LoadBalancers"]
    finally:
        elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    _nothing_deployed_left(conn)
