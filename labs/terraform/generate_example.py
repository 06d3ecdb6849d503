"""Regenerate this lab's files that come from the book's network plan.

Writes ``terraform.tfvars.json.example`` (the variables of the book's default plan, from
:meth:`cloudlab.vpc.plan.NetworkPlan.to_tfvars`) and ``architecture.png`` (its diagram).
Run it from the book's repository, with the book's environment::

    .venv/bin/python labs/terraform/generate_example.py          # rewrite both files
    .venv/bin/python labs/terraform/generate_example.py --check  # exit 1 if the example is stale

To use your own plan instead, write ``terraform.tfvars.json`` next to this file with
``plan.write_tfvars(...)`` (that file is ignored by git).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "terraform.tfvars.json.example"
PICTURE = HERE / "architecture.png"


def default_tfvars() -> dict[str, Any]:
    """The tfvars of the book's default network plan (``plan_network()``, named ``cloudlab``)."""
    from cloudlab.vpc.plan import plan_network

    return plan_network(name="cloudlab").to_tfvars()


def example_text() -> str:
    """The exact text ``terraform.tfvars.json.example`` should hold."""
    return json.dumps(default_tfvars(), indent=2) + "\n"


def hourly_costs(
    *, tasks: int = 2, cpu: int = 256, memory: int = 512, azs: int = 2, nat_gateways: int = 1
) -> list[tuple[str, float, str]]:
    """What the lab's defaults cost per hour while they exist, from the book's price tables.

    Parameters
    ----------
    tasks : int
        Running Fargate tasks (the live colour's ``min_tasks``).
    cpu, memory : int
        Task size in CPU units and MiB.
    azs : int
        Availability Zones (the load balancer has a public IPv4 address in each).
    nat_gateways : int
        NAT gateways (1 for ``nat_mode = "single"``).

    Returns
    -------
    list of (item, USD per hour, "source, read <date>")
        Usage-based charges (load balancer capacity units, GB through NAT, log ingestion,
        image storage, the secret's monthly fee) come on top.
    """
    from cloudlab.compute.prices import RATES

    def cite(key: str) -> str:
        return f"{RATES[key].source}, read {RATES[key].read}"

    per_task = cpu / 1024 * RATES["fargate-vcpu"].usd + memory / 1024 * RATES["fargate-gb"].usd
    return [
        ("Application Load Balancer", RATES["alb"].usd, cite("alb")),
        (
            f"its public IPv4 addresses (one per zone, {azs})",
            azs * RATES["public-ipv4"].usd,
            cite("public-ipv4"),
        ),
        (f"NAT gateway ({nat_gateways})", nat_gateways * RATES["nat-hour"].usd, cite("nat-hour")),
        (
            f"its Elastic IP address ({nat_gateways})",
            nat_gateways * RATES["public-ipv4"].usd,
            cite("public-ipv4"),
        ),
        (
            f"Fargate tasks ({tasks} × {cpu / 1024:g} vCPU, {memory / 1024:g} GB)",
            tasks * per_task,
            cite("fargate-vcpu"),
        ),
    ]


def cost_table() -> str:
    """:func:`hourly_costs` as the Markdown table the README shows."""
    rows = hourly_costs()
    lines = ["| What | USD per hour | Price source |", "| --- | ---: | --- |"]
    lines += [f"| {item} | {usd:.4f} | {source} |" for item, usd, source in rows]
    total = sum(usd for _, usd, _ in rows)
    month = f"about USD {total * 730:.0f} per 730-hour month"
    lines.append(f"| **Total** | **{total:.4f}** | {month} |")
    return "\n".join(lines)


def write_picture(path: Path = PICTURE) -> Path:
    """Save the default plan's architecture diagram as a small PNG (96 dpi)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cloudlab.vpc.pictures import architecture_diagram
    from cloudlab.vpc.plan import plan_network

    figure = architecture_diagram(plan_network(name="cloudlab"))
    figure.savefig(path, dpi=96, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: rewrite the files, or with ``--check`` only compare the example."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the example is current")
    parser.add_argument("--costs", action="store_true", help="print the README's cost table")
    args = parser.parse_args(argv)
    if args.costs:
        print(cost_table())
        return 0
    wanted = example_text()
    if args.check:
        current = EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.exists() else ""
        if current != wanted:
            print(f"{EXAMPLE.name} is stale: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{EXAMPLE.name} is current")
        return 0
    EXAMPLE.write_text(wanted, encoding="utf-8")
    write_picture()
    print(f"wrote {EXAMPLE} and {PICTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
