"""Tests for cloudlab.net.subnets: paged splitting, VLSM, summaries and overlap checks."""

# The library writes ranges with an en dash; the tests match its messages.

from __future__ import annotations

import ipaddress
import itertools
import re

import netaddr
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cloudlab.net import (
    contains,
    find_overlaps,
    free_blocks,
    host_range,
    nth_subnet,
    overlaps,
    parse_host_counts,
    range_to_cidrs,
    subnet_count,
    subnet_page,
    summarise,
    vlsm,
)

FAST = settings(max_examples=50, deadline=None, database=None)


@st.composite
def small_splits(draw):
    """A network and a new prefix with at most 2**10 subnets."""
    version = draw(st.sampled_from([4, 6]))
    bits = 32 if version == 4 else 128
    prefix = draw(st.integers(0, bits))
    new_prefix = draw(st.integers(prefix, min(bits, prefix + 10)))
    address = draw(st.integers(0, 2**bits - 1))
    cls = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    return cls((address, prefix), strict=False), new_prefix


@st.composite
def networks_in(draw, parent: str, count: int = 8):
    """A list of subnets of ``parent`` (may overlap)."""
    net = ipaddress.ip_network(parent)
    result = []
    for _ in range(draw(st.integers(0, count))):
        prefix = draw(st.integers(net.prefixlen, net.max_prefixlen))
        offset = draw(st.integers(0, net.num_addresses - 1))
        result.append(type(net)((int(net.network_address) + offset, prefix), strict=False))
    return result


# ---------------------------------------------------------------- paged splitting


def test_subnet_count():
    assert subnet_count("10.0.0.0/24", 26) == 4
    assert subnet_count("10.0.0.0/8", 30) == 2**22
    assert subnet_count("2001:db8::/32", 64) == 2**32
    assert subnet_count("10.0.0.0/24", 24) == 1


def test_nth_subnet_examples():
    assert str(nth_subnet("10.0.0.0/24", 26, 0)) == "10.0.0.0/26"
    assert str(nth_subnet("10.0.0.0/24", 26, 3)) == "10.0.0.192/26"
    assert str(nth_subnet("10.0.0.0/24", 26, -1)) == "10.0.0.192/26"
    assert str(nth_subnet("2001:db8::/32", 64, 2**32 - 1)) == "2001:db8:ffff:ffff::/64"


@FAST
@given(small_splits(), st.data())
def test_nth_subnet_equals_the_listed_subnet(split, data):
    net, new_prefix = split
    listed = list(net.subnets(new_prefix=new_prefix))
    index = data.draw(st.integers(0, len(listed) - 1))
    assert nth_subnet(net, new_prefix, index) == listed[index]


@FAST
@given(small_splits(), st.integers(1, 40))
def test_pages_concatenated_equal_the_full_list(split, per_page):
    net, new_prefix = split
    first = subnet_page(net, new_prefix, page=1, per_page=per_page)
    pages = [
        subnet_page(net, new_prefix, page=p, per_page=per_page) for p in range(1, first.pages + 1)
    ]
    joined = list(itertools.chain.from_iterable(p.subnets for p in pages))
    assert joined == list(net.subnets(new_prefix=new_prefix))
    assert all(p.total == len(joined) for p in pages)
    assert all(len(p.subnets) == per_page for p in pages[:-1])


def test_last_page_of_a_huge_space_is_immediate():
    page = subnet_page("2001:db8::/32", 64, page=-1)
    assert (page.total, page.pages, page.page) == (2**32, 2**28, 2**28)
    assert str(page.subnets[0]) == "2001:db8:ffff:fff0::/64"
    assert str(page.subnets[-1]) == "2001:db8:ffff:ffff::/64"
    assert page.first_index == 2**32 - 16


def test_partial_last_page_and_to_dict():
    page = subnet_page("10.0.0.0/24", 28, page=3, per_page=7)
    assert page.pages == 3
    assert [str(s) for s in page.subnets] == ["10.0.0.224/28", "10.0.0.240/28"]
    data = page.to_dict()
    assert data == {
        "network": "10.0.0.0/24",
        "prefix": 28,
        "total": 16,
        "page": 3,
        "per_page": 7,
        "pages": 3,
        "first_index": 14,
        "subnets": ["10.0.0.224/28", "10.0.0.240/28"],
    }


