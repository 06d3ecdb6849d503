"""Security groups and network ACLs: flows, matched rules, and the return traffic."""

from __future__ import annotations

import ipaddress

import pytest

from cloudlab.vpc.firewall import (
    ALB_GROUP,
    APP_GROUP,
    APP_PORT,
    BOOK_GROUPS,
    Endpoint,
    Flow,
    GroupRef,
    NaclRule,
    NetworkAcl,
    SecurityGroup,
    default_nacl,
    evaluate_flow,
    nacl_rule,
    parse_peer,
    parse_ports,
    parse_protocol,
    sg_rule,
    web_nacl,
)

CLIENT = Endpoint("internet client", "203.0.113.10")
CLIENT6 = Endpoint("internet client", "2001:db8:ffff:ffff::10")
ALB = Endpoint("load balancer", "10.0.12.10", ("sg-alb",), "public-a")
ALB6 = Endpoint("load balancer", "2001:db8::10", ("sg-alb",), "public-a")
APP = Endpoint("app task", "10.0.0.10", ("sg-app",), "app-a")
APP_B = Endpoint("app task", "10.0.4.10", ("sg-app",), "app-b")
STRANGER = Endpoint("instance without our groups", "10.0.14.20", (), "data-a")


# ------------------------------------------------------------------ the book's groups


@pytest.mark.parametrize(
    ("source", "destination", "port", "allowed", "deciding_key", "rule"),
    [
        (CLIENT, ALB, 443, True, "destination-sg", "sg-alb inbound: tcp 443 from 0.0.0.0/0"),
        (CLIENT, ALB, 80, True, "destination-sg", "sg-alb inbound: tcp 80 from 0.0.0.0/0"),
        (CLIENT6, ALB6, 443, True, "destination-sg", "sg-alb inbound: tcp 443 from ::/0"),
        (ALB, APP, APP_PORT, True, "destination-sg", "sg-app inbound: tcp 5000 from sg-alb"),
        (ALB, APP_B, APP_PORT, True, "source-sg", "sg-alb outbound: tcp 5000 to sg-app"),
        (CLIENT, APP, APP_PORT, False, "destination-sg", None),
        (CLIENT, ALB, 22, False, "destination-sg", None),
        (CLIENT, APP, 22, False, "destination-sg", None),
        (STRANGER, APP, APP_PORT, False, "destination-sg", None),
        (ALB, APP, 22, False, "source-sg", None),
        (APP, CLIENT, 443, True, "source-sg", "sg-app outbound: all traffic to 0.0.0.0/0"),
    ],
    ids=[
        "alb-443-from-internet",
        "alb-80-from-internet",
        "alb-443-from-ipv6-anywhere",
        "app-port-from-alb-group",
        "alb-may-send-only-to-app-group",
        "app-port-from-internet-denied",
        "ssh-to-alb-denied",
        "ssh-to-app-denied",
        "app-port-from-non-member-denied",
        "alb-cannot-send-ssh",
        "app-default-egress-to-internet",
    ],
)
def test_book_groups(source, destination, port, allowed, deciding_key, rule):
    verdict = evaluate_flow(Flow(source, destination, "tcp", port))
    assert verdict.allowed is allowed
    check = verdict.check(deciding_key)
    assert check.applies
    assert check.allowed is allowed
    assert check.rule == rule
    if not allowed:
        assert verdict.blocked_by is not None
        assert verdict.blocked_by.layer == "security group"
        assert "only allow rules" in verdict.blocked_by.explanation
        assert not verdict.return_allowed
        assert verdict.explanation.startswith("Blocked")


def test_group_reference_is_explained_as_membership():
    check = evaluate_flow(Flow(ALB, APP, "tcp", APP_PORT)).check("destination-sg")
    assert isinstance(check.matched.peer, GroupRef)
    assert "load balancer is a member of sg-alb" in check.explanation


def test_app_group_states_the_default_egress_rule():
    rules = [r.text("outbound") for r in APP_GROUP.outbound]
    assert "all traffic to 0.0.0.0/0" in rules
    assert "AWS's default outbound rule" in APP_GROUP.outbound[0].description
    assert [r.text("inbound") for r in APP_GROUP.inbound] == ["tcp 5000 from sg-alb"]
    assert {r.text("inbound") for r in ALB_GROUP.inbound} == {
        "tcp 80 from 0.0.0.0/0",
        "tcp 80 from ::/0",
        "tcp 443 from 0.0.0.0/0",
        "tcp 443 from ::/0",
    }


