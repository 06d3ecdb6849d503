"""Simulate how a dual-stack client ends up on IPv6 or IPv4 (RFC 6724 ordering, RFC 8305 racing).

Two steps decide which address family a connection uses when a name has both AAAA
(IPv6) and A (IPv4) records:

1. **Destination address ordering**, RFC 6724 section 6: the resolved addresses are
   sorted by ten pairwise rules that look at the source address the host would use
   for each one (section 5), the address scope (section 3) and the precedence and
   label of a policy table (section 2.1, :data:`DEFAULT_POLICY_TABLE`).
2. **Happy Eyeballs version 2**, RFC 8305: the client starts connecting to the first
   address, and if nothing has answered after the *Connection Attempt Delay*
   (250 ms recommended) it starts the next one, alternating address families, and
   keeps the first connection that succeeds.

Everything here is pure and deterministic: no sockets, no clocks. A seeded
random-number generator adds optional jitter to the simulated latencies, so the same
inputs and seed always give the same timeline. Times are in milliseconds (ms) from the
moment the DNS queries are sent.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cmp_to_key
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
    ip_address,
    ip_interface,
    ip_network,
)
from typing import Any, Literal

__all__ = [
    "CONNECTION_ATTEMPT_DELAY_MS",
    "DEFAULT_POLICY_TABLE",
    "FIRST_ADDRESS_FAMILY_COUNT",
    "MAX_CONNECTION_ATTEMPT_DELAY_MS",
    "MIN_CONNECTION_ATTEMPT_DELAY_MS",
    "RESOLUTION_DELAY_MS",
    "SCOPE_GLOBAL",
    "SCOPE_LINK_LOCAL",
    "SCOPE_SITE_LOCAL",
    "Attempt",
    "AttemptTrigger",
    "Conditions",
    "Event",
    "Path",
    "PolicyEntry",
    "Race",
    "RankedDestination",
    "client_addresses",
    "common_prefix_len",
    "compare_destinations",
    "family_of",
    "interleave",
    "order_destinations",
    "policy_for",
    "race",
    "scope_of",
    "select_source",
    "simulate",
]

Address = IPv4Address | IPv6Address
Interface = IPv4Interface | IPv6Interface
Family = Literal["IPv6", "IPv4"]
PathState = Literal["ok", "blackholed", "refused"]

# --- RFC 8305 constants -------------------------------------------------------------

#: Resolution Delay, ms: how long to wait for the AAAA answer when the A answer came
#: first (RFC 8305 section 3, recommended value).
RESOLUTION_DELAY_MS = 50.0
#: Connection Attempt Delay, ms: the head start each attempt gets before the next one
#: starts (RFC 8305 section 5, "one recommended value for a default delay").
CONNECTION_ATTEMPT_DELAY_MS = 250.0
#: Hard lower bound, ms: a new attempt must not start within 10 ms of the previous one
#: (RFC 8305 section 5). The *recommended* minimum is 100 ms.
MIN_CONNECTION_ATTEMPT_DELAY_MS = 10.0
#: Recommended upper bound for the Connection Attempt Delay, ms (RFC 8305 section 5).
MAX_CONNECTION_ATTEMPT_DELAY_MS = 2000.0
#: How many addresses of the preferred family go first before the other family gets a
#: turn (RFC 8305 sections 4 and 8: recommended 1).
FIRST_ADDRESS_FAMILY_COUNT = 1

# --- RFC 6724 scopes (section 3.1, values from RFC 4007 / RFC 4291 multicast scopes) --

#: Link-local scope; RFC 6724 section 3.1 also gives the loopback address this scope.
SCOPE_LINK_LOCAL = 0x2
#: Site-local scope (fec0::/10, deprecated by RFC 3879).
SCOPE_SITE_LOCAL = 0x5
#: Global scope: everything else, including IPv4 private addresses (section 3.2).
SCOPE_GLOBAL = 0xE

_SCOPE_NAMES = {SCOPE_LINK_LOCAL: "link-local", SCOPE_SITE_LOCAL: "site-local"}


def _scope_name(scope: int) -> str:
    return _SCOPE_NAMES.get(scope, "global")


@dataclass(frozen=True)
class PolicyEntry:
    """One row of the RFC 6724 policy table.

    Attributes
    ----------
    prefix : IPv6Network
        Addresses this row applies to (IPv4 is looked up as ``::ffff:a.b.c.d``).
    precedence : int
        Higher sorts first (rule 6 of destination selection).
    label : int
        A source and destination with the same label are preferred together (rule 5).
    meaning : str
        What the prefix is, in words.
    """

    prefix: IPv6Network
    precedence: int
    label: int
    meaning: str


def _row(prefix: str, precedence: int, label: int, meaning: str) -> PolicyEntry:
    network = ip_network(prefix)
    assert isinstance(network, IPv6Network)
    return PolicyEntry(network, precedence, label, meaning)


#: The default policy table of RFC 6724 section 2.1, as data.
DEFAULT_POLICY_TABLE: tuple[PolicyEntry, ...] = (
    _row("::1/128", 50, 0, "IPv6 loopback"),
    _row("::/0", 40, 1, "any other IPv6 address (native IPv6)"),
    _row("::ffff:0:0/96", 35, 4, "IPv4 (looked up as IPv4-mapped IPv6)"),
    _row("2002::/16", 30, 2, "6to4 tunnels"),
    _row("2001::/32", 5, 5, "Teredo tunnels"),
    _row("fc00::/7", 3, 13, "unique local addresses (ULA)"),
    _row("::/96", 1, 3, "IPv4-compatible (deprecated)"),
    _row("fec0::/10", 1, 11, "site-local (deprecated)"),
    _row("3ffe::/16", 1, 12, "6bone test addresses (returned)"),
)

# --- small helpers -------------------------------------------------------------------


def _address(value: str | Address) -> Address:
    if isinstance(value, IPv4Address | IPv6Address):
        return value
    try:
        return ip_address(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


def _interface(value: str | Address | Interface) -> Interface:
    if isinstance(value, IPv4Interface | IPv6Interface):
        return value
    if isinstance(value, IPv4Address | IPv6Address):
        # A bare address: assume the usual on-link prefix (RFC 4291 /64 for IPv6).
        prefix = 64 if value.version == 6 else 32
        return ip_interface((value, prefix))
    try:
        text = str(value).strip()
        if "/" not in text:
            address = ip_address(text)
            return ip_interface((address, 64 if address.version == 6 else 32))
        return ip_interface(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a source address: give an address with its prefix, "
            "for example '192.168.1.23/24' or '2001:db8:1::23/64'"
        ) from None


def family_of(address: str | Address | Interface) -> Family:
    """Name the address family of an address or interface.

    Parameters
    ----------
    address : str, IPv4Address, IPv6Address, IPv4Interface or IPv6Interface
        The address.

    Returns
    -------
    {"IPv6", "IPv4"}
        The family name.
    """
    if isinstance(address, IPv4Interface | IPv6Interface):
        version = address.version
    else:
        version = _address(address).version
    return "IPv6" if version == 6 else "IPv4"


def _mapped(address: Address) -> IPv6Address:
    """RFC 6724 looks up IPv4 addresses in the policy table as IPv4-mapped IPv6."""
    if isinstance(address, IPv4Address):
        return IPv6Address(f"::ffff:{address}")
    return address


def policy_for(
    address: str | Address, table: Sequence[PolicyEntry] = DEFAULT_POLICY_TABLE
) -> PolicyEntry:
    """Look an address up in an RFC 6724 policy table (longest matching prefix).

    Parameters
    ----------
    address : str or IPv4Address or IPv6Address
        Destination or source address.
    table : sequence of PolicyEntry, optional
        The policy table; defaults to RFC 6724 section 2.1.

    Returns
    -------
    PolicyEntry
        The row with the longest prefix that contains the address.
    """
    mapped = _mapped(_address(address))
    matches = [row for row in table if mapped in row.prefix]
    if not matches:
        raise ValueError(f"the policy table has no row for {address} (it needs a ::/0 row)")
    return max(matches, key=lambda row: row.prefix.prefixlen)


def scope_of(address: str | Address) -> int:
    """Return the RFC 6724 scope of a unicast address.

    IPv6 (section 3.1): loopback and link-local (fe80::/10) have link-local scope,
    fec0::/10 site-local, everything else global (unique local addresses too).
    IPv4 (section 3.2): 127.0.0.0/8 and 169.254.0.0/16 have link-local scope; every
    other IPv4 address, private RFC 1918 ones included, has global scope.

    Parameters
    ----------
    address : str or IPv4Address or IPv6Address
        A unicast address.

    Returns
    -------
    int
        :data:`SCOPE_LINK_LOCAL` (2), :data:`SCOPE_SITE_LOCAL` (5) or
        :data:`SCOPE_GLOBAL` (14).
    """
    addr = _address(address)
    if addr.is_multicast:
        raise ValueError(f"{addr} is a multicast address: this simulation handles unicast only")
    if addr.is_loopback or addr.is_link_local:
        return SCOPE_LINK_LOCAL
    if isinstance(addr, IPv6Address) and addr.is_site_local:
        return SCOPE_SITE_LOCAL
    return SCOPE_GLOBAL


def common_prefix_len(source: str | Interface, destination: str | Address) -> int:
    """Count the leading bits a source and a destination share (RFC 6724 section 2.2).

    The count stops at the length of the source's prefix (for example 64 for a
    typical IPv6 address), and is 0 when the two are of different families.

    Parameters
    ----------
    source : str or IPv4Interface or IPv6Interface
        The source address *with its prefix*, such as ``"2001:db8:1::2/64"``.
    destination : str or IPv4Address or IPv6Address
        The destination address.

    Returns
    -------
    int
        Number of bits, from 0 to the source prefix length.
    """
    src = _interface(source)
    dst = _address(destination)
    if src.version != dst.version:
        return 0
    for length in range(src.network.prefixlen, -1, -1):
        if dst in ip_network((src.ip, length), strict=False):
            return length
    return 0  # pragma: no cover - /0 always contains the destination


def select_source(
    destination: str | Address,
    candidates: Iterable[str | Interface],
    table: Sequence[PolicyEntry] = DEFAULT_POLICY_TABLE,
) -> Interface | None:
    """Pick the source address a host would use for a destination (RFC 6724 section 5).

    Implements the rules that matter without mobility or per-interface state:
    rule 1 (prefer the same address), rule 2 (prefer appropriate scope), rule 6
    (prefer matching label) and rule 8 (use the longest matching prefix). Only
    candidates of the destination's family are considered.

    Parameters
    ----------
    destination : str or IPv4Address or IPv6Address
        Where the packet goes.
    candidates : iterable of str or interfaces
        The host's own addresses with their prefixes.
    table : sequence of PolicyEntry, optional
        Policy table used for rule 6.

    Returns
    -------
    IPv4Interface or IPv6Interface or None
        The chosen source, or None when the host has no address of that family
        (then RFC 6724 calls the source "undefined").
    """
    dst = _address(destination)
    pool = [c for c in (_interface(c) for c in candidates) if c.version == dst.version]
    if not pool:
        return None
    dst_scope = scope_of(dst)
    dst_label = policy_for(dst, table).label

    def compare(a: Interface, b: Interface) -> int:
        # Rule 1: prefer same address.
        if a.ip == dst:
            return -1
        if b.ip == dst:
            return 1
        # Rule 2: prefer appropriate scope.
        scope_a, scope_b = scope_of(a.ip), scope_of(b.ip)
        if scope_a < scope_b:
            return 1 if scope_a < dst_scope else -1
        if scope_b < scope_a:
            return -1 if scope_b < dst_scope else 1
        # Rule 6: prefer matching label.
        match_a = policy_for(a.ip, table).label == dst_label
        match_b = policy_for(b.ip, table).label == dst_label
        if match_a != match_b:
            return -1 if match_a else 1
        # Rule 8: use longest matching prefix.
        return common_prefix_len(b, dst) - common_prefix_len(a, dst)

    return sorted(pool, key=cmp_to_key(compare))[0]


@dataclass(frozen=True)
class RankedDestination:
    """A destination address with everything RFC 6724 looks at to rank it.

    Attributes
    ----------
    address : IPv4Address or IPv6Address
        The destination.
    family : {"IPv6", "IPv4"}
        Its family.
    source : IPv4Interface or IPv6Interface or None
        The source address the host would use (None: undefined).
    reachable : bool
        False when the destination is known to be unreachable (for example no route
        for its family) or has no source address: rule 1 puts it last.
    scope, source_scope : int or None
        RFC 6724 scopes of the destination and of its source.
    precedence, label, source_label : int or None
        Policy-table values of the destination and the source's label.
    common_prefix : int or None
        :func:`common_prefix_len` of source and destination, bits.
    decided_by : str or None
        The rule that put this destination ahead of the next one in the list
        (None for the last one, or when rule 10 "leave the order unchanged" applied).
    """

    address: Address
    family: Family
    source: Interface | None
    reachable: bool
    scope: int
    source_scope: int | None
    precedence: int
    label: int
    source_label: int | None
    common_prefix: int | None
    decided_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (addresses as strings)."""
        data = asdict(self)
        data["address"] = str(self.address)
        data["source"] = None if self.source is None else str(self.source)
        data["scope"] = _scope_name(self.scope)
        data["source_scope"] = None if self.source_scope is None else _scope_name(self.source_scope)
        return data


