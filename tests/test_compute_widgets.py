"""The cost comparison and decision helper widgets: set values, read results and HTML."""

from __future__ import annotations

import pytest

from cloudlab.compute.prices import DEFAULT_PRICES
from cloudlab.widgets.compute import make_cost_comparison_ui, make_decision_helper_ui


def test_cost_widget_starts_with_the_default_workload() -> None:
    ui = make_cost_comparison_ui()
    assert ui.result is not None
    assert ui.result.cheapest().option == "ecs-fargate"
    assert "ECS on Fargate" in ui.table.value
    assert "106.61" in ui.table.value  # the hand-computed total of tests/test_compute_costs.py
    assert ui.error.value == ""
    assert [(p.tasks, p.cheaper) for p in ui.points] == [(6, "eks-ec2"), (7, "ecs-ec2")]
    assert "from 7 tasks, ECS on EC2 is cheaper than ECS on Fargate" in ui.table.value


def test_cost_widget_recomputes_when_a_value_changes() -> None:
    ui = make_cost_comparison_ui()
    ui.tasks.value = 20
    assert ui.result is not None
    assert ui.result.workload.tasks == 20
    assert ui.result.cheapest().option == "ecs-ec2"
    ui.extended.value = True
    assert ui.result.options["eks-fargate"].lines["control plane"] == pytest.approx(730 * 0.60)


@pytest.mark.parametrize(
    ("widget", "value", "message"),
    [
        ("memory", 4096, "cpu 256 with memory 4096: Fargate allows 512, 1024 or 2048 MiB"),
        ("hours", -3.0, "a month has 0 to 744 hours"),
        ("tasks", 0, "run at least 1 task"),
        ("azs", 1, "at least 2 AZs"),
    ],
)
def test_cost_widget_shows_errors_inline(widget: str, value: object, message: str) -> None:
    ui = make_cost_comparison_ui()
    getattr(ui, widget).value = value
    assert ui.result is None
    assert message in ui.error.value
    assert ui.table.value == ""
    assert "Traceback" not in ui.error.value


def test_cost_widget_recovers_and_lists_unavailable_options() -> None:
    ui = make_cost_comparison_ui()
    ui.memory.value = 4096
    assert ui.result is None
    ui.memory.value = 1024
    assert ui.result is not None
    assert ui.error.value == ""
    ui.arch.value = "arm"
    ui.instance.value = "m7g.large"
    assert ui.result is not None
    assert "eks-fargate" in ui.result.unavailable
    assert "not possible" in ui.table.value


def test_cost_widget_uses_the_readers_table() -> None:
    mine = DEFAULT_PRICES.with_rate("alb", 1.0)
    ui = make_cost_comparison_ui(mine)
    assert ui.result is not None
    assert ui.result.options["ecs-fargate"].lines["load balancer"] == pytest.approx(
        730 * (1.0 + 0.008)
    )


def test_decision_helper_follows_the_questions() -> None:
    ui = make_decision_helper_ui()
    assert ui.result is not None
    assert ui.result.choice == "ECS on Fargate"
    assert "ECS on Fargate" in ui.answer.value
    ui.node_control.value = True
    assert ui.result.choice == "ECS on EC2"
    ui.kubernetes.value = "strong"
    assert ui.result.choice == "EKS on EC2 nodes"
    assert "aws-eks-fargate" in ui.answer.value  # the reasons show their sources
    ui.node_control.value = False
    ui.portable.value = True
    assert ui.result.choice == "EKS on Fargate"


def test_decision_helper_shows_errors_inline() -> None:
    ui = make_decision_helper_ui()
    ui.services.value = 0
    assert ui.result is None
    assert "at least one service" in ui.error.value
    assert ui.answer.value == ""
    ui.services.value = 3
    assert ui.result is not None
    assert ui.error.value == ""
