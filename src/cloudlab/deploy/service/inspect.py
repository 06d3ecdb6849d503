"""Read a deployment back from AWS and compare it with its record.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb, "Read it back and check it").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudlab.aws.session import Connection
from cloudlab.deploy.service.spec import (
    COLORS,
    CONTAINER_NAME,
    EXECUTION_POLICY_ARN,
    Deployment,
    resource_label,
)
from cloudlab.deploy.service.traffic import listener_weights

# ------------------------------------------------------------------ describe, verify


@dataclass
class DescribedDeployment:
    """What AWS says exists, in the deployment's own words (colours, subnet names).

    Attributes
    ----------
    load_balancer : dict
        ``scheme``, ``type``, ``subnets`` (names), ``azs`` (count), ``security_groups``,
        ``dns``, ``state``; empty if missing.
    target_groups : dict
        Colour → ``protocol``, ``port``, ``target_type``, ``vpc_id``, ``health_path``,
        ``interval``, ``timeout``, ``healthy``, ``unhealthy``, ``deregistration_delay``.
    listener : dict
        ``protocol``, ``port``, ``weights`` (colour → weight).
    task_definitions : dict
        Colour → ``cpu``, ``memory``, ``network_mode``, ``compatibilities``,
        ``execution_role``, ``container``, ``image``, ``port``, ``environment`` (dict),
        ``log_driver``, ``log_group``, ``status``.
    services : dict
        Colour → ``status``, ``launch_type``, ``subnets`` (names), ``security_groups``,
        ``assign_public_ip``, ``load_balancers`` (list of (colour, container, port)),
        ``circuit_breaker`` (enable, rollback; None if not reported: the emulator keeps
        no deployment configuration), ``task_definition``, ``desired``,
        ``running``.
    scaling : dict
        Colour → ``min``, ``max``, ``policies`` (name → (metric type, target value, label)).
    log_group : dict
        ``name``, ``retention_days``.
    role : dict
        ``trusts`` (service principals), ``policies`` (attached ARNs).
    repository : dict
        ``name``, ``uri``.
    cluster : dict
        ``name``, ``status``.
    """

    load_balancer: dict[str, Any] = field(default_factory=dict)
    target_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    listener: dict[str, Any] = field(default_factory=dict)
    task_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    scaling: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_group: dict[str, Any] = field(default_factory=dict)
    role: dict[str, Any] = field(default_factory=dict)
    repository: dict[str, Any] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)


def _subnet_names(d: Deployment) -> dict[str, str]:
    return {v: k for k, v in {**d.public_subnets, **d.private_subnets}.items()}


def _read_load_balancer(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    elb = conn.client("elbv2")
    subnet_names = _subnet_names(d)
    if d.load_balancer_arn:
        lb = elb.describe_load_balancers(LoadBalancerArns=[d.load_balancer_arn])["LoadBalancers"][0]
        zones = lb.get("AvailabilityZones", [])
        seen.load_balancer = {
            "scheme": lb.get("Scheme"),
            "type": lb.get("Type"),
            "subnets": sorted(subnet_names.get(z["SubnetId"], z["SubnetId"]) for z in zones),
            "azs": len({z["ZoneName"] for z in zones}),
            "security_groups": sorted(lb.get("SecurityGroups", [])),
            "dns": lb.get("DNSName"),
            "state": lb.get("State", {}).get("Code"),
        }


def _read_target_groups(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    elb = conn.client("elbv2")
    group_colors = {arn: c for c, arn in d.target_group_arns.items()}
    if d.target_group_arns:
        groups = elb.describe_target_groups(TargetGroupArns=list(d.target_group_arns.values()))
        for tg in groups["TargetGroups"]:
            attributes = elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])
            values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
            seen.target_groups[group_colors[tg["TargetGroupArn"]]] = {
                "protocol": tg.get("Protocol"),
                "port": tg.get("Port"),
                "target_type": tg.get("TargetType"),
                "vpc_id": tg.get("VpcId"),
                "health_path": tg.get("HealthCheckPath"),
                "interval": tg.get("HealthCheckIntervalSeconds"),
                "timeout": tg.get("HealthCheckTimeoutSeconds"),
                "healthy": tg.get("HealthyThresholdCount"),
                "unhealthy": tg.get("UnhealthyThresholdCount"),
                "deregistration_delay": int(values.get("deregistration_delay.timeout_seconds", -1)),
            }


def _read_listener(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    elb = conn.client("elbv2")
    if d.listener_arn:
        listener = elb.describe_listeners(ListenerArns=[d.listener_arn])["Listeners"][0]
        seen.listener = {
            "protocol": listener.get("Protocol"),
            "port": listener.get("Port"),
            "weights": listener_weights(conn, d),
        }


def _read_task_definitions(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    ecs = conn.client("ecs")
    for color, arn in d.task_definition_arns.items():
        task = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        container = (task.get("containerDefinitions") or [{}])[0]
        log = container.get("logConfiguration", {})
        ports = container.get("portMappings", [])
        seen.task_definitions[color] = {
            "cpu": int(task.get("cpu", 0)),
            "memory": int(task.get("memory", 0)),
            "network_mode": task.get("networkMode"),
            "compatibilities": sorted(task.get("requiresCompatibilities", [])),
            "execution_role": task.get("executionRoleArn"),
            "container": container.get("name"),
            "image": container.get("image"),
            "port": ports[0].get("containerPort") if ports else None,
            "environment": {e["name"]: e["value"] for e in container.get("environment", [])},
            "log_driver": log.get("logDriver"),
            "log_group": log.get("options", {}).get("awslogs-group"),
            "status": task.get("status"),
        }


def _read_services(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    ecs = conn.client("ecs")
    subnet_names = _subnet_names(d)
    group_colors = {arn: c for c, arn in d.target_group_arns.items()}
    if d.service_names and d.cluster_arn:
        services = ecs.describe_services(cluster=d.name, services=list(d.service_names.values()))
        by_name = {c: n for c, n in d.service_names.items()}
        colors = {n: c for c, n in by_name.items()}
        for s in services["services"]:
            network = s.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
            config = s.get("deploymentConfiguration")
            breaker = None if config is None else config.get("deploymentCircuitBreaker", {})
            seen.services[colors[s["serviceName"]]] = {
                "status": s.get("status"),
                "launch_type": s.get("launchType"),
                "subnets": sorted(subnet_names.get(i, i) for i in network.get("subnets", [])),
                "security_groups": sorted(network.get("securityGroups", [])),
                "assign_public_ip": network.get("assignPublicIp"),
                "load_balancers": [
                    (
                        group_colors.get(lb["targetGroupArn"], lb["targetGroupArn"]),
                        lb.get("containerName"),
                        lb.get("containerPort"),
                    )
                    for lb in s.get("loadBalancers", [])
                ],
                # None: the API did not report a deployment configuration (the emulator
                # keeps none; real ECS always does).
                "circuit_breaker": None
                if breaker is None
                else (bool(breaker.get("enable")), bool(breaker.get("rollback"))),
                "task_definition": s.get("taskDefinition"),
                "desired": s.get("desiredCount"),
                "running": s.get("runningCount"),
            }


def _read_cluster(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    ecs = conn.client("ecs")
    if d.cluster_arn:
        cluster = ecs.describe_clusters(clusters=[d.cluster_arn])["clusters"]
        if cluster:
            seen.cluster = {"name": cluster[0]["clusterName"], "status": cluster[0]["status"]}


def _read_scaling(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    if d.scalable_targets:
        aas = conn.client("application-autoscaling")
        colors = {r: c for c, r in d.scalable_targets.items()}
        targets = aas.describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=list(d.scalable_targets.values())
        )["ScalableTargets"]
        for t in targets:
            seen.scaling[colors[t["ResourceId"]]] = {
                "min": t["MinCapacity"],
                "max": t["MaxCapacity"],
                "policies": {},
            }
        for color, resource in d.scalable_targets.items():
            policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)
            for p in policies["ScalingPolicies"]:
                config = p.get("TargetTrackingScalingPolicyConfiguration", {})
                metric = config.get("PredefinedMetricSpecification", {})
                seen.scaling.setdefault(color, {"min": None, "max": None, "policies": {}})
                seen.scaling[color]["policies"][p["PolicyName"]] = (
                    metric.get("PredefinedMetricType"),
                    config.get("TargetValue"),
                    metric.get("ResourceLabel"),
                )


def _read_log_group(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    if d.log_group:
        logs = conn.client("logs")
        for g in logs.describe_log_groups(logGroupNamePrefix=d.log_group)["logGroups"]:
            if g["logGroupName"] == d.log_group:
                seen.log_group = {"name": d.log_group, "retention_days": g.get("retentionInDays")}


def _read_role(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    if d.execution_role_name:
        iam = conn.client("iam")
        role = iam.get_role(RoleName=d.execution_role_name)["Role"]
        trust = role.get("AssumeRolePolicyDocument", {})
        if isinstance(trust, str):
            trust = json.loads(trust)
        principals: list[str] = []
        for statement in trust.get("Statement", []):
            service = statement.get("Principal", {}).get("Service", [])
            principals += [service] if isinstance(service, str) else list(service)
        attached = iam.list_attached_role_policies(RoleName=d.execution_role_name)
        seen.role = {
            "trusts": sorted(principals),
            "policies": sorted(p["PolicyArn"] for p in attached["AttachedPolicies"]),
        }


def _read_repository(conn: Connection, d: Deployment, seen: DescribedDeployment) -> None:
    if d.repository_name:
        ecr = conn.client("ecr")
        repo = ecr.describe_repositories(repositoryNames=[d.repository_name])["repositories"][0]
        seen.repository = {"name": repo["repositoryName"], "uri": repo["repositoryUri"]}


#: What :func:`describe` reads, one reader per kind of resource, in this order.
_READERS: tuple[Callable[[Connection, Deployment, DescribedDeployment], None], ...] = (
    _read_load_balancer,
    _read_target_groups,
    _read_listener,
    _read_task_definitions,
    _read_services,
    _read_cluster,
    _read_scaling,
    _read_log_group,
    _read_role,
    _read_repository,
)


def describe(conn: Connection, d: Deployment) -> DescribedDeployment:
    """Read back everything the deployment created (describe/list calls only).

    Returns
    -------
    DescribedDeployment
    """
    seen = DescribedDeployment()
    for read in _READERS:
        read(conn, d, seen)
    return seen


def _check_load_balancer(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    lb = described.load_balancer
    if not lb:
        out.append("the load balancer is missing")
    else:
        if lb["scheme"] != "internet-facing" or lb["type"] != "application":
            out.append(f"the load balancer is {lb['scheme']} {lb['type']}, not internet-facing ALB")
        if lb["subnets"] != sorted(d.public_subnets):
            out.append(
                f"the load balancer is in {', '.join(lb['subnets'])}, "
                f"planned {', '.join(sorted(d.public_subnets))}"
            )
        if lb["azs"] < 2:
            out.append(f"the load balancer spans {lb['azs']} AZ(s); an ALB needs at least two")
        if lb["security_groups"] != [d.alb_security_group]:
            out.append(f"the load balancer's security groups are {lb['security_groups']}")
    return out


def _check_target_groups(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    spec = d.spec
    for color in COLORS:
        tg = described.target_groups.get(color)
        if tg is None:
            out.append(f"target group {color} is missing")
            continue
        want = {
            "protocol": "HTTP",
            "port": spec.container_port,
            "target_type": "ip",
            "vpc_id": d.vpc_id,
            "health_path": spec.health_check_path,
            "interval": spec.health_check_interval,
            "timeout": spec.health_check_timeout,
            "healthy": spec.healthy_threshold,
            "unhealthy": spec.unhealthy_threshold,
            "deregistration_delay": spec.deregistration_delay,
        }
        for key, value in want.items():
            if tg[key] != value:
                out.append(f"target group {color}: {key} is {tg[key]}, expected {value}")
    return out


def _check_listener(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    listener = described.listener
    if not listener:
        out.append("the listener is missing")
    else:
        if (listener["protocol"], listener["port"]) != ("HTTP", 80):
            out.append(f"the listener is {listener['protocol']} {listener['port']}, not HTTP 80")
        if listener["weights"] != d.weights:
            out.append(f"listener weights are {listener['weights']}, expected {d.weights}")
    return out


def _check_task_definitions(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    spec = d.spec
    for color in COLORS:
        task = described.task_definitions.get(color)
        if task is None:
            out.append(f"the {color} task definition is missing")
            continue
        want = {
            "cpu": spec.cpu,
            "memory": spec.memory,
            "network_mode": "awsvpc",
            "compatibilities": ["FARGATE"],
            "execution_role": d.execution_role_arn,
            "container": CONTAINER_NAME,
            "image": d.image if d.repository_uri else None,
            "port": spec.container_port,
            "log_driver": "awslogs",
            "log_group": d.log_group,
        }
        for key, value in want.items():
            if task[key] != value:
                out.append(f"{color} task definition: {key} is {task[key]}, expected {value}")
        env = task["environment"]
        for key, value in (("COLOR", color), ("TRUSTED_PROXY_HOPS", "1")):
            if env.get(key) != value:
                out.append(f"{color} task definition: {key}={env.get(key)}, expected {value}")
    return out


def _check_services(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    spec = d.spec
    for color in COLORS:
        service = described.services.get(color)
        if service is None:
            out.append(f"the {color} service is missing")
            continue
        if service["status"] != "ACTIVE" or service["launch_type"] != "FARGATE":
            out.append(f"{color} service is {service['status']} {service['launch_type']}")
        if service["subnets"] != sorted(d.private_subnets):
            out.append(
                f"{color} service runs in {', '.join(service['subnets'])}, "
                f"expected the private subnets {', '.join(sorted(d.private_subnets))}"
            )
        if service["assign_public_ip"] != "DISABLED":
            out.append(f"{color} service gives its tasks public IPs")
        if service["security_groups"] != [d.app_security_group]:
            out.append(f"{color} service's security groups are {service['security_groups']}")
        wired = [(color, CONTAINER_NAME, spec.container_port)]
        if service["load_balancers"] != wired:
            out.append(f"{color} service is wired to {service['load_balancers']}, expected {wired}")
        if service["circuit_breaker"] not in (None, (True, True)):
            out.append(f"{color} service has no circuit breaker with rollback")
        if service["task_definition"] != d.task_definition_arns.get(color):
            out.append(f"{color} service runs {service['task_definition']}")
    return out


def _check_scaling(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    spec = d.spec
    for color in COLORS:
        scaling = described.scaling.get(color)
        if scaling is None:
            out.append(f"{color} service has no scalable target")
            continue
        if (scaling["min"], scaling["max"]) != (spec.min_for(color), spec.max_tasks):
            out.append(
                f"{color} scaling bounds are {scaling['min']}–{scaling['max']}, "
                f"expected {spec.min_for(color)}–{spec.max_tasks}"
            )
        policies = scaling["policies"]
        cpu = policies.get(f"{d.name}-{color}-cpu")
        if cpu is None or cpu[:2] != ("ECSServiceAverageCPUUtilization", spec.cpu_target):
            out.append(f"{color} has no CPU target tracking policy at {spec.cpu_target:g} %")
        if spec.requests_per_target is not None:
            requests = policies.get(f"{d.name}-{color}-requests")
            label = (
                resource_label(d.load_balancer_arn, d.target_group_arns[color])
                if d.load_balancer_arn and color in d.target_group_arns
                else None
            )
            if requests != ("ALBRequestCountPerTarget", spec.requests_per_target, label):
                out.append(f"{color} has no request-count policy on its target group")
    return out


def _check_logs_role_and_cluster(d: Deployment, described: DescribedDeployment) -> list[str]:
    out: list[str] = []
    spec = d.spec
    if described.log_group.get("retention_days") != spec.log_retention_days:
        out.append(
            f"log group retention is {described.log_group.get('retention_days')}, "
            f"expected {spec.log_retention_days} days"
        )
    role = described.role
    if role.get("trusts") != ["ecs-tasks.amazonaws.com"]:
        out.append(f"the execution role trusts {role.get('trusts')}, not ecs-tasks.amazonaws.com")
    if EXECUTION_POLICY_ARN not in role.get("policies", []):
        out.append("the execution role lacks AmazonECSTaskExecutionRolePolicy")
    if described.cluster.get("status") != "ACTIVE":
        out.append("the cluster is missing or not active")
    return out


#: What :func:`verify` compares, one checker per kind of resource, in this order.
_CHECKS: tuple[Callable[[Deployment, DescribedDeployment], list[str]], ...] = (
    _check_load_balancer,
    _check_target_groups,
    _check_listener,
    _check_task_definitions,
    _check_services,
    _check_scaling,
    _check_logs_role_and_cluster,
)


def verify(d: Deployment, described: DescribedDeployment) -> list[str]:
    """Compare what AWS reports with the deployment, one line per difference.

    Checks the load balancer (internet-facing, public subnets, two or more AZs, its
    security group), both target groups (IP targets, port, health check, delay), the
    listener's weights (those :func:`shift_traffic` last set), each task definition
    (size, ``awsvpc``, Fargate, role, image, port, ``COLOR``, ``TRUSTED_PROXY_HOPS``,
    ``awslogs``), each service's wiring (private subnets, no public IP, app security
    group, its target group, container name and port, circuit breaker), autoscaling
    (bounds and policies), the log group's retention and the role.

    Returns
    -------
    list of str
        Empty when what exists matches.
    """
    return [line for check in _CHECKS for line in check(d, described)]
