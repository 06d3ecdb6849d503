"""Happy Eyeballs version 2 (RFC 8305) as a discrete-event simulation: which family wins.

A dual-stack client starts connecting to the first address of its RFC 6724 order
(:func:`cloudlab.net.selection.order_destinations`), and if nothing has answered after
the *Connection Attempt Delay* (250 ms recommended) it starts the next one, alternating
address families, and keeps the first connection that succeeds. Chapter:
``ipv4-and-ipv6``; widget: :mod:`cloudlab.widgets.happy_eyeballs`; tests:
``tests/test_sim_happy_eyeballs.py``.

Everything here is pure and deterministic: no sockets, no clocks. A seeded
random-number generator adds optional jitter to the simulated latencies, so the same
inputs and seed always give the same timeline. Times are in milliseconds (ms) from the
moment the DNS queries are sent.

Why one module of some 950 lines (600 of code): a race's records, the engine that plays
it and the teaching model's conditions are read together, and the rest is docstrings
citing RFC 8305.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from cloudlab import checks
from cloudlab.checks import whole
from cloudlab.net.addresses import text as address_text
from cloudlab.net.parse import Address, Interface
from cloudlab.net.selection import (
    Family,
    RankedDestination,
    addresses_of,
    interface_of,
    interfaces_of,
    order_destinations,
)

__all__ = [
    "CONNECTION_ATTEMPT_DELAY_MS",
    "FIRST_ADDRESS_FAMILY_COUNT",
    "MAX_CONNECTION_ATTEMPT_DELAY_MS",
    "MIN_CONNECTION_ATTEMPT_DELAY_MS",
    "RESOLUTION_DELAY_MS",
    "Attempt",
    "AttemptTrigger",
    "Conditions",
    "Event",
    "Path",
    "Race",
    "client_addresses",
    "interleave",
    "race",
    "simulate",
]

PathState = Literal["ok", "blackholed", "refused"]

# --- RFC 8305 constants -------------------------------------------------------------

#: Resolution Delay, ms: how long to wait for the AAAA answer when the A answer came
#: first (RFC 8305 section 3, recommended value).
RESOLUTION_DELAY_MS = 50.0
#: Connection Attempt Delay, ms: the head start each attempt gets before the next one
#: starts (RFC 8305 section 5, "one recommended value for a default delay").
CONNECTION_ATTEMPT_DELAY_MS = 250.0
#: Hard lower bound, ms: a new attempt must not start within 10 ms of the previous one
#: (RFC 8305 section 5). The *recommended* minimum is 100 ms.
MIN_CONNECTION_ATTEMPT_DELAY_MS = 10.0
#: Recommended upper bound for the Connection Attempt Delay, ms (RFC 8305 section 5).
MAX_CONNECTION_ATTEMPT_DELAY_MS = 2000.0
#: How many addresses of the preferred family go first before the other family gets a
#: turn (RFC 8305 sections 4 and 8: recommended 1).
FIRST_ADDRESS_FAMILY_COUNT = 1


def interleave(
    ranked: Sequence[RankedDestination], first_address_family_count: int = 1
) -> tuple[RankedDestination, ...]:
    """Interleave address families in a sorted list (RFC 8305 section 4).

    The family of the first address goes first; after ``first_address_family_count``
    addresses of it, the best address of the other family moves up, and the two
    families alternate from then on.

    Parameters
    ----------
    ranked : sequence of RankedDestination
        Output of :func:`order_destinations`.
    first_address_family_count : int, optional
        How many addresses of the first family go before the first address of the
        other family (1 recommended).

    Returns
    -------
    tuple of RankedDestination
        The same destinations in connection-attempt order.
    """
    count = _family_count(first_address_family_count)
    if isinstance(ranked, str) or not isinstance(ranked, Sequence):
        raise ValueError(f"ranked must be a list of RankedDestination (got {ranked!r})")
    if not all(isinstance(r, RankedDestination) for r in ranked):
        raise ValueError(
            "ranked must hold RankedDestination items, as order_destinations() returns"
        )
    if not ranked:
        return ()
    first = ranked[0].family
    preferred = [r for r in ranked if r.family == first]
    other = [r for r in ranked if r.family != first]
    result = preferred[:count]
    preferred = preferred[count:]
    while preferred or other:
        if other:
            result.append(other.pop(0))
        if preferred:
            result.append(preferred.pop(0))
    return tuple(result)


def _family_count(value: object) -> int:
    count = whole("the First Address Family Count", value)
    if count < 1:
        raise ValueError("the First Address Family Count must be at least 1")
    return count


# --- Happy Eyeballs -----------------------------------------------------------------

_PATH_STATES: tuple[PathState, ...] = ("ok", "blackholed", "refused")


def _check_ms(value: float, what: str) -> float:
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise ValueError(
            f"{what} must be a number of milliseconds (got {checks.show(value)})"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} must be 0 ms or more (got {checks.show(value)})")
    return number


@dataclass(frozen=True)
class Path:
    """How the network treats connection attempts over one address family.

    Attributes
    ----------
    latency_ms : float
        Time for the TCP handshake to complete (one round trip), ms.
    state : {"ok", "blackholed", "refused"}
        ``"ok"``: the handshake completes after ``latency_ms``. ``"blackholed"``:
        packets vanish and nothing ever answers (a broken tunnel or a firewall that
        drops silently). ``"refused"``: the other end or a router answers with a reset
        or an error after ``latency_ms``, so the attempt fails fast.
    """

    latency_ms: float = 30.0
    state: PathState = "ok"

    def __post_init__(self) -> None:
        _check_ms(self.latency_ms, "the latency")
        if self.state not in _PATH_STATES:
            raise ValueError(
                f"unknown path state {self.state!r}: use one of {', '.join(_PATH_STATES)}"
            )


EventKind = Literal[
    "query", "answer", "wait", "attempt", "connected", "failed", "cancelled", "timeout", "gave up"
]


@dataclass(frozen=True)
class Event:
    """One moment on the timeline of a race.

    Attributes
    ----------
    time_ms : float
        When, ms after the DNS queries were sent.
    kind : str
        ``"query"``, ``"answer"``, ``"wait"``, ``"attempt"``, ``"connected"``,
        ``"failed"``, ``"cancelled"``, ``"timeout"`` or ``"gave up"``.
    family : {"IPv6", "IPv4"} or None
        The family concerned, if any.
    address : str or None
        The address concerned, if any.
    text : str
        A sentence for people.
    """

    time_ms: float
    kind: EventKind
    family: Family | None
    address: str | None
    text: str


AttemptResult = Literal["connected", "failed", "cancelled", "timed out"]
AttemptOutcome = Literal["answer", "refuse", "silence", "no route"]
AttemptTrigger = Literal["first", "attempt delay", "previous attempt failed", "new addresses"]


@dataclass(frozen=True)
class Attempt:
    """One connection attempt of a race.

    Attributes
    ----------
    address : str
        Destination address.
    family : {"IPv6", "IPv4"}
        Its family.
    start_ms : float
        When the attempt started, ms.
    end_ms : float
        When it ended (connected, failed, was cancelled or timed out), ms.
    result : {"connected", "failed", "cancelled", "timed out"}
        What happened to it.
    outcome : {"answer", "refuse", "silence", "no route"}
        What the network would have done had the attempt been left alone.
    would_answer_ms : float or None
        When it would have connected or failed if not cancelled, ms (None: never).
    trigger : {"first", "attempt delay", "previous attempt failed", "new addresses"}
        Why the attempt started when it did.
    """

    address: str
    family: Family
    start_ms: float
    end_ms: float
    result: AttemptResult
    outcome: AttemptOutcome
    would_answer_ms: float | None
    trigger: AttemptTrigger


@dataclass(frozen=True)
class Race:
    """The result of a Happy Eyeballs race.

    Attributes
    ----------
    family : {"IPv6", "IPv4"} or None
        The family of the winning connection (None: no connection).
    address : str or None
        The winning destination address.
    connected_ms : float or None
        When the winning connection was established, ms after the DNS queries.
    first_attempt_ms : float or None
        When the first connection attempt started, ms.
    end_ms : float
        When the race ended (connection, or giving up), ms.
    attempts : tuple of Attempt
        Every attempt that was started, in start order.
    events : tuple of Event
        The timeline, in time order.
    order : tuple of RankedDestination
        All resolved addresses in RFC 6724 order (with their ranking data).
    summary : str
        The outcome in one line, for example ``"Connected over IPv6 after 50 ms."``.
    """

    family: Family | None
    address: str | None
    connected_ms: float | None
    first_attempt_ms: float | None
    end_ms: float
    attempts: tuple[Attempt, ...]
    events: tuple[Event, ...]
    order: tuple[RankedDestination, ...]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict of the whole race."""
        return {
            "family": self.family,
            "address": self.address,
            "connected_ms": self.connected_ms,
            "first_attempt_ms": self.first_attempt_ms,
            "end_ms": self.end_ms,
            "attempts": [asdict(a) for a in self.attempts],
            "events": [asdict(e) for e in self.events],
            "order": [r.to_dict() for r in self.order],
            "summary": self.summary,
        }


