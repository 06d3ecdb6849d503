"""The live calculators of the published book: the same command line, run in the browser.

On the book's site each calculator is a ``<form data-calculator="NAME">``. When the
reader edits it, a Web Worker running Pyodide (CPython compiled to WebAssembly) calls
:func:`run_json` with the form's fields; the page puts the JSON it returns into the
form's ``<output data-result>``. :func:`run` turns the fields into the arguments of
``python -m cloudlab NAME ... --json`` and runs :func:`cloudlab.cli.main` itself, so the
browser shows exactly what the command line prints, and a bad input shows the command
line's one-line message.

The site bundles only the modules in :data:`BROWSER_MODULES` (standard library only:
numpy, matplotlib and ipywidgets are not in the Pyodide the site serves). The site tests
import each of them inside Pyodide.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudlab import cli
from cloudlab.checks import show, text
from cloudlab.net.addressmap import address_map_html
from cloudlab.sim.race_timeline import ms_text, race_svg

__all__ = [
    "BROWSER_MODULES",
    "CALCULATORS",
    "Calculator",
    "argv_for",
    "form_html",
    "run",
    "run_json",
    "view_html",
]

#: Modules the site bundles for the browser: standard library only, imported in Pyodide
#: by the site tests (tests/site/test_live.py).
BROWSER_MODULES: tuple[str, ...] = (
    "cloudlab",
    "cloudlab.checks",
    "cloudlab.cli",
    "cloudlab.compute",
    "cloudlab.compute.costs",
    "cloudlab.compute.decide",
    "cloudlab.compute.prices",
    "cloudlab.live",
    "cloudlab.net",
    "cloudlab.net.addresses",
    "cloudlab.net.addressmap",
    "cloudlab.net.aws",
    "cloudlab.net.parse",
    "cloudlab.net.selection",
    "cloudlab.net.subnets",
    "cloudlab.palette",
    "cloudlab.practice",
    "cloudlab.sim",
    "cloudlab.sim.happy_eyeballs",
    "cloudlab.sim.race_timeline",
    "cloudlab.vpc",
    "cloudlab.vpc.firewall",
    "cloudlab.vpc.flows",
    "cloudlab.vpc.plan",
    "cloudlab.vpc.prices",
    "cloudlab.vpc.routes",
    "cloudlab.web",
    "cloudlab.web.cookies",
    "cloudlab.web.fingerprint",
    "cloudlab.web.fingerprint_data",
)


@dataclass(frozen=True)
class Calculator:
    """How one live form maps onto the command line.

    Attributes
    ----------
    command : str
        The ``python -m cloudlab`` subcommand.
    positional : str or None
        The field that is the subcommand's positional argument, if it has one.
    options : tuple of str
        Fields passed as ``--option VALUE`` (``per_page`` becomes ``--per-page``);
        empty fields are left out.
    flags : tuple of str
        Check boxes passed as ``--flag`` when ticked.
    labels : dict
        The label shown for each field.
    """

    command: str
    positional: str | None = None
    options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        first = (self.positional,) if self.positional else ()
        return (*first, *self.options, *self.flags)


#: The VPC plan's fields, shared by the planner, the route lookup and the flow checker
#: (``python -m cloudlab plan|route|flow --cidr ... --azs ... --tiers ...``).
_PLAN_OPTIONS = ("cidr", "azs", "tiers", "nat", "spare", "alb")
_PLAN_LABELS = {
    "cidr": "VPC block",
    "azs": "Availability Zones (1-6)",
    "tiers": "Tiers: name kind size; ... (kind public, private or isolated)",
    "nat": "NAT gateways (single, per-az, none)",
    "spare": "Spare blocks per tier",
    "alb": "Public tier holds a load balancer (yes/no)",
    "ipv6": "IPv6 (a /56, a /64 per subnet)",
}

#: The live forms, by the name in ``data-calculator``.
CALCULATORS: dict[str, Calculator] = {
    "ip": Calculator(
        command="ip",
        positional="address",
        labels={"address": "Address or network"},
    ),
    "split": Calculator(
        command="split",
        positional="network",
        options=("prefix", "page", "per_page", "hosts"),
        flags=("aws",),
        labels={
            "network": "Network",
            "prefix": "New prefix length",
            "page": "Page (1 = first, -1 = last)",
            "per_page": "Subnets per page",
            "hosts": "Host counts (largest first, e.g. 500,120,60)",
            "aws": "AWS rules (5 reserved per subnet)",
        },
    ),
    "decide": Calculator(
        command="decide",
        options=("kubernetes", "portable", "services", "node_control", "load", "ops_people"),
        labels={
            "kubernetes": "Kubernetes experience (none, some, strong)",
            "portable": "Must run elsewhere too (yes/no)",
            "services": "Services",
            "node_control": "Needs GPUs, DaemonSets, privileged containers (yes/no)",
            "load": "Load (steady, bursty)",
            "ops_people": "People to run servers",
        },
    ),
    "practice": Calculator(
        command="practice",
        options=("seed", "level", "kind", "answer"),
        labels={
            "seed": "Exercise number",
            "level": "Level (1, 2 or 3)",
            "kind": "Kind (empty: any)",
            "answer": "Your answer",
        },
    ),
    "entropy": Calculator(
        command="entropy",
        options=("attributes", "population"),
        labels={
            "attributes": "Attributes (comma-separated, e.g. user_agent,timezone)",
            "population": "Browsers in the crowd",
        },
    ),
    "cost": Calculator(
        command="cost",
        options=(
            "tasks",
            "cpu",
            "memory",
            "hours",
            "traffic_gb",
            "lcus",
            "azs",
            "nat_gateways",
            "arch",
            "instance_type",
            "reserve",
        ),
        flags=("extended",),
        labels={
            "tasks": "Tasks",
            "cpu": "CPU units per task (1024 = 1 vCPU)",
            "memory": "Memory per task (MiB)",
            "hours": "Hours per month",
            "traffic_gb": "NAT traffic (GB per month)",
            "lcus": "Load balancer capacity units",
            "azs": "Availability Zones",
            "nat_gateways": "NAT gateways",
            "arch": "Architecture (x86, arm)",
            "instance_type": "EC2 instance type",
            "reserve": "Share of each instance kept free",
            "extended": "EKS extended support",
        },
    ),
    "plan": Calculator(
        command="plan",
        options=_PLAN_OPTIONS,
        flags=("ipv6",),
        labels=_PLAN_LABELS,
    ),
    "route": Calculator(
        command="route",
        options=(*_PLAN_OPTIONS, "subnet", "destination", "public_ip", "what_if"),
        flags=("ipv6",),
        labels=_PLAN_LABELS
        | {
            "subnet": "From subnet (empty: the first private one)",
            "destination": "To address",
            "public_ip": "Sender has a public IPv4 address (yes/no)",
            "what_if": "What-if route (e.g. 10.0.0.0/24 blackhole)",
        },
    ),
    "flow": Calculator(
        command="flow",
        options=(
            *_PLAN_OPTIONS,
            "source",
            "destination",
            "protocol",
            "port",
            "version",
            "nacl",
            "deny",
        ),
        flags=("ipv6",),
        labels=_PLAN_LABELS
        | {
            "source": "Source (internet, alb, app or an address)",
            "destination": "Destination (internet, alb, app or an address)",
            "protocol": "Protocol (tcp, udp, icmp)",
            "port": "Port (empty for icmp)",
            "version": "IP version (4 or 6)",
            "nacl": "Public subnets' network ACL (default, web, web-no-return)",
            "deny": "Deny rule for the destination's ACL (e.g. 90 inbound tcp 443 0.0.0.0/0)",
        },
    ),
    "race": Calculator(
        command="race",
        options=(*cli.RACE_SWITCHES, "ipv6_state", "ipv4_state", *cli.RACE_TIMES, "seed"),
        labels={
            "device_ipv6": "Device has IPv6 turned on (yes/no)",
            "router_ipv6": "Home router offers IPv6 (yes/no)",
            "isp_ipv6": "Internet provider offers IPv6 (yes/no)",
            "site_aaaa": "Site publishes an AAAA (IPv6) record (yes/no)",
            "site_a": "Site publishes an A (IPv4) record (yes/no)",
            "device_ipv4": "Device has IPv4 turned on (yes/no)",
            "ipv6_state": "IPv6 path (ok, blackholed, refused)",
            "ipv4_state": "IPv4 path (ok, blackholed, refused)",
            "ipv6_latency_ms": "IPv6 handshake (ms)",
            "ipv4_latency_ms": "IPv4 handshake (ms)",
            "aaaa_ms": "AAAA answer at (ms)",
            "a_ms": "A answer at (ms)",
            "connection_attempt_delay_ms": "Connection Attempt Delay (ms, 10-2000)",
            "resolution_delay_ms": "Resolution Delay (ms)",
            "jitter_ms": "Jitter of each handshake (± ms)",
            "give_up_ms": "Application gives up after (ms)",
            "seed": "Seed for the jitter",
        },
    ),
    "cookie": Calculator(
        command="cookie",
        options=("header", "now"),
        labels={
            "header": "Set-Cookie header",
            "now": "Arrival time, seconds since 1970 (empty: this moment)",
        },
    ),
}


def _calculator(name: str) -> Calculator:
    try:
        return CALCULATORS[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name such as a list
        raise ValueError(f"no live calculator named {show(name)}") from None


def _ticked(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def argv_for(name: str, fields: Mapping[str, object]) -> list[str]:
    """The command line (without ``cloudlab``) for a form's fields, ending in ``--json``.

    >>> argv_for("split", {"network": "10.0.0.0/24", "prefix": "26", "page": "", "aws": "on"})
    ['split', '10.0.0.0/24', '--prefix', '26', '--aws', '--json']
    """
    calc = _calculator(name)
    if not isinstance(fields, Mapping):
        raise ValueError(f"fields={show(fields)}: expected the form's fields (name → value)")
    argv = [calc.command]
    if calc.positional:
        argv.append(str(fields.get(calc.positional, "")).strip())
    for option in calc.options:
        value = str(fields.get(option, "") or "").strip()
        if value:
            argv += [f"--{option.replace('_', '-')}", value]
    for flag in calc.flags:
        if _ticked(fields.get(flag, "")):
            argv.append(f"--{flag}")
    return [*argv, "--json"]


def run(name: str, fields: Mapping[str, object]) -> dict[str, Any]:
    """Run a live calculator as the command line would.

    Returns
    -------
    dict
        ``result``: the JSON text the command line prints (``None`` on bad input);
        ``error``: the command line's one-line message without the program name
        (``None`` on success); ``argv``: the command line that was run, and
        ``command``: the same as a shell line (``python -m cloudlab ...``, shown on the
        page); ``view``: the answer as HTML (:func:`view_html`), empty on bad input.
    """
    argv = argv_for(name, fields)
    command = f"python -m cloudlab {shlex.join(argv)}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    if status == 0:
        result = out.getvalue().strip()
        return {
            "result": result,
            "error": None,
            "argv": argv,
            "command": command,
            "view": view_html(json.loads(result)),
        }
    line = (err.getvalue().strip().splitlines() or ["invalid input"])[0]
    message = line.split(": error: ", 1)[-1]
    return {"result": None, "error": message, "argv": argv, "command": command, "view": ""}


def run_json(name: str, fields_json: str) -> str:
    """:func:`run` with the fields and the answer as JSON text (the Web Worker's entry)."""
    try:
        fields = json.loads(text("fields_json", fields_json))
    except json.JSONDecodeError as error:
        raise ValueError(f"the form's fields are not JSON ({error.msg})") from None
    return json.dumps(run(name, fields))


# ----------------------------------------------------------------------- the form


_TITLES = {
    "ip": "IP calculator",
    "split": "Subnet calculator",
    "decide": "Decision helper",
    "cost": "Cost calculator",
    "practice": "Practice",
    "entropy": "Fingerprint entropy calculator",
    "plan": "VPC planner",
    "route": "Route lookup",
    "flow": "Flow checker",
    "cookie": "Cookie explainer",
    "race": "Happy Eyeballs race",
}


def _field_html(form_id: str, name: str, label: str, value: object, checkbox: bool) -> str:
    field_id = f"{form_id}-{name}"
    if checkbox:
        checked = " checked" if _ticked(value) else ""
        return (
            f'<span class="cl-live-field cl-live-check"><input type="checkbox" id="{field_id}" '
            f'name="{name}"{checked}> <label for="{field_id}">{html.escape(label)}</label></span>'
        )
    text = html.escape(str(value if value is not None else ""), quote=True)
    return (
        f'<span class="cl-live-field"><label for="{field_id}">{html.escape(label)}</label> '
        f'<input type="text" id="{field_id}" name="{name}" value="{text}" '
        f'autocomplete="off" spellcheck="false"></span>'
    )


def form_html(name: str, form_id: str, values: Mapping[str, object]) -> str:
    """The live form for one calculator, with its answer for ``values`` filled in.

    The answer is computed here, natively, when the book is built, so the page shows
    it before Python has started in the browser; the browser recomputes on every edit.
    Fields not in ``values`` are left out of the form (the VLSM planner is the
    ``split`` form with ``hosts`` and ``aws`` but no ``prefix``).
    """
    calc = _calculator(name)
    unknown = set(values) - set(calc.fields)
    if unknown:
        raise ValueError(f"calculator {name!r} has no field {sorted(unknown)[0]!r}")
    shown = [f for f in calc.fields if f in values or f == calc.positional]
    answer = run(name, values)
    title = _TITLES.get(name, name)
    parts = [
        f'<form class="cl-live" id="{form_id}" data-calculator="{name}" '
        f'aria-label="{html.escape(title)} (live)">',
        '<div class="cl-live-fields">',
        *(
            _field_html(form_id, f, calc.labels[f], values.get(f, ""), f in calc.flags)
            for f in shown
        ),
        "</div>",
        '<div class="cl-live-bar">'
        f'<button type="submit" class="cl-live-run">{"Check" if name == "practice" else "Run live"}'
        "</button> "
        '<button type="button" class="cl-live-copy">Copy link</button> '
        + (
            '<button type="button" class="cl-live-next">New exercise</button> '
            '<span class="cl-live-streak" aria-live="polite"></span> '
            if name == "practice"
            else ""
        )
        + '<span class="cl-live-status" role="status"></span></div>',
        f'<p class="cl-live-alert" role="alert">{html.escape(answer["error"] or "")}</p>',
        f'<div class="cl-live-view" aria-live="polite">{answer["view"]}</div>',
        '<details class="cl-live-json"><summary>Result as JSON '
        f'(<code class="cl-live-command">{html.escape(answer["command"])}</code>)</summary>'
        f'<output data-result for="{form_id}">{html.escape(answer["result"] or "")}</output>'
        "</details>",
        "</form>",
    ]
    return "\n".join(parts)


# ----------------------------------------------------------------------- the answer


def _table(
    rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, *, code: bool = False
) -> str:
    """An answer's table, every cell escaped (in ``<code>`` when ``code``).

    With a ``header``, each cell carries its column's heading as ``data-label``: in a
    column as narrow as a phone's, live.css stacks each row into a block whose cells are
    labelled with it. That changes the elements' display, which in browsers drops their
    implicit table roles, so each element states its role (WAI-ARIA 1.2, table, row,
    columnheader, cell) and assistive technology still reads a table.
    """

    def cells(row: Sequence[Any]) -> str:
        labels: Sequence[str | None] = header or [None] * len(row)
        out = []
        for label, value in zip(labels, row, strict=True):
            text = html.escape(str(value))
            shown = f"<code>{text}</code>" if code and text else text
            named = "" if label is None else f' data-label="{html.escape(label)}"'
            out.append(f'<td role="cell"{named}>{shown}</td>')
        return "".join(out)

    head = ""
    if header:
        titles = "".join(
            f'<th scope="col" role="columnheader">{html.escape(h)}</th>' for h in header
        )
        head = f'<thead role="rowgroup"><tr role="row">{titles}</tr></thead>'
    body = "".join(f'<tr role="row">{cells(row)}</tr>' for row in rows)
    kind = "cl-live-table cl-live-stack" if header else "cl-live-table"
    return f'<table class="{kind}" role="table">{head}<tbody role="rowgroup">{body}</tbody></table>'


#: The CLI's rows, without "compressed": the view shows the address typed instead.
_IP_ROWS = tuple(row for row in cli.IP_ROWS if row[0] != "compressed")


def _number(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _ip_view(data: dict[str, Any]) -> str:
    rows = [(label, _number(data[key])) for key, label in _IP_ROWS if data.get(key) is not None]
    binary = (
        '<p class="cl-live-binary"><span class="cl-live-netbits" title="network bits">'
        f"{html.escape(data['binary_network_bits'])}</span>"
        '<span class="cl-live-hostbits" title="host bits">'
        f"{html.escape(data['binary_host_bits'])}</span></p>"
        '<p class="cl-live-legend">Binary: network bits, then host bits.</p>'
    )
    return _table(rows) + binary


def _split_view(data: dict[str, Any]) -> str:
    if "allocations" in data:
        rows = [
            (
                a["name"],
                _number(a["hosts"]),
                a["network"],
                a["first_host"],
                a["last_host"],
                _number(a["usable"]),
                _number(a["spare"]),
            )
            for a in data["allocations"]
        ]
        header = ("name", "hosts", "subnet", "first host", "last host", "usable", "spare")
        free = ", ".join(data["free"]) or "none"
        picture = address_map_html(
            data["network"], data["subnets"], labels=[a["name"] for a in data["allocations"]]
        )
        return _table(rows, header) + f"<p>Free: {html.escape(free)}</p>" + _figure(picture)
    head = (
        f"<p>{html.escape(data['network'])} split into /{data['prefix']}: "
        f"{_number(data['total'])} subnets, page {_number(data['page'])} of "
        f"{_number(data['pages'])} ({data['per_page']} per page)</p>"
    )
    pages = [(_number(i), s) for i, s in enumerate(data["subnets"], start=data["first_index"])]
    picture = address_map_html(data["network"], data["subnets"])
    return head + _table(pages, ("#", "subnet")) + _figure(picture)


def _figure(picture: str) -> str:
    return f'<div class="cl-live-map">{picture}</div>'


def _plan_view(data: dict[str, Any]) -> str:
    from cloudlab.vpc.plan import NetworkPlan

    plan = NetworkPlan.from_dict(data)
    columns = plan.columns()
    parent, blocks, title = plan.map_blocks()
    picture = address_map_html(
        parent,
        [b for b, _ in blocks],
        labels=[n for _, n in blocks],
        title=title,
        reserved=plan.spare,
    )
    return (
        f"<p>{html.escape(plan.summary())}</p>"
        + _table(
            [[row[key] for key, _ in columns] for row in plan.to_rows()],
            [title for _, title in columns],
            code=True,
        )
        + _figure(picture)
    )


def _verdict(ok: bool | None, yes: str, no: str) -> str:
    word = yes if ok else no
    mark = "\u2714" if ok else "\u2718"
    return (
        f'<strong class="cl-live-verdict" data-ok="{str(bool(ok)).lower()}">'
        f"{mark} {html.escape(word)}</strong>"
    )


def _route_view(data: dict[str, Any]) -> str:
    path, inbound = data["trace"], data["inbound"]
    ok = path["outcome"] != "dropped"
    parts = [f"<p>{_verdict(ok, path['outcome'], 'dropped')} {html.escape(path['summary'])}</p>"]
    for number, hop in enumerate(path["hops"], start=1):
        table = f" (route table <code>{html.escape(hop['table'])}</code>)" if hop["table"] else ""
        parts.append(f"<p><strong>{number}. {html.escape(hop['text'])}</strong>{table}</p>")
        if hop["decision"]:
            rows = [
                (
                    c["destination"],
                    c["target"],
                    "wins" if c["winner"] else ("matches" if c["matches"] else ""),
                    c["note"],
                )
                for c in hop["decision"]["candidates"]
            ]
            parts.append(_table(rows, ("destination", "target", "", "why")))
    if path["notes"]:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in path["notes"]))
        parts.append("</ul>")
    parts.append(
        f"<p><strong>From the internet to {html.escape(inbound['subnet'])}?</strong> "
        f"{_verdict(inbound['reachable'], 'reachable', 'not reachable')} "
        f"{html.escape(inbound['summary'])}</p>"
    )
    return "".join(parts)


