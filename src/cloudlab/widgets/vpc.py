"""The VPC planner widget: a VPC block, AZs and tiers in; the plan, its diagram and map out.

A view over :func:`cloudlab.vpc.plan.plan_network`; the pictures come from
:mod:`cloudlab.vpc.pictures`. Errors appear inline as one escaped line.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.vpc.pictures import address_map, architecture_diagram
from cloudlab.vpc.plan import NAT_MODES, NetworkPlan, parse_tiers, plan_network
from cloudlab.widgets.common import Calculator, cell, code, html_table, show_figure, typed_hint

__all__ = ["DEFAULT_TIERS_TEXT", "VPCPlanner", "make_vpc_planner_ui", "plan_table_html"]

#: What the tiers box starts with: one tier per line, ``name kind size``.
DEFAULT_TIERS_TEXT = "public  public   /24\napp     private  1000\ndata    isolated /24"
_AZ_LETTERS = "abcdef"


def plan_table_html(plan: NetworkPlan) -> str:
    """The plan's rows (:meth:`NetworkPlan.to_rows`) as an escaped HTML table."""
    columns = plan.columns()
    return html_table(
        ([cell(code(row[key])) for key, _ in columns] for row in plan.to_rows()),
        head=[title for _, title in columns],
    )


def _summary(plan: NetworkPlan) -> str:
    return escape(plan.summary())


class VPCPlanner(Calculator):
    """Plan a VPC: block, AZ count, tiers, IPv6 and NAT layout → table, diagram, address map.

    Built by :func:`make_vpc_planner_ui`.

    Attributes
    ----------
    cidr : ipywidgets.Text
        The VPC's IPv4 block.
    az_count : ipywidgets.BoundedIntText
        How many Availability Zones (letters a, b, ... in order), 1–6.
    tiers : ipywidgets.Textarea
        One tier per line: ``name kind size`` (size: hosts, or a prefix such as /24).
    ipv6 : ipywidgets.Checkbox
        Add an Amazon-provided IPv6 /56 and a /64 per subnet.
    nat : ipywidgets.ToggleButtons
        ``single``, ``per-az`` or ``none``.
    spare : ipywidgets.BoundedIntText
        Spare blocks kept free per tier.
    alb : ipywidgets.Checkbox
        The public tier hosts an Application Load Balancer (then two AZs are required).
    error, summary, table : ipywidgets.HTML
    diagram, map : ipywidgets.Output
        The architecture diagram and the address map.
    result : NetworkPlan or None
        The current plan (None after an error).
    figure, map_figure : matplotlib.figure.Figure or None
        The last pictures drawn.
    """

    texts = ("summary", "table")
    pictures = ("diagram", "map")

    def __init__(
        self,
        cidr: str = "10.0.0.0/16",
        az_count: int = 2,
        tiers: str = DEFAULT_TIERS_TEXT,
        *,
        ipv6: bool = False,
        nat: str = "single",
        spare: int = 1,
        show_picture: bool = True,
    ) -> None:
        self.show_picture = show_picture
        self.cidr = widgets.Text(
            value=cidr,
            description="VPC block",
            placeholder="10.0.0.0/16",
            continuous_update=False,
            layout=widgets.Layout(width="20em"),
        )
        self.az_count = widgets.BoundedIntText(
            value=az_count,
            min=1,
            max=len(_AZ_LETTERS),
            description="AZs",
            layout=widgets.Layout(width="10em"),
        )
        self.tiers = widgets.Textarea(
            value=tiers,
            description="Tiers",
            placeholder="name kind size, one per line, e.g. app private 500",
            continuous_update=False,
            layout=widgets.Layout(width="28em", height="7em"),
        )
        self.ipv6 = widgets.Checkbox(
            value=ipv6, description="IPv6 (/56, a /64 per subnet)", indent=False
        )
        self.nat = widgets.ToggleButtons(
            options=list(NAT_MODES),
            value=nat if nat in NAT_MODES else "single",
            description="NAT",
            tooltips=["one NAT gateway for all AZs", "one NAT gateway per AZ", "no NAT gateway"],
            style={"button_width": "6em"},
        )
        self.spare = widgets.BoundedIntText(
            value=spare, min=0, max=4, description="Spare/tier", layout=widgets.Layout(width="10em")
        )
        self.alb = widgets.Checkbox(
            value=True, description="public tier holds a load balancer", indent=False
        )
        self.error = widgets.HTML()
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.diagram = widgets.Output()
        self.map = widgets.Output()
        self.result: NetworkPlan | None = None
        self.figure: Figure | None = None
        self.map_figure: Figure | None = None
        super().__init__(
            [
                widgets.HBox([self.cidr, self.az_count, self.spare]),
                widgets.HBox([self.tiers, widgets.VBox([self.ipv6, self.alb, self.nat])]),
                typed_hint("In Tiers, Enter starts a new line: it applies when you leave it."),
                self.error,
                self.summary,
                self.table,
                self.diagram,
                self.map,
            ]
        )
        for control in (
            self.cidr,
            self.az_count,
            self.tiers,
            self.ipv6,
            self.alb,
            self.nat,
            self.spare,
        ):
            control.observe(self._on_change, names="value")
        self.update()

    def clear(self, message: str) -> None:
        """No plan: no pictures, the error shown."""
        self.figure = self.map_figure = None
        super().clear(message)

    def compute(self) -> NetworkPlan:
        """The plan the controls describe."""
        tiers = parse_tiers(self.tiers.value)
        return plan_network(
            self.cidr.value,
            tuple(_AZ_LETTERS[: self.az_count.value]),
            tiers,
            ipv6=self.ipv6.value,
            nat=self.nat.value,
            spare_tiers=self.spare.value,
            alb=self.alb.value,
        )

    def render(self, plan: NetworkPlan) -> None:
        """The summary, the table, the diagram and the address map."""
        self.summary.value = _summary(plan)
        self.table.value = plan_table_html(plan)
        if self.show_picture:
            self.figure = architecture_diagram(plan)
            self.map_figure = address_map(plan)
            show_figure(self.diagram, self.figure)
            show_figure(self.map, self.map_figure)


def make_vpc_planner_ui(
    cidr: str = "10.0.0.0/16",
    az_count: int = 2,
    tiers: str = DEFAULT_TIERS_TEXT,
    *,
    ipv6: bool = False,
    nat: str = "single",
    spare: int = 1,
    show_picture: bool = True,
) -> VPCPlanner:
    """Build the VPC planner (returned, not displayed).

    Parameters
    ----------
    cidr : str, default "10.0.0.0/16"
        The VPC's IPv4 block.
    az_count : int, default 2
        Availability Zones, 1–6 (named a, b, ...).
    tiers : str
        One tier per line, ``name kind size``; default: public /24, app private
        1,000 hosts, data isolated /24.
    ipv6 : bool, default False
    nat : {"single", "per-az", "none"}, default "single"
    spare : int, default 1
        Spare blocks per tier.
    show_picture : bool, default True
        Draw the diagram and the address map.

    Returns
    -------
    VPCPlanner
        A VBox; its ``result`` is the current :class:`~cloudlab.vpc.plan.NetworkPlan`.
    """
    return VPCPlanner(
        cidr, az_count, tiers, ipv6=ipv6, nat=nat, spare=spare, show_picture=show_picture
    )
