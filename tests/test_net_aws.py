"""Tests for cloudlab.net.aws: AWS VPC sizes and the 5 reserved addresses."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from cloudlab.net import aws

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


def test_reserved_addresses_match_the_aws_example():
    # The AWS VPC User Guide's own example: 10.0.0.0/24.
    rows = aws.aws_reserved("10.0.0.0/24")
    assert [str(a) for a, _ in rows] == [
        "10.0.0.0",
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
        "10.0.0.255",
    ]
    purposes = [p.lower() for _, p in rows]
    assert "network" in purposes[0]
    assert "router" in purposes[1]
    assert "dns" in purposes[2]
    assert "future" in purposes[3]
    assert "broadcast" in purposes[4]


def test_reserved_addresses_in_a_small_subnet():
    rows = aws.aws_reserved(ipaddress.ip_network("10.0.5.16/28"))
    assert [str(a) for a, _ in rows] == [
        "10.0.5.16",
        "10.0.5.17",
        "10.0.5.18",
        "10.0.5.19",
        "10.0.5.31",
    ]


def test_reserved_addresses_ipv6():
    rows = aws.aws_reserved("2001:db8:1234:1a00::/64")
    assert [str(a) for a, _ in rows] == [
        "2001:db8:1234:1a00::",
        "2001:db8:1234:1a00::1",
        "2001:db8:1234:1a00::2",
        "2001:db8:1234:1a00::3",
        "2001:db8:1234:1a00:ffff:ffff:ffff:ffff",
    ]
    assert "router" in rows[1][1].lower()


def test_reserved_data_has_five_rows():
    assert len(aws.RESERVED) == aws.RESERVED_PER_SUBNET == 5
    assert [r.offset for r in aws.RESERVED] == [0, 1, 2, 3, -1]
    assert len(aws.RESERVED_IPV6) == 5


@pytest.mark.parametrize(
    ("subnet", "usable"),
    [
        ("10.0.0.0/16", 65536 - 5),
        ("10.0.0.0/20", 4096 - 5),
        ("10.0.0.0/24", 251),
        ("10.0.0.0/28", 11),
        ("10.0.0.0/15", None),
        ("10.0.0.0/29", None),
        ("10.0.0.0/31", None),
        ("2001:db8::/64", 2**64 - 5),
        ("2001:db8::/56", 2**72 - 5),
        ("2001:db8::/62", None),
        ("2001:db8::/40", None),
    ],
)
def test_aws_usable(subnet, usable):
    assert aws.aws_usable(subnet) == usable


def test_subnet_sizes_as_data():
    assert aws.IPV4_SUBNET_PREFIXES[0] == 16
    assert aws.IPV4_SUBNET_PREFIXES[-1] == 28
    assert aws.IPV6_SUBNET_PREFIXES == (44, 48, 52, 56, 60, 64)
    assert aws.IPV6_VPC_PREFIXES == (44, 48, 52, 56, 60)
    assert aws.AMAZON_PROVIDED_IPV6_VPC_PREFIX in aws.IPV6_VPC_PREFIXES


@pytest.mark.parametrize("subnet", ["10.0.0.0/16", "10.0.0.0/28", "2001:db8::/64", "2001:db8::/44"])
def test_check_aws_subnet_accepts_allowed_sizes(subnet):
    assert aws.check_aws_subnet(subnet) == ipaddress.ip_network(subnet)


@pytest.mark.parametrize(
    ("subnet", "message"),
    [
        ("10.0.0.0/29", "10.0.0.0/29: an AWS IPv4 subnet must be /16 to /28"),
        ("10.0.0.0/8", "10.0.0.0/8: an AWS IPv4 subnet must be /16 to /28"),
        ("2001:db8::/62", "2001:db8::/62: an AWS IPv6 subnet must be /44 to /64 in steps of 4"),
        ("2001:db8::/80", "an AWS IPv6 subnet must be /44 to /64"),
    ],
)
def test_check_aws_subnet_rejects_other_sizes(subnet, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        aws.check_aws_subnet(subnet)


def test_check_aws_subnet_inside_its_vpc():
    assert aws.check_aws_subnet("10.0.1.0/24", vpc="10.0.0.0/16")
    with pytest.raises(ValueError, match=re.escape("not inside the VPC block 10.0.0.0/16")):
        aws.check_aws_subnet("10.1.1.0/24", vpc="10.0.0.0/16")
    with pytest.raises(ValueError, match="not inside the VPC block"):
        aws.check_aws_subnet("2001:db8::/64", vpc="10.0.0.0/16")
    with pytest.raises(ValueError, match="an AWS VPC IPv4 block must be /16 to /28"):
        aws.check_aws_subnet("10.0.1.0/24", vpc="10.0.0.0/8")


@pytest.mark.parametrize(
    ("vpc", "ok"),
    [
        ("10.0.0.0/16", True),
        ("10.0.0.0/12", False),
        ("2001:db8::/56", True),
        ("2001:db8::/64", False),
    ],
)
def test_check_aws_vpc(vpc, ok):
    if ok:
        assert aws.check_aws_vpc(vpc) == ipaddress.ip_network(vpc)
    else:
        with pytest.raises(ValueError, match="an AWS VPC"):
            aws.check_aws_vpc(vpc)


def test_aws_reserved_rejects_a_size_aws_does_not_allow():
    with pytest.raises(ValueError, match="/16 to /28"):
        aws.aws_reserved("10.0.0.0/30")


def test_sources_are_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8")))
    assert set(aws.SOURCES.values()) <= keys
