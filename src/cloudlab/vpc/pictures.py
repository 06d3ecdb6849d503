"""Pictures of a network plan: the architecture diagram and the map of the VPC's addresses.

Both are drawn from a :class:`~cloudlab.vpc.plan.NetworkPlan` alone, so they change
whenever the plan does. The diagram shows the VPC, one column per Availability Zone,
the subnets stacked by tier and coloured by kind, the internet gateway on the VPC's
edge, the NAT gateway(s) inside public subnets, the egress-only internet gateway with
IPv6, and the default routes as arrows. Figures are :class:`matplotlib.figure.Figure`
objects built without pyplot (no global state, nothing to close); they show themselves
in Jupyter as PNGs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.patheffects as path_effects
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from cloudlab.figures import (
    BLUE,
    BLUE_TINT,
    DARK_ORANGE,
    GREEN,
    GREEN_TINT,
    GREY_11,
    GREY_13,
    GREY_17,
    GREY_20,
    GREY_24,
    GREY_27,
    GREY_33,
    GREY_40,
    GREY_47,
    GREY_54,
    GREY_93,
    GREY_98,
    ORANGE,
    PALE_SLATE,
    PURPLE,
    PURPLE_TINT,
    SLATE,
    VIOLET,
    ShownFigure,
)
from cloudlab.net.pictures import address_map as _address_map
from cloudlab.vpc.plan import KINDS, NetworkPlan, SubnetPlan

__all__ = ["KIND_COLOURS", "address_map", "architecture_diagram"]

#: Fill and edge colour of each kind of subnet (Okabe-Ito hues, lightened fills).
KIND_COLOURS: dict[str, tuple[str, str]] = {
    "public": (GREEN_TINT, GREEN),
    "private": (BLUE_TINT, BLUE),
    "isolated": (PURPLE_TINT, PURPLE),
}
_V4 = GREY_13  # IPv4 default routes to the internet gateway
_V4_NAT = DARK_ORANGE  # IPv4 default routes of private subnets, to a NAT gateway
_V6 = VIOLET  # IPv6 default routes to the egress-only gateway
_NAT = ORANGE
_IGW = GREY_24

# Layout, in inches (the axes span the figure one-to-one).
_SUBNET_W = 2.5
_LANE = 0.55  # room right of the subnets in each AZ for route lines
_PAD = 0.17  # inside an AZ box, left of the subnets
_COL_GAP = 0.3
_ROW_GAP = 0.3
_VPC_PAD = 0.28
_MARGIN = 0.25
_LINE = {"linewidth": 1.3, "solid_capstyle": "round"}
_HALO = [path_effects.withStroke(linewidth=3.2, foreground="white")]
# Routes to a NAT gateway are drawn over the others with a wider white edge, so that where
# two routes cross one visibly passes over the other; where routes join, a dot.
_BRIDGE = [path_effects.withStroke(linewidth=6, foreground="white")]
_JOIN_SIZE = 4.2


def _join(ax: Any, x: float, y: float, colour: str) -> None:
    """A dot where routes join."""
    ax.plot([x], [y], color=colour, marker="o", markersize=_JOIN_SIZE, linestyle="none", zorder=6)


def _box(ax, x, y, w, h, face, edge, *, style="round,pad=0,rounding_size=0.06", **kw):
    patch = FancyBboxPatch((x, y), w, h, boxstyle=style, facecolor=face, edgecolor=edge, **kw)
    ax.add_patch(patch)
    return patch


def _route(
    ax: Any,
    points: Sequence[tuple[float, float]],
    colour: str,
    *,
    dashed: bool = False,
    over: bool = False,
) -> None:
    """Draw a route as a polyline of straight segments with an arrowhead at the end
    (``over``: above the other routes, bridging any it crosses)."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    style = (0, (4, 2)) if dashed else "solid"
    (line,) = ax.plot(xs, ys, color=colour, linestyle=style, zorder=4.5 if over else 4, **_LINE)
    line.set_path_effects(_BRIDGE if over else _HALO)
    ax.annotate(
        "",
        xy=points[-1],
        xytext=points[-2],
        arrowprops={
            "arrowstyle": "-|>,head_length=0.45,head_width=0.22",
            "color": colour,
            "linewidth": 1.3,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        zorder=5,
    )


def diagram_alt(plan: NetworkPlan) -> str:
    """The architecture diagram's alt text: the VPC, each subnet and where it routes."""
    subnets = "; ".join(
        f"{s.name} ({s.kind}, {s.az}) {s.cidr}"
        + (f" and {s.ipv6_cidr}" if s.ipv6_cidr is not None else "")
        + f", route table {s.route_table}"
        for s in plan.subnets
    )
    spare = f" Spare: {', '.join(str(n) for n in plan.spare)}." if plan.spare else ""
    return (
        f"Diagram of VPC {plan.name} {plan.vpc_cidr}"
        + (f" and {plan.ipv6_cidr}" if plan.ipv6_cidr is not None else "")
        + f" across {len(plan.azs)} Availability Zone{'s' * (len(plan.azs) > 1)}"
        + f" ({', '.join(plan.azs)}), NAT: {plan.nat}. Subnets: {subnets}.{spare}"
    )


def _drawing_order(plan: NetworkPlan) -> list[str]:
    """Tier names top to bottom: public tiers first, then private, then isolated."""
    rank = {kind: i for i, kind in enumerate(KINDS)}
    return [t.name for t in sorted(plan.tiers, key=lambda t: rank.get(t.kind, len(KINDS)))]


def _subnet_text(subnet: SubnetPlan) -> str:
    lines = [f"{subnet.cidr}  ·  {subnet.usable:,} usable"]
    if subnet.ipv6_cidr is not None:
        lines.append(str(subnet.ipv6_cidr))
    lines.append(f"route table: {subnet.route_table}")
    return "\n".join(lines)


@dataclass(frozen=True)
class _Layout:
    """Where everything of the diagram goes, in inches; ``*_top`` measure from the top."""

    plan: NetworkPlan
    order: list[str]  # tier names, top to bottom
    ipv6: bool
    row_h: float
    col_w: float
    vpc_w: float
    width: float
    vpc_left: float
    note_lines: list[str]
    height: float
    internet_top: float = 0.42
    internet_h: float = 0.42
    vpc_top: float = 1.3
    gw_w: float = 1.35
    gw_h: float = 0.34

    @classmethod
    def of(cls, plan: NetworkPlan) -> _Layout:
        order = _drawing_order(plan)
        n_cols, n_rows = len(plan.azs), len(order)
        ipv6 = plan.ipv6_cidr is not None
        row_h = 0.86 if ipv6 else 0.7
        col_w = _PAD + _SUBNET_W + _LANE
        vpc_w = 2 * _VPC_PAD + n_cols * col_w + (n_cols - 1) * _COL_GAP
        width = max(vpc_w + 2 * _MARGIN, 6.4)
        vpc_bottom = cls.vpc_top + 0.8 + 0.36 + n_rows * row_h + (n_rows - 1) * _ROW_GAP + 0.18
        vpc_bottom += _VPC_PAD
        spare_text = _spare_text(plan)
        note_lines = textwrap.wrap(spare_text, width=int(width * 15)) if spare_text else []
        height = vpc_bottom + 0.22 + 0.18 * len(note_lines) + 0.75
        return cls(
            plan, order, ipv6, row_h, col_w, vpc_w, width, (width - vpc_w) / 2, note_lines, height
        )

    # The rows of the VPC, top-down.
    @property
    def bus_v4(self) -> float:  # IPv4 routes run along here to the internet gateway
        return self.vpc_top + 0.48

    @property
    def bus_v6(self) -> float:  # IPv6 routes, to the egress-only gateway
        return self.vpc_top + 0.58

    @property
    def bus_cross(self) -> float:  # routes to another AZ's NAT gateway
        return self.vpc_top + 0.68

    @property
    def col_top(self) -> float:
        return self.vpc_top + 0.8

    @property
    def first_row(self) -> float:
        return self.col_top + 0.36

    @property
    def col_bottom(self) -> float:
        n_rows = len(self.order)
        return self.first_row + n_rows * self.row_h + (n_rows - 1) * _ROW_GAP + 0.18

    @property
    def vpc_bottom(self) -> float:
        return self.col_bottom + _VPC_PAD

    @property
    def legend_top(self) -> float:
        return self.vpc_bottom + 0.22 + 0.18 * len(self.note_lines)

    @property
    def igw_x(self) -> float:
        return self.vpc_left + self.vpc_w * (0.42 if self.ipv6 else 0.5)

    @property
    def eigw_x(self) -> float:
        return self.vpc_left + self.vpc_w * 0.8

    @property
    def gateway_bottom(self) -> float:  # where routes reach a gateway on the VPC's edge
        return self.vpc_top + self.gw_h / 2

    def Y(self, top_down: float) -> float:
        """Matplotlib's y (from the bottom) of a position measured from the top."""
        return self.height - top_down


#: A NAT gateway's box: x0, x1, its middle and its top (top-down), by AZ.
_NatBoxes = dict[str, tuple[float, float, float, float]]
#: Each AZ's subnet right edge and its IPv4 and IPv6 route lanes.
_Lanes = dict[str, tuple[float, float, float]]
#: Each subnet's left edge, top and bottom (top-down).
_Rows = dict[str, tuple[float, float, float]]


def architecture_diagram(plan: NetworkPlan, *, title: str | None = None) -> Figure:
    """Draw the plan as an architecture diagram.

    Parameters
    ----------
    plan : NetworkPlan
    title : str, optional
        Defaults to the plan's name, VPC block and NAT layout.

    Returns
    -------
    ShownFigure
        A :class:`matplotlib.figure.Figure`; every subnet's name and CIDR appear as text.
    """
    lay = _Layout.of(plan)
    fig = ShownFigure(figsize=(lay.width, lay.height), alt=diagram_alt(plan))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(0, lay.height)
    ax.axis("off")
    n_cols = len(plan.azs)
    heading = title or (
        f"{plan.name}: VPC {plan.vpc_cidr}"
        + (f" + {plan.ipv6_cidr}" if lay.ipv6 else "")
        + f" · {n_cols} AZ{'s' * (n_cols > 1)} · NAT: {plan.nat}"
    )
    ax.text(_MARGIN, lay.Y(0.2), heading, fontsize=10, fontweight="bold", va="center")
    _draw_vpc(ax, lay)
    nat_boxes, lanes, rows = _draw_zones(ax, lay)
    _draw_routes(ax, lay, nat_boxes, lanes, rows)
    _draw_key(ax, lay, nat_boxes)
    return fig


def _draw_vpc(ax: Any, lay: _Layout) -> None:
    """The VPC's box, the internet, and the gateways on the VPC's edge."""
    plan, Y = lay.plan, lay.Y
    vpc_top, gw_w, gw_h = lay.vpc_top, lay.gw_w, lay.gw_h
    internet_top, internet_h = lay.internet_top, lay.internet_h
    igw_x, eigw_x = lay.igw_x, lay.eigw_x
    _box(
        ax,
        lay.vpc_left,
        Y(lay.vpc_bottom),
        lay.vpc_w,
        lay.vpc_bottom - vpc_top,
        GREY_98,
        GREY_33,
        linewidth=1.4,
        zorder=1,
    )
    ax.text(
        lay.vpc_left + 0.12,
        Y(vpc_top + 0.2),
        f"VPC {plan.vpc_cidr}" + (f"  ·  IPv6 {plan.ipv6_cidr}" if lay.ipv6 else ""),
        fontsize=8,
        color=GREY_20,
        va="center",
        zorder=2,
    )
    _box(ax, igw_x - gw_w / 2, Y(vpc_top + gw_h / 2), gw_w, gw_h, _IGW, _IGW, zorder=6)
    ax.text(
        igw_x,
        Y(vpc_top),
        "Internet gateway",
        color="white",
        fontsize=7.5,
        ha="center",
        va="center",
        fontweight="bold",
        zorder=7,
    )
    internet_x = (igw_x + eigw_x) / 2 if lay.ipv6 else igw_x
    internet_w = (eigw_x - igw_x + 1.6) if lay.ipv6 else 2.0
    _box(
        ax,
        internet_x - internet_w / 2,
        Y(internet_top + internet_h),
        internet_w,
        internet_h,
        PALE_SLATE,
        SLATE,
        style="round,pad=0,rounding_size=0.2",
        zorder=2,
    )
    ax.text(
        internet_x,
        Y(internet_top + internet_h / 2),
        "Internet",
        fontsize=9,
        ha="center",
        va="center",
        color=GREY_20,
        zorder=3,
    )
    ax.annotate(
        "",
        xy=(igw_x, Y(internet_top + internet_h)),
        xytext=(igw_x, Y(vpc_top - gw_h / 2)),
        arrowprops={"arrowstyle": "<|-|>", "color": _V4, "linewidth": 1.3},
        zorder=5,
    )
    if lay.ipv6:
        ew = 1.55
        _box(ax, eigw_x - ew / 2, Y(vpc_top + gw_h / 2), ew, gw_h, _V6, _V6, zorder=6)
        ax.text(
            eigw_x,
            Y(vpc_top),
            "Egress-only IGW",
            color="white",
            fontsize=7.5,
            ha="center",
            va="center",
            fontweight="bold",
            zorder=7,
        )
        ax.annotate(
            "",
            xy=(eigw_x, Y(internet_top + internet_h)),
            xytext=(eigw_x, Y(vpc_top - gw_h / 2)),
            arrowprops={"arrowstyle": "-|>", "color": _V6, "linewidth": 1.3},
            zorder=5,
        )
        ax.text(
            eigw_x + 0.1,
            Y(vpc_top - gw_h / 2 - 0.2),
            "outbound only",
            fontsize=6.5,
            color=_V6,
            va="center",
        )


def _draw_zones(ax: Any, lay: _Layout) -> tuple[_NatBoxes, _Lanes, _Rows]:
    """One column per AZ, its subnets by tier, and the NAT gateways in public subnets."""
    plan, Y = lay.plan, lay.Y
    nat_boxes: _NatBoxes = {}
    lanes: _Lanes = {}
    rows: _Rows = {}
    for c, az in enumerate(plan.azs):
        col_x = lay.vpc_left + _VPC_PAD + c * (lay.col_w + _COL_GAP)
        _box(
            ax,
            col_x,
            Y(lay.col_bottom),
            lay.col_w,
            lay.col_bottom - lay.col_top,
            "none",
            GREY_54,
            linestyle=(0, (3, 2)),
            linewidth=1.0,
            zorder=1,
        )
        ax.text(
            col_x + 0.1,
            Y(lay.col_top + 0.17),
            f"Availability Zone {az}",
            fontsize=7.5,
            color=GREY_33,
            va="center",
            style="italic",
            zorder=2,
        )
        x0 = col_x + _PAD
        x1 = x0 + _SUBNET_W
        lanes[az] = (x1, x1 + 0.2, x1 + 0.4)
        for r, tier_name in enumerate(lay.order):
            subnet = next(s for s in plan.subnets if s.tier == tier_name and s.az == az)
            top = lay.first_row + r * (lay.row_h + _ROW_GAP)
            _draw_subnet(ax, lay, subnet, x0, top)
            rows[subnet.name] = (x0, top, top + lay.row_h)
            if az in plan.nat_azs and subnet.public and az not in nat_boxes:
                nx0, nx1 = x1 - 0.78, x1 - 0.1
                ny = top + lay.row_h - 0.22
                _box(ax, nx0, Y(ny + 0.14), nx1 - nx0, 0.28, _NAT, DARK_ORANGE, zorder=6)
                ax.text(
                    (nx0 + nx1) / 2,
                    Y(ny),
                    "NAT gw",
                    fontsize=7,
                    ha="center",
                    va="center",
                    fontweight="bold",
                    color=GREY_11,
                    zorder=7,
                )
                nat_boxes[az] = (nx0, nx1, ny, ny - 0.14)
    return nat_boxes, lanes, rows


def _draw_subnet(ax: Any, lay: _Layout, subnet: SubnetPlan, x0: float, top: float) -> None:
    """A subnet's box, coloured by kind, with its name, blocks, route table and kind."""
    Y, row_h, x1 = lay.Y, lay.row_h, x0 + _SUBNET_W
    face, edge = KIND_COLOURS.get(subnet.kind or "private", (GREY_93, GREY_47))
    _box(ax, x0, Y(top + row_h), _SUBNET_W, row_h, face, edge, linewidth=1.4, zorder=2)
    ax.text(
        x0 + 0.1,
        Y(top + 0.17),
        subnet.name,
        fontsize=8,
        fontweight="bold",
        color=GREY_11,
        va="center",
        zorder=3,
    )
    ax.text(
        x0 + 0.1,
        Y(top + 0.31),
        _subnet_text(subnet),
        fontsize=6.8,
        color=GREY_17,
        va="top",
        linespacing=1.35,
        zorder=3,
    )
    ax.text(
        x1 - 0.08,
        Y(top + 0.17),
        subnet.kind or "",
        fontsize=6.5,
        color=edge,
        ha="right",
        va="center",
        fontweight="bold",
        zorder=3,
    )


def _draw_routes(ax: Any, lay: _Layout, nat_boxes: _NatBoxes, lanes: _Lanes, rows: _Rows) -> None:
    """The default routes as arrows.

    Public subnets and NAT gateways go up to a bus under the VPC's top edge and along it
    to the internet gateway; private subnets to their NAT gateway, and with IPv6 along a
    second bus to the egress-only gateway.
    """
    plan, Y = lay.plan, lay.Y
    igw_x, eigw_x, gateway = lay.igw_x, lay.eigw_x, lay.gateway_bottom
    bus_v4, bus_v6, bus_cross = lay.bus_v4, lay.bus_v6, lay.bus_cross
    first_public: dict[str, str] = {}
    bus_joins: list[float] = []  # where routes come up into the bus to the internet gateway
    lane_joins: dict[tuple[float, float], int] = {}  # where private routes share a lane
    for subnet in plan.subnets:
        if subnet.public:
            first_public.setdefault(subnet.az, subnet.name)
    for subnet in plan.subnets:
        x0, top, bottom = rows[subnet.name]
        x1, lane4, lane6 = lanes[subnet.az]
        mid = (top + bottom) / 2
        table = plan.route_table_for(subnet.name)
        target4 = table.target_for("0.0.0.0/0")
        target6 = table.target_for("::/0")
        if subnet.public and target4 == "igw":
            if first_public[subnet.az] == subnet.name:
                # Right of the "Availability Zone x" label above the subnet.
                sx = x0 + 0.5 * _SUBNET_W if subnet.az not in nat_boxes else x0 + 1.55
                bus_joins.append(sx)
                points = [(sx, top), (sx, bus_v4), (igw_x, bus_v4), (igw_x, gateway)]
            else:  # a second public tier: up the left side of the column
                lx = x0 - _PAD / 2
                bus_joins.append(lx)
                points = [(x0, mid), (lx, mid), (lx, bus_v4), (igw_x, bus_v4), (igw_x, gateway)]
            _route(ax, [(x, Y(y)) for x, y in points], _V4)
        elif target4 is not None and target4.startswith("nat-") and target4[4:] in nat_boxes:
            nx0, nx1, ny, _ = nat_boxes[target4[4:]]
            _, tlane4, _ = lanes[target4[4:]]
            if target4[4:] == subnet.az:
                points = [(x1, mid), (lane4, mid), (lane4, ny), (nx1, ny)]
                lane_joins[(lane4, ny)] = lane_joins.get((lane4, ny), 0) + 1
            else:
                points = [
                    (x1, mid),
                    (lane4, mid),
                    (lane4, bus_cross),
                    (tlane4, bus_cross),
                    (tlane4, ny),
                    (nx1, ny),
                ]
            _route(ax, [(x, Y(y)) for x, y in points], _V4_NAT, over=True)
        if target6 == "eigw":
            y6 = mid + 0.12
            points = [(x1, y6), (lane6, y6), (lane6, bus_v6), (eigw_x, bus_v6), (eigw_x, gateway)]
            _route(ax, [(x, Y(y)) for x, y in points], _V6, dashed=True)
        if target4 is None and target6 is None and not subnet.public:
            ax.text(
                x1 - 0.08,
                Y(bottom - 0.12),
                "no route to the internet",
                fontsize=6.3,
                color=GREY_40,
                ha="right",
                va="center",
                style="italic",
                zorder=3,
            )
    for nx0, _nx1, _ny, ntop in nat_boxes.values():
        nx = nx0 + 0.16
        bus_joins.append(nx)
        _route(ax, [(nx, Y(ntop)), (nx, Y(bus_v4)), (igw_x, Y(bus_v4)), (igw_x, Y(gateway))], _V4)
    # A dot where routes join: on the bus to the internet gateway, every route that comes
    # up between its two ends (and the gateway's feed, when routes arrive from both sides).
    if bus_joins:
        ends = (min(bus_joins), max(bus_joins))
        joins = [x for x in bus_joins if x not in ends]
        if ends[0] < igw_x < ends[1]:
            joins.append(igw_x)
        for x in joins:
            _join(ax, x, Y(bus_v4), _V4)
    for (x, y), count in lane_joins.items():
        if count > 1:
            _join(ax, x, Y(y), _V4_NAT)


def _draw_key(ax: Any, lay: _Layout, nat_boxes: _NatBoxes) -> None:
    """Room to grow (the spare blocks) under the VPC, then the legend."""
    plan, Y = lay.plan, lay.Y
    for i, line in enumerate(lay.note_lines):
        ax.text(
            lay.vpc_left,
            Y(lay.vpc_bottom + 0.2 + 0.18 * i),
            line,
            fontsize=7,
            color=GREY_27,
            va="center",
        )
    handles: list[Artist] = [
        Patch(facecolor=KIND_COLOURS[k][0], edgecolor=KIND_COLOURS[k][1], label=f"{k} subnet")
        for k in KINDS
        if any(s.kind == k for s in plan.subnets)
    ]
    handles.append(
        Line2D(
            [],
            [],
            color=_V4,
            label="default route 0.0.0.0/0 to the internet gateway"
            + (" (and ::/0 from public subnets)" if lay.ipv6 else ""),
        )
    )
    if nat_boxes:
        to_nat = "default route 0.0.0.0/0 to a NAT gateway"
        handles.append(Line2D([], [], color=_V4_NAT, label=to_nat))
    if lay.ipv6:
        handles.append(
            Line2D(
                [],
                [],
                color=_V6,
                linestyle=(0, (4, 2)),
                label="IPv6 default route (::/0) from private subnets",
            )
        )
    if nat_boxes:
        handles.append(
            Patch(facecolor=_NAT, edgecolor=DARK_ORANGE, label="NAT gateway (in a public subnet)")
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - lay.legend_top / lay.height),
        bbox_transform=ax.transAxes,
        ncol=3 if len(handles) > 4 else len(handles),
        frameon=False,
        fontsize=7,
        handlelength=2.2,
        columnspacing=1.4,
    )


