"""The fingerprint entropy calculator widget: set values, read the model and the labels."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from cloudlab.widgets.fingerprint import (
    DEFAULT_ATTRIBUTES,
    anonymity_figure,
    format_count,
    make_entropy_calculator_ui,
    parse_population,
)


@pytest.fixture
def calc():
    return make_entropy_calculator_ui()


def test_starts_with_the_default_selection(calc) -> None:
    assert set(calc.selected) == set(DEFAULT_ATTRIBUTES)
    # user agent 10 + screen 4.83 + time zone 3.04 + languages 5.92
    assert calc.result.bits == pytest.approx(23.79)
    assert calc.result.population == 1_000_000
    assert calc.result.anonymity_set == 1.0  # 10**6 / 2**23.79 < 1
    assert "23.79 bits" in calc.summary.value
    assert "Enough to expect you to be alone" in calc.summary.value
    assert calc.error.value == ""


def test_each_checkbox_shows_its_bits_and_source(calc) -> None:
    assert calc.checkboxes["user_agent"].description == "User agent (10 bits, eckersley2010)"
    assert calc.checkboxes["canvas"].description == "Canvas (8.28 bits, laperdrix2016)"
    assert "upper bound" in calc.caveat.value


def test_ticking_canvas_adds_its_bits(calc) -> None:
    calc.checkboxes["canvas"].value = True
    assert calc.result.bits == pytest.approx(32.07)  # 23.79 + 8.28
    assert "canvas" in calc.estimate.attributes
    calc.checkboxes["canvas"].value = False
    assert calc.result.bits == pytest.approx(23.79)


def test_nothing_ticked_means_everyone_looks_the_same(calc) -> None:
    for box in calc.checkboxes.values():
        box.value = False
    assert calc.result.bits == 0
    assert calc.result.anonymity_set == calc.result.population
    assert calc.result.unique_probability == 0.0
    assert "every browser looks the same" in calc.summary.value


def test_only_the_user_agent_in_a_million(calc) -> None:
    for name, box in calc.checkboxes.items():
        box.value = name == "user_agent"
    assert calc.result.one_in == 1024
    assert calc.result.anonymity_set == pytest.approx(976.5625)  # 10**6 / 2**10
    assert "976.6" in calc.summary.value
    assert "Not enough to single you out" in calc.summary.value


def test_the_slider_sets_the_population_and_the_text(calc) -> None:
    calc.population.value = 1e9
    assert calc.result.population == pytest.approx(1e9)
    assert calc.population_text.value == "1,000,000,000"
    # 10**9 / 2**23.79 = 68.9 browsers share the fingerprint
    assert calc.result.anonymity_set == pytest.approx(1e9 / 2**23.79)
    assert "68.9" in calc.summary.value


def test_typing_a_population_moves_the_slider(calc) -> None:
    calc.population_text.value = "8.2 billion"
    assert calc.result.population == 8.2e9
    assert calc.population.value == pytest.approx(8.2e9)


def test_typed_population_beyond_the_slider_still_counts(calc) -> None:
    calc.population_text.value = "2e12"
    assert calc.result.population == 2e12
    assert calc.population.value == pytest.approx(1e10)  # the slider stops at its end
    calc.population_text.value = "50"
    assert calc.result.population == 50
    assert calc.population.value == pytest.approx(1e3)


def test_a_bad_population_is_one_escaped_line_then_clears(calc) -> None:
    calc.population_text.value = "<b>lots</b>"
    assert calc.result is None
    assert calc.summary.value == ""
    assert "&lt;b&gt;lots&lt;/b&gt;" in calc.error.value
    assert "<b>" not in calc.error.value
    assert "\n" not in calc.error.value
    calc.population_text.value = "0.5"
    assert "at least one browser" in calc.error.value
    calc.population_text.value = "1000"
    assert calc.error.value == ""
    assert calc.result.population == 1000


def test_builder_rejects_unknown_attributes_and_empty_crowds() -> None:
    with pytest.raises(ValueError, match="shoe_size"):
        make_entropy_calculator_ui(["shoe_size"])
    with pytest.raises(ValueError, match="at least one browser"):
        make_entropy_calculator_ui(population=0)


def test_builder_start_values() -> None:
    calc = make_entropy_calculator_ui(["fonts", "plugins"], population=5e7)
    assert calc.selected == ("plugins", "fonts")  # most identifying first
    assert calc.result.bits == pytest.approx(29.3)
    assert calc.result.population == 5e7


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1000000", 1e6),
        ("1,000,000", 1e6),
        ("1_000_000", 1e6),
        ("1e6", 1e6),
        ("2.5 million", 2.5e6),
        ("8.2 billion", 8.2e9),
        (" 40k ", 4e4),
    ],
)
def test_parse_population(text: str, value: float) -> None:
    assert parse_population(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("banana", "type a number of browsers"),
        ("", "type a number of browsers"),
        ("1..2", "type a number of browsers"),
        ("3 dozen", "type a number of browsers"),
        ("-5", "at least one browser"),
        ("1e400", "too many browsers"),
    ],
)
def test_parse_population_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_population(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (976.5625, "976.6"), (14_504_527.87, "14,504,528"), (3.2e15, "3.2 × 10¹⁵")],
)
def test_format_count(value: float, text: str) -> None:
    assert format_count(value) == text


def test_anonymity_figure_marks_the_population() -> None:
    fig = anonymity_figure(20, 1e8, compare=(10, 30))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    marker = next(line for line in ax.lines if line.get_marker() == "o")
    assert marker.get_xdata()[0] == 1e8
    assert marker.get_ydata()[0] == pytest.approx(1e8 / 2**20)
    assert ax.get_xlim() == pytest.approx((1e3, 1e10))


def test_anonymity_figure_widens_for_a_population_off_the_slider() -> None:
    ax = anonymity_figure(10, 5e11).axes[0]
    assert ax.get_xlim()[1] == pytest.approx(5e11)
