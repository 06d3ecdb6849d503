"""VPC traffic widgets: a route lookup (where does a packet go?) and a flow checker (allowed?).

Views over :mod:`cloudlab.vpc.routes` (longest-prefix match, hop-by-hop traces) and
:mod:`cloudlab.vpc.firewall` (security groups and network ACLs). All computing happens
there; these widgets collect inputs, call the model once per change, and show the
result as escaped HTML. Errors appear inline as one line, never as a traceback.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from cloudlab.figures import ALLOW_GREEN, ERROR_RED, GREY_35, GREY_53, PALE_YELLOW
from cloudlab.vpc.firewall import (
    BOOK_GROUPS,
    Check,
    Endpoint,
    Flow,
    NetworkAcl,
    Verdict,
    evaluate_flow,
)
from cloudlab.vpc.flows import (
    ENDPOINTS,
    NACL_PRESETS,
    book_plan,
    endpoint,
    first_subnet,
    network_acls,
    routing_note,
)
from cloudlab.vpc.routes import (
    PathTrace,
    RouteDecision,
    inbound_from_internet,
    parse_route,
    trace,
)
from cloudlab.widgets.common import Calculator, cell, error_html, html_table, row

__all__ = [
    "ENDPOINTS",
    "NACL_PRESETS",
    "FlowChecker",
    "RouteLookup",
    "book_plan",
    "decision_table",
    "endpoint",
    "make_flow_checker_ui",
    "make_route_lookup_ui",
]

WIN_COLOUR = PALE_YELLOW
ALLOW_COLOUR = ALLOW_GREEN
DENY_COLOUR = ERROR_RED


def _badge(ok: bool, yes: str, no: str) -> str:
    colour = ALLOW_COLOUR if ok else DENY_COLOUR
    mark = "&#10004;" if ok else "&#10008;"
    word = yes if ok else no
    return f'<span style="color:{colour};font-weight:bold">{mark} {escape(word)}</span>'


def _cell(text: object) -> str:
    return cell(escape(str(text)), style="padding-right:1em;")


def _html_cell(html: str) -> str:
    return cell(html, style="padding-right:1em")


# ------------------------------------------------------------------ route lookup


def decision_table(decision: RouteDecision) -> str:
    """The candidate routes of one lookup as an HTML table, the winner highlighted."""
    rows = []
    for c in decision.candidates:
        style = ""
        if c.winner:
            style = f"background:{WIN_COLOUR};font-weight:bold"
        elif c.destination.version != decision.destination.version:
            style = f"color:{GREY_53}"
        mark = "&#9664; wins" if c.winner else ("matches" if c.matches else "")
        cells = [
            _cell(c.destination),
            _cell(c.target),
            _cell(f"/{c.prefixlen}"),
            _html_cell(mark),
            _cell(c.note),
        ]
        rows.append(row(cells, style=style))
    return html_table(rows, head=["Destination", "Target", "Prefix", "", "Why"])


def _trace_html(result: PathTrace) -> tuple[str, str, str]:
    ok = result.outcome in {"local", "internet", "elsewhere"}
    words = {
        "local": f"delivered to {result.delivered_to}",
        "internet": "out to the internet",
        "elsewhere": f"handed to {result.exit}",
        "dropped": "dropped",
    }[result.outcome]
    summary = f"{_badge(ok, words, words)}<div>{escape(result.summary)}</div>"
    tables = []
    for number, hop in enumerate(result.hops, start=1):
        title = f"<div><b>{number}. {escape(hop.at)}</b>"
        if hop.table:
            title += f" — route table <code>{escape(hop.table)}</code>"
        title += "</div>"
        body = decision_table(hop.decision) if hop.decision is not None else ""
        tables.append(title + body)
    notes = "".join(f"<li>{escape(note)}</li>" for note in result.notes)
    path = "".join(tables) + (f"<ul>{notes}</ul>" if notes else "")
    decision = result.decision  # the first hop's
    return summary, path, escape(decision.reason) if decision is not None else ""


class RouteLookup(Calculator):
    """Pick a source subnet, type a destination: where does the packet go, and by which route?

    Built by :func:`make_route_lookup_ui`.

    Attributes
    ----------
    plan : NetworkPlan
    subnet : ipywidgets.Dropdown
        The source subnet.
    destination : ipywidgets.Text
        The destination address.
    public_ip : ipywidgets.Checkbox
        Whether the sender has a public IPv4 address (matters in public subnets).
    extra : ipywidgets.Text
        An optional "what if" route added to the source subnet's table, e.g.
        ``"10.0.0.0/24 blackhole"``.
    button : ipywidgets.Button
        Look up again.
    error : ipywidgets.HTML
        One escaped line when the input cannot be used, else empty.
    summary : ipywidgets.HTML
        The outcome and one sentence.
    reason : ipywidgets.HTML
        Why the first route table chose its route (longest prefix match).
    tables : ipywidgets.HTML
        One candidate-route table per hop, the winner highlighted, and notes.
    inbound : ipywidgets.HTML
        Can the internet reach the source subnet? (from :func:`inbound_from_internet`)
    result : PathTrace or None
    """

    texts = ("summary", "reason", "tables", "inbound")

    def __init__(self, plan: Any = None, subnet: str | None = None, destination: str = "") -> None:
        self.plan = plan if plan is not None else book_plan()
        names = [s.name for s in self.plan.subnets]
        if not names:
            raise ValueError("the plan has no subnets")
        start = subnet if subnet in names else first_subnet(self.plan, "private") or names[0]
        self.subnet = widgets.Dropdown(options=names, value=start, description="From subnet")
        self.destination = widgets.Text(
            value=destination or "198.51.100.7",
            description="To address",
            placeholder="10.0.1.7, 198.51.100.7 or 2001:db8::7",
            layout=widgets.Layout(width="28em"),
        )
        self.public_ip = widgets.Checkbox(
            value=True, description="sender has a public IPv4 address", indent=False
        )
        self.extra = widgets.Text(
            value="",
            description="What-if route",
            placeholder="e.g. 10.0.0.0/24 blackhole (optional)",
            layout=widgets.Layout(width="28em"),
        )
        self.button = widgets.Button(description="Look up", icon="search")
        self.error = widgets.HTML()
        self.summary = widgets.HTML()
        self.reason = widgets.HTML()
        self.tables = widgets.HTML()
        self.inbound = widgets.HTML()
        self.result: PathTrace | None = None
        super().__init__(
            [
                widgets.HBox([self.subnet, self.public_ip]),
                self.destination,
                self.extra,
                self.button,
                self.error,
                self.summary,
                self.reason,
                self.tables,
                self.inbound,
            ]
        )
        for control in (self.subnet, self.destination, self.public_ip, self.extra):
            control.observe(self._on_change, names="value")
        self.button.on_click(self._on_click)
        self.update()

    def _on_click(self, _button: object) -> None:
        self.update()

    def compute(self) -> PathTrace:
        """The packet's path (and, kept for render, whether the internet reaches the subnet)."""
        extra = [parse_route(self.extra.value)] if self.extra.value.strip() else []
        result = trace(
            self.plan,
            self.subnet.value,
            self.destination.value,
            public_ip=self.public_ip.value,
            extra_routes=extra,
        )
        self._report = inbound_from_internet(self.plan, self.subnet.value)
        return result

    def render(self, result: PathTrace) -> None:
        """The outcome, the reason, one table per hop, and the inbound check."""
        report = self._report
        summary, path, reason = _trace_html(result)
        self.summary.value = summary
        self.reason.value = f"<div><i>Why:</i> {reason}</div>" if reason else ""
        self.tables.value = path
        reasons = "".join(f"<li>{escape(r)}</li>" for r in report.reasons)
        self.inbound.value = (
            f"<div><b>From the internet to {escape(report.subnet)}?</b> "
            f"{_badge(report.reachable, 'reachable', 'not reachable')} "
            f"{escape(report.summary)}</div><ul>{reasons}</ul>"
        )


