"""Split, plan, join and compare networks: paged splitting, VLSM, summaries, overlaps.

The subnet you want is computed, never searched for: the i-th /n inside a network
starts at ``network_address + i * block_size``, so one page of subnets costs the
same whether the space holds 64 subnets or 2**32. Joining (``summarise``) and range
conversion use :func:`ipaddress.collapse_addresses` and
:func:`ipaddress.summarize_address_range`.
"""

# Ranges are written with an en dash (0–32), as in the book's text.

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cloudlab.checks import digits, items
from cloudlab.net import aws as aws_rules
from cloudlab.net.addresses import host_range, text
from cloudlab.net.parse import Address, Network, overlap, parse_address, parse_network, within

__all__ = [
    "MAX_HOST_COUNTS",
    "MAX_PER_PAGE",
    "Allocation",
    "SubnetPage",
    "contains",
    "find_overlaps",
    "free_blocks",
    "nth_subnet",
    "overlaps",
    "parse_host_counts",
    "range_to_cidrs",
    "subnet_count",
    "subnet_page",
    "summarise",
    "vlsm",
]

#: Largest page the splitter will build (subnets per page).
MAX_PER_PAGE = 1024
#: Most host counts one VLSM plan takes (each is a subnet to place).
MAX_HOST_COUNTS = 1024


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            text = str(value).strip().lstrip("/")
            return int(text)
        except ValueError:
            raise ValueError(f"{what} must be a whole number, not {value!r}") from None
    return value


def _check_new_prefix(network: Network, new_prefix: object) -> int:
    prefix = _as_int(new_prefix, "the new prefix")
    family = "IPv4" if network.version == 4 else "IPv6"
    if not 0 <= prefix <= network.max_prefixlen:
        raise ValueError(f"/{prefix}: an {family} prefix is 0–{network.max_prefixlen}")
    if prefix < network.prefixlen:
        raise ValueError(
            f"/{prefix} is shorter than {network}'s /{network.prefixlen}: "
            "a subnet cannot be bigger than the network it comes from"
        )
    return prefix


def subnet_count(network: str | Network, new_prefix: int) -> int:
    """How many subnets of a new prefix length fit in a network.

    Parameters
    ----------
    network : str or network
    new_prefix : int
        The subnets' prefix length (bits); at least the network's own.

    Returns
    -------
    int
        ``2 ** (new_prefix - prefixlen)`` subnets.

    Raises
    ------
    ValueError
        If ``new_prefix`` is out of range or shorter than the network's prefix.
    """
    net = parse_network(network)
    prefix = _check_new_prefix(net, new_prefix)
    return 1 << (prefix - net.prefixlen)


def nth_subnet(network: str | Network, new_prefix: int, index: int) -> Network:
    """The subnet at position ``index`` (0-based) when a network is split, in O(1).

    Equal to ``list(network.subnets(new_prefix=new_prefix))[index]`` without building
    the list.

    Parameters
    ----------
    network : str or network
    new_prefix : int
        Prefix length of the subnets (bits).
    index : int
        0-based position; negative counts from the end, as in a list.

    Returns
    -------
    IPv4Network or IPv6Network

    Raises
    ------
    ValueError
        If the prefix or the index is out of range.
    """
    net = parse_network(network)
    prefix = _check_new_prefix(net, new_prefix)
    total = 1 << (prefix - net.prefixlen)
    position = _as_int(index, "the subnet index")
    if position < 0:
        position += total
    if not 0 <= position < total:
        raise ValueError(
            f"subnet {_as_int(index, 'the subnet index')} is out of range: {net} has "
            f"{total:,} /{prefix} subnets, numbered 0–{total - 1:,}"
        )
    return _subnet_at(net, prefix, position)


def _subnet_at(net: Network, prefix: int, position: int) -> Network:
    block = 1 << (net.max_prefixlen - prefix)  # addresses per subnet
    start = int(net.network_address) + position * block
    # The class itself (not ip_network) and an int address: no family guessing, no
    # intermediate address object. ipaddress still checks the result is a valid network.
    return net.__class__((start, prefix))


