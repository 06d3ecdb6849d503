"""The address map drawn as SVG by Python (cloudlab.net.addressmap), for the live pages."""

from __future__ import annotations

import ipaddress
import json
import xml.etree.ElementTree as ET

import pytest

from cloudlab.live import run
from cloudlab.net.addressmap import address_map_layout, address_map_svg
from cloudlab.net.subnets import subnet_page

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    return root


def test_a_quarter_free_is_said_and_drawn() -> None:
    blocks = ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]
    root = _parse(address_map_svg("10.0.0.0/16", blocks))
    label = root.get("aria-label")
    assert label.startswith("Address map of 10.0.0.0/16 (65,536 addresses)")
    assert "3 subnets (10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18), 75.0% allocated" in label
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert tips == blocks
    texts = "".join(root.itertext())
    assert "free" in texts
    assert "10.0.192.0/18" in texts  # the free quarter, named


def test_labels_name_the_blocks() -> None:
    root = _parse(
        address_map_svg("10.0.0.0/22", ["10.0.0.0/23", "10.0.2.0/25"], labels=["web", "db"])
    )
    assert [t.text for t in root.iter(f"{SVG}title")] == ["web 10.0.0.0/23", "db 10.0.2.0/25"]
    assert "web 10.0.0.0/23, db 10.0.2.0/25" in root.get("aria-label")


def test_a_tiny_share_gets_a_zoomed_bar() -> None:
    page = subnet_page("2001:db8::/32", 64, page=-1, per_page=16)
    layout = address_map_layout(page.network, page.subnets)
    assert layout.zoomed
    top, bottom = layout.rows
    assert top.mark is not None
    assert top.mark[0] + top.mark[1] == pytest.approx(1.0)  # the last page: the far right
    assert bottom.first == "2001:db8:ffff:fff0::"
    assert bottom.last == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
    root = _parse(address_map_svg(page.network, page.subnets))
    assert "the subnets below are the orange mark: 1/268,435,456 of 2001:db8::/32" in "".join(
        root.itertext()
    )
    assert "less than 0.1% allocated" in root.get("aria-label")


def test_ipv4_mapped_blocks_are_written_alike_on_every_python() -> None:
    root = _parse(address_map_svg("::ffff:0:0/96", ["::ffff:10.0.0.0/120"]))
    assert "::ffff:10.0.0.0/120" in root.get("aria-label")


@pytest.mark.parametrize(
    ("parent", "subnets", "labels", "message"),
    [
        ("10.0.0.0/24", ["10.0.1.0/26"], None, "10.0.1.0/26 is not inside 10.0.0.0/24"),
        ("10.0.0.0/24", ["2001:db8::/64"], None, "is not inside"),
        ("10.0.0.0/24", ["10.0.0.0/26"], ["a", "b"], "got 2 labels for 1 subnets"),
        ("nonsense", [], None, "nonsense"),
    ],
)
def test_bad_maps_are_one_line_errors(parent, subnets, labels, message) -> None:
    with pytest.raises(ValueError, match=message):
        address_map_svg(parent, subnets, labels=labels)


def test_the_live_views_draw_their_maps() -> None:
    paged = run("split", {"network": "10.0.0.0/24", "prefix": "26"})
    vlsm = run("split", {"network": "10.0.0.0/22", "hosts": "500,120,60"})
    plan = run("plan", {"azs": "3", "ipv6": "on"})
    for answer in (paged, vlsm, plan):
        start = answer["view"].index("<svg")
        end = answer["view"].index("</svg>") + len("</svg>")
        _parse(answer["view"][start:end])
    assert "Address map of 10.0.0.0/24" in paged["view"]
    assert "subnet 1 10.0.0.0/23" in vlsm["view"]  # the VLSM planner names its blocks
    data = json.loads(plan["result"])
    assert all(s["name"] in plan["view"] for s in data["subnets"])
    assert "2001:db8::/56" in plan["view"]


def test_spare_blocks_are_pale_and_dashed_not_coloured_like_subnets_in_use() -> None:
    from cloudlab.net.addressmap import RESERVED_COLOUR, address_map_layout, address_map_svg

    used, spare = "10.0.0.0/24", "10.0.1.0/24"
    layout = address_map_layout("10.0.0.0/22", [used, spare], ["app", "spare"], reserved=[
        ipaddress.ip_network(spare)
    ])  # fmt: skip
    colours = {name: colour for _, name, colour in layout.rows[0].blocks}
    assert colours["spare"] == RESERVED_COLOUR
    assert colours["app"] != RESERVED_COLOUR
    svg = address_map_svg("10.0.0.0/22", [used, spare], reserved=[ipaddress.ip_network(spare)])
    assert svg.count("stroke-dasharray") == 1


def test_a_planned_vpc_map_names_its_narrow_subnets_in_a_key() -> None:
    from cloudlab.vpc.pictures import address_map
    from cloudlab.vpc.plan import plan_network

    figure = address_map(plan_network())
    key = figure.axes[-1].get_xlabel()
    assert "1 public-a 10.0.12.0/24" in key
    assert "data-spare 10.0.17.0/24" in key
