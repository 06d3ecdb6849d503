"""Address and subnet maths for the book: describe, classify, split, plan and draw networks.

Pure functions built on the standard library's :mod:`ipaddress`; the widgets in
:mod:`cloudlab.widgets` and the ``python -m cloudlab`` command line are views over them.
"""

from cloudlab.net.addresses import (
    IPV4_SPECIAL,
    IPV6_SPECIAL,
    Address,
    AddressType,
    Network,
    NetworkInfo,
    SpecialBlock,
    classify,
    describe,
    host_range,
    parse_address,
    parse_network,
)
from cloudlab.net.aws import (
    RESERVED,
    aws_reserved,
    aws_usable,
    check_aws_subnet,
    check_aws_vpc,
)
from cloudlab.net.subnets import (
    Allocation,
    SubnetPage,
    contains,
    find_overlaps,
    free_blocks,
    nth_subnet,
    overlaps,
    parse_host_counts,
    range_to_cidrs,
    subnet_count,
    subnet_page,
    summarise,
    vlsm,
)

__all__ = [
    "IPV4_SPECIAL",
    "IPV6_SPECIAL",
    "RESERVED",
    "Address",
    "AddressType",
    "Allocation",
    "Network",
    "NetworkInfo",
    "SpecialBlock",
    "SubnetPage",
    "aws_reserved",
    "aws_usable",
    "check_aws_subnet",
    "check_aws_vpc",
    "classify",
    "contains",
    "describe",
    "find_overlaps",
    "free_blocks",
    "host_range",
    "nth_subnet",
    "overlaps",
    "parse_address",
    "parse_host_counts",
    "parse_network",
    "range_to_cidrs",
    "subnet_count",
    "subnet_page",
    "summarise",
    "vlsm",
]
