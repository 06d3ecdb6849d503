"""Tests for cloudlab.net.selection: RFC 6724 source and destination address selection."""

from __future__ import annotations

from ipaddress import ip_interface

import pytest

from cloudlab.net.selection import (
    DEFAULT_POLICY_TABLE,
    SCOPE_GLOBAL,
    SCOPE_LINK_LOCAL,
    SCOPE_SITE_LOCAL,
    common_prefix_len,
    compare_destinations,
    order_destinations,
    policy_for,
    scope_of,
    select_source,
)

# --- RFC 6724 building blocks --------------------------------------------------------


def test_default_policy_table_is_rfc_6724_section_2_1() -> None:
    rows = {(str(r.prefix), r.precedence, r.label) for r in DEFAULT_POLICY_TABLE}
    assert rows == {
        ("::1/128", 50, 0),
        ("::/0", 40, 1),
        ("::ffff:0:0/96", 35, 4),
        ("2002::/16", 30, 2),
        ("2001::/32", 5, 5),
        ("fc00::/7", 3, 13),
        ("::/96", 1, 3),
        ("fec0::/10", 1, 11),
        ("3ffe::/16", 1, 12),
    }


@pytest.mark.parametrize(
    ("address", "precedence", "label"),
    [
        ("::1", 50, 0),
        ("2001:db8::1", 40, 1),  # documentation prefix is not Teredo (2001::/32)
        ("203.0.113.10", 35, 4),  # IPv4 is looked up as ::ffff:203.0.113.10
        ("10.1.2.3", 35, 4),
        ("2002:c633:6401::1", 30, 2),
        ("2001:0:4136:e378::1", 5, 5),
        ("fd12:3456::1", 3, 13),
        ("fe80::1", 40, 1),
    ],
)
def test_policy_lookup_uses_longest_prefix(address: str, precedence: int, label: int) -> None:
    row = policy_for(address)
    assert (row.precedence, row.label) == (precedence, label)


@pytest.mark.parametrize(
    ("address", "scope"),
    [
        ("::1", SCOPE_LINK_LOCAL),
        ("fe80::1", SCOPE_LINK_LOCAL),
        ("fec0::1", SCOPE_SITE_LOCAL),
        ("fd00::1", SCOPE_GLOBAL),  # ULAs have global scope
        ("2001:db8::1", SCOPE_GLOBAL),
        ("127.0.0.1", SCOPE_LINK_LOCAL),
        ("169.254.13.78", SCOPE_LINK_LOCAL),
        ("192.168.1.23", SCOPE_GLOBAL),  # RFC 6724 section 3.2: private is global
        ("203.0.113.10", SCOPE_GLOBAL),
    ],
)
def test_scopes(address: str, scope: int) -> None:
    assert scope_of(address) == scope


@pytest.mark.parametrize(
    ("source", "destination", "bits"),
    [
        ("2001:db8:1::2/64", "2001:db8:1::1", 64),  # stops at the source prefix
        ("2001:db8:3f44::2/64", "2001:db8:3ffe::1", 40),
        ("2001:db8:1::2/64", "2001:db8:3ffe::1", 34),
        ("fe80::1/64", "fe80::2", 64),
        ("192.168.1.23/24", "192.168.1.1", 24),
        ("192.168.1.23/24", "203.0.113.10", 4),  # 192 = 1100 0000, 203 = 1100 1011
        ("2001:db8:1::2/64", "203.0.113.10", 0),  # different families
    ],
)
def test_common_prefix_len(source: str, destination: str, bits: int) -> None:
    assert common_prefix_len(source, destination) == bits


def test_source_selection_prefers_appropriate_scope_and_longest_prefix() -> None:
    sources = ["2001:db8:1::2/64", "2001:db8:3f44::2/64", "fe80::2/64"]
    assert select_source("2001:db8:3ffe::1", sources) == ip_interface("2001:db8:3f44::2/64")
    assert select_source("fe80::1", sources) == ip_interface("fe80::2/64")
    assert select_source("2001:db8:1::1", sources) == ip_interface("2001:db8:1::2/64")
    assert select_source("203.0.113.10", sources) is None  # no IPv4 source: undefined


