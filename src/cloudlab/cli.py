"""The ``python -m cloudlab`` command line: describe an address, split or plan a network.

Examples::

    python -m cloudlab ip 10.1.2.3/20
    python -m cloudlab ip 2001:db8::1/64 --json
    python -m cloudlab split 10.0.0.0/24 --prefix 26
    python -m cloudlab split 2001:db8::/32 --prefix 64 --page -1 --json
    python -m cloudlab split 10.0.0.0/22 --hosts 500,120,60 --aws
    python -m cloudlab plan --cidr 10.0.0.0/16 --azs 3 --ipv6 --json
    python -m cloudlab route --subnet app-a --destination 198.51.100.7
    python -m cloudlab flow --source internet --destination app --port 5000
    python -m cloudlab race --ipv6-state blackholed --json

Bad input exits with status 2 and one line on stderr that names the problem, as
argparse does for its own errors; there is never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from cloudlab.checks import digits
from cloudlab.net import aws
from cloudlab.net.addresses import describe, host_range, parse_network
from cloudlab.net.subnets import (
    MAX_PER_PAGE,
    free_blocks,
    parse_host_counts,
    subnet_page,
    vlsm,
)

__all__ = ["main"]

EXIT_USAGE = 2


class _OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _whole_number(text: str) -> int:
    text = text.strip()
    number = digits(text.removeprefix("-"))
    if number is not None and text.startswith("-"):
        number = -number
    if number is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number (digits 0-9)")
    return number


def _prefix(text: str) -> int:
    return _whole_number(text.strip().lstrip("/"))


def _host_list(text: str) -> list[int]:
    try:
        return parse_host_counts(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> _OneLineParser:
    parser = _OneLineParser(
        prog="cloudlab",
        description="Address and subnet calculators from the cloudlab book.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ip = commands.add_parser(
        "ip",
        help="describe an IPv4/IPv6 address or network",
        description="Describe an address or network: mask, hosts, type, binary view.",
    )
    ip.add_argument("value", metavar="ADDRESS_OR_CIDR", help="e.g. 10.1.2.3/24 or 2001:db8::/48")
    ip.add_argument("--json", action="store_true", help="print one JSON object")

    split = commands.add_parser(
        "split",
        help="split a network by new prefix (paged) or by host counts (VLSM)",
        description="Split a network into equal subnets, one page at a time, or plan "
        "subnets by host counts, largest first.",
    )
    split.add_argument("cidr", metavar="CIDR", help="the network to split, e.g. 10.0.0.0/16")
    how = split.add_mutually_exclusive_group(required=True)
    how.add_argument("--prefix", type=_prefix, metavar="N", help="prefix length of the subnets")
    how.add_argument(
        "--hosts", type=_host_list, metavar="LIST", help="host counts, e.g. 500,120,60 (VLSM)"
    )
    split.add_argument(
        "--page", type=_whole_number, default=None, help="page to show (1 = first, -1 = last)"
    )
    split.add_argument(
        "--per-page",
        type=_whole_number,
        default=None,
        metavar="K",
        help=f"subnets per page, 1-{MAX_PER_PAGE} (default 16)",
    )
    split.add_argument(
        "--aws",
        action="store_true",
        help="apply AWS rules: 5 reserved addresses per subnet, IPv4 subnets /16-/28",
    )
    split.add_argument("--json", action="store_true", help="print one JSON object")
    if sys.platform != "emscripten":  # not in the browser (Pyodide): no numpy, no processes
        from cloudlab.fleet.cli import add_fleet_parser

        add_fleet_parser(commands)  # python -m cloudlab fleet ... (cloudlab.fleet.cli)
    _add_decide(commands)
    _add_cost(commands)
    _add_practice(commands)
    _add_entropy(commands)
    _add_plan(commands)
    _add_route(commands)
    _add_flow(commands)
    _add_cookie(commands)
    _add_race(commands)
    return parser


# ----------------------------------------------------------------------- output


def _table(rows: Sequence[Sequence[object]], header: Sequence[str] | None = None) -> str:
    """Plain-text table with columns padded to their widest cell."""
    cells = [[str(c) for c in row] for row in ([header] if header else []) + list(rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


#: The IP calculator's rows: the key in describe()'s result, and its label (the CLI's
#: text table and the site's live view both read it).
IP_ROWS: tuple[tuple[str, str], ...] = (
    ("address", "address typed"),
    ("network", "network"),
    ("prefixlen", "prefix length"),
    ("netmask", "netmask"),
    ("hostmask", "wildcard (hostmask)"),
    ("broadcast", "broadcast"),
    ("first_host", "first host"),
    ("last_host", "last host"),
    ("num_addresses", "addresses"),
    ("usable_hosts", "usable hosts"),
    ("aws_usable", "usable on AWS"),
    ("type_label", "type"),
    ("compressed", "compressed"),
    ("exploded", "exploded"),
    ("ipv4_mapped", "IPv4-mapped / embedded"),
    ("reverse_pointer", "reverse DNS name"),
)


def _ip_text(info: dict[str, Any]) -> str:
    def fmt(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    rows = [(label, fmt(info[key])) for key, label in IP_ROWS if info[key] is not None]
    rows.append(("binary", f"{info['binary_network_bits']} | {info['binary_host_bits']}"))
    return _table(rows)


def _run_ip(args: argparse.Namespace) -> str:
    info = describe(args.value).to_dict()
    if args.json:
        return json.dumps(info, indent=2)
    return _ip_text(info)


def _run_split_prefix(args: argparse.Namespace) -> str:
    network = parse_network(args.cidr)
    if args.aws:
        aws.check_aws_subnet(f"{network.network_address}/{args.prefix}")
    page = subnet_page(
        network,
        args.prefix,
        page=1 if args.page is None else args.page,
        per_page=16 if args.per_page is None else args.per_page,
    )
    if args.json:
        data = page.to_dict()
        if args.aws:
            data["aws_usable_per_subnet"] = aws.aws_usable(page.subnets[0])
        return json.dumps(data, indent=2)
    head = (
        f"{page.network} split into /{page.prefix}: {page.total:,} subnets, "
        f"page {page.page:,} of {page.pages:,} ({page.per_page} per page)"
    )
    header = ["#", "subnet", "first host", "last host", "usable"]
    if args.aws:
        header.append("usable on AWS")
    rows = []
    for i, subnet in enumerate(page.subnets, start=page.first_index):
        first, last, usable = host_range(subnet)
        row: list[object] = [f"{i:,}", subnet, first, last, f"{usable:,}"]
        if args.aws:
            row.append(f"{aws.aws_usable(subnet):,}")
        rows.append(row)
    return head + "\n\n" + _table(rows, header)


def _run_split_hosts(args: argparse.Namespace) -> str:
    if args.page is not None or args.per_page is not None:
        raise ValueError("--page and --per-page only apply with --prefix")
    network = parse_network(args.cidr)
    plan = vlsm(network, args.hosts, aws=args.aws)
    free = free_blocks(network, [a.network for a in plan])
    if args.json:
        return json.dumps(
            {
                "network": str(network),
                "aws": args.aws,
                "subnets": [str(a.network) for a in plan],
                "allocations": [a.to_dict() for a in plan],
                "free": [str(f) for f in free],
            },
            indent=2,
        )
    used = sum(a.size for a in plan)
    rule = "AWS: 5 reserved per subnet" if args.aws else "hosts() rule"
    head = (
        f"{network}: {len(plan)} subnets by host count, largest first ({rule}); "
        f"{used:,} of {network.num_addresses:,} addresses used"
    )
    header = ["name", "hosts", "subnet", "first host", "last host", "usable", "spare"]
    rows = []
    for a in plan:
        first, last = a.host_range
        rows.append(
            [a.name, f"{a.hosts:,}", a.network, first, last, f"{a.usable:,}", f"{a.spare:,}"]
        )
    text = head + "\n\n" + _table(rows, header)
    if free:
        text += "\n\nfree: " + ", ".join(str(f) for f in free)
    return text


# ------------------------------------------------- decide and cost (the compute chapter)
# Each subcommand is one _add_NAME (its options) and one _run_NAME (its output), found by
# main() through set_defaults(run=...).


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in {"yes", "y", "true", "1", "on"}:
        return True
    if value in {"no", "n", "false", "0", "off", ""}:
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: answer yes or no")


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _from_args(cls: Any, args: argparse.Namespace) -> Any:
    """An instance of the dataclass ``cls`` from the options of the same names (an option
    left at None keeps the dataclass's default)."""
    given = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(cls)}
    return cls(**{name: value for name, value in given.items() if value is not None})


