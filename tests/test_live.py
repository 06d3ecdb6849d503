"""cloudlab.live natively: the form-to-command-line mapping, and what the browser bundle holds.

The browser side (Pyodide in headless Chromium) is tested in tests/site/test_live.py.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cloudlab.live import BROWSER_MODULES, CALCULATORS, argv_for, form_html, run
from cloudlab.web import fingerprint
from cloudlab.web.fingerprint_data import load_bundled

ROOT = Path(__file__).resolve().parents[1]


def _build_tool():
    spec = importlib.util.spec_from_file_location("build_live", ROOT / "tools" / "build_live.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_browser_modules_import_without_numpy_matplotlib_ipywidgets_or_flask(
    tmp_path: Path,
) -> None:
    # A native first line of defence; the site test imports them inside Pyodide itself.
    code = (
        "import sys\n"
        "for name in ('numpy', 'matplotlib', 'ipywidgets', 'IPython', 'flask', 'flask_app',"
        " 'boto3', 'botocore'):\n"
        "    sys.modules[name] = None\n"
        "sys.platform = 'emscripten'\n"
        "import importlib\n"
        f"for name in {list(BROWSER_MODULES)!r}:\n"
        "    importlib.import_module(name)\n"
    )
    bundle = tmp_path / "cloudlab.zip"
    _build_tool().build_bundle(bundle)
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(bundle)!r})\n" + code],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_bundled_entropy_figures_are_the_labs(tmp_path: Path) -> None:
    path = tmp_path / "entropy_figures.json"
    path.write_text(_build_tool().entropy_json())
    bundled = load_bundled(path)
    assert {k: v.bits for k, v in bundled.FIGURES.items()} == {
        k: v.bits for k, v in fingerprint.FIGURES.items()
    }
    assert {k: v.source for k, v in bundled.LATER_FIGURES.items()} == {
        k: v.source for k, v in fingerprint.LATER_FIGURES.items()
    }
    assert dict(fingerprint.SAMPLE_SIZES) == bundled.SAMPLE_SIZES
    assert bundled.INDEPENDENCE_NOTE == fingerprint.INDEPENDENCE_NOTE


def test_fields_become_the_command_line() -> None:
    assert argv_for("ip", {"address": " 10.0.0.1/8 "}) == ["ip", "10.0.0.1/8", "--json"]
    assert argv_for(
        "split", {"network": "10.0.0.0/22", "hosts": "500,60", "prefix": "", "aws": "on"}
    ) == ["split", "10.0.0.0/22", "--hosts", "500,60", "--aws", "--json"]
    assert argv_for("cost", {"traffic_gb": "5", "extended": ""}) == [
        "cost",
        "--traffic-gb",
        "5",
        "--json",
    ]
    with pytest.raises(ValueError, match="no live calculator named 'nope'"):
        argv_for("nope", {})


def test_run_gives_the_cli_json_or_its_one_line_message() -> None:
    ok = run("ip", {"address": "::ffff:10.0.0.1"})
    assert json.loads(ok["result"])["address"] == "::ffff:10.0.0.1"  # the same on 3.11 and 3.14
    assert ok["error"] is None
    bad = run("split", {"network": "10.0.0.0/24", "prefix": "20"})
    assert bad["result"] is None
    assert bad["view"] == ""
    assert "\n" not in bad["error"]
    assert bad["error"]


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_every_form_labels_its_inputs(name: str) -> None:
    markup = form_html(name, f"live-{name}-1", {})
    for field in CALCULATORS[name].fields:
        if f'name="{field}"' in markup:
            assert f'for="live-{name}-1-{field}"' in markup
    assert 'role="alert"' in markup
    assert "aria-live" in markup
    assert "<output data-result" in markup


@pytest.mark.parametrize("name", ["plan", "split", "route", "flow", "cost", "race"])
def test_each_answer_cell_is_labelled_with_its_column(name: str) -> None:
    from html.parser import HTMLParser

    fields = {"split": {"network": "10.0.0.0/22", "hosts": "500,120"}}.get(name, {})
    view = run(name, fields)["view"]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[dict] = []
            self.tag = ""

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.tag, a = tag, dict(attrs)
            if tag == "table" and "cl-live-stack" in a.get("class", ""):
                self.tables.append({"role": a.get("role"), "head": [], "cells": []})
            elif self.tables and tag in ("tr", "th", "td"):
                want = {"tr": "row", "th": "columnheader", "td": "cell"}[tag]
                assert a.get("role") == want, (tag, a)
                if tag == "td":
                    self.tables[-1]["cells"].append(a.get("data-label"))
                if tag == "th":
                    self.tables[-1]["head"].append("")

        def handle_data(self, data: str) -> None:
            if self.tag == "th" and self.tables:
                self.tables[-1]["head"][-1] += data

    cells = Cells()
    cells.feed(view)
    assert cells.tables, view[:200]
    for table in cells.tables:
        assert table["role"] == "table"
        width = len(table["head"])
        assert width
        assert len(table["cells"]) % width == 0
        rows = [table["cells"][i : i + width] for i in range(0, len(table["cells"]), width)]
        assert all(row == table["head"] for row in rows)
