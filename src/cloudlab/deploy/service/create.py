"""Create the deployment step by step, one AWS concept per function, each recorded as it goes.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.aws import ecr as ecr_steps
from cloudlab.aws.session import Connection
from cloudlab.aws.steps import error_code, refuse_existing, run_steps, tag_map, wait
from cloudlab.compute.prices import (
    DEFAULT_PRICES,
    check_fargate_size,
)
from cloudlab.deploy.service.spec import (
    _SCALABLE_DIMENSION,
    COLORS,
    CONTAINER_NAME,
    EXECUTION_POLICY_ARN,
    TAG_KEY,
    DeployError,
    Deployment,
    ServiceSpec,
    _check_color,
    _ecs_tags,
    _forward,
    _need,
    _tags,
    new_deployment,
    resource_label,
    show_costs,
)
from cloudlab.deploy.service.teardown import leftovers, teardown
from cloudlab.vpc.build import BuiltNetwork
from cloudlab.vpc.plan import NetworkPlan

# ------------------------------------------------------------------ the steps


def create_load_balancer(conn: Connection, d: Deployment) -> str:
    """Create the internet-facing ALB in the public subnets, with the ALB security group.

    Returns
    -------
    str
        The load balancer's ARN (its DNS name is recorded too).
    """
    if len(d.public_azs) < 2:
        raise ValueError("an Application Load Balancer needs subnets in at least two AZs")
    prices = DEFAULT_PRICES.rates
    conn.costs(
        "Application Load Balancer",
        prices["alb"].usd,
        note=f"plus USD {prices['alb-lcu'].usd} per LCU-hour and a public IPv4 address per AZ "
        f"(read {prices['alb'].read}, source: {prices['alb'].source})",
    )
    elb = conn.client("elbv2")
    lb = elb.create_load_balancer(
        Name=f"{d.name}-alb",
        Subnets=list(d.public_subnets.values()),
        SecurityGroups=[d.alb_security_group],
        Scheme="internet-facing",
        Type="application",
        IpAddressType="ipv4",
        Tags=_tags(d, f"{d.name}-alb"),
    )["LoadBalancers"][0]
    d.load_balancer_arn = lb["LoadBalancerArn"]
    d.load_balancer_dns = lb["DNSName"]
    wait(
        conn,
        elb,
        "load_balancer_available",
        delay=15,
        attempts=40,
        LoadBalancerArns=[d.load_balancer_arn],
    )
    conn.say(
        f"Load balancer {d.name}-alb: internet-facing in {', '.join(d.public_subnets)} "
        f"(AZs {', '.join(d.public_azs)}), security group {d.alb_security_group}, "
        + (f"DNS {d.load_balancer_dns}" if conn.real else "DNS name assigned"),
    )
    return d.load_balancer_arn


def create_target_groups(conn: Connection, d: Deployment) -> dict[str, str]:
    """Create the blue and green target groups: IP targets, HTTP, health checks on the app.

    Returns
    -------
    dict
        Colour → target group ARN.
    """
    spec = d.spec
    elb = conn.client("elbv2")
    for color in COLORS:
        tg = elb.create_target_group(
            Name=f"{d.name}-{color}",
            Protocol="HTTP",
            Port=spec.container_port,
            VpcId=d.vpc_id,
            TargetType="ip",
            HealthCheckProtocol="HTTP",
            HealthCheckPath=spec.health_check_path,
            HealthCheckIntervalSeconds=spec.health_check_interval,
            HealthCheckTimeoutSeconds=spec.health_check_timeout,
            HealthyThresholdCount=spec.healthy_threshold,
            UnhealthyThresholdCount=spec.unhealthy_threshold,
            Matcher={"HttpCode": "200"},
            Tags=_tags(d, f"{d.name}-{color}"),
        )["TargetGroups"][0]
        d.target_group_arns[color] = tg["TargetGroupArn"]
        elb.modify_target_group_attributes(
            TargetGroupArn=tg["TargetGroupArn"],
            Attributes=[
                {
                    "Key": "deregistration_delay.timeout_seconds",
                    "Value": str(spec.deregistration_delay),
                }
            ],
        )
    conn.say(
        f"Target groups {d.name}-blue, {d.name}-green: IP targets on HTTP "
        f"{spec.container_port}, health check GET {spec.health_check_path} every "
        f"{spec.health_check_interval} s (healthy after {spec.healthy_threshold}, unhealthy "
        f"after {spec.unhealthy_threshold}), deregistration delay {spec.deregistration_delay} s",
    )
    return dict(d.target_group_arns)


def create_listener(conn: Connection, d: Deployment) -> str:
    """Create the HTTP listener on port 80 forwarding by weight: blue 100, green 0.

    Returns
    -------
    str
        The listener's ARN.
    """
    _need(d.load_balancer_arn, "the load balancer", "create_load_balancer")
    _need(len(d.target_group_arns) == 2, "the target groups", "create_target_groups")
    weights = {"blue": 100, "green": 0}
    elb = conn.client("elbv2")
    listener = elb.create_listener(
        LoadBalancerArn=d.load_balancer_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=_forward(d, weights),
        Tags=_tags(d, f"{d.name}-http"),
    )["Listeners"][0]
    d.listener_arn = listener["ListenerArn"]
    d.weights = weights
    conn.say("Listener HTTP :80: forward to blue (weight 100) and green (weight 0)")
    return d.listener_arn


def create_repository(conn: Connection, d: Deployment) -> str:
    """Create the ECR repository for the image, or reuse it if it exists.

    A repository that existed before is recorded as not created by this deployment,
    so :func:`teardown` keeps it (and the images you pushed).

    Returns
    -------
    str
        The repository's URI.
    """
    ecr = conn.client("ecr")
    name = d.spec.repository
    try:
        existed = bool(ecr.describe_repositories(repositoryNames=[name])["repositories"])
    except ecr.exceptions.RepositoryNotFoundException:
        existed = False
    repository = ecr_steps.ensure_repository(ecr, name)
    d.repository_name = name
    d.repository_created = not existed
    d.repository_uri = repository["repositoryUri"]
    if not existed:
        ecr.tag_resource(resourceArn=repository["repositoryArn"], tags=_tags(d, name))
    how = "existing, kept at teardown" if existed else "created"
    # The URI names the account and region: shown only for a real account.
    shown = d.image if conn.real else f"{name}:{d.spec.image_tag}"
    conn.say(f"ECR repository {name} ({how}): image {shown}")
    return d.repository_uri


def create_log_group(conn: Connection, d: Deployment) -> str:
    """Create the CloudWatch Logs group for the containers' output, with a retention period.

    Returns
    -------
    str
        The log group's name.
    """
    logs = conn.client("logs")
    name = f"/ecs/{d.name}"
    logs.create_log_group(logGroupName=name, tags=tag_map(TAG_KEY, d.name))
    d.log_group = name
    logs.put_retention_policy(logGroupName=name, retentionInDays=d.spec.log_retention_days)
    conn.say(f"Log group {name}: kept {d.spec.log_retention_days} days")
    return name


def create_execution_role(conn: Connection, d: Deployment) -> str:
    """Create the task execution role ECS uses to pull the image and write the logs.

    It trusts ``ecs-tasks.amazonaws.com`` and has AWS's managed
    ``AmazonECSTaskExecutionRolePolicy``; with :attr:`ServiceSpec.secret_key_arn` it may
    also read that one secret.

    Returns
    -------
    str
        The role's ARN.
    """
    iam = conn.client("iam")
    name = f"{d.name}-task-execution"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description=f"ECS task execution role of {d.name}: pull the image, write logs",
        Tags=_tags(d, name),
    )["Role"]
    d.execution_role_name = name
    d.execution_role_arn = role["Arn"]
    wait(conn, iam, "role_exists", delay=1, attempts=20, RoleName=name)
    iam.attach_role_policy(RoleName=name, PolicyArn=EXECUTION_POLICY_ARN)
    d.attached_policies.append(EXECUTION_POLICY_ARN)
    extra = ""
    if d.spec.secret_key_arn:
        arn = d.spec.secret_key_arn
        action = "ssm:GetParameters" if ":ssm:" in arn else "secretsmanager:GetSecretValue"
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": arn}],
        }
        iam.put_role_policy(
            RoleName=name, PolicyName="read-secret-key", PolicyDocument=json.dumps(document)
        )
        d.inline_policies.append("read-secret-key")
        extra = f", may read the SECRET_KEY ({action})"
    conn.say(
        f"Task execution role {name}: trusts ecs-tasks.amazonaws.com, "
        f"AmazonECSTaskExecutionRolePolicy attached{extra}",
    )
    return d.execution_role_arn


def create_cluster(conn: Connection, d: Deployment) -> str:
    """Create the ECS cluster (on Fargate it is only a name space: no servers to manage).

    Returns
    -------
    str
        The cluster's ARN.
    """
    ecs = conn.client("ecs")
    cluster = ecs.create_cluster(clusterName=d.name, tags=_ecs_tags(d, d.name))["cluster"]
    d.cluster_arn = cluster["clusterArn"]
    conn.say(f"ECS cluster {d.name}")
    return d.cluster_arn


def _container(d: Deployment, color: str) -> dict[str, Any]:
    spec = d.spec
    environment = [
        {"name": "COLOR", "value": color},
        {"name": "VERSION", "value": spec.image_tag},
        {"name": "TRUSTED_PROXY_HOPS", "value": "1"},
    ]
    if spec.secret_key_arn:
        environment.append({"name": "APP_ENV", "value": "production"})
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": d.image,
        "essential": True,
        "portMappings": [{"containerPort": spec.container_port, "protocol": "tcp"}],
        "environment": environment,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": str(d.log_group),
                "awslogs-region": _region(d),
                "awslogs-stream-prefix": color,
            },
        },
    }
    if spec.secret_key_arn:
        container["secrets"] = [{"name": "SECRET_KEY", "valueFrom": spec.secret_key_arn}]
    if spec.container_health_check:
        probe = (
            "import urllib.request; "
            f"urllib.request.urlopen('http://127.0.0.1:{spec.container_port}"
            f"{spec.health_check_path}', timeout=3)"
        )
        container["healthCheck"] = {
            "command": ["CMD", "python", "-c", probe],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 10,
        }
    return container


def _region(d: Deployment) -> str:
    """The region the deployment's logs go to (read from the connection at run time)."""
    _need(d.region, "the deployment's region", "new_deployment")
    return d.region


