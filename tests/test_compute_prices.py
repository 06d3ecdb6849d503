"""The dated price table and the Fargate task sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cloudlab.compute.prices import (
    DEFAULT_PRICES,
    FARGATE_SIZES,
    INSTANCES,
    RATES,
    Instance,
    check_fargate_size,
    smallest_fargate_size,
)
from cloudlab.vpc.prices import PRICES as VPC_PRICES

BIB = Path("book/references.bib").read_text(encoding="utf-8")


def test_every_price_is_dated_sourced_and_cited() -> None:
    entries = [*RATES.values(), *INSTANCES.values()]
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.read), entry
        assert f"{{{entry.source}," in BIB, f"{entry.source} is not in book/references.bib"
    for rate in RATES.values():
        assert rate.unit
        assert rate.usd >= 0


def test_nat_and_ipv4_come_from_the_vpc_table() -> None:
    assert RATES["nat-hour"].usd == VPC_PRICES["nat-gateway"].usd_per_hour
    assert RATES["nat-gb"].usd == VPC_PRICES["nat-gateway"].usd_per_gb
    assert RATES["public-ipv4"].usd == VPC_PRICES["public-ipv4"].usd_per_hour


def test_no_region_is_written_into_the_table() -> None:
    text = repr(RATES) + repr(INSTANCES)
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central)", text)


def test_reader_can_edit_the_table_without_changing_the_default() -> None:
    mine = DEFAULT_PRICES.with_rate("eks-cluster", 0.12, read="2026-12-01", source="mine")
    assert mine.usd("eks-cluster") == 0.12
    assert mine.rates["eks-cluster"].read == "2026-12-01"
    assert DEFAULT_PRICES.usd("eks-cluster") == 0.10
    bigger = DEFAULT_PRICES.with_instance(
        Instance("m9.huge", 64, 256, 3.0, "x86", "", "2026-12-01", "mine")
    )
    assert bigger.instance("m9.huge").vcpu == 64
    assert "m9.huge" not in DEFAULT_PRICES.instances
    with pytest.raises(ValueError, match="cannot be negative"):
        DEFAULT_PRICES.with_rate("alb", -1)
    with pytest.raises(ValueError, match="not in the table"):
        DEFAULT_PRICES.instance("z1.tiny")
    with pytest.raises(ValueError, match="no price"):
        DEFAULT_PRICES.usd("nope")


def test_fargate_sizes_match_the_task_definition_reference() -> None:
    # 256: 512, 1024, 2048; 512: 1-4 GB; 1024: 2-8 GB; 2048: 4-16 GB; 4096: 8-30 GB (1 GB steps);
    # 8192: 16-60 GB in 4 GB steps; 16384: 32-120 GB in 8 GB steps.
    assert FARGATE_SIZES[256] == (512, 1024, 2048)
    assert FARGATE_SIZES[512] == (1024, 2048, 3072, 4096)
    assert FARGATE_SIZES[1024] == (2048, 3072, 4096, 5120, 6144, 7168, 8192)
    assert (FARGATE_SIZES[2048][0], FARGATE_SIZES[2048][-1], len(FARGATE_SIZES[2048])) == (
        4096,
        16384,
        13,
    )
    assert (FARGATE_SIZES[4096][0], FARGATE_SIZES[4096][-1], len(FARGATE_SIZES[4096])) == (
        8192,
        30720,
        23,
    )
    assert FARGATE_SIZES[8192] == tuple(range(16 * 1024, 60 * 1024 + 1, 4 * 1024))
    assert FARGATE_SIZES[16384] == tuple(range(32 * 1024, 120 * 1024 + 1, 8 * 1024))
    assert sum(len(m) for m in FARGATE_SIZES.values()) == 3 + 4 + 7 + 13 + 23 + 12 + 12


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [(256, 512), (256, 2048), (512, 4096), (1024, 8192), (4096, 30720), (16384, 122880)],
)
def test_valid_sizes_pass(cpu: int, memory: int) -> None:
    assert check_fargate_size(cpu, memory) == (cpu, memory)


@pytest.mark.parametrize(
    ("cpu", "memory", "message"),
    [
        (
            256,
            4096,
            "cpu 256 with memory 4096: Fargate allows 512, 1024 or 2048 MiB with 0.25 vCPU",
        ),
        (512, 512, "cpu 512 with memory 512: Fargate allows 1024, 2048, 3072 or 4096 MiB"),
        (2048, 3000, "4096 to 16384 MiB in steps of 1024 with 2 vCPU"),
        (8192, 18432, "16384 to 61440 MiB in steps of 4096 with 8 vCPU"),
        (300, 512, "cpu 300: a Fargate task has 256, 512, 1024"),
        (0, 512, "cpu 0:"),
    ],
)
def test_invalid_sizes_say_what_is_allowed(cpu: int, memory: int, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        check_fargate_size(cpu, memory)
    assert "\n" not in str(info.value)


def test_eks_rounding_up_to_a_fargate_size() -> None:
    # 256 units and 512 + 256 MiB -> 0.25 vCPU with 1 GB; 1 vCPU and 8 GB + 256 MiB -> 2 vCPU, 9 GB
    assert smallest_fargate_size(256, 768) == (256, 1024)
    assert smallest_fargate_size(1024, 8192 + 256) == (2048, 9216)
    assert smallest_fargate_size(100, 100) == (256, 512)
    with pytest.raises(ValueError, match="larger than any Fargate size"):
        smallest_fargate_size(16384, 200_000)
    with pytest.raises(ValueError, match="positive"):
        smallest_fargate_size(0, 512)