@dataclass(frozen=True)
class SubnetPage:
    """One page of the subnets of a network.

    Attributes
    ----------
    network : IPv4Network or IPv6Network
        The network being split.
    prefix : int
        Prefix length of the subnets (bits).
    total : int
        Number of subnets in the whole split.
    page : int
        This page, counting from 1.
    per_page : int
        Subnets per page.
    pages : int
        Number of pages.
    subnets : tuple of networks
        The subnets on this page, in address order.
    """

    network: Network
    prefix: int
    total: int
    page: int
    per_page: int
    pages: int
    subnets: tuple[Network, ...]

    @property
    def first_index(self) -> int:
        """0-based position of the first subnet on this page in the whole split."""
        return (self.page - 1) * self.per_page

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary; subnets as CIDR strings in address order."""
        return {
            "network": text(self.network),
            "prefix": self.prefix,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "first_index": self.first_index,
            "subnets": [text(s) for s in self.subnets],
        }


def subnet_page(
    network: str | Network, new_prefix: int, page: int = 1, per_page: int = 16
) -> SubnetPage:
    """One page of the subnets of a network; the cost depends only on ``per_page``.

    Parameters
    ----------
    network : str or network
    new_prefix : int
        Prefix length of the subnets (bits).
    page : int, default 1
        Page number counting from 1; -1 is the last page.
    per_page : int, default 16
        Subnets per page, 1 to :data:`MAX_PER_PAGE`.

    Returns
    -------
    SubnetPage

    Raises
    ------
    ValueError
        If the prefix, the page or the page size is out of range.

    Examples
    --------
    >>> p = subnet_page("2001:db8::/32", 64, page=-1)
    >>> p.total, p.pages, str(p.subnets[-1])
    (4294967296, 268435456, '2001:db8:ffff:ffff::/64')
    """
    net = parse_network(network)
    prefix = _check_new_prefix(net, new_prefix)
    size = _as_int(per_page, "subnets per page")
    if not 1 <= size <= MAX_PER_PAGE:
        raise ValueError(f"subnets per page must be 1–{MAX_PER_PAGE}, not {size}")
    total = 1 << (prefix - net.prefixlen)
    pages = -(-total // size)
    number = _as_int(page, "the page")
    if number == -1:
        number = pages
    if not 1 <= number <= pages:
        if pages == 1:
            raise ValueError(f"page {number} is out of range: there is only 1 page")
        raise ValueError(f"page {number} is out of range: there are {pages:,} pages (1–{pages:,})")
    start = (number - 1) * size
    stop = min(start + size, total)
    subnets = tuple(_subnet_at(net, prefix, i) for i in range(start, stop))
    return SubnetPage(net, prefix, total, number, size, pages, subnets)


# ---------------------------------------------------------------------------- VLSM


def parse_host_counts(text: str) -> list[int]:
    """Read host counts typed as ``"500, 120, 60"``.

    Parameters
    ----------
    text : str
        Whole numbers separated by commas (spaces allowed).

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        If a part is not a whole number of 1 or more, or nothing was typed.
    """
    parts = [p.strip() for p in str(text).split(",")]
    if not any(parts):
        raise ValueError("give host counts separated by commas, e.g. 500,120,60")
    counts = []
    for part in parts:
        count = digits(part)
        if count is None:
            raise ValueError(
                f"{part[:40]!r} is not a host count: use whole numbers separated by commas, "
                "e.g. 500,120,60"
            )
        if count < 1:
            raise ValueError("host counts must be 1 or more")
        counts.append(count)
    return counts


@dataclass(frozen=True)
class Allocation:
    """One subnet of a VLSM plan.

    Attributes
    ----------
    name : str
        Label given (or ``"subnet N"`` in input order).
    hosts : int
        Hosts asked for.
    network : IPv4Network or IPv6Network
        The subnet allocated.
    usable : int
        Hosts it can hold: AWS rule (size − 5) in AWS mode, else ``hosts()`` rule.
    index : int
        Position of the request in the input (0-based).
    aws : bool
        Whether AWS's reserved addresses apply (then hosts run from base + 4 to last − 1).
    """

    name: str
    hosts: int
    network: Network
    usable: int
    index: int
    aws: bool = False

    @property
    def host_range(self) -> tuple[Address, Address]:
        """First and last address a host can use (AWS's rule in AWS mode)."""
        if self.aws:
            return aws_rules.aws_host_range(self.network)
        first, last, _ = host_range(self.network)
        return first, last

    @property
    def size(self) -> int:
        """Addresses in the subnet."""
        return self.network.num_addresses

    @property
    def spare(self) -> int:
        """Usable addresses left over after the requested hosts."""
        return self.usable - self.hosts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        first, last = self.host_range
        return {
            "name": self.name,
            "hosts": self.hosts,
            "network": text(self.network),
            "prefix": self.network.prefixlen,
            "size": self.size,
            "usable": self.usable,
            "spare": self.spare,
            "first_host": text(first),
            "last_host": text(last),
        }


def _plain_prefix(hosts: int, max_prefixlen: int) -> int:
    """Longest prefix whose ``hosts()`` count holds ``hosts`` (stdlib semantics)."""
    if hosts <= 2:
        return max_prefixlen - (hosts - 1)  # 1 -> /32 or /128, 2 -> /31 or /127
    lost = 2 if max_prefixlen == 32 else 1  # IPv4: network + broadcast; IPv6: anycast
    bits = (hosts + lost - 1).bit_length()
    if bits > max_prefixlen:
        family = "IPv4" if max_prefixlen == 32 else "IPv6"
        raise ValueError(f"{hosts:,} hosts do not fit in any {family} network")
    return max_prefixlen - bits


def _aws_prefix(hosts: int, version: int) -> int:
    """Longest allowed AWS prefix with at least ``hosts + 5`` addresses."""
    needed = hosts + aws_rules.RESERVED_PER_SUBNET
    max_prefixlen = 32 if version == 4 else 128
    allowed = aws_rules.IPV4_SUBNET_PREFIXES if version == 4 else aws_rules.IPV6_SUBNET_PREFIXES
    for prefix in sorted(allowed, reverse=True):
        if 1 << (max_prefixlen - prefix) >= needed:
            return prefix
    largest = min(allowed)
    raise ValueError(
        f"{hosts:,} hosts need {needed:,} addresses, more than the largest AWS subnet "
        f"(/{largest}, {1 << (max_prefixlen - largest):,} addresses)"
    )


def vlsm(
    network: str | Network,
    hosts: Sequence[int],
    *,
    aws: bool = False,
    names: Sequence[str] | None = None,
) -> list[Allocation]:
    """Plan subnets by host count (VLSM): largest first, each aligned, packed from the start.

    Each request gets the smallest block that holds it. Placing blocks in order of
    decreasing size from the start of the network keeps every block aligned to its
    own size, so the plan never wastes space between subnets.

    Parameters
    ----------
    network : str or network
        The space to divide (for AWS, your VPC block).
    hosts : sequence of int
        Hosts each subnet must hold, e.g. ``[500, 120, 60]``.
    aws : bool, default False
        If True, every subnet needs ``hosts + 5`` addresses (AWS reserves 5) and must
        be an allowed AWS subnet size (IPv4 /16–/28). If False, the standard
        library's ``hosts()`` rule applies (so 2 hosts fit a /31).
    names : sequence of str, optional
        A label per request; defaults to ``"subnet 1"``, ``"subnet 2"``, ...

    Returns
    -------
    list of Allocation
        Largest first, which is also address order.

    Raises
    ------
    ValueError
        If a host count is not a positive whole number, the names do not match, or
        the plan does not fit, e.g. ``"subnet 1 (500 hosts) needs 512 addresses
        but 10.0.0.0/24 has only 256 left"``.
    """
    net = parse_network(network)
    if isinstance(hosts, str) or not isinstance(hosts, Iterable):
        raise ValueError(f"hosts={hosts!r:.40}: give a list of host counts, e.g. [500, 120, 60]")
    counts = [_as_int(h, "a host count") for h in hosts]
    if not counts:
        raise ValueError("give at least one host count, e.g. 500,120,60")
    if len(counts) > MAX_HOST_COUNTS:
        raise ValueError(
            f"{len(counts):,} host counts: one plan places at most {MAX_HOST_COUNTS:,} subnets"
        )
    for count in counts:
        if count < 1:
            raise ValueError(f"host counts must be 1 or more, not {count}")
    if names is None:
        labels = [f"subnet {i + 1}" for i in range(len(counts))]
    else:
        labels = [str(n) for n in names]
        if len(labels) != len(counts):
            raise ValueError(f"got {len(labels)} names for {len(counts)} host counts")
    if aws:
        prefixes = [_aws_prefix(c, net.version) for c in counts]
    else:
        prefixes = [_plain_prefix(c, net.max_prefixlen) for c in counts]
    order = sorted(range(len(counts)), key=lambda i: (prefixes[i], i))
    needed = sum(1 << (net.max_prefixlen - p) for p in prefixes)
    offset = 0
    allocations: list[Allocation] = []
    for i in order:
        prefix = prefixes[i]
        size = 1 << (net.max_prefixlen - prefix)
        left = net.num_addresses - offset
        if size > left:
            raise ValueError(
                f"{labels[i]} ({counts[i]:,} hosts) needs {size:,} addresses (a /{prefix}) "
                f"but {net} has only {left:,} left"
                + (f" (the plan needs {needed:,} addresses in all)" if len(counts) > 1 else "")
            )
        subnet = ipaddress.ip_network((net.network_address + offset, prefix))
        usable = size - aws_rules.RESERVED_PER_SUBNET if aws else host_range(subnet)[2]
        allocations.append(Allocation(labels[i], counts[i], subnet, usable, i, aws))
        offset += size
    return allocations


def free_blocks(network: str | Network, used: Iterable[str | Network]) -> list[Network]:
    """The parts of a network not covered by any of ``used``, as CIDR blocks.

    Parameters
    ----------
    network : str or network
    used : iterable of str or network
        Subnets inside ``network`` (overlaps are allowed).

    Returns
    -------
    list of networks
        The free space, in address order, as the fewest CIDR blocks.
    """
    net = parse_network(network)
    taken = summarise(u for u in used)
    free: list[Network] = []
    address = type(net.network_address)  # IPv4Address or IPv6Address
    cursor, end = int(net.network_address), int(net.broadcast_address)
    for block in taken:
        if not overlap(block, net):
            continue
        if int(block.network_address) > cursor:
            last = int(block.network_address) - 1
            free.extend(range_to_cidrs(address(cursor), address(last)))
        if int(block.broadcast_address) >= end:
            return free
        cursor = max(cursor, int(block.broadcast_address) + 1)
    free.extend(range_to_cidrs(address(cursor), address(end)))
    return free


# ------------------------------------------------------------- join and compare


def summarise(networks: Iterable[str | Network]) -> list[Network]:
    """Join networks into the fewest CIDR blocks that cover exactly the same addresses.

    Parameters
    ----------
    networks : iterable of str or network
        IPv4 and IPv6 may be mixed; each family is summarised on its own.

    Returns
    -------
    list of networks
        IPv4 blocks first, then IPv6, each in address order.

    Examples
    --------
    >>> [str(n) for n in summarise(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"])]
    ['10.0.0.0/23']
    """
    parsed = [parse_network(n) for n in items("networks", networks, what="a list of networks")]
    v4 = [n for n in parsed if n.version == 4]
    v6 = [n for n in parsed if n.version == 6]
    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]