def register_task_definition(conn: Connection, d: Deployment, color: str = "blue") -> str:
    """Register the Fargate task definition of one colour (``COLOR`` set in its environment).

    Both colours are revisions of one family, ``<name>``: green is simply the next
    version. Size from the spec (checked against Fargate's sizes), ``awsvpc``
    networking, logs to the log group through the ``awslogs`` driver.

    Returns
    -------
    str
        The task definition's ARN (``…:task-definition/<name>:<revision>``).
    """
    _check_color(color)
    _need(d.log_group, "the log group", "create_log_group")
    _need(d.execution_role_arn, "the task execution role", "create_execution_role")
    spec = d.spec
    check_fargate_size(spec.cpu, spec.memory)
    ecs = conn.client("ecs")
    task = ecs.register_task_definition(
        family=d.name,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=str(spec.cpu),
        memory=str(spec.memory),
        executionRoleArn=d.execution_role_arn,
        runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        containerDefinitions=[_container(d, color)],
        tags=_ecs_tags(d, f"{d.name}-{color}"),
    )["taskDefinition"]
    d.task_definition_arns[color] = task["taskDefinitionArn"]
    revision = task["taskDefinitionArn"].rsplit("/", 1)[-1]
    conn.say(
        f"Task definition {revision} ({color}): {spec.vcpu:g} vCPU, {spec.memory} MiB, "
        f"awsvpc, port {spec.container_port}, COLOR={color}, logs to {d.log_group}",
    )
    return d.task_definition_arns[color]