# The destination address selection examples of RFC 6724 section 10.2, given in the
# RFC's order and reversed, so that rule 10 ("leave the order unchanged") can't be
# what produced the answer.
RFC_6724_EXAMPLES = [
    (
        ["2001:db8:1::1", "198.51.100.121"],
        ["2001:db8:1::2/64", "fe80::1/64", "169.254.13.78/16"],
        ["2001:db8:1::1", "198.51.100.121"],
        "rule 2: prefer matching scope",
    ),
    (
        ["2001:db8:1::1", "198.51.100.121"],
        ["fe80::1/64", "198.51.100.117/24"],
        ["198.51.100.121", "2001:db8:1::1"],
        "rule 2: prefer matching scope",
    ),
    (
        ["2001:db8:1::1", "10.1.2.3"],
        ["2001:db8:1::2/64", "fe80::1/64", "10.1.2.4/8"],
        ["2001:db8:1::1", "10.1.2.3"],
        "rule 6: prefer higher precedence",
    ),
    (
        ["2001:db8:1::1", "fe80::1"],
        ["2001:db8:1::2/64", "fe80::2/64"],
        ["fe80::1", "2001:db8:1::1"],
        "rule 8: prefer smaller scope",
    ),
    (
        ["2001:db8:1::1", "2001:db8:3ffe::1"],
        ["2001:db8:1::2/64", "2001:db8:3f44::2/64", "fe80::2/64"],
        ["2001:db8:1::1", "2001:db8:3ffe::1"],
        "rule 9: use longest matching prefix",
    ),
    (
        ["2002:c633:6401::1", "2001:db8:1::1"],
        ["2002:c633:6401::2/48", "fe80::2/64"],
        ["2002:c633:6401::1", "2001:db8:1::1"],
        "rule 5: prefer matching label",
    ),
    (
        ["2002:c633:6401::1", "2001:db8:1::1"],
        ["2002:c633:6401::2/48", "2001:db8:1::2/64", "fe80::2/64"],
        ["2001:db8:1::1", "2002:c633:6401::1"],
        "rule 6: prefer higher precedence",
    ),
]


@pytest.mark.parametrize(("destinations", "sources", "expected", "rule"), RFC_6724_EXAMPLES)
@pytest.mark.parametrize("reverse", [False, True])
def test_rfc_6724_section_10_2_examples(
    destinations: list[str], sources: list[str], expected: list[str], rule: str, reverse: bool
) -> None:
    given = list(reversed(destinations)) if reverse else destinations
    ranked = order_destinations(given, sources)
    assert [str(r.address) for r in ranked] == expected
    assert ranked[0].decided_by == rule
    assert ranked[-1].decided_by is None


def test_unusable_destination_goes_last_rule_1() -> None:
    ranked = order_destinations(
        ["2001:db8:80::10", "203.0.113.10"],
        ["2001:db8:1234:1::23/64", "192.168.1.23/24"],
        unreachable=["2001:db8:80::10"],
    )
    assert [r.family for r in ranked] == ["IPv4", "IPv6"]
    assert ranked[0].decided_by == "rule 1: avoid unusable destinations"
    assert not ranked[1].reachable


def test_ula_only_source_makes_ipv4_win_by_matching_label() -> None:
    # A host whose only IPv6 address is a ULA: its label (13) does not match a global
    # IPv6 destination (1), while IPv4 source and destination both have label 4.
    ranked = order_destinations(
        ["2001:db8:80::10", "203.0.113.10"], ["fd00::23/64", "192.168.1.23/24"]
    )
    assert [r.family for r in ranked] == ["IPv4", "IPv6"]
    assert ranked[0].decided_by == "rule 5: prefer matching label"


def test_order_keeps_duplicates_once_and_reports_data() -> None:
    ranked = order_destinations(["203.0.113.10", "203.0.113.10"], ["192.168.1.23/24"])
    assert len(ranked) == 1
    data = ranked[0].to_dict()
    assert data["address"] == "203.0.113.10"
    assert data["scope"] == "global"
    assert data["label"] == data["source_label"] == 4


def test_the_happy_eyeballs_names_the_chapter_imports_from_here_still_work() -> None:
    from cloudlab.net import selection
    from cloudlab.sim import happy_eyeballs

    assert selection.simulate is happy_eyeballs.simulate
    assert selection.Conditions is happy_eyeballs.Conditions
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        selection.nothing  # noqa: B018


def test_wrong_types_are_a_value_error_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="the destinations must be a list of addresses"):
        order_destinations(5, [])  # type: ignore[arg-type]  # the wrong type is the test
    with pytest.raises(ValueError, match="the sources must be a list of addresses"):
        order_destinations([], None)  # type: ignore[arg-type]  # the wrong type is the test
    with pytest.raises(ValueError, match="compare two RankedDestination"):
        compare_destinations(None, None)  # type: ignore[arg-type]  # the wrong type is the test
