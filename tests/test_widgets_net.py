"""Widget tests: build each UI, set values, click, and check results and HTML values."""

from __future__ import annotations

import ipaddress

import ipywidgets as widgets
import pytest
from matplotlib.figure import Figure

from cloudlab.widgets import (
    make_ip_calculator_ui,
    make_subnet_splitter_ui,
    make_vlsm_planner_ui,
)

# ------------------------------------------------------------------ IP calculator


def test_ip_calculator_is_returned_not_displayed_and_computes():
    ui = make_ip_calculator_ui()
    assert isinstance(ui, widgets.VBox)
    assert ui.result is not None
    assert ui.result.network == "10.1.0.0/20"
    assert "255.255.240.0" in ui.table.value
    assert ui.error.value == ""


def test_ip_calculator_updates_when_text_changes():
    ui = make_ip_calculator_ui("10.0.0.0/24")
    ui.text.value = "2001:db8::1/64"
    assert ui.result.network == "2001:db8::/64"
    assert "Broadcast" not in ui.table.value  # IPv6 has none
    assert "18,446,744,073,709,551,615" in ui.table.value


def test_ip_calculator_binary_view_colours_network_and_host_bits():
    ui = make_ip_calculator_ui("192.168.1.10/26")
    assert "11000000.10101000.00000001.00" in ui.binary.value
    assert "network bits (26)" in ui.binary.value
    assert "host bits (6)" in ui.binary.value


def test_ip_calculator_error_is_one_inline_line_and_escaped():
    ui = make_ip_calculator_ui()
    ui.text.value = "<script>alert(1)</script>"
    assert ui.result is None
    assert "<script>" not in ui.error.value
    assert "&lt;script&gt;" in ui.error.value
    assert "not an IPv4 or IPv6" in ui.error.value
    assert "\n" not in ui.error.value
    assert "Traceback" not in ui.error.value
    assert ui.table.value == ui.binary.value == ""
    ui.text.value = "10.0.0.0/8"  # recovers
    assert ui.error.value == ""
    assert ui.result.usable_hosts == 2**24 - 2


# --------------------------------------------------------------- subnet splitter


def test_splitter_first_page_and_picture():
    ui = make_subnet_splitter_ui("10.0.0.0/24", 26)
    assert [str(s) for s in ui.result.subnets] == [
        "10.0.0.0/26",
        "10.0.0.64/26",
        "10.0.0.128/26",
        "10.0.0.192/26",
    ]
    assert "10.0.0.192/26" in ui.table.value
    assert "page 1 of 1" in ui.status.value
    assert ui.prev.disabled
    assert ui.next.disabled
    assert isinstance(ui.figure, Figure)
    assert isinstance(ui.picture, widgets.Output)


def test_splitter_pages_with_buttons():
    ui = make_subnet_splitter_ui("10.0.0.0/24", 30, show_picture=False)
    ui.per_page.value = 8
    assert ui.result.pages == 8
    assert not ui.next.disabled
    ui.next.click()
    assert ui.result.page == 2
    assert str(ui.result.subnets[0]) == "10.0.0.32/30"
    ui.last.click()
    assert ui.result.page == 8
    assert ui.next.disabled
    ui.next.click()  # already at the end: stays
    assert ui.result.page == 8
    ui.prev.click()
    assert ui.result.page == 7
    ui.first.click()
    assert ui.result.page == 1
    assert ui.prev.disabled
    assert ui.figure is None  # no picture asked for


def test_splitter_huge_space_last_page():
    ui = make_subnet_splitter_ui("2001:db8::/32", 64, show_picture=False)
    ui.last.click()
    assert ui.result.page == 2**28
    assert str(ui.result.subnets[-1]) == "2001:db8:ffff:ffff::/64"
    assert "4,294,967,296 subnets" in ui.status.value


def test_splitter_new_prefix_starts_again_at_page_one():
    ui = make_subnet_splitter_ui("10.0.0.0/24", 30, show_picture=False)
    ui.last.click()
    assert ui.result.page == 4
    ui.prefix.value = 28
    assert ui.result.page == 1
    assert ui.result.total == 16