def create_service(conn: Connection, d: Deployment, color: str = "blue") -> str:
    """Create the ECS service of one colour: Fargate tasks in the private subnets, behind its group.

    No public IP addresses (the tasks reach ECR and the logs through the NAT
    gateway), the app security group, the colour's target group on the container's
    port, and the deployment circuit breaker with rollback.

    Returns
    -------
    str
        The service's name.
    """
    _check_color(color)
    _need(d.cluster_arn, "the cluster", "create_cluster")
    _need(
        d.task_definition_arns.get(color),
        f"the {color} task definition",
        "register_task_definition",
    )
    _need(d.target_group_arns.get(color), f"the {color} target group", "create_target_groups")
    _need(d.listener_arn, "the listener", "create_listener")
    spec = d.spec
    count = spec.desired_count if color == "blue" else spec.green_count
    rates = DEFAULT_PRICES.rates
    per_task = spec.vcpu * rates["fargate-vcpu"].usd + spec.memory_gb * rates["fargate-gb"].usd
    conn.costs(
        f"{count} Fargate task(s) of the {color} service",
        count * per_task,
        note=f"(read {rates['fargate-vcpu'].read}, source: {rates['fargate-vcpu'].source})",
    )
    ecs = conn.client("ecs")
    name = f"{d.name}-{color}"
    ecs.create_service(
        cluster=d.name,
        serviceName=name,
        taskDefinition=d.task_definition_arns[color],
        desiredCount=count,
        launchType="FARGATE",
        platformVersion="LATEST",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": list(d.private_subnets.values()),
                "securityGroups": [d.app_security_group],
                "assignPublicIp": "DISABLED",
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": d.target_group_arns[color],
                "containerName": CONTAINER_NAME,
                "containerPort": spec.container_port,
            }
        ],
        healthCheckGracePeriodSeconds=60,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        propagateTags="SERVICE",
        tags=_ecs_tags(d, name),
    )
    d.service_names[color] = name
    conn.say(
        f"Service {name}: {count} task(s) in {', '.join(d.private_subnets)} (no public IP), "
        f"security group {d.app_security_group}, behind {d.name}-{color} → "
        f"{CONTAINER_NAME}:{spec.container_port}, circuit breaker with rollback",
    )
    return name


