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
from cloudlab.deploy.service.traffic import weights_of

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


# The readers: the describe/list calls for one kind of resource, in the deployment's words.


def _read_load_balancer(elb: Any, d: Deployment) -> dict[str, Any]:
    subnet_names = _subnet_names(d)
    lb = elb.describe_load_balancers(LoadBalancerArns=[d.load_balancer_arn])["LoadBalancers"][0]
    zones = lb.get("AvailabilityZones", [])
    return {
        "scheme": lb.get("Scheme"),
        "type": lb.get("Type"),
        "subnets": sorted(subnet_names.get(z["SubnetId"], z["SubnetId"]) for z in zones),
        "azs": len({z["ZoneName"] for z in zones}),
        "security_groups": sorted(lb.get("SecurityGroups", [])),
        "dns": lb.get("DNSName"),
        "state": lb.get("State", {}).get("Code"),
    }


def _read_target_groups(elb: Any, d: Deployment) -> dict[str, dict[str, Any]]:
    group_colors = {arn: c for c, arn in d.target_group_arns.items()}
    found = {}
    groups = elb.describe_target_groups(TargetGroupArns=list(d.target_group_arns.values()))
    for tg in groups["TargetGroups"]:
        attributes = elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])
        values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
        found[group_colors[tg["TargetGroupArn"]]] = {
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
    return found


def _read_listener(elb: Any, d: Deployment) -> dict[str, Any]:
    listener = elb.describe_listeners(ListenerArns=[d.listener_arn])["Listeners"][0]
    return {
        "protocol": listener.get("Protocol"),
        "port": listener.get("Port"),
        "weights": weights_of(listener, d),
    }


def _read_task_definitions(ecs: Any, d: Deployment) -> dict[str, dict[str, Any]]:
    found = {}
    for color, arn in d.task_definition_arns.items():
        task = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        container = (task.get("containerDefinitions") or [{}])[0]
        log = container.get("logConfiguration", {})
        ports = container.get("portMappings", [])
        found[color] = {
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
    return found


def _read_services(ecs: Any, d: Deployment) -> dict[str, dict[str, Any]]:
    subnet_names = _subnet_names(d)
    group_colors = {arn: c for c, arn in d.target_group_arns.items()}
    colors = {n: c for c, n in d.service_names.items()}
    found = {}
    for s in ecs.describe_services(cluster=d.name, services=list(colors))["services"]:
        network = s.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        config = s.get("deploymentConfiguration")
        breaker = None if config is None else config.get("deploymentCircuitBreaker", {})
        found[colors[s["serviceName"]]] = {
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
    return found


def _read_scaling(aas: Any, d: Deployment) -> dict[str, dict[str, Any]]:
    colors = {r: c for c, r in d.scalable_targets.items()}
    targets = aas.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=list(d.scalable_targets.values())
    )["ScalableTargets"]
    found: dict[str, dict[str, Any]] = {
        colors[t["ResourceId"]]: {"min": t["MinCapacity"], "max": t["MaxCapacity"], "policies": {}}
        for t in targets
    }
    for color, resource in d.scalable_targets.items():
        policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)
        for p in policies["ScalingPolicies"]:
            config = p.get("TargetTrackingScalingPolicyConfiguration", {})
            metric = config.get("PredefinedMetricSpecification", {})
            found.setdefault(color, {"min": None, "max": None, "policies": {}})
            found[color]["policies"][p["PolicyName"]] = (
                metric.get("PredefinedMetricType"),
                config.get("TargetValue"),
                metric.get("ResourceLabel"),
            )
    return found


def _read_log_group(logs: Any, d: Deployment) -> dict[str, Any]:
    for g in logs.describe_log_groups(logGroupNamePrefix=d.log_group)["logGroups"]:
        if g["logGroupName"] == d.log_group:
            return {"name": d.log_group, "retention_days": g.get("retentionInDays")}
    return {}


def _read_role(iam: Any, d: Deployment) -> dict[str, Any]:
    role = iam.get_role(RoleName=d.execution_role_name)["Role"]
    trust = role.get("AssumeRolePolicyDocument", {})
    if isinstance(trust, str):
        trust = json.loads(trust)
    principals: list[str] = []
    for statement in trust.get("Statement", []):
        service = statement.get("Principal", {}).get("Service", [])
        principals += [service] if isinstance(service, str) else list(service)
    attached = iam.list_attached_role_policies(RoleName=d.execution_role_name)
    return {
        "trusts": sorted(principals),
        "policies": sorted(p["PolicyArn"] for p in attached["AttachedPolicies"]),
    }


def _read_cluster(ecs: Any, d: Deployment) -> dict[str, Any]:
    cluster = ecs.describe_clusters(clusters=[d.cluster_arn])["clusters"]
    return {"name": cluster[0]["clusterName"], "status": cluster[0]["status"]} if cluster else {}


def _read_repository(ecr: Any, d: Deployment) -> dict[str, Any]:
    repo = ecr.describe_repositories(repositoryNames=[d.repository_name])["repositories"][0]
    return {"name": repo["repositoryName"], "uri": repo["repositoryUri"]}


# What each resource should be: fields compared one by one, then the checks a field-by-field
# comparison cannot say. A check gets the deployment, what was read back and the colour
# ("" for a resource the deployment has one of).


def _target_group_fields(d: Deployment) -> dict[str, Any]:
    spec = d.spec
    return {
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


def _task_definition_fields(d: Deployment) -> dict[str, Any]:
    spec = d.spec
    return {
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


def _check_load_balancer(d: Deployment, lb: dict[str, Any], _color: str) -> list[str]:
    out: list[str] = []
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


def _check_listener(d: Deployment, listener: dict[str, Any], _color: str) -> list[str]:
    out: list[str] = []
    if (listener["protocol"], listener["port"]) != ("HTTP", 80):
        out.append(f"the listener is {listener['protocol']} {listener['port']}, not HTTP 80")
    if listener["weights"] != d.weights:
        out.append(f"listener weights are {listener['weights']}, expected {d.weights}")
    return out


def _check_environment(_d: Deployment, task: dict[str, Any], color: str) -> list[str]:
    env = task["environment"]
    return [
        f"{color} task definition: {key}={env.get(key)}, expected {value}"
        for key, value in (("COLOR", color), ("TRUSTED_PROXY_HOPS", "1"))
        if env.get(key) != value
    ]


def _check_service(d: Deployment, service: dict[str, Any], color: str) -> list[str]:
    out: list[str] = []
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
    wired = [(color, CONTAINER_NAME, d.spec.container_port)]
    if service["load_balancers"] != wired:
        out.append(f"{color} service is wired to {service['load_balancers']}, expected {wired}")
    if service["circuit_breaker"] not in (None, (True, True)):
        out.append(f"{color} service has no circuit breaker with rollback")
    if service["task_definition"] != d.task_definition_arns.get(color):
        out.append(f"{color} service runs {service['task_definition']}")
    return out


def _check_scaling(d: Deployment, scaling: dict[str, Any], color: str) -> list[str]:
    out: list[str] = []
    spec = d.spec
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


def _check_log_group(d: Deployment, log_group: dict[str, Any], _color: str) -> list[str]:
    days = d.spec.log_retention_days
    if log_group.get("retention_days") != days:
        return [f"log group retention is {log_group.get('retention_days')}, expected {days} days"]
    return []


def _check_role(_d: Deployment, role: dict[str, Any], _color: str) -> list[str]:
    out: list[str] = []
    if role.get("trusts") != ["ecs-tasks.amazonaws.com"]:
        out.append(f"the execution role trusts {role.get('trusts')}, not ecs-tasks.amazonaws.com")
    if EXECUTION_POLICY_ARN not in role.get("policies", []):
        out.append("the execution role lacks AmazonECSTaskExecutionRolePolicy")
    return out


def _check_cluster(_d: Deployment, cluster: dict[str, Any], _color: str) -> list[str]:
    return [] if cluster.get("status") == "ACTIVE" else ["the cluster is missing or not active"]


_Check = Callable[[Deployment, dict[str, Any], str], list[str]]


@dataclass(frozen=True, kw_only=True)
class _Kind:
    """One kind of resource a deployment creates: where it is recorded, how to read and check it.

    Attributes
    ----------
    attribute : str
        The :class:`DescribedDeployment` field it fills.
    ids : tuple of str
        The :class:`Deployment` fields that record it; nothing is read unless all are set.
    service, read : str, callable
        The boto3 client and the describe/list calls on it: (client, deployment) → the value.
    per_color : bool
        One per colour (blue, green): read back as colour → fields, checked colour by colour.
    missing : str or None
        What :func:`verify` says when it was not read back (``{color}`` filled in); None:
        its checks run on whatever was read (an empty dict).
    label, fields : str, callable or None
        Fields to compare one by one, deployment → {field: expected}; a difference reads
        ``"<label>: <field> is <seen>, expected <value>"``.
    check : callable or None
        Checks beyond the fields: (deployment, read back, colour) → lines.
    """

    attribute: str
    ids: tuple[str, ...]
    service: str
    read: Callable[[Any, Deployment], dict[str, Any]]
    per_color: bool = False
    missing: str | None = None
    label: str = ""
    fields: Callable[[Deployment], dict[str, Any]] | None = None
    check: _Check | None = None

    def differences(self, d: Deployment, seen: dict[str, Any], color: str = "") -> list[str]:
        """One line per way ``seen`` (one resource read back) differs from the deployment."""
        label = self.label.format(color=color)
        wanted = self.fields(d) if self.fields else {}
        out = [
            f"{label}: {key} is {seen[key]}, expected {value}"
            for key, value in wanted.items()
            if seen[key] != value
        ]
        return out + (self.check(d, seen, color) if self.check else [])


#: Every kind of resource, in the order :func:`describe` reads and :func:`verify` checks them.
_KINDS = (
    _Kind(
        attribute="load_balancer",
        ids=("load_balancer_arn",),
        service="elbv2",
        read=_read_load_balancer,
        missing="the load balancer is missing",
        check=_check_load_balancer,
    ),
    _Kind(
        attribute="target_groups",
        ids=("target_group_arns",),
        service="elbv2",
        read=_read_target_groups,
        per_color=True,
        missing="target group {color} is missing",
        label="target group {color}",
        fields=_target_group_fields,
    ),
    _Kind(
        attribute="listener",
        ids=("listener_arn",),
        service="elbv2",
        read=_read_listener,
        missing="the listener is missing",
        check=_check_listener,
    ),
    _Kind(
        attribute="task_definitions",
        ids=("task_definition_arns",),
        service="ecs",
        read=_read_task_definitions,
        per_color=True,
        missing="the {color} task definition is missing",
        label="{color} task definition",
        fields=_task_definition_fields,
        check=_check_environment,
    ),
    _Kind(
        attribute="services",
        ids=("service_names", "cluster_arn"),
        service="ecs",
        read=_read_services,
        per_color=True,
        missing="the {color} service is missing",
        check=_check_service,
    ),
    _Kind(
        attribute="scaling",
        ids=("scalable_targets",),
        service="application-autoscaling",
        read=_read_scaling,
        per_color=True,
        missing="{color} service has no scalable target",
        check=_check_scaling,
    ),
    _Kind(
        attribute="log_group",
        ids=("log_group",),
        service="logs",
        read=_read_log_group,
        check=_check_log_group,
    ),
    _Kind(
        attribute="role",
        ids=("execution_role_name",),
        service="iam",
        read=_read_role,
        check=_check_role,
    ),
    _Kind(
        attribute="cluster",
        ids=("cluster_arn",),
        service="ecs",
        read=_read_cluster,
        check=_check_cluster,
    ),
    _Kind(attribute="repository", ids=("repository_name",), service="ecr", read=_read_repository),
)


def describe(conn: Connection, d: Deployment) -> DescribedDeployment:
    """Read back everything the deployment created (describe/list calls only).

    Returns
    -------
    DescribedDeployment
    """
    seen = DescribedDeployment()
    for kind in _KINDS:
        if all(getattr(d, name) for name in kind.ids):
            setattr(seen, kind.attribute, kind.read(conn.client(kind.service), d))
    return seen


def verify(d: Deployment, described: DescribedDeployment) -> list[str]:
    """Compare what AWS reports with the deployment, one line per difference.

    Checks the load balancer (internet-facing, public subnets, two or more AZs, its
    security group), both target groups (IP targets, port, health check, delay), the
    listener's weights (those :func:`shift_traffic` last set), each task definition
    (size, ``awsvpc``, Fargate, role, image, port, ``COLOR``, ``TRUSTED_PROXY_HOPS``,
    ``awslogs``), each service's wiring (private subnets, no public IP, app security
    group, its target group, container name and port, circuit breaker), autoscaling
    (bounds and policies), the log group's retention, the role and the cluster.

    Returns
    -------
    list of str
        Empty when what exists matches.
    """
    out: list[str] = []
    for kind in _KINDS:
        seen = getattr(described, kind.attribute)
        if not kind.per_color:
            if kind.missing and not seen:
                out.append(kind.missing)
            else:
                out += kind.differences(d, seen)
            continue
        for color in COLORS:
            if color in seen:
                out += kind.differences(d, seen[color], color)
            elif kind.missing:
                out.append(kind.missing.format(color=color))
    return out