def make_route_lookup_ui(
    plan: Any = None, subnet: str | None = None, destination: str = ""
) -> RouteLookup:
    """Build the route lookup widget (returned, not displayed).

    Parameters
    ----------
    plan : NetworkPlan, optional
        The plan whose subnets and route tables to use; by default the book's plan,
        ``cloudlab.vpc.plan.plan_network(ipv6=True)``.
    subnet : str, optional
        The source subnet to start with (default: the first private subnet).
    destination : str, optional
        The destination address to start with (default: a host on the internet,
        ``198.51.100.7``).

    Returns
    -------
    RouteLookup
        A VBox; its ``result`` is the current :class:`~cloudlab.vpc.routes.PathTrace`.
    """
    return RouteLookup(plan, subnet, destination)


# ------------------------------------------------------------------ flow checker


def _checks_table(checks: tuple[Check, ...]) -> str:
    rows = []
    for check in checks:
        if not check.applies:
            result = f'<span style="color:{GREY_35}">not on the path</span>'
        else:
            result = _badge(check.allowed, "allow", "deny")
        rows.append(
            [
                _cell(f"{check.layer} {check.direction}"),
                _cell(check.where),
                _cell(check.rule or "—"),
                _html_cell(result),
                _cell(check.explanation),
            ]
        )
    return html_table(rows, head=["Firewall", "Where", "Rule that decided", "Result", "Why"])


