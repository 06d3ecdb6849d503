"""Figures that show themselves: every picture the package draws is one of these.

The package draws with matplotlib's object API (no pyplot, so no global state and
nothing to close). A plain :class:`~matplotlib.figure.Figure` made that way shows only as
text ("<Figure size ...>") in a notebook without pyplot's inline backend; this one
renders itself in any Jupyter front end and in the built book as an HTML ``<img>``: a PNG
with the figure's alt text, which the code that draws the figure writes from the same
data it draws (so a screen reader hears what the picture shows). The same output works in
a notebook cell and inside a widget's Output, so the book and the widgets need no other
route for alt text.
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from matplotlib.figure import Figure


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
