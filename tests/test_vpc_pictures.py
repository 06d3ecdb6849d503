"""The architecture diagram and the address map are drawn from any plan and show every subnet.

The figures are built without pyplot (``matplotlib.figure.Figure``), so no global figure
registry holds them and there is nothing to close.
"""

from __future__ import annotations

import io
import itertools

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from cloudlab.vpc.pictures import KIND_COLOURS, address_map, architecture_diagram
from cloudlab.vpc.plan import Tier, plan_network

PLANS = {
    "2 AZs, IPv4, one NAT": {},
    "2 AZs, IPv6, one NAT": {"ipv6": True},
    "3 AZs, IPv6, NAT per AZ": {"azs": ("a", "b", "c"), "ipv6": True, "nat": "per-az"},
    "3 AZs, IPv4, no NAT": {
        "azs": ("a", "b", "c"),
        "nat": "none",
        "tiers": [Tier("web", "public", prefix=24), Tier("db", "isolated", hosts=50)],
    },
    "two private tiers": {
        "tiers": [
            Tier("public", "public", prefix=24),
            Tier("web", "private", hosts=200),
            Tier("app", "private", hosts=500),
        ],
        "ipv6": True,
    },
}


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("kwargs", PLANS.values(), ids=PLANS.keys())
def test_diagram_shows_every_subnet_gateway_and_route(kwargs):
    plan = plan_network(**kwargs)
    fig = architecture_diagram(plan)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    joined = "\n".join(texts)
    for subnet in plan.subnets:
        assert subnet.name in texts
        assert str(subnet.cidr) in joined
        if subnet.ipv6_cidr is not None:
            assert str(subnet.ipv6_cidr) in joined
    assert f"Availability Zone {plan.azs[-1]}" in texts
    assert "Internet gateway" in texts
    assert texts.count("NAT gw") == len(plan.nat_azs)
    assert ("Egress-only IGW" in texts) == (plan.ipv6_cidr is not None)
    assert str(plan.vpc_cidr) in texts[0]
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    # VPC, AZ columns, subnets, internet, IGW (+ EIGW) and the NAT gateways.
    expected = 1 + len(plan.azs) + len(plan.subnets) + 2 + len(plan.nat_azs)
    assert len(boxes) == expected + (plan.ipv6_cidr is not None)
    fills = {p.get_facecolor()[:3] for p in boxes}
    assert len(fills) >= 3
    routes = [line for line in ax.lines if len(line.get_xdata()) >= 3]
    public_routes = len(plan.subnets_of_kind("public"))
    private = plan.subnets_of_kind("private")
    nat_routes = len(private) if plan.nat_azs else 0
    six_routes = len(private) if plan.ipv6_cidr is not None else 0
    assert len(routes) == public_routes + nat_routes + six_routes + len(plan.nat_azs)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("default route" in t for t in legend)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    assert buffer.getvalue().startswith(b"\x89PNG")
    assert len(fig.png()) > 1000


def test_diagram_marks_isolated_subnets_and_grows_with_azs():
    two = architecture_diagram(plan_network())
    three = architecture_diagram(plan_network(azs=("a", "b", "c")))
    assert three.get_size_inches()[0] > two.get_size_inches()[0]
    assert _texts(two).count("no route to the internet") == 2
    assert any(t.startswith("Room to grow: public-spare") for t in _texts(two))


def test_kind_colours_cover_every_kind():
    assert set(KIND_COLOURS) == {"public", "private", "isolated"}


def test_address_map_shows_the_used_start_of_the_vpc():
    plan = plan_network()
    fig = address_map(plan)
    assert isinstance(fig, Figure)
    title = fig._suptitle.get_text()
    assert "6 subnets use 3,072 of the 65,536 addresses of VPC 10.0.0.0/16" in title
    assert "shown: its first 10.0.0.0/19" in title
    texts = "\n".join(_texts(fig))
    assert "app-a\n10.0.0.0/22" in texts
    assert "app-spare" in texts
    assert "free" in texts
    whole = address_map(plan, whole=True)
    assert "shown:" not in whole._suptitle.get_text()


def test_address_map_of_a_full_vpc_shows_it_whole():
    plan = plan_network(
        "10.0.0.0/24",
        tiers=[Tier("web", "public", prefix=26), Tier("app", "private", prefix=26)],
        spare_tiers=0,
    )
    fig = address_map(plan)
    assert "shown:" not in fig._suptitle.get_text()
    assert "web-a" in "\n".join(_texts(fig))


@pytest.mark.parametrize("kwargs", PLANS.values(), ids=PLANS.keys())
def test_routes_are_coloured_by_gateway_join_with_dots_and_miss_the_zone_labels(kwargs):
    plan = plan_network(**kwargs)
    fig = architecture_diagram(plan)
    ax = fig.axes[0]
    routes = [line for line in ax.lines if len(line.get_xdata()) >= 3]
    solid = {line.get_color() for line in routes if line.get_linestyle() == "-"}
    # One colour to the internet gateway, another to the NAT gateways (when there are any).
    assert len(solid) == (2 if plan.nat_azs else 1)
    if len(plan.azs) > 1:
        dots = [line for line in ax.lines if line.get_marker() == "o"]
        assert dots, "routes joining the bus to the internet gateway are marked"
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [
        t.get_window_extent(renderer)
        for t in ax.texts
        if t.get_text().startswith("Availability Zone")
    ]
    for line in routes:
        points = ax.transData.transform(list(zip(line.get_xdata(), line.get_ydata(), strict=True)))
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            for box in labels:
                if x0 == x1 and box.x0 <= x0 <= box.x1:
                    assert max(y0, y1) < box.y0 or min(y0, y1) > box.y1, "a route crosses a label"
