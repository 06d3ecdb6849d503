"""List the functions longer than a limit: the ones a person can no longer hold in their head.

Usage::

    python tools/long_functions.py [LIMIT] [FOLDER ...]   # defaults: 100, src

A function's length is counted two ways: all its lines (``def`` to its last line), and its
lines of code (no docstring, blank or comment-only line). A function is listed when its
lines of code exceed ``LIMIT``; ``--all`` lists those whose lines in all exceed it.
Longest first. Exits 0 either way: a row is a place to look, not a verdict.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def lengths(path: Path) -> list[tuple[int, int, str]]:
    """(lines in all, lines of code, ``path:line name``) for every function in ``path``."""
    text = path.read_text()
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        end = node.end_lineno or node.lineno
        first = node.body[0]
        docstring: set[int] = set()
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            docstring = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        code = sum(
            1
            for number in range(node.lineno, end + 1)
            if number not in docstring
            and lines[number - 1].strip()
            and not lines[number - 1].strip().startswith("#")
        )
        found.append((end - node.lineno + 1, code, f"{path}:{node.lineno} {node.name}"))
    return found


def main(argv: list[str]) -> None:
    every = "--all" in argv
    args = [a for a in argv if a != "--all"]
    limit = int(args[0]) if args else 100
    folders = args[1:] or ["src"]
    rows = [
        row
        for folder in folders
        for path in sorted(Path(folder).rglob("*.py"))
        for row in lengths(path)
        if (row[0] if every else row[1]) > limit
    ]
    for total, code, where in sorted(rows, reverse=True):
        print(f"{total:4d} lines, {code:4d} of code  {where}")
    print(f"{len(rows)} functions over {limit} lines{' in all' if every else ' of code'}")


if __name__ == "__main__":
    main(sys.argv[1:])
