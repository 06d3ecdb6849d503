"""How long an author waits for the book: a clean build, then rebuilds after small edits.

Runs in a scratch copy of the working tree (the author's own ``_build`` is never touched),
with this checkout's virtual environments and JavaScript, the steps ``make book`` runs:
execute the notebooks into jupyter-cache (``book/_ext/cloudlab_execute.py``), then
``jupyter-book build``. Reported side by side, in one run:

- a clean build (empty cache, nothing built): every notebook executes;
- after a one-word edit to one chapter's text: nothing executes, one page is re-read;
- after an edit to one chapter's code: that notebook alone executes again.

Goal (issue 10): the text-edit rebuild takes at most 0.25 of the clean build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Made by `make`, used as they are: the copy links to them.
LINKED = (".venv", ".venv-checkov", "node_modules", "_site_static")
CHAPTER = "notebooks/subnets-and-cidr.ipynb"
GOAL = 0.25


def copy_tree(target: Path) -> None:
    """Copy the files git tracks or would track (the working tree as it is) to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (raw.decode() for raw in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for name in LINKED:
        if not (ROOT / name).exists():
            raise SystemExit(f"{ROOT / name} is missing: run `make book` once first")
        (target / name).symlink_to(ROOT / name)


def build(copy: Path, env: dict[str, str]) -> tuple[float, str]:
    """Run what `make book` runs in ``copy``; return seconds and what the executor said."""
    python = str(ROOT / ".venv" / "bin" / "python")
    started = time.perf_counter()
    executed = subprocess.run(
        [python, "book/_ext/cloudlab_execute.py"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"],
        cwd=copy,
        env=env,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started, executed


def edit_notebook(path: Path, cell_type: str, change: str) -> None:
    notebook = json.loads(path.read_text())
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == cell_type)
    cell["source"].append(change)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def executed_count(said: str) -> str:
    for line in said.splitlines():
        if line.startswith("notebooks: executing"):
            return line.removeprefix("notebooks: ")
    return "executed none (all current)"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cloudlab-bench-book-") as scratch:
        copy = Path(scratch)
        copy_tree(copy)
        env = {
            **os.environ,
            "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
            # the copy's package and lab, not this checkout's editable installs
            "PYTHONPATH": f"{copy / 'src'}{os.pathsep}{copy / 'labs' / 'flask_app'}",
            "MPLBACKEND": "Agg",
            "JUPYTER_PLATFORM_DIRS": "1",
            "CI": "",
        }
        clean, said_clean = build(copy, env)
        edit_notebook(copy / CHAPTER, "markdown", "\n\nOne more word.")
        text, said_text = build(copy, env)
        edit_notebook(copy / CHAPTER, "code", "\n# one more comment")
        code, said_code = build(copy, env)
    ratio = text / clean
    sys.path.insert(0, str(ROOT / "book" / "_ext"))  # the executor is a book extension
    from cloudlab_execute import WORKERS

    print(f"make book, in a scratch copy of this working tree ({WORKERS} notebooks at a time)")
    print(f"{'build':<52} {'seconds':>8} {'x clean':>8}  notebooks")
    rows = [
        ("clean (empty cache, nothing built)", clean, said_clean),
        (f"after a text edit to {CHAPTER}", text, said_text),
        (f"after a code edit to {CHAPTER}", code, said_code),
    ]
    for label, seconds, said in rows:
        print(f"{label:<52} {seconds:8.1f} {seconds / clean:8.2f}  {executed_count(said)}")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"goal: a text-edit rebuild <= {GOAL} x a clean build: {ratio:.2f} ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
