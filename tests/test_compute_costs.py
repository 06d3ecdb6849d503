"""The cost model against hand-computed cases, its crossovers, and its refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cloudlab.compute.costs import (
    Workload,
    compare,
    cost_curve,
    cost_figure,
    crossovers,
    ecs_ec2,
    ecs_fargate,
    eks_ec2,
    eks_fargate,
    pack,
    shared_costs,
)
from cloudlab.compute.prices import DEFAULT_PRICES, Instance

# Prices of the default table (read 2026-11-28), written out so the arithmetic is visible.
VCPU, GB = 0.04048, 0.004445
ALB, LCU, NAT, NAT_GB, IPV4 = 0.0225, 0.008, 0.045, 0.045, 0.005
T3_MEDIUM, EKS = 0.0416, 0.10

W = Workload(tasks=4, cpu=256, memory=512, hours=730, traffic_gb=100, lcus=1, azs=2)


def test_shared_costs_by_hand() -> None:
    shared = shared_costs(W)
    assert shared["load balancer"] == pytest.approx(730 * (ALB + 1 * LCU))  # 22.265
    assert shared["NAT gateway"] == pytest.approx(730 * NAT + 100 * NAT_GB)  # 32.85 + 4.5
    # one address per AZ for the load balancer (2) and one for the NAT gateway
    assert shared["public IPv4"] == pytest.approx(3 * 730 * IPV4)  # 10.95
    assert sum(shared.values()) == pytest.approx(70.565)


def test_ecs_fargate_by_hand() -> None:
    b = ecs_fargate(W)
    # 4 tasks × 730 h × (0.25 vCPU × 0.04048 + 0.5 GB × 0.004445) = 2920 × 0.0123425
    assert b.lines["compute"] == pytest.approx(4 * 730 * (0.25 * VCPU + 0.5 * GB))
    assert b.lines["compute"] == pytest.approx(36.0401)
    assert b.lines["control plane"] == 0
    assert b.total == pytest.approx(36.0401 + 70.565)


def test_fargate_arm_uses_the_arm_rates() -> None:
    b = ecs_fargate(replace(W, arch="arm"))
    assert b.lines["compute"] == pytest.approx(4 * 730 * (0.25 * 0.03238 + 0.5 * 0.00356))


def test_ecs_ec2_packing_by_hand() -> None:
    # t3.medium: 2 vCPU = 2048 units, 4 GiB = 4096 MiB; 10% kept free -> 1843.2 units, 3686.4 MiB
    # -> 7 tasks of 256 units / 512 MiB fit; 4 tasks need 1 instance, but 2 AZs -> 2 instances.
    assert pack(W, "t3.medium") == (2, 7)
    b = ecs_ec2(W, "t3.medium")
    assert b.instances == 2
    assert b.lines["compute"] == pytest.approx(2 * 730 * T3_MEDIUM)  # 60.736
    # 15 tasks -> ceil(15 / 7) = 3 instances
    assert pack(replace(W, tasks=15), "t3.medium") == (3, 7)
    # one task -> one instance (never more instances than tasks)
    assert pack(replace(W, tasks=1), "t3.medium") == (1, 7)
    # memory-bound: 1 vCPU / 2 GB tasks -> min(1843 // 1024, 3686 // 2048) = 1 per instance
    assert pack(replace(W, cpu=1024, memory=2048), "t3.medium") == (4, 1)


def test_eks_adds_the_control_plane_and_rounds_pods_up() -> None:
    f = eks_fargate(W)
    # 512 MiB + 256 MiB -> the next Fargate size, 0.25 vCPU with 1 GB
    assert f.lines["compute"] == pytest.approx(4 * 730 * (0.25 * VCPU + 1 * GB))
    assert f.lines["control plane"] == pytest.approx(730 * EKS)  # 73.0
    extended = eks_fargate(W, extended=True)
    assert extended.lines["control plane"] == pytest.approx(730 * 0.60)
    n = eks_ec2(W, "t3.medium")
    assert n.lines["compute"] == pytest.approx(2 * 730 * T3_MEDIUM)
    assert n.total == pytest.approx(60.736 + 73.0 + 70.565)


def test_compare_lists_all_four_and_the_cheapest() -> None:
    result = compare(W)
    assert list(result.options) == ["ecs-fargate", "ecs-ec2", "eks-fargate", "eks-ec2"]
    assert result.cheapest().option == "ecs-fargate"  # 106.61 < 131.30 < 186.09 < 204.30
    assert result.unavailable == {}
    assert [round(row["total"], 2) for row in result.table()] == [106.61, 131.3, 186.09, 204.3]


def test_compare_says_why_an_option_cannot_run() -> None:
    arm = compare(replace(W, arch="arm"), "m7g.large")
    assert "eks-fargate" in arm.unavailable
    assert "x86" in arm.unavailable["eks-fargate"]
    assert "ecs-ec2" in arm.options
    mismatch = compare(W, "m7g.large")
    assert "arm instance but the image is built for x86" in mismatch.unavailable["ecs-ec2"]
    big = compare(replace(W, cpu=4096, memory=8192), "t3.medium")
    assert "does not fit on a t3.medium" in big.unavailable["ecs-ec2"]


def test_crossover_where_ec2_becomes_cheaper_by_hand() -> None:
    # ECS: Fargate costs 730 × 0.0123425 = 9.010025 per task; 2 t3.medium cost 60.736 for
    # up to 14 tasks. Fargate is cheaper while 9.010025 n < 60.736, i.e. up to n = 6
    # (54.06); from n = 7 (63.07) EC2 is cheaper. The shared pieces are the same for both.
    curves = cost_curve(W, 14)
    points = [p for p in crossovers(curves) if {p.cheaper, p.dearer} == {"ecs-fargate", "ecs-ec2"}]
    assert [(p.tasks, p.cheaper) for p in points] == [(7, "ecs-ec2")]
    assert curves["ecs-fargate"][5] < curves["ecs-ec2"][5]
    assert curves["ecs-fargate"][6] > curves["ecs-ec2"][6]
    # EKS: pods are 0.25 vCPU / 1 GB: 730 × 0.014565 = 10.63245 per pod; 5 pods 53.16 <
    # 60.736 < 6 pods 63.79 -> from 6 pods, EC2 nodes are cheaper.
    eks = [p for p in crossovers(curves) if p.cheaper == "eks-ec2"]
    assert [p.tasks for p in eks] == [6]


def test_crossovers_record_every_change_and_ignore_ties() -> None:
    curves = {"tasks": [1, 2, 3, 4, 5], "a": [1, 2, 3, 4, 5], "b": [2, 2, 2, 6, 4]}
    points = crossovers(curves, pairs=[("a", "b")])
    # a cheaper at 1; tie at 2 (no change); b cheaper at 3; a at 4; b at 5
    assert [(p.tasks, p.cheaper) for p in points] == [(3, "b"), (4, "a"), (5, "b")]
    assert crossovers(curves, pairs=[("a", "missing")]) == []


def test_reader_prices_change_the_answer() -> None:
    cheap = DEFAULT_PRICES.with_instance(
        Instance("t3.medium", 2, 4, 0.01, "x86", "", "2026-12-01", "mine")
    )
    assert compare(W, prices=cheap).cheapest().option == "ecs-ec2"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": -1}, "hours=-1: a month has 0 to 744 hours"),
        ({"hours": 800}, "a month has 0 to 744 hours"),
        ({"tasks": 0}, "tasks=0: run at least 1 task"),
        ({"tasks": 2.5}, "a whole number"),
        ({"cpu": 256, "memory": 4096}, "Fargate allows 512, 1024 or 2048 MiB with 0.25 vCPU"),
        ({"cpu": 100}, "cpu 100: a Fargate task has"),
        ({"traffic_gb": -5}, "traffic cannot be negative"),
        ({"lcus": -1}, "capacity units cannot be negative"),
        ({"azs": 1}, "at least 2 AZs"),
        ({"nat_gateways": -1}, "cannot be negative"),
        ({"arch": "sparc"}, "use 'x86' or 'arm'"),
    ],
)
def test_bad_inputs_are_refused_in_one_line(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        compare(replace(W, **change))  # type: ignore[arg-type]  # the wrong type is the test
    assert "\n" not in str(info.value)


def test_other_refusals() -> None:
    with pytest.raises(ValueError, match="not in the table"):
        compare(W, "z9.tiny")
    with pytest.raises(ValueError, match="reserve"):
        compare(W, reserve=1.0)
    with pytest.raises(ValueError, match="at least 1 task"):
        cost_curve(W, 0)


def test_zero_hours_costs_nothing_but_traffic() -> None:
    b = ecs_fargate(replace(W, hours=0))
    assert b.total == pytest.approx(100 * NAT_GB)


def test_figure_has_a_line_per_option_and_marks_crossovers() -> None:
    fig = cost_figure(W, 20)
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels == [
        "ECS on Fargate",
        "ECS on EC2 (t3.medium)",
        "EKS on Fargate",
        "EKS on EC2 nodes (t3.medium)",
    ]
    marked = sorted(text.get_text() for text in ax.texts)
    assert marked == ["6", "7"]


def test_the_chapter_quotes_what_the_model_computes() -> None:
    # The chapter's prose repeats some results; if the prices change, this says where.
    import json
    from pathlib import Path

    nb = json.loads(Path("notebooks/fargate-ecs-eks.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = " ".join(text.split())  # line breaks do not matter
    result = compare(W)
    fargate, ec2 = result.options["ecs-fargate"], result.options["ecs-ec2"]
    assert f"USD {fargate.lines['compute']:.2f} of compute" in text
    assert f"USD {ec2.lines['compute']:.2f}, paid" in text
    shared = shared_costs(W)
    assert f"USD {shared['NAT gateway']:.2f})" in text
    assert f"USD {shared['public IPv4']:.2f}." in text
    points = {(p.cheaper, p.tasks) for p in crossovers(cost_curve(W, 40))}
    assert ("ecs-ec2", 7) in points
    assert "cheaper from 7 tasks on" in text
    assert ("eks-ec2", 6) in points
    assert "crossover comes earlier, at 6" in text
