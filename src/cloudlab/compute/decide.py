"""Which way to run containers on AWS: a few questions in, a recommendation with cited reasons out.

The rules are deterministic and short enough to read (they are the body of
:func:`recommend`); each reason carries the bibliography key of the page it rests on.
They encode the trade-offs in AWS's and Kubernetes' own documentation, not a ranking:

1. **Node-level control** (GPUs, DaemonSets, privileged containers, a custom kernel or
   AMI) rules Fargate out: Fargate runs each task or pod in its own isolated compute,
   and EKS on Fargate supports neither DaemonSets nor privileged containers. So the
   answer is EC2 instances, under EKS if the team knows Kubernetes or needs
   portability, else under ECS.
2. **Portability** (the same manifests must run on another cloud or on premises), or a
   team already **strong in Kubernetes** running **many services** (5 or more): EKS,
   because Kubernetes is an open-source orchestrator and EKS is conformant with it. The
   pods go on Fargate when nobody is free to run nodes (ops headcount 0) or the load is
   bursty; on EC2 nodes otherwise.
3. Otherwise ECS, AWS's own orchestrator (no control plane charge). On Fargate, unless
   the load is **steady**, there are **10 or more services**, and someone runs the
   instances (ops headcount ≥ 1): then ECS on EC2, whose whole instances cost less per
   task at a steady, large scale (see :mod:`cloudlab.compute.costs`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudlab.checks import instance

__all__ = [
    "CHOICES",
    "EXPERIENCE",
    "LOAD",
    "Answers",
    "Reason",
    "Recommendation",
    "recommend",
]

#: What :func:`recommend` can answer.
CHOICES = ("ECS on Fargate", "ECS on EC2", "EKS on Fargate", "EKS on EC2 nodes")
EXPERIENCE = ("none", "some", "strong")
LOAD = ("steady", "bursty")
#: Services from which a team strong in Kubernetes gains from running them all on it.
MANY_SERVICES = 5
#: Services from which packing them onto instances pays for running the instances.
FLEET_SERVICES = 10


@dataclass(frozen=True)
class Answers:
    """The questions.

    Attributes
    ----------
    kubernetes : {"none", "some", "strong"}
        The team's Kubernetes experience.
    portable : bool
        Must the same deployment run on another cloud or on premises?
    services : int
        Number of services (apps) to run, at least 1.
    node_control : bool
        Need GPUs, DaemonSets, privileged containers, a custom kernel or AMI?
    load : {"steady", "bursty"}
    ops_people : int
        People with time to run servers or clusters (0 or more).
    """

    kubernetes: str = "none"
    portable: bool = False
    services: int = 1
    node_control: bool = False
    load: str = "bursty"
    ops_people: int = 0

    def check(self) -> Answers:
        """Return the answers if they make sense, else raise a one-line ValueError."""
        if self.kubernetes not in EXPERIENCE:
            raise ValueError(f"kubernetes={self.kubernetes!r:.40}: answer none, some or strong")
        if self.load not in LOAD:
            raise ValueError(f"load={self.load!r:.40}: answer steady or bursty")
        if isinstance(self.services, bool) or not isinstance(self.services, int):
            raise ValueError(f"services={self.services!r}: a whole number of services")
        if self.services < 1:
            raise ValueError(f"services={self.services}: there is at least one service to run")
        if isinstance(self.ops_people, bool) or not isinstance(self.ops_people, int):
            raise ValueError(f"ops_people={self.ops_people!r}: a whole number of people")
        if self.ops_people < 0:
            raise ValueError(f"ops_people={self.ops_people}: cannot be negative")
        return self


@dataclass(frozen=True)
class Reason:
    """One reason, and the bibliography key of its source."""

    text: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    """What to use, and why.

    Attributes
    ----------
    choice : str
        One of :data:`CHOICES`.
    rule : int
        The rule (1–3 in the module docstring) that decided it.
    reasons : tuple of Reason
    """

    choice: str
    rule: int
    reasons: tuple[Reason, ...]

    def text(self) -> str:
        """The recommendation and its reasons as plain text, sources in brackets."""
        lines = [f"{self.choice} (rule {self.rule})"]
        lines += [f"- {r.text} [{r.source}]" for r in self.reasons]
        return "\n".join(lines)


_NO_FARGATE = Reason(
    "Fargate gives each task or pod its own isolated compute: there is no node to put a "
    "DaemonSet, a privileged container or a custom kernel on (EKS on Fargate supports "
    "neither DaemonSets nor privileged containers), so this needs EC2 instances",
    "aws-eks-fargate",
)
_K8S_OPEN = Reason(
    "Kubernetes is an open-source orchestrator that runs on many clouds and on premises, "
    "and EKS is Kubernetes-conformant, so manifests move with little change (the "
    "cloud-specific parts, such as load balancer annotations and IAM, still need work)",
    "kubernetes-docs",
)
_EKS_PLANE = Reason(
    "EKS runs and patches the Kubernetes control plane across three Availability Zones "
    "for you, for a fixed price per cluster-hour",
    "aws-eks-architecture",
)
_EKS_FEE = Reason(
    "the EKS control plane costs USD 0.10 per cluster-hour (about USD 73 a month) even "
    "when nothing runs on it, and six times that once its Kubernetes version is in "
    "extended support",
    "aws-eks-extended-support-pricing",
)
_ECS_FREE = Reason(
    "ECS is AWS's own orchestrator: there is no charge for ECS itself, you pay for the "
    "Fargate or EC2 capacity the tasks use",
    "aws-ecs-overview",
)
_FARGATE_NO_SERVERS = Reason(
    "with Fargate there are no instances to choose, patch, scale or pack: each task is "
    "billed for its own vCPU and memory, per second",
    "aws-fargate-pricing",
)
_SCALING = Reason(
    "bursty load is handled by service auto scaling changing the number of tasks; on "
    "Fargate no instance capacity has to be added first",
    "aws-ecs-service-autoscaling",
)
_EC2_PACKING = Reason(
    "at a steady, large scale, tasks packed onto whole instances cost less per task than "
    "Fargate (see the cost model's crossovers), if someone runs the instances",
    "aws-ec2-instance-pricing",
)
_EKS_FARGATE_LIMITS = Reason(
    "on Fargate, EKS gives every pod its own compute boundary and no nodes to manage; "
    "a load balancer reaches such pods only as IP targets",
    "aws-eks-fargate",
)


def recommend(answers: Answers) -> Recommendation:
    """Recommend ECS on Fargate, ECS on EC2, EKS on Fargate or EKS on EC2 nodes.

    Parameters
    ----------
    answers : Answers

    Returns
    -------
    Recommendation
        The choice, the rule that decided it (see the module docstring) and its reasons,
        each with a source.

    Raises
    ------
    ValueError
        For answers that make no sense (see :meth:`Answers.check`).
    """
    a = instance("answers", answers, Answers).check()
    strong = a.kubernetes == "strong"
    # Rule 1: node-level control needs EC2.
    if a.node_control:
        if strong or a.portable:
            return Recommendation("EKS on EC2 nodes", 1, (_NO_FARGATE, _K8S_OPEN, _EKS_FEE))
        return Recommendation("ECS on EC2", 1, (_NO_FARGATE, _ECS_FREE))
    # Rule 2: portability, or a strong Kubernetes team with many services.
    if a.portable or (strong and a.services >= MANY_SERVICES):
        reasons = [_K8S_OPEN, _EKS_PLANE, _EKS_FEE]
        if a.ops_people == 0 or a.load == "bursty":
            return Recommendation("EKS on Fargate", 2, (*reasons, _EKS_FARGATE_LIMITS))
        return Recommendation("EKS on EC2 nodes", 2, (*reasons, _EC2_PACKING))
    # Rule 3: ECS; EC2 only for a steady fleet with people to run it.
    if a.load == "steady" and a.services >= FLEET_SERVICES and a.ops_people >= 1:
        return Recommendation("ECS on EC2", 3, (_ECS_FREE, _EC2_PACKING))
    reasons = [_ECS_FREE, _FARGATE_NO_SERVERS]
    if a.load == "bursty":
        reasons.append(_SCALING)
    return Recommendation("ECS on Fargate", 3, tuple(reasons))
