"""Route tables: where a packet from a subnet goes, by which route, as far as the VPC's edge.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb, "Route tables and associations").

A VPC route table is a list of routes, each a destination CIDR and a target. To send a
packet, AWS picks the *most specific* route whose destination contains the packet's
destination address: the longest prefix match (``aws-route-priority``). IPv4 and IPv6
routes are independent of each other: an IPv4 packet is matched only against IPv4 routes
and an IPv6 packet only against IPv6 routes (``aws-route-priority``). Every table has a
``local`` route for each VPC CIDR, so traffic between subnets stays inside the VPC
(``aws-route-tables``).

:func:`lookup` does one longest-prefix match and explains it. :func:`trace` follows a
packet from a subnet of a plan (:mod:`cloudlab.vpc.plan`) hop by hop: local delivery to
another subnet; out through the internet gateway; through a NAT gateway and then the
internet gateway; out through the egress-only internet gateway (IPv6); or dropped.
:func:`inbound_from_internet` says why a private subnet can reach the internet but
cannot be reached from it.

The plan objects are read duck-typed, by the attribute names of the shared plan model:
``plan.subnets`` (each with ``name``, ``tier``, ``az``, ``cidr``, ``ipv6_cidr``,
``route_table`` and ``public``), ``plan.route_tables`` (each with ``name``, ``routes``
and ``subnets``), and routes with ``destination`` and ``target``. Route targets are
``"local"``, ``"igw"``, ``"eigw"``, ``"nat-<az>"`` (a NAT gateway in that AZ's public
subnet), ``"blackhole"``, or any other id-like string (a peering connection, say), which
the simulator hands on without following it.

Sources (Amazon VPC User Guide and EC2 API Reference, read 2026-11-28):

* "How route priority works" (``aws-route-priority``,
  https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html): the
  most specific matching route wins (longest prefix match); IPv4 and IPv6 routes are
  independent.
* "Configure route tables" (``aws-route-tables``,
  https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html): every
  table has a local route for the VPC's CIDR blocks.
* "Route" (``aws-ec2-route``,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html): a route's
  state is *blackhole* when its target is not available.
* "Internet gateways" (``aws-internet-gateway``,
  https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html): an
  internet gateway is a route target and does NAT for instances with public IPv4
  addresses; a subnet whose table routes to one is public, otherwise private.
* "NAT gateways" (``aws-nat-gateways``,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html): private
  instances connect out, but the internet cannot start connections to them; a public
  NAT gateway sits in a public subnet with an Elastic IP and routes to the internet
  gateway.
* "Enable outbound IPv6 traffic using an egress-only internet gateway"
  (``aws-egress-only-igw``,
  https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html):
  IPv6 out, no connections started from the internet.

Why one module of some 1,000 lines (600 of code): route lookup, the hop-by-hop trace and
the reachability check share their helpers (longest-prefix match, where a NAT gateway
lives).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cloudlab.checks import instance, one_line, show
from cloudlab.net.addresses import Address, Network, classify, parse_address, parse_network
from cloudlab.net.addresses import text as address_text
from cloudlab.vpc.plan import NetworkPlan, RouteTablePlan, SubnetPlan

__all__ = [
    "Candidate",
    "Hop",
    "InboundReport",
    "PathTrace",
    "RouteDecision",
    "describe_target",
    "inbound_from_internet",
    "lookup",
    "parse_route",
    "route_table_of",
    "target_kind",
    "trace",
]

#: Stand-ins for "some host on the internet" (documentation addresses, RFC 5737 / RFC 3849).
INTERNET_HOST_V4 = ipaddress.ip_address("198.51.100.7")
INTERNET_HOST_V6 = ipaddress.ip_address("2001:db8:ffff:ffff::7")

# Address types the public internet does not route (see cloudlab.net.classify).
_NOT_ON_INTERNET = {
    "private",
    "shared",
    "loopback",
    "link-local",
    "unique-local",
    "unspecified",
    "multicast",
    "this-network",
    "limited-broadcast",
}

_MAX_HOPS = 4  # subnet -> NAT gateway -> its subnet's table -> edge; more means a loop


# ------------------------------------------------------------------ targets


def _target_text(target: object) -> str:
    if not isinstance(target, str):
        raise ValueError(
            f"route target {show(target)}: expected a name such as local, igw or nat-a"
        )
    return target


def target_kind(target: str) -> str:
    """Classify a route target.

    Parameters
    ----------
    target : str
        ``"local"``, ``"igw"`` (or ``"igw-…"``), ``"eigw"`` (or ``"eigw-…"``),
        ``"nat-<az>"``, ``"blackhole"``, or another id such as ``"pcx-1234"``.

    Returns
    -------
    str
        One of ``"local"``, ``"igw"``, ``"eigw"``, ``"nat"``, ``"blackhole"``, ``"other"``.
    """
    name = _target_text(target).strip().lower()
    if name in {"local", "blackhole"}:
        return name
    if name == "eigw" or name.startswith("eigw-"):
        return "eigw"
    if name == "igw" or name.startswith("igw-"):
        return "igw"
    if name.startswith("nat-"):
        return "nat"
    return "other"


def describe_target(target: str) -> str:
    """Say in plain words what a route target does with a packet.

    Parameters
    ----------
    target : str
        A route target (see :func:`target_kind`).

    Returns
    -------
    str
        For example ``"the NAT gateway nat-a (in AZ a)"``.
    """
    kind = target_kind(target)
    if kind == "local":
        return "the VPC itself (local route): delivered to the subnet that holds the address"
    if kind == "igw":
        return "the internet gateway: the packet leaves the VPC for the internet"
    if kind == "eigw":
        return "the egress-only internet gateway: IPv6 out to the internet, replies only back in"
    if kind == "nat":
        return f"the NAT gateway {target} (in AZ {target[4:]})"
    if kind == "blackhole":
        return "a blackhole: the route's target no longer exists, so the packet is dropped"
    return f"{target}, a target outside this simulator (followed no further)"


# ------------------------------------------------------------------ one lookup


@dataclass(frozen=True)
class Candidate:
    """One route of a table as a lookup saw it: did it match, and did it win?

    Attributes
    ----------
    destination : IPv4Network or IPv6Network
        The route's destination CIDR.
    target : str
        Where the route sends matching packets.
    matches : bool
        The destination address lies inside ``destination`` (same IP version).
    winner : bool
        This route was chosen: it matches and has the longest prefix of those that do.
    note : str
        Why the route matched or not, in words.
    """

    destination: Network
    target: str
    matches: bool
    winner: bool
    note: str

    @property
    def prefixlen(self) -> int:
        """Prefix length of the destination, bits."""
        return self.destination.prefixlen


@dataclass(frozen=True)
class RouteDecision:
    """The result of one longest-prefix match (:func:`lookup`).

    Attributes
    ----------
    destination : IPv4Address or IPv6Address
        The packet's destination address.
    route : Candidate or None
        The winning route, or None when no route matches.
    target : str or None
        The winner's target, or None when no route matches.
    dropped : bool
        True when no route matches or the winner is a blackhole.
    candidates : tuple of Candidate
        Every route of the table, in the table's order, with why it matched or not.
    reason : str
        The decision in words: the matching routes and why the most specific won,
        or ``"no route: dropped"``.
    """

    destination: Address
    route: Candidate | None
    target: str | None
    dropped: bool
    candidates: tuple[Candidate, ...]
    reason: str

    @property
    def matching(self) -> tuple[Candidate, ...]:
        """The routes that contain the destination, most specific first."""
        return tuple(sorted((c for c in self.candidates if c.matches), key=lambda c: -c.prefixlen))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (addresses and networks as text)."""
        return {
            "destination": address_text(self.destination),
            "route": None if self.route is None else str(self.route.destination),
            "target": self.target,
            "dropped": self.dropped,
            "reason": self.reason,
            "candidates": [
                {
                    "destination": str(c.destination),
                    "target": c.target,
                    "matches": c.matches,
                    "winner": c.winner,
                    "note": c.note,
                }
                for c in self.candidates
            ],
        }


