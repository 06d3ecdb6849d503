"""Virtual networks on AWS: plan a VPC, simulate its traffic, draw it, build it, tear it down.

:mod:`cloudlab.vpc.plan` holds the network plan and its AWS rules;
:mod:`cloudlab.vpc.routes` and :mod:`cloudlab.vpc.firewall` simulate where packets go
(route tables) and what is allowed (security groups, network ACLs);
:mod:`cloudlab.vpc.pictures` draws a plan; :mod:`cloudlab.vpc.build` creates it with
boto3 (in the local emulator unless you opt into a real account); and
:mod:`cloudlab.vpc.prices` keeps the dated prices the build announces. The plan and the
simulators are re-exported here; import the others from their modules.
"""

from cloudlab.vpc.firewall import (
    ALB_GROUP,
    APP_GROUP,
    BOOK_GROUPS,
    Endpoint,
    Flow,
    NaclRule,
    NetworkAcl,
    SecurityGroup,
    SecurityGroupRule,
    Verdict,
    default_nacl,
    evaluate_flow,
    nacl_rule,
    sg_rule,
    web_nacl,
)
from cloudlab.vpc.plan import (
    DEFAULT_TIERS,
    KINDS,
    NAT_MODES,
    TAG_KEY,
    NetworkPlan,
    Route,
    RouteTablePlan,
    SubnetPlan,
    Tier,
    check_plan,
    parse_tiers,
    plan_network,
)
from cloudlab.vpc.routes import (
    InboundReport,
    PathTrace,
    RouteDecision,
    inbound_from_internet,
    lookup,
    parse_route,
    trace,
)

__all__ = [
    "ALB_GROUP",
    "APP_GROUP",
    "BOOK_GROUPS",
    "DEFAULT_TIERS",
    "KINDS",
    "NAT_MODES",
    "TAG_KEY",
    "Endpoint",
    "Flow",
    "InboundReport",
    "NaclRule",
    "NetworkAcl",
    "NetworkPlan",
    "PathTrace",
    "Route",
    "RouteDecision",
    "RouteTablePlan",
    "SecurityGroup",
    "SecurityGroupRule",
    "SubnetPlan",
    "Tier",
    "Verdict",
    "check_plan",
    "default_nacl",
    "evaluate_flow",
    "inbound_from_internet",
    "lookup",
    "nacl_rule",
    "parse_route",
    "parse_tiers",
    "plan_network",
    "sg_rule",
    "trace",
    "web_nacl",
]
