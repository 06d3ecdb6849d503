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

It keeps pages light for a first visit (bench/bench_pages.py measures them): MathJax
loads only on a page with a formula, and the widget runtime (require.js and
html-manager, 0.9 MB gzipped) with the notebook's widget state only on a page that still
shows a static widget, and there only once the reader comes near one
(``book/_assets/widgets/lazy-runtime.js``).

And it builds the execution status page (``book/execution-status.md``, one
``{execution-status}`` directive): for each chapter, when its notebook was executed (or
taken from the jupyter-cache), how long it took, the versions the build ran against, and
every cell that skipped a step on this build and why. The skips come from
:func:`cloudlab.status.skipped`, whose HTML output this extension finds in each page.
"""

from __future__ import annotations

import datetime
import html
import importlib.metadata
import json
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript
from sphinx.util.docutils import SphinxDirective

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


def _drop_unused_mathjax(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Sphinx adds MathJax (0.5 MB on a first visit) to some pages without a formula (the
    # intro, for one); a page whose body has no element of class "math" does not need it.
    if "script_files" not in context or 'class="math' in context.get("body", ""):
        return
    context["script_files"] = [
        asset
        for asset in context["script_files"]
        if "mathjax/" not in str(getattr(asset, "filename", ""))
        and "MathJax" not in str(asset.attributes.get("body", ""))
    ]


#: What marks a static widget in a page's body (myst-nb writes one such script per view).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Loads the widget runtime when a reader comes near a widget (book/_assets/widgets).
LAZY_RUNTIME = "widgets/lazy-runtime.js"


def _widget_runtime(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # myst-nb adds the widget runtime (require.js, html-manager's embed-amd.js: 0.9 MB
    # gzipped) and the notebook's widget state to every page whose notebook saved widget
    # state, even when no static widget is left on the page (cloudlab_live swaps
    # snapshots for live forms): without a widget view in the body, none of it is needed.
    # With one, the runtime's scripts give way to lazy-runtime.js, which loads them, in
    # the same order, when the reader comes near a widget.
    if "script_files" not in context:
        return
    # Sphinx files the configured paths (relative to _static) as "_static/<path>".
    runtime = [f"_static/{path}" for path in app.config.nb_ipywidgets_js]
    shown = WIDGET_VIEW in context.get("body", "")
    kept = []
    for asset in context["script_files"]:
        filename = str(getattr(asset, "filename", ""))
        if filename == runtime[0] and shown:
            urls = [context["pathto"](path, 1) for path in runtime]
            kept.append(
                _JavaScript(f"_static/{LAZY_RUNTIME}", **{"data-runtime": json.dumps(urls)})
            )
        is_state = asset.attributes.get("type") == "application/vnd.jupyter.widget-state+json"
        if filename not in runtime and not (is_state and not shown):
            kept.append(asset)
    context["script_files"] = kept


def _correct_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        body = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
        # myst-nb names a folded cell's <summary> "Toggle hidden content", which a speech
        # user cannot say: its visible text ("Show code cell source") names it instead.
        context["body"] = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")


# ---------------------------------------------------------------- execution status page

STATUS_DOC = "book/execution-status"
#: Packages whose versions the status page shows (those the notebooks run against).
PACKAGES = ("boto3", "moto", "Flask", "gunicorn", "ipywidgets", "matplotlib", "myst-nb")
_SKIP = re.compile(r'class="cloudlab-skipped" data-skip="([^"]*)"')


class _StatusNode(nodes.General, nodes.Element):
    """Placeholder the status table replaces once every page has been read."""


class ExecutionStatus(SphinxDirective):
    """``{execution-status}``: the table of executions, versions and skips."""

    def run(self) -> list[nodes.Node]:
        return [_StatusNode()]


def _collect_skips(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    found = []
    for raw in doctree.findall(nodes.raw):
        for match in _SKIP.finditer(raw.astext()):
            found.append(json.loads(html.unescape(match[1])))
    skips = getattr(env, "cloudlab_skips", {})
    skips[env.docname] = found
    env.cloudlab_skips = skips


def _purge_skips(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "cloudlab_skips", {}).pop(docname, None)


def _merge_skips(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    skips = getattr(env, "cloudlab_skips", {})
    skips.update(getattr(other, "cloudlab_skips", {}))
    env.cloudlab_skips = skips


def _always_rebuild_status(app: Sphinx, env: Any, added: set, changed: set, removed: set):
    return [STATUS_DOC] if STATUS_DOC in env.found_docs else []


def versions() -> list[tuple[str, str]]:
    """(name, version) of Python, the packages in PACKAGES and, where present, Caddy and
    Pyodide."""
    rows = [("Python", platform.python_version())]
    for name in PACKAGES:
        try:
            rows.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            continue
    caddy = shutil.which("caddy") or str(Path(sys.executable).with_name("caddy"))
    if Path(caddy).is_file():
        try:
            said = subprocess.run([caddy, "version"], capture_output=True, text=True, timeout=10)
            rows.append(("Caddy", (said.stdout.split() or ["unknown"])[0]))
        except (OSError, subprocess.TimeoutExpired):
            rows.append(("Caddy", "present, did not say its version"))
    pyodide = Path(__file__).resolve().parents[2] / "node_modules" / "pyodide" / "package.json"
    if pyodide.is_file():
        rows.append(("Pyodide", json.loads(pyodide.read_text())["version"]))
    return rows


def _table(head: list[str], rows: list[list[nodes.Node | str]]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(head))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in head)
    thead = nodes.thead()
    group += thead
    thead += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in head))
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=cell)
            row += entry
        body += row
    return table


def _fill_status(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(_StatusNode))
    if not placeholders:
        return
    env = app.env
    metadata = getattr(env, "nb_metadata", {})
    exec_data = {name: data.get("exec_data") for name, data in metadata.items()}
    skips = getattr(env, "cloudlab_skips", {})
    order: list[str] = []

    def walk(name: str) -> None:
        for child in env.toctree_includes.get(name, []):
            if child not in order:
                order.append(child)
                walk(child)

    walk(app.config.root_doc)
    chapters = [name for name in order if name.startswith("notebooks/")]
    rows = []
    for name in chapters:
        data = exec_data.get(name) or {}
        link = nodes.paragraph()
        ref = nodes.reference("", env.titles[name].astext(), internal=True)
        ref["refuri"] = app.builder.get_relative_uri(docname, name)
        link += ref
        when = "not executed"
        if data.get("mtime"):
            stamp = datetime.datetime.fromtimestamp(data["mtime"], datetime.UTC)
            when = stamp.strftime("%Y-%m-%d %H:%M UTC")
        runtime = f"{data['runtime']:.1f} s" if data.get("runtime") is not None else ""
        outcome = data.get("method", "")
        if data and not data.get("succeeded", True):
            outcome += f", failed ({data.get('error')})"
        rows.append([link, when, runtime, outcome, str(len(skips.get(name, [])))])
    section = []
    section.append(_table(["Chapter", "Executed", "Took", "How", "Skipped steps"], rows))
    section.append(nodes.rubric(text="Versions on this build"))
    section.append(_table(["Software", "Version"], [[n, v] for n, v in versions()]))
    section.append(nodes.rubric(text="Steps skipped on this build"))
    skip_rows = []
    for name in chapters:
        for skip in skips.get(name, []):
            skip_rows.append([env.titles[name].astext(), skip["needs"], skip["reason"]])
    if skip_rows:
        section.append(_table(["Chapter", "Needs", "Why it was skipped"], skip_rows))
    else:
        section.append(nodes.paragraph(text="None: every cell ran every step."))
    for placeholder in placeholders:
        placeholder.replace_self(section)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(_StatusNode)
    app.add_directive("execution-status", ExecutionStatus)
    app.connect("doctree-read", _collect_skips)
    app.connect("env-purge-doc", _purge_skips)
    app.connect("env-merge-info", _merge_skips)
    app.connect("env-get-outdated", _always_rebuild_status)
    app.connect("doctree-resolved", _fill_status)
    app.connect("config-inited", _correct_theme)
    app.add_css_file("icons.css")
    app.add_css_file("cloudlab.css")
    app.connect("html-page-context", _correct_body)
    # Late priority: run after every other handler has added its assets.
    app.connect("html-page-context", _drop_thebe_assets, priority=900)
    app.connect("html-page-context", _drop_unused_mathjax, priority=900)
    app.connect("html-page-context", _widget_runtime, priority=900)
    app.setup_extension("cloudlab_execute")
    app.setup_extension("cloudlab_live")
    app.setup_extension("cloudlab_predict")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
