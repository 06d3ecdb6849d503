"""Tear a deployment down in dependency order, and list what is left of any deployment.

Chapter: Deploy the service (notebooks/deploy-the-service.ipynb, "Tear it all down").
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import Teardown, error_code
from cloudlab.deploy.service.spec import (
    _SCALABLE_DIMENSION,
    TAG_KEY,
    Deployment,
)

# ------------------------------------------------------------------ teardown

_GONE_CODES = {
    "ListenerNotFound",
    "LoadBalancerNotFound",
    "TargetGroupNotFound",
    "ServiceNotFoundException",
    "ServiceNotActiveException",
    "ClusterNotFoundException",
    "ResourceNotFoundException",
    "RepositoryNotFoundException",
    "NoSuchEntity",
    "ObjectNotFoundException",
}


def _gone(error: ClientError) -> bool:
    info = error.response.get("Error", {})
    code, message = error_code(error), str(info.get("Message", "")).lower()
    if code in _GONE_CODES:
        return True
    # Application Auto Scaling and ECS say "not found" inside generic error codes.
    return code in ("ValidationException", "ClientException", "InvalidParameterException") and (
        "not found" in message or "no scal" in message or "does not exist" in message
    )


def _autoscaling(job: Teardown, d: Deployment) -> None:
    """Scaling policies, then the scalable targets they belong to."""
    aas = job.conn.client("application-autoscaling")
    now = []
    for color, names in list(d.scaling_policies.items()):
        resource = d.scalable_targets.get(color) or f"service/{d.name}/{d.name}-{color}"
        for policy in list(names):
            outcome = job.call(
                aas.delete_scaling_policy,
                PolicyName=policy,
                ServiceNamespace="ecs",
                ResourceId=resource,
                ScalableDimension=_SCALABLE_DIMENSION,
            )
            if outcome != "failed":
                names.remove(policy)
            if outcome == "done":
                now.append(policy)
        if not names:
            del d.scaling_policies[color]
    job.report("Deleted scaling policies", now)
    job.sweep(
        d.scalable_targets,
        aas.deregister_scalable_target,
        "ResourceId",
        "Deregistered scalable targets",
        ServiceNamespace="ecs",
        ScalableDimension=_SCALABLE_DIMENSION,
    )


def _ecs(job: Teardown, d: Deployment) -> None:
    """Services (scaled to 0, deleted with ``force``), task definitions, then the cluster."""
    ecs = job.conn.client("ecs")
    now = []
    for color, service in list(d.service_names.items()):
        job.call(ecs.update_service, quiet=True, cluster=d.name, service=service, desiredCount=0)
        outcome = job.call(ecs.delete_service, cluster=d.name, service=service, force=True)
        if outcome != "failed":
            del d.service_names[color]
        if outcome == "done":
            now.append(service)
    job.report("Deleted services (scaled to 0 first)", now)
    if now:
        job.wait(
            ecs,
            "services_inactive",
            "the services to stop",
            delay=10,
            attempts=60,
            cluster=d.name,
            services=now,
        )
    job.sweep(
        d.task_definition_arns,
        ecs.deregister_task_definition,
        "taskDefinition",
        "Deregistered task definitions",
        shown=lambda _color, arn: arn.rsplit("/", 1)[-1],
    )
    if (
        d.cluster_arn
        and not d.service_names
        and job.one(ecs.delete_cluster, "Deleted cluster", d.name, cluster=d.cluster_arn)
    ):
        d.cluster_arn = None


def _load_balancing(job: Teardown, d: Deployment) -> None:
    """The listener, the load balancer (waiting until it is gone), then the target groups."""
    elb = job.conn.client("elbv2")
    if d.listener_arn and job.one(
        elb.delete_listener, "Deleted listener", "HTTP :80", ListenerArn=d.listener_arn
    ):
        d.listener_arn = None
        d.weights = {}
    if d.load_balancer_arn and not d.listener_arn:
        arn = d.load_balancer_arn
        label = f"{d.name}-alb"
        if job.one(elb.delete_load_balancer, "Deleted load balancer", label, LoadBalancerArn=arn):
            job.wait(
                elb,
                "load_balancers_deleted",
                "the load balancer",
                delay=15,
                attempts=40,
                LoadBalancerArns=[arn],
            )
            d.load_balancer_arn = None
            d.load_balancer_dns = None
    if not d.load_balancer_arn:  # while it exists, it still uses the target groups
        job.sweep(
            d.target_group_arns,
            elb.delete_target_group,
            "TargetGroupArn",
            "Deleted target groups",
            shown=lambda color, _arn: f"{d.name}-{color}",
        )


def _logs_and_registry(job: Teardown, d: Deployment) -> None:
    """The log group; the ECR repository (with its images) only if this deployment made it."""
    if d.log_group:
        logs = job.conn.client("logs")
        if job.one(
            logs.delete_log_group, "Deleted log group", d.log_group, logGroupName=d.log_group
        ):
            d.log_group = None
    if not d.repository_name:
        return
    if not d.repository_created:
        job.conn.say(f"Kept ECR repository {d.repository_name}: it existed before")
        d.repository_name = d.repository_uri = None
        return
    ecr = job.conn.client("ecr")
    what = "Deleted ECR repository (with its images)"
    name = d.repository_name
    if job.one(ecr.delete_repository, what, name, repositoryName=name, force=True):
        d.repository_name = d.repository_uri = None
        d.repository_created = False


def _execution_role(job: Teardown, d: Deployment) -> None:
    """The task execution role, its policies first."""
    if not d.execution_role_name:
        d.attached_policies.clear()
        d.inline_policies.clear()
        return
    iam = job.conn.client("iam")
    role = d.execution_role_name
    for arn in list(d.attached_policies):
        if job.call(iam.detach_role_policy, RoleName=role, PolicyArn=arn) != "failed":
            d.attached_policies.remove(arn)
    for policy in list(d.inline_policies):
        if job.call(iam.delete_role_policy, RoleName=role, PolicyName=policy) != "failed":
            d.inline_policies.remove(policy)
    what = "Deleted task execution role (policies first)"
    if (
        not d.attached_policies
        and not d.inline_policies
        and job.one(iam.delete_role, what, role, RoleName=role)
    ):
        d.execution_role_name = d.execution_role_arn = None


#: Teardown's stages, in dependency order.
_STAGES: tuple[Callable[[Teardown, Deployment], None], ...] = (
    _autoscaling,
    _ecs,
    _load_balancing,
    _logs_and_registry,
    _execution_role,
)


def teardown(conn: Connection, d: Deployment) -> list[str]:
    """Delete everything in ``d``, in dependency order; safe to run again.

    Order: scaling policies and scalable targets; services (scaled to 0, then deleted
    with ``force``); task definitions (deregistered); the cluster; the listener; the
    load balancer; the target groups; the log group; the ECR repository (with its
    images, only if this deployment created it); the execution role (its policies
    first). Anything already gone is skipped; what was deleted (or found gone) is
    removed from ``d``, what could not be deleted stays, so running it again retries.

    Returns
    -------
    list of str
        What this call deleted.

    Raises
    ------
    RuntimeError
        If something could not be deleted (after the rest was); run :func:`leftovers`.
    """
    if d.empty:
        conn.say(f"Teardown of {d.name!r}: nothing left to delete")
        return []
    job = Teardown(conn, _gone)
    for stage in _STAGES:
        stage(job, d)
    return job.finish(d.name)


def leftovers(conn: Connection, name: str | None = None) -> list[str]:
    """Everything of a deployment still in the region (tagged ``cloudlab:deployment``).

    Parameters
    ----------
    name : str, optional
        Only this deployment's resources (default: every cloudlab deployment's).

    Returns
    -------
    list of str
        ``"<kind> <name or id>"`` lines; empty when nothing is left. Deleted services,
        inactive clusters and deregistered task definitions are not listed.
    """
    found: list[str] = []

    def ours(tags: dict[str, str]) -> bool:
        value = tags.get(TAG_KEY)
        return value is not None and (name is None or value == name)

    elb = conn.client("elbv2")
    lbs = elb.describe_load_balancers().get("LoadBalancers", [])
    tgs = elb.describe_target_groups().get("TargetGroups", [])
    arns = [lb["LoadBalancerArn"] for lb in lbs] + [t["TargetGroupArn"] for t in tgs]
    tags_by_arn: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), 20):
        for item in elb.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
            tags_by_arn[item["ResourceArn"]] = {t["Key"]: t["Value"] for t in item["Tags"]}
    for lb in lbs:
        if ours(tags_by_arn.get(lb["LoadBalancerArn"], {})):
            found.append(f"load balancer {lb['LoadBalancerName']}")
    for tg in tgs:
        if ours(tags_by_arn.get(tg["TargetGroupArn"], {})):
            found.append(f"target group {tg['TargetGroupName']}")

    ecs = conn.client("ecs")
    cluster_arns = ecs.list_clusters().get("clusterArns", [])
    live_clusters: set[str] = set()
    our_clusters: set[str] = set()
    if cluster_arns:
        clusters = ecs.describe_clusters(clusters=cluster_arns, include=["TAGS"])["clusters"]
        for c in clusters:
            if c.get("status") != "ACTIVE":
                continue
            live_clusters.add(c["clusterName"])
            if ours({t["key"]: t["value"] for t in c.get("tags", [])}):
                our_clusters.add(c["clusterName"])
                found.append(f"ECS cluster {c['clusterName']}")
            services = ecs.list_services(cluster=c["clusterArn"]).get("serviceArns", [])
            if services:
                described = ecs.describe_services(
                    cluster=c["clusterArn"], services=services, include=["TAGS"]
                )["services"]
                for s in described:
                    tags = {t["key"]: t["value"] for t in s.get("tags", [])}
                    if s.get("status") != "INACTIVE" and ours(tags):
                        found.append(f"ECS service {s['serviceName']}")
    listing = {"status": "ACTIVE"} | ({"familyPrefix": name} if name else {})
    for arn in ecs.list_task_definitions(**listing).get("taskDefinitionArns", []):
        task = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
        if ours({t["key"]: t["value"] for t in task.get("tags", [])}):
            found.append(f"task definition {arn.rsplit('/', 1)[-1]}")

    aas = conn.client("application-autoscaling")
    for target in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]:
        parts = target["ResourceId"].split("/")
        cluster = parts[1] if len(parts) == 3 else ""
        if name is not None:
            mine = cluster == name  # a deployment's cluster carries its name
        else:
            mine = cluster in our_clusters or cluster not in live_clusters  # ours, or orphaned
        if mine:
            found.append(f"scalable target {target['ResourceId']}")

    logs = conn.client("logs")
    for group in logs.describe_log_groups(logGroupNamePrefix="/ecs/").get("logGroups", []):
        tags = logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags", {})
        if ours(tags):
            found.append(f"log group {group['logGroupName']}")

    ecr = conn.client("ecr")
    for repo in ecr.describe_repositories().get("repositories", []):
        tags = ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"]).get("tags", [])
        if ours({t["Key"]: t["Value"] for t in tags}):
            found.append(f"ECR repository {repo['repositoryName']}")

    iam = conn.client("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if not role["RoleName"].endswith("-task-execution"):
                continue
            tags = iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])
            if ours({t["Key"]: t["Value"] for t in tags}):
                found.append(f"IAM role {role['RoleName']}")
    return found
