"""Describe any IPv4 or IPv6 address or network: its size, mask, hosts, type and bits.

Everything here is a thin, learner-facing layer over the standard library's
:mod:`ipaddress`; the address arithmetic is done by ``ipaddress`` itself. What this
module adds is:

* parsing that forgives what people type (``10.1.2.3/24`` describes its network)
  and explains, in one line, what is wrong with what it cannot read
  (:mod:`cloudlab.net.parse`, re-exported here);
* a precise address type taken from the IANA special-purpose registries as data,
  each block with the RFC that defines it (the standard library's ``is_private`` is
  broader than RFC 1918: it also says "private" for loopback, link-local,
  documentation and more);
* one :class:`NetworkInfo` record with everything a subnet calculator shows.
"""

# Ranges are written with an en dash (0–32), as in the book's text.

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass
from typing import Any

from cloudlab.net import aws
from cloudlab.net.parse import (
    Address,
    Network,
    parse_address,
    parse_network,
    split_prefix,
    within,
)

__all__ = [
    "IPV4_SPECIAL",
    "IPV6_SPECIAL",
    "Address",
    "AddressType",
    "Network",
    "NetworkInfo",
    "SpecialBlock",
    "classify",
    "describe",
    "parse_address",
    "parse_network",
    "text",
]


# ------------------------------------------------------------------ special blocks


@dataclass(frozen=True)
class SpecialBlock:
    """One row of an IANA special-purpose address registry (or a multicast block).

    Attributes
    ----------
    network : IPv4Network or IPv6Network
        The block.
    key : str
        Short machine-readable type, e.g. ``"private"``.
    label : str
        What the registry calls it, in plain words.
    source : str
        Bibliography key of the RFC that defines the block.
    globally_reachable : bool or None
        IANA's "Globally Reachable" column; None where the registry says N/A or the
        block is deprecated.
    """

    network: Network
    key: str
    label: str
    source: str
    globally_reachable: bool | None


def _block(cidr: str, key: str, label: str, source: str, reachable: bool | None) -> SpecialBlock:
    return SpecialBlock(ipaddress.ip_network(cidr), key, label, source, reachable)


#: IPv4 special-purpose blocks from the IANA IPv4 Special-Purpose Address Registry
#: (bibliography key ``iana-ipv4-special``, read 2026-11-28), plus multicast
#: 224.0.0.0/4, which lives in the IANA multicast registry (RFC 5771).
IPV4_SPECIAL: tuple[SpecialBlock, ...] = (
    _block("0.0.0.0/8", "this-network", '"This network" (source only)', "rfc791", False),
    _block("0.0.0.0/32", "unspecified", '"This host on this network"', "rfc1122", False),
    _block("10.0.0.0/8", "private", "Private-Use (RFC 1918)", "rfc1918", False),
    _block("100.64.0.0/10", "shared", "Shared Address Space (carrier-grade NAT)", "rfc6598", False),
    _block("127.0.0.0/8", "loopback", "Loopback", "rfc1122", False),
    _block("169.254.0.0/16", "link-local", "Link-local", "rfc3927", False),
    _block("172.16.0.0/12", "private", "Private-Use (RFC 1918)", "rfc1918", False),
    _block("192.0.0.0/24", "special", "IETF Protocol Assignments", "rfc6890", False),
    _block("192.0.0.0/29", "special", "IPv4 Service Continuity Prefix", "rfc7335", False),
    _block("192.0.0.8/32", "special", "IPv4 dummy address", "rfc7600", False),
    _block("192.0.0.9/32", "special", "Port Control Protocol anycast", "rfc7723", True),
    _block("192.0.0.10/32", "special", "TURN anycast", "rfc8155", True),
    _block("192.0.0.170/32", "nat64", "NAT64/DNS64 discovery", "rfc7050", False),
    _block("192.0.0.171/32", "nat64", "NAT64/DNS64 discovery", "rfc7050", False),
    _block("192.0.2.0/24", "documentation", "Documentation (TEST-NET-1)", "rfc5737", False),
    _block("192.31.196.0/24", "special", "AS112-v4 (DNS sink)", "rfc7535", True),
    _block("192.52.193.0/24", "special", "Automatic Multicast Tunneling", "rfc7450", True),
    _block("192.88.99.0/24", "6to4", "Deprecated 6to4 relay anycast", "rfc7526", None),
    _block("192.88.99.2/32", "special", "6a44 relay anycast", "rfc6751", False),
    _block("192.168.0.0/16", "private", "Private-Use (RFC 1918)", "rfc1918", False),
    _block("192.175.48.0/24", "special", "Direct Delegation AS112 Service", "rfc7534", True),
    _block("198.18.0.0/15", "benchmarking", "Benchmarking", "rfc2544", False),
    _block("198.51.100.0/24", "documentation", "Documentation (TEST-NET-2)", "rfc5737", False),
    _block("203.0.113.0/24", "documentation", "Documentation (TEST-NET-3)", "rfc5737", False),
    _block("224.0.0.0/4", "multicast", "Multicast", "rfc5771", None),
    _block("240.0.0.0/4", "reserved", "Reserved for future use", "rfc1112", False),
    _block("255.255.255.255/32", "limited-broadcast", "Limited broadcast", "rfc919", False),
)

