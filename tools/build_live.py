"""Build what the live calculators need in the browser, into the site's static folder.

    python tools/build_live.py OUT_DIR

writes ``OUT_DIR/pyodide/`` (Pyodide's core files, from ``node_modules/pyodide``, pinned
in package-lock.json), ``OUT_DIR/cloudlab.zip`` (the modules listed in
``cloudlab.live.BROWSER_MODULES``, taken from ``src/`` at build time, never copied into
the repository, plus the Flask lab's entropy figures as JSON) and
``OUT_DIR/manifest.json`` (file sizes for the page's progress line).
Run by ``make site-js``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PYODIDE = ROOT / "node_modules" / "pyodide"
#: The fingerprint chapter's cited figures live in the Flask lab, whose package imports
#: Flask: the browser gets them as JSON, read here from the lab's file by path.
LAB_ENTROPY = ROOT / "labs" / "flask_app" / "flask_app" / "entropy.py"
#: The core of Pyodide: no packages (they live only on Pyodide's CDN).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)


def module_path(name: str) -> Path:
    """The source file of a module or package under ``src/``."""
    base = SRC.joinpath(*name.split("."))
    package = base / "__init__.py"
    return package if package.exists() else base.with_suffix(".py")


def entropy_json(path: Path = LAB_ENTROPY) -> str:
    """The lab's entropy figures as the JSON ``cloudlab.web.fingerprint`` reads in Pyodide."""
    spec = importlib.util.spec_from_file_location("_lab_entropy_for_site", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)

    def figures(table: dict) -> dict:
        return {name: dataclasses.asdict(figure) for name, figure in table.items()}

    return json.dumps(
        {
            "FIGURES": figures(module.FIGURES),
            "LATER_FIGURES": figures(module.LATER_FIGURES),
            "SOURCES": dict(module.SOURCES),
            "SAMPLE_SIZES": dict(module.SAMPLE_SIZES),
            "INDEPENDENCE_NOTE": module.INDEPENDENCE_NOTE,
        },
        indent=1,
        sort_keys=True,
    )


def build_bundle(bundle: Path) -> Path:
    """Zip the browser modules from ``src/`` and the lab's figures as JSON into ``bundle``."""
    sys.path.insert(0, str(SRC))
    from cloudlab.live import BROWSER_MODULES
    from cloudlab.web.fingerprint_data import BUNDLED_FIGURES

    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in BROWSER_MODULES:
            path = module_path(name)
            zf.write(path, path.relative_to(SRC).as_posix())
        zf.writestr(f"cloudlab/web/{BUNDLED_FIGURES}", entropy_json())
    return bundle


def build(out: Path) -> dict[str, int]:
    sys.path.insert(0, str(SRC))
    from cloudlab.live import BROWSER_MODULES

    out.mkdir(parents=True, exist_ok=True)
    (out / "pyodide").mkdir(exist_ok=True)
    sizes = {}
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE / name, out / "pyodide" / name)
        sizes[f"pyodide/{name}"] = (out / "pyodide" / name).stat().st_size
    bundle = build_bundle(out / "cloudlab.zip")
    sizes["cloudlab.zip"] = bundle.stat().st_size
    manifest = {"files": sizes, "total": sum(sizes.values()), "modules": list(BROWSER_MODULES)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return sizes


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/build_live.py OUT_DIR")
    built = build(Path(sys.argv[1]))
    print(f"live calculators: {len(built)} files, {sum(built.values()) / 1e6:.1f} MB")
