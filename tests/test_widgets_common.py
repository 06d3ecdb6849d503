"""The widgets' shared base: HTML tables, and compute → render, or clear with one error line."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.widgets.common import Calculator, cell, code, html_table, row, show_figure, showing


def test_html_table_escapes_headings_and_keeps_cells_as_given() -> None:
    table = html_table([[cell(code("<a>")), cell("1", style="x")]], head=["a&b", "c"])
    assert table == (
        '<table><tr><th style="text-align:left;padding-right:1em">a&amp;b</th>'
        '<th style="text-align:left;padding-right:1em">c</th></tr>'
        '<tr><td><code>&lt;a&gt;</code></td><td style="x">1</td></tr></table>'
    )


def test_html_table_sections_rows_and_spans() -> None:
    body = [row([cell("x", header=True), cell("y", colspan=2)], style="color:red")]
    table = html_table(body, head=["h"], head_style=None, sections=True)
    assert table == (
        "<table><thead><tr><th>h</th></tr></thead>"
        '<tbody><tr style="color:red"><th>x</th><td colspan="2">y</td></tr></tbody></table>'
    )


class Halver(Calculator):
    """Halves an even number typed in a box."""

    texts = ("answer",)
    pictures = ("plot",)

    def __init__(self) -> None:
        self.number = widgets.Text("4")
        self.error, self.answer, self.plot = widgets.HTML(), widgets.HTML(), widgets.Output()
        self.result: int | None = None
        super().__init__([self.number, self.error, self.answer, self.plot])
        self.number.observe(self._on_change, names="value")
        self.update()

    def compute(self) -> int:
        value = int(self.number.value)
        if value % 2:
            raise ValueError(f"{value} is odd")
        return value // 2

    def render(self, result: int) -> None:
        self.answer.value = str(result)
        show_figure(self.plot, Figure)


def test_a_calculator_renders_then_clears_on_bad_input_then_recovers() -> None:
    ui = Halver()
    assert (ui.result, ui.answer.value, ui.error.value) == (2, "2", "")
    assert showing(ui.plot) is Figure
    ui.number.value = "3"
    assert ui.result is None
    assert ui.answer.value == ""
    assert "3 is odd" in ui.error.value
    assert showing(ui.plot) is None
    ui.number.value = "10"
    assert (ui.result, ui.answer.value, ui.error.value) == (5, "5", "")
