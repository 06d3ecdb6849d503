"""Security groups and network ACLs: is a flow allowed, by which rule, and can the reply get back?

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb, "Security groups, and network
ACLs briefly").

Two firewalls guard a VPC, and they work differently:

* A **security group** is attached to a resource's network interface. Its rules only
  *allow* (there are no deny rules); traffic no rule allows is dropped. A rule's source
  or destination is a CIDR or *another security group*, meaning "any resource that has
  that group". A group is **stateful**: the reply to a connection it allowed goes back
  automatically, whatever the rules in the other direction say. A new group has no
  inbound rules and one outbound rule that allows all traffic (``aws-security-groups``,
  ``aws-security-group-rules``).
* A **network ACL** is attached to a subnet and filters what enters and leaves it. Its
  rules are numbered, allow *or* deny, and are checked from the lowest number up; the
  first rule that matches decides, and a final ``*`` rule denies whatever nothing
  matched. A network ACL is **stateless**: the reply is checked against the rules for
  the other direction like any other packet, so replies to a client's ephemeral port
  (1024–65535 covers the common clients, load balancers and NAT gateways) must be
  allowed explicitly (``aws-network-acls``, ``aws-nacl-ephemeral-ports``). The
  VPC's default network ACL allows all traffic in and out (rule 100, and rule 101 for
  IPv6) before its ``*`` deny (``aws-default-nacl``).

:func:`evaluate_flow` checks a :class:`Flow` the way a packet meets the firewalls: the
source's security groups (outbound), the source subnet's network ACL (outbound), the
destination subnet's network ACL (inbound), the destination's security groups
(inbound); then the reply, the other way round. :data:`BOOK_GROUPS` holds the book's
two groups: the load balancer's and the app tasks'.

Sources (Amazon VPC User Guide, read 2026-11-28):

* "Control traffic to your AWS resources using security groups"
  (``aws-security-groups``,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
* "Security group rules" (``aws-security-group-rules``,
  https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html): allow
  rules only; a new group has no inbound rules and an outbound rule allowing all
  traffic; rules from several groups on one resource are combined; a rule may name a
  security group as its source or destination.
* "Control subnet traffic with network access control lists" (``aws-network-acls``,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html): stateless;
  rules evaluated from the lowest number, first match applies.
* "Default network ACL" (``aws-default-nacl``,
  https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html): rules
  100 (IPv4) and 101 (IPv6) allow all, then ``*`` denies.
* "Ephemeral ports" (``aws-nacl-ephemeral-ports``,
  https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html): the
  client picks the ephemeral port; many Linux kernels use 32768–61000, Elastic Load
  Balancing and NAT gateways 1024–65535, Windows Server 2008 and later 49152–65535.
* "CreateNetworkAclEntry" (``aws-create-nacl-entry``,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html):
  a rule number is 1–32766.

Why one module of some 1,050 lines (600 of code): security groups and network ACLs are
judged together on one path (:func:`evaluate_flow`); apart, that walk would be split in two.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from cloudlab.checks import digits, instance, items, one_line, show
from cloudlab.checks import fields as check_fields
from cloudlab.net.addresses import Address, Network, parse_address, parse_network
from cloudlab.net.addresses import text as address_text

__all__ = [
    "ALB_GROUP",
    "ANY_IPV4",
    "ANY_IPV6",
    "APP_GROUP",
    "APP_PORT",
    "BOOK_GROUPS",
    "EPHEMERAL_PORTS",
    "PROTOCOLS",
    "Check",
    "Endpoint",
    "Flow",
    "GroupRef",
    "NaclRule",
    "NetworkAcl",
    "SecurityGroup",
    "SecurityGroupRule",
    "Verdict",
    "default_nacl",
    "evaluate_flow",
    "nacl_rule",
    "parse_peer",
    "parse_port",
    "parse_ports",
    "parse_protocol",
    "sg_rule",
    "web_nacl",
]

#: Rule protocols: "all" matches every protocol.
PROTOCOLS = ("tcp", "udp", "icmp", "all")
_ALIASES = {"-1": "all", "any": "all", "6": "tcp", "17": "udp", "1": "icmp"}
#: The ephemeral range that covers the common clients, load balancers and NAT gateways.
EPHEMERAL_PORTS = (1024, 65535)
#: The port the book's Flask app listens on behind the load balancer.
APP_PORT = 5000
#: A client's source port when none is given: inside every ephemeral range AWS lists
#: except the pre-2008 Windows one.
DEFAULT_CLIENT_PORT = 50000
ANY_IPV4 = ipaddress.ip_network("0.0.0.0/0")
ANY_IPV6 = ipaddress.ip_network("::/0")
_NACL_NUMBERS = (1, 32766)


# ------------------------------------------------------------------ parsing


def parse_protocol(text: str, *, allow_all: bool = True) -> str:
    """Read a protocol name: ``tcp``, ``udp``, ``icmp`` or ``all`` (also AWS's numbers).

    Parameters
    ----------
    text : str
        ``"tcp"``, ``"UDP"``, ``"6"``, ``"-1"`` (all), …
    allow_all : bool, default True
        False for a flow, which is one protocol.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For anything else, e.g. ``"gre: unknown protocol; use tcp, udp, icmp or all"``.
    """
    name = str(text).strip().lower()
    name = _ALIASES.get(name, name)
    choices = PROTOCOLS if allow_all else PROTOCOLS[:3]
    if name not in choices:
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        shown = one_line(str(text).strip()) or "(empty)"
        if name == "all":
            raise ValueError(f"{shown}: a flow is one protocol; use {listed}")
        raise ValueError(f"{shown}: unknown protocol; use {listed}")
    return name


def parse_port(value: object) -> int:
    """Read one port number, 0–65535.

    Raises
    ------
    ValueError
        ``"70000: a port number is 0–65535"``.
    """
    text = str(value).strip()
    port = digits(text.removeprefix("-"))
    if port is None:
        raise ValueError(f"{one_line(text[:40]) or '(empty)'}: a port is a whole number 0–65535")
    if text.startswith("-") or port > 65535:
        raise ValueError(f"{text}: a port number is 0–65535")
    return port


def parse_ports(value: object, protocol: str = "tcp") -> tuple[int, int] | None:
    """Read a port or port range for a rule.

    Parameters
    ----------
    value : str, int, pair or None
        ``443``, ``"443"``, ``"1024-65535"``, ``(1024, 65535)``; ``None``, ``""`` or
        ``"all"`` mean every port.
    protocol : str
        The rule's protocol: ``icmp`` and ``all`` have no ports, so the value must be
        empty for them.

    Returns
    -------
    tuple of (int, int) or None
        Inclusive range; None means all ports.

    Raises
    ------
    ValueError
        Out-of-range or reversed ports, or ports given for icmp/all.
    """
    protocol = parse_protocol(protocol)
    empty = value is None or (isinstance(value, str) and value.strip().lower() in {"", "all"})
    if protocol in {"icmp", "all"}:
        if not empty:
            raise ValueError(
                f"{one_line(value)}: {protocol} rules have no port numbers; leave the ports empty"
            )
        return None
    if empty:
        return None
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{one_line(value)}: a port range is two numbers, first and last")
        first, last = parse_port(value[0]), parse_port(value[1])
    else:
        text = str(value).strip().replace("–", "-")
        low, dash, high = text.partition("-")
        first = parse_port(low)
        last = parse_port(high) if dash else first
    if first > last:
        raise ValueError(f"{first}-{last}: the first port must not be above the last")
    return (first, last)


@dataclass(frozen=True)
class GroupRef:
    """A security group named as a rule's source or destination ("members of sg-alb")."""

    name: str

    def __str__(self) -> str:
        return self.name


def parse_peer(value: object) -> Network | GroupRef:
    """Read a rule's source or destination: a CIDR, or a security group named ``sg-…``.

    Raises
    ------
    ValueError
        If the text is neither (the message comes from
        :func:`cloudlab.net.parse_network`).
    """
    if isinstance(value, GroupRef | ipaddress.IPv4Network | ipaddress.IPv6Network):
        return value
    text = str(value).strip()
    if text.lower().startswith("sg-"):
        return GroupRef(text)
    return parse_network(text)


def _ports_text(protocol: str, ports: tuple[int, int] | None) -> str:
    if protocol == "all":
        return "all traffic"
    if protocol == "icmp":
        return "icmp"
    if ports is None:
        return f"{protocol} all ports"
    first, last = ports
    return f"{protocol} {first}" if first == last else f"{protocol} {first}–{last}"


def _port_matches(ports: tuple[int, int] | None, port: int | None) -> bool:
    return ports is None or (port is not None and ports[0] <= port <= ports[1])


def _protocol_matches(rule_protocol: str, protocol: str) -> bool:
    return rule_protocol in {"all", protocol}


# ------------------------------------------------------------------ security groups


@dataclass(frozen=True)
class SecurityGroupRule:
    """One allow rule of a security group (there are no deny rules).

    Attributes
    ----------
    protocol : str
        ``tcp``, ``udp``, ``icmp`` or ``all``.
    ports : tuple of (int, int) or None
        Inclusive port range; None for all ports (and for icmp/all).
    peer : network or GroupRef
        The source (inbound rule) or destination (outbound rule).
    description : str
    """

    protocol: str
    ports: tuple[int, int] | None
    peer: Network | GroupRef
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocol", parse_protocol(self.protocol))
        object.__setattr__(self, "ports", parse_ports(self.ports, self.protocol))
        object.__setattr__(self, "peer", parse_peer(self.peer))

    def matches(
        self, protocol: str, port: int | None, address: Address, groups: Iterable[str]
    ) -> bool:
        """Does this rule allow a packet with this protocol and port from/to this peer?

        Parameters
        ----------
        protocol : str
        port : int or None
            Destination port of the packet.
        address : address
            The other end's address (source for inbound, destination for outbound).
        groups : iterable of str
            The security groups the other end has.
        """
        if not _protocol_matches(self.protocol, protocol):
            return False
        if not _port_matches(self.ports, port):
            return False
        if isinstance(self.peer, GroupRef):
            return self.peer.name in set(groups)
        return self.peer.version == address.version and address in self.peer

    def text(self, direction: str) -> str:
        """The rule in words, e.g. ``"tcp 443 from ::/0"``."""
        word = "from" if direction == "inbound" else "to"
        return f"{_ports_text(self.protocol, self.ports)} {word} {self.peer}"


def sg_rule(protocol: str, ports: object, peer: object, description: str = "") -> SecurityGroupRule:
    """Build a security-group rule from text, e.g. ``sg_rule("tcp", 443, "::/0")``."""
    # Text in; SecurityGroupRule.__post_init__ parses and checks each field.
    return SecurityGroupRule(protocol, ports, peer, description)  # type: ignore[arg-type]  # text in: __post_init__ parses it


@dataclass(frozen=True)
class SecurityGroup:
    """A named set of inbound and outbound allow rules.

    Attributes
    ----------
    name : str
        Also how other rules refer to it, e.g. ``"sg-app"``.
    description : str
    inbound : tuple of SecurityGroupRule
    outbound : tuple of SecurityGroupRule
    """

    name: str
    description: str
    inbound: tuple[SecurityGroupRule, ...] = ()
    outbound: tuple[SecurityGroupRule, ...] = ()


#: The load balancer's group: HTTP and HTTPS from anywhere (IPv4 and IPv6); out only to the
#: app tasks on the app port.
ALB_GROUP = SecurityGroup(
    "sg-alb",
    "Load balancer: HTTP and HTTPS from anywhere, out only to the app tasks",
    inbound=(
        sg_rule("tcp", 80, "0.0.0.0/0", "HTTP from any IPv4 address"),
        sg_rule("tcp", 80, "::/0", "HTTP from any IPv6 address"),
        sg_rule("tcp", 443, "0.0.0.0/0", "HTTPS from any IPv4 address"),
        sg_rule("tcp", 443, "::/0", "HTTPS from any IPv6 address"),
    ),
    outbound=(sg_rule("tcp", APP_PORT, "sg-app", "to the app tasks (requests, health checks)"),),
)

#: The app tasks' group: the app port only from the load balancer's group; out: all traffic.
#: The IPv4 outbound rule is the one AWS puts in every new group; we state it so the
#: simulator shows it, and add its IPv6 twin ourselves for the egress-only gateway.
APP_GROUP = SecurityGroup(
    "sg-app",
    "App tasks: the app port only from the load balancer; all outbound",
    inbound=(sg_rule("tcp", APP_PORT, "sg-alb", "only from members of sg-alb"),),
    outbound=(
        sg_rule("all", None, "0.0.0.0/0", "AWS's default outbound rule: all IPv4 traffic"),
        sg_rule("all", None, "::/0", "all IPv6 traffic (added by us)"),
    ),
)

#: The book's security groups by name.
BOOK_GROUPS: dict[str, SecurityGroup] = {g.name: g for g in (ALB_GROUP, APP_GROUP)}


# ------------------------------------------------------------------ network ACLs


@dataclass(frozen=True)
class NaclRule:
    """One numbered network ACL rule.

    Attributes
    ----------
    number : int or None
        1–32766, checked from the lowest up; None is the final ``*`` rule.
    action : str
        ``"allow"`` or ``"deny"``.
    protocol : str
    ports : tuple of (int, int) or None
    cidr : IPv4Network or IPv6Network
        Source (inbound rule) or destination (outbound rule).
    """

    number: int | None
    action: str
    protocol: str
    ports: tuple[int, int] | None
    cidr: Network

    def __post_init__(self) -> None:
        if self.number is not None:
            number = self.number
            if isinstance(number, str):
                number = digits(number.strip())
                number = -1 if number is None else number
            low, high = _NACL_NUMBERS
            if not isinstance(number, int) or not low <= number <= high:
                raise ValueError(
                    f"{one_line(self.number)}: a network ACL rule number is {low}–{high}"
                )
            object.__setattr__(self, "number", number)
        action = str(self.action).strip().lower()
        if action not in {"allow", "deny"}:
            raise ValueError(f"{one_line(self.action)}: a network ACL rule either allows or denies")
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "protocol", parse_protocol(self.protocol))
        object.__setattr__(self, "ports", parse_ports(self.ports, self.protocol))
        object.__setattr__(self, "cidr", parse_network(self.cidr))

    @property
    def label(self) -> str:
        """The rule number as shown in the console: ``"100"`` or ``"*"``."""
        return "*" if self.number is None else str(self.number)

    def matches(self, protocol: str, port: int | None, address: Address) -> bool:
        """Does the rule cover this protocol, destination port and peer address?"""
        return (
            _protocol_matches(self.protocol, protocol)
            and _port_matches(self.ports, port)
            and self.cidr.version == address.version
            and address in self.cidr
        )

    def text(self, direction: str) -> str:
        """The rule in words, e.g. ``"rule 100: allow all traffic from 0.0.0.0/0"``."""
        word = "from" if direction == "inbound" else "to"
        return (
            f"rule {self.label}: {self.action} {_ports_text(self.protocol, self.ports)} "
            f"{word} {self.cidr}"
        )