def parse_route(text: str) -> tuple[Network, str]:
    """Read one route written as ``"<destination CIDR> <target>"``.

    Parameters
    ----------
    text : str
        For example ``"10.0.1.0/24 blackhole"`` or ``"::/0 eigw"``; an arrow between
        the two (``"0.0.0.0/0 -> igw"``) is allowed.

    Returns
    -------
    tuple of (network, str)

    Raises
    ------
    ValueError
        When a part is missing or the CIDR cannot be read.
    """
    if not isinstance(text, str):
        raise ValueError(
            f"route {show(text)}: write a route as '<destination CIDR> <target>', "
            "e.g. '10.0.1.0/24 blackhole'"
        )
    parts = text.replace("→", " ").replace("->", " ").split()
    if len(parts) != 2:
        raise ValueError(
            f"{one_line(text.strip()) or '(empty)'}: write a route as "
            "'<destination CIDR> <target>', e.g. '10.0.1.0/24 blackhole'"
        )
    return _route_row(parts[0], parts[1])


def _route_row(destination: object, target: object) -> tuple[Network, str]:
    # A reader's table cell: parse_network raises a ValueError with a message if it is not text.
    network = parse_network(destination)  # type: ignore[arg-type]  # any input: parse_network names a wrong type
    if not isinstance(target, str) or not target.strip():
        raise ValueError(f"route to {network}: the target is empty (e.g. local, igw, nat-a)")
    name = target.strip()
    if target_kind(name) == "eigw" and network.version == 4:
        raise ValueError(
            f"{network} → {name}: an egress-only internet gateway carries IPv6 only; "
            "IPv4 goes out through a NAT gateway"
        )
    return network, name


