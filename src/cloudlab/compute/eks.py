"""Create an EKS cluster and a Fargate profile on a built network, describe them, delete them all.

Chapter: Fargate, ECS and EKS (notebooks/fargate-ecs-eks.ipynb, "The EKS path for real").

The EKS path of the book, step by step, through :func:`cloudlab.aws.connect` (the local
emulator unless the reader opted into a real account). Each step records what it made
in a :class:`BuiltEKS` as soon as AWS returns it, prints one line, and, before anything
billable, prints its dated price (:meth:`Connection.costs`, rates from
:mod:`cloudlab.compute.prices`). :func:`teardown` deletes what the record holds, in
dependency order (Fargate profile, cluster, then the IAM roles after their policies are
detached), and :func:`leftovers` lists anything of ours still there.

The lifecycle is :mod:`cloudlab.aws.steps`, shared with the network and the service:
:func:`deploy_eks` refuses a name already in use, runs the steps through
:func:`~cloudlab.aws.steps.run_steps` (a failure deletes what was made, so nothing
billable is left), and on a real account waits with boto3's waiters: the cluster must be
``ACTIVE`` before AWS accepts a Fargate profile (``cluster_active``), the profile
``ACTIVE`` before pods can use it, and at teardown the profile must be gone
(``fargate_profile_deleted``) before the cluster can be deleted (``cluster_deleted``).

Two IAM roles are needed: the **cluster role**, which the EKS service assumes to manage
AWS resources for the cluster, and the **pod execution role**, which Fargate's
infrastructure assumes to pull images and write logs for the pods. The cluster goes on
the plan's *private* subnets (a Fargate profile accepts private subnets only).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import (
    Teardown,
    error_code,
    refuse_existing,
    run_steps,
    tag_map,
    tags,
    wait,
)
from cloudlab.compute.costs import EKS_POD_OVERHEAD_MIB
from cloudlab.compute.prices import DEFAULT_PRICES, PriceTable, smallest_fargate_size
from cloudlab.vpc.build import BuiltNetwork
from cloudlab.vpc.plan import TAG_KEY, NetworkPlan

__all__ = [
    "CLUSTER_POLICY",
    "POD_EXECUTION_POLICY",
    "BuiltEKS",
    "EKSError",
    "create_cluster",
    "create_fargate_profile",
    "create_roles",
    "deploy_eks",
    "describe",
    "leftovers",
    "teardown",
    "temporary_eks",
]

#: AWS managed policies for the two roles (attached by ARN, partition ``aws``).
CLUSTER_POLICY = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
POD_EXECUTION_POLICY = "arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy"
#: The labels the book's manifests give the app's pods (labs/kubernetes).
APP_LABELS = {"app.kubernetes.io/name": "cloudlab-web"}
#: The namespace the Fargate profile selects.
NAMESPACE = "cloudlab"
#: Waiter settings on a real account: (seconds between polls, polls). A cluster takes
#: about 10 minutes to become ACTIVE, a Fargate profile a few.
_WAIT = {"cluster": (30, 40), "profile": (10, 60)}


class EKSError(RuntimeError):
    """The EKS steps failed part-way; what they had created has been deleted."""


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


@dataclass
class BuiltEKS:
    """What the EKS steps created, filled in step by step.

    Attributes
    ----------
    name : str
        The cluster's name (also the prefix of the roles' names and the tag value).
    cluster_role, pod_role : str or None
        IAM role names.
    cluster_role_arn, pod_role_arn : str or None
    policies : dict
        Role name → policy ARNs attached to it.
    cluster : str or None
        The cluster's name once it exists.
    fargate_profile : str or None
        The Fargate profile's name once it exists.
    subnet_ids : list of str
        The private subnets the cluster and profile use.
    """

    name: str
    cluster_role: str | None = None
    cluster_role_arn: str | None = None
    pod_role: str | None = None
    pod_role_arn: str | None = None
    policies: dict[str, list[str]] = field(default_factory=dict)
    cluster: str | None = None
    fargate_profile: str | None = None
    subnet_ids: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing is recorded."""
        return not (self.cluster_role or self.pod_role or self.cluster or self.fargate_profile)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def _create_role(conn: Connection, built: BuiltEKS, role: str, service: str, policy: str) -> str:
    iam = conn.client("iam")
    arn = iam.create_role(
        RoleName=role,
        AssumeRolePolicyDocument=_trust(service),
        Description=f"cloudlab: assumed by {service}",
        Tags=tags(role, TAG_KEY, built.name),
    )["Role"]["Arn"]
    built.policies[role] = []
    iam.attach_role_policy(RoleName=role, PolicyArn=policy)
    built.policies[role].append(policy)
    return str(arn)


