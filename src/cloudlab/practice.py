"""Practice: seeded subnetting exercises, checked and explained with the book's own functions.

:func:`exercise` makes one exercise from a seed (the same seed gives the same exercise
on every machine and Python version), at a level from 1 (IPv4, octet-friendly
prefixes) to 3 (any prefix, IPv6 where the kind allows it). :func:`check` compares a
reply with the answer and returns the verdict and the worked steps. The answers come
from :mod:`cloudlab.net` (the functions the calculators use); the unit tests check them
against :mod:`ipaddress` directly, across many seeds.

``python -m cloudlab practice --seed 7`` asks one in a terminal; the book's site has
the same exercises in a live form, and keeps the reader's streak in ``localStorage``.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import asdict, dataclass
from typing import Any

from cloudlab import checks
from cloudlab.net import aws
from cloudlab.net.addresses import host_range, parse_address, parse_network, text
from cloudlab.net.subnets import nth_subnet, subnet_count, vlsm

__all__ = ["KINDS", "LEVELS", "Exercise", "Verdict", "check", "exercise"]

#: The kinds of exercise, in the order the book teaches them.
KINDS: tuple[str, ...] = (
    "network-broadcast",
    "hosts",
    "smallest-prefix",
    "in-block",
    "next-subnet",
    "split",
    "vlsm",
    "count-64",
    "aws-usable",
)
LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Exercise:
    """One exercise: what is asked, and the answer with its steps."""

    seed: int
    level: int
    kind: str
    question: str
    answer: str
    steps: tuple[str, ...]

    def to_dict(self, *, with_answer: bool = True) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = list(self.steps)
        if not with_answer:
            del data["answer"], data["steps"]
        return data


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`."""

    correct: bool
    reply: str
    answer: str
    steps: tuple[str, ...]


def _prefix_range(level: int, low: int, high: int) -> tuple[int, int]:
    if level == 1:
        return max(low, 16), min(high, 30)
    return low, high


def _random_v4(rng: random.Random, prefix: int, level: int) -> ipaddress.IPv4Interface:
    first = rng.choice((10, 172, 192)) if level == 1 else rng.randrange(1, 224)
    value = (first << 24) | rng.getrandbits(24)
    return ipaddress.IPv4Interface((value, prefix))


def _random_v6_network(rng: random.Random, low: int, high: int) -> ipaddress.IPv6Network:
    prefix = rng.randint(low, high)
    value = (0x20010DB8 << 96) | rng.getrandbits(96)
    return ipaddress.IPv6Network((value, prefix), strict=False)