def _rank(
    destination: Address,
    sources: Sequence[Interface],
    unreachable: set[Address],
    table: Sequence[PolicyEntry],
) -> RankedDestination:
    source = select_source(destination, sources, table)
    row = policy_for(destination, table)
    return RankedDestination(
        address=destination,
        family=family_of(destination),
        source=source,
        reachable=source is not None and destination not in unreachable,
        scope=scope_of(destination),
        source_scope=None if source is None else scope_of(source.ip),
        precedence=row.precedence,
        label=row.label,
        source_label=None if source is None else policy_for(source.ip, table).label,
        common_prefix=None if source is None else common_prefix_len(source, destination),
    )


def compare_destinations(a: RankedDestination, b: RankedDestination) -> tuple[int, str | None]:
    """Compare two destinations with the rules of RFC 6724 section 6.

    Rules 3 (deprecated sources), 4 (mobile IPv6 home addresses) and 7 (native
    transport) need state this simulation does not model and are skipped.

    Parameters
    ----------
    a, b : RankedDestination
        The destinations, ``a`` first in the original order.

    Returns
    -------
    tuple of (int, str or None)
        ``-1`` to prefer ``a``, ``1`` to prefer ``b``, ``0`` for a tie (rule 10:
        keep the original order), and the name of the deciding rule.
    """
    # Rule 1: avoid unusable destinations.
    if a.reachable != b.reachable:
        return (-1 if a.reachable else 1), "rule 1: avoid unusable destinations"
    if not a.reachable:
        return 0, None
    # Rule 2: prefer matching scope.
    match_a, match_b = a.scope == a.source_scope, b.scope == b.source_scope
    if match_a != match_b:
        return (-1 if match_a else 1), "rule 2: prefer matching scope"
    # Rule 5: prefer matching label.
    match_a, match_b = a.label == a.source_label, b.label == b.source_label
    if match_a != match_b:
        return (-1 if match_a else 1), "rule 5: prefer matching label"
    # Rule 6: prefer higher precedence.
    if a.precedence != b.precedence:
        return (-1 if a.precedence > b.precedence else 1), "rule 6: prefer higher precedence"
    # Rule 8: prefer smaller scope.
    if a.scope != b.scope:
        return (-1 if a.scope < b.scope else 1), "rule 8: prefer smaller scope"
    # Rule 9: use longest matching prefix (same family only).
    if a.family == b.family and a.common_prefix != b.common_prefix:
        assert a.common_prefix is not None
        assert b.common_prefix is not None
        better = a.common_prefix > b.common_prefix
        return (-1 if better else 1), "rule 9: use longest matching prefix"
    # Rule 10: otherwise, leave the order unchanged.
    return 0, None