def _rows(routes: Iterable[object]) -> list[tuple[Network, str]]:
    """Normalise routes (objects with destination/target, pairs, or 'cidr target' text)."""
    rows: list[tuple[Network, str]] = []
    seen: set[Network] = set()
    for route in routes:
        if isinstance(route, str):
            row = parse_route(route)
        elif hasattr(route, "destination") and hasattr(route, "target"):
            row = _route_row(route.destination, route.target)
        elif isinstance(route, Sequence) and len(route) == 2:
            row = _route_row(route[0], route[1])
        else:
            raise ValueError(f"{route!r}: a route is a destination CIDR and a target")
        if row[0] in seen:
            raise ValueError(
                f"two routes for {row[0]}: a route table holds one route per destination"
            )
        seen.add(row[0])
        rows.append(row)
    return rows


def _route_list(rows: Sequence[Candidate]) -> str:
    return ", ".join(f"{c.destination} → {c.target}" for c in rows)


def lookup(routes: Iterable[object], destination: str | Address) -> RouteDecision:
    """Choose the route for one destination address by longest prefix match.

    Follows AWS's route priority (``aws-route-priority``): of the routes whose
    destination contains the address, the one with the longest prefix (the most
    specific) wins; IPv4 and IPv6 routes are separate, so an IPv4 address is never
    matched by an IPv6 route or the other way round. A route whose target is
    ``"blackhole"`` drops what it matches (AWS shows a route as *blackhole* when its
    target no longer exists (``aws-ec2-route``)); an address no route matches is
    dropped too.

    Parameters
    ----------
    routes : iterable
        The route table: objects with ``destination`` and ``target`` (such as
        :class:`cloudlab.vpc.plan.Route`), ``(cidr, target)`` pairs, or
        ``"cidr target"`` strings.
    destination : str or address
        The packet's destination, one address such as ``"10.0.1.7"``.

    Returns
    -------
    RouteDecision

    Raises
    ------
    ValueError
        If the destination is not one address, a route cannot be read, two routes
        share a destination, or an IPv4 route points at an egress-only gateway.

    Examples
    --------
    >>> table = [("10.0.0.0/16", "local"), ("10.0.1.0/24", "blackhole"), ("0.0.0.0/0", "igw")]
    >>> lookup(table, "10.0.1.7").target
    'blackhole'
    >>> lookup(table, "10.0.2.7").target
    'local'
    >>> lookup(table, "192.0.2.1").target
    'igw'
    """
    address = parse_address(destination)
    rows = _rows(routes)
    family = f"IPv{address.version}"
    matching = [
        (network, target)
        for network, target in rows
        if network.version == address.version and address in network
    ]
    best = max(matching, key=lambda row: row[0].prefixlen, default=None)
    candidates = []
    for network, target in rows:
        if network.version != address.version:
            note = f"an IPv{network.version} route: never used for an {family} packet"
            hit = False
        elif address in network:
            hit = True
            note = f"contains {address_text(address)} (/{network.prefixlen})"
            if best is not None and network == best[0]:
                note += ": the longest prefix, so it wins"
            else:
                note += f": less specific than /{best[0].prefixlen}" if best else ""
        else:
            hit = False
            note = f"does not contain {address_text(address)}"
        candidates.append(
            Candidate(network, target, hit, best is not None and network == best[0], note)
        )
    table = tuple(candidates)
    other_family = sum(1 for c in table if c.destination.version != address.version)
    aside = (
        f" ({other_family} IPv{6 if address.version == 4 else 4} "
        f"route{'s' if other_family != 1 else ''} not considered: IPv4 and IPv6 are routed "
        "separately)"
        if other_family
        else ""
    )
    if best is None:
        reason = (
            f"no route: dropped. No {family} route in the table contains {address_text(address)}"
            f"{aside}; without a route (not even a default route "
            f"{'0.0.0.0/0' if address.version == 4 else '::/0'}) the packet has nowhere to go."
        )
        return RouteDecision(address, None, None, True, table, reason)
    winner = next(c for c in table if c.winner)
    hits = [c for c in table if c.matches]
    if len(hits) == 1:
        why = (
            f"{address_text(address)} matches one route, "
            f"{winner.destination} → {winner.target}{aside}."
        )
    else:
        ordered = sorted(hits, key=lambda c: -c.prefixlen)
        why = (
            f"{address_text(address)} matches {len(hits)} routes: {_route_list(ordered)}{aside}. "
            f"The longest prefix wins: /{winner.prefixlen} ({winner.destination}) is the most "
            f"specific, so it beats " + ", ".join(f"/{c.prefixlen}" for c in ordered[1:]) + "."
        )
    dropped = target_kind(winner.target) == "blackhole"
    reason = f"{why} Target: {describe_target(winner.target)}."
    return RouteDecision(address, winner, winner.target, dropped, table, reason)