def _add_decide(commands: Any) -> None:
    # No argparse choices=: its message for a bad choice differs between Python
    # versions (the live page runs 3.14); Answers.check says it the same everywhere.
    decide = commands.add_parser(
        "decide",
        help="which way to run containers on AWS: ECS or EKS, Fargate or EC2",
        description="Answer a few questions; get a recommendation with cited reasons.",
    )
    decide.add_argument("--kubernetes", default="none", metavar="none|some|strong")
    decide.add_argument("--portable", type=_yes_no, default=False, metavar="yes|no")
    decide.add_argument("--services", type=_whole_number, default=1, metavar="N")
    decide.add_argument("--node-control", type=_yes_no, default=False, metavar="yes|no")
    decide.add_argument("--load", default="bursty", metavar="steady|bursty")
    decide.add_argument("--ops-people", type=_whole_number, default=0, metavar="N")
    decide.add_argument("--json", action="store_true", help="print one JSON object")
    decide.set_defaults(run=_run_decide)


def _run_decide(args: argparse.Namespace) -> str:
    from cloudlab.compute.decide import Answers, recommend

    answers = _from_args(Answers, args)
    result = recommend(answers)
    if not args.json:
        return result.text()
    return json.dumps(
        {
            "choice": result.choice,
            "rule": result.rule,
            "reasons": [{"text": r.text, "source": r.source} for r in result.reasons],
        },
        indent=2,
    )