def nacl_rule(number: object, action: str, protocol: str, ports: object, cidr: object) -> NaclRule:
    """Build a network ACL rule from text.

    For example ``nacl_rule(90, "deny", "tcp", 443, "203.0.113.0/24")``.
    """
    # Text in; NaclRule.__post_init__ parses and checks each field.
    return NaclRule(number, action, protocol, ports, cidr)  # type: ignore[arg-type]  # text in: __post_init__ parses it


_STAR = (
    NaclRule(None, "deny", "all", None, ANY_IPV4),
    NaclRule(None, "deny", "all", None, ANY_IPV6),
)


def _direction(direction: str) -> str:
    name = direction.strip().lower()
    if name in {"in", "ingress"}:
        name = "inbound"
    if name in {"out", "egress"}:
        name = "outbound"
    if name not in {"inbound", "outbound"}:
        raise ValueError(f"{one_line(direction)}: a direction is inbound or outbound")
    return name


@dataclass(frozen=True)
class NetworkAcl:
    """A subnet's network ACL: numbered inbound and outbound rules, then ``*`` deny.

    Attributes
    ----------
    name : str
    inbound : tuple of NaclRule
    outbound : tuple of NaclRule
        Numbered rules in any order; :meth:`rules` sorts them and adds the ``*`` rules.
    """

    name: str
    inbound: tuple[NaclRule, ...] = ()
    outbound: tuple[NaclRule, ...] = ()

    def __post_init__(self) -> None:
        check_fields(self)
        for direction in ("inbound", "outbound"):
            rules = getattr(self, direction)
            if not isinstance(rules, tuple | list) or not all(
                isinstance(rule, NaclRule) for rule in rules
            ):
                raise ValueError(f"{direction}={show(rules)}: expected a list of network ACL rules")
            numbers = [r.number for r in rules]
            if None in numbers:
                raise ValueError(f"{self.name}: the '*' rule is built in; number your rules")
            repeated = sorted({n for n in numbers if numbers.count(n) > 1})
            if repeated:
                raise ValueError(
                    f"{self.name}: {direction} rule number {repeated[0]} is used twice; "
                    "each number appears once per direction"
                )

    def rules(self, direction: str) -> tuple[NaclRule, ...]:
        """The rules in evaluation order: numbered rules lowest first, then the ``*`` rules."""
        numbered = sorted(getattr(self, _direction(direction)), key=lambda r: r.number)
        return (*numbered, *_STAR)

    def with_rule(self, direction: str, rule: NaclRule) -> NetworkAcl:
        """A copy with one more rule (to show "deny before allow", say).

        Raises
        ------
        ValueError
            If the number is already used in that direction.
        """
        name = _direction(direction)
        rules = (*getattr(self, name), rule)
        return replace(self, inbound=rules) if name == "inbound" else replace(self, outbound=rules)

    def evaluate(
        self, direction: str, protocol: str, port: int | None, address: Address
    ) -> NaclRule:
        """The first rule, in number order, that matches; the ``*`` rule if none does."""
        for rule in self.rules(direction):
            if rule.matches(protocol, port, address):
                return rule
        raise AssertionError("the * rules match everything")  # pragma: no cover