class FlowChecker(Calculator):
    """Choose a source, destination, protocol and port: allowed or denied, by which rules?

    Built by :func:`make_flow_checker_ui`.

    Attributes
    ----------
    plan : NetworkPlan
    version : ipywidgets.ToggleButtons
        ``"IPv4"`` or ``"IPv6"``.
    source, destination : ipywidgets.Dropdown
        One of :data:`ENDPOINTS`.
    source_other, destination_other : ipywidgets.Text
        The address when ``"other address"`` is chosen.
    protocol : ipywidgets.Dropdown
        tcp, udp or icmp.
    port : ipywidgets.Text
        Destination port (empty for icmp).
    nacl : ipywidgets.Dropdown
        One of :data:`NACL_PRESETS`, for the public (load balancer) subnets.
    add_deny : ipywidgets.Checkbox
        Add the custom deny rule below to the destination subnet's network ACL.
    deny_number, deny_ports, deny_cidr : ipywidgets.Text
    deny_direction, deny_protocol : ipywidgets.Dropdown
    button : ipywidgets.Button
        Check again.
    error : ipywidgets.HTML
        One escaped line when the input cannot be used, else empty.
    verdict : ipywidgets.HTML
        Allowed or denied, and the explanation.
    request : ipywidgets.HTML
        The firewalls on the request's path and the rule that decided at each.
    reply : ipywidgets.HTML
        The same for the reply (return traffic).
    routing : ipywidgets.HTML
        A word on routing, from :mod:`cloudlab.vpc.routes` (firewalls are not the only gate).
    result : Verdict or None
    nacls : dict of str to NetworkAcl
        The network ACLs used for the last check, by subnet.
    """

    texts = ("verdict", "request", "reply", "routing")

    def __init__(
        self,
        plan: Any = None,
        source: str = "internet client",
        destination: str = "load balancer (sg-alb)",
        protocol: str = "tcp",
        port: str | int = 443,
    ) -> None:
        self.plan = plan if plan is not None else book_plan()
        self.version = widgets.ToggleButtons(options=["IPv4", "IPv6"], value="IPv4")
        self.source = widgets.Dropdown(options=ENDPOINTS, value=source, description="Source")
        self.source_other = widgets.Text(value="192.0.2.50", description="address")
        self.destination = widgets.Dropdown(
            options=ENDPOINTS, value=destination, description="Destination"
        )
        self.destination_other = widgets.Text(value="10.0.14.20", description="address")
        self.protocol = widgets.Dropdown(
            options=["tcp", "udp", "icmp"], value=protocol, description="Protocol"
        )
        self.port = widgets.Text(value=str(port), description="Port", placeholder="443")
        self.nacl = widgets.Dropdown(
            options=NACL_PRESETS,
            value=NACL_PRESETS[0],
            description="Public NACL",
            layout=widgets.Layout(width="28em"),
        )
        self.add_deny = widgets.Checkbox(
            value=False,
            description="add a deny rule to the destination subnet's network ACL",
            indent=False,
        )
        self.deny_number = widgets.Text(value="90", description="Rule #")
        self.deny_direction = widgets.Dropdown(
            options=["inbound", "outbound"], value="inbound", description="Direction"
        )
        self.deny_protocol = widgets.Dropdown(
            options=["tcp", "udp", "icmp", "all"], value="tcp", description="Protocol"
        )
        self.deny_ports = widgets.Text(value="443", description="Ports")
        self.deny_cidr = widgets.Text(value="203.0.113.0/24", description="CIDR")
        self.button = widgets.Button(description="Check", icon="shield")
        self.error = widgets.HTML()
        self.verdict = widgets.HTML()
        self.request = widgets.HTML()
        self.reply = widgets.HTML()
        self.routing = widgets.HTML()
        self.result: Verdict | None = None
        self.nacls: dict[str, NetworkAcl] = {}
        deny_box = widgets.VBox(
            [
                self.add_deny,
                widgets.HBox([self.deny_number, self.deny_direction]),
                widgets.HBox([self.deny_protocol, self.deny_ports, self.deny_cidr]),
            ]
        )
        super().__init__(
            [
                self.version,
                widgets.HBox([self.source, self.source_other]),
                widgets.HBox([self.destination, self.destination_other]),
                widgets.HBox([self.protocol, self.port]),
                self.nacl,
                deny_box,
                self.button,
                self.error,
                self.verdict,
                self.request,
                self.reply,
                self.routing,
            ]
        )
        controls = (
            self.version,
            self.source,
            self.source_other,
            self.destination,
            self.destination_other,
            self.protocol,
            self.port,
            self.nacl,
            self.add_deny,
            self.deny_number,
            self.deny_direction,
            self.deny_protocol,
            self.deny_ports,
            self.deny_cidr,
        )
        for control in controls:
            control.observe(self._on_change, names="value")
        self.button.on_click(self._on_click)
        self.update()

    def _on_click(self, _button: object) -> None:
        self.update()

    def _network_acls(self, destination: Endpoint) -> dict[str, NetworkAcl]:
        deny = (
            (
                self.deny_number.value,
                self.deny_direction.value,
                self.deny_protocol.value,
                self.deny_ports.value,
                self.deny_cidr.value,
            )
            if self.add_deny.value
            else ()
        )
        return network_acls(self.plan, self.nacl.value, deny=deny, destination=destination)

    def update(self) -> None:
        """Show the address boxes "other address" needs, then recompute from the controls."""
        self.source_other.layout.display = None if self.source.value == "other address" else "none"
        self.destination_other.layout.display = (
            None if self.destination.value == "other address" else "none"
        )
        super().update()

    def compute(self) -> Verdict:
        """The verdict on the flow (its network ACLs kept in ``nacls``)."""
        version = 4 if self.version.value == "IPv4" else 6
        src = endpoint(self.plan, self.source.value, version, self.source_other.value)
        dst = endpoint(self.plan, self.destination.value, version, self.destination_other.value)
        port: str | None = self.port.value.strip() or None
        flow = Flow(src, dst, self.protocol.value, port)  # type: ignore[arg-type]  # text in: Flow parses the port
        nacls = self._network_acls(dst)
        verdict = evaluate_flow(flow, BOOK_GROUPS, nacls)
        self.nacls, self._flow, self._ends = nacls, flow, (src, dst)
        return verdict

    def render(self, verdict: Verdict) -> None:
        """The verdict, the checks on the request's and the reply's paths, a word on routing."""
        flow, (src, dst) = self._flow, self._ends
        self.verdict.value = (
            f"<div>{_badge(verdict.allowed, 'request allowed', 'request denied')} &nbsp; "
            f"{_badge(verdict.return_allowed, 'reply gets back', 'reply blocked')}</div>"
            f"<div>{escape(verdict.explanation)}</div>"
        )
        self.request.value = f"<div><b>Request:</b> {escape(flow.text())}</div>" + _checks_table(
            verdict.checks
        )
        back = verdict.return_flow
        self.reply.value = f"<div><b>Reply:</b> {escape(back.text())}</div>" + _checks_table(
            verdict.return_checks
        )
        self.routing.value = self._routing_note(src, dst)

    def _routing_note(self, src: Endpoint, dst: Endpoint) -> str:
        """What routing adds: the internet cannot reach a private subnet at all."""
        try:
            path, note = routing_note(self.plan, src, dst)
        except ValueError as problem:  # pragma: no cover - endpoints come from the plan
            return error_html(str(problem))
        if path is None:
            return ""
        badge = f"{_badge(False, '', 'no path')} " if src.subnet is None and not path else ""
        return f"<div><b>Routing:</b> {badge}{escape(note)}</div>"


def make_flow_checker_ui(
    plan: Any = None,
    source: str = "internet client",
    destination: str = "load balancer (sg-alb)",
    protocol: str = "tcp",
    port: str | int = 443,
) -> FlowChecker:
    """Build the security-group and network-ACL flow checker (returned, not displayed).

    Parameters
    ----------
    plan : NetworkPlan, optional
        Where the load balancer and app tasks live; by default the book's plan,
        ``cloudlab.vpc.plan.plan_network(ipv6=True)``.
    source, destination : str
        One of :data:`ENDPOINTS`: ``"internet client"``, ``"load balancer (sg-alb)"``,
        ``"app task (sg-app)"``, ``"other address"``.
    protocol : str, default "tcp"
        ``"tcp"``, ``"udp"`` or ``"icmp"``.
    port : str or int, default 443
        Destination port (the app listens on 5000).

    Returns
    -------
    FlowChecker
        A VBox; its ``result`` is the current :class:`~cloudlab.vpc.firewall.Verdict`.
    """
    return FlowChecker(plan, source, destination, protocol, port)
