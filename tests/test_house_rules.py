"""House rules a reviewer would otherwise check by hand (issue 15): read from the source.

- every ``# type: ignore`` names its error code and says why, after a second ``#``;
- no function in ``src/`` has more than 100 lines of code (``tools/long_functions.py``);
- a module of ``src/`` over 800 lines says in its docstring why it is that long
  ("Why one module of some 1,000 lines: ...").
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
REASONED = re.compile(r"^\[[\w,-]+\]\s+#\s*\S")


def _tracked_python() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed]


def test_every_type_ignore_names_its_code_and_its_reason() -> None:
    bare = []
    for path in _tracked_python():
        with path.open("rb") as source:  # comments only: a docstring may name the rule
            for token in tokenize.tokenize(source.readline):
                found = IGNORE.search(token.string) if token.type == tokenize.COMMENT else None
                if found and not REASONED.match(found.group("rest").strip()):
                    bare.append(f"{path.relative_to(ROOT)}:{token.start[0]}: {token.line.strip()}")
    assert bare == [], "say why after the code: # type: ignore[code]  # reason"


def _long_functions():
    spec = importlib.util.spec_from_file_location(
        "long_functions", ROOT / "tools" / "long_functions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_function_in_the_package_is_over_100_lines_of_code() -> None:
    lengths = _long_functions().lengths
    long = [
        f"{where}: {code} lines of code"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for _, code, where in lengths(path)
        if code > 100
    ]
    assert long == []


def test_a_module_over_800_lines_says_why_at_its_top() -> None:
    silent = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > 800:
            docstring = text.split('"""')[1] if text.startswith('"""') else ""
            if not re.search(r"Why one module of some [\d,]+ lines", docstring):
                silent.append(str(path.relative_to(ROOT)))
    assert silent == []
