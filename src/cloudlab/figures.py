"""Figures that show themselves: every picture the package draws is one of these.

The package draws with matplotlib's object API (no pyplot, so no global state and
nothing to close). A plain :class:`~matplotlib.figure.Figure` made that way shows only as
text ("<Figure size ...>") in a notebook without pyplot's inline backend; this one
renders itself as a PNG in any Jupyter front end and in the built book.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure


class ShownFigure(Figure):
    """A matplotlib Figure that Jupyter displays as a PNG image."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=96)
        return buffer.getvalue()