def default_nacl(name: str = "default", *, ipv6: bool = True) -> NetworkAcl:
    """The VPC's default network ACL: allow all in and out (rule 100; 101 for IPv6).

    Parameters
    ----------
    name : str
    ipv6 : bool, default True
        AWS adds the rule 101 pair only when the VPC has an IPv6 CIDR
        (``aws-default-nacl``).
    """
    rules = [NaclRule(100, "allow", "all", None, ANY_IPV4)]
    if ipv6:
        rules.append(NaclRule(101, "allow", "all", None, ANY_IPV6))
    return NetworkAcl(name, tuple(rules), tuple(rules))


def web_nacl(
    vpc_cidr: object = "10.0.0.0/16", *, ephemeral: bool = True, name: str | None = None
) -> NetworkAcl:
    """A custom network ACL for the load balancer's public subnets, with or without return rules.

    Inbound: HTTP (rule 100) and HTTPS (110) from any IPv4 address. Outbound: the app
    port to the VPC (rule 100). With ``ephemeral``, the stateless return paths too:
    outbound 1024–65535 to anywhere (rule 200: replies to internet clients) and
    inbound 1024–65535 from the VPC (rule 200: the app tasks' replies to the load
    balancer). Without it, requests get in but no reply gets out: the lesson of
    stateless filtering (``aws-nacl-ephemeral-ports``). The rules are IPv4 only, so
    the ``*`` rule denies IPv6 through this ACL.

    Parameters
    ----------
    vpc_cidr : str or network
        The VPC's IPv4 CIDR.
    ephemeral : bool, default True
    name : str, optional
    """
    # parse_network raises a ValueError with a message for anything that is not a network.
    vpc = parse_network(vpc_cidr)  # type: ignore[arg-type]  # any input: parse_network names a wrong type
    inbound = [
        NaclRule(100, "allow", "tcp", (80, 80), ANY_IPV4),
        NaclRule(110, "allow", "tcp", (443, 443), ANY_IPV4),
    ]
    outbound = [NaclRule(100, "allow", "tcp", (APP_PORT, APP_PORT), vpc)]
    if ephemeral:
        inbound.append(NaclRule(200, "allow", "tcp", EPHEMERAL_PORTS, vpc))
        outbound.append(NaclRule(200, "allow", "tcp", EPHEMERAL_PORTS, ANY_IPV4))
    label = name or ("web (with return rules)" if ephemeral else "web (no return rules)")
    return NetworkAcl(label, tuple(inbound), tuple(outbound))


