"""cloudlab.practice: every generated answer agrees with ipaddress, across seeds and levels."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import math

import pytest

from cloudlab import cli
from cloudlab.practice import KINDS, LEVELS, check, exercise

SEEDS = range(60)


def _words(question: str) -> list[str]:
    return [w.strip(",.?:()") for w in question.split()]


def _blocks(question: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for word in _words(question):
        if "/" in word and word[0] not in "/":
            with contextlib.suppress(ValueError):
                found.append(ipaddress.ip_network(word, strict=False))
    return found


def expected(kind: str, question: str) -> str:
    """The answer worked out with ipaddress alone, from the question's text."""
    words = _words(question)
    if kind == "network-broadcast":
        iface = ipaddress.ip_interface(next(w for w in words if "/" in w and "." in w))
        return f"{iface.network.network_address} {iface.network.broadcast_address}"
    if kind == "hosts":
        p = int(next(w for w in words if w.startswith("/"))[1:])
        return (
            str(len(list(ipaddress.ip_network(f"10.0.0.0/{p}").hosts())))
            if p >= 16
            else str(2 ** (32 - p) - 2)
        )
    if kind == "smallest-prefix":
        hosts = int(words[words.index("holds") + 1].replace(",", ""))
        p = max(q for q in range(33) if 2 ** (32 - q) - (2 if q < 31 else 0) >= hosts)
        return f"/{p}"
    if kind == "in-block":
        address = ipaddress.ip_address(words[1])
        return "yes" if address in ipaddress.ip_network(words[3]) else "no"
    if kind == "next-subnet":
        (net,) = _blocks(question)
        after = ipaddress.ip_address(int(net.broadcast_address) + 1)
        return str(ipaddress.ip_network(f"{after}/{net.prefixlen}"))
    if kind == "split":
        (net,) = _blocks(question)
        pieces = int(words[words.index("least") + 1])
        new = net.prefixlen + math.ceil(math.log2(pieces))
        return str(next(net.subnets(new_prefix=new)))
    if kind == "vlsm":
        (net,) = _blocks(question)
        counts = [int(w) for w in question.split(" hosts")[0].split("for ")[1].split(", ")]
        free = [net]
        chosen = []
        for hosts in counts:
            p = max(q for q in range(33) if 2 ** (32 - q) - (2 if q < 31 else 0) >= hosts)
            block = min((f for f in free if f.prefixlen <= p), key=lambda f: f.network_address)
            piece = next(block.subnets(new_prefix=p))
            free.remove(block)
            free += list(block.address_exclude(piece))
            chosen.append(str(piece))
        return " ".join(chosen)
    if kind == "count-64":
        (net,) = _blocks(question)
        return str(2 ** (64 - net.prefixlen))
    if kind == "aws-usable":
        (net,) = _blocks(question)
        return str(net.num_addresses - 5)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("level", LEVELS)
def test_every_answer_agrees_with_ipaddress(kind: str, level: int) -> None:
    for seed in SEEDS:
        item = exercise(seed, level, kind)
        assert item.answer == expected(kind, item.question), (seed, item.question)
        assert check(item, item.answer).correct
        assert item.steps


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_answer_is_rejected_with_the_steps(kind: str) -> None:
    item = exercise(11, 2, kind)
    wrong = {"in-block": "no" if item.answer == "yes" else "yes"}.get(kind, "1")
    verdict = check(item, wrong)
    assert not verdict.correct
    assert verdict.answer == item.answer
    assert verdict.steps == item.steps


def test_replies_are_read_like_addresses_and_numbers() -> None:
    assert check(exercise(2, 1, "count-64"), f"{int(exercise(2, 1, 'count-64').answer):,}").correct
    item = exercise(4, 3, "next-subnet")
    assert check(item, item.answer.upper()).correct
    item = exercise(4, 1, "smallest-prefix")
    assert check(item, item.answer.lstrip("/")).correct


def test_same_seed_same_exercise_and_seeds_differ() -> None:
    assert exercise(9, 2) == exercise(9, 2)
    assert len({exercise(s, 2).question for s in SEEDS}) > 50
    assert {exercise(s, 1).kind for s in SEEDS} == set(KINDS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"level": 4}, "level 4: choose 1, 2 or 3"),
        ({"kind": "guess"}, "kind 'guess': choose one of"),
    ],
)
def test_bad_settings_name_the_problem(args: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        exercise(1, **args)


def test_command_line_checks_a_reply(capsys: pytest.CaptureFixture[str]) -> None:
    item = exercise(7, 2, "aws-usable")
    assert (
        cli.main(
            [
                "practice",
                "--seed",
                "7",
                "--level",
                "2",
                "--kind",
                "aws-usable",
                "--answer",
                item.answer,
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["correct"] is True
    assert data["question"] == item.question
    assert (
        cli.main(
            ["practice", "--seed", "7", "--level", "2", "--kind", "aws-usable", "--answer", "0"]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith(f"Not quite: the answer is {item.answer}.")
    assert cli.main(["practice", "--seed", "7", "--json"]) == 0
    assert "answer" not in json.loads(capsys.readouterr().out)  # not given away
