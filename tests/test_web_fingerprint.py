"""Fingerprint entropy: published bits, "1 in N", anonymity sets, uniqueness, measured entropy.

Expected values are worked out by hand in the comments, not copied from the code.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from cloudlab.web import fingerprint as fp
from cloudlab.web.labapp import APP_DIR

# --- where the figures come from ---------------------------------------------------------


def test_figures_are_the_lab_apps_own_module() -> None:
    from flask_app import entropy

    assert Path(entropy.__file__) == APP_DIR / "flask_app" / "entropy.py"
    assert fp.FIGURES is entropy.FIGURES


def test_figures_match_the_papers() -> None:
    # Eckersley 2010, Table 1; Laperdrix et al. 2016, attribute table.
    assert fp.FIGURES["user_agent"].bits == 10.0
    assert fp.FIGURES["timezone"].bits == 3.04
    assert fp.FIGURES["canvas"].bits == 8.28
    assert fp.FIGURES["canvas"].source == "laperdrix2016"
    assert set(fp.SOURCES) == {"eckersley2010", "laperdrix2016"}


def test_no_figure_is_copied_into_this_package() -> None:
    source = Path(fp.__file__).read_text()
    for figure in fp.FIGURES.values():
        assert not re.search(rf"(?<![\d.]){re.escape(str(figure.bits))}(?![\d])", source), (
            figure.attribute
        )


# --- published bits ------------------------------------------------------------------------


def test_bits_add_up_as_an_upper_bound() -> None:
    estimate = fp.estimate_bits(["user_agent", "timezone"])
    assert estimate.bits == 13.04  # 10.0 + 3.04
    assert estimate.per_attribute == (
        ("user_agent", 10.0, "eckersley2010"),
        ("timezone", 3.04, "eckersley2010"),
    )
    assert estimate.upper_bound is True
    assert "upper bound" in estimate.note
    assert estimate.sources == ("eckersley2010",)


def test_mixed_sources_and_repeats() -> None:
    estimate = fp.estimate_bits(["canvas", "screen", "canvas"])
    assert estimate.attributes == ("canvas", "screen")
    assert estimate.bits == 13.11  # 8.28 + 4.83
    assert estimate.sources == ("laperdrix2016", "eckersley2010")


def test_one_name_as_a_string_and_the_empty_selection() -> None:
    assert fp.estimate_bits("fonts").bits == 13.9
    empty = fp.estimate_bits([])
    assert empty.bits == 0
    assert empty.one_in == 1


def test_unknown_attribute_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'shoe_size': no published entropy figure; choose from"):
        fp.estimate_bits(["user_agent", "shoe_size"])


# --- bits in a crowd -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bits", "expected"),
    [(0, 1), (1, 2), (10, 1024), (18.1, 2**18.1)],
)
def test_one_in_n(bits: float, expected: float) -> None:
    assert fp.one_in(bits) == pytest.approx(expected)


def test_eckersleys_one_in_286777() -> None:
    # The abstract's "one in 286,777" is 2**18.13; the paper rounds the bits to 18.1.
    assert math.log2(286_777) == pytest.approx(18.13, abs=0.005)
    assert fp.one_in(18.1) == pytest.approx(286_777, rel=0.025)


@pytest.mark.parametrize(
    ("bits", "population", "expected"),
    [
        (10, 1_000_000, 976.5625),  # 1,000,000 / 1024
        (0, 5_000, 5_000),  # no information: everyone shares
        (20, 1_000, 1),  # 1000 / 2**20 < 1: floored at yourself
        (3, 8, 1),  # exactly one per fingerprint
    ],
)
def test_anonymity_set(bits: float, population: float, expected: float) -> None:
    assert fp.anonymity_set(bits, population) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("bits", "population", "expected"),
    [
        (1, 2, 0.5),  # the other browser misses yours with p = 1/2
        (2, 3, 0.5625),  # (3/4) ** 2
        (5, 1, 1.0),  # nobody else
        (0, 2, 0.0),  # everybody has the same fingerprint
        (10, 1025, (1023 / 1024) ** 1024),
    ],
)
def test_unique_probability(bits: float, population: float, expected: float) -> None:
    assert fp.unique_probability(bits, population) == pytest.approx(expected, rel=1e-12)


def test_unique_probability_stays_precise_for_huge_populations() -> None:
    # (1 - 2**-33) ** (8.2e9 - 1) ~ exp(-(8.2e9 - 1) / 2**33) ~ 0.385
    value = fp.unique_probability(33, 8.2e9)
    assert value == pytest.approx(math.exp(-(8.2e9 - 1) / 2**33), rel=1e-6)
    assert 0.38 < value < 0.39


def test_bits_to_single_out() -> None:
    assert fp.bits_to_single_out(1024) == 10
    assert fp.bits_to_single_out(1) == 0
    assert fp.bits_to_single_out(8.2e9) == pytest.approx(32.93, abs=0.01)


def test_crowd_takes_bits_or_an_estimate() -> None:
    estimate = fp.estimate_bits(["user_agent"])
    assert fp.crowd(estimate, 1_000_000) == fp.crowd(10.0, 1_000_000)
    result = fp.crowd(10, 1_000_000)
    assert result.one_in == 1024
    assert result.anonymity_set == 976.5625
    assert result.bits_to_single_out == pytest.approx(19.93, abs=0.01)
    assert not result.singled_out
    assert fp.crowd(20, 1_000_000).singled_out


@pytest.mark.parametrize(
    ("bits", "population", "message"),
    [
        (-1, 100, "bits=-1: must be a finite number, zero or more"),
        (math.nan, 100, "bits=nan"),
        (math.inf, 100, "bits=inf"),
        ("ten", 100, "bits='ten': must be a number of bits"),
        (True, 100, "bits=True"),
        (10, 0, "population=0: there must be at least one browser"),
        (10, -5, "population=-5: there must be at least one browser"),
        (10, 0.5, "population=0.5"),
        (10, math.inf, "population=inf: must be a finite number"),
        (10, "many", "population='many': must be a number of browsers"),
    ],
)
def test_bad_bits_and_populations(bits: object, population: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        fp.crowd(bits, population)  # type: ignore[arg-type]  # the wrong type is the test


def test_each_function_checks_its_input() -> None:
    with pytest.raises(ValueError, match="bits"):
        fp.one_in(-0.5)
    with pytest.raises(ValueError, match="population"):
        fp.anonymity_set(3, 0)
    with pytest.raises(ValueError, match="population"):
        fp.unique_probability(3, -2)
    with pytest.raises(ValueError, match="population"):
        fp.bits_to_single_out(0)


# --- measured entropy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", "b"], 1.0),
        (["a", "a", "a", "a"], 0.0),
        (["a", "a", "b", "c"], 1.5),  # 1/2*1 + 1/4*2 + 1/4*2
        (list("abcdefgh"), 3.0),
        ([], 0.0),
    ],
)
def test_shannon_entropy(values: list[str], expected: float) -> None:
    assert fp.shannon_entropy(values) == pytest.approx(expected)


def test_perfectly_correlated_attributes_share_their_bit() -> None:
    seen = [
        {"user_agent": "iPhone Safari", "platform": "iPhone"},
        {"user_agent": "iPhone Safari", "platform": "iPhone"},
        {"user_agent": "Windows Chrome", "platform": "Win32"},
        {"user_agent": "Windows Chrome", "platform": "Win32"},
    ]
    measured = fp.measure_entropy(seen)
    assert measured.per_attribute == {"user_agent": 1.0, "platform": 1.0}
    assert measured.sum_of_parts == 2.0
    assert measured.joint == 1.0  # the platform adds nothing once the user agent is known
    assert measured.shared == 1.0
    assert (measured.count, measured.distinct, measured.unique) == (4, 2, 0)
    assert measured.max_bits == 2.0


def test_independent_attributes_add_up() -> None:
    seen = [
        {"screen": screen, "timezone": zone}
        for screen in ("1920x1080", "1366x768")
        for zone in ("UTC", "Europe/Paris")
    ]
    measured = fp.measure_entropy(seen)
    assert measured.joint == pytest.approx(2.0)
    assert measured.sum_of_parts == pytest.approx(2.0)
    assert measured.shared == pytest.approx(0.0)
    assert measured.unique == 4
    assert measured.unique_share == 1.0


def test_partly_correlated_joint_is_below_the_sum() -> None:
    seen = [
        {"device": "phone", "touch": 5},
        {"device": "phone", "touch": 5},
        {"device": "laptop", "touch": 0},
        {"device": "laptop", "touch": 10},  # a touch-screen laptop
    ]
    measured = fp.measure_entropy(seen)
    # device: 1 bit; touch: values 5,5,0,10 -> 1.5 bits; joint: same split as touch -> 1.5
    assert measured.per_attribute["device"] == 1.0
    assert measured.per_attribute["touch"] == 1.5
    assert measured.joint == 1.5
    assert measured.joint < measured.sum_of_parts


def test_lists_missing_values_and_a_chosen_subset() -> None:
    seen = [
        {"languages": ["en-GB", "en"], "timezone": "UTC"},
        {"languages": ["en-GB", "en"]},  # timezone missing: counts as None
        {"languages": ["fr-FR"], "timezone": "UTC"},
        {"languages": ["fr-FR"], "timezone": "UTC"},
    ]
    measured = fp.measure_entropy(seen, ["languages"])
    assert measured.attributes == ("languages",)
    assert measured.joint == 1.0
    both = fp.measure_entropy(seen)
    assert both.per_attribute["timezone"] == pytest.approx(0.8113, abs=1e-4)  # 1/4 vs 3/4
    assert both.distinct == 3


@pytest.mark.parametrize(
    ("data", "attributes", "message"),
    [
        ([], None, "no fingerprints"),
        ({"user_agent": "x"}, None, "give a list of fingerprints"),
        ("user_agent", None, "give a list of fingerprints"),
        ([{"a": 1}, 7], None, "fingerprint 1 is a int, not a dict"),
        ([{"a": 1}], ["b"], "'b': in none of the 1 fingerprints"),
        ([{}, {}], None, "no attributes to measure"),
    ],
)
def test_measure_entropy_bad_input(data: object, attributes: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        fp.measure_entropy(data, attributes)  # type: ignore[arg-type]  # the wrong type is the test


def test_example_population_is_reproducible_and_correlated() -> None:
    first = fp.example_fingerprints(500, seed=3)
    assert first == fp.example_fingerprints(500, seed=3)
    assert first != fp.example_fingerprints(500, seed=4)
    measured = fp.measure_entropy(first)
    assert measured.count == 500
    assert measured.joint < measured.sum_of_parts - 3  # device kind drives four attributes
    # the platform is decided by the user agent: together they add nothing to it
    pair = fp.measure_entropy(first, ["user_agent", "platform"])
    assert pair.joint == pytest.approx(pair.per_attribute["user_agent"])


@pytest.mark.parametrize("count", [0, -1, 1_000_001, 2.5, True])
def test_example_population_size_is_checked(count: object) -> None:
    with pytest.raises(ValueError, match="between 1 and 1,000,000"):
        fp.example_fingerprints(count)  # type: ignore[arg-type]  # the wrong type is the test