@dataclass
class _Running:
    address: Address
    family: Family
    start: float
    outcome: AttemptOutcome
    answer_at: float | None
    trigger: AttemptTrigger
    result: AttemptResult | None = None
    end: float | None = None


@dataclass
class _Clock:
    events: list[Event] = field(default_factory=list)

    def add(
        self,
        time: float,
        kind: EventKind,
        text: str,
        family: Family | None = None,
        address: Address | None = None,
    ) -> None:
        self.events.append(
            Event(time, kind, family, None if address is None else address_text(address), text)
        )


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


def race(
    aaaa: Iterable[str | Address] = (),
    a: Iterable[str | Address] = (),
    *,
    sources: Iterable[str | Interface] | None = None,
    paths: Mapping[Family, Path] | None = None,
    aaaa_ms: float = 20.0,
    a_ms: float = 20.0,
    unreachable: Iterable[str | Address] = (),
    resolution_delay_ms: float = RESOLUTION_DELAY_MS,
    connection_attempt_delay_ms: float = CONNECTION_ATTEMPT_DELAY_MS,
    first_address_family_count: int = FIRST_ADDRESS_FAMILY_COUNT,
    give_up_ms: float = 5000.0,
    jitter_ms: float = 0.0,
    seed: int = 0,
) -> Race:
    """Simulate one Happy Eyeballs v2 connection (RFC 8305) from DNS answers to a winner.

    The client sends the AAAA and A queries at time 0 (RFC 8305 section 3). If the
    AAAA answer comes first, attempts start at once; if the A answer comes first, the
    client waits up to the Resolution Delay for the AAAA answer. Addresses are sorted
    with RFC 6724 (:func:`order_destinations`) and families interleaved
    (:func:`interleave`). The first attempt starts; each later one starts when the
    Connection Attempt Delay has passed without a connection, or at once when an
    earlier attempt fails (as Python's asyncio and curl do; RFC 8305 only fixes the
    delay), never within 10 ms of the previous start. The first attempt to connect
    wins and the others are cancelled (section 5). Addresses that arrive late are
    merged into the list of addresses not yet tried.

    Parameters
    ----------
    aaaa, a : iterable of str or addresses
        The IPv6 (AAAA) and IPv4 (A) answers; empty for "no such record".
    sources : iterable of str or interfaces, optional
        The client's own addresses with prefixes, for RFC 6724 (default: a healthy
        dual-stack client's, :func:`client_addresses` of ``Conditions()``).
    paths : mapping of {"IPv6", "IPv4"} to Path, optional
        How each family's network path behaves. A missing family counts as blackholed
        (default: both ``Path()``, answering after 30 ms).
    aaaa_ms, a_ms : float, optional
        When each DNS answer arrives, ms.
    unreachable : iterable of str or addresses, optional
        Destinations the client has no route to; attempts to them fail at once.
    resolution_delay_ms : float, optional
        RFC 8305 Resolution Delay, ms (recommended 50).
    connection_attempt_delay_ms : float, optional
        RFC 8305 Connection Attempt Delay, ms (recommended 250; allowed 10 to 2000).
    first_address_family_count : int, optional
        RFC 8305 First Address Family Count (recommended 1).
    give_up_ms : float, optional
        When the simulated application stops waiting, ms after the queries. This is a
        setting of the simulation, not an RFC value.
    jitter_ms : float, optional
        Each attempt's latency varies uniformly by up to this much, ms.
    seed : int, optional
        Seed for the jitter, so a run can be repeated exactly.

    Returns
    -------
    Race
        Winner, timing, attempts and the event timeline.

    Raises
    ------
    ValueError
        For negative or non-numeric times, a Connection Attempt Delay outside
        10 to 2000 ms, or an address of the wrong family in ``aaaa`` or ``a``.
    """
    aaaa_ms = _check_ms(aaaa_ms, "the time of the AAAA answer")
    a_ms = _check_ms(a_ms, "the time of the A answer")
    resolution_delay_ms = _check_ms(resolution_delay_ms, "the Resolution Delay")
    delay = _check_ms(connection_attempt_delay_ms, "the Connection Attempt Delay")
    if not MIN_CONNECTION_ATTEMPT_DELAY_MS <= delay <= MAX_CONNECTION_ATTEMPT_DELAY_MS:
        raise ValueError(
            f"the Connection Attempt Delay must be between {MIN_CONNECTION_ATTEMPT_DELAY_MS:.0f} "
            f"and {MAX_CONNECTION_ATTEMPT_DELAY_MS:.0f} ms (RFC 8305 section 5); got {delay:g} ms"
        )
    give_up_ms = _check_ms(give_up_ms, "the give-up time")
    if give_up_ms == 0:
        raise ValueError("the give-up time must be more than 0 ms")
    jitter_ms = _check_ms(jitter_ms, "the jitter")
    count = _family_count(first_address_family_count)
    v6 = addresses_of(aaaa, "the AAAA answer")
    v4 = addresses_of(a, "the A answer")
    if any(x.version != 6 for x in v6):
        raise ValueError("AAAA records hold IPv6 addresses only")
    if any(x.version != 4 for x in v4):
        raise ValueError("A records hold IPv4 addresses only")
    if sources is None:
        sources = client_addresses(Conditions())
    srcs = interfaces_of(sources)
    bad = set(addresses_of(unreachable, "the unreachable addresses"))
    racing = _Racing(
        addresses=v6 + v4,
        answers=sorted(
            [(aaaa_ms, 0, "AAAA", "IPv6", v6), (a_ms, 1, "A", "IPv4", v4)], key=lambda x: x[:2]
        ),
        sources=srcs,
        unreachable=bad,
        paths=_paths(paths),
        delay=delay,
        give_up_ms=give_up_ms,
        jitter_ms=jitter_ms,
        family_count=count,
        rng=random.Random(whole("the seed", seed)),
    )
    return racing.run(resolution_delay_ms)


