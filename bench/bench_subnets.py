"""Benchmark: one page of subnets costs the same whatever the size of the space.

Run with ``.venv/bin/python bench/bench_subnets.py`` (or ``make bench``). For three
splits of very different sizes it times one page near the end with
:func:`cloudlab.net.subnet_page`, reports the peak memory of that call, the ratio of
the slowest to the fastest case (target: at most 1.5), and, where it finishes in a
few seconds, how long naive enumeration with ``ipaddress``'s ``subnets()`` takes to
reach the same page.

Timings are the minimum over many repetitions, which is the least noisy estimate of
the cost of the code itself. Nothing here asserts on time: it only reports.
"""

from __future__ import annotations

import ipaddress
import itertools
import sys
import time
import timeit
import tracemalloc

from cloudlab.net import subnet_count, subnet_page

CASES = (
    ("10.0.0.0/24", 30),
    ("10.0.0.0/8", 30),
    ("2001:db8::/32", 64),
)
PER_PAGE = 16
TARGET_RATIO = 1.5
NAIVE_BUDGET_S = 5.0  # only enumerate when the estimate is below this
REPEAT = 15
SAMPLE = 20_000  # subnets enumerated to estimate the naive rate


def page_near_end(cidr: str, prefix: int) -> int:
    """The last page number for this split (the slowest place for enumeration)."""
    return -(-subnet_count(cidr, prefix) // PER_PAGE)


def time_page(cidr: str, prefix: int, page: int) -> float:
    """Best time in seconds for one call of ``subnet_page``."""
    timer = timeit.Timer(lambda: subnet_page(cidr, prefix, page=page, per_page=PER_PAGE))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEAT, number=number)) / number


def peak_memory(cidr: str, prefix: int, page: int) -> int:
    """Peak bytes allocated during one call of ``subnet_page``."""
    tracemalloc.start()
    subnet_page(cidr, prefix, page=page, per_page=PER_PAGE)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def naive(cidr: str, prefix: int, page: int) -> tuple[str, float | None]:
    """Enumerate ``subnets()`` up to the page, if that is quick enough.

    Returns a description and the measured time in seconds (None when skipped).
    """
    network = ipaddress.ip_network(cidr)
    stop = page * PER_PAGE
    start = stop - PER_PAGE
    began = time.perf_counter()
    sample = list(itertools.islice(network.subnets(new_prefix=prefix), min(SAMPLE, stop)))
    rate = len(sample) / max(time.perf_counter() - began, 1e-9)  # subnets per second
    estimate = stop / rate
    if estimate > NAIVE_BUDGET_S:
        exponent = (stop - 1).bit_length()
        return (f"skipped: would enumerate ~2^{exponent} subnets (~{estimate:,.0f} s)", None)
    began = time.perf_counter()
    page_subnets = list(itertools.islice(network.subnets(new_prefix=prefix), start, stop))
    elapsed = time.perf_counter() - began
    expected = subnet_page(cidr, prefix, page=page, per_page=PER_PAGE).subnets
    assert tuple(page_subnets) == expected, "naive and paged results differ"
    return (f"{elapsed * 1e3:,.1f} ms ({stop:,} subnets enumerated)", elapsed)


def main() -> int:
    """Print the table; return 0."""
    print(f"One page of {PER_PAGE} subnets near the end of the split (best of {REPEAT} runs)")
    print(f"Python {sys.version.split()[0]}\n")
    header = f"{'split':<24}{'subnets':>16}{'page':>14}{'time/page':>12}{'peak mem':>11}  naive"
    print(header)
    print("-" * (len(header) + 40))
    times = []
    for cidr, prefix in CASES:
        page = page_near_end(cidr, prefix)
        seconds = time_page(cidr, prefix, page)
        times.append(seconds)
        peak = peak_memory(cidr, prefix, page)
        naive_text, _ = naive(cidr, prefix, page)
        print(
            f"{cidr + ' -> /' + str(prefix):<24}{subnet_count(cidr, prefix):>16,}{page:>14,}"
            f"{seconds * 1e6:>9.1f} us{peak / 1024:>8.1f} KiB  {naive_text}"
        )
    ratio = max(times) / min(times)
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"\nslowest / fastest page: {ratio:.2f} ({verdict} the target of {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