def _spare_text(plan: NetworkPlan) -> str:
    reserved = [
        (n, b)
        for n, b in zip(plan.spare_names, plan.spare, strict=True)
        if not n.startswith("free-")
    ]
    free = [b for n, b in zip(plan.spare_names, plan.spare, strict=True) if n.startswith("free-")]
    parts = []
    if reserved:
        parts.append("Room to grow: " + ", ".join(f"{n} {b}" for n, b in reserved) + ".")
    if free:
        total = sum(b.num_addresses for b in free)
        parts.append(
            f"Unallocated: {total:,} addresses in {len(free)} block{'s' * (len(free) > 1)} "
            f"({', '.join(str(b) for b in free[:4])}{', …' if len(free) > 4 else ''})."
        )
    return " ".join(parts)


def address_map(plan: NetworkPlan, *, whole: bool = False, width: float = 9.0) -> Figure:
    """Where each subnet and each spare block sits in the VPC's range; the rest is free.

    A view over :func:`cloudlab.net.pictures.address_map`: the plan's subnets and its
    reserved spare blocks are drawn in address order, unallocated space hatched. The
    planner packs subnets from the start of the VPC, so when they fill less than a
    quarter of it the map shows the smallest block at the start that holds them all
    (the title says how much lies free after it), unless ``whole`` is set.

    Parameters
    ----------
    plan : NetworkPlan
    whole : bool, default False
        Always draw the whole VPC range.
    width : float, default 9.0
        Figure width in inches.

    Returns
    -------
    ShownFigure
    """
    parent, blocks, title = plan.map_blocks(whole=whole)
    return _address_map(
        parent,
        [b for b, _ in blocks],
        labels=[n for _, n in blocks],
        title=title,
        width=width,
        reserved=plan.spare,
    )
