"""The package's import graph: no cycle between modules, and each address type defined once.

Read from the source with :mod:`ast` (nothing is imported): every ``import`` of a
``cloudlab`` module counts, at the top of a module or inside a function, except in a
module's PEP 562 ``__getattr__`` (a forward of names that moved, run only when such a name
is asked for) and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "cloudlab").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _skipped(tree: ast.Module) -> set[ast.AST]:
    """The nodes under a module-level ``__getattr__`` or ``if TYPE_CHECKING:``."""
    skipped: set[ast.AST] = set()
    for node in tree.body:
        forward = isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        typing_only = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        if forward or typing_only:
            skipped.update(ast.walk(node))
    return skipped


def imports_of(name: str, path: Path) -> set[str]:
    """The cloudlab modules that ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _skipped(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from cloudlab.net import aws" imports the module cloudlab.net.aws
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_a_function_level_import_counts_but_a_forward_does_not(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(
        "def f():\n    from cloudlab.net import aws\n"
        "def __getattr__(name):\n    from cloudlab.sim import happy_eyeballs\n"
    )
    assert imports_of("cloudlab.net.m", path) == {"cloudlab.net.aws"}


def test_net_parse_is_the_bottom_of_cloudlab_net() -> None:
    assert GRAPH["cloudlab.net.parse"] <= {"cloudlab.checks"}
    assert "cloudlab.net.addresses" not in GRAPH["cloudlab.net.aws"]


@pytest.mark.parametrize("alias", ["Network", "Address", "Interface"])
def test_each_address_type_is_defined_once(alias: str) -> None:
    homes = [
        name
        for name, path in MODULES.items()
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and alias
        in {
            t.id
            for t in getattr(node, "targets", [getattr(node, "target", None)])
            if isinstance(t, ast.Name)
        }
    ]
    assert homes == ["cloudlab.net.parse"]
