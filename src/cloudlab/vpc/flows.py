"""The route lookup's and the flow checker's questions about a planned VPC, as data.

What the two traffic widgets (:mod:`cloudlab.widgets.vpc_flows`), the command line
(``python -m cloudlab route ...`` and ``flow ...``) and the book's live calculators ask
of a :class:`~cloudlab.vpc.plan.NetworkPlan`: which endpoint a choice such as "load
balancer" stands for, which network ACLs the public subnets have, what routing adds to
a firewall verdict, and each answer as a JSON-ready dictionary. Standard library only,
so that the browser (Pyodide) runs it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cloudlab.net.addresses import Address, parse_address, text
from cloudlab.vpc.firewall import (
    BOOK_GROUPS,
    Check,
    Endpoint,
    Flow,
    NetworkAcl,
    Verdict,
    default_nacl,
    evaluate_flow,
    nacl_rule,
    web_nacl,
)
from cloudlab.vpc.plan import NetworkPlan
from cloudlab.vpc.routes import InboundReport, PathTrace, inbound_from_internet, parse_route, trace

__all__ = [
    "ENDPOINTS",
    "ENDPOINT_WORDS",
    "INTERNET_CLIENT_V4",
    "INTERNET_CLIENT_V6",
    "NACL_PRESETS",
    "NACL_WORDS",
    "book_plan",
    "check_flow",
    "endpoint",
    "first_subnet",
    "inbound_dict",
    "look_up",
    "network_acls",
    "routing_note",
    "trace_dict",
    "verdict_dict",
]

#: Stand-in internet clients (documentation addresses: RFC 5737, RFC 3849).
INTERNET_CLIENT_V4 = "203.0.113.10"
INTERNET_CLIENT_V6 = "2001:db8:ffff:ffff::10"

#: Choices for the two ends of a flow.
ENDPOINTS = ("internet client", "load balancer (sg-alb)", "app task (sg-app)", "other address")
#: The short words the command line takes for them (anything else is an address).
ENDPOINT_WORDS = {"internet": ENDPOINTS[0], "alb": ENDPOINTS[1], "app": ENDPOINTS[2]}

#: Network ACL presets for the load balancer's (public) subnets.
NACL_PRESETS = (
    "default network ACL (allow all)",
    "web ACL with ephemeral return rules",
    "web ACL without ephemeral return rules",
)
#: The command line's words for them.
NACL_WORDS = {"default": NACL_PRESETS[0], "web": NACL_PRESETS[1], "web-no-return": NACL_PRESETS[2]}


def book_plan() -> NetworkPlan:
    """The book's default plan, dual stack: ``plan_network(ipv6=True)``."""
    from cloudlab.vpc.plan import plan_network

    return plan_network(ipv6=True)


def first_subnet(plan: NetworkPlan, kind: str) -> str | None:
    """The name of the plan's first subnet of a kind (``"public"``, ``"private"`` ...)."""
    for subnet in plan.subnets:
        if getattr(subnet, "kind", None) == kind or (kind == "public" and subnet.public):
            return subnet.name
    return None


def _holder(plan: NetworkPlan, address: Address) -> str | None:
    for subnet in plan.subnets:
        block = subnet.cidr if address.version == 4 else subnet.ipv6_cidr
        if block is not None and block.version == address.version and address in block:
            return subnet.name
    return None


def endpoint(plan: NetworkPlan, choice: str, version: int = 4, other: str = "") -> Endpoint:
    """The endpoint a flow-checker choice stands for, with an address from the plan.

    Parameters
    ----------
    plan : NetworkPlan
    choice : str
        One of :data:`ENDPOINTS`.
    version : {4, 6}
        IP version of the flow.
    other : str
        The address, for ``"other address"``.

    Returns
    -------
    Endpoint
        The load balancer gets the 10th address of the first public subnet and group
        ``sg-alb``; an app task the 10th address of the first private subnet and
        ``sg-app``; an internet client a documentation address and no group; any other
        address lies in whichever subnet of the plan holds it (or outside the VPC).

    Raises
    ------
    ValueError
        Unknown choice, unreadable address, or IPv6 asked of a plan without it.
    """
    if choice == "internet client":
        address = INTERNET_CLIENT_V4 if version == 4 else INTERNET_CLIENT_V6
        return Endpoint("internet client", parse_address(address))
    if choice == "other address":
        if not str(other).strip():
            raise ValueError("type the other address (e.g. 192.0.2.50 or 10.0.14.20)")
        found = parse_address(other)
        holder = _holder(plan, found)
        where = f"in {holder}" if holder else "outside the VPC"
        return Endpoint(f"{text(found)} ({where})", found, (), holder)
    kinds = {
        "load balancer (sg-alb)": ("public", "sg-alb"),
        "app task (sg-app)": ("private", "sg-app"),
    }
    if choice not in kinds:
        raise ValueError(f"{choice}: choose one of {', '.join(ENDPOINTS)}")
    kind, group = kinds[choice]
    name = first_subnet(plan, kind)
    if name is None:
        raise ValueError(f"the plan has no {kind} subnet for the {choice.split(' (')[0]}")
    subnet = next(s for s in plan.subnets if s.name == name)
    block = subnet.cidr if version == 4 else subnet.ipv6_cidr
    if block is None:
        raise ValueError(
            f"subnet {name} has no IPv6 CIDR: plan the VPC with IPv6 to try an IPv6 flow"
        )
    return Endpoint(choice.split(" (")[0], block[10], (group,), name)


