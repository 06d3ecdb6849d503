"""The cookie explainer widget: paste a ``Set-Cookie`` header, see what it asks a browser to do.

A view over :func:`cloudlab.web.cookies.explain_set_cookie`; all reading happens there.
Every value shown is escaped, so whatever is typed is displayed as text, never as HTML.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from cloudlab.figures import BLACK, BLUE, TEXT_GREEN, TEXT_VERMILION
from cloudlab.web.cookies import explain_set_cookie, parse_set_cookie
from cloudlab.widgets.common import Calculator, cell, html_table, typed_hint

__all__ = ["CookieExplainer", "explanation_table", "make_cookie_explainer_ui"]

#: What the text box starts with: the lab app's consented device-id cookie.
EXAMPLE = "device_id=MjFM_MTxOBkgysTUfItAZA; Max-Age=31536000; HttpOnly; Path=/; SameSite=Lax"

# Text colours, each at least 4.5:1 against white (WCAG 2.1 AA): darker shades of the
# Okabe-Ito blue, green and vermilion the pictures use.
_KIND_COLOUR = {"session": BLUE, "persistent": TEXT_GREEN, "deletion": TEXT_VERMILION}


def explanation_table(rows: list[tuple[str, str]], kind: str) -> str:
    """The HTML table of ``(attribute, meaning)`` rows, headed by the cookie's kind."""
    colour = _KIND_COLOUR.get(kind, BLACK)
    head = (
        f'<div style="margin:0.3em 0"><b>Kind:</b> '
        f'<span style="color:{colour};font-weight:bold">{escape(kind)} cookie</span></div>'
    )
    label = "text-align:left;padding-right:1em;vertical-align:top"
    return head + html_table(
        [cell(f"<code>{escape(attribute)}</code>", style=label, header=True), cell(escape(meaning))]
        for attribute, meaning in rows
    )


class CookieExplainer(Calculator):
    """Text box → what the header means. Built by :func:`make_cookie_explainer_ui`.

    Attributes
    ----------
    text : ipywidgets.Text
        Where the ``Set-Cookie`` header is typed.
    error : ipywidgets.HTML
        One line when the header cannot be read, else empty.
    table : ipywidgets.HTML
        The explanation, one row per attribute.
    result : dict or None
        :func:`~cloudlab.web.cookies.parse_set_cookie` of the current text (None after an
        error).
    """

    texts = ("table",)

    def __init__(self, value: str = EXAMPLE, *, now: float | None = None) -> None:
        self.text = widgets.Text(
            value=value,
            description="Set-Cookie",
            placeholder="name=value; Max-Age=3600; HttpOnly; SameSite=Lax",
            layout=widgets.Layout(width="48em"),
            continuous_update=False,
        )
        self.error = widgets.HTML()
        self.table = widgets.HTML()
        self.result: dict[str, Any] | None = None
        self._now = now
        super().__init__([self.text, typed_hint(), self.error, self.table])
        self.text.observe(self._on_change, names="value")
        self.update()

    def compute(self) -> dict[str, Any]:
        """Read the text box: the parsed header (its rows of explanation kept for render)."""
        info = parse_set_cookie(self.text.value, now=self._now)
        self._rows = explain_set_cookie(self.text.value, now=self._now)
        return info

    def render(self, info: dict[str, Any]) -> None:
        """The explanation table."""
        self.table.value = explanation_table(self._rows, info["kind"])


def make_cookie_explainer_ui(value: str = EXAMPLE, *, now: float | None = None) -> CookieExplainer:
    """Build the cookie explainer widget (returned, not displayed).

    Parameters
    ----------
    value : str
        What the text box starts with (default: the lab app's device-id cookie).
    now : float, optional
        Arrival time in seconds since the epoch, for headers with ``Expires`` (default:
        the clock at each update).

    Returns
    -------
    CookieExplainer
        A VBox; its ``result`` is the parsed header as a dict.
    """
    return CookieExplainer(value, now=now)
