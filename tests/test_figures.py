"""Every figure carries alt text written from the data it draws."""

from __future__ import annotations

import pytest

from cloudlab.figures import ShownFigure
from cloudlab.net.pictures import address_map
from cloudlab.vpc.plan import plan_network


def test_a_figure_without_alt_text_is_refused() -> None:
    with pytest.raises(ValueError, match="alt text"):
        ShownFigure(alt=" ")


def test_the_html_output_is_the_png_with_its_alt_text() -> None:
    figure = ShownFigure(alt='Two "bars" & a line')
    figure.subplots().plot([0, 1], [1, 0])
    html = figure._repr_html_()
    assert html.startswith('<img src="data:image/png;base64,iVBORw0KGgo')
    assert 'alt="Two &quot;bars&quot; &amp; a line"' in html


def test_address_map_alt_text_names_the_blocks_and_the_share() -> None:
    subnets = ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]
    alt = address_map("10.0.0.0/16", subnets, labels=["a", "b", "c"]).alt
    assert alt.startswith("Address map of 10.0.0.0/16 (65,536 addresses)")
    assert "3 subnets (a 10.0.0.0/18, b 10.0.64.0/18, c 10.0.128.0/18)" in alt
    assert "75.0% allocated" in alt


def test_vpc_diagram_alt_text_lists_every_subnet() -> None:
    from cloudlab.vpc.pictures import architecture_diagram

    plan = plan_network("10.0.0.0/16")
    alt = architecture_diagram(plan).alt
    for subnet in plan.subnets:
        assert f"{subnet.name} ({subnet.kind}, {subnet.az}) {subnet.cidr}" in alt