def _add_cost(commands: Any) -> None:
    # Defaults (None) are cloudlab.compute.costs.Workload's, filled in by _from_args: the
    # model is imported only when this command runs (the browser starts faster).
    cost = commands.add_parser(
        "cost",
        help="monthly cost of one service on ECS/EKS, Fargate/EC2 (USD)",
        description="Price a service every way that can run it, per month, in USD.",
    )
    cost.add_argument("--tasks", type=_whole_number, default=None, metavar="N")
    cost.add_argument("--cpu", type=_whole_number, default=None, help="CPU units per task")
    cost.add_argument("--memory", type=_whole_number, default=None, help="MiB per task")
    cost.add_argument("--hours", type=_number, default=None, help="hours per month")
    cost.add_argument("--traffic-gb", type=_number, default=None, metavar="GB")
    cost.add_argument("--lcus", type=_number, default=None, metavar="LCU")
    cost.add_argument("--azs", type=_whole_number, default=None, metavar="N")
    cost.add_argument("--nat-gateways", type=_whole_number, default=None, metavar="N")
    cost.add_argument("--arch", default=None, metavar="x86|arm")
    cost.add_argument("--instance-type", default="t3.medium", metavar="TYPE")
    cost.add_argument("--reserve", type=_number, default=0.1, metavar="SHARE")
    cost.add_argument("--extended", action="store_true", help="EKS extended-support price")
    cost.add_argument("--json", action="store_true", help="print one JSON object")
    cost.set_defaults(run=_run_cost)


def _run_cost(args: argparse.Namespace) -> str:
    from cloudlab.compute.costs import Workload, compare

    workload = _from_args(Workload, args)
    result = compare(
        workload, args.instance_type.strip(), reserve=args.reserve, extended=args.extended
    )
    cheapest = result.cheapest()
    if args.json:
        return json.dumps(
            {
                "instance_type": result.instance_type,
                "options": result.table(),
                "unavailable": dict(result.unavailable),
                "cheapest": cheapest.option,
            },
            indent=2,
        )
    rows = [(b.label, f"{b.total:,.2f}", b.detail) for b in result.options.values()]
    rows += [(key, "-", why) for key, why in result.unavailable.items()]
    return _table(rows, ["option", "USD/month", "detail"]) + f"\n\ncheapest: {cheapest.label}"