def create_autoscaling(conn: Connection, d: Deployment, color: str = "blue") -> list[str]:
    """Let Application Auto Scaling change one service's task count by target tracking.

    Registers the service's desired count as a scalable target between the spec's
    ``min_tasks`` and ``max_tasks``, then a policy tracking average CPU and, if the
    spec asks, one tracking requests per task (``ALBRequestCountPerTarget``, whose
    resource label names the load balancer and the colour's target group).

    Returns
    -------
    list of str
        The policy names.
    """
    _check_color(color)
    _need(d.service_names.get(color), f"the {color} service", "create_service")
    spec = d.spec
    aas = conn.client("application-autoscaling")
    resource = f"service/{d.name}/{d.service_names[color]}"
    aas.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension=_SCALABLE_DIMENSION,
        MinCapacity=spec.min_for(color),
        MaxCapacity=spec.max_tasks,
    )
    d.scalable_targets[color] = resource
    names = d.scaling_policies.setdefault(color, [])
    cooldowns = {
        "ScaleOutCooldown": spec.scale_out_cooldown,
        "ScaleInCooldown": spec.scale_in_cooldown,
    }
    metrics: list[tuple[str, float, dict[str, str]]] = [
        (
            f"{d.name}-{color}-cpu",
            spec.cpu_target,
            {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        )
    ]
    if spec.requests_per_target is not None:
        _need(d.load_balancer_arn, "the load balancer", "create_load_balancer")
        label = resource_label(str(d.load_balancer_arn), d.target_group_arns[color])
        metrics.append(
            (
                f"{d.name}-{color}-requests",
                spec.requests_per_target,
                {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label},
            )
        )
    for policy, target, metric in metrics:
        aas.put_scaling_policy(
            PolicyName=policy,
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension=_SCALABLE_DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": float(target),
                "PredefinedMetricSpecification": metric,
                **cooldowns,
            },
        )
        names.append(policy)
    tracked = f"CPU {spec.cpu_target:g} %"
    if spec.requests_per_target is not None:
        tracked += f" and {spec.requests_per_target:g} requests per task per minute"
    conn.say(
        f"Autoscaling {d.service_names[color]}: {spec.min_for(color)}–{spec.max_tasks} tasks, "
        f"tracking {tracked}",
    )
    return list(names)


