"""The VPC planner widget: build it, change values, check the plan and the one-line errors."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from matplotlib.figure import Figure

from cloudlab.vpc.plan import NetworkPlan
from cloudlab.widgets.vpc import make_vpc_planner_ui, plan_table_html


def test_planner_is_returned_not_displayed_and_plans():
    ui = make_vpc_planner_ui()
    assert isinstance(ui, widgets.VBox)
    assert isinstance(ui.result, NetworkPlan)
    assert [s.name for s in ui.result.subnets][:2] == ["public-a", "public-b"]
    assert ui.error.value == ""
    assert "10.0.0.0/22" in ui.table.value
    assert "NAT gateway in AZ a" in ui.table.value
    assert "1 NAT gateway: about USD 36.50 per month" in ui.summary.value
    assert isinstance(ui.figure, Figure)
    assert isinstance(ui.map_figure, Figure)
    assert isinstance(ui.diagram, widgets.Output)


def test_planner_follows_az_count_ipv6_and_nat_mode():
    ui = make_vpc_planner_ui(show_picture=False)
    ui.az_count.value = 3
    ui.ipv6.value = True
    ui.nat.value = "per-az"
    plan = ui.result
    assert plan.azs == ("a", "b", "c")
    assert plan.nat_azs == ("a", "b", "c")
    assert plan.ipv6_cidr is not None
    assert "2001:db8:0:8::/64" in ui.table.value
    assert "3 NAT gateways" in ui.summary.value
    ui.nat.value = "none"
    assert "no NAT gateway" in ui.summary.value
    assert ui.figure is None  # no pictures asked for


def test_planner_reads_tiers_and_spares():
    ui = make_vpc_planner_ui("10.20.0.0/20", show_picture=False)
    ui.tiers.value = "edge public /26\nweb private 100\n"
    ui.spare.value = 0
    plan = ui.result
    assert [t.name for t in plan.tiers] == ["edge", "web"]
    assert all(not n.endswith("spare") for n in plan.spare_names)
    assert "web-b" in ui.table.value


@pytest.mark.parametrize(
    ("control", "value", "message"),
    [
        ("cidr", "10.0.0.0/8", "must be /16 to /28"),
        ("cidr", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("tiers", "app private /29", "/29 is not an AWS subnet size"),
        ("tiers", "app private", "write 'name kind size'"),
        ("az_count", 1, "at least two Availability Zones"),
        ("cidr", "10.0.0.0/24", "does not fit"),
    ],
)
def test_planner_errors_show_inline_as_one_line(control, value, message):
    ui = make_vpc_planner_ui(show_picture=False)
    getattr(ui, control).value = value
    assert ui.result is None
    assert message in ui.error.value
    assert "<b>" not in ui.error.value
    assert "\n" not in ui.error.value
    assert ui.table.value == ""
    assert ui.summary.value == ""


def test_planner_recovers_and_one_az_without_a_load_balancer():
    ui = make_vpc_planner_ui(show_picture=False)
    ui.az_count.value = 1
    assert ui.result is None
    ui.alb.value = False
    assert ui.error.value == ""
    assert ui.result.azs == ("a",)


def test_plan_table_html_escapes_and_hides_ipv6_when_absent():
    ui = make_vpc_planner_ui(show_picture=False)
    html = plan_table_html(ui.result)
    assert "<th" in html
    assert "IPv6" not in html
    assert "app-spare" in html
