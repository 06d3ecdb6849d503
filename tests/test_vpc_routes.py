"""Route tables: longest-prefix match, hop-by-hop traces and reachability from the internet."""

from __future__ import annotations

import ipaddress

import pytest

from cloudlab.vpc.plan import Route, plan_network
from cloudlab.vpc.routes import (
    describe_target,
    inbound_from_internet,
    lookup,
    parse_route,
    target_kind,
    trace,
)

TABLE = [
    ("10.0.0.0/16", "local"),
    ("10.0.1.0/24", "blackhole"),
    ("0.0.0.0/0", "igw"),
    ("2001:db8::/56", "local"),
    ("::/0", "eigw"),
]


@pytest.fixture(scope="module")
def plan():
    """The book's dual-stack plan: public, app (private) and data (isolated), AZs a and b."""
    return plan_network("10.0.0.0/16", ("a", "b"), ipv6=True)


@pytest.fixture(scope="module")
def plan_per_az():
    return plan_network("10.0.0.0/16", ("a", "b"), nat="per-az")


# ------------------------------------------------------------------ longest prefix match


@pytest.mark.parametrize(
    ("destination", "target", "winner", "dropped"),
    [
        ("10.0.1.7", "blackhole", "10.0.1.0/24", True),
        ("10.0.2.7", "local", "10.0.0.0/16", False),
        ("10.0.0.1", "local", "10.0.0.0/16", False),
        ("10.0.1.255", "blackhole", "10.0.1.0/24", True),
        ("10.1.0.1", "igw", "0.0.0.0/0", False),
        ("198.51.100.7", "igw", "0.0.0.0/0", False),
        ("2001:db8::42", "local", "2001:db8::/56", False),
        ("2001:db8:0:100::1", "eigw", "::/0", False),
    ],
    ids=[
        "more-specific-blackhole-beats-local-and-default",
        "local-beats-default",
        "first-vpc-address-local",
        "last-address-of-the-/24",
        "outside-vpc-default-route",
        "internet-default-route",
        "ipv6-local",
        "ipv6-just-outside-the-/56-goes-to-eigw",
    ],
)
def test_longest_prefix_wins(destination, target, winner, dropped):
    decision = lookup(TABLE, destination)
    assert decision.target == target
    assert decision.route is not None
    assert decision.route.destination == ipaddress.ip_network(winner)
    assert decision.dropped is dropped
    assert sum(c.winner for c in decision.candidates) == 1


def test_reason_lists_candidates_and_why_the_most_specific_won():
    decision = lookup(TABLE, "10.0.1.7")
    assert [str(c.destination) for c in decision.matching] == [
        "10.0.1.0/24",
        "10.0.0.0/16",
        "0.0.0.0/0",
    ]
    assert "matches 3 routes" in decision.reason
    assert "/24 (10.0.1.0/24) is the most specific" in decision.reason
    assert "beats /16, /0" in decision.reason
    assert "dropped" in decision.reason
    assert "2 IPv6 routes not considered" in decision.reason


@pytest.mark.parametrize(
    ("routes", "destination"),
    [
        ([("::/0", "igw")], "192.0.2.1"),
        ([("0.0.0.0/0", "igw")], "2001:db8::1"),
        ([("::ffff:0:0/96", "igw")], "192.0.2.1"),
    ],
    ids=["v4-packet-ignores-v6-default", "v6-packet-ignores-v4-default", "mapped-v6-not-v4"],
)
def test_families_are_routed_separately(routes, destination):
    decision = lookup(routes, destination)
    assert decision.route is None
    assert decision.dropped
    assert decision.reason.startswith("no route: dropped")
    assert "routed separately" in decision.reason
    assert not any(c.matches for c in decision.candidates)


def test_no_route_is_dropped():
    decision = lookup([("10.0.0.0/16", "local")], "192.0.2.1")
    assert decision.target is None
    assert decision.dropped
    assert decision.reason.startswith("no route: dropped")
    assert decision.to_dict()["route"] is None


def test_plan_route_objects_and_text_routes_are_accepted():
    routes = [Route(ipaddress.ip_network("10.0.0.0/16"), "local"), "0.0.0.0/0 -> nat-a"]
    assert lookup(routes, "192.0.2.1").target == "nat-a"
    assert lookup(routes, "10.0.9.9").target == "local"