def test_outside_endpoints_have_no_firewall_of_ours():
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443))
    assert not verdict.check("source-sg").applies
    assert not verdict.check("source-nacl").applies
    assert verdict.check("destination-nacl").applies


# ------------------------------------------------------------------ return traffic


def test_security_groups_are_stateful():
    # sg-alb has no outbound rule to the internet, yet the reply to a client gets back.
    assert not any(r.matches("tcp", 50000, CLIENT.address, ()) for r in ALB_GROUP.outbound)
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443))
    assert verdict.works
    reply = verdict.check("destination-sg", reply=True)
    assert reply.allowed
    assert "stateful" in reply.explanation
    assert verdict.return_flow.source == ALB
    assert verdict.return_flow.port == 50000
    assert verdict.return_flow.source_port == 443


def test_reply_to_app_task_from_internet_is_stateful_too():
    # sg-app allows nothing in from the internet, but replies to its own requests come back.
    verdict = evaluate_flow(Flow(APP, CLIENT, "tcp", 443))
    assert verdict.works
    assert "stateful" in verdict.check("source-sg", reply=True).explanation


@pytest.mark.parametrize(
    ("nacl", "request_ok", "reply_ok", "reply_blocker"),
    [
        (default_nacl(), True, True, None),
        (web_nacl("10.0.0.0/16", ephemeral=True), True, True, None),
        (web_nacl("10.0.0.0/16", ephemeral=False), True, False, "*"),
    ],
    ids=["default-nacl", "web-nacl-with-ephemeral", "web-nacl-without-ephemeral"],
)
def test_nacl_return_traffic_needs_ephemeral_ports(nacl, request_ok, reply_ok, reply_blocker):
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443), nacls={"public-a": nacl})
    assert verdict.allowed is request_ok
    assert verdict.return_allowed is reply_ok
    if reply_blocker is None:
        assert verdict.return_blocked_by is None
    else:
        blocker = verdict.return_blocked_by
        assert blocker.layer == "network ACL"
        assert blocker.direction == "outbound"
        assert blocker.matched.label == reply_blocker
        assert "tcp 50000" in blocker.explanation
        assert "stateless" in verdict.explanation


def test_alb_to_app_reply_needs_inbound_ephemeral_on_public_subnet():
    with_rules = {"public-a": web_nacl(ephemeral=True)}
    without = {"public-a": web_nacl(ephemeral=False)}
    flow = Flow(ALB, APP, "tcp", APP_PORT)
    assert evaluate_flow(flow, nacls=with_rules).works
    verdict = evaluate_flow(flow, nacls=without)
    assert verdict.allowed
    assert not verdict.return_allowed
    assert verdict.return_blocked_by.key == "source-nacl"
    assert verdict.return_blocked_by.direction == "inbound"


def test_client_ephemeral_port_outside_a_narrow_rule():
    narrow = NetworkAcl(
        "narrow",
        inbound=(nacl_rule(100, "allow", "tcp", 443, "0.0.0.0/0"),),
        outbound=(nacl_rule(100, "allow", "tcp", "49152-65535", "0.0.0.0/0"),),
    )
    linux_client = Flow(CLIENT, ALB, "tcp", 443, source_port=33000)  # Linux picks 32768–61000
    windows_client = Flow(CLIENT, ALB, "tcp", 443, source_port=50000)
    assert not evaluate_flow(linux_client, nacls={"public-a": narrow}).return_allowed
    assert evaluate_flow(windows_client, nacls={"public-a": narrow}).return_allowed


# ------------------------------------------------------------------ network ACL order


def test_nacl_deny_with_lower_number_beats_allow():
    nacl = default_nacl().with_rule("inbound", nacl_rule(90, "deny", "tcp", 443, "203.0.113.0/24"))
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443), nacls={"public-a": nacl})
    assert not verdict.allowed
    check = verdict.blocked_by
    assert check.key == "destination-nacl"
    assert check.matched.number == 90
    assert check.rule == "rule 90: deny tcp 443 from 203.0.113.0/24"
    assert "first match decides" in check.explanation
    assert "rule 100: allow all traffic from 0.0.0.0/0" in check.explanation


