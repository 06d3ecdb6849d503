"""Tests for cloudlab.net.pictures: the address map."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from cloudlab.net import subnet_page, vlsm
from cloudlab.net.pictures import address_map


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_map_of_a_plan_has_one_row_with_names_and_free_space():
    plan = vlsm("10.0.0.0/22", [500, 120, 60], aws=True, names=["web", "app", "db"])
    fig = address_map("10.0.0.0/22", [a.network for a in plan], labels=[a.name for a in plan])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    texts = _texts(fig)
    assert "web\n10.0.0.0/23" in texts
    assert any(t.startswith("free") and "10.0.3.0/24" in t for t in texts)
    assert "768 of 1,024 addresses" in fig.get_suptitle()


def test_map_zooms_in_when_the_subnets_are_a_tiny_part():
    page = subnet_page("2001:db8::/32", 64, page=-1)
    fig = address_map(page.network, page.subnets)
    assert len(fig.axes) == 2  # the whole space, then the zoomed page
    assert any("1/268,435,456" in t for t in _texts(fig))


def test_map_shows_itself_as_png_in_jupyter():
    png = address_map("10.0.0.0/24", ["10.0.0.0/25"]).png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_map_rejects_subnets_outside_the_parent_and_bad_labels():
    with pytest.raises(ValueError, match=r"10\.0\.1\.0/24 is not inside 10\.0\.0\.0/24"):
        address_map("10.0.0.0/24", ["10.0.1.0/24"])
    with pytest.raises(ValueError, match="got 1 labels for 2 subnets"):
        address_map("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/25"], labels=["a"])


def test_map_of_nothing_is_all_free():
    fig = address_map("10.0.0.0/24", [])
    assert any("free" in t for t in _texts(fig))


def test_every_picture_function_returns_a_figure_that_shows_itself() -> None:
    # Without pyplot's inline backend a plain Figure prints as "<Figure size ...>".
    from cloudlab.compute.costs import Workload, cost_figure
    from cloudlab.figures import ShownFigure
    from cloudlab.net.scale import address_counts_figure, exhaustion_figure
    from cloudlab.sim.autoscaling import simulate_autoscaling
    from cloudlab.sim.loadbalancer import simulate_load_balancer
    from cloudlab.vpc.pictures import architecture_diagram
    from cloudlab.vpc.plan import plan_network
    from cloudlab.widgets.loadbalancer import load_figure
    from cloudlab.widgets.scaling import scaling_figure

    figures = [
        address_map("10.0.0.0/24", ["10.0.0.0/26"]),
        address_counts_figure(),
        exhaustion_figure(),
        architecture_diagram(plan_network("10.0.0.0/16")),
        cost_figure(Workload(), 4, "t3.medium"),
        load_figure(simulate_load_balancer(50, duration_s=60)),
        scaling_figure(simulate_autoscaling([50.0] * 600)),
    ]
    for figure in figures:
        assert isinstance(figure, ShownFigure), type(figure)
        assert figure.png().startswith(b"\x89PNG")
        # Alt text written from the data: a sentence with its numbers, not "a figure".
        assert len(figure.alt) > 60, figure.alt
        assert any(ch.isdigit() for ch in figure.alt), figure.alt
        assert f'alt="{figure.alt[:20]}' in figure._repr_html_()
