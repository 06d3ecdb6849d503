"""Read a Terraform configuration offline: its blocks, its resource graph, and a picture of it.

No Terraform binary is needed: python-hcl2 parses the ``.tf`` files, and the references
between resources (``aws_vpc.this.id`` inside another resource) give the order in which
Terraform would create them. The book's tests and the Terraform chapter both read the
lab through :class:`Module`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import networkx as nx
from hcl2 import SerializationOptions
from matplotlib.figure import Figure

from cloudlab.figures import GREY_69, PALE_BLUE, STEEL, ShownFigure

#: Plain values without HCL's quoting, blocks as lists, no comments (python-hcl2 8.x).
OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def parse_file(path: str | Path) -> dict[str, Any]:
    """Parse one ``.tf`` file into python-hcl2's dictionary form.

    Raises
    ------
    ValueError
        The file is not valid HCL (the message names the file).
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return hcl2.load(handle, serialization_options=OPTIONS)
    except Exception as error:  # lark raises several unrelated exception types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{path.name}: not valid Terraform (HCL): {first}") from error


class Module:
    """Every block of one Terraform module folder, merged across its ``.tf`` files.

    Attributes
    ----------
    resources, data : dict
        ``(type, name) -> body`` for ``resource`` and ``data`` blocks.
    variables, outputs, locals, modules, providers : dict
        ``name -> body``.
    terraform : list
        The ``terraform`` blocks (versions, required providers, backend).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not any(self.folder.glob("*.tf")):
            raise ValueError(f"{self.folder}: no .tf files, so not a Terraform module")
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.data: dict[tuple[str, str], dict[str, Any]] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.locals: dict[str, Any] = {}
        self.modules: dict[str, dict[str, Any]] = {}
        self.providers: dict[str, dict[str, Any]] = {}
        self.terraform: list[dict[str, Any]] = []
        for path in sorted(self.folder.glob("*.tf")):
            parsed = parse_file(path)
            for kind, store in (("resource", self.resources), ("data", self.data)):
                for block in parsed.get(kind, []):
                    for rtype, named in block.items():
                        for name, body in named.items():
                            store[(rtype, name)] = body
            named_blocks: tuple[tuple[str, dict[str, Any]], ...] = (
                ("variable", self.variables),
                ("output", self.outputs),
                ("locals", self.locals),
                ("module", self.modules),
                ("provider", self.providers),
            )
            for key, into in named_blocks:
                for block in parsed.get(key, []):
                    into.update(block)
            self.terraform.extend(parsed.get("terraform", []))

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        """The resources of one type, by name."""
        return {name: body for (t, name), body in self.resources.items() if t == rtype}

    def addresses(self) -> dict[str, dict[str, Any]]:
        """Every resource and data source by its Terraform address (``data.`` prefixed)."""
        found = {f"{rtype}.{name}": body for (rtype, name), body in self.resources.items()}
        found.update({f"data.{rtype}.{name}": body for (rtype, name), body in self.data.items()})
        return found


def dependency_graph(module: Module) -> nx.DiGraph:
    """The module's resources and data sources; an edge A -> B means B refers to A.

    References through ``local.`` values are followed (a few levels deep), so a resource
    that uses a local built from another resource depends on that resource.
    """
    local_text = {name: json.dumps(value) for name, value in module.locals.items()}
    bodies = {address: json.dumps(body) for address, body in module.addresses().items()}

    def expand(text: str, depth: int = 3) -> str:
        used = set(re.findall(r"local\.(\w+)", text)) & set(local_text)
        extra = "".join(local_text[name] for name in sorted(used))
        return text + (expand(extra, depth - 1) if extra and depth else "")

    graph = nx.DiGraph()
    graph.add_nodes_from(bodies)
    for node, text in bodies.items():
        text = expand(text)
        for other in bodies:
            if other != node and re.search(re.escape(other) + r"(?!\w)", text):
                graph.add_edge(other, node)
    return graph


def graph_figure(graph: nx.DiGraph, title: str) -> Figure:
    """Draw a dependency graph in columns: each column is created after those to its left."""
    graph = graph.copy()
    for layer, nodes in enumerate(nx.topological_generations(graph)):
        for node in nodes:
            graph.nodes[node]["layer"] = layer
    position = nx.multipartite_layout(graph, subset_key="layer", align="vertical")
    layers = [sorted(nodes) for nodes in nx.topological_generations(graph)]
    alt = (
        f"{title}: dependency graph of {graph.number_of_nodes()} resources and "
        f"{graph.number_of_edges()} references, in the order Terraform can create them: "
        + "; then ".join(", ".join(nodes) for nodes in layers)
        + "."
    )
    figure = ShownFigure(figsize=(11, 7), alt=alt)
    ax = figure.subplots()
    nx.draw_networkx_edges(
        graph,
        position,
        ax=ax,
        edge_color=GREY_69,
        arrowsize=7,
        width=0.6,
        node_size=2600,
        connectionstyle="arc3,rad=0.05",
    )
    short = {"vpc_security_group_": "sg_", "route_table_association": "rt_association", "aws_": ""}

    def label(node: str) -> str:
        for old, new in short.items():
            node = node.replace(old, new)
        return node

    nx.draw_networkx_labels(
        graph,
        position,
        {n: label(n) for n in graph},
        ax=ax,
        font_size=7,
        bbox={"boxstyle": "round,pad=0.3", "fc": PALE_BLUE, "ec": STEEL, "lw": 0.6},
    )
    ax.set_title(title, loc="left", fontsize=11)
    ax.margins(x=0.12)
    ax.axis("off")
    return figure