def network_acls(
    plan: NetworkPlan,
    preset: str = NACL_PRESETS[0],
    *,
    deny: str | Sequence[object] = "",
    destination: Endpoint | None = None,
) -> dict[str, NetworkAcl]:
    """Each subnet's network ACL: ``preset`` on the public subnets, the default elsewhere.

    Parameters
    ----------
    plan : NetworkPlan
    preset : str
        One of :data:`NACL_PRESETS`.
    deny : str or sequence, optional
        A deny rule added to the destination subnet's ACL, written ``"NUMBER DIRECTION
        PROTOCOL PORTS CIDR"``, e.g. ``"90 inbound tcp 443 203.0.113.0/24"``, or those
        five parts as a sequence.
    destination : Endpoint, optional
        The flow's destination (needed with ``deny``).

    Raises
    ------
    ValueError
        Unknown preset, an unreadable rule, or a destination outside the VPC.
    """
    if preset not in NACL_PRESETS:
        raise ValueError(f"{preset[:40]!r}: choose one of {', '.join(NACL_WORDS)}")
    ipv6 = plan.ipv6_cidr is not None
    if preset == NACL_PRESETS[0]:
        public = default_nacl(ipv6=ipv6)
    else:
        public = web_nacl(plan.vpc_cidr, ephemeral=preset == NACL_PRESETS[1])
    nacls = {s.name: (public if s.public else default_nacl(ipv6=ipv6)) for s in plan.subnets}
    parts = str(deny).split() if isinstance(deny, str) else [str(p) for p in deny]
    if parts:
        if len(parts) != 5:
            raise ValueError(
                f"{str(deny)[:60]!r}: write the deny rule as 'number direction protocol ports "
                "cidr', e.g. '90 inbound tcp 443 203.0.113.0/24'"
            )
        number, direction, protocol, ports, cidr = parts
        if destination is None or destination.subnet is None:
            raise ValueError(
                "the destination is outside the VPC: it has no network ACL of ours to add "
                "the rule to"
            )
        rule = nacl_rule(number, "deny", protocol, ports, cidr)
        nacls[destination.subnet] = nacls[destination.subnet].with_rule(direction, rule)
    return nacls


def routing_note(plan: NetworkPlan, src: Endpoint, dst: Endpoint) -> tuple[bool | None, str]:
    """What routing adds to a firewall verdict: (is there a path?, one sentence).

    The internet cannot reach a private subnet at all, whatever the firewalls say; a
    flow from a subnet follows its route table. ``(None, "")`` when neither end is in
    the plan.
    """
    if src.subnet is None and dst.subnet is not None:
        report = inbound_from_internet(plan, dst.subnet)
        reachable = report.reachable_ipv4 if dst.address.version == 4 else report.reachable_ipv6
        if not reachable:
            return False, f"even if every firewall allowed it, {report.summary}"
        return True, (
            f"{dst.subnet} is public: the internet gateway delivers to resources there "
            "that have a public address."
        )
    if src.subnet is not None:
        path = trace(plan, src.subnet, dst.address)
        return not path.dropped, path.summary
    return None, ""


def _check_dict(check: Check) -> dict[str, Any]:
    return {
        "key": check.key,
        "layer": check.layer,
        "direction": check.direction,
        "where": check.where,
        "applies": check.applies,
        "allowed": check.allowed,
        "rule": check.rule,
        "explanation": check.explanation,
    }