def test_page_accepts_numbers_typed_as_text():
    assert subnet_page("10.0.0.0/24", "/26", page="1", per_page="2").subnets[1] == (
        ipaddress.ip_network("10.0.0.64/26")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("10.0.0.0/24", 20), "/20 is shorter than 10.0.0.0/24's /24"),
        (("10.0.0.0/24", 33), "/33: an IPv4 prefix is 0–32"),
        (("2001:db8::/32", 129), "/129: an IPv6 prefix is 0–128"),
        (("10.0.0.0/24", "x"), "the new prefix must be a whole number"),
        (("10.0.0.0/24", 26, 2), "page 2 is out of range: there is only 1 page"),
        (("10.0.0.0/24", 30, 0), "page 0 is out of range: there are 4 pages (1–4)"),
        (("10.0.0.0/24", 30, 1, 0), "subnets per page must be 1–1024, not 0"),
        (("10.0.0.0/24", 30, 1, 5000), "subnets per page must be 1–1024"),
        (("10.0.0.0/24", 30, "two"), "the page must be a whole number"),
        (("nonsense", 30), "nonsense: not an IPv4 or IPv6"),
    ],
)
def test_subnet_page_errors(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        subnet_page(*args)


def test_nth_subnet_index_out_of_range():
    with pytest.raises(ValueError, match=re.escape("subnet 4 is out of range: 10.0.0.0/24 has 4")):
        nth_subnet("10.0.0.0/24", 26, 4)


# --------------------------------------------------------------------------- VLSM


def test_vlsm_plain_example():
    plan = vlsm("10.0.0.0/22", [60, 500, 120], names=["db", "web", "app"])
    assert [(a.name, str(a.network), a.usable) for a in plan] == [
        ("web", "10.0.0.0/23", 510),
        ("app", "10.0.2.0/25", 126),
        ("db", "10.0.2.128/26", 62),
    ]
    assert [a.index for a in plan] == [1, 2, 0]
    assert plan[0].to_dict()["first_host"] == "10.0.0.1"


def test_vlsm_aws_needs_five_more_addresses():
    # 60 hosts fit a /26 (62 usable) but not on AWS (64 - 5 = 59): AWS needs a /25.
    assert str(vlsm("10.0.0.0/24", [60])[0].network) == "10.0.0.0/26"
    plan = vlsm("10.0.0.0/24", [60], aws=True)
    assert str(plan[0].network) == "10.0.0.0/25"
    assert plan[0].usable == 123
    # Tiny subnets are rounded up to AWS's smallest, a /28.
    assert str(vlsm("10.0.0.0/24", [1], aws=True)[0].network) == "10.0.0.0/28"


def test_vlsm_uses_31_and_32_in_plain_mode():
    plan = vlsm("10.0.0.0/29", [2, 1])
    assert [str(a.network) for a in plan] == ["10.0.0.0/31", "10.0.0.2/32"]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (
            ("10.0.0.0/24", [500, 120, 60]),
            {},
            "needs 512 addresses (a /23) but 10.0.0.0/24 has only 256 left",
        ),
        (
            ("10.0.0.0/24", [100, 100, 100]),
            {},
            "has only 0 left (the plan needs 384 addresses in all)",
        ),
        (
            ("10.0.0.0/8", [70000]),
            {"aws": True},
            "more than the largest AWS subnet (/16, 65,536 addresses)",
        ),
        (("10.0.0.0/24", []), {}, "give at least one host count"),
        (("10.0.0.0/24", [0]), {}, "host counts must be 1 or more, not 0"),
        (("10.0.0.0/24", ["ten"]), {}, "a host count must be a whole number"),
        (("10.0.0.0/24", [10, 10]), {"names": ["a"]}, "got 1 names for 2 host counts"),
        (("10.0.0.0/24", [2**33]), {}, "hosts do not fit in any IPv4 network"),
    ],
)
def test_vlsm_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        vlsm(*args, **kwargs)


@FAST
@given(
    st.sampled_from(["10.0.0.0/16", "192.168.0.0/20", "10.1.2.0/24", "2001:db8::/120"]),
    st.lists(st.integers(1, 3000), min_size=1, max_size=8),
    st.booleans(),
)
def test_vlsm_plans_never_overlap_and_sit_inside(parent, hosts, aws_rules):
    net = ipaddress.ip_network(parent)
    try:
        plan = vlsm(net, hosts, aws=aws_rules)
    except ValueError:
        assume(False)
    nets = [a.network for a in plan]
    assert all(n.subnet_of(net) for n in nets)
    assert find_overlaps(nets) == []
    assert sorted(a.index for a in plan) == list(range(len(hosts)))
    sizes = [n.num_addresses for n in nets]
    assert sizes == sorted(sizes, reverse=True)  # largest first
    assert nets == sorted(nets)  # which is also address order
    for a in plan:
        assert a.usable >= a.hosts
        assert int(a.network.network_address) % a.size == 0  # aligned to its own size
        smaller = None
        if a.network.prefixlen < a.network.max_prefixlen:
            smaller = next(a.network.subnets())
        if aws_rules:
            assert a.usable == a.size - 5
            if smaller is not None and smaller.prefixlen in (*range(16, 29), 48, 52, 56, 60, 64):
                assert smaller.num_addresses - 5 < a.hosts  # the next size down is too small
        else:
            assert a.usable == host_range(a.network)[2]
            if smaller is not None:
                assert host_range(smaller)[2] < a.hosts