def create_roles(conn: Connection, built: BuiltEKS) -> tuple[str, str]:
    """Create the cluster role and the pod execution role (IAM itself is free).

    Returns
    -------
    tuple of str
        The two roles' ARNs.
    """
    built.cluster_role = f"{built.name}-eks-cluster"
    built.cluster_role_arn = _create_role(
        conn, built, built.cluster_role, "eks.amazonaws.com", CLUSTER_POLICY
    )
    conn.say(f"IAM role {built.cluster_role}: EKS may assume it (AmazonEKSClusterPolicy)")
    built.pod_role = f"{built.name}-eks-pods"
    built.pod_role_arn = _create_role(
        conn, built, built.pod_role, "eks-fargate-pods.amazonaws.com", POD_EXECUTION_POLICY
    )
    conn.say(f"IAM role {built.pod_role}: Fargate may assume it to pull images for pods")
    return built.cluster_role_arn, built.pod_role_arn


def _private_subnets(plan: NetworkPlan, network: BuiltNetwork) -> list[str]:
    ids = [network.subnet_ids[s.name] for s in plan.subnets_of_kind("private")]
    if len(ids) < 2:
        raise ValueError("EKS needs private subnets in at least two Availability Zones")
    return ids


def create_cluster(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    built: BuiltEKS,
    *,
    prices: PriceTable = DEFAULT_PRICES,
) -> str:
    """Create the EKS cluster on the plan's private subnets (billed per hour: said first).

    Returns
    -------
    str
        The cluster's ARN.
    """
    if not built.cluster_role_arn:
        raise ValueError("create the roles first (create_roles)")
    built.subnet_ids = _private_subnets(plan, network)
    conn.costs(
        f"EKS cluster {built.name}",
        prices.usd("eks-cluster"),
        note=f"or USD {prices.usd('eks-cluster-extended'):.2f} once in extended support",
    )
    cluster = conn.client("eks").create_cluster(
        name=built.name,
        roleArn=built.cluster_role_arn,
        resourcesVpcConfig={
            "subnetIds": built.subnet_ids,
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
        },
        tags=tag_map(TAG_KEY, built.name),
    )["cluster"]
    built.cluster = built.name
    delay, attempts = _WAIT["cluster"]
    wait(
        conn, conn.client("eks"), "cluster_active", delay=delay, attempts=attempts, name=built.name
    )
    conn.say(f"EKS cluster {built.name}: {cluster['status']} on {len(built.subnet_ids)} subnets")
    return str(cluster["arn"])


def create_fargate_profile(
    conn: Connection,
    built: BuiltEKS,
    *,
    namespace: str = NAMESPACE,
    labels: dict[str, str] | None = None,
    prices: PriceTable = DEFAULT_PRICES,
) -> str:
    """Create a Fargate profile: pods in ``namespace`` with ``labels`` run on Fargate.

    The profile itself is free; each pod it places is billed for its Fargate size,
    priced here for the book's smallest pod (0.25 vCPU, 512 MiB requested).

    Returns
    -------
    str
        The profile's ARN.
    """
    if not built.cluster or not built.pod_role_arn:
        raise ValueError("create the roles and the cluster first")
    cpu, memory = smallest_fargate_size(256, 512 + EKS_POD_OVERHEAD_MIB)
    per_pod = (cpu / 1024) * prices.usd("fargate-vcpu") + (memory / 1024) * prices.usd("fargate-gb")
    conn.costs(
        "each pod the Fargate profile places",
        per_pod,
        note=f"for a {cpu / 1024:g} vCPU / {memory} MiB pod; the profile itself is free",
    )
    name = f"{built.name}-app"
    profile = conn.client("eks").create_fargate_profile(
        fargateProfileName=name,
        clusterName=built.cluster,
        podExecutionRoleArn=built.pod_role_arn,
        subnets=built.subnet_ids,
        selectors=[{"namespace": namespace, "labels": labels or dict(APP_LABELS)}],
        tags=tag_map(TAG_KEY, built.name),
    )["fargateProfile"]
    built.fargate_profile = name
    delay, attempts = _WAIT["profile"]
    wait(
        conn,
        conn.client("eks"),
        "fargate_profile_active",
        delay=delay,
        attempts=attempts,
        clusterName=built.cluster,
        fargateProfileName=name,
    )
    conn.say(f"Fargate profile {name}: pods in namespace {namespace!r} with the app's labels")
    return str(profile["fargateProfileArn"])


def describe(conn: Connection, built: BuiltEKS) -> dict[str, Any]:
    """Read the cluster and its Fargate profile back from the API.

    Returns
    -------
    dict
        ``cluster`` (name, status, version, subnet_ids, role_arn) and ``fargate_profile``
        (name, status, selectors, subnets, pod_role_arn), or None for what does not exist.
    """
    eks = conn.client("eks")
    found: dict[str, Any] = {"cluster": None, "fargate_profile": None}
    if built.cluster:
        c = eks.describe_cluster(name=built.cluster)["cluster"]
        found["cluster"] = {
            "name": c["name"],
            "status": c["status"],
            "version": c.get("version"),
            "subnet_ids": list(c["resourcesVpcConfig"]["subnetIds"]),
            "role_arn": c["roleArn"],
        }
    if built.cluster and built.fargate_profile:
        p = eks.describe_fargate_profile(
            clusterName=built.cluster, fargateProfileName=built.fargate_profile
        )["fargateProfile"]
        found["fargate_profile"] = {
            "name": p["fargateProfileName"],
            "status": p["status"],
            "selectors": p["selectors"],
            "subnets": list(p["subnets"]),
            "pod_role_arn": p["podExecutionRoleArn"],
        }
    return found