def _add_practice(commands: Any) -> None:
    practice = commands.add_parser(
        "practice",
        help="a seeded subnetting exercise; --answer checks a reply and explains",
        description="One exercise per seed and level; the same seed gives the same exercise.",
    )
    practice.add_argument("--seed", type=_whole_number, default=1, metavar="N")
    practice.add_argument("--level", type=_whole_number, default=1, help="1, 2 or 3")
    practice.add_argument("--kind", default=None, help="the kind (cloudlab.practice.KINDS)")
    practice.add_argument("--answer", default=None, metavar="TEXT", help="your reply")
    practice.add_argument("--json", action="store_true", help="print one JSON object")
    practice.set_defaults(run=_run_practice)


def _run_practice(args: argparse.Namespace) -> str:
    from cloudlab.practice import check, exercise

    item = exercise(args.seed, args.level, (args.kind or "").strip() or None)
    reply = args.answer
    if reply is None and not args.json and sys.stdin.isatty():
        sys.stdout.write(item.question + "\n> ")
        sys.stdout.flush()
        reply = sys.stdin.readline()
    data = item.to_dict(with_answer=False)
    if reply is not None and reply.strip():
        verdict = check(item, reply)
        data |= {
            "reply": verdict.reply,
            "correct": verdict.correct,
            "answer": verdict.answer,
            "steps": list(verdict.steps),
        }
    if args.json:
        return json.dumps(data, indent=2)
    if "correct" not in data:
        return item.question
    head = "Right." if data["correct"] else f"Not quite: the answer is {data['answer']}."
    return "\n".join([head, *(f"  {step}" for step in data["steps"])])


def _figure(value: float) -> float:
    """A computed float to 12 significant digits: the same whichever maths library (the
    browser's WebAssembly build or the machine's) computed the last bit."""
    return float(f"{value:.12g}")


def _add_entropy(commands: Any) -> None:
    entropy = commands.add_parser(
        "entropy",
        help="how many bits some fingerprint attributes reveal, and the crowd they hide in",
        description="Add up the published entropy of the attributes (an upper bound) and "
        "say what that many bits mean among POPULATION browsers.",
    )
    entropy.add_argument(
        "--attributes",
        default="user_agent,screen,timezone,languages",
        metavar="LIST",
        help="comma-separated attribute names",
    )
    entropy.add_argument("--population", type=_number, default=1e6, metavar="N")
    entropy.add_argument("--json", action="store_true", help="print one JSON object")
    entropy.set_defaults(run=_run_entropy)


def _run_entropy(args: argparse.Namespace) -> str:
    from cloudlab.web.fingerprint import crowd, estimate_bits

    estimate = estimate_bits([n.strip() for n in args.attributes.split(",") if n.strip()])
    result = crowd(estimate, args.population)
    data: dict[str, Any] = {
        "attributes": list(estimate.attributes),
        "per_attribute": [
            {"attribute": name, "bits": bits, "source": source}
            for name, bits, source in estimate.per_attribute
        ],
        "bits": estimate.bits,
        "upper_bound": estimate.upper_bound,
        "population": result.population,
        "one_in": _figure(result.one_in),
        "anonymity_set": _figure(result.anonymity_set),
        "unique_probability": _figure(result.unique_probability),
        "bits_to_single_out": _figure(result.bits_to_single_out),
        "singled_out": result.singled_out,
    }
    if args.json:
        return json.dumps(data, indent=2)
    rows = [(d["attribute"], f"{d['bits']:.2f}", d["source"]) for d in data["per_attribute"]]
    rows.append(("sum (an upper bound)", f"{estimate.bits:.2f}", ""))
    return _table(rows, ["attribute", "bits", "source"]) + (
        f"\n\namong {result.population:,.0f} browsers: 1 in {result.one_in:,.0f}; "
        f"expected anonymity set {result.anonymity_set:,.1f}; "
        f"chance of being unique {result.unique_probability:.1%}"
    )