def test_parse_host_counts():
    assert parse_host_counts(" 500, 120,60 ") == [500, 120, 60]
    for bad, message in [
        ("", "give host counts"),
        ("5,x", "'x' is not a host count"),
        ("5,-1", "'-1' is not a host count"),
        ("0", "1 or more"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_host_counts(bad)


# -------------------------------------------------------------- join and compare


@FAST
@given(networks_in("10.0.0.0/16"))
def test_summarise_agrees_with_collapse_and_netaddr(nets):
    ours = summarise(nets)
    assert ours == list(ipaddress.collapse_addresses(nets))
    assert [str(n) for n in ours] == [str(n) for n in netaddr.cidr_merge([str(n) for n in nets])]


def test_summarise_mixed_families_and_text():
    result = summarise(["2001:db8::/33", "10.0.1.0/24", "2001:db8:8000::/33", "10.0.0.0/24"])
    assert [str(n) for n in result] == ["10.0.0.0/23", "2001:db8::/32"]


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(0, 2**20))
def test_range_to_cidrs_agrees_with_netaddr(start, length):
    end = min(start + length, 2**32 - 1)
    first, last = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
    ours = [str(n) for n in range_to_cidrs(str(first), str(last))]
    assert ours == [str(n) for n in netaddr.iprange_to_cidrs(str(first), str(last))]


def test_range_to_cidrs_examples_and_errors():
    assert [str(n) for n in range_to_cidrs("10.0.0.5", "10.0.0.12")] == [
        "10.0.0.5/32",
        "10.0.0.6/31",
        "10.0.0.8/30",
        "10.0.0.12/32",
    ]
    assert [str(n) for n in range_to_cidrs("2001:db8::", "2001:db8::ff")] == ["2001:db8::/120"]
    with pytest.raises(ValueError, match="both ends must be IPv4, or both IPv6"):
        range_to_cidrs("10.0.0.1", "::1")
    with pytest.raises(
        ValueError, match=re.escape("the range starts at 10.0.0.9, after its end 10.0.0.1")
    ):
        range_to_cidrs("10.0.0.9", "10.0.0.1")


def test_overlaps_and_contains():
    assert overlaps("10.0.0.0/16", "10.0.5.0/24")
    assert not overlaps("10.0.0.0/24", "10.0.1.0/24")
    assert not overlaps("10.0.0.0/8", "::/0")
    assert contains("10.0.0.0/16", "10.0.5.0/24")
    assert contains("10.0.0.0/16", "10.0.5.7")
    assert not contains("10.0.5.0/24", "10.0.0.0/16")
    assert not contains("::/0", "10.0.0.0/8")


@FAST
@given(networks_in("10.0.0.0/20", count=10))
def test_find_overlaps_agrees_with_brute_force(nets):
    expected = {
        frozenset({(a.network_address, a.prefixlen, i), (b.network_address, b.prefixlen, j)})
        for (i, a), (j, b) in itertools.combinations(enumerate(nets), 2)
        if a.overlaps(b)
    }
    pairs = find_overlaps(nets)
    assert len(pairs) == len(expected)
    for outer, inner in pairs:
        assert inner.subnet_of(outer)


@FAST
@given(networks_in("10.0.0.0/22"))
def test_free_blocks_complement_the_used_space(used):
    parent = ipaddress.ip_network("10.0.0.0/22")
    free = free_blocks(parent, used)
    assert all(not f.overlaps(u) for f in free for u in used)
    covered = summarise([*free, *used])
    assert covered == [parent]
    assert free == list(ipaddress.collapse_addresses(free))  # already minimal


def test_free_blocks_example():
    free = free_blocks("10.0.0.0/22", ["10.0.0.0/23", "10.0.2.0/25"])
    assert [str(f) for f in free] == ["10.0.2.128/25", "10.0.3.0/24"]
    assert [str(f) for f in free_blocks("10.0.0.0/24", [])] == ["10.0.0.0/24"]


def test_aws_vlsm_hosts_start_after_the_four_reserved_addresses() -> None:
    plan = vlsm("10.0.0.0/24", [100, 20], aws=True)
    assert [(a.to_dict()["first_host"], a.to_dict()["last_host"]) for a in plan] == [
        ("10.0.0.4", "10.0.0.126"),
        ("10.0.0.132", "10.0.0.158"),
    ]
    plain = vlsm("10.0.0.0/24", [100], aws=False)[0].to_dict()
    assert (plain["first_host"], plain["last_host"]) == ("10.0.0.1", "10.0.0.126")