@pytest.mark.parametrize(
    ("routes", "destination", "message"),
    [
        (TABLE, "10.0.0.0/24", "expected one address, not a network"),
        (TABLE, "10.0.0.256", "each of the 4 numbers"),
        ([("10.0.0.0/33", "local")], "10.0.0.1", "10.0.0.0/33: an IPv4 prefix is 0–32"),
        ([("banana", "local")], "10.0.0.1", "banana: not an IPv4 or IPv6 address"),
        ([("10.0.0.0/16", "")], "10.0.0.1", "the target is empty"),
        ([("0.0.0.0/0", "eigw")], "10.0.0.1", "egress-only internet gateway carries IPv6 only"),
        (
            [("10.0.0.0/16", "local"), ("10.0.0.0/16", "igw")],
            "10.0.0.1",
            "two routes for 10.0.0.0/16",
        ),
        ([("10.0.0.0/16",)], "10.0.0.1", "a route is a destination CIDR and a target"),
    ],
    ids=[
        "network-not-address",
        "octet-too-big",
        "prefix-too-long",
        "not-an-address",
        "empty-target",
        "eigw-for-ipv4",
        "duplicate-destination",
        "half-a-route",
    ],
)
def test_bad_inputs_raise_one_line_value_errors(routes, destination, message):
    with pytest.raises(ValueError, match=message) as caught:
        lookup(routes, destination)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.1.0/24 blackhole", ("10.0.1.0/24", "blackhole")),
        ("0.0.0.0/0 -> igw", ("0.0.0.0/0", "igw")),
        ("::/0 → eigw", ("::/0", "eigw")),
        ("10.0.1.9/24 pcx-1234", ("10.0.1.0/24", "pcx-1234")),
    ],
    ids=["plain", "ascii-arrow", "arrow", "host-bits-cleared"],
)
def test_parse_route(text, expected):
    network, target = parse_route(text)
    assert (str(network), target) == expected


def test_parse_route_needs_two_parts():
    with pytest.raises(ValueError, match="write a route as"):
        parse_route("10.0.1.0/24")


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("local", "local"),
        ("igw", "igw"),
        ("igw-0abc", "igw"),
        ("eigw", "eigw"),
        ("eigw-0abc", "eigw"),
        ("nat-b", "nat"),
        ("blackhole", "blackhole"),
        ("pcx-1234", "other"),
    ],
)
def test_target_kinds(target, kind):
    assert target_kind(target) == kind
    assert describe_target(target)


# ------------------------------------------------------------------ traces through a plan


@pytest.mark.parametrize(
    ("source", "destination", "outcome", "exit_", "via_nat", "delivered_to"),
    [
        ("app-a", "198.51.100.7", "internet", "igw", "nat-a", None),
        ("app-b", "198.51.100.7", "internet", "igw", "nat-a", None),
        ("public-a", "198.51.100.7", "internet", "igw", None, None),
        ("data-a", "198.51.100.7", "dropped", None, None, None),
        ("app-a", "2001:db8:ffff::1", "internet", "eigw", None, None),
        ("public-b", "2001:db8:ffff::1", "internet", "igw", None, None),
        ("data-b", "2001:db8:ffff::1", "dropped", None, None, None),
        ("public-a", "10.0.0.20", "local", None, None, "app-a"),
        ("app-b", "10.0.14.9", "local", None, None, "data-a"),
        ("app-a", "2001:db8:0:5::9", "local", None, None, "data-b"),
        ("app-a", "10.0.200.1", "dropped", None, None, None),
    ],
    ids=[
        "private-to-internet-via-nat",
        "private-other-az-via-single-nat",
        "public-straight-to-igw",
        "isolated-has-no-way-out",
        "private-ipv6-via-egress-only",
        "public-ipv6-via-igw",
        "isolated-ipv6-no-route",
        "public-to-app-local",
        "app-to-data-local",
        "ipv6-local",
        "vpc-free-space-nobody-there",
    ],
)
def test_trace(plan, source, destination, outcome, exit_, via_nat, delivered_to):
    path = trace(plan, source, destination)
    assert path.outcome == outcome
    assert path.exit == exit_
    assert path.via_nat == via_nat
    assert path.delivered_to == delivered_to
    assert path.hops[0].table == plan.route_table_for(source).name
    assert path.summary


