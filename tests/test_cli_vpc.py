"""The VPC chapter's command line: ``python -m cloudlab plan``, ``route`` and ``flow``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudlab.cli import main
from cloudlab.vpc.firewall import Flow, evaluate_flow
from cloudlab.vpc.flows import endpoint
from cloudlab.vpc.plan import DEFAULT_TIERS, NetworkPlan, parse_tiers, plan_network
from cloudlab.vpc.routes import trace


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_plan_json_is_the_plan_and_loads_back(capsys, tmp_path: Path) -> None:
    tiers = "public public /24; app private 500; data isolated /26"
    data = _json(capsys, ["plan", "--cidr", "10.1.0.0/16", "--azs", "3", "--tiers", tiers])
    expected = plan_network("10.1.0.0/16", ("a", "b", "c"), parse_tiers(tiers))
    assert data == expected.to_dict()
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(data))
    assert NetworkPlan.load(saved) == expected
    # route and flow read the saved plan instead of the plan options
    routed = _json(capsys, ["route", "--plan", str(saved), "--subnet", "app-c"])
    assert routed["trace"]["source"] == "app-c"


def test_plan_defaults_are_the_books(capsys) -> None:
    assert _json(capsys, ["plan"]) == plan_network().to_dict()
    assert _json(capsys, ["plan", "--ipv6", "--nat", "per-az"]) == (
        plan_network(ipv6=True, nat="per-az").to_dict()
    )
    assert plan_network(tiers=DEFAULT_TIERS) == plan_network()


def test_plan_text_is_the_plans_table(capsys) -> None:
    assert main(["plan", "--azs", "3"]) == 0
    assert capsys.readouterr().out.strip() == plan_network(azs=("a", "b", "c")).to_text()


def test_route_is_the_trace_of_the_plan(capsys) -> None:
    plan = plan_network()
    data = _json(capsys, ["route", "--subnet", "data-b", "--destination", "198.51.100.7"])
    assert data["trace"] == trace(plan, "data-b", "198.51.100.7").to_dict()
    assert data["trace"]["outcome"] == "dropped"
    assert data["inbound"]["reachable"] is False
    # default source: the first private subnet; a what-if route changes the answer
    default = _json(capsys, ["route", "--destination", "10.0.12.9"])
    assert default["trace"]["source"] == "app-a"
    blocked = _json(
        capsys, ["route", "--destination", "10.0.12.9", "--what-if", "10.0.12.0/24 blackhole"]
    )
    assert default["trace"]["outcome"] == "local"
    assert blocked["trace"]["outcome"] == "dropped"


def test_flow_is_the_verdict_of_the_books_groups(capsys) -> None:
    plan = plan_network()
    data = _json(capsys, ["flow", "--source", "alb", "--destination", "app", "--port", "5000"])
    verdict = evaluate_flow(
        Flow(
            endpoint(plan, "load balancer (sg-alb)"),
            endpoint(plan, "app task (sg-app)"),
            "tcp",
            5000,
        )
    )
    assert data["allowed"] is verdict.allowed is True
    assert data["explanation"] == verdict.explanation
    internet = _json(capsys, ["flow", "--destination", "app", "--port", "5000"])
    assert internet["allowed"] is False
    assert internet["routing"]["path"] is False
    no_return = _json(capsys, ["flow", "--nacl", "web-no-return"])
    assert no_return["allowed"] is True
    assert no_return["return_allowed"] is False
    denied = _json(capsys, ["flow", "--deny", "90 inbound tcp 443 203.0.113.0/24"])
    assert denied["allowed"] is False
    v6 = _json(capsys, ["flow", "--ipv6", "--version", "6"])
    assert v6["allowed"] is True
    assert "2001:db8" in v6["source"]


def test_flow_and_route_text(capsys) -> None:
    assert main(["flow", "--source", "internet", "--destination", "app", "--port", "5000"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("request denied")
    assert "routing:" in out
    assert main(["route", "--subnet", "public-a"]) == 0
    assert "internet gateway" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan", "--azs", "0"], "--azs 0: choose 1 to 6"),
        (["plan", "--azs", "7"], "--azs 7: choose 1 to 6"),
        (["plan", "--azs", "two"], "argument --azs: 'two' is not a whole"),
        (["plan", "--azs", "1"], "two Availability Zones"),
        (["plan", "--cidr", "10.0.0.0/8"], "10.0.0.0/8"),
        (["plan", "--cidr", "2001:db8::/56"], "give the VPC an IPv4 block"),
        (["plan", "--tiers", "app private"], "line 1 ('app private')"),
        (["plan", "--tiers", ""], "give at least one tier"),
        (["plan", "--nat", "double"], "double"),
        (["plan", "--alb", "maybe"], "answer yes or no"),
        (
            ["plan", "--cidr", "10.0.0.0/24", "--tiers", "app private 4000", "--nat", "none"],
            "does not fit",
        ),
        (["plan", "--plan", "/nonexistent/plan.json"], "--plan /nonexistent/plan.json"),
        (["plan", "--plan", "x.json", "--azs", "3"], "leave out --azs"),
        (["route", "--subnet", "nowhere"], "nowhere"),
        (["route", "--destination", "10.0.0.999"], "10.0.0.999"),
        (["route", "--what-if", "10.0.0.0/24"], "10.0.0.0/24"),
        (["route", "--public-ip", "perhaps"], "answer yes or no"),
        (["flow", "--port", "70000"], "70000"),
        (["flow", "--protocol", "icmp"], "icmp has no port"),
        (["flow", "--protocol", "sctp"], "sctp"),
        (["flow", "--version", "5"], "the IP version is 4 or 6"),
        (["flow", "--version", "6"], "plan the VPC with IPv6"),
        (["flow", "--nacl", "strict"], "choose one of default, web, web-no-return"),
        (["flow", "--deny", "90 inbound tcp 443"], "write the deny rule as"),
        (
            ["flow", "--destination", "198.51.100.1", "--deny", "90 inbound tcp 443 0.0.0.0/0"],
            "outside the VPC",
        ),
        (["flow", "--source", "2001:db8::1"], "a packet is one or the other"),
    ],
)
def test_bad_vpc_input_is_one_line(capsys, argv: list[str], expected: str) -> None:
    assert main([*argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert expected in captured.err
    assert "Traceback" not in captured.err