def range_to_cidrs(first: str | Address, last: str | Address) -> list[Network]:
    """The fewest CIDR blocks that cover an address range exactly.

    Parameters
    ----------
    first, last : str or address
        Both ends are included.

    Returns
    -------
    list of networks
        In address order.

    Raises
    ------
    ValueError
        If the ends are of different families or ``first`` comes after ``last``.

    Examples
    --------
    >>> [str(n) for n in range_to_cidrs("10.0.0.5", "10.0.0.12")]
    ['10.0.0.5/32', '10.0.0.6/31', '10.0.0.8/30', '10.0.0.12/32']
    """
    start = parse_address(first)
    end = parse_address(last)
    if start.version != end.version:
        raise ValueError(f"{start} and {end}: both ends must be IPv4, or both IPv6")
    if int(start) > int(end):
        raise ValueError(f"the range starts at {start}, after its end {end}")
    if isinstance(start, ipaddress.IPv4Address) and isinstance(end, ipaddress.IPv4Address):
        return list(ipaddress.summarize_address_range(start, end))
    if isinstance(start, ipaddress.IPv6Address) and isinstance(end, ipaddress.IPv6Address):
        return list(ipaddress.summarize_address_range(start, end))
    raise AssertionError("unreachable: both ends are of one family (checked above)")