@pytest.mark.parametrize(
    ("cidr", "prefix", "message"),
    [
        ("10.0.0.0/24", 20, "/20 is shorter than 10.0.0.0/24"),
        ("10.0.0.0/24", 40, "an IPv4 prefix is 0"),
        ("nonsense", 24, "nonsense: not an IPv4 or IPv6"),
        ("<b>bold</b>", 24, "&lt;b&gt;bold&lt;/b&gt;"),
    ],
)
def test_splitter_errors_show_inline(cidr, prefix, message):
    ui = make_subnet_splitter_ui(show_picture=False)
    ui.cidr.value = cidr
    ui.prefix.value = prefix
    assert ui.result is None
    assert message in ui.error.value
    assert "<b>" not in ui.error.value
    assert ui.table.value == ""
    assert ui.next.disabled
    assert ui.prev.disabled


# ------------------------------------------------------------------ VLSM planner


def test_vlsm_planner_default_plan_with_aws_rules():
    ui = make_vlsm_planner_ui()
    assert ui.aws.value is True
    assert [str(a.network) for a in ui.result] == ["10.0.0.0/23", "10.0.2.0/25", "10.0.2.128/25"]
    assert "free: 10.0.3.0/24" in ui.summary.value
    assert isinstance(ui.figure, Figure)


def test_vlsm_planner_switching_aws_off_and_naming():
    ui = make_vlsm_planner_ui(show_picture=False)
    ui.aws.value = False
    assert str(ui.result[2].network) == "10.0.2.128/26"  # 60 hosts fit a /26 off AWS
    ui.names.value = "web, app, db"
    assert [a.name for a in ui.result] == ["web", "app", "db"]
    assert "web" in ui.table.value


def test_vlsm_planner_errors_show_inline():
    ui = make_vlsm_planner_ui(show_picture=False)
    ui.hosts.value = "500, lots"
    assert ui.result is None
    assert "'lots' is not a host count" in ui.error.value
    ui.hosts.value = "500,500,500"
    assert "has only 0 left" in ui.error.value
    ui.hosts.value = "10,20"
    ui.names.value = "only-one"
    assert "got 1 names for 2 host counts" in ui.error.value
    ui.names.value = ""
    assert ui.error.value == ""
    assert all(ipaddress.ip_network("10.0.0.0/22").supernet_of(a.network) for a in ui.result)


def test_splitter_ipv6_counts_fit_and_the_page_box_holds_the_largest_page() -> None:
    from cloudlab.widgets.subnets import make_subnet_splitter_ui

    ui = make_subnet_splitter_ui("2001:db8::/48", 64)
    # 20-digit counts would push the last columns out of the widget: written as powers.
    assert "2⁶⁴ − 1" in ui.table.value
    assert "2⁶⁴ − 5" in ui.table.value
    assert "18,446,744,073,709,551,615" not in ui.table.value
    # 268,435,456 pages (a /4 split into /32s) needs 11 characters and the label.
    assert float(ui.page.layout.width.removesuffix("em")) >= 16


def test_typed_boxes_apply_on_enter_and_say_so() -> None:
    from cloudlab.widgets.common import TYPED_HINT
    from cloudlab.widgets.ip import make_ip_calculator_ui
    from cloudlab.widgets.subnets import make_vlsm_planner_ui

    for ui, box in ((make_ip_calculator_ui(), "text"), (make_vlsm_planner_ui(), "hosts")):
        assert getattr(ui, box).continuous_update is False
        assert any(TYPED_HINT in getattr(child, "value", "") for child in ui.children)


def test_ip_table_lets_long_ipv6_values_wrap_and_leaves_short_ones_alone() -> None:
    from cloudlab.widgets.ip import make_ip_calculator_ui

    six = make_ip_calculator_ui("2001:db8:abcd:12::1/64")
    assert "ip6.<wbr>arpa" in six.table.value  # the 72-character reverse DNS name
    assert "<wbr>" not in make_ip_calculator_ui("10.1.2.3/20").table.value
