"""One regression test per library and widget defect of issue 11 (items 6-16).

Each fails on the code before the fix: a TypeError/OverflowError escaped, a wrong answer
was given, or a widget kept the picture of an earlier input under its error line.
"""

from __future__ import annotations

import math
import time

import pytest

from cloudlab.cli import main
from cloudlab.compute.costs import Workload, compare
from cloudlab.compute.prices import check_fargate_size
from cloudlab.net.addresses import classify, describe, parse_network
from cloudlab.net.aws import aws_usable
from cloudlab.net.subnets import MAX_HOST_COUNTS, vlsm
from cloudlab.vpc.firewall import Endpoint, parse_port
from cloudlab.vpc.plan import parse_tiers, plan_network
from cloudlab.web.fingerprint import crowd, estimate_bits, measure_entropy, one_in
from cloudlab.widgets import (
    make_autoscaling_ui,
    make_blue_green_ui,
    make_cost_comparison_ui,
    make_decision_helper_ui,
    make_entropy_calculator_ui,
    make_ip_calculator_ui,
    make_subnet_splitter_ui,
    make_vlsm_planner_ui,
    make_vpc_planner_ui,
)
from cloudlab.widgets.common import showing


# 6. compute.costs
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("traffic_gb", math.nan),
        ("lcus", math.inf),
        ("azs", math.nan),
        ("nat_gateways", math.inf),
        ("azs", 2.5),
        ("hours", None),
        ("hours", "2"),
        ("tasks", 10**400),
    ],
)
def test_workload_refuses_non_numbers_with_a_value_error(field, value):
    with pytest.raises(ValueError, match=field):
        compare(Workload(**{field: value}))


def test_cost_widget_shows_an_error_for_nan_not_a_nan_total():
    ui = make_cost_comparison_ui()
    assert showing(ui.plot) is not None
    ui.traffic.value = math.nan
    assert "NAT traffic (GB/month) = nan" in ui.error.value  # the control's label (item 16)
    assert "traffic_gb" not in ui.error.value
    assert "nan" not in ui.table.value.lower()
    assert showing(ui.plot) is None


# 7. web.fingerprint overflow
@pytest.mark.parametrize(
    "call", [lambda: one_in(1024), lambda: crowd(1100, 1e6), lambda: crowd(10, 10**400)]
)
def test_crowd_figures_do_not_overflow(call):
    with pytest.raises(ValueError, match="must be from"):
        call()


# 8. vpc.plan
@pytest.mark.parametrize("azs", [None, 5])
def test_plan_network_azs_not_a_sequence(azs):
    with pytest.raises(ValueError, match="Availability Zone"):
        plan_network(azs=azs)


def test_plan_network_fails_fast_on_huge_spare_tiers():
    started = time.process_time()
    with pytest.raises(ValueError, match="does not fit"):
        plan_network(spare_tiers=10**7)
    assert time.process_time() - started < 1.0  # the list of 3 * 10**7 spares took 14 s


# 9. VLSM cap
def test_vlsm_caps_the_number_of_host_counts():
    with pytest.raises(ValueError, match=f"at most {MAX_HOST_COUNTS:,}"):
        vlsm("10.0.0.0/8", [2] * (MAX_HOST_COUNTS + 1))
    assert len(vlsm("10.0.0.0/8", [2] * MAX_HOST_COUNTS)) == MAX_HOST_COUNTS


# 10. entropy widget
def test_entropy_widget_population_nan_is_an_error_line():
    ui = make_entropy_calculator_ui()
    ui.population.value = math.nan
    assert "Browsers = nan" in ui.error.value  # the slider's label, not the parameter
    assert "population" not in ui.error.value
    assert ui.result is None
    assert showing(ui.plot) is None


# 11. classify IPv6 mixed
@pytest.mark.parametrize("network", ["2001:db8::/31", "2001:d00::/24", "192.0.0.0/23"])
def test_network_holding_a_documentation_block_is_mixed(network):
    assert classify(network).key == "mixed"


def test_classify_keeps_exact_and_inner_blocks():
    assert classify("2001:db8::/48").key == "documentation"
    assert classify("2000::/3").label == "Global unicast"


