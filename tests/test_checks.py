"""The one home of input checks (cloudlab.checks): each helper's answer and its one-line refusal."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cloudlab import checks


def test_number_accepts_infinities_only_when_asked():
    assert checks.number("out_until_s", -math.inf, infinite=True) == -math.inf
    with pytest.raises(ValueError, match=r"^out_until_s=-inf: expected a finite number$"):
        checks.number("out_until_s", -math.inf)
    with pytest.raises(ValueError, match="expected a finite number"):
        checks.number("out_until_s", math.nan, infinite=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, 2.0), (2.5, 2.5), (np.int64(3), 3.0), (None, None), ("2", None), (True, None),
     (math.nan, None), (math.inf, None), (10**400, None), ([1], None)],
)  # fmt: skip
def test_finite_reads_a_number_or_says_none(value, expected):
    assert checks.finite(value) == expected


def test_show_is_one_short_line():
    assert checks.show("a\nb") == "'a\\nb'"
    assert checks.show(10**400) == "1" + "0" * 36 + "..."


def test_instance_names_the_input_and_the_kind():
    assert checks.instance("n", 3, int) == 3
    with pytest.raises(ValueError, match=r"^workload=None: expected a dict$"):
        checks.instance("workload", None, dict)
    with pytest.raises(ValueError, match="expected a class"):
        checks.instance("workload", None, "dict")  # type: ignore[arg-type]  # a wrong kind on purpose


def test_text_and_items_refuse_the_wrong_kind():
    assert checks.text("reply", "ok") == "ok"
    with pytest.raises(ValueError, match=r"^reply=\['x'\]: expected text$"):
        checks.text("reply", ["x"])
    assert checks.items("networks", ("a", "b")) == ["a", "b"]
    for wrong in ("10.0.0.0/8", {"a": 1}, None, 5):
        with pytest.raises(ValueError, match="expected a list"):
            checks.items("networks", wrong)
    with pytest.raises(ValueError, match="3 items is too many"):
        checks.items("networks", [1, 2, 3], most=2)


def test_series_names_the_first_item_that_fails():
    assert checks.series("requests", np.array([1, 2]), integers=True) == [1, 2]
    with pytest.raises(ValueError, match=r"^requests\[1\]='x': expected a whole number$"):
        checks.series("requests", [1, "x"], integers=True)
    with pytest.raises(ValueError, match=r"^metrics\[0\]=nan: expected a finite number$"):
        checks.series("metrics", [math.nan])


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("10.0.0.0/33", "10.0.0.0/33"), ("", ""), ("0\n0", "'0\\n0'"), ("\r", "'\\r'"),
     ("a\x1eb", "'a\\x1eb'")],
)  # fmt: skip
def test_one_line_quotes_only_what_would_break_the_line(typed, shown):
    assert checks.one_line(typed) == shown
    assert len(f"{checks.one_line(typed)}: message".splitlines()) == 1


def test_parsers_keep_a_typed_line_break_out_of_the_message():
    from cloudlab.net.addresses import parse_network
    from cloudlab.vpc.firewall import parse_protocol
    from cloudlab.vpc.routes import parse_route

    for call in (
        lambda: parse_network("10.0.0.0\n/8"),
        lambda: parse_protocol("tcp\x1eudp"),
        lambda: parse_route("0.0.0.0/0\rigw\rx"),
    ):
        with pytest.raises(ValueError, match=r"\A[^\n\r\x1e]*\Z"):
            call()