def _network_broadcast(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = _prefix_range(level, 8, 30)
    iface = _random_v4(rng, rng.randint(low, high), level)
    net = parse_network(f"{iface.ip}/{iface.network.prefixlen}")
    p = net.prefixlen
    question = (
        f"The address {iface.ip}/{p}: what are its network and broadcast addresses? "
        "(two addresses, separated by a space)"
    )
    steps = [
        f"/{p} keeps the first {p} bits: the netmask is {net.netmask}.",
        f"{iface.ip} AND {net.netmask} = {net.network_address} (the network).",
        f"Set the {32 - p} host bits to 1: {net.broadcast_address} (the broadcast).",
    ]
    return question, f"{net.network_address} {net.broadcast_address}", steps


def _hosts(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = _prefix_range(level, 8, 32)
    p = rng.randint(low, high)
    _, _, usable = host_range(ipaddress.IPv4Network(f"0.0.0.0/{p}"))
    question = f"How many usable host addresses does an IPv4 /{p} have?"
    size = 1 << (32 - p)
    if p >= 31:
        why = f"A /{p} is a point-to-point link or one host: all {size} addresses are usable."
    else:
        why = f"Take away the network and broadcast addresses: {size:,} - 2 = {usable:,}."
    steps = [f"A /{p} has 2^(32-{p}) = {size:,} addresses.", why]
    return question, str(usable), steps


def _smallest_prefix(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    hosts = rng.randint(3, 250 if level == 1 else 60_000)
    plan = vlsm(ipaddress.IPv4Network("0.0.0.0/0"), [hosts])
    p = plan[0].network.prefixlen
    question = (
        f"What is the longest IPv4 prefix (the smallest subnet) that holds {hosts:,} hosts? "
        "(answer like /24)"
    )
    need = hosts + 2
    steps = [
        f"{hosts:,} hosts + network + broadcast = {need:,} addresses.",
        f"The next power of two is 2^{32 - p} = {1 << (32 - p):,}.",
        f"32 - {32 - p} = {p}: a /{p} ({(1 << (32 - p)) - 2:,} usable).",
    ]
    return question, f"/{p}", steps


def _in_block(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = _prefix_range(level, 8, 28)
    if level == 3 and rng.random() < 0.5:
        block: Any = _random_v6_network(rng, 32, 64)
    else:
        block = _random_v4(rng, rng.randint(low, high), level).network
    span = block.num_addresses
    if rng.random() < 0.5:
        address = block.network_address + rng.randrange(span)
    else:  # in the next block of the same size (level 1-3 blocks are never the last)
        address = block.broadcast_address + 1 + rng.randrange(span)
    answer = "yes" if address in block else "no"
    question = f"Is {text(address)} in {text(block)}? (yes or no)"
    steps = [
        f"{text(block)} runs from {text(block.network_address)} to "
        f"{text(block.broadcast_address)}.",
        f"{text(address)} is {'inside' if answer == 'yes' else 'outside'} that range: {answer}.",
    ]
    return question, answer, steps


def _next_subnet(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = _prefix_range(level, 8, 30)
    if level == 3 and rng.random() < 0.5:
        net: Any = _random_v6_network(rng, 40, 64)
    else:
        net = _random_v4(rng, rng.randint(low, high), level).network
    after = net.broadcast_address + 1  # never the last block at these levels
    following = ipaddress.ip_network(f"{after}/{net.prefixlen}")
    question = f"Which subnet of the same size comes right after {text(net)}?"
    steps = [
        f"{text(net)} holds {net.num_addresses:,} addresses and ends at "
        f"{text(net.broadcast_address)}.",
        f"The next block starts one address later, at {text(after)}: {text(following)}.",
    ]
    return question, text(following), steps


def _split(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = _prefix_range(level, 8, 26)
    net = _random_v4(rng, rng.randint(low, high), level).network
    pieces = rng.choice((2, 4, 8, 16)) if level == 1 else rng.randint(2, 40)
    bits = (pieces - 1).bit_length()
    bits = min(bits, 32 - net.prefixlen)
    new = net.prefixlen + bits
    count = subnet_count(net, new)
    question = (
        f"Split {net} into at least {pieces} equal subnets, as large as possible: "
        "what is the first of them? (a CIDR block)"
    )
    first = nth_subnet(net, new, 0)
    steps = [
        f"{pieces} subnets need {bits} more prefix bits (2^{bits} = {1 << bits} ≥ {pieces}).",
        f"/{net.prefixlen} + {bits} = /{new}: {count} subnets of "
        f"{first.num_addresses:,} addresses.",
        f"The first starts where {net} starts: {first}.",
    ]
    return question, str(first), steps


def _vlsm(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    n = 2 if level == 1 else rng.randint(3, 5)
    counts = sorted((rng.randint(2, 250 if level == 1 else 1000) for _ in range(n)), reverse=True)
    size_needed = sum(1 << (h + 1).bit_length() for h in counts)
    prefix = 32 - (size_needed - 1).bit_length()
    net = _random_v4(rng, prefix, 2).network
    plan = vlsm(net, counts)
    question = (
        f"Plan subnets for {', '.join(map(str, counts))} hosts inside {net}, largest first, "
        "each as small as it can be: list the subnets (separated by spaces)"
    )
    steps = [
        f"{a.hosts} hosts need a /{a.network.prefixlen} ({a.usable} usable); "
        f"the next free block is {a.network}."
        for a in plan
    ]
    return question, " ".join(str(a.network) for a in plan), steps


def _count_64(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    net = _random_v6_network(rng, 48 if level == 1 else 32, 64)
    count = subnet_count(net, 64)
    question = f"How many /64 subnets are there in {text(net)}?"
    steps = [
        f"Each /64 takes 64 prefix bits; {text(net)} leaves 64 - {net.prefixlen} = "
        f"{64 - net.prefixlen} bits to number them.",
        f"2^{64 - net.prefixlen} = {count:,}.",
    ]
    return question, str(count), steps


def _aws_usable(rng: random.Random, level: int) -> tuple[str, str, list[str]]:
    low, high = min(aws.IPV4_SUBNET_PREFIXES), max(aws.IPV4_SUBNET_PREFIXES)
    if level == 1:
        low = 20
    net = _random_v4(rng, rng.randint(low, high), 2).network
    usable = aws.aws_usable(net)
    reserved = ", ".join(text(a) for a, _ in aws.aws_reserved(net))
    question = f"How many addresses can instances use in an AWS subnet {net}?"
    steps = [
        f"{net} has {net.num_addresses:,} addresses.",
        f"AWS reserves 5 in every subnet: {reserved}.",
        f"{net.num_addresses:,} - 5 = {usable:,}.",
    ]
    return question, str(usable), steps


_MAKERS = {
    "network-broadcast": _network_broadcast,
    "hosts": _hosts,
    "smallest-prefix": _smallest_prefix,
    "in-block": _in_block,
    "next-subnet": _next_subnet,
    "split": _split,
    "vlsm": _vlsm,
    "count-64": _count_64,
    "aws-usable": _aws_usable,
}


def exercise(seed: int, level: int = 1, kind: str | None = None) -> Exercise:
    """The exercise for ``seed`` at ``level``; ``kind`` picks one kind, else the seed does.

    >>> exercise(3, 1, "hosts").question
    'How many usable host addresses does an IPv4 /16 have?'
    """
    if level not in LEVELS:
        raise ValueError(f"level {level}: choose 1, 2 or 3")
    if kind is not None and kind not in _MAKERS:
        raise ValueError(f"kind {kind!r}: choose one of {', '.join(KINDS)}")
    rng = random.Random(f"cloudlab-practice:{seed}:{level}:{kind}")
    chosen = kind or rng.choice(KINDS)
    question, answer, steps = _MAKERS[chosen](rng, level)
    return Exercise(seed, level, chosen, question, answer, tuple(steps))


def _normal(kind: str, reply: str) -> str:
    """A reply in the answer's canonical form, or the reply stripped if it cannot be read."""
    words = [w for w in re.split(r"[\s,;]+", reply.strip()) if w]
    try:
        if kind in {"hosts", "count-64", "aws-usable"}:
            return str(int(reply.replace(",", "").replace("_", "").strip()))
        if kind == "smallest-prefix":
            return f"/{int(reply.strip().lstrip('/'))}"
        if kind == "in-block":
            return {"y": "yes", "yes": "yes", "n": "no", "no": "no"}.get(reply.strip().lower(), "")
        if kind == "network-broadcast":
            return " ".join(text(parse_address(w)) for w in words)
        if kind in {"next-subnet", "split", "vlsm"}:
            return " ".join(text(parse_network(w)) for w in words)
    except ValueError:
        pass
    return reply.strip()


def check(item: Exercise, reply: str) -> Verdict:
    """Is ``reply`` the answer to ``item``? Numbers may have thousands separators;
    addresses and blocks are compared as addresses (``2001:DB8::/64`` = ``2001:db8::/64``).
    """
    item = checks.instance("item", item, Exercise)
    reply = checks.text("reply", reply)
    return Verdict(_normal(item.kind, reply) == item.answer, reply, item.answer, item.steps)