# ------------------------------------------------------------------ plans


def _subnet(plan: NetworkPlan, name: str) -> SubnetPlan:
    """The plan's subnet ``name``; the name comes from the reader, so a ValueError."""
    instance("plan", plan, NetworkPlan)
    if not isinstance(name, str):
        raise ValueError(f"subnet {show(name)}: expected a subnet's name, e.g. 'private-a'")
    try:
        return plan.subnet(name)
    except KeyError:
        names = ", ".join(s.name for s in plan.subnets) or "none"
        raise ValueError(f"{name!r}: no such subnet in the plan (subnets: {names})") from None


def route_table_of(plan: NetworkPlan, subnet_name: str) -> RouteTablePlan:
    """Return the route table associated with a subnet of a plan.

    Parameters
    ----------
    plan : NetworkPlan
    subnet_name : str
        For example ``"private-a"``.

    Returns
    -------
    RouteTablePlan
        The table that lists the subnet (:meth:`NetworkPlan.route_table_for`).

    Raises
    ------
    ValueError
        If the subnet or its table is not in the plan.
    """
    subnet = _subnet(plan, subnet_name)
    try:
        return plan.route_table_for(subnet_name)
    except KeyError:
        raise ValueError(
            f"{subnet_name}: the plan has no route table {subnet.route_table!r} for it"
        ) from None


def _holder(plan: NetworkPlan, address: Address) -> SubnetPlan | None:
    """The subnet whose IPv4 or IPv6 CIDR contains ``address``."""
    for subnet in plan.subnets:
        cidr = subnet.cidr if address.version == 4 else subnet.ipv6_cidr
        if cidr is not None and cidr.version == address.version and address in cidr:
            return subnet
    return None


def _nat_home(plan: NetworkPlan, target: str) -> SubnetPlan | None:
    """The public subnet that holds NAT gateway ``nat-<az>`` (None if that AZ has none)."""
    try:
        return plan.nat_subnet(target[4:])
    except KeyError:
        return None


@dataclass(frozen=True)
class Hop:
    """One step of a packet's path.

    Attributes
    ----------
    at : str
        Where the packet is, e.g. ``"subnet private-a"`` or ``"NAT gateway nat-a"``.
    table : str or None
        The route table consulted there, if any.
    decision : RouteDecision or None
        The lookup made there, if any.
    text : str
        The step in words.
    """

    at: str
    table: str | None
    decision: RouteDecision | None
    text: str


