"""Build what the live calculators need in the browser, into the site's static folder.

    python tools/build_live.py OUT_DIR

writes ``OUT_DIR/pyodide/`` (Pyodide's core files, from ``node_modules/pyodide``, pinned
in package-lock.json), ``OUT_DIR/cloudlab.zip`` (the modules listed in
``cloudlab.live.BROWSER_MODULES``, taken from ``src/`` at build time, never copied into
the repository) and ``OUT_DIR/manifest.json`` (file sizes for the page's progress line).
Run by ``make site-js``.
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PYODIDE = ROOT / "node_modules" / "pyodide"
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


def build(out: Path) -> dict[str, int]:
    sys.path.insert(0, str(SRC))
    from cloudlab.live import BROWSER_MODULES

    out.mkdir(parents=True, exist_ok=True)
    (out / "pyodide").mkdir(exist_ok=True)
    sizes = {}
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE / name, out / "pyodide" / name)
        sizes[f"pyodide/{name}"] = (out / "pyodide" / name).stat().st_size
    bundle = out / "cloudlab.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in BROWSER_MODULES:
            path = module_path(name)
            zf.write(path, path.relative_to(SRC).as_posix())
    sizes["cloudlab.zip"] = bundle.stat().st_size
    manifest = {"files": sizes, "total": sum(sizes.values()), "modules": list(BROWSER_MODULES)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return sizes


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/build_live.py OUT_DIR")
    built = build(Path(sys.argv[1]))
    print(f"live calculators: {len(built)} files, {sum(built.values()) / 1e6:.1f} MB")