def test_nacl_allow_with_lower_number_beats_deny():
    nacl = default_nacl().with_rule("inbound", nacl_rule(110, "deny", "tcp", 443, "0.0.0.0/0"))
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443), nacls={"public-a": nacl})
    assert verdict.allowed
    assert verdict.check("destination-nacl").matched.number == 100


def test_deny_for_another_client_does_not_match():
    nacl = default_nacl().with_rule("inbound", nacl_rule(90, "deny", "tcp", 443, "192.0.2.0/24"))
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443), nacls={"public-a": nacl})
    assert verdict.allowed
    assert (
        "rule 90 was checked first and did not match"
        in verdict.check("destination-nacl").explanation
    )


def test_rules_are_evaluated_in_number_order_not_insertion_order():
    nacl = NetworkAcl(
        "custom",
        inbound=(
            nacl_rule(200, "allow", "all", None, "0.0.0.0/0"),
            nacl_rule(50, "deny", "tcp", "400-500", "0.0.0.0/0"),
        ),
    )
    assert [r.label for r in nacl.rules("inbound")] == ["50", "200", "*", "*"]
    assert nacl.evaluate("inbound", "tcp", 443, CLIENT.address).number == 50
    assert nacl.evaluate("inbound", "udp", 443, CLIENT.address).number == 200


def test_empty_custom_nacl_denies_everything_with_star():
    empty = NetworkAcl("empty")
    verdict = evaluate_flow(Flow(CLIENT, ALB, "tcp", 443), nacls={"public-a": empty})
    assert not verdict.allowed
    assert verdict.blocked_by.matched.label == "*"
    assert "final '*' rule" in verdict.blocked_by.explanation


def test_ipv6_needs_its_own_nacl_rule():
    v4_only = default_nacl(ipv6=False)
    verdict = evaluate_flow(Flow(CLIENT6, ALB6, "tcp", 443), nacls=v4_only)
    assert not verdict.allowed
    assert verdict.blocked_by.matched.label == "*"
    dual = evaluate_flow(Flow(CLIENT6, ALB6, "tcp", 443), nacls=default_nacl())
    assert dual.check("destination-nacl").matched.number == 101


def test_same_subnet_traffic_skips_the_nacl():
    other_alb = Endpoint("second load balancer node", "10.0.12.11", ("sg-alb",), "public-a")
    group = SecurityGroup(
        "sg-alb",
        "self-referencing",
        inbound=(sg_rule("tcp", 443, "sg-alb"),),
        outbound=(sg_rule("all", None, "0.0.0.0/0"),),
    )
    verdict = evaluate_flow(
        Flow(ALB, other_alb, "tcp", 443), groups=[group], nacls=NetworkAcl("deny-all")
    )
    assert verdict.works
    assert not verdict.check("source-nacl").applies
    assert "same subnet" in verdict.check("destination-nacl").explanation


def test_icmp_flows_have_no_ports():
    pinger = SecurityGroup(
        "sg-ping", "ping from anywhere", inbound=(sg_rule("icmp", None, "0.0.0.0/0"),)
    )
    target = Endpoint("pingable", "10.0.12.20", ("sg-ping",), "public-a")
    verdict = evaluate_flow(Flow(CLIENT, target, "icmp"), groups=[pinger])
    assert verdict.works
    assert verdict.flow.port is None
    assert verdict.return_flow.port is None
    assert not evaluate_flow(Flow(CLIENT, ALB, "icmp")).allowed