def _paths(paths: Mapping[Family, Path] | None) -> Mapping[Family, Path]:
    if paths is None:
        return {"IPv6": Path(), "IPv4": Path()}
    if not isinstance(paths, Mapping) or not all(
        family in ("IPv6", "IPv4") and isinstance(path, Path) for family, path in paths.items()
    ):
        raise ValueError(
            f"paths must map 'IPv6' and 'IPv4' to a Path (got {paths!r}), "
            "for example {'IPv6': Path(30.0), 'IPv4': Path(30.0)}"
        )
    return paths


#: A DNS answer: when it arrives (ms), 0 for AAAA or 1 for A, the record type, its family
#: and the addresses it holds.
_Answer = tuple[float, int, str, Family, list[Address]]
#: What :meth:`_Racing.next_event` chooses: when, its tie-break rank, and its kind.
_Next = tuple[float, int, Literal["answer", "dns", "timer", "give up"]]


class _Racing:
    """One race in progress: the timeline so far, the attempts, and one method per event.

    The events are a handshake's answer (:meth:`on_answer`), a late DNS answer
    (:meth:`on_dns`), the Connection Attempt Delay running out (:meth:`on_timer`) and
    the application giving up (:meth:`on_give_up`); :meth:`run` takes the earliest each
    time (ties in that order) until one of them ends the race.
    """

    def __init__(
        self,
        *,
        addresses: list[Address],
        answers: list[_Answer],
        sources: list[Interface],
        unreachable: set[Address],
        paths: Mapping[Family, Path],
        delay: float,
        give_up_ms: float,
        jitter_ms: float,
        family_count: int,
        rng: random.Random,
    ) -> None:
        self.addresses = addresses
        self.answers = answers
        self.sources = sources
        self.unreachable = unreachable
        self.paths = paths
        self.delay = delay
        self.give_up_ms = give_up_ms
        self.jitter_ms = jitter_ms
        self.family_count = family_count
        self.rng = rng
        self.clock = _Clock()
        self.running: list[_Running] = []
        self.tried: set[Address] = set()
        self.pending_dns: list[float] = []
        self.timer: float | None = None
        self.waiting_for_addresses = False
        self.winner: _Running | None = None
        self.now = 0.0

    # ---- the set-up: queries, answers and when the first attempt may start

    def first_start(self, resolution_delay_ms: float) -> float | None:
        """RFC 8305 section 3: when the first attempt may start (None: no addresses)."""
        clock = self.clock
        clock.add(0.0, "query", "The client asks DNS for AAAA (IPv6) and A (IPv4) records.")
        for when, _, rtype, fam, found in self.answers:
            text = (
                f"{rtype} answer: {', '.join(map(address_text, found))}."
                if found
                else f"{rtype} answer: no {rtype} record, so no {fam} address."
            )
            clock.add(when, "answer", text, fam)
        first_time, first_kind, _, _, first_found = self.answers[0]
        second_time, _, _, _, second_found = self.answers[1]
        if first_found and first_kind == 0:  # positive AAAA first (or a tie)
            return first_time
        if first_found:  # positive A first: wait for AAAA, at most the Resolution Delay
            start = min(second_time, first_time + resolution_delay_ms)
            if second_time > first_time:
                clock.add(
                    first_time,
                    "wait",
                    f"The A answer came first: waiting up to {_ms(resolution_delay_ms)} "
                    "for the AAAA answer (Resolution Delay).",
                )
            if start < second_time:
                clock.add(
                    start,
                    "wait",
                    "The Resolution Delay is over and AAAA has not answered: "
                    "start with the IPv4 addresses.",
                )
            return start
        return second_time if second_found else None

    def order(self, addresses: list[Address]) -> tuple[RankedDestination, ...]:
        return order_destinations(addresses, self.sources, unreachable=self.unreachable)

    def next_address(self) -> RankedDestination | None:
        """The best address known by now and not yet tried, in interleaved order."""
        known = [x for when, _, _, _, found in self.answers if when <= self.now for x in found]
        for item in interleave(self.order(known), self.family_count):
            if item.address not in self.tried:
                return item
        return None

    def begin(self, item: RankedDestination, trigger: AttemptTrigger) -> None:
        """Start an attempt to ``item`` now (the jitter's draw happens here, in order)."""
        now = self.now
        self.tried.add(item.address)
        path = self.paths.get(item.family, Path(0.0, "blackholed"))
        latency = path.latency_ms
        if self.jitter_ms:
            latency = max(0.0, latency + self.rng.uniform(-self.jitter_ms, self.jitter_ms))
        outcome: AttemptOutcome
        answer_at: float | None
        if not item.reachable:
            outcome, answer_at = "no route", now
        elif path.state == "ok":
            outcome, answer_at = "answer", now + latency
        elif path.state == "refused":
            outcome, answer_at = "refuse", now + latency
        else:
            outcome, answer_at = "silence", None
        self.running.append(_Running(item.address, item.family, now, outcome, answer_at, trigger))
        self.clock.add(
            now,
            "attempt",
            f"Attempt {len(self.running)}: connecting to {address_text(item.address)} "
            f"over {item.family}.",
            item.family,
            item.address,
        )

    def begin_spaced(self, item: RankedDestination, trigger: AttemptTrigger) -> None:
        """Start an attempt no sooner than 10 ms after the previous one, and rearm the timer."""
        self.now = max(self.now, self.running[-1].start + MIN_CONNECTION_ATTEMPT_DELAY_MS)
        self.begin(item, trigger)
        self.timer = self.now + self.delay

    # ---- the loop

    def active(self) -> list[_Running]:
        return [r for r in self.running if r.result is None]

    def next_event(self, active: list[_Running]) -> _Next | None:
        """The earliest event to come (None: nothing left to wait for)."""
        choices: list[_Next] = []
        answered = [r.answer_at for r in active if r.answer_at is not None]
        if answered:
            choices.append((min(answered), 0, "answer"))
        if self.pending_dns:
            choices.append((self.pending_dns[0], 1, "dns"))
        if self.timer is not None:
            choices.append((self.timer, 2, "timer"))
        if not choices and not active:
            return None
        choices.append((self.give_up_ms, 3, "give up"))
        return min(choices)

    def run(self, resolution_delay_ms: float) -> Race:
        """Play the race from the DNS queries to a connection or giving up."""
        start = self.first_start(resolution_delay_ms)
        full_order = self.order(self.addresses)
        if start is None:
            end = max(self.answers[0][0], self.answers[1][0])
            self.clock.add(end, "gave up", "No addresses: there is nothing to connect to.")
            return _finish(self.clock, [], full_order, None, None, end, "no records")
        self.pending_dns = sorted(
            when for when, _, _, _, found in self.answers if found and when > start
        )
        self.now = start
        first = self.next_address()
        assert first is not None
        self.begin(first, "first")
        self.timer = self.now + self.delay
        while True:
            active = self.active()
            event = self.next_event(active)
            if event is None:
                self.clock.add(self.now, "gave up", "Every attempt failed: no connection.")
                break
            self.now, _, kind = event
            if kind == "give up":
                self.on_give_up(active)
                break
            if kind == "answer":
                if self.on_answer(active):
                    break
            elif kind == "dns":
                self.on_dns()
            else:
                self.on_timer()
        return _finish(self.clock, self.running, full_order, self.winner, start, self.now, None)

    # ---- one method per kind of event

    def on_give_up(self, active: list[_Running]) -> None:
        """The application stops waiting: every attempt still open times out."""
        for r in active:
            r.result, r.end = "timed out", self.now
            self.clock.add(
                self.now,
                "timeout",
                f"Still no answer from {address_text(r.address)}.",
                r.family,
                r.address,
            )
        self.clock.add(self.now, "gave up", f"The application gives up after {_ms(self.now)}.")

    def on_answer(self, active: list[_Running]) -> bool:
        """The earliest handshake answers: a connection (True: the race is over) or a failure."""
        now = self.now
        r = min(
            (x for x in active if x.answer_at is not None),
            key=lambda x: (x.answer_at, x.start),
        )
        r.end = now
        if r.outcome == "answer":
            r.result = "connected"
            self.winner = r
            self.clock.add(
                now,
                "connected",
                f"Connected to {address_text(r.address)} over {r.family}: the handshake completed.",
                r.family,
                r.address,
            )
            for other in active:
                if other is not r:
                    other.result, other.end = "cancelled", now
                    self.clock.add(
                        now,
                        "cancelled",
                        f"Cancelled the attempt to {address_text(other.address)}.",
                        other.family,
                        other.address,
                    )
            return True
        r.result = "failed"
        reason = (
            "no route for this family" if r.outcome == "no route" else "the connection was refused"
        )
        self.clock.add(
            now, "failed", f"{address_text(r.address)} failed: {reason}.", r.family, r.address
        )
        nxt = self.next_address()
        if nxt is not None:
            self.begin_spaced(nxt, "previous attempt failed")
        else:
            self.waiting_for_addresses = True
            self.timer = None
        return False

    def on_dns(self) -> None:
        """A later DNS answer: if the client was out of addresses, try the new ones."""
        self.pending_dns.pop(0)
        if self.waiting_for_addresses:
            nxt = self.next_address()
            if nxt is not None:
                self.begin_spaced(nxt, "new addresses")
                self.waiting_for_addresses = False

    def on_timer(self) -> None:
        """The Connection Attempt Delay has passed without a connection: start the next."""
        nxt = self.next_address()
        if nxt is not None:
            self.begin(nxt, "attempt delay")
            self.timer = self.now + self.delay
        else:
            self.timer = None
            self.waiting_for_addresses = True


