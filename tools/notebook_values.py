"""Record what every notebook shows, then compare two records: did a refactor change a value?

Usage::

    python tools/notebook_values.py record before.json [notebooks/x.ipynb ...]
    # ... change the code ...
    python tools/notebook_values.py record after.json
    python tools/notebook_values.py compare before.json after.json [again.json]

``record`` executes each notebook (all of ``notebooks/`` by default) in a kernel, two at a
time, and keeps per code cell its text outputs, the values of the widgets it shows
(their HTML, labels and sliders, from the saved widget state) and a hash of each image.
``compare`` first normalises what differs between two runs of unchanged code: ports,
memory addresses, generated AWS ids, dates and temporary paths; measured times are left
as they are, since a simulation's milliseconds are values too (read such differences).
``compare`` prints each cell that differs and "N cells differ"; it exits non-zero when
N > 0. Given ``again.json``, a second record of the code ``before.json`` ran, the cells
that differ between those two runs as well are marked: they vary by themselves.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: (pattern, replacement): what changes between two runs of the same code.
NORMALISE = [
    (re.compile(r"0x[0-9a-f]{6,16}"), "0x…"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b([a-z]{2,12})-[0-9a-f]{8,17}\b"), r"\1-<id>"),  # vpc-0ab…, sg-…, i-…
    (re.compile(r"((?:127\.0\.0\.1|localhost|\[::1\]|::1)[:.])\d{2,5}"), r"\1<port>"),
    (re.compile(r"(port\s*=?\s*)\d{2,5}"), r"\1<port>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?"), "<when>"),
    (re.compile(r"/tmp/[^\s'\"]+"), "/tmp/<path>"),
    (re.compile(r"eyJ[A-Za-z0-9_.-]+"), "<signed cookie>"),
    (re.compile(r"Expires=[^;]+;"), "Expires=<when>;"),
    (re.compile(r"\b(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{22}\b"), "<token>"),
    (re.compile(r"\b[0-9a-f]{16}\b"), "<hex>"),
    # the emulator's Amazon-provided /56 (the last two digits, the /64's index, stay)
    (re.compile(r"2400:6500:[0-9a-f]{1,4}:[0-9a-f]{0,2}(?=[0-9a-f]{2}::)"), "2400:6500:<moto>:"),
    (re.compile(r"('localhost', )\d{2,5}"), r"\1<port>"),
    (re.compile(r" {2,}"), " "),  # columns padded to the width of a normalised value
]


def _merged(lines: list[str]) -> list[str]:
    """Consecutive pieces of one stream as one (records made before streams were merged)."""
    found: list[str] = []
    for line in lines:
        name = line.split(": ", 1)[0]
        if found and name in ("stdout", "stderr") and found[-1].startswith(name + ": "):
            found[-1] += line[len(name) + 2 :]
        else:
            found.append(line)
    return found


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def _widget_values(state: dict[str, Any], model_id: str, seen: set[str]) -> list[str]:
    """The values a widget and its children show (depth first, in display order)."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id].get("state", {})
    found = []
    for key in ("description", "value", "options", "_options_labels", "min", "max"):
        if key in model and not isinstance(model[key], dict):
            found.append(f"{model.get('_model_name', '?')}.{key}={model[key]!r}")
    for child in model.get("children", []):
        found += _widget_values(state, str(child).removeprefix("IPY_MODEL_"), seen)
    for output in model.get("outputs", []):  # an Output widget's own outputs
        found += _outputs([output], state)
    return found


def _outputs(outputs: list[dict[str, Any]], state: dict[str, Any]) -> list[str]:
    found: list[str] = []
    stream = None
    for output in outputs:
        if output.get("output_type") == "stream":  # one entry per run of a stream: its
            text = "".join(output["text"])  # chunks are cut where the kernel flushed
            if stream == output["name"]:
                found[-1] += text
            else:
                found.append(f"{output['name']}: {text}")
            stream = output["name"]
            continue
        stream = None
        if output.get("output_type") == "error":
            found.append(f"error: {output.get('ename')}: {output.get('evalue')}")
        for mime, data in output.get("data", {}).items():
            text = "".join(data) if isinstance(data, list) else data
            if mime.startswith("image/"):
                found.append(f"{mime}: sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}")
            elif mime == "application/vnd.jupyter.widget-view+json":
                found += _widget_values(state, data["model_id"], set())
            elif mime.startswith("text/"):
                found.append(f"{mime}: {text}")
    return found