def order_destinations(
    destinations: Iterable[str | Address],
    sources: Iterable[str | Interface],
    *,
    unreachable: Iterable[str | Address] = (),
    table: Sequence[PolicyEntry] = DEFAULT_POLICY_TABLE,
) -> tuple[RankedDestination, ...]:
    """Sort destination addresses the way RFC 6724 section 6 says.

    Parameters
    ----------
    destinations : iterable of str or addresses
        The addresses DNS returned, in the order it returned them.
    sources : iterable of str or interfaces
        The host's own addresses with their prefixes (``"192.168.1.23/24"``).
    unreachable : iterable of str or addresses, optional
        Destinations known to be unreachable, for example because the host has no
        route for their family (rule 1).
    table : sequence of PolicyEntry, optional
        Policy table; defaults to RFC 6724 section 2.1.

    Returns
    -------
    tuple of RankedDestination
        Best first. Each item's ``decided_by`` names the rule that placed it ahead of
        the next item.
    """
    dests = list(dict.fromkeys(_address(d) for d in destinations))
    srcs = [_interface(s) for s in sources]
    bad = {_address(u) for u in unreachable}
    ranked = [_rank(d, srcs, bad, table) for d in dests]
    ordered = sorted(ranked, key=cmp_to_key(lambda x, y: compare_destinations(x, y)[0]))
    explained = []
    for i, item in enumerate(ordered):
        rule = compare_destinations(item, ordered[i + 1])[1] if i + 1 < len(ordered) else None
        explained.append(replace(item, decided_by=rule))
    return tuple(explained)