#: IPv6 special-purpose blocks from the IANA IPv6 Special-Purpose Address Registry
#: (``iana-ipv6-special``, read 2026-11-28), plus the address-architecture blocks of
#: RFC 4291: multicast ff00::/8 and global unicast 2000::/3. Addresses in none of
#: these are in space the IETF has not allocated yet ("reserved").
IPV6_SPECIAL: tuple[SpecialBlock, ...] = (
    _block("::/128", "unspecified", "Unspecified address", "rfc4291", False),
    _block("::1/128", "loopback", "Loopback", "rfc4291", False),
    _block("::ffff:0:0/96", "ipv4-mapped", "IPv4-mapped address", "rfc4291", False),
    _block("64:ff9b::/96", "nat64", "IPv4/IPv6 translation (NAT64 well-known)", "rfc6052", True),
    _block("64:ff9b:1::/48", "nat64", "Local-use IPv4/IPv6 translation", "rfc8215", False),
    _block("100::/64", "special", "Discard-only", "rfc6666", False),
    _block("2000::/3", "global", "Global unicast", "rfc4291", True),
    _block("2001::/23", "special", "IETF Protocol Assignments", "rfc2928", False),
    _block("2001::/32", "teredo", "Teredo tunnelling", "rfc4380", None),
    _block("2001:1::1/128", "special", "Port Control Protocol anycast", "rfc7723", True),
    _block("2001:1::2/128", "special", "TURN anycast", "rfc8155", True),
    _block("2001:1::3/128", "special", "DNS-SD service registration anycast", "rfc9665", True),
    _block("2001:2::/48", "benchmarking", "Benchmarking", "rfc5180", False),
    _block("2001:3::/32", "special", "Automatic Multicast Tunneling", "rfc7450", True),
    _block("2001:4:112::/48", "special", "AS112-v6 (DNS sink)", "rfc7535", True),
    _block("2001:10::/28", "special", "Deprecated (previously ORCHID)", "rfc4843", None),
    _block("2001:20::/28", "special", "ORCHIDv2", "rfc7343", True),
    _block("2001:30::/28", "special", "Drone Remote ID entity tags", "rfc9374", True),
    _block("2001:db8::/32", "documentation", "Documentation", "rfc3849", False),
    _block("2002::/16", "6to4", "6to4", "rfc3056", None),
    _block("2620:4f:8000::/48", "special", "Direct Delegation AS112 Service", "rfc7534", True),
    _block("3fff::/20", "documentation", "Documentation", "rfc9637", False),
    _block("5f00::/16", "special", "Segment Routing (SRv6) SIDs", "rfc9602", False),
    _block("fc00::/7", "unique-local", "Unique local (ULA)", "rfc4193", False),
    _block("fe80::/10", "link-local", "Link-local", "rfc4291", False),
    _block("ff00::/8", "multicast", "Multicast", "rfc4291", None),
)

_IPV4_GLOBAL = _block("0.0.0.0/0", "global", "Global unicast", "iana-ipv4-special", True)
_IPV6_RESERVED = _block("::/0", "reserved", "Reserved by the IETF (unallocated)", "rfc4291", False)

# Longest prefix first, so the first block that matches is the most specific one.
_BY_SPECIFICITY = {
    4: sorted(IPV4_SPECIAL, key=lambda b: -b.network.prefixlen),
    6: sorted(IPV6_SPECIAL, key=lambda b: -b.network.prefixlen),
}


@dataclass(frozen=True)
class AddressType:
    """What kind of address or network something is, with where that is defined.

    Attributes
    ----------
    key : str
        One of ``private, shared, loopback, link-local, multicast, documentation,
        unique-local, unspecified, benchmarking, reserved, ipv4-mapped, 6to4, teredo,
        nat64, this-network, limited-broadcast, global, special`` (any other IANA
        special-purpose block) or ``mixed`` (a network that spans several types).
    label : str
        A short human label.
    source : str
        Bibliography key of the defining RFC or registry.
    block : str or None
        The registry block that matched, e.g. ``"10.0.0.0/8"``.
    globally_reachable : bool or None
        IANA's "Globally Reachable" flag for that block (None: not applicable).
    """

    key: str
    label: str
    source: str
    block: str | None = None
    globally_reachable: bool | None = None