def _finish(
    clock: _Clock,
    running: list[_Running],
    order: tuple[RankedDestination, ...],
    winner: _Running | None,
    start: float | None,
    end: float,
    special: str | None,
) -> Race:
    attempts = tuple(
        Attempt(
            address=address_text(r.address),
            family=r.family,
            start_ms=r.start,
            end_ms=r.end if r.end is not None else end,
            result=r.result or "timed out",
            outcome=r.outcome,
            would_answer_ms=r.answer_at,
            trigger=r.trigger,
        )
        for r in running
    )
    events = tuple(
        replace(e, text=f"{e.text[:-1]} (too late to matter; kept for the DNS cache).")
        if e.kind == "answer" and e.time_ms > end and (winner is not None or running)
        else e
        for e in sorted(clock.events, key=lambda e: e.time_ms)
    )
    summary = _summarise(attempts, order, winner, end, special)
    return Race(
        family=None if winner is None else winner.family,
        address=None if winner is None else address_text(winner.address),
        connected_ms=None if winner is None else winner.end,
        first_attempt_ms=start,
        end_ms=end,
        attempts=attempts,
        events=events,
        order=order,
        summary=summary,
    )


def _summarise(
    attempts: tuple[Attempt, ...],
    order: tuple[RankedDestination, ...],
    winner: _Running | None,
    end: float,
    special: str | None,
) -> str:
    if special == "no records":
        return "No connection: the name has neither AAAA nor A records."
    if winner is None:
        if any(a.result == "timed out" for a in attempts):
            return f"No connection: nothing answered before the application gave up ({_ms(end)})."
        return "No connection: every attempt failed."
    fam = winner.family
    assert winner.end is not None
    done = f"after {_ms(winner.end)}"
    losers = [a for a in attempts if a.family != fam]
    other: Family = "IPv4" if fam == "IPv6" else "IPv6"
    if losers:
        first = losers[0]
        if first.outcome == "silence":
            return f"{other} blackholed: fell back to {fam}, connected {done}."
        if first.outcome == "refuse":
            return f"{other} refused: fell back to {fam}, connected {done}."
        if first.outcome == "no route":
            return f"No {other} route: fell back to {fam}, connected {done}."
        if first.start_ms < winner.start:
            return f"{other} was too slow: {fam} won the race, connected {done}."
        return f"Connected over {fam} {done} (the later {other} attempt was cancelled)."
    if not any(r.family == other for r in order):
        record = "AAAA" if other == "IPv6" else "A"
        return f"Connected over {fam} {done} (the name has no {record} record)."
    top = order[0]
    default_rule = top.decided_by is not None and top.decided_by.startswith("rule 6")
    if top.family == fam and top.decided_by and not default_rule:
        return f"Connected over {fam} {done} (RFC 6724 {top.decided_by} put {fam} first)."
    return f"Connected over {fam} {done}."


