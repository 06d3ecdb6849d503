"""Build what the live calculators need in the browser, into the site's static folder.

    python tools/build_live.py OUT_DIR

writes ``OUT_DIR/pyodide/`` (Pyodide's core files, from ``node_modules/pyodide``, pinned
in package-lock.json), ``OUT_DIR/cloudlab.zip`` (the modules listed in
``cloudlab.live.BROWSER_MODULES``, taken from ``src/`` at build time, never copied into
the repository, plus the installed Flask lab's entropy figures as JSON) and
``OUT_DIR/pyodide-snapshot.gz.bin`` (Pyodide's memory with the package imported, made
in Node by ``tools/live_snapshot.mjs``; the browser restores it, which is most of a
cold start saved) and ``OUT_DIR/manifest.json`` (file sizes for the page's progress
line, the modules, and the header of Pyodide's package list).
Run by ``make site-js``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
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
)
#: Pyodide's memory once the package is imported and warm (gzip), restored by the browser
#: instead of starting Python from scratch; made by SNAPSHOT_SCRIPT.
SNAPSHOT = "pyodide-snapshot.gz.bin"
SNAPSHOT_SCRIPT = ROOT / "tools" / "live_snapshot.mjs"
#: One run of each live calculator before the snapshot is taken (imports and caches warm).
WARM_UP: tuple[tuple[str, dict[str, str]], ...] = (
    ("ip", {"address": "10.1.2.3/20"}),
    ("split", {"network": "10.0.0.0/24", "prefix": "28"}),
    ("split", {"network": "10.0.0.0/22", "hosts": "500,120,60", "aws": "on"}),
    ("practice", {"seed": "1", "level": "1", "answer": "1"}),
    ("entropy", {"attributes": "user_agent,timezone"}),
    ("decide", {"kubernetes": "some"}),
    ("cost", {"tasks": "2"}),
    ("plan", {"azs": "2"}),
    ("route", {"destination": "198.51.100.7"}),
    ("flow", {"destination": "app", "port": "5000"}),
    ("cookie", {"header": "sid=1; Max-Age=60"}),
    ("race", {"ipv6_state": "blackholed", "jitter_ms": "10"}),
)
#: Pyodide's package list: only its header goes to the browser (in the manifest), since
#: the site never loads a package.
PYODIDE_LOCK = "pyodide-lock.json"


def module_path(name: str) -> Path:
    """The source file of a module or package under ``src/``."""
    base = SRC.joinpath(*name.split("."))
    package = base / "__init__.py"
    return package if package.exists() else base.with_suffix(".py")


def entropy_json() -> str:
    """The lab's entropy figures as the JSON ``cloudlab.web.fingerprint`` reads in Pyodide.

    The figures live in the installed Flask lab (``flask_app.entropy``; ``make
    .venv/.installed`` installs it), whose package imports Flask: the browser gets
    the data only.
    """
    from flask_app import entropy

    def figures(table: dict) -> dict:
        return {name: dataclasses.asdict(figure) for name, figure in table.items()}

    return json.dumps(
        {
            "FIGURES": figures(entropy.FIGURES),
            "LATER_FIGURES": figures(entropy.LATER_FIGURES),
            "SOURCES": dict(entropy.SOURCES),
            "SAMPLE_SIZES": dict(entropy.SAMPLE_SIZES),
            "INDEPENDENCE_NOTE": entropy.INDEPENDENCE_NOTE,
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


def _snapshot_key(bundle_sources: bytes) -> str:
    digest = hashlib.sha256(bundle_sources)
    for path in (SNAPSHOT_SCRIPT, PYODIDE / "package.json", PYODIDE / "pyodide.asm.wasm"):
        digest.update(path.read_bytes())
    digest.update(json.dumps(WARM_UP).encode())
    return digest.hexdigest()


def build_snapshot(out: Path, bundle: Path) -> Path:
    """Pyodide's memory after importing the package and running each calculator once.

    Made in Node (``tools/live_snapshot.mjs``) from the same Pyodide the site serves;
    made again only when the package's sources, Pyodide or the warm-up inputs change.
    """
    from cloudlab.live import BROWSER_MODULES

    target = out / SNAPSHOT
    sources = b"".join(module_path(name).read_bytes() for name in BROWSER_MODULES)
    key = _snapshot_key(sources + entropy_json().encode())
    stamp = ROOT / "_build" / "live-snapshot.key"  # not in the site
    stamp.parent.mkdir(exist_ok=True)
    if target.exists() and stamp.exists() and stamp.read_text() == key:
        return target
    with tempfile.TemporaryDirectory() as scratch:
        modules = Path(scratch) / "modules.json"
        warm = Path(scratch) / "warm.json"
        modules.write_text(json.dumps(list(BROWSER_MODULES)))
        warm.write_text(json.dumps(WARM_UP))
        command = ["node", str(SNAPSHOT_SCRIPT), str(PYODIDE), str(bundle)]
        subprocess.run(
            [*command, str(modules), str(warm), str(target)],
            check=True,
            timeout=600,
        )
    stamp.write_text(key)
    return target


def build(out: Path) -> dict[str, int]:
    sys.path.insert(0, str(SRC))
    from cloudlab.live import BROWSER_MODULES

    out.mkdir(parents=True, exist_ok=True)
    (out / "pyodide").mkdir(exist_ok=True)
    (out / "pyodide" / PYODIDE_LOCK).unlink(missing_ok=True)  # copied by earlier builds
    sizes = {}
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE / name, out / "pyodide" / name)
        sizes[f"pyodide/{name}"] = (out / "pyodide" / name).stat().st_size
    bundle = build_bundle(out / "cloudlab.zip")
    sizes["cloudlab.zip"] = bundle.stat().st_size
    sizes[SNAPSHOT] = build_snapshot(out, bundle).stat().st_size
    lock_info = json.loads((PYODIDE / PYODIDE_LOCK).read_text())["info"]
    manifest = {
        "files": sizes,
        "total": sum(sizes.values()),
        "modules": list(BROWSER_MODULES),
        "lock_info": lock_info,
        "snapshot": SNAPSHOT,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return sizes


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/build_live.py OUT_DIR")
    built = build(Path(sys.argv[1]))
    print(f"live calculators: {len(built)} files, {sum(built.values()) / 1e6:.1f} MB")
