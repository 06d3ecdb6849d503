"""Tests for cloudlab.net.addresses: parsing, classification and describe()."""

# The library writes ranges with an en dash, as in "0 to 32"; the tests match it.

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import netaddr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlab.net import (
    IPV4_SPECIAL,
    IPV6_SPECIAL,
    classify,
    describe,
    host_range,
    parse_address,
    parse_network,
)

FAST = settings(max_examples=60, deadline=None, database=None)
BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


@st.composite
def networks(draw, version: int | None = None, min_prefix: int = 0):
    """Any IPv4 or IPv6 network (host bits cleared)."""
    v = version or draw(st.sampled_from([4, 6]))
    bits = 32 if v == 4 else 128
    prefix = draw(st.integers(min(min_prefix, bits), bits))
    address = draw(st.integers(0, 2**bits - 1))
    cls = ipaddress.IPv4Network if v == 4 else ipaddress.IPv6Network
    return cls((address, prefix), strict=False)


# ------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.0/24"),
        ("10.1.2.3/24", "10.1.2.0/24"),
        ("  10.1.2.3/24  ", "10.1.2.0/24"),
        ("10.1.2.3 / 24", "10.1.2.0/24"),
        ("10.1.2.3", "10.1.2.3/32"),
        ("10.0.0.0/255.255.255.0", "10.0.0.0/24"),
        ("10.0.0.0/0.0.0.255", "10.0.0.0/24"),
        ("2001:db8::1/64", "2001:db8::/64"),
        ("2001:DB8::1", "2001:db8::1/128"),
        ("::/0", "::/0"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_parse_network_reads_what_people_type(text, expected):
    assert str(parse_network(text)) == expected


def test_parse_network_passes_ipaddress_objects_through():
    net = ipaddress.ip_network("192.0.2.0/24")
    assert parse_network(net) is net
    assert parse_network(ipaddress.ip_address("192.0.2.1")) == ipaddress.ip_network("192.0.2.1/32")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10.0.0.0/33", "10.0.0.0/33: an IPv4 prefix is 0–32"),
        ("2001:db8::/129", "2001:db8::/129: an IPv6 prefix is 0–128"),
        ("banana", "banana: not an IPv4 or IPv6 address or network"),
        ("300.1.1.1", "300.1.1.1: each of the 4 numbers in an IPv4 address must be 0–255"),
        ("1.2.3", "1.2.3: an IPv4 address is 4 numbers separated by dots"),
        ("010.0.0.1", "010.0.0.1: leading zeros are not allowed"),
        ("10.0.0.0/abc", "10.0.0.0/abc: after '/' put a prefix length 0–32 or a netmask"),
        ("10.0.0.0/", "10.0.0.0/: nothing after '/'"),
        ("2001:db8::/ffff::", "2001:db8::/ffff::: after '/' an IPv6 network needs a prefix"),
        ("", "nothing to read"),
        ("   ", "nothing to read"),
        ("10.0.0.0/-1", "10.0.0.0/-1: an IPv4 prefix is 0–32"),
        ("fe80::1%eth0", "fe80::1%eth0: remove the zone index '%eth0'"),
        ("10.0.0.0/24/5", "10.0.0.0/24/5: after '/' put a prefix length"),
    ],
)
def test_parse_network_explains_bad_input_in_one_line(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        parse_network(text)
    assert "\n" not in str(caught.value)


def test_parse_network_rejects_non_text():
    with pytest.raises(ValueError, match="expected text"):
        parse_network(42)  # type: ignore[arg-type]  # the wrong type is the test


def test_parse_address():
    assert parse_address(" 192.0.2.7 ") == ipaddress.ip_address("192.0.2.7")
    assert parse_address("2001:db8::1") == ipaddress.ip_address("2001:db8::1")
    with pytest.raises(ValueError, match="expected one address, not a network"):
        parse_address("192.0.2.0/24")
    with pytest.raises(ValueError, match="not an IPv4 or IPv6"):
        parse_address("nope")


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(
    ("value", "key", "source"),
    [
        ("10.1.2.3", "private", "rfc1918"),
        ("172.31.255.255", "private", "rfc1918"),
        ("172.32.0.1", "global", "iana-ipv4-special"),
        ("192.168.0.0/16", "private", "rfc1918"),
        ("100.64.0.1", "shared", "rfc6598"),
        ("127.0.0.1", "loopback", "rfc1122"),
        ("169.254.169.254", "link-local", "rfc3927"),
        ("224.0.0.251", "multicast", "rfc5771"),
        ("192.0.2.10", "documentation", "rfc5737"),
        ("198.51.100.0/24", "documentation", "rfc5737"),
        ("203.0.113.9", "documentation", "rfc5737"),
        ("198.18.0.1", "benchmarking", "rfc2544"),
        ("240.0.0.1", "reserved", "rfc1112"),
        ("255.255.255.255", "limited-broadcast", "rfc919"),
        ("0.0.0.0", "unspecified", "rfc1122"),
        ("0.1.2.3", "this-network", "rfc791"),
        ("192.0.0.9", "special", "rfc7723"),
        ("192.0.0.5", "special", "rfc7335"),
        ("192.0.0.100", "special", "rfc6890"),
        ("192.0.0.170", "nat64", "rfc7050"),
        ("192.88.99.1", "6to4", "rfc7526"),
        ("8.8.8.8", "global", "iana-ipv4-special"),
        ("::1", "loopback", "rfc4291"),
        ("::", "unspecified", "rfc4291"),
        ("fe80::1", "link-local", "rfc4291"),
        ("fd12:3456::1", "unique-local", "rfc4193"),
        ("ff02::1", "multicast", "rfc4291"),
        ("2001:db8::/32", "documentation", "rfc3849"),
        ("3fff::1", "documentation", "rfc9637"),
        ("::ffff:10.0.0.1", "ipv4-mapped", "rfc4291"),
        ("64:ff9b::8.8.8.8", "nat64", "rfc6052"),
        ("2001::1", "teredo", "rfc4380"),
        ("2002:c000:0204::1", "6to4", "rfc3056"),
        ("2001:2::1", "benchmarking", "rfc5180"),
        ("2606:4700::1111", "global", "rfc4291"),
        ("4000::1", "reserved", "rfc4291"),
    ],
)
def test_classify_uses_the_registry_blocks(value, key, source):
    kind = classify(value)
    assert (kind.key, kind.source) == (key, source)


def test_classify_is_narrower_than_stdlib_is_private():
    # The standard library calls all of these "private"; only the first is RFC 1918.
    for text, key in [
        ("10.0.0.1", "private"),
        ("127.0.0.1", "loopback"),
        ("169.254.0.1", "link-local"),
        ("192.0.2.1", "documentation"),
    ]:
        assert ipaddress.ip_address(text).is_private
        assert classify(text).key == key


def test_classify_most_specific_block_wins_and_reachability():
    assert classify("192.0.0.9").globally_reachable is True  # PCP anycast
    assert classify("192.0.0.8").globally_reachable is False
    assert classify("192.0.0.9").block == "192.0.0.9/32"


@pytest.mark.parametrize("value", ["0.0.0.0/0", "8.0.0.0/6", "::/0", "2000::/2"])
def test_classify_network_spanning_types_is_mixed(value):
    assert classify(value).key == "mixed"


def test_every_block_source_is_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8")))
    used = {b.source for b in (*IPV4_SPECIAL, *IPV6_SPECIAL)} | {"iana-ipv4-special"}
    assert used - keys == set()


@FAST
@given(st.integers(0, 2**32 - 1))
def test_our_global_ipv4_is_global_for_the_stdlib(value):
    address = ipaddress.IPv4Address(value)
    kind = classify(address)
    if kind.key == "global":
        assert address.is_global
    if address.is_private:
        assert kind.key != "global"


@FAST
@given(st.integers(0, 2**128 - 1))
def test_our_global_ipv6_is_global_for_the_stdlib(value):
    address = ipaddress.IPv6Address(value)
    if classify(address).key == "global":
        assert address.is_global


# ------------------------------------------------------------------------ describe


def test_describe_worked_example():
    info = describe("10.1.2.3/20")
    assert info.network == "10.1.0.0/20"
    assert info.address == "10.1.2.3"
    assert (info.netmask, info.hostmask, info.broadcast) == (
        "255.255.240.0",
        "0.0.15.255",
        "10.1.15.255",
    )
    assert (info.first_host, info.last_host) == ("10.1.0.1", "10.1.15.254")
    assert (info.num_addresses, info.usable_hosts, info.aws_usable) == (4096, 4094, 4091)
    assert info.type == "private"
    assert info.ipv4_mapped == "::ffff:10.1.2.3"
    assert info.reverse_pointer == "3.2.1.10.in-addr.arpa"
    assert info.binary_network_bits == "00001010.00000001.0000"
    assert info.binary_host_bits == "0010.00000011"


def test_describe_network_without_host_has_no_address():
    info = describe("10.0.0.0/24")
    assert info.address is None
    assert info.ipv4_mapped == "::ffff:10.0.0.0/120"
    assert info.binary_host_bits == ".00000000"


@pytest.mark.parametrize(
    ("text", "first", "last", "usable"),
    [
        ("10.0.0.0/31", "10.0.0.0", "10.0.0.1", 2),
        ("10.0.0.7/32", "10.0.0.7", "10.0.0.7", 1),
        ("10.0.0.0/30", "10.0.0.1", "10.0.0.2", 2),
        ("2001:db8::/127", "2001:db8::", "2001:db8::1", 2),
        ("2001:db8::5/128", "2001:db8::5", "2001:db8::5", 1),
        ("2001:db8::/126", "2001:db8::1", "2001:db8::3", 3),
    ],
)
def test_describe_follows_stdlib_hosts_semantics(text, first, last, usable):
    info = describe(text)
    assert (info.first_host, info.last_host, info.usable_hosts) == (first, last, usable)


def test_describe_ipv6():
    info = describe("2001:db8::1/64")
    assert info.broadcast is None
    assert info.aws_usable == 2**64 - 5  # the rule of net.aws.aws_usable
    assert info.compressed == "2001:db8::/64"
    assert info.exploded == "2001:0db8:0000:0000:0000:0000:0000:0000/64"
    assert info.usable_hosts == 2**64 - 1
    assert info.ipv4_mapped is None
    assert info.type == "documentation"
    assert describe("::ffff:192.0.2.1").ipv4_mapped == "192.0.2.1"
    assert describe("::ffff:0:0/96").ipv4_mapped == "0.0.0.0/0"


@pytest.mark.parametrize(("text", "aws"), [("10.0.0.0/16", 65531), ("10.0.0.0/28", 11)])
def test_describe_aws_usable_inside_aws_sizes(text, aws):
    assert describe(text).aws_usable == aws


@pytest.mark.parametrize("text", ["10.0.0.0/15", "10.0.0.0/29", "10.0.0.1"])
def test_describe_aws_usable_none_outside_aws_sizes(text):
    assert describe(text).aws_usable is None


def test_describe_to_dict_is_json_with_the_cli_fields():
    data = json.loads(json.dumps(describe("192.168.1.77/26").to_dict()))
    fields = {
        "version",
        "network",
        "prefixlen",
        "netmask",
        "hostmask",
        "broadcast",
        "first_host",
        "last_host",
        "num_addresses",
        "usable_hosts",
        "aws_usable",
        "type",
        "compressed",
        "exploded",
    }
    assert fields <= set(data)
    assert data["network"] == "192.168.1.64/26"


def test_describe_rejects_garbage():
    with pytest.raises(ValueError, match="not an IPv4 or IPv6"):
        describe("hello/24")


@FAST
@given(networks())
def test_describe_agrees_with_netaddr(net):
    info = describe(net)
    other = netaddr.IPNetwork(str(net))
    same = ipaddress.ip_address  # netaddr may print ::255.255.255.255 for ::ffff:ffff
    assert same(info.netmask) == same(str(other.netmask))
    assert same(info.hostmask) == same(str(other.hostmask))
    assert info.num_addresses == other.size
    assert ipaddress.ip_network(info.network) == ipaddress.ip_network(str(other.cidr))
    if net.version == 4 and net.prefixlen <= 30:
        assert info.broadcast == str(other.broadcast)


@FAST
@given(st.one_of(networks(4, min_prefix=20), networks(6, min_prefix=116)))
def test_host_range_matches_listing_hosts(net):
    hosts = list(net.hosts())
    first, last, count = host_range(net)
    assert (first, last, count) == (hosts[0], hosts[-1], len(hosts))


@FAST
@given(networks())
def test_binary_view_splits_at_the_prefix(net):
    info = describe(net)
    digits = (info.binary_network_bits + info.binary_host_bits).replace(".", "").replace(":", "")
    assert digits == format(net.network_address, "b")
    assert len(re.sub("[.:]", "", info.binary_network_bits)) == net.prefixlen


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="0123456789abcdefABCDEF.:/%+- x", max_size=45))
def test_describe_raises_only_value_error_on_anything_typed(text):
    message = None
    try:
        info = describe(text)
    except ValueError as error:
        message = str(error)
    if message is None:
        assert ipaddress.ip_network(info.network)
    else:
        assert message
        assert "\n" not in message
