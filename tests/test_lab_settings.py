"""`make lab`'s JupyterLab defaults (tools/jupyterlab/overrides.json) name real settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "tools" / "jupyterlab" / "overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_every_override_is_a_setting_of_the_installed_jupyterlab() -> None:
    for plugin, values in json.loads(OVERRIDES.read_text()).items():
        package, _, name = plugin.partition(":")
        schema = json.loads((SCHEMAS / package / f"{name}.json").read_text())
        for key, value in values.items():
            spec = schema["properties"][key]  # KeyError: no such setting
            allowed = [choice["const"] for choice in spec.get("oneOf", [])]
            assert not allowed or value in allowed, (plugin, key, value, allowed)
            assert spec.get("default") != value, f"{plugin} {key}: already the default"


def test_no_news_and_no_update_check() -> None:
    notification = json.loads(OVERRIDES.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
