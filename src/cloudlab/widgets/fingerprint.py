"""The fingerprint entropy calculator: tick attributes, pick a crowd, see how alone you are.

A view over :mod:`cloudlab.web.fingerprint`; all computing happens there. The published
figures come from the Flask lab's ``entropy.py`` (loaded by that module), so the widget,
the app and the chapter show the same cited numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal
from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from cloudlab.checks import number, show
from cloudlab.figures import BLUE, GREY_33, GREY_40, GREY_60, VERMILION, ShownFigure
from cloudlab.web.fingerprint import (
    FIGURES,
    INDEPENDENCE_NOTE,
    CrowdEstimate,
    EntropyEstimate,
    anonymity_set,
    crowd,
    estimate_bits,
)
from cloudlab.widgets.common import LABEL_STYLE, Calculator, cell, html_table, show_figure

__all__ = [
    "DEFAULT_ATTRIBUTES",
    "MAX_POPULATION_EXPONENT",
    "MIN_POPULATION_EXPONENT",
    "EntropyCalculator",
    "anonymity_figure",
    "format_count",
    "make_entropy_calculator_ui",
    "parse_population",
    "summary_html",
]

#: What the calculator starts with ticked.
DEFAULT_ATTRIBUTES = ("user_agent", "screen", "timezone", "languages")
#: The slider runs from 10**3 to 10**10 browsers.
MIN_POPULATION_EXPONENT = 3
MAX_POPULATION_EXPONENT = 10

LINE_COLOUR = BLUE
MARK_COLOUR = VERMILION
#: The comparison lines (10, 20, 30 bits) and their labels: legible, yet behind the curve.
COMPARE_GREY = GREY_60
COMPARE_TEXT = GREY_40

_SCALE_WORDS = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "k": 10**3,
    "m": 10**6,
    "bn": 10**9,
}


def parse_population(text: str) -> float:
    """Read a number of browsers typed by a person.

    Accepts ``1000000``, ``1,000,000``, ``1_000_000``, ``1e6``, ``2.5 million``,
    ``8.2 billion``.

    Parameters
    ----------
    text : str
        What was typed.

    Returns
    -------
    float
        The number of browsers (at least 1).

    Raises
    ------
    ValueError
        When the text is not a number, or is below one browser.
    """
    if not isinstance(text, str):
        raise ValueError(f"{show(text)}: type a number of browsers, e.g. 8.2 billion")
    cleaned = text.strip().lower().replace(",", "").replace("_", "")
    match = re.fullmatch(r"([0-9.e+\-]+)\s*([a-z]*)", cleaned)
    if not cleaned or match is None or match.group(2) not in ("", *_SCALE_WORDS):
        raise ValueError(f"{text.strip()!r}: type a number of browsers, e.g. 8.2 billion")
    try:
        value = float(Decimal(match.group(1)) * _SCALE_WORDS.get(match.group(2), 1))
    except ArithmeticError:
        raise ValueError(f"{text.strip()!r}: type a number of browsers, e.g. 8.2 billion") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r}: too many browsers to count")
    if value < 1:
        raise ValueError(f"{text.strip()!r}: there must be at least one browser (yours)")
    return value


def format_count(value: float) -> str:
    """Write a count the way people read it: ``976.6``, ``14,504,528``, ``3.2 × 10¹⁵``."""
    if isinstance(value, bool) or not isinstance(value, int):  # an int of any size is fine
        value = number("count", value)
    elif value < 1000:
        return f"{value:,}"  # as the float format below writes it, without a float
    if value < 1000:
        return f"{value:,.1f}".removesuffix(".0")
    if value < 1e12:
        return f"{round(value):,}"
    exponent = math.floor(math.log10(value))
    mantissa = value / 10**exponent
    superscript = str(exponent).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
    return f"{mantissa:.1f} × 10{superscript}"


def anonymity_figure(
    bits: float, population: float, *, compare: Iterable[float] = (), width: float = 7.0
) -> Figure:
    """Plot the expected anonymity set against the size of the population.

    Parameters
    ----------
    bits : float
        Identifying information of the current selection, in bits.
    population : float
        Population to mark on the curve, in browsers.
    compare : iterable of float, optional
        Other amounts of bits to draw as thin grey lines, for comparison.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Log-log axes: population (10³ to 10¹⁰ browsers, widened to include
        ``population``) against the expected number of browsers sharing the fingerprint.
        The curve stays at 1 (alone, on average) until the population reaches
        ``2**bits``, then grows in proportion to it.
    """
    low = min(10.0**MIN_POPULATION_EXPONENT, population)
    high = max(10.0**MAX_POPULATION_EXPONENT, population)
    sizes = np.logspace(math.log10(low), math.log10(high), 200)
    alt = (
        f"Log-log chart of the browsers expected to share a fingerprint of {bits:.1f} bits "
        f"against population from {low:.0e} to {high:.0e} browsers: about 1 (alone) until "
        f"the population reaches 2 to the power {bits:.1f} = {2.0**bits:,.0f}, then growing in "
        f"proportion; at {population:,.0f} browsers about "
        f"{anonymity_set(bits, population):,.0f} share it."
    )
    fig = ShownFigure(figsize=(width, 3.6), layout="constrained", alt=alt)
    ax = fig.add_subplot()
    for other in compare:
        ax.plot(
            sizes,
            [anonymity_set(other, p) for p in sizes],
            color=COMPARE_GREY,
            linewidth=1,
            zorder=1,
        )
        ax.annotate(
            f"{other:g} bits", (sizes[-1], anonymity_set(other, sizes[-1])), fontsize=8,
            color=COMPARE_TEXT, ha="right", va="bottom",
        )  # fmt: skip
    ax.plot(
        sizes,
        [anonymity_set(bits, p) for p in sizes],
        color=LINE_COLOUR,
        linewidth=2,
        label=f"your selection: {bits:.1f} bits",
        zorder=2,
    )
    here = anonymity_set(bits, population)
    ax.plot([population], [here], marker="o", markersize=8, color=MARK_COLOUR, zorder=3)
    near_right = math.log10(population) > math.log10(high) - 2
    share = "alone, on average" if here <= 1 else f"{format_count(here)} share it"
    ax.annotate(
        f"{format_count(population)} browsers:\n{share}",
        (population, here),
        xytext=(-10, 14) if near_right else (10, 14),
        textcoords="offset points",
        fontsize=8,
        color=MARK_COLOUR,
        ha="right" if near_right else "left",
    )
    crossover = 2.0**bits
    if low <= crossover <= high:
        ax.axvline(crossover, color=LINE_COLOUR, linestyle=":", linewidth=1)
        ax.annotate(
            rf"$2^{{\mathrm{{bits}}}}$ = {format_count(crossover)}",
            (crossover, 1),
            xytext=(-4, 40),
            textcoords="offset points",
            fontsize=8,
            rotation=90,
            ha="right",
            color=LINE_COLOUR,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(bottom=0.8)
    ax.set_xlabel("browsers in the population")
    ax.set_ylabel("expected browsers sharing\nyour fingerprint (≥ 1)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def _clamp(population: float) -> float:
    """The nearest population the slider can show."""
    return min(max(population, 10.0**MIN_POPULATION_EXPONENT), 10.0**MAX_POPULATION_EXPONENT)


def _checkbox_label(name: str) -> str:
    figure = FIGURES[name]
    return f"{figure.label} ({figure.bits:g} bits, {figure.source})"


class EntropyCalculator(Calculator):
    """Attribute checkboxes and a population → bits, "1 in N", anonymity set, plot.

    Built by :func:`make_entropy_calculator_ui`.

    Attributes
    ----------
    checkboxes : dict of str to ipywidgets.Checkbox
        One per attribute with a published figure, labelled with its bits and source.
    population : ipywidgets.FloatLogSlider
        Number of browsers, 10³ to 10¹⁰.
    population_text : ipywidgets.Text
        The same number, typed (``8.2 billion`` works); any number of browsers from 1 up.
    error : ipywidgets.HTML
        One line when the typed population cannot be read, else empty.
    summary : ipywidgets.HTML
        Total bits, "1 in N", expected anonymity set, chance of being unique.
    caveat : ipywidgets.HTML
        Why the total is an upper bound.
    plot : ipywidgets.Output
        The anonymity-set picture (drawn only with a live kernel).
    estimate : EntropyEstimate or None
        The published bits of the ticked attributes.
    result : CrowdEstimate or None
        What they mean in the chosen population (None after an error).
    """

    texts = ("summary",)
    pictures = ("plot",)
    controls_of = (("population", "population"),)

    def __init__(
        self, attributes: Iterable[str] = DEFAULT_ATTRIBUTES, population: float = 1e6
    ) -> None:
        chosen = set(estimate_bits(attributes).attributes)  # raises for unknown names
        self.checkboxes = {
            name: widgets.Checkbox(
                value=name in chosen,
                description=_checkbox_label(name),
                indent=False,
                layout=widgets.Layout(width="24em"),
            )
            for name in sorted(FIGURES, key=lambda n: -FIGURES[n].bits)
        }
        self.population = widgets.FloatLogSlider(
            value=min(
                max(population, 10.0**MIN_POPULATION_EXPONENT), 10.0**MAX_POPULATION_EXPONENT
            ),
            base=10,
            min=MIN_POPULATION_EXPONENT,
            max=MAX_POPULATION_EXPONENT,
            step=0.1,
            description="Browsers",
            readout_format=".2g",
            continuous_update=False,
            layout=widgets.Layout(width="32em"),
        )
        self.population_text = widgets.Text(
            value=format_count(population),
            description="or type",
            placeholder="8.2 billion",
            continuous_update=False,
            layout=widgets.Layout(width="20em"),
        )
        self.error = widgets.HTML()
        self.summary = widgets.HTML()
        self.caveat = widgets.HTML(
            f'<div style="font-size:90%;color:{GREY_33}">&#9888; {escape(INDEPENDENCE_NOTE)}</div>'
        )
        self.plot = widgets.Output()
        self.estimate: EntropyEstimate | None = None
        self.result: CrowdEstimate | None = None
        self._syncing = False
        grid = widgets.GridBox(
            list(self.checkboxes.values()),
            layout=widgets.Layout(grid_template_columns="repeat(2, 24em)"),
        )
        super().__init__(
            [
                widgets.HTML("<b>Attributes a site can read</b> (published entropy, source)"),
                grid,
                self.population,
                self.population_text,
                self.error,
                self.summary,
                self.caveat,
                self.plot,
            ]
        )
        for box in self.checkboxes.values():
            box.observe(self._on_change, names="value")
        self.population.observe(self._on_slider, names="value")
        self.population_text.observe(self._on_text, names="value")
        self._typed: float | None = population
        self.update()

    @property
    def selected(self) -> tuple[str, ...]:
        """The ticked attributes, most identifying first."""
        return tuple(name for name, box in self.checkboxes.items() if box.value)

    def _on_slider(self, _change: Any = None) -> None:
        if self._syncing:
            return
        self._typed = None
        self._syncing = True
        try:
            value = number("population", self.population.value, 1)
            self.population_text.value = format_count(value)
        except ValueError as problem:  # NaN set from code: the slider itself takes it
            self.clear(str(problem))
            return
        finally:
            self._syncing = False
        self.update()

    def _on_text(self, _change: Any = None) -> None:
        if self._syncing:
            return
        try:
            value = parse_population(self.population_text.value)
        except ValueError as problem:
            self.clear(str(problem))
            return
        self._typed = value
        self._syncing = True
        try:  # the slider follows as far as its range goes
            self.population.value = _clamp(value)
        finally:
            self._syncing = False
        self.update()

    def clear(self, message: str) -> None:
        """No estimate: the error shown, the summary and the picture cleared."""
        self.estimate = None
        super().clear(message)

    def compute(self) -> CrowdEstimate:
        """The ticked attributes' bits (kept in ``estimate``) in the chosen population."""
        population = self._typed if self._typed is not None else self.population.value
        estimate = estimate_bits(self.selected)
        result = crowd(estimate, population)
        self.estimate = estimate
        return result

    def render(self, result: CrowdEstimate) -> None:
        """The summary table and the anonymity-set picture (drawn where it shows)."""
        assert self.estimate is not None  # compute() set it
        self.summary.value = summary_html(self.estimate, result)
        show_figure(  # drawn only where it shows
            self.plot,
            lambda: anonymity_figure(result.bits, result.population, compare=(10, 20, 30)),
        )