# ------------------------------------------- plan, route and flow (the VPC chapter)

#: Availability Zones are letters, in order (a plan never names a region).
_AZ_LETTERS = "abcdef"


def _add_plan_options(command: Any) -> None:
    """The VPC plan's options, shared by ``plan``, ``route`` and ``flow``."""
    group = command.add_argument_group("the VPC plan (default: the book's plan)")
    group.add_argument("--cidr", default=None, metavar="CIDR", help="the VPC's IPv4 block")
    group.add_argument(
        "--azs", type=_whole_number, default=None, metavar="N", help="Availability Zones, 1-6"
    )
    group.add_argument(
        "--tiers",
        default=None,
        metavar="TEXT",
        help="'name kind size' per tier, separated by ';', e.g. "
        "'public public /24; app private 1000; data isolated /24'",
    )
    group.add_argument("--nat", default=None, metavar="single|per-az|none")
    group.add_argument(
        "--spare", type=_whole_number, default=None, metavar="N", help="spare blocks per tier"
    )
    group.add_argument("--ipv6", action="store_true", help="add an IPv6 /56, a /64 per subnet")
    group.add_argument(
        "--alb", type=_yes_no, default=None, metavar="yes|no", help="public tier holds an ALB"
    )
    group.add_argument("--name", default=None, help="the plan's name (default cloudlab)")
    group.add_argument("--plan", default=None, metavar="FILE", help="a plan saved as JSON")


def _plan_from(args: argparse.Namespace) -> Any:
    from cloudlab.vpc.plan import DEFAULT_TIERS, NetworkPlan, parse_tiers, plan_network

    options = ("cidr", "azs", "tiers", "nat", "spare", "alb", "name")
    if args.plan is not None:
        given = [f"--{o}" for o in options if getattr(args, o) is not None]
        if given or args.ipv6:
            raise ValueError(f"--plan reads a whole plan: leave out {(given or ['--ipv6'])[0]}")
        try:
            return NetworkPlan.load(args.plan)
        except OSError as error:
            raise ValueError(f"--plan {args.plan}: {error.strerror or error}") from None
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"--plan {args.plan}: not a saved plan ({error!r:.60})") from None
    azs = 2 if args.azs is None else args.azs
    if not 1 <= azs <= len(_AZ_LETTERS):
        raise ValueError(f"--azs {azs}: choose 1 to {len(_AZ_LETTERS)} Availability Zones")
    return plan_network(
        "10.0.0.0/16" if args.cidr is None else args.cidr.strip(),
        tuple(_AZ_LETTERS[:azs]),
        DEFAULT_TIERS if args.tiers is None else parse_tiers(args.tiers),
        ipv6=args.ipv6,
        nat="single" if args.nat is None else args.nat.strip(),
        spare_tiers=1 if args.spare is None else args.spare,
        alb=True if args.alb is None else args.alb,
        name="cloudlab" if args.name is None else args.name.strip(),
    )


def _add_plan(commands: Any) -> None:
    plan = commands.add_parser(
        "plan",
        help="plan a VPC: subnets per tier and Availability Zone, route tables",
        description="Plan a VPC by AWS's rules; --json prints the plan as the JSON that "
        "--plan FILE (and cloudlab.vpc.plan.NetworkPlan.load) reads back.",
    )
    _add_plan_options(plan)
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.set_defaults(run=_run_plan)


def _run_plan(args: argparse.Namespace) -> str:
    plan = _plan_from(args)
    return json.dumps(plan.to_dict(), indent=2) if args.json else plan.to_text()


def _add_route(commands: Any) -> None:
    route = commands.add_parser(
        "route",
        help="where a packet from a subnet of the plan goes, by which route",
        description="Longest-prefix match in the source subnet's route table, hop by hop; "
        "and whether the internet can reach that subnet.",
    )
    _add_plan_options(route)
    route.add_argument("--subnet", default=None, help="source subnet (default: first private)")
    route.add_argument("--destination", default="198.51.100.7", metavar="ADDRESS")
    route.add_argument(
        "--public-ip", type=_yes_no, default=True, metavar="yes|no", help="sender has one"
    )
    route.add_argument(
        "--what-if", default="", metavar="ROUTE", help="a route added, e.g. '10.0.0.0/24 blackhole'"
    )
    route.add_argument("--json", action="store_true", help="print one JSON object")
    route.set_defaults(run=_run_route)


