"""Pictures of address space: where each subnet sits inside its parent network.

Figures are built with matplotlib's object API directly (not ``pyplot``), so they hold
no global state and need no closing. They are :class:`cloudlab.figures.ShownFigure`s,
which show themselves as PNGs in Jupyter even when pyplot was never imported;
``fig.savefig(...)`` writes them to a file.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cloudlab.figures import (
    GREY_13,
    GREY_20,
    GREY_33,
    GREY_60,
    GREY_95,
    LIGHT,
    PALETTE,
    VERMILION,
    ShownFigure,
)
from cloudlab.net.parse import Network, parse_network, within
from cloudlab.net.subnets import free_blocks

__all__ = ["address_map"]

#: Colour-blind-friendly qualitative palette (Okabe-Ito), without black.
#: Light palette colours get dark text, dark ones white text.
_DARK_TEXT = LIGHT
FREE_COLOUR = GREY_95
#: Below this share of the parent, the subnets also get a zoomed row of their own.
ZOOM_BELOW = 0.05
_CHAR_WIDTH = 0.0092  # rough width of one 8-pt character as a share of the row
_VERTICAL_WIDTH = 0.012  # narrowest block that still takes a vertical 7-pt label
_VERTICAL_CHARS = 10  # longest vertical label that fits the bar's height


def _addresses_in(nets: Sequence[Network]) -> int:
    """How many addresses the networks cover together (overlaps counted once)."""
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    return sum(s.num_addresses for s in ipaddress.collapse_addresses(v4)) + sum(
        s.num_addresses for s in ipaddress.collapse_addresses(v6)
    )


def _fits(text: str, width: float) -> bool:
    longest = max(len(line) for line in text.split("\n"))
    return width > longest * _CHAR_WIDTH + 0.006


def _draw_row(
    ax: Axes,
    start: int,
    span: int,
    blocks: Sequence[tuple[Network, str, str]],
    free: Sequence[Network],
) -> None:
    """Draw one horizontal bar: ``blocks`` coloured, ``free`` hatched, x in [0, 1]."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    for net in free:
        x = (int(net.network_address) - start) / span
        width = net.num_addresses / span
        ax.add_patch(
            Rectangle(
                (x, 0.1),
                width,
                0.8,
                facecolor=FREE_COLOUR,
                edgecolor=GREY_60,
                hatch="///",
                linewidth=0.5,
            )
        )
        text = f"free\n{net}"
        if _fits(text, width):
            ax.text(x + width / 2, 0.5, text, ha="center", va="center", fontsize=8, color=GREY_33)
        elif _fits("free", width):
            ax.text(x + width / 2, 0.5, "free", ha="center", va="center", fontsize=8, color=GREY_33)
    common = _common_start([str(net.network_address) for net, _, _ in blocks])
    for net, label, colour in blocks:
        x = (int(net.network_address) - start) / span
        width = max(net.num_addresses / span, 0.002)  # keep tiny blocks visible
        ax.add_patch(
            Rectangle((x, 0.1), width, 0.8, facecolor=colour, edgecolor="white", linewidth=1)
        )
        tail = "…" + str(net.network_address)[len(common) :]
        short = f"{tail}/{net.prefixlen}"
        options = [f"{label}\n{net}", f"{label}\n{short}", label] if label else []
        options += [str(net), short] + ([tail] if len(tail) > 1 else [])
        for text in options:
            if _fits(text, width):
                ax.text(
                    x + width / 2,
                    0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=GREY_13 if colour in _DARK_TEXT else "white",
                    fontweight="bold",
                )
                break
        else:
            vertical = [t for t in (str(net), f"{tail}/{net.prefixlen}", tail) if len(t) > 1]
            fitting = [t for t in vertical if len(t) <= _VERTICAL_CHARS]
            if width > _VERTICAL_WIDTH and fitting:
                ax.text(
                    x + width / 2,
                    0.5,
                    fitting[0],
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=GREY_13 if colour in _DARK_TEXT else "white",
                    fontweight="bold",
                    rotation=90,
                )


def _common_start(texts: Sequence[str]) -> str:
    """Longest common beginning of several strings, cut back to a separator."""
    if len(texts) < 2:
        return ""
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    cut = max(first.rfind(".", 0, n), first.rfind(":", 0, n))
    return first[: cut + 1] if cut >= 0 else ""


def _ends(ax: Axes, first: str, last: str) -> None:
    ax.set_xticks([0, 1])
    ax.set_xticklabels([first, last], fontsize=8)
    ticks = ax.get_xticklabels()
    ticks[0].set_horizontalalignment("left")
    ticks[1].set_horizontalalignment("right")


