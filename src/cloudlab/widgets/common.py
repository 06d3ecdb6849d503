"""Pieces every widget shares: a one-line error, and a figure shown in an Output."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
from matplotlib.figure import Figure


def error_html(message: str) -> str:
    """One line of escaped error text, styled as a warning (never a traceback)."""
    line = message.splitlines()[0] if message else ""
    return f'<span style="color:#b00020">&#9888; {escape(line, quote=False)}</span>'


def has_kernel() -> bool:
    """True inside a running IPython kernel, where an Output can show pictures."""
    from IPython import get_ipython

    return get_ipython() is not None


def show_figure(output: widgets.Output, figure: Figure | None) -> None:
    """Replace what ``output`` shows with ``figure``, or clear it when ``figure`` is None.

    The package's figures are :class:`cloudlab.figures.ShownFigure`, which go in as their
    PNG with alt text (see :mod:`cloudlab.figures`), so every
    front end shows the same picture whatever matplotlib backend the kernel has. Without a
    kernel (a test, a script) nothing can be shown, and this does nothing.
    """
    from IPython.display import display

    if not has_kernel():
        return
    output.clear_output(wait=True)
    if figure is None:
        return
    with output:
        display(figure)