def _gone(error: ClientError) -> bool:
    return error_code(error) in ("ResourceNotFoundException", "NoSuchEntity")


def _one(job: Teardown, method: Any, label: str, **kwargs: Any) -> bool:
    """Delete one resource and print ``deleted <label>``; False if that failed."""
    outcome = job.call(method, **kwargs)
    if outcome == "done":
        job.conn.say(f"deleted {label}")
        job.deleted.append(label)
    return outcome != "failed"


def _delete_eks(job: Teardown, built: BuiltEKS) -> None:
    """The Fargate profile (waiting until it is gone), then the cluster (waiting too)."""
    eks = job.conn.client("eks")
    if built.cluster and built.fargate_profile:
        profile = built.fargate_profile
        if _one(
            job,
            eks.delete_fargate_profile,
            f"fargate profile {profile}",
            clusterName=built.cluster,
            fargateProfileName=profile,
        ):
            delay, attempts = _WAIT["profile"]
            job.wait(
                eks,
                "fargate_profile_deleted",
                f"fargate profile {profile}",
                delay=delay,
                attempts=attempts,
                clusterName=built.cluster,
                fargateProfileName=profile,
            )
            built.fargate_profile = None
    if built.cluster and not built.fargate_profile:
        cluster = built.cluster
        if _one(job, eks.delete_cluster, f"cluster {cluster}", name=cluster):
            delay, attempts = _WAIT["cluster"]
            job.wait(
                eks,
                "cluster_deleted",
                f"cluster {cluster}",
                delay=delay,
                attempts=attempts,
                name=cluster,
            )
            built.cluster = None


def _delete_roles(job: Teardown, built: BuiltEKS) -> None:
    """Each role's policies detached, then the role."""
    iam = job.conn.client("iam")
    for attribute in ("pod_role", "cluster_role"):
        role = getattr(built, attribute)
        if not role:
            continue
        for policy in list(built.policies.get(role, [])):
            if job.call(iam.detach_role_policy, RoleName=role, PolicyArn=policy) != "failed":
                built.policies[role].remove(policy)
        if built.policies.get(role) or not _one(
            job, iam.delete_role, f"role {role}", RoleName=role
        ):
            continue
        built.policies.pop(role, None)
        setattr(built, attribute, None)
        setattr(built, f"{attribute}_arn", None)


def teardown(conn: Connection, built: BuiltEKS) -> list[str]:
    """Delete the Fargate profile, the cluster, then the roles; safe to run again.

    On a real account each delete is waited for before the next (AWS refuses to delete
    a cluster that still has a profile).

    Returns
    -------
    list of str
        What this call deleted, e.g. ``["fargate profile x", "cluster x", "role x-eks-pods"]``.

    Raises
    ------
    RuntimeError
        If something could not be deleted (after the rest was); run :func:`leftovers`.
    """
    job = Teardown(conn, _gone)
    _delete_eks(job, built)
    _delete_roles(job, built)
    return job.finish(built.name)


def leftovers(conn: Connection, name: str) -> list[str]:
    """EKS clusters and IAM roles of ours (named ``name`` / ``name-eks-*``) still there."""
    found = [f"cluster {c}" for c in conn.client("eks").list_clusters()["clusters"] if c == name]
    roles = conn.client("iam").list_roles()["Roles"]
    found += [f"role {r['RoleName']}" for r in roles if r["RoleName"].startswith(f"{name}-eks-")]
    return found


def deploy_eks(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    *,
    name: str = "cloudlab-eks",
    prices: PriceTable = DEFAULT_PRICES,
) -> BuiltEKS:
    """Roles, cluster and Fargate profile, step by step; on any failure delete what was made.

    Raises
    ------
    ValueError
        A cluster or roles of that name exist already, or the plan lacks private
        subnets in two AZs (nothing was created).
    EKSError
        A step failed; everything it had created was deleted (the message names the step).
    """
    _private_subnets(plan, network)
    refuse_existing("cluster", name, leftovers(conn, name))
    built = BuiltEKS(name=name)
    run_steps(
        conn,
        [
            ("create the IAM roles", partial(create_roles, conn, built)),
            (
                "create the EKS cluster",
                partial(create_cluster, conn, plan, network, built, prices=prices),
            ),
            (
                "create the Fargate profile",
                partial(create_fargate_profile, conn, built, prices=prices),
            ),
        ],
        undo=partial(teardown, conn, built),
        error=EKSError,
        what=f"creating EKS cluster {name!r}",
    )
    return built


@contextmanager
def temporary_eks(
    conn: Connection,
    plan: NetworkPlan,
    network: BuiltNetwork,
    *,
    name: str = "cloudlab-eks",
    prices: PriceTable = DEFAULT_PRICES,
) -> Iterator[BuiltEKS]:
    """Roles, cluster and Fargate profile for a ``with`` block; all deleted at the end."""
    built = deploy_eks(conn, plan, network, name=name, prices=prices)
    try:
        yield built
    finally:
        teardown(conn, built)
