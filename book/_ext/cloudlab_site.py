"""Sphinx extension: keep the built pages free of third-party requests and console errors.

Jupyter Book 1 always loads ``sphinx_thebe``. Thebe runs code cells in the page by
fetching its runtime from a public CDN, so this book turns it off (the Binder launch
button remains). With thebe off, sphinx_thebe still adds its loader and an
inline ``const THEBE_JS_URL`` declaration to every page, and adds the declaration twice,
which the browser reports as a SyntaxError. This extension drops those assets from each
page when thebe is not enabled.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

_THEBE_MARKERS = ("THEBE_JS_URL", "sphinx-thebe", "thebe@")


def _is_thebe_asset(asset: Any) -> bool:
    text = " ".join(
        str(part) for part in (getattr(asset, "filename", ""), asset.attributes.get("body", ""))
    )
    return any(marker in text for marker in _THEBE_MARKERS)


def _thebe_enabled(app: Sphinx) -> bool:
    options = app.config.html_theme_options or {}
    return bool(options.get("launch_buttons", {}).get("thebe"))


def _drop_thebe_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if _thebe_enabled(app):
        return
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe_asset(asset)]


def setup(app: Sphinx) -> dict[str, Any]:
    # Late priority: run after every other handler has added its assets.
    app.connect("html-page-context", _drop_thebe_assets, priority=900)
    app.setup_extension("cloudlab_execute")
    app.setup_extension("cloudlab_live")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
