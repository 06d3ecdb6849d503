"""Pictures of address space: where each subnet sits inside its parent network.

Figures are built with matplotlib's object API directly (not ``pyplot``), so they hold
no global state and need no closing. They are :class:`cloudlab.figures.ShownFigure`s,
which show themselves as PNGs in Jupyter even when pyplot was never imported;
``fig.savefig(...)`` writes them to a file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cloudlab.figures import GREY_13, GREY_20, GREY_33, GREY_60, VERMILION, ShownFigure
from cloudlab.net.addressmap import (
    DARK_TEXT,
    FREE_COLOUR,
    RESERVED_COLOUR,
    address_map_layout,
    common_start,
    mark_text,
)
from cloudlab.net.parse import Network

__all__ = ["address_map"]

_CHAR_WIDTH = 0.0092  # rough width of one 8-pt character as a share of the row
_VERTICAL_WIDTH = 0.012  # narrowest block that still takes a vertical 7-pt label
_VERTICAL_CHARS = 10  # longest vertical label that fits the bar's height
_KEY_WIDTH = 0.006  # narrowest block that still takes a one-digit key number


def _fits(text: str, width: float) -> bool:
    longest = max(len(line) for line in text.split("\n"))
    return width > longest * _CHAR_WIDTH + 0.006


def _draw_row(
    ax: Axes,
    start: int,
    span: int,
    blocks: Sequence[tuple[Network, str, str]],
    free: Sequence[Network],
) -> list[str]:
    """Draw one horizontal bar: ``blocks`` coloured, ``free`` hatched, x in [0, 1].

    A named block too narrow for its name carries a number instead; the returned key
    (``"1 public-a 10.0.12.0/24"``, ...) says which is which.
    """
    key: list[str] = []
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
    common = common_start([str(net.network_address) for net, _, _ in blocks])
    for net, label, colour in blocks:
        x = (int(net.network_address) - start) / span
        width = max(net.num_addresses / span, 0.002)  # keep tiny blocks visible
        spare = colour == RESERVED_COLOUR
        ax.add_patch(
            Rectangle(
                (x, 0.1), width, 0.8, facecolor=colour, linewidth=1,
                edgecolor=GREY_60 if spare else "white", linestyle="--" if spare else "-",
            )
        )  # fmt: skip
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
                    color=GREY_13 if colour in DARK_TEXT else "white",
                    fontweight="bold",
                )
                break
        else:
            if label and width > _KEY_WIDTH:  # named but narrow: a number, and a key below
                key.append(f"{len(key) + 1} {label} {net}")
                ax.text(
                    x + width / 2, 0.5, str(len(key)), ha="center", va="center", fontsize=8,
                    color=GREY_13 if colour in DARK_TEXT else "white", fontweight="bold",
                )  # fmt: skip
                continue
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
                    color=GREY_13 if colour in DARK_TEXT else "white",
                    fontweight="bold",
                    rotation=90,
                )

    return key


def _ends(ax: Axes, first: str, last: str) -> None:
    ax.set_xticks([0, 1])
    ax.set_xticklabels([first, last], fontsize=8)
    ticks = ax.get_xticklabels()
    ticks[0].set_horizontalalignment("left")
    ticks[1].set_horizontalalignment("right")


def address_map(
    parent: str | Network,
    subnets: Sequence[str | Network],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    width: float = 9.0,
    reserved: Collection[Network] = (),
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
    reserved : collection of network, optional
        Subnets set aside but not in use, drawn pale with a dashed edge.

    Returns
    -------
    ShownFigure
        A :class:`matplotlib.figure.Figure`.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    layout = address_map_layout(parent, subnets, labels, title, reserved)
    fig = ShownFigure(
        figsize=(width, 2.9 if layout.zoomed else 1.7), layout="constrained", alt=layout.alt
    )
    axes = fig.subplots(len(layout.rows), 1, squeeze=False)[:, 0]
    for ax, row in zip(axes, layout.rows, strict=True):
        if row.mark is not None:
            ax.add_patch(
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
        key = _draw_row(ax, row.start, row.span, row.blocks, row.free)
        if key:
            ax.set_xlabel("\n".join(textwrap.wrap("   ".join(key), 120)), fontsize=8, color=GREY_20)
        _ends(ax, row.first, row.last)
        if row.mark is not None:
            x, mark = row.mark
            ax.add_patch(Rectangle((x, 0.0), mark, 1.0, facecolor=VERMILION, edgecolor=VERMILION))
            ax.text(
                0.5,
                0.5,
                mark_text(layout),
                ha="center",
                va="center",
                fontsize=8,
                color=GREY_20,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            )
    fig.suptitle(layout.title, fontsize=10)
    return fig