def _run_route(args: argparse.Namespace) -> str:
    from cloudlab.vpc.flows import first_subnet, look_up

    plan = _plan_from(args)
    subnet = (args.subnet or "").strip()
    subnet = subnet or first_subnet(plan, "private") or plan.subnets[0].name
    data = look_up(plan, subnet, args.destination, public_ip=args.public_ip, extra=args.what_if)
    if args.json:
        return json.dumps(data, indent=2)
    lines = [data["trace"]["summary"]]
    for number, hop in enumerate(data["trace"]["hops"], start=1):
        lines.append(f"  {number}. {hop['text']}")
    lines += [f"  note: {note}" for note in data["trace"]["notes"]]
    lines.append(f"from the internet: {data['inbound']['summary']}")
    return "\n".join(lines)


def _add_flow(commands: Any) -> None:
    flow = commands.add_parser(
        "flow",
        help="is a flow allowed by the security groups and network ACLs, both ways?",
        description="Check a flow against the book's security groups (sg-alb, sg-app) and "
        "the subnets' network ACLs, then its reply; and what routing adds.",
    )
    _add_plan_options(flow)
    flow.add_argument("--source", default="internet", metavar="internet|alb|app|ADDRESS")
    flow.add_argument("--destination", default="alb", metavar="internet|alb|app|ADDRESS")
    flow.add_argument("--protocol", default="tcp", metavar="tcp|udp|icmp")
    flow.add_argument("--port", default="443", help="destination port (empty for icmp)")
    flow.add_argument("--version", type=_whole_number, default=4, metavar="4|6")
    flow.add_argument(
        "--nacl", default="default", metavar="default|web|web-no-return", help="public subnets'"
    )
    flow.add_argument(
        "--deny",
        default="",
        metavar="RULE",
        help="deny rule for the destination subnet, e.g. '90 inbound tcp 443 203.0.113.0/24'",
    )
    flow.add_argument("--json", action="store_true", help="print one JSON object")
    flow.set_defaults(run=_run_flow)


def _run_flow(args: argparse.Namespace) -> str:
    from cloudlab.vpc.flows import check_flow

    data = check_flow(
        _plan_from(args),
        args.source,
        args.destination,
        args.protocol,
        args.port,
        version=args.version,
        nacl=args.nacl,
        deny=args.deny,
    )
    if args.json:
        return json.dumps(data, indent=2)
    word = {True: "allowed", False: "denied"}
    lines = [
        f"request {word[data['allowed']]}, reply {word[data['return_allowed']]}: {data['flow']}",
        data["explanation"],
    ]
    for check in data["checks"] + data["return_checks"]:
        if check["applies"]:
            verdict = word[check["allowed"]]
            lines.append(f"  {check['layer']} {check['direction']} ({check['where']}): {verdict}")
    if data["routing"]["text"]:
        lines.append(f"routing: {data['routing']['text']}")
    return "\n".join(lines)


def _add_cookie(commands: Any) -> None:
    cookie = commands.add_parser(
        "cookie",
        help="what a Set-Cookie header asks the browser to do, attribute by attribute",
        description="Read one Set-Cookie header value and explain each attribute.",
    )
    cookie.add_argument(
        "--header",
        default="device_id=abc; Max-Age=31536000; HttpOnly; Path=/; SameSite=Lax",
        metavar="TEXT",
        help="the header's value, e.g. 'sid=1; Max-Age=3600; Secure'",
    )
    cookie.add_argument(
        "--now", type=_number, default=None, metavar="SECONDS", help="arrival time (epoch)"
    )
    cookie.add_argument("--json", action="store_true", help="print one JSON object")
    cookie.set_defaults(run=_run_cookie)


