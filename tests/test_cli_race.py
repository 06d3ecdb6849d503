"""``python -m cloudlab race``: the Happy Eyeballs race on the command line (and on the site)."""

from __future__ import annotations

import json

import pytest

from cloudlab.cli import main
from cloudlab.sim.happy_eyeballs import Conditions, simulate


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["race", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_defaults_are_a_healthy_dual_stack_network(capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys)
    assert data["winner"] == "2001:db8:80::10"
    assert data["family"] == "IPv6"
    assert data["connected_ms"] == 50.0
    assert [a["result"] for a in data["attempts"]] == ["connected"]
    assert [d["address"] for d in data["order"]] == ["2001:db8:80::10", "203.0.113.10"]
    assert data["conditions"]["connection_attempt_delay_ms"] == 250.0


@pytest.mark.parametrize(
    ("argv", "changes"),
    [
        (["--ipv6-state", "blackholed"], {"ipv6_state": "blackholed"}),
        (["--isp-ipv6", "no"], {"isp_ipv6": False}),
        (["--site-a", "no", "--ipv6-state", "refused"], {"site_a": False, "ipv6_state": "refused"}),
        (["--a-ms", "10", "--aaaa-ms", "100"], {"a_ms": 10.0, "aaaa_ms": 100.0}),
        (["--jitter-ms", "40", "--seed", "7"], {"jitter_ms": 40.0, "seed": 7}),
        (
            ["--connection-attempt-delay-ms", "100", "--ipv6-latency-ms", "400"],
            {"connection_attempt_delay_ms": 100.0, "ipv6_latency_ms": 400.0},
        ),
    ],
)
def test_json_is_the_library_race(
    capsys: pytest.CaptureFixture[str], argv: list[str], changes: dict
) -> None:
    data = _json(capsys, *argv)
    race = simulate(**changes)
    assert data["summary"] == race.summary
    assert data["family"] == race.family
    assert data["connected_ms"] == race.connected_ms
    assert [(a["start_ms"], a["end_ms"], a["result"]) for a in data["attempts"]] == [
        (a.start_ms, a.end_ms, a.result) for a in race.attempts
    ]
    assert data["conditions"] == json.loads(json.dumps(Conditions(**changes).__dict__))


def test_the_same_seed_gives_the_same_race_and_another_seed_another(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _json(capsys, "--jitter-ms", "50", "--seed", "3")
    again = _json(capsys, "--jitter-ms", "50", "--seed", "3")
    other = _json(capsys, "--jitter-ms", "50", "--seed", "4")
    assert first == again
    assert first["attempts"] != other["attempts"]


def test_summary_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["race", "--ipv6-state", "blackholed"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "IPv6 blackholed: fell back to IPv4, connected after 300 ms."
    assert "cancelled" in out
    assert "connected" in out
    assert "2001:db8:80::10 (IPv6), 203.0.113.10 (IPv4)" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--device-ipv6", "no", "--device-ipv4", "no"], "neither IPv4 nor IPv6"),
        (["--device-ipv6", "maybe"], "answer yes or no"),
        (["--ipv6-latency-ms", "-3"], "0 ms or more"),
        (["--ipv4-latency-ms", "fast"], "is not a number"),
        (["--ipv6-state", "up"], "unknown IPv6 path state 'up'"),
        (["--connection-attempt-delay-ms", "5"], "between 10 and 2000 ms"),
        (["--give-up-ms", "0"], "more than 0 ms"),
        (["--seed", "1.5"], "not a whole number"),
        (["--jitter-ms", "nan"], "not a finite number"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert main(["race", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cloudlab race: error: ")
    assert expected in lines[0]