def verdict_dict(verdict: Verdict) -> dict[str, Any]:
    """A flow's :class:`~cloudlab.vpc.firewall.Verdict` as a JSON-ready dictionary."""
    return {
        "flow": verdict.flow.text(),
        "source": str(verdict.flow.source),
        "destination": str(verdict.flow.destination),
        "protocol": verdict.flow.protocol,
        "port": verdict.flow.port,
        "allowed": verdict.allowed,
        "return_allowed": verdict.return_allowed,
        "works": verdict.works,
        "explanation": verdict.explanation,
        "checks": [_check_dict(c) for c in verdict.checks],
        "return_flow": verdict.return_flow.text(),
        "return_checks": [_check_dict(c) for c in verdict.return_checks],
    }


def trace_dict(result: PathTrace) -> dict[str, Any]:
    """A :class:`~cloudlab.vpc.routes.PathTrace` as a JSON-ready dictionary."""
    return result.to_dict()


def inbound_dict(report: InboundReport) -> dict[str, Any]:
    """An :class:`~cloudlab.vpc.routes.InboundReport` as a JSON-ready dictionary."""
    return {
        "subnet": report.subnet,
        "reachable": report.reachable,
        "reachable_ipv4": report.reachable_ipv4,
        "reachable_ipv6": report.reachable_ipv6,
        "reasons": list(report.reasons),
        "summary": report.summary,
    }


def look_up(
    plan: NetworkPlan,
    subnet: str,
    destination: str,
    *,
    public_ip: bool = True,
    extra: str = "",
) -> dict[str, Any]:
    """The route lookup's answer: the packet's path and whether the internet gets in.

    Parameters
    ----------
    plan : NetworkPlan
    subnet : str
        The source subnet's name.
    destination : str
        The destination address.
    public_ip : bool, default True
        The sender has a public IPv4 address (matters in public subnets).
    extra : str, optional
        A "what if" route added to the source subnet's table, e.g.
        ``"10.0.0.0/24 blackhole"``.

    Returns
    -------
    dict
        ``trace`` (:func:`trace_dict`) and ``inbound`` (:func:`inbound_dict`).
    """
    routes = [parse_route(extra)] if str(extra).strip() else []
    result = trace(plan, subnet, destination, public_ip=public_ip, extra_routes=routes)
    return {
        "trace": trace_dict(result),
        "inbound": inbound_dict(inbound_from_internet(plan, subnet)),
    }


def check_flow(
    plan: NetworkPlan,
    source: str = "internet",
    destination: str = "alb",
    protocol: str = "tcp",
    port: object = 443,
    *,
    version: int = 4,
    nacl: str = "default",
    deny: str = "",
) -> dict[str, Any]:
    """The flow checker's answer: the verdict of every firewall, both ways, and routing.

    Parameters
    ----------
    plan : NetworkPlan
    source, destination : str
        ``internet``, ``alb``, ``app`` (:data:`ENDPOINT_WORDS`), one of
        :data:`ENDPOINTS`, or an address.
    protocol : str
        tcp, udp or icmp.
    port : int or str
        Destination port (empty for icmp).
    version : {4, 6}
        IP version for the named endpoints (an address brings its own).
    nacl : str
        The public subnets' network ACL: ``default``, ``web``, ``web-no-return``
        (:data:`NACL_WORDS`) or one of :data:`NACL_PRESETS`.
    deny : str, optional
        A deny rule for the destination subnet's ACL (see :func:`network_acls`).

    Returns
    -------
    dict
        :func:`verdict_dict` plus ``routing``: ``{"path": bool or None, "text": str}``.
    """
    if version not in (4, 6):
        raise ValueError(f"{version!r}: the IP version is 4 or 6")

    def end(word: str) -> Endpoint:
        word = str(word).strip()
        choice = ENDPOINT_WORDS.get(word.lower(), word)
        if choice in ENDPOINTS and choice != "other address":
            return endpoint(plan, choice, version)
        return endpoint(plan, "other address", version, word)

    src, dst = end(source), end(destination)
    given: Any = str(port).strip() if port is not None else ""  # Flow reads the text
    flow = Flow(src, dst, protocol, given or None)
    acls = network_acls(
        plan, NACL_WORDS.get(str(nacl).strip(), str(nacl)), deny=deny, destination=dst
    )
    verdict = evaluate_flow(flow, BOOK_GROUPS, acls)
    path, note = routing_note(plan, src, dst)
    return verdict_dict(verdict) | {"routing": {"path": path, "text": note}}
