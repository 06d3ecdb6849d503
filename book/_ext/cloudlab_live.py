"""Sphinx extension: a widget cell's frozen snapshot becomes a live calculator on the site.

A code cell whose metadata holds ``"cloudlab_live": {"calculator": NAME, "values":
{...}}`` keeps its source on the page, but its output (the ipywidget's static snapshot,
which cannot compute without a kernel) is replaced by the live form of
:func:`cloudlab.live.form_html`, filled with ``values`` and its answer computed at build
time. Only pages with such a cell load ``live/live.js`` and ``live/live.css`` (from
``book/_assets/live``); the script starts Pyodide in a Web Worker on the reader's first
edit. In JupyterLab the metadata is ignored and the ipywidget stays.

A widget that cannot run in the browser (its model needs numpy, or its picture
matplotlib) is marked ``"cloudlab_live": {"snapshot": REASON}`` instead: its snapshot
stays, with one line under it saying why and how to run it live.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from cloudlab.live import form_html

_KEY = "cloudlab_live"
_LOG = logging.getLogger(__name__)


#: Under a widget that stays a snapshot on the site (``"cloudlab_live": {"snapshot":
#: REASON}``): why, and how to run it.
SNAPSHOT_NOTE = (
    "On this site this is a snapshot: {reason}. To run it, open the page on Binder (the "
    "launch button at the top) or run <code>make lab</code> on your machine."
)


def _note_snapshot(cell: nodes.container, reason: str) -> None:
    note = SNAPSHOT_NOTE.format(reason=html.escape(reason))
    cell += nodes.raw("", f'<p class="cl-live-snapshot">{note}</p>', format="html")


def _swap_snapshots(app: Sphinx, doctree: nodes.document) -> None:
    count = 0
    for cell in list(doctree.findall(nodes.container)):
        spec = (cell.get("cell_metadata") or {}).get(_KEY)
        if cell.get("nb_element") != "cell_code" or not spec:
            continue
        if "snapshot" in spec:
            _note_snapshot(cell, spec["snapshot"])
            continue
        count += 1
        name = spec["calculator"]
        form_id = f"live-{name}-{count}"
        try:
            markup = form_html(name, form_id, spec.get("values", {}))
        except ValueError as error:
            _LOG.warning("live calculator in %s: %s", app.env.docname, error, location=cell)
            continue
        output = nodes.container(nb_element="cell_code_output", classes=["cell_output"])
        output += nodes.raw("", markup, format="html")
        for child in list(cell.children):
            if child.get("nb_element") == "cell_code_output":
                cell.remove(child)
        cell += output
    if count:
        app.env.metadata[app.env.docname][_KEY] = count


def _add_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.env.metadata.get(pagename, {}).get(_KEY):
        app.add_js_file("live/live.js", defer="defer")
        app.add_css_file("live/live.css")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", _swap_snapshots)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
