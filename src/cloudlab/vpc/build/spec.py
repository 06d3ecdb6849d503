"""The network build's record and its security groups as data: what a build creates.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb). :class:`BuiltNetwork` holds
the id of everything a build created; :func:`security_group_rules` is the book's two
security groups as data, which the build creates and :func:`~cloudlab.vpc.build.verify`
checks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from typing import Any

from cloudlab.aws.steps import need, tag_specifications
from cloudlab.vpc.plan import TAG_KEY, NetworkPlan

#: The port the Flask app's container listens on (see labs/flask_app).
APP_PORT = 5000
_ANY4 = "0.0.0.0/0"
_ANY6 = "::/0"


class BuildError(RuntimeError):
    """A build failed part-way; what it had created has been deleted."""


@dataclass
class BuiltNetwork:
    """The id of everything a build created, filled in step by step.

    Attributes
    ----------
    plan : str
        The plan's name, also the value of every resource's ``cloudlab:plan`` tag.
    region : str
        Where it was built (only the connection knows; never written into the project).
    az_names : dict
        AZ letter → the Availability Zone's name in that region.
    vpc_id, igw_id, eigw_id : str or None
    ipv6_cidr : str or None
        The /56 AWS assigned.
    igw_attached : bool
    subnet_ids : dict
        Subnet name → id.
    allocation_ids, nat_ids : dict
        AZ letter → Elastic IP allocation id, NAT gateway id.
    route_table_ids : dict
        Route table name → id.
    association_ids : dict
        Subnet name → route table association id.
    security_group_ids : dict
        ``"alb"`` / ``"app"`` → security group id.
    """

    plan: str
    region: str = ""
    az_names: dict[str, str] = field(default_factory=dict)
    vpc_id: str | None = None
    ipv6_cidr: str | None = None
    subnet_ids: dict[str, str] = field(default_factory=dict)
    igw_id: str | None = None
    igw_attached: bool = False
    eigw_id: str | None = None
    allocation_ids: dict[str, str] = field(default_factory=dict)
    nat_ids: dict[str, str] = field(default_factory=dict)
    route_table_ids: dict[str, str] = field(default_factory=dict)
    association_ids: dict[str, str] = field(default_factory=dict)
    security_group_ids: dict[str, str] = field(default_factory=dict)

    def ids(self) -> list[str]:
        """Every resource id in the record, in creation order."""
        found = [self.vpc_id, *self.subnet_ids.values(), self.igw_id, self.eigw_id]
        found += [*self.allocation_ids.values(), *self.nat_ids.values()]
        found += [*self.route_table_ids.values(), *self.association_ids.values()]
        found += list(self.security_group_ids.values())
        return [i for i in found if i]

    @property
    def empty(self) -> bool:
        """True when nothing is recorded (nothing to tear down)."""
        return not self.ids()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class SecurityRule:
    """One security group rule, as planned and as read back.

    Attributes
    ----------
    protocol : str
        ``"tcp"``, ``"udp"``, ``"icmp"`` or ``"-1"`` (all).
    from_port, to_port : int
        Port range (``-1`` for all).
    peer : str
        A CIDR block, or ``"sg:<role>"`` for another security group of the plan.
    description : str
        Why the rule exists (not compared by :func:`verify`).
    """

    protocol: str
    from_port: int
    to_port: int
    peer: str
    description: str = field(default="", compare=False)

    def __str__(self) -> str:
        ports = "all traffic" if self.protocol == "-1" else f"{self.protocol} {self.from_port}"
        if self.to_port != self.from_port and self.protocol != "-1":
            ports += f"–{self.to_port}"
        return f"{ports} {self.peer}"


def security_group_rules(
    plan: NetworkPlan, app_port: int = APP_PORT
) -> dict[str, dict[str, tuple[SecurityRule, ...]]]:
    """The two security groups of the book's design, as data.

    * ``alb`` (the load balancer): inbound HTTP 80 and HTTPS 443 from anywhere, over
      IPv4 and, with IPv6, over IPv6; outbound only to the app group on ``app_port``.
    * ``app`` (the Flask tasks): inbound ``app_port`` only from the ``alb`` group;
      outbound all traffic to anywhere (image pulls, AWS APIs, other services, through
      the NAT gateway): AWS's default outbound rule, written out so it is visible and
      can be narrowed (to TCP 443, say). Replies to allowed connections need no rule:
      security groups are stateful. These are the groups
      :data:`cloudlab.vpc.firewall.BOOK_GROUPS` simulates.

    Parameters
    ----------
    plan : NetworkPlan
    app_port : int, default 5000

    Returns
    -------
    dict
        Role → ``{"ingress": rules, "egress": rules}``.
    """
    if not 1 <= app_port <= 65535:
        raise ValueError(f"app_port {app_port}: a TCP port is 1–65535")
    anywhere = [_ANY4] + ([_ANY6] if plan.ipv6_cidr is not None else [])
    alb_in = tuple(
        SecurityRule("tcp", port, port, cidr, f"{name} from anywhere")
        for port, name in ((80, "HTTP"), (443, "HTTPS"))
        for cidr in anywhere
    )
    return {
        "alb": {
            "ingress": alb_in,
            "egress": (SecurityRule("tcp", app_port, app_port, "sg:app", "to the app tasks only"),),
        },
        "app": {
            "ingress": (
                SecurityRule("tcp", app_port, app_port, "sg:alb", "only from the load balancer"),
            ),
            "egress": tuple(
                SecurityRule("-1", -1, -1, cidr, "all outbound: image pulls, AWS APIs")
                for cidr in anywhere
            ),
        },
    }


def _tags(plan: NetworkPlan, resource_type: str, name: str) -> list[dict[str, Any]]:
    return tag_specifications(resource_type, f"{plan.name}-{name}", TAG_KEY, plan.name)


_need = need


def _clean(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Permissions as read back, reduced to what revoke_* accepts."""
    keep = ("IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "UserIdGroupPairs")
    cleaned = []
    for permission in permissions:
        item = {k: v for k, v in permission.items() if k in keep and v not in ([], None)}
        if "UserIdGroupPairs" in item:
            item["UserIdGroupPairs"] = [{"GroupId": p["GroupId"]} for p in item["UserIdGroupPairs"]]
        if any(k in item for k in ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs")):
            cleaned.append(item)
    return cleaned


def _permission(rule: SecurityRule, groups: dict[str, str]) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": rule.protocol}
    if rule.protocol != "-1":
        permission.update(FromPort=rule.from_port, ToPort=rule.to_port)
    if rule.peer.startswith("sg:"):
        permission["UserIdGroupPairs"] = [
            {"GroupId": groups[rule.peer[3:]], "Description": rule.description}
        ]
    elif ipaddress.ip_network(rule.peer).version == 4:
        permission["IpRanges"] = [{"CidrIp": rule.peer, "Description": rule.description}]
    else:
        permission["Ipv6Ranges"] = [{"CidrIpv6": rule.peer, "Description": rule.description}]
    return permission
