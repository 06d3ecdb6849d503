"""The address map drawn as SVG by Python (cloudlab.net.addressmap), for the live pages."""

from __future__ import annotations

import ipaddress
import itertools
import json
import xml.etree.ElementTree as ET

import pytest

from cloudlab.live import run
from cloudlab.net.addressmap import address_map_html, address_map_layout, address_map_svg
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
    assert "1: public-a 10.0.12.0/24" in key
    assert "data-spare 10.0.17.0/24" in key


#: A /16 with a /18 and many /24s: most names cannot fit their blocks.
_CROWDED = (
    ["10.0.0.0/18"]
    + [f"10.0.{64 + i}.0/24" for i in range(6)]
    + [f"10.0.{100 + 2 * i}.0/24" for i in range(4)]
    + ["10.0.128.0/20", "10.0.200.0/24"]
)
_CROWDED_NAMES = [
    "app-tier",
    *(f"public-{c}" for c in "abcdef"),
    *(f"data-{c}" for c in "abcd"),
    "shared-services",
    "bastion",
]


def _shown(root: ET.Element) -> str:
    """The text an SVG shows on screen (not its tooltips or its description)."""
    hidden = {f"{SVG}title", f"{SVG}desc"}
    return " ".join("".join(e.itertext()) for e in root.iter(f"{SVG}text") if e.tag not in hidden)


def _drawings(html: str) -> dict[str, tuple[ET.Element, list[str]]]:
    """The drawings of :func:`address_map_html` by class (``wide``, ``narrow``): each
    one's SVG and its key, the HTML list beside it."""
    figure = ET.fromstring(html)  # well-formed markup, or this raises
    assert figure.tag == "figure"
    drawings = {}
    for div in figure.findall("div"):
        (svg,) = div.findall(f"{SVG}svg")
        key = div.find("ul")
        entries = [] if key is None else ["".join(li.itertext()) for li in key.iter("li")]
        drawings[div.get("class").removeprefix("cl-address-map-")] = (
            _parse(ET.tostring(svg, "unicode")),
            entries,
        )
    return drawings


def test_every_name_on_a_crowded_map_can_be_read_without_a_mouse() -> None:
    html = address_map_html("10.0.0.0/16", _CROWDED, labels=_CROWDED_NAMES)
    drawings = _drawings(html)
    assert set(drawings) == {"wide", "narrow"}
    for root, key in drawings.values():
        shown = _shown(root) + " " + " ".join(key)
        for name, subnet in zip(_CROWDED_NAMES, _CROWDED, strict=True):
            assert name in shown, f"{name} {subnet} is only in a tooltip"
        assert key[0] == "1: public-a 10.0.64.0/24"  # the first /24, left to right
        assert [entry.split(":")[0] for entry in key] == [str(n) for n in range(1, len(key) + 1)]
    wide, narrow = drawings["wide"][1], drawings["narrow"][1]
    assert "app-tier" not in " ".join(wide + narrow)  # the /18 has room for its name
    assert "cl-address-map-key" not in ET.tostring(drawings["wide"][0], "unicode")  # not in the SVG


def test_the_title_is_the_figures_caption_not_svg_text() -> None:
    html = address_map_html("10.0.0.0/22", ["10.0.0.0/23"], title="two\nlines & more")
    caption = ET.fromstring(html).find("figcaption")
    assert "".join(caption.itertext()) == "twolines & more"
    assert caption.find("br") is not None
    for root, _ in _drawings(html).values():
        assert "lines" not in _shown(root)


def _planned_map():
    """The default VPC plan and its address map as the live planner shows it."""
    from cloudlab.vpc.plan import plan_network

    plan = plan_network()
    parent, blocks, title = plan.map_blocks()
    html = address_map_html(
        parent, [b for b, _ in blocks], labels=[n for _, n in blocks], title=title,
        reserved=plan.spare,
    )  # fmt: skip
    return plan, html


def test_a_narrow_map_numbers_every_block_the_figure_numbers_and_more() -> None:
    from cloudlab.vpc.pictures import address_map

    plan, html = _planned_map()
    entries = address_map(plan).axes[-1].get_xlabel().replace("\n", "   ").split("   ")
    figure_named = {e.split(": ", 1)[1] for e in entries}
    narrow_named = {e.split(": ", 1)[1] for e in _drawings(html)["narrow"][1]}
    assert figure_named < narrow_named
    assert "app-spare 10.0.8.0/22" in narrow_named - figure_named