def test_private_subnet_to_internet_goes_nat_then_igw(plan):
    path = trace(plan, "app-b", "198.51.100.7")
    assert [h.at for h in path.hops] == ["subnet app-b", "NAT gateway nat-a (in public-a)"]
    assert [h.decision.target for h in path.hops] == ["nat-a", "igw"]
    assert path.hops[1].table == "public"
    assert path.source_seen_as == "the Elastic IP of NAT gateway nat-a"
    assert any("AZ b to AZ a" in note for note in path.notes)


def test_per_az_nat_stays_in_its_az(plan_per_az):
    path = trace(plan_per_az, "app-b", "198.51.100.7")
    assert path.via_nat == "nat-b"
    assert path.hops[1].at == "NAT gateway nat-b (in public-b)"
    assert not any("AZ b to AZ a" in note for note in path.notes)


def test_igw_needs_a_public_ipv4_address(plan):
    with_ip = trace(plan, "public-a", "198.51.100.7")
    assert with_ip.outcome == "internet"
    assert with_ip.source_seen_as == "the sender's public IPv4 address"
    without = trace(plan, "public-a", "198.51.100.7", public_ip=False)
    assert without.outcome == "dropped"
    assert "no public IPv4 address" in without.summary
    # IPv6 needs no translation, so a public IPv4 address does not matter.
    assert trace(plan, "public-a", "2001:db8:ffff::1", public_ip=False).outcome == "internet"


def test_egress_only_gateway_is_noted_one_way(plan):
    path = trace(plan, "app-a", "2001:db8:ffff::1")
    assert path.exit == "eigw"
    assert any("cannot start a connection" in note for note in path.notes)


def test_unroutable_destination_is_noted(plan):
    path = trace(plan, "public-a", "172.16.0.1")
    assert path.outcome == "internet"
    assert any("does not route it" in note for note in path.notes)


def test_what_if_blackhole_route_overrides_local(plan):
    path = trace(plan, "public-a", "10.0.0.20", extra_routes=["10.0.0.0/24 blackhole"])
    assert path.outcome == "dropped"
    assert path.decision.route.destination == ipaddress.ip_network("10.0.0.0/24")


def test_ipv6_from_an_ipv4_only_subnet():
    v4_only = plan_network("10.0.0.0/16", ("a", "b"))
    path = trace(v4_only, "app-a", "2001:db8::1")
    assert path.outcome == "dropped"
    assert "no IPv6" in path.summary


def test_trace_bad_inputs(plan):
    with pytest.raises(ValueError, match="no such subnet"):
        trace(plan, "nowhere-a", "10.0.0.1")
    with pytest.raises(ValueError, match="not an IPv4 or IPv6"):
        trace(plan, "app-a", "banana")


def test_trace_to_dict_is_json_ready(plan):
    import json

    data = trace(plan, "app-a", "198.51.100.7").to_dict()
    assert json.loads(json.dumps(data))["via_nat"] == "nat-a"


# ------------------------------------------------------------------ from the internet


@pytest.mark.parametrize(
    ("subnet", "v4", "v6", "outbound", "phrase"),
    [
        ("app-a", False, False, "internet", "NAT gateway nat-a"),
        ("public-a", True, True, "internet", "public subnet"),
        ("data-a", False, False, "dropped", "no default route"),
    ],
    ids=["private-refused-but-reaches-out", "public-reachable", "isolated-neither-way"],
)
def test_inbound_from_internet(plan, subnet, v4, v6, outbound, phrase):
    report = inbound_from_internet(plan, subnet)
    assert report.reachable_ipv4 is v4
    assert report.reachable_ipv6 is v6
    assert report.reachable is (v4 or v6)
    assert report.outbound_ipv4.outcome == outbound
    assert any(phrase in reason for reason in report.reasons)


def test_private_subnet_refusal_names_the_reasons(plan):
    report = inbound_from_internet(plan, "app-b")
    text = " ".join(report.reasons)
    assert "no route to the internet gateway" in text
    assert "accepts no connection started from the internet" in text
    assert "egress-only internet gateway" in text
    assert report.outbound_ipv4.via_nat == "nat-a"
    assert report.summary == (
        "app-b cannot be reached from the internet, but it reaches the internet through nat-a."
    )


def test_inbound_ipv4_only_plan_has_no_ipv6_answer():
    report = inbound_from_internet(plan_network("10.0.0.0/16", ("a", "b")), "app-a")
    assert report.reachable_ipv6 is None
    assert report.outbound_ipv6 is None