def _from_block(block: SpecialBlock) -> AddressType:
    return AddressType(
        block.key, block.label, block.source, str(block.network), block.globally_reachable
    )


def classify(value: str | Address | Network) -> AddressType:
    """Classify an address or network with the IANA special-purpose registries.

    The most specific registry block that contains the whole of ``value`` wins, so
    ``192.0.0.9`` is Port Control Protocol anycast, not just "IETF Protocol
    Assignments". A network that straddles a special block and other space (such as
    ``0.0.0.0/0``) is ``"mixed"``.

    Parameters
    ----------
    value : str, address or network
        Anything :func:`parse_network` reads.

    Returns
    -------
    AddressType
    """
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        network = ipaddress.ip_network(value)
    else:
        network = parse_network(value)
    blocks = _BY_SPECIFICITY[network.version]
    container = next((b for b in blocks if within(network, b.network)), None)
    if container is not None and container.network == network:
        return _from_block(container)
    # A network inside a wide block (2000::/3) that also holds a more specific one
    # (2001:db8::/31 holds the documentation /32) is mixed, as 192.0.0.0/23 is.
    inside = [b for b in blocks if b.network != network and within(b.network, network)]
    if container is not None and not inside:
        return _from_block(container)
    if inside:
        widest = min(inside, key=lambda b: b.network.prefixlen)
        registry = "iana-ipv4-special" if network.version == 4 else "iana-ipv6-special"
        return AddressType(
            "mixed",
            f"Mixed: spans several types, e.g. {widest.network} ({widest.label})",
            registry,
            None,
            None,
        )
    fallback = _IPV4_GLOBAL if network.version == 4 else _IPV6_RESERVED
    return AddressType(
        fallback.key, fallback.label, fallback.source, None, fallback.globally_reachable
    )


# ------------------------------------------------------------------------ describe


