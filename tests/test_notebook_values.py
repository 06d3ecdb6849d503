"""tools/notebook_values.py: what differs between two runs is normalised; a changed value is not."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "tools" / "notebook_values.py"
_SPEC = importlib.util.spec_from_file_location("notebook_values", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
nv = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(nv)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("listening on 127.0.0.1:50123", "listening on 127.0.0.1:41999"),
        ("vpc-0a1b2c3d4e5f60718 made", "vpc-99999999aaaaaaaaa made"),
        ("session ySVvNhMLZifBMHfBVw-LYQ", "session H79T-_3ubtlkzBHnEvrbbA"),
        ("2400:6500:ac08:1c02::/64   AZ a", "2400:6500:fb29:e02::/64  AZ a"),
    ],
)
def test_what_varies_between_runs_is_normalised(one: str, other: str) -> None:
    assert nv.normalise(one) == nv.normalise(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Connected over IPv6 after 50 ms.", "Connected over IPv6 after 300 ms."),
        ("2400:6500:ac08:1c02::/64", "2400:6500:ac08:1c03::/64"),  # another /64
        ("Served 9,000 of 9,001 requests", "Served 9,001 of 9,001 requests"),
    ],
)
def test_values_are_not_normalised_away(one: str, other: str) -> None:
    assert nv.normalise(one) != nv.normalise(other)


def _record(tmp_path: Path, name: str, cells: list[list[str]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"x.ipynb": cells}))
    return path


def test_compare_counts_changed_cells_and_marks_those_that_vary(tmp_path: Path, capsys) -> None:
    before = _record(tmp_path, "a.json", [["stdout: 1"], ["stdout: a", "stdout: b"], ["t: 5"]])
    after = _record(tmp_path, "b.json", [["stdout: 2"], ["stdout: ab"], ["t: 6"]])
    again = _record(tmp_path, "c.json", [["stdout: 1"], ["stdout: a"], ["t: 7"]])
    assert nv.compare(before, after) == 1
    assert capsys.readouterr().out.endswith("2 cells differ\n")  # stream pieces merged
    assert nv.compare(before, after, again) == 1  # cell 1 changed and does not vary
    out = capsys.readouterr().out
    assert "x.ipynb cell 3: (varies between runs)" in out
    assert out.endswith("2 cells differ (1 of them vary between runs)\n")
    assert nv.compare(before, before) == 0
