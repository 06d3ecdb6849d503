"""Subnet widgets: a paged splitter and a VLSM planner, each with an address map.

Views over :func:`cloudlab.net.subnet_page` and :func:`cloudlab.net.vlsm`; the
pictures come from :func:`cloudlab.net.pictures.address_map`. Errors appear inline as
one escaped line.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.net import aws
from cloudlab.net.addresses import host_range, parse_network
from cloudlab.net.pictures import address_map
from cloudlab.net.subnets import (
    Allocation,
    SubnetPage,
    free_blocks,
    parse_host_counts,
    subnet_page,
    vlsm,
)
from cloudlab.widgets.common import Calculator, cell, code, html_table, show_figure, typed_hint

__all__ = [
    "SubnetSplitter",
    "VLSMPlanner",
    "make_subnet_splitter_ui",
    "make_vlsm_planner_ui",
]


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _count(n: int) -> str:
    """A count of addresses: 1,024 as written, but 2⁶⁴ − 5 for an IPv6 subnet's 20 digits
    (which would push the table's last columns out of the widget)."""
    if n < 10**9:
        return f"{n:,}"
    power = (n - 1).bit_length()
    short = 2**power - n
    if short >= 1000:
        return f"{n:,}"
    exponent = f"2{str(power).translate(_SUPERSCRIPT)}"
    return exponent if short == 0 else f"{exponent} − {short}"


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    return html_table(([cell(code(c)) for c in row] for row in rows), head=header)


class SubnetSplitter(Calculator):
    """Split a network into equal subnets, one page at a time, with a map.

    Built by :func:`make_subnet_splitter_ui`.

    Attributes
    ----------
    cidr : ipywidgets.Text
    prefix : ipywidgets.BoundedIntText
        The subnets' prefix length.
    per_page : ipywidgets.Dropdown
    page : ipywidgets.BoundedIntText
        Current page, from 1.
    first, prev, next, last : ipywidgets.Button
    status : ipywidgets.HTML
        "page p of n" and the subnet count.
    error : ipywidgets.HTML
        One line when the input cannot be used, else empty.
    table : ipywidgets.HTML
    picture : ipywidgets.Output
        The address map.
    result : SubnetPage or None
    figure : matplotlib.figure.Figure or None
        The last map drawn.
    """

    texts = ("status", "table")
    pictures = ("picture",)

    def __init__(
        self, cidr: str = "10.0.0.0/24", prefix: int = 26, *, show_picture: bool = True
    ) -> None:
        self.show_picture = show_picture
        self.cidr = widgets.Text(
            value=cidr,
            description="Network",
            continuous_update=False,
            layout=widgets.Layout(width="22em"),
        )
        self.prefix = widgets.BoundedIntText(
            value=prefix,
            min=0,
            max=128,
            description="New prefix /",
            layout=widgets.Layout(width="12em"),
        )
        self.per_page = widgets.Dropdown(
            options=[8, 16, 32, 64],
            value=16,
            description="Per page",
            layout=widgets.Layout(width="12em"),
        )
        # Wide enough for the largest page count, 268,435,456 (a /4 split into /32s).
        self.page = widgets.BoundedIntText(
            value=1, min=1, max=1, description="Page", layout=widgets.Layout(width="16em")
        )
        self.first = widgets.Button(description="First", tooltip="first page")
        self.prev = widgets.Button(description="◀ Previous", tooltip="previous page")
        self.next = widgets.Button(description="Next ▶", tooltip="next page")
        self.last = widgets.Button(description="Last", tooltip="last page")
        self.status = widgets.HTML()
        self.error = widgets.HTML()
        self.table = widgets.HTML()
        self.picture = widgets.Output()
        self.result: SubnetPage | None = None
        self.figure: Figure | None = None
        self._busy = False
        super().__init__(
            [
                widgets.HBox([self.cidr, self.prefix, self.per_page]),
                widgets.HBox([self.first, self.prev, self.page, self.next, self.last]),
                typed_hint(),
                self.status,
                self.error,
                self.table,
                self.picture,
            ]
        )
        for control in (self.cidr, self.prefix, self.per_page):
            control.observe(self._restart, names="value")
        self.page.observe(self._on_page, names="value")
        self.first.on_click(lambda _b: self._go(1))
        self.prev.on_click(lambda _b: self._go(self.page.value - 1))
        self.next.on_click(lambda _b: self._go(self.page.value + 1))
        self.last.on_click(lambda _b: self._go(self.page.max))
        self.update()

    def _restart(self, _change: object) -> None:
        """A new network, prefix or page size starts again at page 1."""
        self._busy = True
        try:
            self.page.max = max(self.page.max, 1)
            self.page.value = 1
        finally:
            self._busy = False
        self.update()

    def _on_page(self, _change: object) -> None:
        if not self._busy:
            self.update()

    def _go(self, number: int) -> None:
        number = min(max(number, 1), self.page.max)
        if number != self.page.value:
            self.page.value = number  # the observer recomputes

    def _set_buttons(self, page: SubnetPage | None) -> None:
        at_start = page is None or page.page <= 1
        at_end = page is None or page.page >= page.pages
        self.first.disabled = self.prev.disabled = at_start
        self.next.disabled = self.last.disabled = at_end

    def compute(self) -> SubnetPage:
        """The current page of subnets the controls ask for."""
        return subnet_page(
            self.cidr.value,
            self.prefix.value,
            page=self.page.value,
            per_page=self.per_page.value,
        )

    def clear(self, message: str) -> None:
        """No page: no map, the paging buttons off, the error shown."""
        self.figure = None
        self._set_buttons(None)
        super().clear(message)

    def render(self, result: SubnetPage) -> None:
        """The page's status line, table and map; the pager follows the page count."""
        self._busy = True
        try:
            self.page.max = result.pages
        finally:
            self._busy = False
        self._set_buttons(result)
        self.status.value = escape(
            f"{result.network} → /{result.prefix}: {result.total:,} subnets; "
            f"page {result.page:,} of {result.pages:,}"
        )
        rows = []
        for i, subnet in enumerate(result.subnets, start=result.first_index):
            first, last, usable = host_range(subnet)
            usable_aws = aws.aws_usable(subnet)
            rows.append(
                [
                    f"{i:,}",
                    subnet,
                    first,
                    last,
                    _count(usable),
                    "-" if usable_aws is None else _count(usable_aws),
                ]
            )
        self.table.value = _table(
            ["#", "subnet", "first host", "last host", "usable", "on AWS"], rows
        )
        if self.show_picture:
            self.figure = address_map(result.network, result.subnets)
            show_figure(self.picture, self.figure)


def make_subnet_splitter_ui(
    cidr: str = "10.0.0.0/24", prefix: int = 26, *, show_picture: bool = True
) -> SubnetSplitter:
    """Build the paged subnet splitter (returned, not displayed).

    Parameters
    ----------
    cidr : str, default "10.0.0.0/24"
        The network to split.
    prefix : int, default 26
        Prefix length of the subnets (bits).
    show_picture : bool, default True
        Draw the address map under the table.

    Returns
    -------
    SubnetSplitter
        A VBox; its ``result`` is the current :class:`~cloudlab.net.SubnetPage`.
    """
    return SubnetSplitter(cidr, prefix, show_picture=show_picture)


class VLSMPlanner(Calculator):
    """Plan subnets by host counts, largest first, optionally with AWS's rules.

    Built by :func:`make_vlsm_planner_ui`.

    Attributes
    ----------
    cidr, hosts, names : ipywidgets.Text
        The network, the host counts (``500,120,60``) and optional names.
    aws : ipywidgets.Checkbox
        Reserve 5 addresses per subnet and keep to AWS subnet sizes.
    summary, error, table : ipywidgets.HTML
    picture : ipywidgets.Output
    result : list of Allocation or None
    figure : matplotlib.figure.Figure or None
    """

    texts = ("summary", "table")
    pictures = ("picture",)

    def __init__(
        self,
        cidr: str = "10.0.0.0/22",
        hosts: str = "500,120,60",
        names: str = "",
        *,
        aws_rules: bool = True,
        show_picture: bool = True,
    ) -> None:
        self.show_picture = show_picture
        self.cidr = widgets.Text(value=cidr, description="Network", continuous_update=False)
        self.hosts = widgets.Text(
            value=hosts, description="Hosts", placeholder="500,120,60", continuous_update=False
        )
        self.names = widgets.Text(
            value=names,
            description="Names",
            placeholder="web,app,db (optional)",
            continuous_update=False,
        )
        self.aws = widgets.Checkbox(
            value=aws_rules,
            description="AWS rules (5 reserved per subnet, /16 to /28)",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.summary = widgets.HTML()
        self.error = widgets.HTML()
        self.table = widgets.HTML()
        self.picture = widgets.Output()
        self.result: list[Allocation] | None = None
        self.figure: Figure | None = None
        super().__init__(
            [
                widgets.HBox([self.cidr, self.hosts]),
                widgets.HBox([self.names, self.aws]),
                typed_hint(),
                self.summary,
                self.error,
                self.table,
                self.picture,
            ]
        )
        for control in (self.cidr, self.hosts, self.names, self.aws):
            control.observe(self._on_change, names="value")
        self.update()

    def clear(self, message: str) -> None:
        """No plan: no map, the error shown."""
        self.figure = None
        super().clear(message)

    def compute(self) -> list[Allocation]:
        """The plan for the host counts and names typed."""
        names_text = self.names.value.strip()
        names = [n.strip() for n in names_text.split(",")] if names_text else None
        counts = parse_host_counts(self.hosts.value)
        return vlsm(self.cidr.value, counts, aws=self.aws.value, names=names)

    def render(self, plan: list[Allocation]) -> None:
        """The summary line, the table and the map."""
        network = parse_network(self.cidr.value)
        used = sum(a.size for a in plan)
        free = free_blocks(network, [a.network for a in plan])
        self.summary.value = escape(
            f"{network}: {used:,} of {network.num_addresses:,} addresses in {len(plan)} subnets; "
            f"free: {', '.join(str(f) for f in free) or 'none'}"
        )
        rows = [
            [a.name, f"{a.hosts:,}", a.network, f"{a.size:,}", f"{a.usable:,}", f"{a.spare:,}"]
            for a in plan
        ]
        self.table.value = _table(["name", "hosts", "subnet", "addresses", "usable", "spare"], rows)
        if self.show_picture:
            self.figure = address_map(
                network, [a.network for a in plan], labels=[a.name for a in plan]
            )
            show_figure(self.picture, self.figure)


def make_vlsm_planner_ui(
    cidr: str = "10.0.0.0/22",
    hosts: str = "500,120,60",
    names: str = "",
    *,
    aws_rules: bool = True,
    show_picture: bool = True,
) -> VLSMPlanner:
    """Build the VLSM planner (returned, not displayed).

    Parameters
    ----------
    cidr : str, default "10.0.0.0/22"
        The space to divide.
    hosts : str, default "500,120,60"
        Host counts separated by commas.
    names : str, default ""
        Optional names separated by commas, one per host count.
    aws_rules : bool, default True
        Start with the AWS rules switched on.
    show_picture : bool, default True
        Draw the address map under the table.

    Returns
    -------
    VLSMPlanner
        A VBox; its ``result`` is the list of :class:`~cloudlab.net.Allocation`.
    """
    return VLSMPlanner(cidr, hosts, names, aws_rules=aws_rules, show_picture=show_picture)