# --- the teaching model: conditions in words -----------------------------------------

#: Addresses used by :func:`client_addresses` and :func:`simulate`. All come from the
#: documentation ranges (RFC 3849 for IPv6, RFC 5737 for IPv4) or RFC 1918, so they
#: never belong to a real host.
CLIENT_IPV4 = "192.168.1.23/24"
CLIENT_IPV6_GLOBAL = "2001:db8:1234:1::23/64"
CLIENT_IPV6_LINK_LOCAL = "fe80::23/64"
SITE_IPV6 = "2001:db8:80::10"
SITE_IPV4 = "203.0.113.10"


@dataclass(frozen=True)
class Conditions:
    """The conditions under which a client connects to a website, in plain terms.

    Attributes
    ----------
    device_ipv6, device_ipv4 : bool
        Whether the device's operating system has each family turned on.
    router_ipv6 : bool
        Whether the home router advertises IPv6 on the local network.
    isp_ipv6 : bool
        Whether the internet provider gives the router an IPv6 prefix. The device gets
        a global IPv6 address and an IPv6 default route only when the device, the
        router and the provider all do IPv6; otherwise it has at most a link-local
        IPv6 address.
    site_aaaa, site_a : bool
        Whether the website publishes AAAA (IPv6) and A (IPv4) records.
    ipv6_latency_ms, ipv4_latency_ms : float
        Handshake time over each family's path, ms.
    ipv6_state, ipv4_state : {"ok", "blackholed", "refused"}
        How each family's path behaves (see :class:`Path`).
    aaaa_ms, a_ms : float
        When each DNS answer arrives, ms.
    connection_attempt_delay_ms : float
        RFC 8305 Connection Attempt Delay, ms.
    resolution_delay_ms : float
        RFC 8305 Resolution Delay, ms.
    jitter_ms : float
        Random variation of each attempt's latency, ms (0: none).
    seed : int
        Seed for the jitter.
    give_up_ms : float
        When the simulated application stops waiting, ms.
    """

    device_ipv6: bool = True
    device_ipv4: bool = True
    router_ipv6: bool = True
    isp_ipv6: bool = True
    site_aaaa: bool = True
    site_a: bool = True
    ipv6_latency_ms: float = 30.0
    ipv4_latency_ms: float = 30.0
    ipv6_state: PathState = "ok"
    ipv4_state: PathState = "ok"
    aaaa_ms: float = 20.0
    a_ms: float = 20.0
    connection_attempt_delay_ms: float = CONNECTION_ATTEMPT_DELAY_MS
    resolution_delay_ms: float = RESOLUTION_DELAY_MS
    jitter_ms: float = 0.0
    seed: int = 0
    give_up_ms: float = 5000.0

    def __post_init__(self) -> None:
        if not (self.device_ipv6 or self.device_ipv4):
            raise ValueError(
                "the device has neither IPv4 nor IPv6 turned on, so it cannot connect "
                "to anything: turn at least one on"
            )
        _check_ms(self.ipv6_latency_ms, "the IPv6 latency")
        _check_ms(self.ipv4_latency_ms, "the IPv4 latency")
        _check_ms(self.aaaa_ms, "the time of the AAAA answer")
        _check_ms(self.a_ms, "the time of the A answer")
        _check_ms(self.jitter_ms, "the jitter")
        for name, state in (("IPv6", self.ipv6_state), ("IPv4", self.ipv4_state)):
            if state not in _PATH_STATES:
                raise ValueError(
                    f"unknown {name} path state {state!r}: use one of {', '.join(_PATH_STATES)}"
                )

    @property
    def has_global_ipv6(self) -> bool:
        """True when the device ends up with a global IPv6 address and route."""
        return self.device_ipv6 and self.router_ipv6 and self.isp_ipv6