def values(notebook: dict[str, Any]) -> list[list[str]]:
    """Per code cell, what it shows (normalised)."""
    metadata = notebook.get("metadata", {}).get("widgets", {})
    state = metadata.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return [
        _outputs(cell.get("outputs", []), state)
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    ]


def _run(path: str) -> tuple[str, list[list[str]] | str]:
    import nbformat
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from cloudlab_execute import _kernel_manager_class, _timeout, cell_timeout

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=_timeout(notebook, cell_timeout()),
        resources={"metadata": {"path": str(Path(path).parent)}},
        kernel_manager_class=_kernel_manager_class(),
        store_widget_state=True,
    )
    try:
        client.execute()
    except Exception as error:  # a failing cell: recorded, not raised
        return path, f"failed: {type(error).__name__}: {str(error).strip().splitlines()[-1:]}"
    return path, values(json.loads(nbformat.writes(notebook)))


def record(out: Path, paths: list[str]) -> None:
    paths = paths or sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    with ProcessPoolExecutor(2) as pool:
        results = dict(pool.map(_run, paths))
    out.write_text(json.dumps({Path(k).name: v for k, v in results.items()}, indent=1))
    for name, result in results.items():
        print(Path(name).name, result if isinstance(result, str) else f"{len(result)} cells")


def _differing(a: dict[str, Any], b: dict[str, Any]) -> set[tuple[str, int]]:
    """The (notebook, cell) pairs whose normalised values differ between two records."""
    found = set()
    for name in set(a) & set(b):
        if isinstance(a[name], list) and isinstance(b[name], list):
            for number, (x, y) in enumerate(zip(a[name], b[name], strict=False), start=1):
                if [normalise(v) for v in _merged(x)] != [normalise(v) for v in _merged(y)]:
                    found.add((name, number))
    return found


def compare(before: Path, after: Path, noise: Path | None = None) -> int:
    """Print what differs; with ``noise`` (a second record of the same code as ``before``),
    cells that differ between those two runs too are counted apart: they vary by
    themselves (live measurements, random ids) and need reading, not a verdict."""
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    varying = _differing(a, json.loads(noise.read_text())) if noise else set()
    differ = 0
    varied = 0
    for name in sorted(set(a) | set(b)):
        old, new = a.get(name), b.get(name)
        if old is None or new is None:
            print(f"{name}: in one record only, not compared")
            continue
        if isinstance(old, str) or isinstance(new, str):
            if old != new:
                differ += 1
                print(
                    f"{name}: {old if isinstance(old, str) else 'ran'} -> "
                    f"{new if isinstance(new, str) else 'ran'}"
                )
            continue
        for number, (x, y) in enumerate(zip(old, new, strict=False), start=1):
            x, y = (
                [normalise(line) for line in _merged(x)],
                [normalise(line) for line in _merged(y)],
            )
            if x != y:
                differ += 1
                varies = (name, number) in varying
                varied += varies
                print(f"{name} cell {number}:" + (" (varies between runs)" if varies else ""))
                for line in sorted(set(x) ^ set(y))[:6]:
                    print(("  - " if line in x else "  + ") + line[:300])
        if len(old) != len(new):
            differ += abs(len(old) - len(new))
            print(f"{name}: {len(old)} code cells -> {len(new)}")
    print(f"{differ} cells differ" + (f" ({varied} of them vary between runs)" if noise else ""))
    return 1 if differ > varied else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "record":
        record(Path(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "compare":
        noise = Path(sys.argv[4]) if len(sys.argv) == 5 else None
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3]), noise))
    else:
        sys.exit(__doc__)
