"""Make or refresh the learner's working copy of the chapters for `make lab`.

``python tools/workbook.py notebooks workbook`` copies each chapter notebook that the
working copy does not have yet. A notebook the learner already has is never overwritten
(their outputs and edits stay); when the tracked chapter is newer, one line says so and
how to take the new version. The working copy is ignored by git, so JupyterLab's autosave
never writes outputs into the tracked notebooks (which are stored without outputs).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def refresh(source: Path, target: Path) -> list[str]:
    """Copy new chapters from ``source`` to ``target``; return the lines to print."""
    if not source.is_dir():
        raise ValueError(f"{source}: no such folder of notebooks")
    target.mkdir(exist_ok=True)
    lines = []
    for notebook in sorted(source.glob("*.ipynb")):
        copy = target / notebook.name
        if not copy.exists():
            shutil.copy2(notebook, copy)
            lines.append(f"new: {copy}")
        elif notebook.stat().st_mtime > copy.stat().st_mtime + 1:
            lines.append(f"changed upstream: {notebook} (delete {copy} to take the new version)")
    lines.append(
        f"JupyterLab opens {target}/, your own copy: the chapters are stored without "
        "outputs, so run all cells first (Run > Run All Cells)."
    )
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tools/workbook.py NOTEBOOKS_DIR WORKBOOK_DIR", file=sys.stderr)
        return 2
    try:
        lines = refresh(Path(argv[0]), Path(argv[1]))
    except (ValueError, OSError) as error:
        print(f"cloudlab: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