def client_addresses(conditions: Conditions) -> tuple[Interface, ...]:
    """List the addresses a device would have under the given conditions.

    Parameters
    ----------
    conditions : Conditions
        The situation.

    Returns
    -------
    tuple of IPv4Interface or IPv6Interface
        A private IPv4 address from the home router's DHCP server (if IPv4 is on),
        a link-local IPv6 address (if IPv6 is on) and a global IPv6 address from
        SLAAC (if the device, the router and the provider all do IPv6).
    """
    if not isinstance(conditions, Conditions):
        raise ValueError(f"conditions must be a Conditions (got {conditions!r})")
    result: list[Interface] = []
    if conditions.device_ipv6:
        result.append(interface_of(CLIENT_IPV6_LINK_LOCAL))
        if conditions.has_global_ipv6:
            result.append(interface_of(CLIENT_IPV6_GLOBAL))
    if conditions.device_ipv4:
        result.append(interface_of(CLIENT_IPV4))
    return tuple(result)


def simulate(conditions: Conditions | None = None, **changes: Any) -> Race:
    """Run the race for a set of conditions.

    Parameters
    ----------
    conditions : Conditions, optional
        The situation; defaults to a healthy dual-stack network.
    **changes
        Fields of :class:`Conditions` to override, for example
        ``simulate(ipv6_state="blackholed")``.

    Returns
    -------
    Race
        The outcome; ``race.family`` is ``"IPv6"``, ``"IPv4"`` or None.

    Examples
    --------
    >>> simulate().summary
    'Connected over IPv6 after 50 ms.'
    >>> simulate(ipv6_state="blackholed").summary
    'IPv6 blackholed: fell back to IPv4, connected after 300 ms.'
    """
    if conditions is None:
        conditions = Conditions(**changes)
    elif not isinstance(conditions, Conditions):
        raise ValueError(f"conditions must be a Conditions or None (got {conditions!r})")
    elif changes:
        conditions = replace(conditions, **changes)
    c = conditions
    unreachable = []
    if not c.has_global_ipv6:
        unreachable.append(SITE_IPV6)  # no IPv6 default route
    if not c.device_ipv4:
        unreachable.append(SITE_IPV4)
    return race(
        [SITE_IPV6] if c.site_aaaa else [],
        [SITE_IPV4] if c.site_a else [],
        sources=client_addresses(c),
        paths={
            "IPv6": Path(c.ipv6_latency_ms, c.ipv6_state),
            "IPv4": Path(c.ipv4_latency_ms, c.ipv4_state),
        },
        aaaa_ms=c.aaaa_ms,
        a_ms=c.a_ms,
        unreachable=unreachable,
        resolution_delay_ms=c.resolution_delay_ms,
        connection_attempt_delay_ms=c.connection_attempt_delay_ms,
        give_up_ms=c.give_up_ms,
        jitter_ms=c.jitter_ms,
        seed=c.seed,
    )
