"""The network planner: AWS's rules as properties, one bad input per rule, JSON, tfvars, prices."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlab.net.subnets import find_overlaps
from cloudlab.vpc.plan import (
    PLACEHOLDER_IPV6,
    NetworkPlan,
    Route,
    RouteTablePlan,
    Tier,
    check_plan,
    parse_tiers,
    plan_network,
)
from cloudlab.vpc.prices import PRICES, nat_costs

# ------------------------------------------------------------------ properties


@st.composite
def requests(draw):
    """A random planning request (which may or may not fit)."""
    prefix = draw(st.integers(16, 24))
    second = draw(st.integers(0, 255))
    vpc = ipaddress.IPv4Network((f"10.{second}.0.0", prefix))
    n_azs = draw(st.integers(1, 4))
    kinds = draw(
        st.lists(st.sampled_from(["public", "private", "isolated"]), min_size=1, max_size=4)
    )
    tiers = []
    for i, kind in enumerate(kinds):
        if draw(st.booleans()):
            tiers.append(Tier(f"t{i}", kind, hosts=draw(st.integers(1, 3000))))
        else:
            tiers.append(Tier(f"t{i}", kind, prefix=draw(st.integers(20, 28))))
    has_public = "public" in kinds
    has_private = "private" in kinds
    nat = draw(st.sampled_from(["single", "per-az"])) if has_public and has_private else "none"
    return {
        "vpc_cidr": vpc,
        "azs": tuple("abcd"[:n_azs]),
        "tiers": tiers,
        "ipv6": draw(st.booleans()),
        "nat": nat,
        "spare_tiers": draw(st.integers(0, 2)),
        "alb": n_azs >= 2,
    }


def _block(tier: Tier) -> int:
    """Addresses AWS needs for one subnet of a tier: hosts + 5, rounded up, at least /28."""
    if tier.prefix is not None:
        return 1 << (32 - tier.prefix)
    size = 16
    while size < tier.hosts + 5:
        size *= 2
    return size


@settings(max_examples=150, deadline=None)
@given(requests())
def test_every_plan_keeps_aws_rules_or_says_why_not(request):
    tiers = request["tiers"]
    n_azs = len(request["azs"])
    needed = sum(_block(t) for t in tiers) * (n_azs + request["spare_tiers"])
    vpc = request["vpc_cidr"]
    if needed > vpc.num_addresses:
        with pytest.raises(ValueError, match="does not fit") as info:
            plan_network(**request)
        assert "\n" not in str(info.value)
        return
    plan = plan_network(**request)
    assert check_plan(plan) == []
    blocks = [s.cidr for s in plan.subnets]
    # No overlaps, everything inside the VPC, nothing lost: subnets + spare = the VPC.
    assert find_overlaps(blocks + list(plan.spare)) == []
    assert all(b.subnet_of(vpc) for b in blocks + list(plan.spare))
    assert sum(b.num_addresses for b in blocks + list(plan.spare)) == vpc.num_addresses
    for subnet in plan.subnets:
        tier = plan.tier(subnet.tier)
        assert 16 <= subnet.cidr.prefixlen <= 28
        assert subnet.cidr.num_addresses == _block(tier)  # the smallest block that is enough
        if tier.hosts is not None:
            assert subnet.cidr.num_addresses >= tier.hosts + 5
            assert subnet.usable >= tier.hosts
        assert subnet.az in request["azs"]
        table = plan.route_table_for(subnet.name)
        default = table.target_for("0.0.0.0/0")
        if subnet.kind == "public":
            assert default == "igw"
        elif subnet.kind == "isolated":
            assert table.routes == tuple(r for r in table.routes if r.target == "local")
        elif request["nat"] == "per-az":
            assert default == f"nat-{subnet.az}"
        elif request["nat"] == "single":
            assert default == "nat-a"
    # One subnet per tier per AZ.
    for tier in tiers:
        assert sorted(s.az for s in plan.subnets if s.tier == tier.name) == list(request["azs"])
    if request["ipv6"]:
        six = [s.ipv6_cidr for s in plan.subnets]
        assert all(n.prefixlen == 64 and n.subnet_of(plan.ipv6_cidr) for n in six)
        assert len(set(six)) == len(six)
        assert plan.ipv6_cidr.prefixlen == 56
    else:
        assert all(s.ipv6_cidr is None for s in plan.subnets)
    assert NetworkPlan.from_json(plan.to_json()) == plan


# ------------------------------------------------------------------ examples


def test_default_plan_is_the_books_network():
    plan = plan_network()
    assert [s.name for s in plan.subnets] == [
        "public-a",
        "public-b",
        "app-a",
        "app-b",
        "data-a",
        "data-b",
    ]
    assert str(plan.subnet("app-a").cidr) == "10.0.0.0/22"  # largest first, aligned
    assert plan.subnet("public-a").public
    assert not plan.subnet("app-a").public
    assert plan.nat_azs == ("a",)
    assert [t.name for t in plan.route_tables] == ["public", "private", "isolated"]
    assert plan.route_table_for("app-b").target_for("0.0.0.0/0") == "nat-a"
    assert plan.named_spare["app-spare"] == ipaddress.ip_network("10.0.8.0/22")
    assert plan.route_table("public").subnets == ("public-a", "public-b")


def test_per_az_nat_gives_each_private_subnet_its_own_table():
    plan = plan_network(azs=("a", "b", "c"), nat="per-az")
    assert plan.nat_azs == ("a", "b", "c")
    for az in "abc":
        table = plan.route_table_for(f"app-{az}")
        assert table.name == f"private-{az}"
        assert table.target_for("0.0.0.0/0") == f"nat-{az}"
        assert plan.nat_subnet(az).name == f"public-{az}"


def test_ipv6_routes_and_placeholder_block():
    plan = plan_network(ipv6=True)
    assert plan.ipv6_cidr == PLACEHOLDER_IPV6
    public = plan.route_table("public")
    assert public.target_for("::/0") == "igw"
    assert plan.route_table("private").target_for("::/0") == "eigw"
    assert plan.route_table("isolated").target_for("::/0") is None
    assert Route(PLACEHOLDER_IPV6, "local") in public.routes
    assert [plan.ipv6_index(s.name) for s in plan.subnets] == list(range(6))


def test_with_ipv6_moves_every_64_to_the_same_place_in_the_real_block():
    plan = plan_network(ipv6=True)
    real = plan.with_ipv6("2001:db8:1234:5600::/56")
    assert check_plan(real) == []
    assert str(real.subnet("app-a").ipv6_cidr) == "2001:db8:1234:5602::/64"
    assert real.route_table("public").target_for("2001:db8:1234:5600::/56") == "local"
    assert [real.ipv6_index(s.name) for s in real.subnets] == list(range(6))
    with pytest.raises(ValueError, match="is a /56"):
        plan.with_ipv6("2001:db8::/48")
    with pytest.raises(ValueError, match="no IPv6"):
        plan_network().with_ipv6("2001:db8::/56")


def test_tiers_as_tuples_and_a_string_of_az_letters():
    plan = plan_network("10.1.0.0/20", "ab", [("web", "public", None, 26), ("app", "private", 100)])
    assert [str(s.cidr) for s in plan.subnets] == [
        "10.1.1.128/26",
        "10.1.1.192/26",
        "10.1.0.0/25",
        "10.1.0.128/25",
    ]


# --------------------------------------------------------- one bad input per rule


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vpc_cidr": "10.0.0.0/8"}, "AWS VPC IPv4 block must be /16 to /28"),
        ({"vpc_cidr": "10.0.0.0/29"}, "AWS VPC IPv4 block must be /16 to /28"),
        ({"vpc_cidr": "fd00::/56"}, "give the VPC an IPv4 block"),
        ({"vpc_cidr": "banana"}, "VPC block: banana"),
        ({"tiers": [Tier("app", "private", prefix=29)]}, "/29 is not an AWS subnet size"),
        ({"tiers": [Tier("app", "private", prefix=15)]}, "/15 is not an AWS subnet size"),
        ({"tiers": [Tier("app", "private", hosts=65532)]}, "65,537 addresses"),
        ({"tiers": [Tier("app", "private", hosts=0)]}, "hosts must be a whole number of 1"),
        ({"tiers": [Tier("app", "private", hosts=5, prefix=24)]}, "not both"),
        ({"tiers": [Tier("app", "private")]}, "not neither"),
        ({"tiers": [Tier("app", "dmz", hosts=5)]}, "kind 'dmz' is not one of"),
        ({"tiers": [Tier("App Tier", "private", hosts=5)]}, "tier name 'App Tier'"),
        ({"tiers": [Tier("a", "public", hosts=5), Tier("a", "private", hosts=5)]}, "unique"),
        ({"tiers": []}, "at least one tier"),
        ({"azs": ("a",)}, "at least two Availability Zones"),
        ({"azs": ("a", "B")}, "AZ 'B': name each Availability Zone by its letter"),
        ({"azs": ("a", "us-x-1b")}, "by its letter"),
        ({"azs": ("a", "a")}, "listed twice"),
        ({"azs": ()}, "at least one Availability Zone"),
        ({"vpc_cidr": "10.0.0.0/24"}, "does not fit in 10.0.0.0/24"),
        ({"vpc_cidr": "10.0.0.0/20"}, "keep fewer spare blocks per tier (0 for none)"),
        ({"ipv6": "2001:db8::/48"}, "an Amazon-provided IPv6 block is a /56"),
        ({"nat": "both"}, "use 'single', 'per-az' or 'none'"),
        ({"tiers": [Tier("app", "private", hosts=5)]}, "has no public tier"),
        ({"tiers": [Tier("web", "public", hosts=5)]}, "nothing would send traffic"),
        ({"spare_tiers": -1}, "spare_tiers must be a whole number"),
        ({"name": "My Plan"}, "plan name 'My Plan'"),
    ],
)
def test_each_broken_rule_has_its_own_one_line_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        plan_network(**kwargs)
    assert "\n" not in str(info.value)


def test_a_reserved_address_makes_the_difference():
    # 11 hosts + 5 reserved = 16: a /28 is enough; 12 hosts need a /27.
    tier = [Tier("web", "public", hosts=11), Tier("app", "private", hosts=12)]
    plan = plan_network("10.0.0.0/24", tiers=tier)
    assert plan.subnet("web-a").cidr.prefixlen == 28
    assert plan.subnet("app-a").cidr.prefixlen == 27


def test_one_az_is_fine_without_a_load_balancer():
    plan = plan_network(azs=("a",), alb=False)
    assert [s.az for s in plan.subnets] == ["a", "a", "a"]


# ------------------------------------------------------- checking a built plan


@pytest.fixture
def plan() -> NetworkPlan:
    return plan_network(ipv6=True)


def _swap_subnet(plan: NetworkPlan, name: str, **changes) -> NetworkPlan:
    subnets = tuple(replace(s, **changes) if s.name == name else s for s in plan.subnets)
    return replace(plan, subnets=subnets)


def _swap_table(plan: NetworkPlan, name: str, **changes) -> NetworkPlan:
    tables = tuple(replace(t, **changes) if t.name == name else t for t in plan.route_tables)
    return replace(plan, route_tables=tables)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: replace(p, vpc_cidr=ipaddress.ip_network("10.0.0.0/15")), "/16 to /28"),
        (
            lambda p: _swap_subnet(p, "app-b", cidr=p.subnet("app-a").cidr),
            "overlap: subnets in one VPC must not overlap",
        ),
        (
            lambda p: _swap_subnet(p, "data-a", cidr=ipaddress.ip_network("10.9.0.0/24")),
            "not inside the VPC block",
        ),
        (
            lambda p: _swap_subnet(p, "data-a", cidr=ipaddress.ip_network("10.0.14.0/29")),
            "an AWS IPv4 subnet must be /16 to /28",
        ),
        (
            lambda p: _swap_subnet(p, "app-a", cidr=ipaddress.ip_network("10.0.0.0/23")),
            "needs 1,000 hosts + 5 reserved = 1,005 addresses",
        ),
        (
            lambda p: _swap_subnet(p, "app-a", ipv6_cidr=ipaddress.ip_network("2001:db8::/60")),
            "must be a /64",
        ),
        (
            lambda p: _swap_subnet(p, "app-a", ipv6_cidr=ipaddress.ip_network("2001:db8:1::/64")),
            "is not inside 2001:db8::/56",
        ),
        (lambda p: _swap_subnet(p, "app-a", az="c"), "AZ 'c' is not one of the plan's AZs"),
        (
            lambda p: _swap_table(p, "isolated", subnets=("data-a", "data-b", "app-a")),
            "subnet app-a is associated with 2 route tables",
        ),
        (
            lambda p: _swap_table(
                p,
                "private",
                routes=(*p.route_table("private").routes[:2], Route(_net("0.0.0.0/0"), "nat-b")),
            ),
            "no NAT gateway in AZ 'b'",
        ),
        (
            lambda p: _swap_table(p, "isolated", routes=(Route(_net("::/0"), "eigw"),)),
            "the local route for 10.0.0.0/16 is missing",
        ),
        (
            lambda p: _swap_table(
                p,
                "public",
                routes=(*p.route_table("public").routes, Route(_net("0.0.0.0/0"), "eigw")),
            ),
            "egress-only internet gateway carries IPv6 only",
        ),
        (lambda p: replace(p, azs=("a",)), "at least two Availability Zones"),
        (lambda p: replace(p, nat="sometimes"), "use 'single', 'per-az' or 'none'"),
        (
            lambda p: replace(p, route_tables=(*p.route_tables, RouteTablePlan("x", (), ()))),
            "route table x: the local route",
        ),
    ],
)
def test_check_plan_finds_each_broken_rule(plan, mutate, message):
    problems = check_plan(mutate(plan))
    assert any(message in p for p in problems), problems
    with pytest.raises(ValueError, match=r".") as info:
        mutate(plan).validate()
    assert "\n" not in str(info.value)


def _net(text: str):
    return ipaddress.ip_network(text)


# ------------------------------------------------------------------ JSON, tables


def test_json_round_trip_and_files(tmp_path, plan):
    text = plan.to_json()
    data = json.loads(text)
    assert data["format"] == "cloudlab.vpc.plan/1"
    assert data["subnets"][0]["cidr"] == str(plan.subnets[0].cidr)
    assert NetworkPlan.from_json(text) == plan
    path = plan.save(tmp_path / "plan.json")
    assert NetworkPlan.load(path) == plan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ('{"format": "something else"}', "not a cloudlab VPC plan"),
        ('{"format": "cloudlab.vpc.plan/1", "name": "x"}', "'vpc_cidr' is missing"),
    ],
)
def test_bad_json_is_refused_in_one_line(text, message):
    with pytest.raises(ValueError, match=message):
        NetworkPlan.from_json(text)


def test_json_that_breaks_a_rule_is_refused(plan):
    data = plan.to_dict()
    data["subnets"][1]["cidr"] = data["subnets"][0]["cidr"]
    with pytest.raises(ValueError, match="overlap"):
        NetworkPlan.from_dict(data)


def test_rows_and_text_table(plan):
    rows = plan.to_rows()
    first = rows[0]
    assert first["subnet"] == "public-a"
    assert first["internet"] == "internet gateway"
    assert first["usable"] == "251"
    assert first["ipv6"] == "2001:db8::/64"
    assert rows[2]["internet"] == "NAT gateway in AZ a"
    assert rows[4]["internet"] == "no internet route"
    assert any(r["kind"] == "spare" and r["subnet"] == "app-spare" for r in rows)
    assert len(plan.to_rows(spare=False)) == len(plan.subnets)
    text = plan.to_text()
    assert "app-b" in text
    assert "10.0.4.0/22" in text
    assert "NAT gateway in AZ a" in text
    assert str(plan) == text


# ------------------------------------------------------------------ Terraform


def test_tfvars_export(tmp_path):
    plan = plan_network(azs=("a", "b", "c"), ipv6=True, nat="per-az", name="shop")
    tfvars = plan.to_tfvars()
    assert tfvars["vpc_cidr"] == "10.0.0.0/16"
    assert tfvars["azs"] == ["a", "b", "c"]
    assert tfvars["az_count"] == 3
    assert tfvars["enable_ipv6"] is True
    assert tfvars["nat_mode"] == "per-az"
    assert tfvars["public_subnet_cidrs"] == [str(plan.subnet(f"public-{az}").cidr) for az in "abc"]
    assert tfvars["private_subnet_cidrs"] == [str(plan.subnet(f"app-{az}").cidr) for az in "abc"]
    assert tfvars["isolated_subnet_names"] == ["data-a", "data-b", "data-c"]
    assert tfvars["private_subnet_ipv6_netnums"] == [3, 4, 5]
    assert tfvars["tags"] == {"cloudlab:plan": "shop"}
    assert not any("region" in key for key in tfvars)
    path = plan.write_tfvars(tmp_path / "terraform.tfvars.json")
    assert json.loads(path.read_text()) == tfvars
    v4 = plan_network().to_tfvars()
    assert v4["enable_ipv6"] is False
    assert "public_subnet_ipv6_netnums" not in v4
    assert v4["nat_mode"] == "single"


# ------------------------------------------------------------------ parsing tiers


def test_parse_tiers():
    tiers = parse_tiers("public public /24\n# the app\napp, private, 1_000\n\ndata isolated /26")
    assert tiers == [
        Tier("public", "public", prefix=24),
        Tier("app", "private", hosts=1000),
        Tier("data", "isolated", prefix=26),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app private", "line 1"),
        ("app private lots", "neither a host count"),
        ("app private /x", "not a prefix"),
        ("   \n# nothing", "at least one tier"),
    ],
)
def test_parse_tiers_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_tiers(text)


# ------------------------------------------------------------------ prices


def test_prices_are_dated_and_sourced():
    for price in PRICES.values():
        assert price.read == "2026-11-28"
        assert price.source
    assert PRICES["nat-gateway"].usd_per_hour == 0.045


def test_nat_costs_single_vs_per_az():
    single = nat_costs(3, "single", gb_per_month=300)
    per_az = nat_costs(3, "per-az", gb_per_month=300)
    assert single["gateways"] == 1
    assert per_az["gateways"] == 3
    assert single["fixed_usd"] == pytest.approx(0.05 * 730)
    assert per_az["fixed_usd"] == pytest.approx(3 * 0.05 * 730)
    assert single["processing_usd"] == per_az["processing_usd"] == pytest.approx(300 * 0.045)
    assert single["cross_az_usd"] == pytest.approx(200 * 0.02)  # two thirds cross, both ways
    assert per_az["cross_az_usd"] == 0
    assert nat_costs(2, "none")["total_usd"] == 0
    with pytest.raises(ValueError, match="use 'single'"):
        nat_costs(2, "many")