@dataclass(frozen=True)
class PathTrace:
    """Where a packet from a subnet goes, hop by hop (:func:`trace`).

    Attributes
    ----------
    source : str
        The subnet the packet leaves from.
    destination : IPv4Address or IPv6Address
    hops : tuple of Hop
    outcome : str
        ``"local"`` (delivered to a subnet of the VPC), ``"internet"`` (left through an
        internet gateway or egress-only internet gateway), ``"dropped"``, or
        ``"elsewhere"`` (handed to a target this simulator does not follow).
    delivered_to : str or None
        The receiving subnet for a local delivery.
    exit : str or None
        The gateway the packet left by: ``"igw"``, ``"eigw"``, or another target.
    via_nat : str or None
        The NAT gateway passed through, e.g. ``"nat-a"``.
    source_seen_as : str or None
        What the internet sees as the source address (after translation), in words.
    notes : tuple of str
        Caveats: public IPs, one-way gateways, unroutable destinations.
    summary : str
        One sentence.
    """

    source: str
    destination: Address
    hops: tuple[Hop, ...]
    outcome: str
    delivered_to: str | None
    exit: str | None
    via_nat: str | None
    source_seen_as: str | None
    notes: tuple[str, ...]
    summary: str

    @property
    def decision(self) -> RouteDecision | None:
        """The first lookup: the source subnet's route table."""
        return self.hops[0].decision if self.hops else None

    @property
    def dropped(self) -> bool:
        """True when the packet never gets where it is going."""
        return self.outcome == "dropped"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "source": self.source,
            "destination": address_text(self.destination),
            "outcome": self.outcome,
            "delivered_to": self.delivered_to,
            "exit": self.exit,
            "via_nat": self.via_nat,
            "source_seen_as": self.source_seen_as,
            "notes": list(self.notes),
            "summary": self.summary,
            "hops": [
                {
                    "at": h.at,
                    "table": h.table,
                    "text": h.text,
                    "decision": None if h.decision is None else h.decision.to_dict(),
                }
                for h in self.hops
            ],
        }


def trace(
    plan: NetworkPlan,
    source_subnet_name: str,
    destination: str | Address,
    *,
    public_ip: bool = True,
    extra_routes: Iterable[object] = (),
) -> PathTrace:
    """Follow a packet from a subnet of a plan to its destination, or to the VPC's edge.

    Each hop is a longest-prefix match in a route table (:func:`lookup`). What the
    gateways do follows the AWS documentation:

    * ``local``: delivered inside the VPC to the subnet that holds the address
      (``aws-route-tables``).
    * internet gateway: leaves the VPC. For IPv4 it translates the sender's private
      address 1:1 to the public IPv4 address (or Elastic IP) the sender has, so an
      IPv4 sender without one cannot use it; IPv6 addresses are global and need no
      translation (``aws-internet-gateway``).
    * NAT gateway ``nat-<az>``: lives in a public subnet of that AZ; it replaces the
      source address with its own Elastic IP, and the route table of *its* subnet then
      sends the packet to the internet gateway (``aws-nat-gateways``).
    * egress-only internet gateway: IPv6 out to the internet; the internet cannot
      start a connection back in (``aws-egress-only-igw``).
    * blackhole or no route: dropped (``aws-route-priority``).

    Parameters
    ----------
    plan : NetworkPlan
        The network plan (see the module docstring for the attributes read).
    source_subnet_name : str
        The subnet the packet leaves from, e.g. ``"private-a"``.
    destination : str or address
        The destination address.
    public_ip : bool, default True
        Whether the sender has a public IPv4 address (an auto-assigned public IP or an
        Elastic IP; an internet-facing load balancer has them). Matters only for IPv4
        leaving directly through the internet gateway.
    extra_routes : iterable, optional
        Routes added to the source subnet's table for this trace only (same forms as
        :func:`lookup` takes), to try "what if" changes such as a blackhole.

    Returns
    -------
    PathTrace

    Raises
    ------
    ValueError
        Unknown subnet, unreadable destination or route.
    """
    address = parse_address(destination)
    subnet = _subnet(plan, source_subnet_name)
    table = route_table_of(plan, source_subnet_name)
    tracer = _Tracer(plan, subnet, address, public_ip)
    if address.version == 6 and subnet.ipv6_cidr is None:
        tracer.hops.append(
            Hop(f"subnet {subnet.name}", None, None, f"{subnet.name} has no IPv6 CIDR.")
        )
        return tracer.finish(
            "dropped",
            f"{subnet.name} has no IPv6 addresses, so nothing in it can send an IPv6 "
            f"packet to {address_text(address)}: dropped.",
        )
    routes = [*tuple(table.routes), *extra_routes]
    where = f"subnet {subnet.name}"
    table_name = table.name
    for _ in range(_MAX_HOPS):
        decision = lookup(routes, address)
        kind = None if decision.target is None else target_kind(decision.target)
        tracer.record(where, table_name, decision)
        if decision.route is None:
            return tracer.finish(
                "dropped",
                f"No IPv{address.version} route for {address_text(address)} from {where}: dropped.",
            )
        if kind == "nat":
            step = tracer.through_nat(decision.target or "", where)
            if isinstance(step, PathTrace):
                return step
            next_table, where = step
            routes, table_name = list(next_table.routes), next_table.name
            continue
        return tracer.at_target(kind, decision, table_name)
    return tracer.finish(
        "dropped", "Too many hops: a routing loop, dropped.", via_nat=tracer.via_nat
    )


