"""RFC 6724 address selection: which source address a host uses, and in which order it tries
the destinations a name resolves to.

Destination address ordering, RFC 6724 section 6: the resolved addresses are sorted by
ten pairwise rules that look at the source address the host would use for each one
(section 5), the address scope (section 3) and the precedence and label of a policy table
(section 2.1, :data:`DEFAULT_POLICY_TABLE`). Chapter: ``ipv4-and-ipv6`` (tests:
``tests/test_net_selection.py``).

What a client does next, the Happy Eyeballs race of RFC 8305, is a discrete-event
simulation: :mod:`cloudlab.sim.happy_eyeballs`. Its names (``simulate``, ``race``,
``Conditions``, ...) are still importable from here, where the chapter first imported them.

Everything here is pure and deterministic: no sockets, no clocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
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

from cloudlab.net.addresses import text
from cloudlab.net.parse import Address, Interface

__all__ = [
    "DEFAULT_POLICY_TABLE",
    "SCOPE_GLOBAL",
    "SCOPE_LINK_LOCAL",
    "SCOPE_SITE_LOCAL",
    "Family",
    "Interface",
    "PolicyEntry",
    "RankedDestination",
    "address_of",
    "addresses_of",
    "common_prefix_len",
    "compare_destinations",
    "family_of",
    "interface_of",
    "interfaces_of",
    "order_destinations",
    "policy_for",
    "scope_of",
    "select_source",
]

Family = Literal["IPv6", "IPv4"]

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


def address_of(value: str | Address) -> Address:
    """``value`` as an address object (ValueError, naming it, for anything else)."""
    if isinstance(value, IPv4Address | IPv6Address):
        return value
    try:
        return ip_address(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


def interface_of(value: str | Address | Interface) -> Interface:
    """``value`` as an interface (an address with its prefix; a bare address gets /64 or /32)."""
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


def _listed(values: object, what: str) -> list[Any]:
    if isinstance(values, Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"{what} must be a list of addresses (got {values!r})")
    return list(values)


def addresses_of(values: Iterable[str | Address], what: str = "the addresses") -> list[Address]:
    """Each of ``values`` as an address (ValueError, naming ``what``, unless a list of them)."""
    return [address_of(v) for v in _listed(values, what)]


def interfaces_of(
    values: Iterable[str | Address | Interface], what: str = "the sources"
) -> list[Interface]:
    """Each of ``values`` as an interface (see :func:`interface_of`)."""
    return [interface_of(v) for v in _listed(values, what)]


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
        version = address_of(address).version
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
    mapped = _mapped(address_of(address))
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
    addr = address_of(address)
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
    src = interface_of(source)
    dst = address_of(destination)
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
    dst = address_of(destination)
    pool = [c for c in (interface_of(c) for c in candidates) if c.version == dst.version]
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
        data["address"] = text(self.address)
        data["source"] = (
            None
            if self.source is None
            else f"{text(self.source.ip)}/{self.source.network.prefixlen}"
        )
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
    if not (isinstance(a, RankedDestination) and isinstance(b, RankedDestination)):
        raise ValueError(
            "compare two RankedDestination items, as order_destinations() returns "
            f"(got {type(a).__name__} and {type(b).__name__})"
        )
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


def _by_the_rules(a: RankedDestination, b: RankedDestination) -> int:
    return compare_destinations(a, b)[0]


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
    dests = list(dict.fromkeys(addresses_of(destinations, "the destinations")))
    srcs = interfaces_of(sources)
    bad = set(addresses_of(unreachable, "the unreachable addresses"))
    ranked = [_rank(d, srcs, bad, table) for d in dests]
    ordered = sorted(ranked, key=cmp_to_key(_by_the_rules))
    explained = []
    for i, item in enumerate(ordered):
        rule = compare_destinations(item, ordered[i + 1])[1] if i + 1 < len(ordered) else None
        explained.append(replace(item, decided_by=rule))
    return tuple(explained)


def __getattr__(name: str) -> Any:
    """The Happy Eyeballs names, moved to :mod:`cloudlab.sim.happy_eyeballs` (PEP 562).

    Still importable from here, where the chapter imports ``simulate``; the simulation
    module loads only when one of its names is asked for.
    """
    from cloudlab.sim import happy_eyeballs

    if name in happy_eyeballs.__all__:
        return getattr(happy_eyeballs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