# ------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Flow(CLIENT, ALB, "tcp", 70000), "70000: a port number is 0–65535"),
        (lambda: Flow(CLIENT, ALB, "tcp", -1), "-1: a port number is 0–65535"),
        (lambda: Flow(CLIENT, ALB, "tcp", "https"), "https: a port is a whole number"),
        (lambda: Flow(CLIENT, ALB, "gre", 443), "gre: unknown protocol"),
        (lambda: Flow(CLIENT, ALB, "all", 443), "a flow is one protocol"),
        (lambda: Flow(CLIENT, ALB, "tcp"), "needs a destination port"),
        (lambda: Flow(CLIENT, ALB, "icmp", 8), "icmp has no port numbers"),
        (lambda: Flow(CLIENT6, ALB, "tcp", 443), "a packet is one or the other"),
        (lambda: Endpoint("x", "10.0.0.0/24"), "expected one address"),
        (lambda: sg_rule("tcp", 443, "10.0.0.0/33"), "10.0.0.0/33: an IPv4 prefix is 0–32"),
        (lambda: sg_rule("tcp", "443-80", "0.0.0.0/0"), "must not be above the last"),
        (lambda: sg_rule("tcp", 70000, "0.0.0.0/0"), "70000: a port number is 0–65535"),
        (lambda: sg_rule("icmp", 443, "0.0.0.0/0"), "icmp rules have no port numbers"),
        (lambda: sg_rule("sctp", 443, "0.0.0.0/0"), "sctp: unknown protocol"),
        (lambda: nacl_rule(0, "allow", "all", None, "0.0.0.0/0"), "rule number is 1–32766"),
        (lambda: nacl_rule(32767, "allow", "all", None, "0.0.0.0/0"), "rule number is 1–32766"),
        (lambda: nacl_rule(100, "permit", "all", None, "0.0.0.0/0"), "either allows or denies"),
        (lambda: nacl_rule(100, "deny", "tcp", 22, "banana"), "banana: not an IPv4 or IPv6"),
        (
            lambda: default_nacl().with_rule(
                "inbound", nacl_rule(100, "deny", "all", None, "::/0")
            ),
            "rule number 100 is used twice",
        ),
        (lambda: default_nacl().rules("sideways"), "inbound or outbound"),
        (
            lambda: evaluate_flow(
                Flow(CLIENT, Endpoint("db", "10.0.14.5", ("sg-db",), "data-a"), "tcp", 5432)
            ),
            "sg-db: no such security group",
        ),
    ],
    ids=[
        "port-70000",
        "negative-port",
        "port-name",
        "unknown-protocol",
        "flow-protocol-all",
        "missing-port",
        "icmp-with-port",
        "mixed-families",
        "endpoint-network",
        "malformed-cidr",
        "reversed-range",
        "rule-port-70000",
        "icmp-rule-with-port",
        "rule-unknown-protocol",
        "nacl-number-0",
        "nacl-number-reserved",
        "nacl-bad-action",
        "nacl-bad-cidr",
        "nacl-duplicate-number",
        "bad-direction",
        "unknown-group",
    ],
)
def test_bad_inputs_raise_one_line_value_errors(build, message):
    with pytest.raises(ValueError, match=message) as caught:
        build()
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TCP", "tcp"), ("6", "tcp"), ("17", "udp"), ("1", "icmp"), ("-1", "all"), (" all ", "all")],
)
def test_protocol_aliases(text, expected):
    assert parse_protocol(text) == expected


@pytest.mark.parametrize(
    ("value", "protocol", "expected"),
    [
        (443, "tcp", (443, 443)),
        ("1024-65535", "tcp", (1024, 65535)),
        ("1024–65535", "udp", (1024, 65535)),
        ((80, 81), "tcp", (80, 81)),
        ("", "tcp", None),
        ("all", "udp", None),
        (None, "icmp", None),
        (None, "all", None),
    ],
)
def test_parse_ports(value, protocol, expected):
    assert parse_ports(value, protocol) == expected


def test_parse_peer():
    assert parse_peer("sg-app") == GroupRef("sg-app")
    assert parse_peer("10.0.0.5/16") == ipaddress.ip_network("10.0.0.0/16")


def test_default_nacl_matches_aws():
    nacl = default_nacl()
    labels = [(r.label, r.action, str(r.cidr)) for r in nacl.rules("inbound")]
    assert labels == [
        ("100", "allow", "0.0.0.0/0"),
        ("101", "allow", "::/0"),
        ("*", "deny", "0.0.0.0/0"),
        ("*", "deny", "::/0"),
    ]
    assert nacl.rules("outbound") == nacl.rules("inbound")


def test_book_groups_by_name():
    assert set(BOOK_GROUPS) == {"sg-alb", "sg-app"}
    assert isinstance(BOOK_GROUPS["sg-alb"].inbound[0], type(sg_rule("tcp", 1, "::/0")))
    assert NaclRule(None, "deny", "all", None, "0.0.0.0/0").label == "*"