def address_map_alt(
    net: Network,
    nets: Sequence[Network],
    names: Sequence[str],
) -> str:
    """The address map's alt text: the parent, each subnet in order, and the share used."""
    share = _addresses_in(nets) / net.num_addresses
    listed = [f"{name} {sub}" if name else str(sub) for sub, name in zip(nets, names, strict=True)]
    shown = ", ".join(listed[:8]) + (f" and {len(listed) - 8} more" if len(listed) > 8 else "")
    part = f"{share:.1%}" if share >= 0.001 else "less than 0.1%"
    subnets = f"{len(nets)} subnet{'s' if len(nets) != 1 else ''}"
    return (
        f"Address map of {net} ({net.num_addresses:,} addresses) from "
        f"{net.network_address} to {net.broadcast_address}: {subnets}"
        + (f" ({shown})" if nets else "")
        + f", {part} allocated, the rest free."
    )


def address_map(
    parent: str | Network,
    subnets: Sequence[str | Network],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    width: float = 9.0,
) -> Figure:
    """Draw where each subnet sits in its parent network, with the free space hatched.

    When the subnets cover less than 5 % of the parent (a page of /64s in a /32, say),
    a second row zooms in on them, and the top row marks where they are.

    Parameters
    ----------
    parent : str or network
        The network that holds the subnets.
    subnets : sequence of str or network
        Subnets inside ``parent`` (drawn in the order given, coloured in turn).
    labels : sequence of str, optional
        A name per subnet, shown above its CIDR when there is room.
    title : str, optional
        Figure title; defaults to the parent network and how much of it is used.
    width : float, default 9.0
        Figure width in inches.

    Returns
    -------
    ShownFigure
        A :class:`matplotlib.figure.Figure`.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    net = parse_network(parent)
    nets = [parse_network(s) for s in subnets]
    for sub in nets:
        if not within(sub, net):
            raise ValueError(f"{sub} is not inside {net}")
    names = [""] * len(nets) if labels is None else [str(x) for x in labels]
    if len(names) != len(nets):
        raise ValueError(f"got {len(names)} labels for {len(nets)} subnets")
    blocks = [
        (s, n, PALETTE[i % len(PALETTE)]) for i, (s, n) in enumerate(zip(nets, names, strict=True))
    ]
    start = int(net.network_address)
    used = _addresses_in(nets)
    share = used / net.num_addresses
    zoom = bool(nets) and share < ZOOM_BELOW
    fig = ShownFigure(
        figsize=(width, 2.9 if zoom else 1.7),
        layout="constrained",
        alt=address_map_alt(net, nets, names),
    )
    axes = fig.subplots(2 if zoom else 1, 1, squeeze=False)[:, 0]
    top = axes[0]
    free = free_blocks(net, nets) if not zoom else []
    _draw_row(top, start, net.num_addresses, [] if zoom else blocks, free)
    _ends(top, str(net.network_address), str(net.broadcast_address))
    if zoom:
        top.add_patch(
            Rectangle(
                (0, 0.1),
                1,
                0.8,
                facecolor=FREE_COLOUR,
                edgecolor=GREY_60,
                hatch="///",
                linewidth=0.5,
            )
        )
        low = min(int(s.network_address) for s in nets)
        high = max(int(s.broadcast_address) for s in nets)
        x0 = (low - start) / net.num_addresses
        x1 = (high + 1 - start) / net.num_addresses
        mark = max(x1 - x0, 0.004)
        top.add_patch(
            Rectangle((min(x0, 1 - mark), 0.0), mark, 1.0, facecolor=VERMILION, edgecolor=VERMILION)
        )
        part = f"{share:.1%}" if share >= 0.001 else f"1/{round(1 / share):,}"
        top.text(
            0.5,
            0.5,
            f"the subnets below are the orange mark: {part} of {net}",
            ha="center",
            va="center",
            fontsize=8,
            color=GREY_20,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
        bottom = axes[1]
        span = high + 1 - low
        inner_free = [
            f
            for f in free_blocks(net, nets)
            if int(f.network_address) >= low and int(f.broadcast_address) <= high
        ]
        _draw_row(bottom, low, span, blocks, inner_free)
        _ends(bottom, str(ipaddress.ip_address(low)), str(ipaddress.ip_address(high)))
    if title is None:
        title = f"{net}: {used:,} of {net.num_addresses:,} addresses in {len(nets)} subnets"
        if share < 0.001:
            title = f"{net}: {len(nets)} subnets of {net.num_addresses:,} addresses"
    fig.suptitle(title, fontsize=10)
    return fig
