"""Pieces every widget shares: a one-line error, and a figure shown in an Output.

What each Output shows is also kept on the Output (:func:`showing`), with or without a
kernel, so a test can check that a failed input leaves no picture of an earlier one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from html import escape

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.figures import ShownFigure

#: A figure, or a function that draws it (only called where it can be shown).
Picture = Figure | Callable[[], Figure]

_SHOWING = "_cloudlab_showing"


def error_html(message: str) -> str:
    """One line of escaped error text, styled as a warning (never a traceback)."""
    line = message.splitlines()[0] if message else ""
    return f'<span style="color:#b00020">&#9888; {escape(line, quote=False)}</span>'


def has_kernel() -> bool:
    """True inside a running IPython kernel, where an Output can show pictures."""
    from IPython import get_ipython

    return get_ipython() is not None


def showing(output: widgets.Output) -> Picture | None:
    """What :func:`show_figure` last put in ``output`` (None: it shows nothing)."""
    return getattr(output, _SHOWING, None)


def show_figure(output: widgets.Output, figure: Picture | None) -> None:
    """Replace what ``output`` shows with ``figure``, or clear it now when ``figure`` is None.

    The package's figures are :class:`cloudlab.figures.ShownFigure`, which go in as their
    PNG with alt text, so every front end shows the same picture whatever matplotlib
    backend the kernel has. ``figure`` may be a function that draws it: it is called only
    inside a kernel, since without one (a test, a script) nothing can be shown;
    :func:`showing` records the picture either way.
    """
    setattr(output, _SHOWING, figure)
    if not has_kernel():
        return
    from IPython.display import Image, display

    if figure is None:
        output.clear_output()  # at once: wait=True would keep the old picture until the next
        return
    drawn = figure if isinstance(figure, Figure) else figure()
    output.clear_output(wait=True)
    with output:
        if isinstance(drawn, ShownFigure):
            display(drawn)
        else:  # a plain matplotlib figure: its PNG, as pyplot's inline backend would
            buffer = io.BytesIO()
            drawn.savefig(buffer, format="png", dpi=96)
            display(Image(data=buffer.getvalue(), format="png"))


def show_error(error: widgets.HTML, message: str, *outputs: widgets.Output) -> None:
    """Show ``message`` as the error line and clear every output of the failed input."""
    error.value = error_html(message)
    for output in outputs:
        show_figure(output, None)