class _Tracer:
    """One packet on its way: the hops and notes so far, and one method per gateway."""

    def __init__(
        self, plan: NetworkPlan, subnet: SubnetPlan, address: Address, public_ip: bool
    ) -> None:
        self.plan = plan
        self.subnet = subnet
        self.address = address
        self.public_ip = public_ip
        self.hops: list[Hop] = []
        self.notes: list[str] = []
        self.via_nat: str | None = None
        self.visited: set[str] = set()

    def finish(
        self,
        outcome: str,
        summary: str,
        *,
        delivered_to: str | None = None,
        exit_: str | None = None,
        via_nat: str | None = None,
        seen_as: str | None = None,
    ) -> PathTrace:
        return PathTrace(
            self.subnet.name,
            self.address,
            tuple(self.hops),
            outcome,
            delivered_to,
            exit_,
            via_nat,
            seen_as,
            tuple(self.notes),
            summary,
        )

    def record(self, where: str, table_name: str, decision: RouteDecision) -> None:
        """The hop: which route the table at ``where`` picked, in a sentence."""
        if decision.route is None:
            text = f"At {where}, route table {table_name}: {decision.reason}"
        else:
            text = (
                f"At {where}, route table {table_name} picks {decision.route.destination} → "
                f"{decision.target}: {describe_target(decision.target or '')}."
            )
        self.hops.append(Hop(where, table_name, decision, text))

    def at_target(self, kind: str | None, decision: RouteDecision, table_name: str) -> PathTrace:
        """The route ends the trace: a blackhole, the VPC, a gateway out, or elsewhere."""
        if kind == "blackhole":
            assert decision.route is not None  # a target came from a route
            return self.finish(
                "dropped",
                f"{address_text(self.address)} matches {decision.route.destination} → blackhole in "
                f"{table_name}: dropped.",
                via_nat=self.via_nat,
            )
        if kind == "local":
            return self.local()
        if kind == "igw":
            return self.internet_gateway()
        if kind == "eigw":
            return self.egress_only_gateway()
        return self.finish(
            "elsewhere",
            f"Handed to {decision.target}; this simulator follows it no further.",
            exit_=decision.target,
            via_nat=self.via_nat,
        )

    def local(self) -> PathTrace:
        """The local route: delivered to the subnet holding the address, if one does."""
        address, via_nat = self.address, self.via_nat
        holder = _holder(self.plan, address)
        if holder is None:
            return self.finish(
                "dropped",
                f"{address_text(address)} is inside the VPC's range but in no subnet (free space): "
                "nothing there receives it, dropped.",
                via_nat=via_nat,
            )
        same = " (the same subnet)" if holder.name == self.subnet.name and not via_nat else ""
        return self.finish(
            "local",
            f"Delivered inside the VPC to subnet {holder.name}{same} "
            f"({holder.cidr if address.version == 4 else holder.ipv6_cidr}, AZ {holder.az}) "
            f"by the local route.",
            delivered_to=holder.name,
            via_nat=via_nat,
        )

    def internet_gateway(self) -> PathTrace:
        """Out through the internet gateway: IPv6 as it is, IPv4 translated if it can be."""
        address, via_nat, notes = self.address, self.via_nat, self.notes
        if _outside_internet(address):
            notes.append(
                f"{address_text(address)} is a {classify(address).label} address: the internet "
                "does not route it, so the packet would leave but never arrive."
            )
        if address.version == 6:
            notes.append(
                "IPv6 addresses are global: the internet gateway forwards them "
                "without translation, and it lets connections in as well as out."
            )
            return self.finish(
                "internet",
                "Out to the internet through the internet gateway (IPv6, the sender's "
                "own address).",
                exit_="igw",
                seen_as="the sender's own IPv6 address",
            )
        if via_nat:
            return self.finish(
                "internet",
                f"Out to the internet: NAT gateway {via_nat} rewrote the source to its "
                "Elastic IP, then the internet gateway sent it on.",
                exit_="igw",
                via_nat=via_nat,
                seen_as=f"the Elastic IP of NAT gateway {via_nat}",
            )
        if not self.public_ip:
            notes.append(
                "The internet gateway translates a private IPv4 address only to the "
                "public IPv4 address (or Elastic IP) mapped to it; a sender without one "
                "has nothing to be translated to."
            )
            return self.finish(
                "dropped",
                "The route goes to the internet gateway, but the sender has no public "
                "IPv4 address, so it cannot talk to the internet: give it a public IP, "
                "or place it in a private subnet behind a NAT gateway.",
                exit_="igw",
            )
        notes.append(
            "Leaves with a public source address only because the sender has one: the "
            "internet gateway maps its private IPv4 address 1:1 to its public IPv4 "
            "address (an internet-facing load balancer has public addresses too)."
        )
        return self.finish(
            "internet",
            "Out to the internet through the internet gateway, the source translated "
            "1:1 to the sender's public IPv4 address.",
            exit_="igw",
            seen_as="the sender's public IPv4 address",
        )

    def egress_only_gateway(self) -> PathTrace:
        """Out over IPv6 through the egress-only internet gateway (one way)."""
        self.notes.append(
            "An egress-only internet gateway is one-way: replies come back, but the "
            "internet cannot start a connection to this subnet over IPv6."
        )
        return self.finish(
            "internet",
            "Out to the internet over IPv6 through the egress-only internet gateway "
            "(no translation; connections from outside cannot come in).",
            exit_="eigw",
            seen_as="the sender's own IPv6 address",
        )

    def through_nat(self, target: str, where: str) -> PathTrace | tuple[RouteTablePlan, str]:
        """Into NAT gateway ``target``: the end (a loop, no home), or its subnet's table next."""
        if target in self.visited or self.via_nat:
            return self.finish(
                "dropped",
                f"The route from {where} leads to NAT gateway {target} again: a routing "
                "loop, dropped.",
                via_nat=self.via_nat,
            )
        self.visited.add(target)
        home = _nat_home(self.plan, target)
        if home is None:
            return self.finish(
                "dropped",
                f"{target} should live in a public subnet of AZ {target[4:]}, but the plan "
                "has none there: dropped.",
            )
        if home.az != self.subnet.az:
            self.notes.append(
                f"The packet crosses from AZ {self.subnet.az} to AZ {home.az}: with one NAT "
                f"gateway, {self.subnet.name}'s internet access depends on AZ {home.az}."
            )
        if self.address.version == 6:
            self.notes.append(
                "A NAT gateway translates IPv4 (and NAT64 for 64:ff9b::/96); for "
                "ordinary IPv6 use an egress-only internet gateway."
            )
        self.via_nat = target
        return route_table_of(self.plan, home.name), f"NAT gateway {target} (in {home.name})"


