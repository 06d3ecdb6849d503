"""The decision helper: its rules, table-driven, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudlab.compute.decide import CHOICES, Answers, recommend

BIB = Path("book/references.bib").read_text(encoding="utf-8")

# (kubernetes, portable, services, node_control, load, ops_people) -> (choice, rule)
CASES = [
    # rule 1: node-level control needs EC2; under EKS if the team knows Kubernetes or must port
    (("none", False, 1, True, "bursty", 0), ("ECS on EC2", 1)),
    (("some", False, 3, True, "steady", 2), ("ECS on EC2", 1)),
    (("strong", False, 1, True, "bursty", 0), ("EKS on EC2 nodes", 1)),
    (("none", True, 1, True, "steady", 1), ("EKS on EC2 nodes", 1)),
    # rule 2: portability, or strong Kubernetes with 5+ services
    (("none", True, 1, False, "bursty", 0), ("EKS on Fargate", 2)),
    (("some", True, 2, False, "steady", 0), ("EKS on Fargate", 2)),
    (("some", True, 2, False, "steady", 2), ("EKS on EC2 nodes", 2)),
    (("strong", False, 5, False, "bursty", 3), ("EKS on Fargate", 2)),
    (("strong", False, 8, False, "steady", 3), ("EKS on EC2 nodes", 2)),
    # strong Kubernetes but only 4 services: not enough to pay for a cluster -> rule 3
    (("strong", False, 4, False, "steady", 3), ("ECS on Fargate", 3)),
    # rule 3: ECS; EC2 only for a steady fleet of 10+ services with someone to run it
    (("none", False, 1, False, "bursty", 0), ("ECS on Fargate", 3)),
    (("none", False, 12, False, "steady", 1), ("ECS on EC2", 3)),
    (("none", False, 12, False, "steady", 0), ("ECS on Fargate", 3)),
    (("some", False, 12, False, "bursty", 4), ("ECS on Fargate", 3)),
    (("some", False, 9, False, "steady", 4), ("ECS on Fargate", 3)),
]


@pytest.mark.parametrize(("answers", "expected"), CASES)
def test_rules(answers: tuple[object, ...], expected: tuple[str, int]) -> None:
    rec = recommend(Answers(*answers))
    assert (rec.choice, rec.rule) == expected
    assert rec.choice in CHOICES


@pytest.mark.parametrize(("answers", "_expected"), CASES)
def test_every_reason_cites_a_source_in_the_bibliography(
    answers: tuple[object, ...],
    _expected: object,
) -> None:
    rec = recommend(Answers(*answers))
    assert rec.reasons
    for reason in rec.reasons:
        assert f"{{{reason.source}," in BIB, reason.source
    assert rec.text().startswith(rec.choice)


def test_bursty_fargate_mentions_service_auto_scaling() -> None:
    rec = recommend(Answers(load="bursty"))
    assert "aws-ecs-service-autoscaling" in {r.source for r in rec.reasons}
    steady = recommend(Answers(load="steady"))
    assert "aws-ecs-service-autoscaling" not in {r.source for r in steady.reasons}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (Answers(kubernetes="expert"), "answer none, some or strong"),
        (Answers(load="spiky"), "answer steady or bursty"),
        (Answers(services=0), "at least one service"),
        (Answers(services=2.5), "a whole number of services"),  # type: ignore[arg-type]  # the wrong type is the test
        (Answers(ops_people=-1), "cannot be negative"),
    ],
)
def test_bad_answers_are_refused(answers: Answers, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        recommend(answers)
