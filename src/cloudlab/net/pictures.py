"""Pictures of address space: where each subnet sits inside its parent network.

Figures are built with matplotlib's object API directly (not ``pyplot``), so they hold
no global state and need no closing. They are :class:`cloudlab.figures.ShownFigure`s,
which show themselves as PNGs in Jupyter even when pyplot was never imported;
``fig.savefig(...)`` writes them to a file.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cloudlab.figures import GREY_13, GREY_20, GREY_33, GREY_60, VERMILION, ShownFigure
from cloudlab.net.addressmap import (
    DARK_TEXT,
    FREE_COLOUR,
    MIN_SHARE,
    RESERVED_COLOUR,
    MapRow,
    address_map_layout,
    common_start,
    key_lines,
    mark_text,
)
from cloudlab.net.parse import Network

__all__ = ["address_map"]

_VERTICAL_WIDTH = 0.012  # narrowest unnamed block that still takes a vertical 7-pt label
_VERTICAL_CHARS = 10  # longest vertical label that fits the bar's height
_KEY_CHARS = 120  # characters in a line of the key under a bar


def _draw_row(ax: Axes, row: MapRow) -> None:
    """Draw one horizontal bar, x in [0, 1]: its blocks coloured, its free space hatched,
    the texts :func:`cloudlab.net.addressmap._block_texts` chose, and its key below."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.3 if row.callouts else 1)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    for net, text in zip(row.free, row.free_texts, strict=True):
        x, width = row.place(net)
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
        if text:
            ax.text(x + width / 2, 0.5, text, ha="center", va="center", fontsize=8, color=GREY_33)
    common = common_start([str(net.network_address) for net, _, _ in row.blocks])
    for (net, label, colour), text in zip(row.blocks, row.texts, strict=True):
        x, width = row.place(net)
        spare = colour == RESERVED_COLOUR
        ax.add_patch(
            Rectangle(
                (x, 0.1), width, 0.8, facecolor=colour, linewidth=1,
                edgecolor=GREY_60 if spare else "white", linestyle="--" if spare else "-",
            )
        )  # fmt: skip
        ink = GREY_13 if colour in DARK_TEXT else "white"
        if text:
            ax.text(
                x + width / 2, 0.5, text, ha="center", va="center", fontsize=8, color=ink,
                fontweight="bold",
            )  # fmt: skip
            continue
        if label:  # numbered, its number above the bar (a callout)
            continue
        tail = "…" + str(net.network_address)[len(common) :]
        vertical = [t for t in (str(net), f"{tail}/{net.prefixlen}", tail) if len(t) > 1]
        fitting = [t for t in vertical if len(t) <= _VERTICAL_CHARS]
        if width > _VERTICAL_WIDTH and fitting:
            ax.text(
                x + width / 2, 0.5, fitting[0], ha="center", va="center", fontsize=7,
                color=ink, fontweight="bold", rotation=90,
            )  # fmt: skip
    for callout in row.callouts:  # a bracket over the blocks, their numbers above it
        left, right = callout.x, callout.x + max(callout.width, MIN_SHARE)
        ax.plot([left, left, right, right], [0.93, 0.99, 0.99, 0.93], color=GREY_20, lw=0.8)
        ax.text((left + right) / 2, 1.02, callout.text, ha="center", va="bottom", fontsize=7,
                color=GREY_13)  # fmt: skip
    if row.key:
        lines = ("   ".join(line) for line in key_lines(row.key, _KEY_CHARS))
        ax.set_xlabel("\n".join(lines), fontsize=8, color=GREY_20)


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
        _draw_row(ax, row)
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