def _run_cookie(args: argparse.Namespace) -> str:
    from cloudlab.web.cookies import explain_set_cookie, parse_set_cookie

    info = parse_set_cookie(args.header, now=args.now)
    rows = explain_set_cookie(args.header, now=args.now)
    if args.json:
        return json.dumps(
            {"cookie": info, "rows": [{"attribute": a, "meaning": m} for a, m in rows]},
            indent=2,
        )
    return f"{info['kind']} cookie\n\n" + _table(rows, ["attribute", "meaning"])


# ------------------------------------------------- the Happy Eyeballs race (ipv4-and-ipv6)

#: The race's yes/no conditions (cloudlab.sim.happy_eyeballs.Conditions fields).
RACE_SWITCHES = ("device_ipv6", "router_ipv6", "isp_ipv6", "site_aaaa", "site_a", "device_ipv4")
#: Its times in ms, and the seed.
RACE_TIMES = (
    "ipv6_latency_ms",
    "ipv4_latency_ms",
    "aaaa_ms",
    "a_ms",
    "connection_attempt_delay_ms",
    "resolution_delay_ms",
    "jitter_ms",
    "give_up_ms",
)


def _add_race(commands: Any) -> None:
    race = commands.add_parser(
        "race",
        help="which address family wins a Happy Eyeballs race (RFC 8305)",
        description="Simulate a dual-stack client connecting to a website: who supports "
        "IPv6, how each path behaves, and the RFC 8305 timers. Options left out keep "
        "a healthy dual-stack network's values.",
    )
    for name in RACE_SWITCHES:
        race.add_argument(f"--{name.replace('_', '-')}", type=_yes_no, metavar="yes|no")
    # No argparse choices=: its message differs between Python versions (see decide).
    race.add_argument("--ipv6-state", metavar="ok|blackholed|refused")
    race.add_argument("--ipv4-state", metavar="ok|blackholed|refused")
    for name in RACE_TIMES:
        race.add_argument(f"--{name.replace('_', '-')}", type=_number, metavar="MS")
    race.add_argument("--seed", type=_whole_number, metavar="N", help="seed for the jitter")
    race.add_argument("--json", action="store_true", help="print one JSON object")
    race.set_defaults(run=_run_race)


def _run_race(args: argparse.Namespace) -> str:
    from cloudlab.sim.happy_eyeballs import Conditions, simulate

    conditions = _from_args(Conditions, args)
    result = simulate(conditions)
    if args.json:
        return json.dumps(
            {
                "winner": result.address,
                **result.to_dict(),
                "conditions": dataclasses.asdict(conditions),
            },
            indent=2,
        )
    rows = [
        (str(i), a.family, a.address, f"{a.start_ms:g}", f"{a.end_ms:g}", a.result)
        for i, a in enumerate(result.attempts, start=1)
    ]
    order = ", ".join(f"{r['address']} ({r['family']})" for r in result.to_dict()["order"])
    lines = [result.summary, ""]
    if rows:
        lines += [_table(rows, ["#", "family", "address", "start ms", "end ms", "result"]), ""]
    return "\n".join([*lines, f"destinations in RFC 6724 order: {order or 'none'}"])


_PARSER: _OneLineParser | None = None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 2 for bad input (after one line on stderr).
    """
    global _PARSER
    if _PARSER is None:  # built once: the browser answers each keystroke with main()
        _PARSER = _parser()
    parser = _PARSER
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has already printed its one line
        return int(stop.code or 0)
    if args.command == "fleet":
        from cloudlab.fleet.cli import run_fleet

        return run_fleet(args)
    command = f"cloudlab {args.command}"
    try:
        if hasattr(args, "run"):
            output = args.run(args)
        elif args.command == "ip":
            output = _run_ip(args)
        elif args.prefix is not None:
            output = _run_split_prefix(args)
        else:
            output = _run_split_hosts(args)
    except ValueError as error:
        message = str(error).splitlines()[0] if str(error) else "invalid input"
        sys.stderr.write(f"{command}: error: {message}\n")
        return EXIT_USAGE
    try:
        sys.stdout.write(output + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