# ------------------------------------------------------------------ flows


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow.

    Attributes
    ----------
    name : str
        What it is, e.g. ``"internet client"``, ``"load balancer"``.
    address : address
        Its IP address (for a resource in the VPC, its private address).
    groups : tuple of str
        The security groups it has; empty for anything outside the VPC.
    subnet : str or None
        The subnet it is in; None for anything outside the VPC (no network ACL).
    """

    name: str
    address: Address
    groups: tuple[str, ...] = ()
    subnet: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", parse_address(self.address))
        raw = (self.groups,) if isinstance(self.groups, str) else self.groups
        groups = tuple(raw) if isinstance(raw, Iterable) else None
        if groups is None or not all(isinstance(group, str) for group in groups):
            raise ValueError(
                f"{self.name}: groups are security group names, e.g. ('web',), "
                f"not {self.groups!r:.40}"
            )
        object.__setattr__(self, "groups", groups)

    def __str__(self) -> str:
        return f"{self.name} ({address_text(self.address)})"


@dataclass(frozen=True)
class Flow:
    """A connection attempt: source, destination, protocol and destination port.

    Attributes
    ----------
    source, destination : Endpoint
    protocol : str
        ``tcp``, ``udp`` or ``icmp``.
    port : int or None
        Destination port (None for icmp).
    source_port : int
        The client's ephemeral source port: the reply's destination port.
    """

    source: Endpoint
    destination: Endpoint
    protocol: str
    port: int | None = None
    source_port: int = DEFAULT_CLIENT_PORT

    def __post_init__(self) -> None:
        instance("source", self.source, Endpoint)
        instance("destination", self.destination, Endpoint)
        protocol = parse_protocol(self.protocol, allow_all=False)
        object.__setattr__(self, "protocol", protocol)
        given: object = self.port  # a widget's empty port field arrives as ""
        if protocol == "icmp":
            if given not in (None, ""):
                raise ValueError(f"{self.port}: icmp has no port numbers; leave the port empty")
            object.__setattr__(self, "port", None)
            object.__setattr__(self, "source_port", None)
        else:
            if given in (None, ""):
                raise ValueError(f"a {protocol} flow needs a destination port (0–65535)")
            object.__setattr__(self, "port", parse_port(self.port))
            object.__setattr__(self, "source_port", parse_port(self.source_port))
        if self.source.address.version != self.destination.address.version:
            raise ValueError(
                f"{address_text(self.source.address)} is IPv{self.source.address.version} and "
                f"{address_text(self.destination.address)} is "
                f"IPv{self.destination.address.version}: "
                "a packet is one or the other"
            )

    def reversed(self) -> Flow:
        """The reply: from the destination's port back to the client's ephemeral port."""
        return Flow(
            self.destination,
            self.source,
            self.protocol,
            self.source_port,
            self.port if self.port is not None else DEFAULT_CLIENT_PORT,
        )

    def text(self) -> str:
        """The flow in words."""
        what = self.protocol if self.port is None else f"{self.protocol} port {self.port}"
        return f"{self.source} → {self.destination}, {what}"


@dataclass(frozen=True, kw_only=True)
class Check:
    """One firewall on the path and what it decided.

    Attributes
    ----------
    key : str
        ``"source-sg"``, ``"source-nacl"``, ``"destination-nacl"``, ``"destination-sg"``.
    layer : str
        ``"security group"`` or ``"network ACL"``.
    direction : str
        ``"inbound"`` or ``"outbound"`` (as that firewall sees the packet).
    where : str
        Which groups or which subnet's network ACL.
    applies : bool
        False when there is no such firewall on the path (an end outside the VPC,
        both ends in one subnet).
    allowed : bool
    matched : SecurityGroupRule, NaclRule or None
        The rule that decided.
    rule : str or None
        That rule in words.
    explanation : str
        Why, in plain words.
    """

    key: str
    layer: str
    direction: str
    where: str
    applies: bool
    allowed: bool
    matched: SecurityGroupRule | NaclRule | None
    rule: str | None
    explanation: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`evaluate_flow`.

    Attributes
    ----------
    flow : Flow
    allowed : bool
        The request reaches the destination.
    checks : tuple of Check
        Source SG outbound, source subnet NACL outbound, destination subnet NACL
        inbound, destination SG inbound: in the order the packet meets them.
    return_flow : Flow
        The reply.
    return_checks : tuple of Check
        The same four firewalls for the reply (security groups pass it because they
        are stateful; network ACLs check it like any packet).
    return_allowed : bool
        The reply gets back to the client (False whenever the request was blocked).
    explanation : str
        The verdict in plain words.
    """

    flow: Flow
    allowed: bool
    checks: tuple[Check, ...]
    return_flow: Flow
    return_checks: tuple[Check, ...]
    return_allowed: bool
    explanation: str = field(default="")

    @property
    def works(self) -> bool:
        """The connection works: the request gets there and the reply gets back."""
        return self.allowed and self.return_allowed

    @property
    def blocked_by(self) -> Check | None:
        """The first firewall that stopped the request, if any."""
        return next((c for c in self.checks if not c.allowed), None)

    @property
    def return_blocked_by(self) -> Check | None:
        """The first firewall that stopped the reply, if any."""
        return next((c for c in self.return_checks if not c.allowed), None)

    def check(self, key: str, *, reply: bool = False) -> Check:
        """The check with this key (``"destination-sg"`` …), on the request or the reply."""
        for item in self.return_checks if reply else self.checks:
            if item.key == key:
                return item
        raise KeyError(key)


