"""The compute widgets: a monthly cost comparison of ECS/EKS on Fargate/EC2, and a decision helper.

Views over :mod:`cloudlab.compute.costs` and :mod:`cloudlab.compute.decide`; all
computing happens there. Errors appear inline as one escaped line.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.compute.costs import (
    LABELS,
    OPTIONS,
    Comparison,
    Crossover,
    Workload,
    compare,
    cost_curve,
    cost_figure,
    crossovers,
)
from cloudlab.compute.decide import EXPERIENCE, LOAD, Answers, Recommendation, recommend
from cloudlab.compute.prices import DEFAULT_PRICES, FARGATE_SIZES, PriceTable
from cloudlab.figures import GREY_47
from cloudlab.widgets.common import Calculator, cell, html_table, row, show_figure

__all__ = [
    "CostComparison",
    "DecisionHelper",
    "comparison_html",
    "make_cost_comparison_ui",
    "make_decision_helper_ui",
    "recommendation_html",
]

_LINES = ("compute", "control plane", "load balancer", "NAT gateway", "public IPv4")


def comparison_html(result: Comparison, points: list[Crossover] | None = None) -> str:
    """The monthly cost table (USD per month), the cheapest in bold, then the crossovers."""
    cheapest = result.cheapest().option
    left, right = "text-align:left", "text-align:right"
    rows: list[str | list[str]] = [
        [
            cell("USD per month", style=left, header=True),
            *(
                cell(escape(t), style="text-align:right;padding-left:1em", header=True)
                for t in (*_LINES, "total")
            ),
            cell("", header=True),
        ]
    ]
    for key in OPTIONS:
        if key in result.options:
            b = result.options[key]
            weight = "bold" if key == cheapest else "normal"
            cells = [
                cell(escape(b.label), style=left, header=True),
                *(cell(f"{b.lines[line]:,.2f}", style=right) for line in _LINES),
                cell(f"{b.total:,.2f}", style=right),
                cell(escape(b.detail), style="padding-left:1em;font-size:90%"),
            ]
            rows.append(row(cells, style=f"font-weight:{weight}"))
        else:
            why = escape(result.unavailable.get(key, ""))
            cells = [
                cell(escape(LABELS[key]), style=left, header=True),
                cell(f"not possible: {why}", colspan=7),
            ]
            rows.append(row(cells, style=f"color:{GREY_47}"))
    table = html_table(rows)
    if points is None:
        return table
    if not points:
        crossing = "<p>No crossover in this range: the cheaper option of each pair stays.</p>"
    else:
        items = "".join(f"<li>{escape(str(p))}</li>" for p in points)
        crossing = f"<p>Crossovers:</p><ul>{items}</ul>"
    return table + crossing


class CostComparison(Calculator):
    """Workload inputs → monthly cost table, and the plot against scale with its crossovers.

    Attributes
    ----------
    tasks, cpu, memory, hours, traffic, lcus, azs, nats, arch, instance, max_tasks, extended
        The input widgets (set their ``value``).
    error : ipywidgets.HTML
        One line when the inputs cannot be priced, else empty.
    table : ipywidgets.HTML
        The cost table and the crossovers.
    plot : ipywidgets.Output
        The figure (drawn only with a live kernel).
    result : Comparison or None
        The comparison for the current inputs (None after an error).
    points : list of Crossover
        The crossovers between 1 and ``max_tasks`` tasks.
    figure : matplotlib.figure.Figure or None
        The last figure drawn.
    """

    texts = ("table",)
    pictures = ("plot",)
    controls_of = (
        ("tasks", "tasks"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("hours", "hours"),
        ("traffic_gb", "traffic"),
        ("lcus", "lcus"),
        ("azs", "azs"),
        ("nat_gateways", "nats"),
        ("arch", "arch"),
        ("max_tasks", "max_tasks"),
    )

    def __init__(self, prices: PriceTable = DEFAULT_PRICES) -> None:
        self.prices = prices
        style = {"description_width": "11em"}
        wide = widgets.Layout(width="24em")
        self.tasks = widgets.BoundedIntText(
            value=4, min=0, max=500, description="tasks", style=style, layout=wide
        )
        self.cpu = widgets.Dropdown(
            options=[(f"{c} ({c / 1024:g} vCPU)", c) for c in FARGATE_SIZES],
            value=256,
            description="CPU units per task",
            style=style,
            layout=wide,
        )
        self.memory = widgets.IntText(
            value=512, description="memory per task (MiB)", style=style, layout=wide
        )
        self.hours = widgets.FloatText(
            value=730, description="hours per month", style=style, layout=wide
        )
        self.traffic = widgets.FloatText(
            value=100, description="NAT traffic (GB/month)", style=style, layout=wide
        )
        self.lcus = widgets.FloatText(
            value=1, description="load balancer LCUs", style=style, layout=wide
        )
        self.azs = widgets.BoundedIntText(
            value=2, min=1, max=6, description="Availability Zones", style=style, layout=wide
        )
        self.nats = widgets.BoundedIntText(
            value=1, min=0, max=6, description="NAT gateways", style=style, layout=wide
        )
        self.arch = widgets.Dropdown(
            options=["x86", "arm"], value="x86", description="image built for", style=style
        )
        self.instance = widgets.Dropdown(
            options=sorted(prices.instances),
            value="t3.medium" if "t3.medium" in prices.instances else sorted(prices.instances)[0],
            description="EC2 instance type",
            style=style,
        )
        self.max_tasks = widgets.BoundedIntText(
            value=40, min=1, max=200, description="plot up to (tasks)", style=style, layout=wide
        )
        self.extended = widgets.Checkbox(value=False, description="EKS extended support")
        self.error = widgets.HTML()
        self.table = widgets.HTML()
        self.plot = widgets.Output()
        self.result: Comparison | None = None
        self.points: list[Crossover] = []
        self.figure: Figure | None = None
        inputs = (
            self.tasks,
            self.cpu,
            self.memory,
            self.hours,
            self.traffic,
            self.lcus,
            self.azs,
            self.nats,
            self.arch,
            self.instance,
            self.max_tasks,
            self.extended,
        )
        left = widgets.VBox(list(inputs[:6]))
        right = widgets.VBox(list(inputs[6:]))
        super().__init__([widgets.HBox([left, right]), self.error, self.table, self.plot])
        for control in inputs:
            control.observe(self._on_change, names="value")
        self.update()

    def workload(self) -> Workload:
        """The workload the inputs describe (not yet checked)."""
        return Workload(
            tasks=int(self.tasks.value),
            cpu=int(self.cpu.value),
            memory=int(self.memory.value),
            hours=float(self.hours.value),
            traffic_gb=float(self.traffic.value),
            lcus=float(self.lcus.value),
            azs=int(self.azs.value),
            nat_gateways=int(self.nats.value),
            arch=str(self.arch.value),
        )

    def _options(self) -> dict[str, Any]:
        return {
            "instance_type": self.instance.value,
            "extended": bool(self.extended.value),
            "prices": self.prices,
        }

    def compute(self) -> Comparison:
        """The comparison for the inputs; its crossovers are kept in ``points``."""
        workload = self.workload()
        result = compare(workload, **self._options())
        if not result.options:
            raise ValueError(
                "no option can run this workload: " + "; ".join(result.unavailable.values())
            )
        curves = cost_curve(workload, int(self.max_tasks.value), **self._options())
        self.points = crossovers(curves)
        return result

    def clear(self, message: str) -> None:
        """No comparison: no crossovers, no figure, the error shown."""
        self.points, self.figure = [], None
        super().clear(message)

    def render(self, result: Comparison) -> None:
        """The cost table with its crossovers, and the figure (drawn where it shows)."""
        self.table.value = comparison_html(result, self.points)
        self.figure = None
        workload, max_tasks, options = self.workload(), int(self.max_tasks.value), self._options()

        def draw() -> Figure:  # called only where the figure can show
            self.figure = cost_figure(workload, max_tasks, **options)
            return self.figure

        show_figure(self.plot, draw)


def make_cost_comparison_ui(prices: PriceTable = DEFAULT_PRICES) -> CostComparison:
    """Build the cost comparison widget (returned, not displayed).

    Parameters
    ----------
    prices : PriceTable, default DEFAULT_PRICES
        The dated price table to use; pass your own for your region.

    Returns
    -------
    CostComparison
        A VBox; its ``result`` is the current :class:`~cloudlab.compute.costs.Comparison`.
    """
    return CostComparison(prices)


# ------------------------------------------------------------------ decision helper


def recommendation_html(rec: Recommendation) -> str:
    """The recommendation and its reasons, each with its source key, as escaped HTML."""
    items = "".join(
        f"<li>{escape(r.text)} <small>[{escape(r.source)}]</small></li>" for r in rec.reasons
    )
    return f"<p><b>{escape(rec.choice)}</b> (rule {rec.rule})</p><ul>{items}</ul>"


class DecisionHelper(Calculator):
    """Questions → a recommendation with cited reasons.

    Attributes
    ----------
    kubernetes, portable, services, node_control, load, ops_people
        The questions (set their ``value``).
    error : ipywidgets.HTML
    answer : ipywidgets.HTML
        The recommendation and its reasons.
    result : Recommendation or None
    """

    texts = ("answer",)
    controls_of = (
        ("kubernetes", "kubernetes"),
        ("services", "services"),
        ("load", "load"),
        ("ops_people", "ops_people"),
    )

    def __init__(self) -> None:
        style = {"description_width": "22em"}
        wide = widgets.Layout(width="34em")
        self.kubernetes = widgets.Dropdown(
            options=list(EXPERIENCE),
            value="none",
            description="team's Kubernetes experience",
            style=style,
            layout=wide,
        )
        self.portable = widgets.Checkbox(
            value=False, description="must also run on another cloud or on premises"
        )
        self.services = widgets.BoundedIntText(
            value=1, min=0, max=1000, description="services (apps) to run", style=style, layout=wide
        )
        self.node_control = widgets.Checkbox(
            value=False, description="needs GPUs, DaemonSets, privileged containers or a custom AMI"
        )
        self.load = widgets.Dropdown(
            options=list(LOAD), value="bursty", description="load", style=style, layout=wide
        )
        self.ops_people = widgets.BoundedIntText(
            value=0,
            min=-1,
            max=100,
            description="people free to run servers",
            style=style,
            layout=wide,
        )
        self.error = widgets.HTML()
        self.answer = widgets.HTML()
        self.result: Recommendation | None = None
        questions = (
            self.kubernetes,
            self.portable,
            self.services,
            self.node_control,
            self.load,
            self.ops_people,
        )
        super().__init__([*questions, self.error, self.answer])
        for control in questions:
            control.observe(self._on_change, names="value")
        self.update()

    def answers(self) -> Answers:
        """The answers the questions hold (not yet checked)."""
        return Answers(
            kubernetes=str(self.kubernetes.value),
            portable=bool(self.portable.value),
            services=int(self.services.value),
            node_control=bool(self.node_control.value),
            load=str(self.load.value),
            ops_people=int(self.ops_people.value),
        )

    def compute(self) -> Recommendation:
        """The recommendation for the answers given."""
        return recommend(self.answers())

    def render(self, rec: Recommendation) -> None:
        """The recommendation and its reasons."""
        self.answer.value = recommendation_html(rec)


def make_decision_helper_ui() -> DecisionHelper:
    """Build the decision helper widget (returned, not displayed).

    Returns
    -------
    DecisionHelper
        A VBox; its ``result`` is the current :class:`~cloudlab.compute.decide.Recommendation`.
    """
    return DecisionHelper()