def summary_html(estimate: EntropyEstimate, result: CrowdEstimate) -> str:
    """The calculator's answer as a small HTML table (every value escaped)."""
    if not estimate.attributes:
        verdict = "No attribute ticked: every browser looks the same."
    elif result.singled_out:
        verdict = (
            f"Enough to expect you to be alone among {format_count(result.population)} browsers "
            f"(needs {result.bits_to_single_out:.1f} bits)."
        )
    else:
        verdict = (
            f"Not enough to single you out among {format_count(result.population)} browsers "
            f"(that needs {result.bits_to_single_out:.1f} bits)."
        )
    rows = (
        ("Identifying information (upper bound)", f"{result.bits:.2f} bits"),
        ("At best one browser in", format_count(result.one_in)),
        ("Expected browsers sharing your fingerprint", format_count(result.anonymity_set)),
        ("Chance nobody else has it (uniform model)", f"{result.unique_probability:.1%}"),
    )
    table = html_table(
        [cell(escape(label), style=LABEL_STYLE, header=True), cell(f"<code>{escape(value)}</code>")]
        for label, value in rows
    )
    return f"{table}<p>{escape(verdict)}</p>"


def make_entropy_calculator_ui(
    attributes: Iterable[str] = DEFAULT_ATTRIBUTES, population: float = 1e6
) -> EntropyCalculator:
    """Build the fingerprint entropy calculator (returned, not displayed).

    Parameters
    ----------
    attributes : iterable of str, optional
        Attributes ticked at the start (names from
        :data:`cloudlab.web.fingerprint.FIGURES`).
    population : float, default 1e6
        Number of browsers at the start.

    Returns
    -------
    EntropyCalculator
        A VBox; its ``result`` is the current
        :class:`~cloudlab.web.fingerprint.CrowdEstimate`.

    Raises
    ------
    ValueError
        For an unknown attribute name or a population below one.
    """
    start = crowd(0, population)  # a population below one browser stops here
    return EntropyCalculator(attributes, start.population)
