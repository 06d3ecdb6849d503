"""Widget tests for the route lookup and the flow checker: set values, click, check results."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from cloudlab.vpc.plan import plan_network
from cloudlab.widgets.vpc_flows import (
    ENDPOINTS,
    NACL_PRESETS,
    endpoint,
    make_flow_checker_ui,
    make_route_lookup_ui,
)


@pytest.fixture(scope="module")
def plan():
    return plan_network("10.0.0.0/16", ("a", "b"), ipv6=True)


# ------------------------------------------------------------------ route lookup


def test_route_lookup_is_returned_not_displayed_and_computes():
    ui = make_route_lookup_ui()
    assert isinstance(ui, widgets.VBox)
    assert ui.subnet.value == "app-a"  # first private subnet
    assert ui.result.outcome == "internet"
    assert ui.result.via_nat == "nat-a"
    assert ui.error.value == ""
    assert "out to the internet" in ui.summary.value
    assert "NAT gateway nat-a (in public-a)" in ui.tables.value
    assert "not reachable" in ui.inbound.value


@pytest.mark.parametrize(
    ("subnet", "destination", "outcome", "winner"),
    [
        ("app-a", "10.0.13.7", "local", "10.0.0.0/16"),
        ("public-a", "198.51.100.7", "internet", "0.0.0.0/0"),
        ("data-b", "198.51.100.7", "dropped", None),
        ("app-b", "2001:db8:ffff::9", "internet", "::/0"),
    ],
    ids=["local", "public-igw", "isolated-no-route", "ipv6-eigw"],
)
def test_route_lookup_updates_with_values(plan, subnet, destination, outcome, winner):
    ui = make_route_lookup_ui(plan)
    ui.subnet.value = subnet
    ui.destination.value = destination
    ui.button.click()
    assert ui.result.outcome == outcome
    decision = ui.result.decision
    if winner is None:
        assert decision.route is None
        assert "no route: dropped" in ui.reason.value
    else:
        assert str(decision.route.destination) == winner
        assert "&#9664; wins" in ui.tables.value


def test_route_lookup_highlights_the_more_specific_what_if_route(plan):
    ui = make_route_lookup_ui(plan, subnet="public-a", destination="10.0.0.20")
    assert ui.result.delivered_to == "app-a"
    ui.extra.value = "10.0.0.0/24 blackhole"
    ui.button.click()
    assert ui.result.dropped
    assert str(ui.result.decision.route.destination) == "10.0.0.0/24"
    assert "/24 (10.0.0.0/24) is the most specific" in ui.reason.value
    # The winning row is the highlighted one.
    winner_row = ui.tables.value.split("&#9664; wins")[0].rsplit("<tr", 1)[1]
    assert "10.0.0.0/24" in winner_row
    assert "background" in winner_row


def test_route_lookup_public_ip_checkbox(plan):
    ui = make_route_lookup_ui(plan, subnet="public-a")
    assert ui.result.outcome == "internet"
    ui.public_ip.value = False
    assert ui.result.outcome == "dropped"
    assert "no public IPv4 address" in ui.summary.value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("destination", "banana", "banana: not an IPv4 or IPv6"),
        ("destination", "10.0.0.0/24", "expected one address"),
        ("destination", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("extra", "10.0.0.0/33 blackhole", "an IPv4 prefix is 0–32"),
        ("extra", "10.0.0.0/24", "write a route as"),
        ("extra", "10.0.0.0/16 igw", "two routes for 10.0.0.0/16"),
    ],
    ids=["not-an-address", "a-network", "escaped", "bad-route-cidr", "route-no-target", "dup"],
)
def test_route_lookup_errors_show_inline(plan, field, value, message):
    ui = make_route_lookup_ui(plan)
    getattr(ui, field).value = value
    ui.button.click()
    assert ui.result is None
    assert message in ui.error.value
    assert "<b>" not in ui.error.value
    assert "\n" not in ui.error.value
    assert ui.tables.value == ui.summary.value == ""
    getattr(ui, field).value = "" if field == "extra" else "198.51.100.7"  # recovers
    assert ui.error.value == ""
    assert ui.result is not None


# ------------------------------------------------------------------ flow checker


def test_flow_checker_is_returned_not_displayed_and_computes():
    ui = make_flow_checker_ui()
    assert isinstance(ui, widgets.VBox)
    assert ui.result.allowed
    assert ui.result.works
    assert "request allowed" in ui.verdict.value
    assert "reply gets back" in ui.verdict.value
    assert "sg-alb inbound: tcp 443 from 0.0.0.0/0" in ui.request.value
    assert "stateful" in ui.reply.value
    assert ui.source_other.layout.display == "none"


@pytest.mark.parametrize(
    ("source", "destination", "port", "version", "allowed", "text"),
    [
        (ENDPOINTS[0], ENDPOINTS[1], "443", "IPv4", True, "tcp 443 from 0.0.0.0/0"),
        (ENDPOINTS[0], ENDPOINTS[1], "443", "IPv6", True, "tcp 443 from ::/0"),
        (ENDPOINTS[1], ENDPOINTS[2], "5000", "IPv4", True, "tcp 5000 from sg-alb"),
        (ENDPOINTS[0], ENDPOINTS[2], "5000", "IPv4", False, "request denied"),
        (ENDPOINTS[0], ENDPOINTS[1], "22", "IPv4", False, "only allow rules"),
    ],
    ids=["alb-443", "alb-443-ipv6", "alb-to-app", "internet-to-app", "ssh"],
)
def test_flow_checker_flows(plan, source, destination, port, version, allowed, text):
    ui = make_flow_checker_ui(plan)
    ui.version.value = version
    ui.source.value = source
    ui.destination.value = destination
    ui.port.value = port
    ui.button.click()
    assert ui.result.allowed is allowed
    assert text in ui.verdict.value + ui.request.value


def test_flow_checker_internet_to_app_also_has_no_route(plan):
    ui = make_flow_checker_ui(plan, destination="app task (sg-app)", port=5000)
    assert not ui.result.allowed
    assert "no path" in ui.routing.value
    assert "cannot be reached from the internet" in ui.routing.value


def test_flow_checker_nacl_without_ephemeral_breaks_the_reply(plan):
    ui = make_flow_checker_ui(plan)
    ui.nacl.value = NACL_PRESETS[2]
    ui.button.click()
    assert ui.result.allowed
    assert not ui.result.return_allowed
    assert "reply blocked" in ui.verdict.value
    assert "final &#x27;*&#x27; rule" in ui.reply.value
    ui.nacl.value = NACL_PRESETS[1]
    assert ui.result.works


def test_flow_checker_custom_deny_before_allow(plan):
    ui = make_flow_checker_ui(plan)
    ui.add_deny.value = True  # default: rule 90, deny tcp 443 from 203.0.113.0/24, inbound
    ui.button.click()
    assert not ui.result.allowed
    assert ui.result.blocked_by.matched.number == 90
    assert "rule 90: deny tcp 443 from 203.0.113.0/24" in ui.request.value
    assert "first match decides" in ui.verdict.value
    ui.deny_cidr.value = "192.0.2.0/24"  # someone else's network: the allow applies again
    assert ui.result.allowed


def test_flow_checker_other_address(plan):
    ui = make_flow_checker_ui(plan)
    ui.source.value = "other address"
    ui.source_other.value = "10.0.14.20"  # an instance in data-a without our groups
    ui.destination.value = "app task (sg-app)"
    ui.port.value = "5000"
    assert ui.source_other.layout.display is None
    assert not ui.result.allowed
    assert ui.result.flow.source.subnet == "data-a"
    assert "Delivered inside the VPC" in ui.routing.value


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"port": "70000"}, "70000: a port number is 0–65535"),
        ({"port": ""}, "needs a destination port"),
        ({"protocol": "icmp"}, "icmp has no port numbers"),
        ({"source": "other address", "source_other": "10.0.0.300"}, "each of the 4 numbers"),
        ({"source": "other address", "source_other": "<i>"}, "&lt;i&gt;"),
        ({"add_deny": True, "deny_ports": "99999"}, "99999: a port number is 0–65535"),
        ({"add_deny": True, "deny_number": "40000"}, "rule number is 1–32766"),
        ({"add_deny": True, "deny_number": "100"}, "rule number 100 is used twice"),
        ({"add_deny": True, "deny_cidr": "nope"}, "nope: not an IPv4 or IPv6"),
    ],
    ids=[
        "port-70000",
        "no-port",
        "icmp-with-port",
        "bad-other-address",
        "escaped",
        "deny-port",
        "deny-number",
        "deny-duplicate",
        "deny-cidr",
    ],
)
def test_flow_checker_errors_show_inline(plan, setup, message):
    ui = make_flow_checker_ui(plan)
    for name, value in setup.items():
        getattr(ui, name).value = value
    ui.button.click()
    assert ui.result is None
    assert message in ui.error.value
    assert "<i>" not in ui.error.value
    assert "\n" not in ui.error.value
    assert ui.verdict.value == ui.request.value == ui.reply.value == ""


def test_flow_checker_ipv6_needs_an_ipv6_plan():
    ui = make_flow_checker_ui(plan_network("10.0.0.0/16", ("a", "b")))
    assert ui.result.allowed
    ui.version.value = "IPv6"
    assert ui.result is None
    assert "has no IPv6 CIDR" in ui.error.value


def test_endpoint_addresses_come_from_the_plan(plan):
    alb = endpoint(plan, "load balancer (sg-alb)")
    assert alb.subnet == "public-a"
    assert alb.groups == ("sg-alb",)
    assert alb.address == plan.subnet("public-a").cidr[10]
    app6 = endpoint(plan, "app task (sg-app)", 6)
    assert app6.address in plan.subnet("app-a").ipv6_cidr
    with pytest.raises(ValueError, match="choose one of"):
        endpoint(plan, "database")