# 12. ASCII digits only, IPv6 wording for IPv6
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: parse_network("10.0.0.0/²"), "prefix length 0–32"),
        (lambda: parse_network("2001:db8::/+64"), "IPv6 network needs a prefix length 0–128"),
        (lambda: parse_network("2001:db8::/٦٤"), "IPv6 network needs a prefix length 0–128"),
        (lambda: parse_port("²"), "a port is a whole number"),
        (lambda: parse_tiers("app private ²"), "neither a host count"),
    ],
)
def test_parsers_accept_ascii_digits_only(call, words):
    with pytest.raises(ValueError, match=words) as caught:
        call()
    assert "invalid literal" not in str(caught.value)


@pytest.mark.parametrize("argv", [["ip", "10.0.0.0/²"], ["split", "10.0.0.0/22", "--hosts", "²"]])
def test_cli_names_the_input_not_int(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "²" in err
    assert "invalid literal" not in err


# 13. TypeError -> ValueError
@pytest.mark.parametrize(
    "call",
    [
        lambda: Endpoint("x", "10.0.0.1", None),
        lambda: estimate_bits([["x"]]),
        lambda: check_fargate_size([256], 512),
    ],
)
def test_wrong_types_are_value_errors(call):
    with pytest.raises(ValueError, match=r"\S"):
        call()


def test_measure_entropy_with_mixed_key_types_answers():
    assert measure_entropy([{"a": {1: None, "1": 3}}]).count == 1


# 14. a failed input clears every picture it owns
def test_vpc_planner_error_clears_diagram_and_map():
    ui = make_vpc_planner_ui()
    assert showing(ui.diagram) is not None
    assert showing(ui.map) is not None
    ui.cidr.value = "10.0.0.0/33"
    assert ui.error.value
    assert showing(ui.diagram) is None
    assert showing(ui.map) is None


def test_subnet_splitter_error_clears_picture():
    ui = make_subnet_splitter_ui()
    assert showing(ui.picture) is not None
    ui.cidr.value = "10.0.0.0/29"
    ui.prefix.value = 28
    assert ui.error.value
    assert showing(ui.picture) is None


def test_vlsm_planner_error_clears_picture():
    ui = make_vlsm_planner_ui()
    assert showing(ui.picture) is not None
    ui.hosts.value = ",".join(["1"] * 5000)
    assert ui.error.value
    assert showing(ui.picture) is None


def test_autoscaling_error_clears_plot():
    ui = make_autoscaling_ui()
    assert showing(ui.plot) is not None
    ui.controls["low_rps"].value = 1000
    ui.controls["high_rps"].value = 10
    assert "busy traffic" in ui.error.value
    assert showing(ui.plot) is None


def test_blue_green_error_clears_plot():
    ui = make_blue_green_ui()
    assert showing(ui.plot) is not None
    ui.controls["green_error_pct"].value = math.nan
    assert "green error rate" in ui.error.value
    assert showing(ui.plot) is None
    assert ui.result is None


# 15. one IPv6 rule for "usable on AWS"
def test_ip_calculator_shows_usable_on_aws_for_ipv6_64():
    assert describe("2001:db8::/64").aws_usable == aws_usable("2001:db8::/64")
    ui = make_ip_calculator_ui("2001:db8::/64")
    assert "Usable on AWS" in ui.table.value
    assert "18,446,744,073,709,551,611" in ui.table.value


# 16. messages in widgets name what the reader sees
def test_vpc_planner_error_names_the_control_not_the_parameter():
    ui = make_vpc_planner_ui()
    ui.cidr.value = "10.0.0.0/22"
    ui.spare.value = 4
    assert "does not fit" in ui.error.value
    assert "spare_tiers" not in ui.error.value


def test_decision_helper_error_names_the_question_not_the_parameter():
    ui = make_decision_helper_ui()
    ui.ops_people.value = -1
    assert "people free to run servers = -1" in ui.error.value
    assert "ops_people" not in ui.error.value


# The strict xfails of the fuzz suite (wrong types that escaped as TypeError,
# AttributeError, KeyError or OverflowError), each with the input the fuzz found.
def _former_xfails():
    from cloudlab import live, practice
    from cloudlab.compute import costs, decide, prices
    from cloudlab.net import subnets
    from cloudlab.sim import autoscaling, bluegreen, traffic
    from cloudlab.vpc import firewall, plan, routes
    from cloudlab.web import cookies, fingerprint
    from cloudlab.widgets import fingerprint as fingerprint_ui

    alarm = bluegreen.Alarm()
    policy = autoscaling.ScalingPolicy()
    return {
        "live.argv_for": lambda: live.argv_for([], []),
        "live.run": lambda: live.run("ip", None),
        "live.run_json": lambda: live.run_json("ip", None),
        "practice.check": lambda: practice.check(None, None),
        "autoscaling.target_tracking_step": lambda: autoscaling.target_tracking_step(
            "x", 2, 0.0, -math.inf, -math.inf, policy
        ),
        "bluegreen.alarm_fires_after": lambda: bluegreen.alarm_fires_after([1], [None], alarm),
        "bluegreen.error_rates": lambda: bluegreen.error_rates([10**400], [0], alarm),
        "bluegreen.all_at_once": lambda: bluegreen.all_at_once(None),
        "bluegreen.canary_schedule": lambda: bluegreen.canary_schedule(None),
        "prices.fargate_memory_text": lambda: prices.fargate_memory_text([]),
        "prices.smallest_fargate_size": lambda: prices.smallest_fargate_size(None, None),
        "fingerprint.estimate_bits": lambda: fingerprint.estimate_bits(None),
        "fingerprint.measure_entropy": lambda: fingerprint.measure_entropy(None),
        "fingerprint.shannon_entropy": lambda: fingerprint.shannon_entropy({"x": None}),
        "fingerprint_ui.parse_population": lambda: fingerprint_ui.parse_population(None),
        "fingerprint_ui.format_count": lambda: fingerprint_ui.format_count(math.inf),
        "costs.compare": lambda: costs.compare(None),
        "costs.cost_curve": lambda: costs.cost_curve(None),
        "costs.crossovers": lambda: costs.crossovers({}),
        "costs.ecs_ec2": lambda: costs.ecs_ec2(Workload(), []),
        "costs.ecs_fargate": lambda: costs.ecs_fargate(None),
        "costs.eks_ec2": lambda: costs.eks_ec2(None),
        "costs.eks_fargate": lambda: costs.eks_fargate(None),
        "costs.pack": lambda: costs.pack(Workload(), "t3.medium", reserve="0.1"),
        "costs.shared_costs": lambda: costs.shared_costs(None),
        "decide.recommend": lambda: decide.recommend(None),
        "subnets.find_overlaps": lambda: subnets.find_overlaps(None),
        "subnets.summarise": lambda: subnets.summarise(None),
        "traffic.arrivals": lambda: traffic.arrivals({}),
        "traffic.daily_cycle": lambda: traffic.daily_cycle(None, None),
        "traffic.ramp": lambda: traffic.ramp(1, 2, None),
        "traffic.spike": lambda: traffic.spike(1, 2, 10, at_s=None, length_s=1),
        "traffic.steady": lambda: traffic.steady([None], 10),
        "traffic.times": lambda: traffic.times(None),
        "traffic.with_noise": lambda: traffic.with_noise([10**400]),
        "firewall.evaluate_flow": lambda: firewall.evaluate_flow(None),
        "plan.check_plan": lambda: plan.check_plan(None),
        "routes.describe_target": lambda: routes.describe_target(None),
        "routes.inbound_from_internet": lambda: routes.inbound_from_internet(None, None),
        "routes.parse_route": lambda: routes.parse_route(None),
        "routes.route_table_of": lambda: routes.route_table_of(None, "private-a"),
        "routes.target_kind": lambda: routes.target_kind(5),
        "cookies.human_duration": lambda: cookies.human_duration(math.inf),
    }


@pytest.mark.parametrize("name", sorted(_former_xfails()))
def test_former_strict_xfails_refuse_wrong_types_with_one_line(name):
    with pytest.raises(ValueError, match=r"\A[^\n]*\S[^\n]*\Z"):  # one line, not empty
        _former_xfails()[name]()