def _checks_view(checks: Sequence[dict[str, Any]]) -> str:
    rows = [
        (
            f"{c['layer']} {c['direction']}",
            c["where"],
            c["rule"] or "-",
            ("allow" if c["allowed"] else "deny") if c["applies"] else "not on the path",
            c["explanation"],
        )
        for c in checks
    ]
    return _table(rows, ("firewall", "where", "rule that decided", "result", "why"))


def _flow_view(data: dict[str, Any]) -> str:
    routing = data["routing"]
    parts = [
        f"<p>{_verdict(data['allowed'], 'request allowed', 'request denied')} "
        f"{_verdict(data['return_allowed'], 'reply gets back', 'reply blocked')}</p>",
        f"<p>{html.escape(data['explanation'])}</p>",
        f"<p><strong>Request:</strong> {html.escape(data['flow'])}</p>",
        _checks_view(data["checks"]),
        f"<p><strong>Reply:</strong> {html.escape(data['return_flow'])}</p>",
        _checks_view(data["return_checks"]),
    ]
    if routing["text"]:
        badge = "" if routing["path"] is not False else _verdict(False, "", "no path") + " "
        parts.append(f"<p><strong>Routing:</strong> {badge}{html.escape(routing['text'])}</p>")
    return "".join(parts)


def _race_view(data: dict[str, Any]) -> str:
    rows = [
        (i, a["family"], a["address"], ms_text(a["start_ms"]), ms_text(a["end_ms"]), a["result"])
        for i, a in enumerate(data["attempts"], start=1)
    ]
    order = [
        (i, d["address"], d["family"], "yes" if d["reachable"] else "no", d["decided_by"] or "")
        for i, d in enumerate(data["order"], start=1)
    ]
    parts = [f"<p><strong>{html.escape(data['summary'])}</strong></p>", _figure(race_svg(data))]
    if rows:
        parts.append(_table(rows, ("#", "family", "address", "start", "end", "result")))
    if order:
        parts.append("<p>Destinations in RFC 6724 order:</p>")
        parts.append(_table(order, ("#", "address", "family", "reachable", "ahead by")))
    return "".join(parts)