def overlaps(a: str | Network, b: str | Network) -> bool:
    """Whether two networks share at least one address (False across IPv4/IPv6)."""
    first, second = parse_network(a), parse_network(b)
    return overlap(first, second)


def contains(outer: str | Network, inner: str | Network | Address) -> bool:
    """Whether ``inner`` (a network or an address) lies entirely inside ``outer``."""
    big = parse_network(outer)
    small = parse_network(inner)
    return within(small, big)


def find_overlaps(networks: Iterable[str | Network]) -> list[tuple[Network, Network]]:
    """Every pair of networks in a list that overlap (for CIDR blocks: one contains the other).

    Runs in O(n log n + pairs): the networks are sorted by start address, and a stack
    holds the blocks that still contain the current one.

    Parameters
    ----------
    networks : iterable of str or network

    Returns
    -------
    list of (outer, inner) pairs
        ``outer`` contains ``inner`` (or they are equal), in address order.
    """
    parsed = [parse_network(n) for n in items("networks", networks, what="a list of networks")]
    ordered = sorted(parsed, key=lambda n: (n.version, n.network_address, n.prefixlen))
    pairs: list[tuple[Network, Network]] = []
    stack: list[Network] = []
    for net in ordered:
        while stack and (
            stack[-1].version != net.version
            or int(stack[-1].broadcast_address) < int(net.network_address)
        ):
            stack.pop()
        pairs.extend((outer, net) for outer in stack)
        stack.append(net)
    return pairs
