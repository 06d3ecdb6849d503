"""The cited entropy table, as data the book can reuse."""

from __future__ import annotations

import math

import pytest

from flask_app.entropy import (
    BITS,
    FIGURES,
    INDEPENDENCE_NOTE,
    LATER_FIGURES,
    SAMPLE_SIZES,
    SOURCES,
    anonymity_set,
    estimate_bits,
)


def test_every_figure_is_cited_and_plausible():
    for name, figure in (FIGURES | LATER_FIGURES).items():
        assert figure.attribute == name
        assert figure.source in SOURCES
        # no sample of N browsers can show more than log2(N) bits
        assert 0 < figure.bits <= math.log2(SAMPLE_SIZES[figure.source])


def test_bits_mirror_figures():
    assert {name: figure.bits for name, figure in FIGURES.items()} == BITS
    assert BITS["user_agent"] == 10.0
    assert BITS["canvas"] == 8.28
    assert FIGURES["timezone"].to_dict()["source"] == "eckersley2010"


def test_the_page_attributes_with_figures():
    page_attributes = {
        "user_agent",
        "languages",
        "timezone",
        "screen",
        "platform",
        "canvas",
        "cookies_enabled",
        "do_not_track",
        "plugins",
        "webgl_vendor",
        "webgl_renderer",
    }
    assert page_attributes <= set(FIGURES)


def test_estimate_sums_known_attributes_and_flags_unknown():
    estimate = estimate_bits(["user_agent", "timezone", "hardware_concurrency", "timezone"])
    assert estimate.total == pytest.approx(13.04)
    assert estimate.attributes["hardware_concurrency"] == {"bits": None, "source": None}
    assert estimate.attributes["user_agent"] == {"bits": 10.0, "source": "eckersley2010"}
    data = estimate.to_dict()
    assert data["total_is_upper_bound"] is True
    assert data["note"] == INDEPENDENCE_NOTE
    assert "independent" in INDEPENDENCE_NOTE


def test_estimate_of_nothing_is_zero():
    assert estimate_bits([]).total == 0.0


@pytest.mark.parametrize(
    ("bits", "population", "expected"),
    [(0, 1000, 1000), (10, 1024, 1), (1, 1000, 500), (40, 8e9, 1)],
)
def test_anonymity_set(bits, population, expected):
    assert anonymity_set(bits, population) == pytest.approx(expected)


@pytest.mark.parametrize(("bits", "population"), [(-1, 10), (float("nan"), 10), (1, 0)])
def test_anonymity_set_rejects_nonsense(bits, population):
    with pytest.raises(ValueError, match="must be"):
        anonymity_set(bits, population)
