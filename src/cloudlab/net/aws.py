"""AWS VPC address rules as data: allowed VPC and subnet sizes and the 5 reserved addresses.

Sources (Amazon VPC User Guide, read 2026-11-28):

* "Subnet CIDR blocks" (bibliography key ``aws-subnet-sizing``,
  https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html): an IPv4
  subnet is between /28 and /16; IPv6 subnet netmasks are /44 to /64 in steps of /4;
  the first four and the last address of every subnet are reserved, and what each
  reserved IPv4 address is for.
* "VPC CIDR blocks" (``aws-vpc-cidr-blocks``,
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html): an IPv4
  VPC block is between /16 and /28; an IPv6 VPC block is /44 to /60 in steps of /4,
  and an Amazon-provided IPv6 block is a /56.

The rules are kept as plain data so that a test, a widget and the book all read the
same numbers.
"""

# Ranges are written with an en dash (0–32), as in the book's text.

from __future__ import annotations

from dataclasses import dataclass

from cloudlab.net.parse import Address, Network, parse_network, within

__all__ = [
    "AMAZON_PROVIDED_IPV6_VPC_PREFIX",
    "IPV4_SUBNET_PREFIXES",
    "IPV4_VPC_PREFIXES",
    "IPV6_SUBNET_PREFIXES",
    "IPV6_VPC_PREFIXES",
    "RESERVED",
    "RESERVED_IPV6",
    "RESERVED_PER_SUBNET",
    "SOURCES",
    "ReservedAddress",
    "aws_reserved",
    "aws_usable",
    "check_aws_subnet",
    "check_aws_vpc",
]

#: Bibliography keys for each rule in this module.
SOURCES: dict[str, str] = {
    "subnet sizes": "aws-subnet-sizing",
    "reserved addresses": "aws-subnet-sizing",
    "vpc sizes": "aws-vpc-cidr-blocks",
}

#: Allowed IPv4 subnet prefix lengths: /16 (65,536 addresses) to /28 (16 addresses).
IPV4_SUBNET_PREFIXES: tuple[int, ...] = tuple(range(16, 29))
#: Allowed IPv4 VPC CIDR block prefix lengths: also /16 to /28.
IPV4_VPC_PREFIXES: tuple[int, ...] = tuple(range(16, 29))
#: Allowed IPv6 subnet prefix lengths: /44 to /64 in steps of 4.
IPV6_SUBNET_PREFIXES: tuple[int, ...] = (44, 48, 52, 56, 60, 64)
#: Allowed IPv6 VPC CIDR block prefix lengths: /44 to /60 in steps of 4.
IPV6_VPC_PREFIXES: tuple[int, ...] = (44, 48, 52, 56, 60)
#: Size of an Amazon-provided IPv6 VPC block.
AMAZON_PROVIDED_IPV6_VPC_PREFIX = 56
#: Addresses AWS keeps in every subnet: the first four and the last.
RESERVED_PER_SUBNET = 5


@dataclass(frozen=True)
class ReservedAddress:
    """One address AWS reserves in every subnet.

    Attributes
    ----------
    offset : int
        Position from the start of the subnet (0 = network address); -1 is the last.
    purpose : str
        What AWS uses it for.
    """

    offset: int
    purpose: str


#: The 5 reserved IPv4 addresses of every subnet and why (``aws-subnet-sizing``).
RESERVED: tuple[ReservedAddress, ...] = (
    ReservedAddress(0, "Network address"),
    ReservedAddress(1, "VPC router"),
    ReservedAddress(
        2,
        "DNS: the Amazon-provided DNS server is the VPC's base address + 2; "
        "every subnet keeps its own base + 2 as well",
    ),
    ReservedAddress(3, "Reserved by AWS for future use"),
    ReservedAddress(-1, "Network broadcast address: a VPC does not support broadcast"),
)

#: The 5 reserved addresses of an IPv6 subnet: AWS reserves the first four and the
#: last here too, and documents only the VPC router's purpose (``aws-subnet-sizing``).
RESERVED_IPV6: tuple[ReservedAddress, ...] = (
    ReservedAddress(0, "Reserved by AWS (first address of the subnet)"),
    ReservedAddress(1, "VPC router"),
    ReservedAddress(2, "Reserved by AWS"),
    ReservedAddress(3, "Reserved by AWS"),
    ReservedAddress(-1, "Reserved by AWS (last address of the subnet)"),
)


