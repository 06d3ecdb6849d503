"""The fingerprint figures in the browser: read from the JSON the site's build bundles.

The cited per-attribute entropy figures live in one place, the Flask lab's
``flask_app/entropy.py``; :mod:`cloudlab.web.fingerprint` imports them from there. The
lab's package imports Flask, which the book's in-browser Python (Pyodide) does not have,
so ``tools/build_live.py`` writes the same figures as JSON into the site's bundle, next
to this module, and :mod:`cloudlab.web.fingerprint` reads them with :func:`load_bundled`
when it runs in the browser. Nothing here is a second copy of the figures.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

__all__ = ["BUNDLED_FIGURES", "load_bundled"]

#: File name of the bundled figures, next to this module inside the site's zip.
BUNDLED_FIGURES = "entropy_figures.json"


def load_bundled(path: Path | None = None) -> SimpleNamespace:
    """The figures as a namespace shaped like the lab's ``entropy`` module.

    ``FIGURES`` and ``LATER_FIGURES`` map attribute names to objects with the lab's
    ``EntropyFigure`` fields (``attribute``, ``label``, ``bits``, ``source``, ...).
    """
    source = path or resources.files("cloudlab.web").joinpath(BUNDLED_FIGURES)
    data = json.loads(source.read_text(encoding="utf-8"))

    def figures(table: dict[str, dict[str, object]]) -> dict[str, SimpleNamespace]:
        return {name: SimpleNamespace(**fields) for name, fields in table.items()}

    return SimpleNamespace(
        FIGURES=figures(data["FIGURES"]),
        LATER_FIGURES=figures(data["LATER_FIGURES"]),
        SOURCES=data["SOURCES"],
        SAMPLE_SIZES=data["SAMPLE_SIZES"],
        INDEPENDENCE_NOTE=data["INDEPENDENCE_NOTE"],
    )