_STEPS: tuple[tuple[str, Callable[..., Any], dict[str, str]], ...] = (
    ("create the load balancer", create_load_balancer, {}),
    ("create the target groups", create_target_groups, {}),
    ("create the listener", create_listener, {}),
    ("create the ECR repository", create_repository, {}),
    ("create the log group", create_log_group, {}),
    ("create the task execution role", create_execution_role, {}),
    ("create the ECS cluster", create_cluster, {}),
    ("register the blue task definition", register_task_definition, {"color": "blue"}),
    ("create the blue service", create_service, {"color": "blue"}),
    ("set up autoscaling for blue", create_autoscaling, {"color": "blue"}),
    ("register the green task definition", register_task_definition, {"color": "green"}),
    ("create the green service", create_service, {"color": "green"}),
    ("set up autoscaling for green", create_autoscaling, {"color": "green"}),
)


def existing(conn: Connection, name: str) -> list[str]:
    """What a deployment named ``name`` would collide with: its tagged resources, and
    the load balancer, target groups and ECS cluster of its names, tagged or not.

    ``CreateLoadBalancer``, ``CreateTargetGroup`` and ECS ``CreateCluster`` are
    idempotent by name: AWS returns the existing one. A second deployment of the same
    name would record the first one's load balancer, and its failure clean-up would
    delete the live one. :func:`deploy_service` refuses instead.
    """
    found = leftovers(conn, name)
    elb = conn.client("elbv2")
    named = [("load balancer", elb.describe_load_balancers, "LoadBalancers", f"{name}-alb")]
    named += [
        ("target group", elb.describe_target_groups, "TargetGroups", f"{name}-{c}") for c in COLORS
    ]
    for kind, describe_named, key, wanted in named:
        try:
            listed = describe_named(Names=[wanted]).get(key, [])
        except ClientError as error:
            if error_code(error) not in ("LoadBalancerNotFound", "TargetGroupNotFound"):
                raise
            listed = []
        if listed and f"{kind} {wanted}" not in found:
            found.append(f"{kind} {wanted}")
    clusters = conn.client("ecs").describe_clusters(clusters=[name]).get("clusters", [])
    if any(c.get("status") == "ACTIVE" for c in clusters) and f"ECS cluster {name}" not in found:
        found.append(f"ECS cluster {name}")
    return found


def deploy_service(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    spec: ServiceSpec | None = None,
    *,
    lcus: float = 1.0,
) -> Deployment:
    """Deploy the whole service, step by step; on any failure delete what was made and say why.

    Every input is checked first, and the hourly cost is printed, before any API call
    that creates something.

    Parameters
    ----------
    conn : Connection
        From :func:`cloudlab.aws.connect` (the emulator unless you opted in).
    plan : NetworkPlan
        The network's plan (which subnets are public and private).
    network : BuiltNetwork
        The network, built by :func:`cloudlab.vpc.build.build_network`.
    spec : ServiceSpec, optional
    lcus : float, default 1.0
        Load balancer capacity units for the cost estimate.

    Returns
    -------
    Deployment
        Every id created. Pass it to :func:`teardown` when done.

    Raises
    ------
    ValueError
        An input breaks a rule, or a deployment of that name exists (:func:`existing`);
        nothing was created.
    DeployError
        A step failed; everything it had created was deleted. The message names the
        step; the original error is chained (``__cause__``).
    """
    d = new_deployment(plan, network, spec)
    refuse_existing("deployment", d.name, existing(conn, d.name))
    show_costs(conn, plan, d.spec, lcus=lcus)
    run_steps(
        conn,
        [(label, partial(step, conn, d, **kwargs)) for label, step, kwargs in _STEPS],
        undo=partial(teardown, conn, d),
        error=DeployError,
        what=f"deploying {d.name!r}",
    )
    return d


@contextmanager
def temporary_deployment(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    spec: ServiceSpec | None = None,
) -> Iterator[Deployment]:
    """Deploy for the length of a ``with`` block, then tear it down, whatever happens."""
    d = deploy_service(conn, plan, network, spec)
    try:
        yield d
    finally:
        teardown(conn, d)
