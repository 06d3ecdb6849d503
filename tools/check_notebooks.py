"""Check that notebooks are committed clean: no outputs, no execution counts, a page label.

Usage: python tools/check_notebooks.py notebooks/
Exits non-zero with one line per problem. Strip outputs with `nbstripout notebooks/*.ipynb`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LABEL = re.compile(r"^\([a-z0-9][a-z0-9-]*\)=\s*$")


def problems(path: Path) -> list[str]:
    """Return what is wrong with one notebook, as readable lines."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        return [f"{path}: not a readable notebook ({error})"]
    found = []
    cells = notebook.get("cells", [])
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path}: cell {number} has outputs (run nbstripout)")
        if cell.get("execution_count") is not None:
            found.append(f"{path}: cell {number} has an execution count (run nbstripout)")
    first = cells[0] if cells else {}
    source = "".join(first.get("source", []))
    first_line = source.splitlines()[0] if source else ""
    if first.get("cell_type") != "markdown" or not LABEL.match(first_line):
        found.append(
            f"{path}: the first cell must be markdown starting with a label like (net-subnets)="
        )
    return found


def main(argv: list[str]) -> int:
    roots = [Path(arg) for arg in argv] or [Path("notebooks")]
    paths = sorted(
        p for root in roots for p in (root.rglob("*.ipynb") if root.is_dir() else [root])
    )
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    found = [line for path in paths for line in problems(path)]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
