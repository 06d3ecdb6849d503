"""Pieces every widget shares: the compute-render-clear base, a one-line error, HTML tables,
and a figure shown in an Output.

Every calculator widget is a :class:`Calculator`: ``compute()`` reads the controls and
calls the model (raising ValueError for input it cannot use), ``render(result)`` fills the
views, and on a ValueError ``clear(message)`` empties them and shows the one-line error.
What each Output shows is also kept on the Output (:func:`showing`), with or without a
kernel, so a test can check that a failed input leaves no picture of an earlier one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any, ClassVar

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.figures import ERROR_RED, ShownFigure

#: A figure, or a function that draws it (only called where it can be shown).
Picture = Figure | Callable[[], Figure]

_SHOWING = "_cloudlab_showing"


def error_html(message: str) -> str:
    """One line of escaped error text, styled as a warning (never a traceback)."""
    line = message.splitlines()[0] if message else ""
    return f'<span style="color:{ERROR_RED}">&#9888; {escape(line, quote=False)}</span>'


def name_controls(message: str, controls: Mapping[str, widgets.DOMWidget]) -> str:
    """``message`` with its leading ``name=`` (a parameter, as the library words it) replaced
    by the label of the control the reader typed the value in.

    >>> people = widgets.IntText(description="people free to run servers")
    >>> name_controls("ops_people=-1: cannot be negative", {"ops_people": people})
    'people free to run servers = -1: cannot be negative'
    """
    name, sep, rest = message.partition("=")
    control = controls.get(name) if sep else None
    if control is None or not getattr(control, "description", ""):
        return message
    return f"{control.description} = {rest}"


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


# ------------------------------------------------------------------ typed input

#: When what the reader types takes effect, the same in every widget: a text or number box
#: applies its value on Enter or on leaving it (never mid-word, where a half-typed address
#: would show an error), a slider when it is let go, a list or a tick box at once.
TYPED_HINT = "Typed values apply when you press Enter or leave the box."


def typed_hint(more: str = "") -> widgets.HTML:
    """The line that says, next to a widget's text boxes, when what is typed applies
    (``more``: a sentence for a box that differs, such as a many-line one)."""
    text = f"{TYPED_HINT} {more}".strip()
    return widgets.HTML(f'<small style="opacity:0.85">{escape(text)}</small>')


# ------------------------------------------------------------------ HTML tables

#: The style of a left-aligned label cell (a column heading or a row's name).
LABEL_STYLE = "text-align:left;padding-right:1em"


def code(text: object) -> str:
    """``text`` escaped, in ``<code>``."""
    return f"<code>{escape(str(text))}</code>"


def cell(
    html: str, *, style: str | None = None, header: bool = False, colspan: int | None = None
) -> str:
    """One ``<td>`` (``<th>`` when ``header``) holding ``html``, which is already escaped."""
    tag = "th" if header else "td"
    styled = "" if style is None else f' style="{style}"'
    spans = "" if colspan is None else f' colspan="{colspan}"'
    return f"<{tag}{styled}{spans}>{html}</{tag}>"


def row(cells: Iterable[str], *, style: str | None = None) -> str:
    """One ``<tr>`` of :func:`cell` strings."""
    styled = "" if style is None else f' style="{style}"'
    return f"<tr{styled}>{''.join(cells)}</tr>"


def html_table(
    rows: Iterable[str | Iterable[str]],
    *,
    head: Iterable[str] | None = None,
    head_style: str | None = LABEL_STYLE,
    sections: bool = False,
) -> str:
    """An HTML table: every widget's tables are built here.

    Parameters
    ----------
    rows : iterable
        Each a :func:`row` string, or the :func:`cell` strings of a plain row.
    head : iterable of str, optional
        Column headings (plain text: escaped here), as a first row of ``<th>``.
    head_style : str or None
        The headings' style attribute (None: no attribute).
    sections : bool
        Put the headings in ``<thead>`` and the rows in ``<tbody>``.
    """
    body = "".join(r if isinstance(r, str) else row(r) for r in rows)
    top = "" if head is None else row(cell(escape(h), style=head_style, header=True) for h in head)
    opening = "<table>"
    if sections:
        return f"{opening}<thead>{top}</thead><tbody>{body}</tbody></table>"
    return f"{opening}{top}{body}</table>"


# ------------------------------------------------------------------ the calculator base


class Calculator(widgets.VBox):
    """A widget that computes from its controls and shows the result, or one error line.

    A subclass builds its controls and views, sets ``error`` (an HTML) and ``result``,
    names the views a failed input empties in :attr:`texts` (HTML widgets) and
    :attr:`pictures` (Outputs), and implements :meth:`compute` and :meth:`render`.
    Its observers call :meth:`update`.
    """

    #: Attribute names of the HTML views emptied when the input cannot be used.
    texts: ClassVar[tuple[str, ...]] = ()
    #: Attribute names of the Outputs cleared when the input cannot be used.
    pictures: ClassVar[tuple[str, ...]] = ()
    #: (model parameter, attribute name of the control that sets it): an error line that
    #: starts with the parameter ("hours=None: ...") names the control's label instead.
    controls_of: ClassVar[tuple[tuple[str, str], ...]] = ()
    error: widgets.HTML
    result: Any

    def compute(self) -> Any:
        """Read the controls and run the model (raises ValueError for unusable input)."""
        raise NotImplementedError

    def render(self, result: Any) -> None:
        """Fill the views from ``result`` (what :meth:`compute` returned)."""
        raise NotImplementedError

    def clear(self, message: str) -> None:
        """No result: empty the views, clear the pictures, show ``message`` as the error."""
        self.result = None
        for name in self.texts:
            getattr(self, name).value = ""
        controls = {key: getattr(self, name) for key, name in self.controls_of}
        message = name_controls(message, controls)
        show_error(self.error, message, *(getattr(self, name) for name in self.pictures))

    def update(self) -> None:
        """Recompute from the controls: render the result, or clear and show the error."""
        try:
            result = self.compute()
        except ValueError as problem:
            self.clear(str(problem))
            return
        self.result = result
        self.error.value = ""
        self.render(result)

    def _on_change(self, _change: object = None) -> None:
        self.update()