def interleave(
    ranked: Sequence[RankedDestination], first_address_family_count: int = 1
) -> tuple[RankedDestination, ...]:
    """Interleave address families in a sorted list (RFC 8305 section 4).

    The family of the first address goes first; after ``first_address_family_count``
    addresses of it, the best address of the other family moves up, and the two
    families alternate from then on.

    Parameters
    ----------
    ranked : sequence of RankedDestination
        Output of :func:`order_destinations`.
    first_address_family_count : int, optional
        How many addresses of the first family go before the first address of the
        other family (1 recommended).

    Returns
    -------
    tuple of RankedDestination
        The same destinations in connection-attempt order.
    """
    if first_address_family_count < 1:
        raise ValueError("the First Address Family Count must be at least 1")
    if not ranked:
        return ()
    first = ranked[0].family
    preferred = [r for r in ranked if r.family == first]
    other = [r for r in ranked if r.family != first]
    result = preferred[:first_address_family_count]
    preferred = preferred[first_address_family_count:]
    while preferred or other:
        if other:
            result.append(other.pop(0))
        if preferred:
            result.append(preferred.pop(0))
    return tuple(result)


# --- Happy Eyeballs -----------------------------------------------------------------

_PATH_STATES: tuple[PathState, ...] = ("ok", "blackholed", "refused")


def _check_ms(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number of milliseconds (got {value!r})") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be 0 ms or more (got {value!r})")
    return number


@dataclass(frozen=True)
class Path:
    """How the network treats connection attempts over one address family.

    Attributes
    ----------
    latency_ms : float
        Time for the TCP handshake to complete (one round trip), ms.
    state : {"ok", "blackholed", "refused"}
        ``"ok"``: the handshake completes after ``latency_ms``. ``"blackholed"``:
        packets vanish and nothing ever answers (a broken tunnel or a firewall that
        drops silently). ``"refused"``: the other end or a router answers with a reset
        or an error after ``latency_ms``, so the attempt fails fast.
    """

    latency_ms: float = 30.0
    state: PathState = "ok"

    def __post_init__(self) -> None:
        _check_ms(self.latency_ms, "the latency")
        if self.state not in _PATH_STATES:
            raise ValueError(
                f"unknown path state {self.state!r}: use one of {', '.join(_PATH_STATES)}"
            )


EventKind = Literal[
    "query", "answer", "wait", "attempt", "connected", "failed", "cancelled", "timeout", "gave up"
]


@dataclass(frozen=True)
class Event:
    """One moment on the timeline of a race.

    Attributes
    ----------
    time_ms : float
        When, ms after the DNS queries were sent.
    kind : str
        ``"query"``, ``"answer"``, ``"wait"``, ``"attempt"``, ``"connected"``,
        ``"failed"``, ``"cancelled"``, ``"timeout"`` or ``"gave up"``.
    family : {"IPv6", "IPv4"} or None
        The family concerned, if any.
    address : str or None
        The address concerned, if any.
    text : str
        A sentence for people.
    """

    time_ms: float
    kind: EventKind
    family: Family | None
    address: str | None
    text: str


AttemptResult = Literal["connected", "failed", "cancelled", "timed out"]
AttemptOutcome = Literal["answer", "refuse", "silence", "no route"]
AttemptTrigger = Literal["first", "attempt delay", "previous attempt failed", "new addresses"]


@dataclass(frozen=True)
class Attempt:
    """One connection attempt of a race.

    Attributes
    ----------
    address : str
        Destination address.
    family : {"IPv6", "IPv4"}
        Its family.
    start_ms : float
        When the attempt started, ms.
    end_ms : float
        When it ended (connected, failed, was cancelled or timed out), ms.
    result : {"connected", "failed", "cancelled", "timed out"}
        What happened to it.
    outcome : {"answer", "refuse", "silence", "no route"}
        What the network would have done had the attempt been left alone.
    would_answer_ms : float or None
        When it would have connected or failed if not cancelled, ms (None: never).
    trigger : {"first", "attempt delay", "previous attempt failed", "new addresses"}
        Why the attempt started when it did.
    """

    address: str
    family: Family
    start_ms: float
    end_ms: float
    result: AttemptResult
    outcome: AttemptOutcome
    would_answer_ms: float | None
    trigger: AttemptTrigger