def _groups(
    groups: Mapping[str, SecurityGroup] | Iterable[SecurityGroup] | None,
) -> dict[str, SecurityGroup]:
    if groups is None:
        return dict(BOOK_GROUPS)
    found = groups.values() if isinstance(groups, Mapping) else items("groups", groups)
    for group in found:
        instance("groups", group, SecurityGroup, "security groups")
    if isinstance(groups, Mapping):
        return dict(groups)
    return {g.name: g for g in found}


def _nacl_for(
    subnet: str | None, nacls: NetworkAcl | Mapping[str, NetworkAcl] | None
) -> NetworkAcl | None:
    if subnet is None:
        return None
    if nacls is None:
        return default_nacl()
    if isinstance(nacls, NetworkAcl):
        return nacls
    if not isinstance(nacls, Mapping):
        raise ValueError(f"nacls={show(nacls)}: expected a NetworkAcl or subnet → NetworkAcl")
    return instance("nacls", nacls.get(subnet, default_nacl()), NetworkAcl)


@dataclass(frozen=True)
class _Firewall:
    """One firewall on a packet's path; :meth:`check` records what it decided."""

    key: str
    layer: str
    direction: str

    def check(
        self,
        where: str,
        explanation: str,
        *,
        applies: bool = True,
        allowed: bool = True,
        matched: SecurityGroupRule | NaclRule | None = None,
        rule: str | None = None,
    ) -> Check:
        """Its :class:`Check`: by default it is on the path, allows, and names no rule."""
        return Check(
            key=self.key,
            layer=self.layer,
            direction=self.direction,
            where=where,
            applies=applies,
            allowed=allowed,
            matched=matched,
            rule=rule,
            explanation=explanation,
        )