def _sizes(prefixes: tuple[int, ...]) -> str:
    if prefixes == tuple(range(prefixes[0], prefixes[-1] + 1)):
        return f"/{prefixes[0]} to /{prefixes[-1]}"
    return f"/{prefixes[0]} to /{prefixes[-1]} in steps of 4"


def check_aws_vpc(vpc: str | Network) -> Network:
    """Check that a CIDR block has a size AWS accepts for a VPC.

    Parameters
    ----------
    vpc : str or network

    Returns
    -------
    IPv4Network or IPv6Network
        The parsed block.

    Raises
    ------
    ValueError
        If the prefix length is not allowed, e.g.
        ``"10.0.0.0/8: an AWS VPC IPv4 block must be /16 to /28"``.
    """
    network = parse_network(vpc)
    allowed = IPV4_VPC_PREFIXES if network.version == 4 else IPV6_VPC_PREFIXES
    if network.prefixlen not in allowed:
        family = "IPv4" if network.version == 4 else "IPv6"
        raise ValueError(f"{network}: an AWS VPC {family} block must be {_sizes(allowed)}")
    return network


def check_aws_subnet(subnet: str | Network, vpc: str | Network | None = None) -> Network:
    """Check that a subnet has a size AWS accepts (and sits inside its VPC).

    Parameters
    ----------
    subnet : str or network
    vpc : str or network, optional
        If given, the subnet must lie inside it and the VPC must be a valid size.

    Returns
    -------
    IPv4Network or IPv6Network
        The parsed subnet.

    Raises
    ------
    ValueError
        E.g. ``"10.0.0.0/29: an AWS IPv4 subnet must be /16 to /28
        (65,536 to 16 addresses)"``.
    """
    network = parse_network(subnet)
    if network.version == 4:
        if network.prefixlen not in IPV4_SUBNET_PREFIXES:
            raise ValueError(
                f"{network}: an AWS IPv4 subnet must be {_sizes(IPV4_SUBNET_PREFIXES)} "
                "(65,536 to 16 addresses)"
            )
    elif network.prefixlen not in IPV6_SUBNET_PREFIXES:
        raise ValueError(f"{network}: an AWS IPv6 subnet must be {_sizes(IPV6_SUBNET_PREFIXES)}")
    if vpc is not None:
        parent = check_aws_vpc(vpc)
        if not within(network, parent):
            raise ValueError(f"{network}: this subnet is not inside the VPC block {parent}")
    return network


def aws_reserved(subnet: str | Network) -> list[tuple[Address, str]]:
    """The 5 addresses AWS reserves in a subnet, and what each is for.

    Parameters
    ----------
    subnet : str or network
        An allowed AWS subnet size (IPv4 /16–/28, IPv6 /44–/64 in steps of 4).

    Returns
    -------
    list of (address, purpose)
        In address order.

    Raises
    ------
    ValueError
        If the subnet is not a size AWS allows.

    Examples
    --------
    >>> [str(a) for a, _ in aws_reserved("10.0.1.0/24")]
    ['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255']
    """
    network = check_aws_subnet(subnet)
    rows = RESERVED if network.version == 4 else RESERVED_IPV6
    result: list[tuple[Address, str]] = []
    for row in rows:
        if row.offset >= 0:
            address = network.network_address + row.offset
        else:
            address = network.broadcast_address + (row.offset + 1)
        result.append((address, row.purpose))
    return result


def aws_host_range(subnet: str | Network) -> tuple[Address, Address]:
    """The first and last addresses AWS lets your resources use in a subnet.

    The first four and the last address are reserved (:data:`RESERVED`), so the usable
    range starts at the subnet's base + 4 and ends one before its last address.

    Examples
    --------
    >>> [str(a) for a in aws_host_range("10.0.1.0/24")]
    ['10.0.1.4', '10.0.1.254']
    """
    network = check_aws_subnet(subnet)
    return network.network_address + 4, network.broadcast_address - 1


def aws_usable(subnet: str | Network) -> int | None:
    """How many addresses of a subnet you can give to your resources on AWS.

    Parameters
    ----------
    subnet : str or network

    Returns
    -------
    int or None
        ``num_addresses - 5`` (addresses) if the subnet is a size AWS allows,
        otherwise None.

    Examples
    --------
    >>> aws_usable("10.0.0.0/24"), aws_usable("10.0.0.0/28"), aws_usable("10.0.0.0/29")
    (251, 11, None)
    """
    network = parse_network(subnet)
    allowed = IPV4_SUBNET_PREFIXES if network.version == 4 else IPV6_SUBNET_PREFIXES
    if network.prefixlen not in allowed:
        return None
    return network.num_addresses - RESERVED_PER_SUBNET