@dataclass(frozen=True)
class NetworkInfo:
    """Everything a subnet calculator shows about one network.

    All addresses are strings so that :meth:`to_dict` is ready for JSON. Counts are
    in addresses.

    Attributes
    ----------
    version : int
        4 or 6.
    network : str
        Canonical CIDR, e.g. ``"10.1.2.0/24"``.
    prefixlen : int
        Prefix length in bits.
    netmask, hostmask : str
        The mask and its inverse (the "wildcard" mask).
    broadcast : str or None
        IPv4 directed-broadcast address; None for IPv6, which has no broadcast.
    first_host, last_host : str
        First and last usable host by the standard library's ``hosts()`` rule.
    num_addresses : int
        Every address in the block.
    usable_hosts : int
        ``hosts()`` count: IPv4 drops network and broadcast, IPv6 drops the
        Subnet-Router anycast address; /31 and /127 have 2, /32 and /128 have 1.
    aws_usable : int or None
        ``num_addresses - 5`` when the prefix is a subnet size AWS allows (IPv4
        /16–/28, IPv6 /44 to /64 in steps of 4), else None: the rule of
        :func:`cloudlab.net.aws.aws_usable`.
    type, type_label, type_source : str
        Address type key, label and bibliography key (see :func:`classify`).
    globally_reachable : bool or None
        IANA's flag for the matching block.
    compressed, exploded : str
        Shortest (RFC 5952) and full forms of the network.
    ipv4_mapped : str or None
        For IPv4, the IPv4-mapped IPv6 form (``::ffff:a.b.c.d``); for an IPv6
        address or network inside ``::ffff:0:0/96``, the IPv4 it carries.
    reverse_pointer : str
        Reverse-DNS name of the typed address (or of the network address).
    binary_network_bits, binary_host_bits : str
        The address in binary, grouped by octet (IPv4) or 16-bit group (IPv6),
        split where the prefix ends.
    address : str or None
        The host address typed, if the input was an address rather than a network.
    """

    version: int
    network: str
    prefixlen: int
    netmask: str
    hostmask: str
    broadcast: str | None
    first_host: str
    last_host: str
    num_addresses: int
    usable_hosts: int
    aws_usable: int | None
    type: str
    type_label: str
    type_source: str
    globally_reachable: bool | None
    compressed: str
    exploded: str
    ipv4_mapped: str | None
    reverse_pointer: str
    binary_network_bits: str
    binary_host_bits: str
    address: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dictionary."""
        return asdict(self)


def host_range(network: Network) -> tuple[Address, Address, int]:
    """First and last usable host, and how many, by the rule of ``network.hosts()``.

    Computed in constant time, so it works for a /8 or an IPv6 /32 as well.

    Parameters
    ----------
    network : IPv4Network or IPv6Network

    Returns
    -------
    tuple
        ``(first, last, count)``, count in addresses.
    """
    size = network.num_addresses
    if size <= 2:  # /31, /32, /127, /128: every address is usable (RFC 3021, RFC 6164)
        return network.network_address, network.broadcast_address, size
    if isinstance(network, ipaddress.IPv4Network):
        return next(iter(network.hosts())), network.broadcast_address - 1, size - 2
    return next(iter(network.hosts())), network.broadcast_address, size - 1


def _binary_split(address: Address, prefixlen: int) -> tuple[str, str]:
    """Binary digits of ``address`` grouped for reading, split after ``prefixlen`` bits."""
    bits = format(address, "b")  # ipaddress pads to 32 or 128 digits
    group = 8 if address.version == 4 else 16
    sep = "." if address.version == 4 else ":"
    grouped = sep.join(bits[i : i + group] for i in range(0, len(bits), group))
    cut = prefixlen + prefixlen // group
    if prefixlen % group == 0 and 0 < prefixlen < len(bits):
        cut -= 1  # keep the separator with the host part: "00001010." | "00000000"
    return grouped[:cut], grouped[cut:]


def text(value: Address | Network) -> str:
    """An address or network as text, the same on every Python version.

    ``str()`` of an IPv4-mapped IPv6 address changed in Python 3.13 (``::ffff:a00:1``
    before, ``::ffff:10.0.0.1`` since); this always writes the mixed notation that
    RFC 5952 section 5 recommends for such addresses, so the book's results (and the
    calculators running in the browser on a newer Python) agree.

    >>> text(ipaddress.ip_address("::ffff:10.0.0.1")), text(ipaddress.ip_network("::ffff:0:0/96"))
    ('::ffff:10.0.0.1', '::ffff:0.0.0.0/96')
    """
    if isinstance(value, ipaddress.IPv6Network):
        return f"{text(value.network_address)}/{value.prefixlen}"
    if isinstance(value, ipaddress.IPv6Address) and value.ipv4_mapped is not None:
        return f"::ffff:{value.ipv4_mapped}"
    return str(value)


def _ipv4_mapped(network: Network, address: Address | None) -> str | None:
    if network.version == 4:
        # Written in the mixed notation of RFC 4291 section 2.2, which ipaddress reads.
        if address is not None:
            return f"::ffff:{address}"
        return f"::ffff:{network.network_address}/{96 + network.prefixlen}"
    mapped_block = ipaddress.IPv6Network("::ffff:0:0/96")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if isinstance(network, ipaddress.IPv6Network) and within(network, mapped_block):
        inner = network.network_address.ipv4_mapped
        return str(ipaddress.IPv4Network(f"{inner}/{network.prefixlen - 96}"))
    return None


def describe(value: str | Address | Network) -> NetworkInfo:
    """Describe an address or network, as a subnet calculator would.

    Parameters
    ----------
    value : str, address or network
        ``"10.1.2.3/24"`` describes the network ``10.1.2.0/24`` and remembers the
        host ``10.1.2.3``; a bare address describes its one-address network.

    Returns
    -------
    NetworkInfo

    Raises
    ------
    ValueError
        If the input cannot be read (see :func:`parse_network`).

    Examples
    --------
    >>> info = describe("10.1.2.3/20")
    >>> info.network, info.netmask, info.usable_hosts, info.aws_usable
    ('10.1.0.0/20', '255.255.240.0', 4094, 4091)
    """
    network = parse_network(value)
    typed: Address | None = None
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        typed = value
    elif isinstance(value, str):
        address_part, prefix_part = split_prefix(value.strip())
        candidate = ipaddress.ip_address(address_part)
        if prefix_part is None or candidate != network.network_address:
            typed = candidate
    first, last, usable = host_range(network)
    kind = classify(network)
    shown = typed if typed is not None else network.network_address
    net_bits, host_bits = _binary_split(shown, network.prefixlen)
    return NetworkInfo(
        version=network.version,
        network=text(network),
        prefixlen=network.prefixlen,
        netmask=str(network.netmask),
        hostmask=str(network.hostmask),
        broadcast=str(network.broadcast_address) if network.version == 4 else None,
        first_host=text(first),
        last_host=text(last),
        num_addresses=network.num_addresses,
        usable_hosts=usable,
        aws_usable=aws.aws_usable(network),
        type=kind.key,
        type_label=kind.label,
        type_source=kind.source,
        globally_reachable=kind.globally_reachable,
        compressed=text(network),
        exploded=network.exploded,
        ipv4_mapped=_ipv4_mapped(network, typed),
        reverse_pointer=shown.reverse_pointer,
        binary_network_bits=net_bits,
        binary_host_bits=host_bits,
        address=text(typed) if typed is not None else None,
    )