def _sg_check(
    key: str,
    end: Endpoint,
    other: Endpoint,
    direction: str,
    protocol: str,
    port: int | None,
    groups: dict[str, SecurityGroup],
) -> Check:
    firewall = _Firewall(key, "security group", direction)
    if not end.groups:
        return firewall.check(
            "none",
            f"{end.name} is outside the VPC or has no security group of ours: "
            f"no {direction} security group applies.",
            applies=False,
        )
    missing = [g for g in end.groups if g not in groups]
    if missing:
        known = ", ".join(sorted(groups)) or "none"
        raise ValueError(f"{missing[0]}: no such security group (known: {known})")
    names = ", ".join(end.groups)
    what = _ports_text(protocol, None if port is None else (port, port))
    peer_word = "from" if direction == "inbound" else "to"
    for name in end.groups:
        for rule in getattr(groups[name], direction):
            if rule.matches(protocol, port, other.address, other.groups):
                if isinstance(rule.peer, GroupRef):
                    why = f"{other.name} is a member of {rule.peer}"
                else:
                    why = f"{address_text(other.address)} is inside {rule.peer}"
                said = rule.text(direction)
                return firewall.check(
                    names,
                    f"Allowed by {name}'s {direction} rule '{said}': {why}.",
                    matched=rule,
                    rule=f"{name} {direction}: {said}",
                )
    return firewall.check(
        names,
        f"Denied: no {direction} rule of {names} allows {what} {peer_word} {other}. A "
        "security group has only allow rules, so whatever no rule allows is dropped.",
        allowed=False,
    )


