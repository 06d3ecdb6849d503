"""Where containers run on AWS: prices, a cost model, a decision helper, and EKS in the emulator."""

from cloudlab.compute.costs import (
    LABELS,
    OPTIONS,
    Breakdown,
    Comparison,
    Crossover,
    Workload,
    compare,
    cost_curve,
    cost_figure,
    crossovers,
)
from cloudlab.compute.prices import (
    DEFAULT_PRICES,
    FARGATE_SIZES,
    Instance,
    PriceTable,
    Rate,
    check_fargate_size,
)

__all__ = [
    "DEFAULT_PRICES",
    "FARGATE_SIZES",
    "LABELS",
    "OPTIONS",
    "Breakdown",
    "Comparison",
    "Crossover",
    "Instance",
    "PriceTable",
    "Rate",
    "Workload",
    "check_fargate_size",
    "compare",
    "cost_curve",
    "cost_figure",
    "crossovers",
]