def view_html(data: dict[str, Any]) -> str:
    """The answer of a calculator (its command line JSON) as HTML for the page."""
    if "attempts" in data and "order" in data:
        return _race_view(data)
    if data.get("format") == "cloudlab.vpc.plan/1":
        return _plan_view(data)
    if "trace" in data and "inbound" in data:
        return _route_view(data)
    if "return_checks" in data:
        return _flow_view(data)
    if "cookie" in data and "rows" in data:
        meanings = [(r["attribute"], r["meaning"]) for r in data["rows"]]
        kind = html.escape(data["cookie"]["kind"])
        return f"<p><strong>Kind:</strong> {kind} cookie</p>" + _table(
            meanings, ("attribute", "meaning")
        )
    if "binary_network_bits" in data:
        return _ip_view(data)
    if "subnets" in data:
        return _split_view(data)
    if "question" in data:
        parts = [f'<p class="cl-live-question">{html.escape(data["question"])}</p>']
        if "correct" in data:
            verdict = "Right." if data["correct"] else f"Not quite: the answer is {data['answer']}."
            steps = "".join(f"<li>{html.escape(step)}</li>" for step in data["steps"])
            parts.append(
                f'<p class="cl-live-verdict" data-correct="{str(data["correct"]).lower()}">'
                f"{html.escape(verdict)}</p><ol>{steps}</ol>"
            )
        return "".join(parts)
    if "one_in" in data:
        rows = [(d["attribute"], f"{d['bits']:.2f}", d["source"]) for d in data["per_attribute"]]
        rows.append(
            ("sum (an upper bound: attributes are not independent)", f"{data['bits']:.2f}", "")
        )
        crowd_rows = [
            ("browsers", f"{data['population']:,.0f}"),
            ("at best one browser in", f"{data['one_in']:,.0f}"),
            ("expected browsers sharing your fingerprint", f"{data['anonymity_set']:,.1f}"),
            ("chance nobody else has it (uniform model)", f"{data['unique_probability']:.1%}"),
        ]
        return _table(rows, ("attribute", "bits", "source")) + _table(crowd_rows)
    if "choice" in data:
        reasons = "".join(
            f"<li>{html.escape(r['text'])} [{html.escape(r['source'])}]</li>"
            for r in data["reasons"]
        )
        return f"<p><strong>{html.escape(data['choice'])}</strong> (rule {data['rule']})</p>" + (
            f"<ul>{reasons}</ul>"
        )
    if "options" in data:
        lines = list(data["options"][0]["lines"]) if data["options"] else []
        rows = [
            (o["label"], *(f"{o['lines'][k]:,.2f}" for k in lines), f"{o['total']:,.2f}")
            for o in data["options"]
        ]
        rows += [(key, *("-" for _ in lines), why) for key, why in data["unavailable"].items()]
        return _table(rows, ("option", *lines, "total (USD/month)"))
    return ""