@dataclass(frozen=True)
class Race:
    """The result of a Happy Eyeballs race.

    Attributes
    ----------
    family : {"IPv6", "IPv4"} or None
        The family of the winning connection (None: no connection).
    address : str or None
        The winning destination address.
    connected_ms : float or None
        When the winning connection was established, ms after the DNS queries.
    first_attempt_ms : float or None
        When the first connection attempt started, ms.
    end_ms : float
        When the race ended (connection, or giving up), ms.
    attempts : tuple of Attempt
        Every attempt that was started, in start order.
    events : tuple of Event
        The timeline, in time order.
    order : tuple of RankedDestination
        All resolved addresses in RFC 6724 order (with their ranking data).
    summary : str
        The outcome in one line, for example ``"Connected over IPv6 after 50 ms."``.
    """

    family: Family | None
    address: str | None
    connected_ms: float | None
    first_attempt_ms: float | None
    end_ms: float
    attempts: tuple[Attempt, ...]
    events: tuple[Event, ...]
    order: tuple[RankedDestination, ...]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict of the whole race."""
        return {
            "family": self.family,
            "address": self.address,
            "connected_ms": self.connected_ms,
            "first_attempt_ms": self.first_attempt_ms,
            "end_ms": self.end_ms,
            "attempts": [asdict(a) for a in self.attempts],
            "events": [asdict(e) for e in self.events],
            "order": [r.to_dict() for r in self.order],
            "summary": self.summary,
        }


@dataclass
class _Running:
    address: Address
    family: Family
    start: float
    outcome: AttemptOutcome
    answer_at: float | None
    trigger: AttemptTrigger
    result: AttemptResult | None = None
    end: float | None = None


@dataclass
class _Clock:
    events: list[Event] = field(default_factory=list)

    def add(
        self,
        time: float,
        kind: EventKind,
        text: str,
        family: Family | None = None,
        address: Address | None = None,
    ) -> None:
        self.events.append(
            Event(time, kind, family, None if address is None else str(address), text)
        )


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


def race(
    aaaa: Iterable[str | Address] = (),
    a: Iterable[str | Address] = (),
    *,
    sources: Iterable[str | Interface],
    paths: Mapping[Family, Path],
    aaaa_ms: float = 20.0,
    a_ms: float = 20.0,
    unreachable: Iterable[str | Address] = (),
    resolution_delay_ms: float = RESOLUTION_DELAY_MS,
    connection_attempt_delay_ms: float = CONNECTION_ATTEMPT_DELAY_MS,
    first_address_family_count: int = FIRST_ADDRESS_FAMILY_COUNT,
    give_up_ms: float = 5000.0,
    jitter_ms: float = 0.0,
    seed: int = 0,
) -> Race:
    """Simulate one Happy Eyeballs v2 connection (RFC 8305) from DNS answers to a winner.

    The client sends the AAAA and A queries at time 0 (RFC 8305 section 3). If the
    AAAA answer comes first, attempts start at once; if the A answer comes first, the
    client waits up to the Resolution Delay for the AAAA answer. Addresses are sorted
    with RFC 6724 (:func:`order_destinations`) and families interleaved
    (:func:`interleave`). The first attempt starts; each later one starts when the
    Connection Attempt Delay has passed without a connection, or at once when an
    earlier attempt fails (as Python's asyncio and curl do; RFC 8305 only fixes the
    delay), never within 10 ms of the previous start. The first attempt to connect
    wins and the others are cancelled (section 5). Addresses that arrive late are
    merged into the list of addresses not yet tried.

    Parameters
    ----------
    aaaa, a : iterable of str or addresses
        The IPv6 (AAAA) and IPv4 (A) answers; empty for "no such record".
    sources : iterable of str or interfaces
        The client's own addresses with prefixes, for RFC 6724.
    paths : mapping of {"IPv6", "IPv4"} to Path
        How each family's network path behaves. A missing family counts as blackholed.
    aaaa_ms, a_ms : float, optional
        When each DNS answer arrives, ms.
    unreachable : iterable of str or addresses, optional
        Destinations the client has no route to; attempts to them fail at once.
    resolution_delay_ms : float, optional
        RFC 8305 Resolution Delay, ms (recommended 50).
    connection_attempt_delay_ms : float, optional
        RFC 8305 Connection Attempt Delay, ms (recommended 250; allowed 10 to 2000).
    first_address_family_count : int, optional
        RFC 8305 First Address Family Count (recommended 1).
    give_up_ms : float, optional
        When the simulated application stops waiting, ms after the queries. This is a
        setting of the simulation, not an RFC value.
    jitter_ms : float, optional
        Each attempt's latency varies uniformly by up to this much, ms.
    seed : int, optional
        Seed for the jitter, so a run can be repeated exactly.

    Returns
    -------
    Race
        Winner, timing, attempts and the event timeline.

    Raises
    ------
    ValueError
        For negative or non-numeric times, a Connection Attempt Delay outside
        10 to 2000 ms, or an address of the wrong family in ``aaaa`` or ``a``.
    """
    aaaa_ms = _check_ms(aaaa_ms, "the time of the AAAA answer")
    a_ms = _check_ms(a_ms, "the time of the A answer")
    resolution_delay_ms = _check_ms(resolution_delay_ms, "the Resolution Delay")
    delay = _check_ms(connection_attempt_delay_ms, "the Connection Attempt Delay")
    if not MIN_CONNECTION_ATTEMPT_DELAY_MS <= delay <= MAX_CONNECTION_ATTEMPT_DELAY_MS:
        raise ValueError(
            f"the Connection Attempt Delay must be between {MIN_CONNECTION_ATTEMPT_DELAY_MS:.0f} "
            f"and {MAX_CONNECTION_ATTEMPT_DELAY_MS:.0f} ms (RFC 8305 section 5); got {delay:g} ms"
        )
    give_up_ms = _check_ms(give_up_ms, "the give-up time")
    if give_up_ms == 0:
        raise ValueError("the give-up time must be more than 0 ms")
    jitter_ms = _check_ms(jitter_ms, "the jitter")
    v6 = [_address(x) for x in aaaa]
    v4 = [_address(x) for x in a]
    if any(x.version != 6 for x in v6):
        raise ValueError("AAAA records hold IPv6 addresses only")
    if any(x.version != 4 for x in v4):
        raise ValueError("A records hold IPv4 addresses only")
    srcs = [_interface(s) for s in sources]
    bad = {_address(u) for u in unreachable}
    rng = random.Random(seed)
    clock = _Clock()

    clock.add(0.0, "query", "The client asks DNS for AAAA (IPv6) and A (IPv4) records.")
    answers = sorted(
        [(aaaa_ms, 0, "AAAA", "IPv6", v6), (a_ms, 1, "A", "IPv4", v4)], key=lambda x: x[:2]
    )
    for when, _, rtype, fam, found in answers:
        text = (
            f"{rtype} answer: {', '.join(map(str, found))}."
            if found
            else f"{rtype} answer: no {rtype} record, so no {fam} address."
        )
        clock.add(when, "answer", text, fam)

    # RFC 8305 section 3: when may the first attempt start?
    first_time, first_kind, _, _, first_found = answers[0]
    second_time, _, _, _, second_found = answers[1]
    start: float | None
    if first_found and first_kind == 0:  # positive AAAA first (or a tie)
        start = first_time
    elif first_found:  # positive A first: wait for AAAA, at most the Resolution Delay
        start = min(second_time, first_time + resolution_delay_ms)
        if second_time > first_time:
            clock.add(
                first_time,
                "wait",
                f"The A answer came first: waiting up to {_ms(resolution_delay_ms)} "
                "for the AAAA answer (Resolution Delay).",
            )
        if start < second_time:
            clock.add(
                start,
                "wait",
                "The Resolution Delay is over and AAAA has not answered: "
                "start with the IPv4 addresses.",
            )
    elif second_found:
        start = second_time
    else:
        start = None

    def known(now: float) -> list[Address]:
        return [x for when, _, _, _, found in answers if when <= now for x in found]

    def next_address(now: float, tried: set[Address]) -> RankedDestination | None:
        ranked = order_destinations(known(now), srcs, unreachable=bad)
        for item in interleave(ranked, first_address_family_count):
            if item.address not in tried:
                return item
        return None

    full_order = order_destinations(v6 + v4, srcs, unreachable=bad)

    if start is None:
        clock.add(max(aaaa_ms, a_ms), "gave up", "No addresses: there is nothing to connect to.")
        return _finish(clock, [], full_order, None, None, max(aaaa_ms, a_ms), "no records")

    running: list[_Running] = []
    tried: set[Address] = set()
    pending_dns = sorted(when for when, _, _, _, found in answers if found and when > start)

    def begin(now: float, item: RankedDestination, trigger: AttemptTrigger) -> None:
        tried.add(item.address)
        path = paths.get(item.family, Path(0.0, "blackholed"))
        latency = path.latency_ms
        if jitter_ms:
            latency = max(0.0, latency + rng.uniform(-jitter_ms, jitter_ms))
        outcome: AttemptOutcome
        if not item.reachable:
            outcome, answer_at = "no route", now
        elif path.state == "ok":
            outcome, answer_at = "answer", now + latency
        elif path.state == "refused":
            outcome, answer_at = "refuse", now + latency
        else:
            outcome, answer_at = "silence", None
        running.append(_Running(item.address, item.family, now, outcome, answer_at, trigger))
        clock.add(
            now,
            "attempt",
            f"Attempt {len(running)}: connecting to {item.address} over {item.family}.",
            item.family,
            item.address,
        )

    now = start
    first = next_address(now, tried)
    assert first is not None
    begin(now, first, "first")
    timer: float | None = now + delay
    waiting_for_addresses = False
    winner: _Running | None = None
    end = now

    while True:
        active = [r for r in running if r.result is None]
        choices: list[tuple[float, int, str]] = []
        answered = [r.answer_at for r in active if r.answer_at is not None]
        if answered:
            choices.append((min(answered), 0, "answer"))
        if pending_dns:
            choices.append((pending_dns[0], 1, "dns"))
        if timer is not None:
            choices.append((timer, 2, "timer"))
        if not choices and not active:
            end = now
            clock.add(now, "gave up", "Every attempt failed: no connection.")
            break
        choices.append((give_up_ms, 3, "give up"))
        now, _, what = min(choices)
        if what == "give up":
            for r in active:
                r.result, r.end = "timed out", now
                clock.add(now, "timeout", f"Still no answer from {r.address}.", r.family, r.address)
            clock.add(now, "gave up", f"The application gives up after {_ms(now)}.")
            end = now
            break
        if what == "answer":
            r = min(
                (x for x in active if x.answer_at is not None),
                key=lambda x: (x.answer_at, x.start),
            )
            r.end = now
            if r.outcome == "answer":
                r.result = "connected"
                winner = r
                clock.add(
                    now,
                    "connected",
                    f"Connected to {r.address} over {r.family}: the handshake completed.",
                    r.family,
                    r.address,
                )
                for other in active:
                    if other is not r:
                        other.result, other.end = "cancelled", now
                        clock.add(
                            now,
                            "cancelled",
                            f"Cancelled the attempt to {other.address}.",
                            other.family,
                            other.address,
                        )
                end = now
                break
            r.result = "failed"
            reason = (
                "no route for this family"
                if r.outcome == "no route"
                else "the connection was refused"
            )
            clock.add(now, "failed", f"{r.address} failed: {reason}.", r.family, r.address)
            nxt = next_address(now, tried)
            if nxt is not None:
                now = max(now, running[-1].start + MIN_CONNECTION_ATTEMPT_DELAY_MS)
                begin(now, nxt, "previous attempt failed")
                timer = now + delay
            else:
                waiting_for_addresses = True
                timer = None
            continue
        if what == "dns":
            pending_dns.pop(0)
            if waiting_for_addresses:
                nxt = next_address(now, tried)
                if nxt is not None:
                    now = max(now, running[-1].start + MIN_CONNECTION_ATTEMPT_DELAY_MS)
                    begin(now, nxt, "new addresses")
                    timer = now + delay
                    waiting_for_addresses = False
            continue
        # The Connection Attempt Delay has passed without a connection.
        nxt = next_address(now, tried)
        if nxt is not None:
            begin(now, nxt, "attempt delay")
            timer = now + delay
        else:
            timer = None
            waiting_for_addresses = True

    return _finish(clock, running, full_order, winner, start, end, None)


def _finish(
    clock: _Clock,
    running: list[_Running],
    order: tuple[RankedDestination, ...],
    winner: _Running | None,
    start: float | None,
    end: float,
    special: str | None,
) -> Race:
    attempts = tuple(
        Attempt(
            address=str(r.address),
            family=r.family,
            start_ms=r.start,
            end_ms=r.end if r.end is not None else end,
            result=r.result or "timed out",
            outcome=r.outcome,
            would_answer_ms=r.answer_at,
            trigger=r.trigger,
        )
        for r in running
    )
    events = tuple(
        replace(e, text=f"{e.text[:-1]} (too late to matter; kept for the DNS cache).")
        if e.kind == "answer" and e.time_ms > end and (winner is not None or running)
        else e
        for e in sorted(clock.events, key=lambda e: e.time_ms)
    )
    summary = _summarise(attempts, order, winner, end, special)
    return Race(
        family=None if winner is None else winner.family,
        address=None if winner is None else str(winner.address),
        connected_ms=None if winner is None else winner.end,
        first_attempt_ms=start,
        end_ms=end,
        attempts=attempts,
        events=events,
        order=order,
        summary=summary,
    )


def _summarise(
    attempts: tuple[Attempt, ...],
    order: tuple[RankedDestination, ...],
    winner: _Running | None,
    end: float,
    special: str | None,
) -> str:
    if special == "no records":
        return "No connection: the name has neither AAAA nor A records."
    if winner is None:
        if any(a.result == "timed out" for a in attempts):
            return f"No connection: nothing answered before the application gave up ({_ms(end)})."
        return "No connection: every attempt failed."
    fam = winner.family
    assert winner.end is not None
    done = f"after {_ms(winner.end)}"
    losers = [a for a in attempts if a.family != fam]
    other: Family = "IPv4" if fam == "IPv6" else "IPv6"
    if losers:
        first = losers[0]
        if first.outcome == "silence":
            return f"{other} blackholed: fell back to {fam}, connected {done}."
        if first.outcome == "refuse":
            return f"{other} refused: fell back to {fam}, connected {done}."
        if first.outcome == "no route":
            return f"No {other} route: fell back to {fam}, connected {done}."
        if first.start_ms < winner.start:
            return f"{other} was too slow: {fam} won the race, connected {done}."
        return f"Connected over {fam} {done} (the later {other} attempt was cancelled)."
    if not any(r.family == other for r in order):
        record = "AAAA" if other == "IPv6" else "A"
        return f"Connected over {fam} {done} (the name has no {record} record)."
    top = order[0]
    default_rule = top.decided_by is not None and top.decided_by.startswith("rule 6")
    if top.family == fam and top.decided_by and not default_rule:
        return f"Connected over {fam} {done} (RFC 6724 {top.decided_by} put {fam} first)."
    return f"Connected over {fam} {done}."


# --- the teaching model: conditions in words -----------------------------------------

#: Addresses used by :func:`client_addresses` and :func:`simulate`. All come from the
#: documentation ranges (RFC 3849 for IPv6, RFC 5737 for IPv4) or RFC 1918, so they
#: never belong to a real host.
CLIENT_IPV4 = "192.168.1.23/24"
CLIENT_IPV6_GLOBAL = "2001:db8:1234:1::23/64"
CLIENT_IPV6_LINK_LOCAL = "fe80::23/64"
SITE_IPV6 = "2001:db8:80::10"
SITE_IPV4 = "203.0.113.10"


@dataclass(frozen=True)
class Conditions:
    """The conditions under which a client connects to a website, in plain terms.

    Attributes
    ----------
    device_ipv6, device_ipv4 : bool
        Whether the device's operating system has each family turned on.
    router_ipv6 : bool
        Whether the home router advertises IPv6 on the local network.
    isp_ipv6 : bool
        Whether the internet provider gives the router an IPv6 prefix. The device gets
        a global IPv6 address and an IPv6 default route only when the device, the
        router and the provider all do IPv6; otherwise it has at most a link-local
        IPv6 address.
    site_aaaa, site_a : bool
        Whether the website publishes AAAA (IPv6) and A (IPv4) records.
    ipv6_latency_ms, ipv4_latency_ms : float
        Handshake time over each family's path, ms.
    ipv6_state, ipv4_state : {"ok", "blackholed", "refused"}
        How each family's path behaves (see :class:`Path`).
    aaaa_ms, a_ms : float
        When each DNS answer arrives, ms.
    connection_attempt_delay_ms : float
        RFC 8305 Connection Attempt Delay, ms.
    resolution_delay_ms : float
        RFC 8305 Resolution Delay, ms.
    jitter_ms : float
        Random variation of each attempt's latency, ms (0: none).
    seed : int
        Seed for the jitter.
    give_up_ms : float
        When the simulated application stops waiting, ms.
    """

    device_ipv6: bool = True
    device_ipv4: bool = True
    router_ipv6: bool = True
    isp_ipv6: bool = True
    site_aaaa: bool = True
    site_a: bool = True
    ipv6_latency_ms: float = 30.0
    ipv4_latency_ms: float = 30.0
    ipv6_state: PathState = "ok"
    ipv4_state: PathState = "ok"
    aaaa_ms: float = 20.0
    a_ms: float = 20.0
    connection_attempt_delay_ms: float = CONNECTION_ATTEMPT_DELAY_MS
    resolution_delay_ms: float = RESOLUTION_DELAY_MS
    jitter_ms: float = 0.0
    seed: int = 0
    give_up_ms: float = 5000.0

    def __post_init__(self) -> None:
        if not (self.device_ipv6 or self.device_ipv4):
            raise ValueError(
                "the device has neither IPv4 nor IPv6 turned on, so it cannot connect "
                "to anything: turn at least one on"
            )
        _check_ms(self.ipv6_latency_ms, "the IPv6 latency")
        _check_ms(self.ipv4_latency_ms, "the IPv4 latency")
        _check_ms(self.aaaa_ms, "the time of the AAAA answer")
        _check_ms(self.a_ms, "the time of the A answer")
        _check_ms(self.jitter_ms, "the jitter")
        for name, state in (("IPv6", self.ipv6_state), ("IPv4", self.ipv4_state)):
            if state not in _PATH_STATES:
                raise ValueError(
                    f"unknown {name} path state {state!r}: use one of {', '.join(_PATH_STATES)}"
                )

    @property
    def has_global_ipv6(self) -> bool:
        """True when the device ends up with a global IPv6 address and route."""
        return self.device_ipv6 and self.router_ipv6 and self.isp_ipv6


def client_addresses(conditions: Conditions) -> tuple[Interface, ...]:
    """List the addresses a device would have under the given conditions.

    Parameters
    ----------
    conditions : Conditions
        The situation.

    Returns
    -------
    tuple of IPv4Interface or IPv6Interface
        A private IPv4 address from the home router's DHCP server (if IPv4 is on),
        a link-local IPv6 address (if IPv6 is on) and a global IPv6 address from
        SLAAC (if the device, the router and the provider all do IPv6).
    """
    result: list[Interface] = []
    if conditions.device_ipv6:
        result.append(_interface(CLIENT_IPV6_LINK_LOCAL))
        if conditions.has_global_ipv6:
            result.append(_interface(CLIENT_IPV6_GLOBAL))
    if conditions.device_ipv4:
        result.append(_interface(CLIENT_IPV4))
    return tuple(result)


def simulate(conditions: Conditions | None = None, **changes: Any) -> Race:
    """Run the race for a set of conditions.

    Parameters
    ----------
    conditions : Conditions, optional
        The situation; defaults to a healthy dual-stack network.
    **changes
        Fields of :class:`Conditions` to override, for example
        ``simulate(ipv6_state="blackholed")``.

    Returns
    -------
    Race
        The outcome; ``race.family`` is ``"IPv6"``, ``"IPv4"`` or None.

    Examples
    --------
    >>> simulate().summary
    'Connected over IPv6 after 50 ms.'
    >>> simulate(ipv6_state="blackholed").summary
    'IPv6 blackholed: fell back to IPv4, connected after 300 ms.'
    """
    if conditions is None:
        conditions = Conditions(**changes)
    elif changes:
        conditions = replace(conditions, **changes)
    c = conditions
    unreachable = []
    if not c.has_global_ipv6:
        unreachable.append(SITE_IPV6)  # no IPv6 default route
    if not c.device_ipv4:
        unreachable.append(SITE_IPV4)
    return race(
        [SITE_IPV6] if c.site_aaaa else [],
        [SITE_IPV4] if c.site_a else [],
        sources=client_addresses(c),
        paths={
            "IPv6": Path(c.ipv6_latency_ms, c.ipv6_state),
            "IPv4": Path(c.ipv4_latency_ms, c.ipv4_state),
        },
        aaaa_ms=c.aaaa_ms,
        a_ms=c.a_ms,
        unreachable=unreachable,
        resolution_delay_ms=c.resolution_delay_ms,
        connection_attempt_delay_ms=c.connection_attempt_delay_ms,
        give_up_ms=c.give_up_ms,
        jitter_ms=c.jitter_ms,
        seed=c.seed,
    )
