"""Sphinx extension: keep the built pages free of third-party requests and console errors.

Jupyter Book 1 always loads ``sphinx_thebe``. Thebe runs code cells in the page by
fetching its runtime from a public CDN, so this book turns it off (the Binder launch
button remains). With thebe off, sphinx_thebe still adds its loader and an
inline ``const THEBE_JS_URL`` declaration to every page, and adds the declaration twice,
which the browser reports as a SyntaxError. This extension drops those assets from each
page when thebe is not enabled.

It also corrects the theme where axe-core's WCAG 2.1 A/AA rules find a fault (checked on
every page by tests/site/test_accessibility.py):

- one search box: pydata-sphinx-theme puts a search field in the header (twice: desktop and
  mobile) and sphinx-book-theme another in the sidebar; the header's go, the sidebar's stays
  (and the article header's search icon for narrow screens);
- the theme's search field and colour-mode button, whose accessible names differed from their
  visible text, come from corrected copies in ``book/_templates``;
- the theme's icons come from ``book/_assets/icons.css`` (tools/icons_css.py) instead of
  Font Awesome's 1.5 MB script and its fonts (``book/_templates/static/webpack-macros.html``);
  ``book/_assets/cloudlab.css`` keeps keyboard focus visible;
- sphinxcontrib-bibtex marks each bibliography entry ``role="doc-biblioentry"``, a role
  ARIA 1.2 deprecates, inside a ``role="list"`` that then has no list items: each entry
  becomes a ``listitem``;
- a folded cell's ``<summary>`` is named by its visible text, not "Toggle hidden content".
"""

from __future__ import annotations

from pathlib import Path
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


TEMPLATES = Path(__file__).resolve().parent.parent / "_templates"


def _correct_theme(app: Sphinx, config: Any) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    options = dict(config.html_theme_options or {})
    options["navbar_persistent"] = []
    config.html_theme_options = options


def _correct_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        body = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
        # myst-nb names a folded cell's <summary> "Toggle hidden content", which a speech
        # user cannot say: its visible text ("Show code cell source") names it instead.
        context["body"] = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _correct_theme)
    app.add_css_file("icons.css")
    app.add_css_file("cloudlab.css")
    app.connect("html-page-context", _correct_body)
    # Late priority: run after every other handler has added its assets.
    app.connect("html-page-context", _drop_thebe_assets, priority=900)
    app.setup_extension("cloudlab_execute")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
