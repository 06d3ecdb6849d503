"""cloudlab.terraform: reading a configuration offline, and its resource graph."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from cloudlab.terraform import Module, dependency_graph, graph_figure, parse_file

SMALL = """
locals {
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc" "main" {
  cidr_block = var.cidr
}

resource "aws_subnet" "a" {
  vpc_id     = local.vpc_id
  cidr_block = cidrsubnet(var.cidr, 8, 0)
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}

data "aws_availability_zones" "zones" {}

variable "cidr" {
  description = "VPC block"
  type        = string
  default     = "10.0.0.0/16"
}
"""


@pytest.fixture
def small(tmp_path: Path) -> Module:
    (tmp_path / "main.tf").write_text(SMALL, encoding="utf-8")
    return Module(tmp_path)


def test_module_merges_blocks_by_kind(small: Module) -> None:
    assert set(small.resources) == {
        ("aws_vpc", "main"),
        ("aws_subnet", "a"),
        ("aws_route_table", "public"),
        ("aws_route_table_association", "a"),
    }
    assert set(small.data) == {("aws_availability_zones", "zones")}
    assert small.variables["cidr"]["default"] == "10.0.0.0/16"
    assert small.of_type("aws_subnet")["a"]["cidr_block"] == "${cidrsubnet(var.cidr, 8, 0)}"


def test_graph_follows_references_and_locals(small: Module) -> None:
    graph = dependency_graph(small)
    assert set(graph.edges) == {
        ("aws_vpc.main", "aws_subnet.a"),  # through local.vpc_id
        ("aws_vpc.main", "aws_route_table.public"),
        ("aws_subnet.a", "aws_route_table_association.a"),
        ("aws_route_table.public", "aws_route_table_association.a"),
    }
    assert set(next(iter(nx.topological_generations(graph)))) == {
        "aws_vpc.main",
        "data.aws_availability_zones.zones",
    }
    figure = graph_figure(graph, "small")
    assert figure.axes[0].get_title(loc="left") == "small"
    assert figure.png().startswith(b"\x89PNG")


def test_bad_hcl_is_one_line_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_vpc" "x" {\n  cidr_block = \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken\.tf: not valid Terraform \(HCL\): "):
        parse_file(broken)


def test_a_folder_without_tf_files_is_not_a_module(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \.tf files"):
        Module(tmp_path)