def _outside_internet(address: Address) -> bool:
    return classify(address).key in _NOT_ON_INTERNET


# ------------------------------------------------------------------ from the internet


@dataclass(frozen=True)
class InboundReport:
    """Can a connection started on the internet reach a subnet? (:func:`inbound_from_internet`)

    Attributes
    ----------
    subnet : str
    reachable_ipv4 : bool
        Over IPv4 (assuming the resource has a public IPv4 address and the firewalls
        allow the port, when the routes allow it at all).
    reachable_ipv6 : bool or None
        Over IPv6; None when the subnet has no IPv6 CIDR.
    outbound_ipv4 : PathTrace
        A packet from the subnet to a host on the internet, for contrast.
    outbound_ipv6 : PathTrace or None
    reasons : tuple of str
        Why, in words, with the routes that decide it.
    summary : str
    """

    subnet: str
    reachable_ipv4: bool
    reachable_ipv6: bool | None
    outbound_ipv4: PathTrace
    outbound_ipv6: PathTrace | None
    reasons: tuple[str, ...]
    summary: str

    @property
    def reachable(self) -> bool:
        """True if the internet can start a connection over either IP version."""
        return self.reachable_ipv4 or bool(self.reachable_ipv6)


def inbound_from_internet(plan: NetworkPlan, subnet_name: str) -> InboundReport:
    """Explain whether the internet can start a connection to a subnet, and why.

    A subnet is *public* when its route table has a route to an internet gateway, and
    *private* when it has none (``aws-internet-gateway``). A resource in a private
    subnet cannot be reached from the internet: its table sends internet-bound traffic
    to a NAT gateway (or nowhere), it has no public IPv4 address for the internet to
    aim at, and a NAT gateway lets instances start connections out but does not let
    the internet start connections in (``aws-nat-gateways``). For IPv6, an egress-only
    internet gateway blocks connections started from outside
    (``aws-egress-only-igw``). The same subnet can still reach the internet through
    the NAT gateway, which :attr:`InboundReport.outbound_ipv4` shows hop by hop.

    Parameters
    ----------
    plan : NetworkPlan
    subnet_name : str

    Returns
    -------
    InboundReport

    Raises
    ------
    ValueError
        Unknown subnet.
    """
    subnet = _subnet(plan, subnet_name)
    table = route_table_of(plan, subnet_name)
    rows = _rows(table.routes)
    reasons: list[str] = []

    v4_default = lookup(rows, INTERNET_HOST_V4)
    v4_kind = None if v4_default.target is None else target_kind(v4_default.target)
    out4 = trace(plan, subnet_name, INTERNET_HOST_V4, public_ip=True)
    if v4_kind == "igw":
        reach4 = True
        reasons.append(
            f"IPv4: route table {table.name} sends internet traffic "
            f"({v4_default.route.destination if v4_default.route else ''}) to the internet "
            "gateway, so this is a public subnet. A resource here can be reached from the "
            "internet if it has a public IPv4 address (or Elastic IP) and its security group "
            "and the subnet's network ACL allow the port."
        )
    else:
        reach4 = False
        if v4_kind == "nat":
            where = f"to NAT gateway {v4_default.target}"
        elif v4_default.route is None:
            where = "nowhere (there is no default route)"
        else:
            where = f"to {v4_default.target}"
        reasons.append(
            f"IPv4: route table {table.name} has no route to the internet gateway; it sends "
            f"internet traffic {where}. That makes {subnet.name} a private subnet (AWS's "
            "definition: no route to an internet gateway)."
        )
        reasons.append(
            "IPv4: resources here normally have only private addresses, and the internet "
            "can only address packets to public ones. Even a public IPv4 address would not "
            "help: the internet gateway would deliver the request, but the reply would "
            "follow this table "
            + (
                "to the NAT gateway and come back from its Elastic IP, an address the client "
                "never called, so the connection fails."
                if v4_kind == "nat"
                else "and find no way out, so the connection fails."
            )
        )
        if v4_kind == "nat":
            reasons.append(
                f"IPv4: the NAT gateway {v4_default.target} lets resources here start "
                "connections out (it rewrites their source to its Elastic IP and passes the "
                "replies back), but it accepts no connection started from the internet."
            )
    out6: PathTrace | None = None
    reach6: bool | None = None
    if subnet.ipv6_cidr is not None:
        v6_default = lookup(rows, INTERNET_HOST_V6)
        v6_kind = None if v6_default.target is None else target_kind(v6_default.target)
        out6 = trace(plan, subnet_name, INTERNET_HOST_V6)
        if v6_kind == "igw":
            reach6 = True
            reasons.append(
                "IPv6: ::/0 goes to the internet gateway and IPv6 addresses are global, so "
                "the internet can reach resources here if the firewalls allow it."
            )
        elif v6_kind == "eigw":
            reach6 = False
            reasons.append(
                "IPv6: ::/0 goes to the egress-only internet gateway, which lets connections "
                "out and their replies back but blocks any connection started from the internet."
            )
        else:
            reach6 = False
            reasons.append(
                "IPv6: no route to an internet gateway, so nothing on the internet can reach "
                "it over IPv6."
            )
    reachable = reach4 or bool(reach6)
    out_words = (
        f"it reaches the internet through {out4.via_nat}"
        if out4.via_nat and out4.outcome == "internet"
        else (
            "it reaches the internet directly"
            if out4.outcome == "internet"
            else "it cannot reach the internet either"
        )
    )
    if reachable:
        summary = (
            f"{subnet.name} is public: the internet can start connections to resources here "
            f"that have a public address (firewalls permitting), and {out_words}."
        )
    else:
        summary = (
            f"{subnet.name} cannot be reached from the internet, but {out_words}."
            if out4.outcome == "internet"
            else f"{subnet.name} is isolated: it cannot be reached from the internet, and "
            f"{out_words}."
        )
    return InboundReport(subnet.name, reach4, reach6, out4, out6, tuple(reasons), summary)