def _lines(root: ET.Element) -> dict[str, float]:
    """Each text drawn, by what it says: the y of its baseline."""
    return {"".join(e.itertext()): float(e.get("y")) for e in root.iter(f"{SVG}text")}


def test_a_narrow_map_puts_long_ends_and_the_mark_words_on_two_lines() -> None:
    page = subnet_page("2001:db8::/32", 64, page=-1, per_page=16)
    svg = address_map_svg(page.network, page.subnets, width=320)
    root = _parse(svg)
    drawn = _lines(root)
    first, last = "2001:db8:ffff:fff0::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
    assert drawn[last] > drawn[first]  # a line below: both do not fit on one of 320 px
    mark = [e for e in root.iter(f"{SVG}text") if len(e.findall(f"{SVG}tspan")) == 2]
    assert ["".join(t.itertext()) for t in mark[0]] == [
        "the subnets below are the orange mark:",
        "1/268,435,456 of 2001:db8::/32",
    ]
    wide = _lines(_parse(address_map_svg(page.network, page.subnets)))
    assert wide[last] == wide[first]  # 900 px hold both


@pytest.mark.parametrize("width", [0, 99, 320.5, "320"])
def test_a_drawing_width_must_be_whole_pixels(width) -> None:
    with pytest.raises(ValueError, match="width="):
        address_map_svg("10.0.0.0/24", [], width=width)


def test_the_svg_and_the_figure_number_the_same_blocks_the_same_way() -> None:
    from cloudlab.net.pictures import address_map

    root, key = _drawings(address_map_html("10.0.0.0/16", _CROWDED, labels=_CROWDED_NAMES))["wide"]
    figure = address_map("10.0.0.0/16", _CROWDED, labels=_CROWDED_NAMES)
    axes = figure.axes[-1]
    figure_key = axes.get_xlabel().replace("\n", "   ").split("   ")
    assert key == figure_key
    assert len(figure_key) > 8

    def numbers(texts: list[str]) -> list[str]:
        return sorted(t for t in texts if t.replace("–", "").isdigit())

    drawn = [t.get_text() for t in axes.texts]
    svg_drawn = ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]
    assert numbers(svg_drawn) == numbers(drawn)
    assert "1–6" in numbers(drawn)  # six adjacent /24s share one callout over the bar


def test_blocks_too_narrow_for_their_number_are_numbered_above_the_bar() -> None:
    layout = address_map_layout("10.0.0.0/16", _CROWDED, _CROWDED_NAMES)
    (row,) = layout.rows
    assert [c.text for c in row.callouts] == ["1–6", "7–10", "12"]
    for before, after in itertools.pairwise(row.callouts):
        assert before.x + before.width < after.x
    public = [row.place(ipaddress.ip_network(s)) for s in _CROWDED[1:7]]
    first = row.callouts[0]
    assert first.x == public[0][0]
    assert first.x + first.width == pytest.approx(sum(public[-1]))
    number = dict(zip(_CROWDED_NAMES, row.numbers, strict=True))
    assert number["app-tier"] == 0
    assert row.texts[_CROWDED_NAMES.index("shared-services")] == str(number["shared-services"])


def test_the_svg_describes_every_block_with_its_number() -> None:
    spare = ipaddress.ip_network("10.0.200.0/24")
    root = _parse(address_map_svg("10.0.0.0/16", _CROWDED, labels=_CROWDED_NAMES, reserved=[spare]))
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text.startswith("Left to right: app-tier 10.0.0.0/18; public-a 10.0.64.0/24")
    assert "public-a 10.0.64.0/24 (number 1)" in desc.text
    assert "bastion 10.0.200.0/24 (number 12, spare)" in desc.text
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert "1: public-a 10.0.64.0/24" in tips  # the tooltip says the number too


def test_a_planned_vpc_svg_map_has_the_figures_key() -> None:
    from cloudlab.vpc.pictures import address_map

    plan, html = _planned_map()
    figure = address_map(plan)
    figure_key = figure.axes[-1].get_xlabel().replace("\n", "   ").split("   ")
    assert _drawings(html)["wide"][1] == figure_key
    assert "1: public-a 10.0.12.0/24" in figure_key
    caption = "".join(ET.fromstring(html).find("figcaption").itertext())
    assert caption == figure.get_suptitle().replace("\n", "")
