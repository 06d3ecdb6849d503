"""Pictures of scale: how many addresses IPv4 and IPv6 have, and when IPv4 ran out.

The numbers live here as data with a bibliography key for each (see
``book/references.bib``), so the chapter can show them as a table as well as a
picture:

* :data:`COUNTS` - address counts next to a few counts from everyday life and science;
* :data:`EXHAUSTION` - dated IPv4 run-out milestones of IANA and the five regional
  internet registries (RIRs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from ipaddress import IPv4Network, IPv6Network

from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure

from cloudlab.figures import BLUE, GREY_60, ORANGE, VERMILION, ShownFigure

__all__ = [
    "COUNTS",
    "EXHAUSTION",
    "REGISTRIES",
    "Count",
    "Milestone",
    "address_counts_figure",
    "exhaustion_figure",
]

#: The whole IPv4 and IPv6 address spaces, from :mod:`ipaddress` rather than by hand.
IPV4_TOTAL = IPv4Network("0.0.0.0/0").num_addresses
IPV6_TOTAL = IPv6Network("::/0").num_addresses
#: How many /64 networks (the size of one IPv6 LAN) and /48 sites IPv6 has.
IPV6_SLASH64_NETWORKS = IPV6_TOTAL // IPv6Network("::/64").num_addresses
IPV6_SLASH48_SITES = IPV6_TOTAL // IPv6Network("::/48").num_addresses

#: World population, mid-2024: "nearly 8.2 billion" (UN World Population Prospects 2024).
WORLD_POPULATION_2024 = 8.2e9
#: Age of the universe, about 13.8 billion years (Planck 2018), in seconds.
UNIVERSE_AGE_S = 13.8e9 * 365.25 * 24 * 3600
#: The Avogadro number, exact since the 2019 SI: entities in one mole (18 g of water).
AVOGADRO = 6.02214076e23


@dataclass(frozen=True)
class Count:
    """A number to put on the log-scale picture.

    Attributes
    ----------
    label : str
        What is counted.
    value : float
        How many.
    kind : {"IPv4", "IPv6", "world"}
        Colour group.
    source : str
        Bibliography key of the source.
    """

    label: str
    value: float
    kind: str
    source: str


#: Counts for :func:`address_counts_figure`, smallest first.
COUNTS: tuple[Count, ...] = tuple(
    sorted(
        (
            Count("IPv4 addresses, all of them (2³²)", IPV4_TOTAL, "IPv4", "rfc791"),
            Count("people on Earth, mid-2024", WORLD_POPULATION_2024, "world", "un-wpp-2024"),
            Count("IPv6 /48 site prefixes (2⁴⁸)", IPV6_SLASH48_SITES, "IPv6", "rfc4291"),
            Count("seconds since the Big Bang", UNIVERSE_AGE_S, "world", "planck-2018"),
            Count("IPv6 /64 networks (2⁶⁴)", IPV6_SLASH64_NETWORKS, "IPv6", "rfc4291"),
            Count("molecules in 18 g of water", AVOGADRO, "world", "bipm-si-2019"),
            Count(
                "IPv6 addresses per person alive",
                IPV6_TOTAL / WORLD_POPULATION_2024,
                "IPv6",
                "un-wpp-2024",
            ),
            Count("IPv6 addresses, all of them (2¹²⁸)", IPV6_TOTAL, "IPv6", "rfc8200"),
        ),
        key=lambda c: c.value,
    )
)

_COLOURS = {"IPv6": BLUE, "IPv4": ORANGE, "world": GREY_60}


def _power_of_ten(value: float) -> str:
    mantissa, exponent = f"{value:.1e}".split("e")
    digits = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{float(mantissa):.1f} \N{MULTIPLICATION SIGN} 10{digits}"


def address_counts_figure(counts: tuple[Count, ...] = COUNTS, *, width: float = 8.0) -> Figure:
    """Compare 2³² and 2¹²⁸ with everyday and scientific counts on a log scale.

    Parameters
    ----------
    counts : tuple of Count, optional
        What to draw; defaults to :data:`COUNTS`.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars, one per count, on a logarithmic axis (each grid step is ten
        times the previous one).
    """
    alt = "Bar chart on a logarithmic scale, smallest first: " + "; ".join(
        f"{c.label} {_power_of_ten(float(c.value))}" for c in counts
    )
    fig = ShownFigure(figsize=(width, 0.5 * len(counts) + 1.4), layout="constrained", alt=alt + ".")
    ax = fig.add_subplot()
    for row, count in enumerate(counts):
        value = float(count.value)
        ax.barh(row, value, left=1.0, color=_COLOURS[count.kind], height=0.6)
        ax.annotate(
            _power_of_ten(value),
            (value, row),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_xlim(1, 1e44)
    ax.set_yticks(range(len(counts)), [c.label for c in counts])
    ax.set_xlabel("how many (logarithmic scale: each grid step is 10¹⁰ times the one before)")
    ax.set_xticks([10.0**k for k in range(0, 45, 10)])
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        "IPv6 has 2⁹⁶ times as many addresses as IPv4",
        fontsize=10,
        loc="left",
    )
    return fig


@dataclass(frozen=True)
class Milestone:
    """A dated step in the run-out of IPv4 addresses.

    Attributes
    ----------
    when : datetime.date
        The day it happened.
    registry : str
        IANA or the regional internet registry concerned.
    what : str
        What happened, briefly.
    source : str
        Bibliography key of the announcement.
    """

    when: date
    registry: str
    what: str
    source: str


#: Registries in the order the picture lists them.
REGISTRIES = ("IANA", "APNIC", "RIPE NCC", "LACNIC", "ARIN", "AFRINIC")

#: IPv4 run-out milestones, from the registries' own announcements.
EXHAUSTION: tuple[Milestone, ...] = (
    Milestone(date(2011, 2, 3), "IANA", "last five /8s handed out, one per RIR", "ripe-iana-2011"),
    Milestone(date(2011, 4, 15), "APNIC", "down to its final /8", "apnic-final-8"),
    Milestone(date(2012, 9, 14), "RIPE NCC", "starts on its last /8", "ripe-last-8"),
    Milestone(date(2014, 6, 10), "LACNIC", "last /10: exhaustion declared", "lacnic-2014"),
    Milestone(date(2015, 9, 24), "ARIN", "free pool empty", "arin-waiting-list"),
    Milestone(date(2017, 2, 15), "LACNIC", "final phase: new members only", "lacnic-phases"),
    Milestone(date(2017, 4, 3), "AFRINIC", "starts on its final /8", "afrinic-phase1"),
    Milestone(date(2019, 11, 25), "RIPE NCC", "last /22 allocated: run out", "computing-ripe-2019"),
    Milestone(date(2020, 1, 13), "AFRINIC", "exhaustion phase 2", "afrinic-phase2"),
    Milestone(date(2020, 8, 19), "LACNIC", "last block of the final phase", "lacnic-2020"),
)


def exhaustion_figure(
    milestones: tuple[Milestone, ...] = EXHAUSTION, *, width: float = 9.0
) -> Figure:
    """Draw the IPv4 run-out milestones on a time line, one row per registry.

    Parameters
    ----------
    milestones : tuple of Milestone, optional
        What to draw; defaults to :data:`EXHAUSTION`.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Dates on the x axis, registries on the y axis, each milestone labelled.
    """
    rows = [r for r in REGISTRIES if any(m.registry == r for m in milestones)]
    rows += sorted({m.registry for m in milestones} - set(rows))
    alt = "Time line of IPv4 run-out, one row per registry: " + "; ".join(
        f"{m.registry} {m.when:%d %B %Y} {m.what}" for m in sorted(milestones, key=lambda m: m.when)
    )
    fig = ShownFigure(figsize=(width, 0.6 * len(rows) + 1.5), layout="constrained", alt=alt + ".")
    ax = fig.add_subplot()
    for milestone in sorted(milestones, key=lambda m: m.when):
        row = rows.index(milestone.registry)
        when = [milestone.when]  # matplotlib's date converter; its stubs take numbers only
        ax.plot(when, [row], marker="o", color=VERMILION, markersize=7)  # type: ignore[arg-type]  # a date, see above
        ax.annotate(
            f"{milestone.when:%d %b %Y}\n{milestone.what}",
            (milestone.when, row),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    for row in range(len(rows)):
        ax.axhline(row, color="lightgrey", linewidth=0.8, zorder=0)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(date(2010, 7, 1), date(2023, 7, 1))  # type: ignore[arg-type]  # dates, as above
    ax.xaxis.set_major_locator(YearLocator())  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))  # type: ignore[no-untyped-call]  # as above
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title("IPv4 run-out at IANA and the five regional registries", fontsize=10, loc="left")
    return fig