def _nacl_check(
    key: str,
    nacl: NetworkAcl | None,
    subnet: str | None,
    same_subnet: bool,
    direction: str,
    protocol: str,
    port: int | None,
    peer: Address,
) -> Check:
    firewall = _Firewall(key, "network ACL", direction)
    if nacl is None:
        return firewall.check(
            "none", "This end is outside the VPC: no network ACL of ours.", applies=False
        )
    where = f"{nacl.name} (subnet {subnet})"
    if same_subnet:
        return firewall.check(
            where,
            "Both ends are in the same subnet: the packet never crosses the subnet's "
            "edge, so its network ACL does not see it.",
            applies=False,
        )
    rule = nacl.evaluate(direction, protocol, port, peer)
    allowed = rule.action == "allow"
    ordered = nacl.rules(direction)
    skipped = [r for r in ordered if r.number is not None and r.number < (rule.number or 10**6)]
    if rule.number is None:
        explanation = (
            f"Denied by the final '*' rule of network ACL '{nacl.name}' of subnet {subnet}: "
            f"none of its numbered {direction} rules "
            f"matches {_ports_text(protocol, None if port is None else (port, port))} "
            f"{'from' if direction == 'inbound' else 'to'} {peer}, so the catch-all deny applies."
        )
    else:
        if len(skipped) == 1:
            earlier = f" (rule {skipped[0].label} was checked first and did not match)"
        elif skipped:
            labels = ", ".join(r.label for r in skipped)
            earlier = f" (rules {labels} were checked first and did not match)"
        else:
            earlier = ""
        later = [
            r
            for r in ordered
            if r.number is not None
            and r.number > rule.number
            and r.matches(protocol, port, peer)
            and r.action != rule.action
        ]
        overruled = (
            f"; {later[0].text(direction)} would say otherwise, but the first match decides"
            if later
            else ""
        )
        explanation = (
            f"{'Allowed' if allowed else 'Denied'} by network ACL '{nacl.name}' of subnet "
            f"{subnet}, {rule.text(direction)}: the lowest-numbered rule that "
            f"matches{earlier}{overruled}."
        )
    return firewall.check(
        where, explanation, allowed=allowed, matched=rule, rule=rule.text(direction)
    )


