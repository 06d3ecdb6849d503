# mypy: implicit-reexport
"""Figures that show themselves: every picture the package draws is one of these.

The package draws with matplotlib's object API (no pyplot, so no global state and
nothing to close). A plain :class:`~matplotlib.figure.Figure` made that way shows only as
text ("<Figure size ...>") in a notebook without pyplot's inline backend; this one
renders itself in any Jupyter front end and in the built book as an HTML ``<img>``: a PNG
with the figure's alt text, which the code that draws the figure writes from the same
data it draws (so a screen reader hears what the picture shows). The same output works in
a notebook cell and inside a widget's Output, so the book and the widgets need no other
route for alt text.

It also gives every picture the same look: the palette (Okabe–Ito colours, the text
colours of the widgets' HTML, and the greys; defined in :mod:`cloudlab.palette`, which the
browser can import too, and re-exported here) and the axis helpers of the simulation
plots (:func:`time_axis`, :func:`tidy`, :func:`binned`).
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

import numpy as np
from matplotlib.figure import Figure

# The palette lives in cloudlab.palette (the browser imports it too); re-exported here.
from cloudlab.palette import (  # noqa: F401
    ALLOW_GREEN,
    BLACK,
    BLUE,
    BLUE_TINT,
    DARK_ORANGE,
    DARK_VERMILION,
    ERROR_RED,
    GREEN,
    GREEN_TINT,
    GREY_11,
    GREY_13,
    GREY_17,
    GREY_20,
    GREY_24,
    GREY_27,
    GREY_33,
    GREY_35,
    GREY_40,
    GREY_47,
    GREY_53,
    GREY_54,
    GREY_60,
    GREY_69,
    GREY_93,
    GREY_95,
    GREY_98,
    LIGHT,
    ORANGE,
    PALE_BLUE,
    PALE_SLATE,
    PALE_YELLOW,
    PALETTE,
    PURPLE,
    PURPLE_TINT,
    SKY,
    SLATE,
    STEEL,
    TEXT_GREEN,
    TEXT_VERMILION,
    VERMILION,
    VIOLET,
    YELLOW,
)


class ShownFigure(Figure):
    """A matplotlib Figure that Jupyter displays as a PNG image with alt text.

    Parameters
    ----------
    alt : str
        What the figure shows, in a sentence or two (its numbers, not "a figure").
    *args, **kwargs
        Passed to :class:`matplotlib.figure.Figure`.
    """

    def __init__(self, *args: Any, alt: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not alt.strip():
            raise ValueError("a figure needs alt text that says what it shows")
        self.alt = alt

    def png(self) -> bytes:
        """The figure as PNG bytes (96 dpi)."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=96)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{data}" alt="{escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
        )


# ------------------------------------------------------------------ axes of the simulations

#: Seconds per unit of :func:`time_axis`.
TIME_SCALE = {"h": 3600.0, "min": 60.0, "s": 1.0}


def run_seconds(t_s: np.ndarray, step_s: float) -> float:
    """How long a simulated run lasts, in seconds: its last step's start plus one step."""
    return float(t_s[-1] + step_s)


def time_axis(ax: Any, t_end: float) -> float:
    """Label ``ax``'s x axis in hours, minutes or seconds for a run of ``t_end`` seconds.

    Returns the seconds per unit of that axis (from :data:`TIME_SCALE`): divide times by it.
    """
    if t_end > 3 * 3600:
        ax.set_xlabel("time (hours)")
        return TIME_SCALE["h"]
    if t_end > 600:
        ax.set_xlabel("time (minutes)")
        return TIME_SCALE["min"]
    ax.set_xlabel("time (seconds)")
    return TIME_SCALE["s"]


def tidy(*axes: Any) -> None:
    """Light grid, no top or right frame: the look every simulation plot shares."""
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)


def binned(
    t_s: np.ndarray, counts: np.ndarray, step_s: float, max_points: int = 600
) -> tuple[np.ndarray, np.ndarray]:
    """Average per-step counts into at most ``max_points`` bins, as a rate per second.

    Parameters
    ----------
    t_s : numpy.ndarray
        Start of each step, seconds.
    counts : numpy.ndarray
        Counts per step; shape ``(steps,)`` or ``(steps, columns)``.
    step_s : float
        Step length, seconds.
    max_points : int
        Most bins to return.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Bin start times (seconds) and counts per second in each bin, plus a final
        point at the end of the last bin repeating its value (for step plots).
    """
    width = max(1, int(np.ceil(len(t_s) / max_points)))
    usable = len(t_s) // width * width
    if usable == 0:
        times, rates = t_s, counts / step_s
    else:
        shape = (usable // width, width, *counts.shape[1:])
        summed = counts[:usable].reshape(shape).sum(axis=1)
        times, rates = t_s[:usable:width], summed / (width * step_s)
    # One more point at the end of the last bin, so step plots reach the right edge.
    end = times[-1] + (width if usable else 1) * step_s
    return np.append(times, end), np.concatenate([rates, rates[-1:]])