def _stateful(key: str, end: Endpoint, request_ok: bool) -> Check:
    direction = "outbound" if key == "destination-sg" else "inbound"
    firewall = _Firewall(key, "security group", direction)
    if not end.groups:
        return firewall.check("none", f"{end.name} has no security group of ours.", applies=False)
    where = ", ".join(end.groups)
    if not request_ok:
        return firewall.check(
            where,
            "No connection was made, so there is no reply to let through.",
            allowed=False,
        )
    return firewall.check(
        where,
        "Security groups are stateful: the reply to a connection they allowed passes "
        "automatically, whatever the rules for this direction say.",
        rule="stateful: reply to an allowed connection",
    )


def evaluate_flow(
    flow: Flow,
    groups: Mapping[str, SecurityGroup] | Iterable[SecurityGroup] | None = None,
    nacls: NetworkAcl | Mapping[str, NetworkAcl] | None = None,
) -> Verdict:
    """Check a flow against security groups and network ACLs, and check its reply.

    The request meets, in order: the source's security groups (outbound rules; all of
    its groups' rules count together), the source subnet's network ACL (outbound),
    the destination subnet's network ACL (inbound), the destination's security groups
    (inbound). Security groups allow if any rule allows and otherwise drop
    (``aws-security-group-rules``); a network ACL applies its lowest-numbered matching
    rule, else ``*`` denies (``aws-network-acls``). The reply goes from the
    destination's port back to the client's ephemeral port: the security groups let it
    through because they are stateful, but both network ACLs check it again because
    they are stateless (``aws-nacl-ephemeral-ports``).

    Parameters
    ----------
    flow : Flow
    groups : mapping or iterable of SecurityGroup, optional
        The security groups the endpoints name; :data:`BOOK_GROUPS` by default.
    nacls : NetworkAcl or mapping of subnet name to NetworkAcl, optional
        One ACL for every subnet, or one per subnet name; a subnet not listed (and
        every subnet when None) has the default network ACL, as on AWS.

    Returns
    -------
    Verdict

    Raises
    ------
    ValueError
        An endpoint names an unknown security group.
    """
    instance("flow", flow, Flow)
    known = _groups(groups)
    src, dst = flow.source, flow.destination
    same = src.subnet is not None and src.subnet == dst.subnet
    acls = {"source": _nacl_for(src.subnet, nacls), "destination": _nacl_for(dst.subnet, nacls)}

    def nacl(side: str, direction: str, packet: Flow) -> Check:
        """The network ACL of the ``side`` end's subnet, meeting ``packet``."""
        end, peer = (src, dst) if side == "source" else (dst, src)
        return _nacl_check(
            f"{side}-nacl",
            acls[side],
            end.subnet,
            same,
            direction,
            packet.protocol,
            packet.port,
            peer.address,
        )

    checks = (
        _sg_check("source-sg", src, dst, "outbound", flow.protocol, flow.port, known),
        nacl("source", "outbound", flow),
        nacl("destination", "inbound", flow),
        _sg_check("destination-sg", dst, src, "inbound", flow.protocol, flow.port, known),
    )
    allowed = all(c.allowed for c in checks)
    back = flow.reversed()
    return_checks = (
        _stateful("destination-sg", dst, allowed),
        nacl("destination", "outbound", back),
        nacl("source", "inbound", back),
        _stateful("source-sg", src, allowed),
    )
    return_allowed = allowed and all(c.allowed for c in return_checks)
    explanation = _explain(flow, checks, back, return_checks, allowed, return_allowed)
    return Verdict(flow, allowed, checks, back, return_checks, return_allowed, explanation)


def _explain(
    flow: Flow,
    checks: tuple[Check, ...],
    back: Flow,
    return_checks: tuple[Check, ...],
    allowed: bool,
    return_allowed: bool,
) -> str:
    if not allowed:
        stop = next(c for c in checks if not c.allowed)
        return f"Blocked: {flow.text()}. {stop.explanation}"
    deciders = [c for c in checks if c.applies]
    said = " ".join(c.explanation for c in deciders) or "No firewall of ours is on the path."
    if return_allowed:
        port = "" if back.port is None else f" (to port {back.port})"
        return (
            f"Allowed: {flow.text()}. {said} The reply{port} gets back: security groups "
            "are stateful, and every network ACL on the way allows it."
        )
    stop = next(c for c in return_checks if not c.allowed)
    return (
        f"The request gets through ({said}) but the reply does not: {stop.explanation} "
        "Network ACLs are stateless, so the reply to the client's ephemeral port needs its "
        "own allow rule (1024–65535 covers common clients)."
    )
