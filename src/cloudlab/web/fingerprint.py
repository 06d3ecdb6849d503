"""Browser-fingerprint entropy: how many bits some attributes reveal, and what that means.

Two ways to count the bits:

* **Published figures.** :func:`estimate_bits` adds up the per-attribute entropies that
  large studies measured (Eckersley 2010, Laperdrix et al. 2016). The figures live in one
  place only, the Flask lab's ``flask_app/entropy.py``, which this module imports from
  the installed lab, so the book and the running app always show the same cited numbers. Adding them
  assumes the attributes are independent; they are not, so the sum is an **upper bound**.
* **Measured data.** :func:`measure_entropy` takes a list of observed fingerprints and
  computes the Shannon entropy of each attribute and of the whole fingerprint. On real
  (correlated) data the joint entropy comes out *below* the sum, which is the
  independence caveat made visible.

Then :func:`crowd` turns bits into what they mean for one browser among ``population``
others: "1 in N", the expected anonymity set, and the chance of being unique.

All functions are pure: no I/O after the figures are loaded, and a :class:`ValueError`
with a message a learner can act on for bad input.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudlab.checks import items, show

if sys.platform == "emscripten":
    # The book's in-browser calculators (Pyodide) have no Flask: the site's build bundles
    # the lab's figures as JSON (cloudlab.web.fingerprint_data, tools/build_live.py).
    from cloudlab.web.fingerprint_data import load_bundled

    entropy: Any = load_bundled()
else:
    from flask_app import entropy

__all__ = [
    "FIGURES",
    "INDEPENDENCE_NOTE",
    "LATER_FIGURES",
    "SAMPLE_SIZES",
    "SOURCES",
    "CrowdEstimate",
    "EntropyEstimate",
    "MeasuredEntropy",
    "anonymity_set",
    "bits_to_single_out",
    "crowd",
    "estimate_bits",
    "example_fingerprints",
    "measure_entropy",
    "one_in",
    "shannon_entropy",
    "unique_probability",
]

#: The cited figures live in the lab app's own module (the app must stay standalone, so
#: the book imports the app's package rather than the other way round).
_ENTROPY = entropy

#: Attribute name -> the lab's ``EntropyFigure`` (label, bits, source, what was measured).
FIGURES: Mapping[str, Any] = _ENTROPY.FIGURES
#: AmIUnique's 2016 figures for attributes Panopticlick measured in 2010, to compare.
LATER_FIGURES: Mapping[str, Any] = _ENTROPY.LATER_FIGURES
#: Bibliography key -> short reference of each study.
SOURCES: Mapping[str, str] = _ENTROPY.SOURCES
#: Bibliography key -> number of browsers the study measured.
SAMPLE_SIZES: Mapping[str, int] = _ENTROPY.SAMPLE_SIZES
#: One sentence on why the sum of the figures is an upper bound.
INDEPENDENCE_NOTE: str = _ENTROPY.INDEPENDENCE_NOTE


#: The most bits taken: 2**1000 still fits a float (more would overflow), and no
#: fingerprint carries more than a few dozen bits.
MAX_BITS = 1000
#: The largest population taken (far above the number of browsers on Earth).
MAX_POPULATION = 1e15


def _check_bits(bits: float) -> float:
    if isinstance(bits, bool) or not isinstance(bits, int | float):
        raise ValueError(f"bits={bits!r:.40}: must be a number of bits, e.g. 18.1")
    if isinstance(bits, int) and bits < 0:
        raise ValueError(f"bits={str(bits)[:12]}: must be a finite number, zero or more")
    if isinstance(bits, int) and bits > MAX_BITS:  # before float() overflows
        raise ValueError(f"bits={str(bits)[:12]}: must be from 0 to {MAX_BITS} bits")
    if math.isnan(bits) or math.isinf(bits) or bits < 0:
        raise ValueError(f"bits={bits}: must be a finite number, zero or more")
    if bits > MAX_BITS:  # 2**bits would overflow a float
        raise ValueError(f"bits={bits:g}: must be from 0 to {MAX_BITS} bits")
    return float(bits)


def _check_population(population: float) -> float:
    if isinstance(population, bool) or not isinstance(population, int | float):
        raise ValueError(
            f"population={population!r:.40}: must be a number of browsers, e.g. 1_000_000"
        )
    if isinstance(population, int) and population < 1:
        raise ValueError(
            f"population={str(population)[:12]}: there must be at least one browser (yours)"
        )
    if isinstance(population, int) and population > MAX_POPULATION:  # before float()
        raise ValueError(
            f"population={str(population)[:12]}...: must be from 1 to {MAX_POPULATION:g} browsers"
        )
    if math.isnan(population) or math.isinf(population):
        raise ValueError(f"population={population}: must be a finite number of browsers")
    if population < 1:
        raise ValueError(f"population={population:g}: there must be at least one browser (yours)")
    if population > MAX_POPULATION:
        raise ValueError(
            f"population={population:g}: must be from 1 to {MAX_POPULATION:g} browsers"
        )
    return float(population)


# --------------------------------------------------------------------------------------
# Published figures
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntropyEstimate:
    """The published bits of a set of attributes, added up.

    Attributes
    ----------
    attributes : tuple of str
        The attributes, in the order given (duplicates dropped).
    per_attribute : tuple of (str, float, str)
        ``(attribute, bits, source key)`` for each attribute.
    bits : float
        Their sum, in bits. An **upper bound** on what the attributes reveal together:
        see :data:`INDEPENDENCE_NOTE`.
    upper_bound : bool
        Always True: a reminder that the sum assumes independent attributes.
    note : str
        The independence caveat, in one sentence.
    """

    attributes: tuple[str, ...]
    per_attribute: tuple[tuple[str, float, str], ...]
    bits: float
    upper_bound: bool = True
    note: str = INDEPENDENCE_NOTE

    @property
    def one_in(self) -> float:
        """``2**bits``: at best, one browser in this many shares the fingerprint."""
        return one_in(self.bits)

    @property
    def sources(self) -> tuple[str, ...]:
        """Bibliography keys of the studies the figures come from, without repeats."""
        return tuple(dict.fromkeys(source for _, _, source in self.per_attribute))


def _names(attributes: object) -> tuple[str, ...]:
    """Attribute names, once each in order: one name, or a list of them."""
    names = [attributes] if isinstance(attributes, str) else items("attributes", attributes)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"attribute names are text, not {type(name).__name__} ({show(name)})")
    return tuple(dict.fromkeys(names))


def estimate_bits(attributes: Iterable[str] | str) -> EntropyEstimate:
    """Add up the published entropy of each chosen attribute.

    Each figure is the entropy one attribute had in a large study's population of
    browsers, in bits (see :data:`FIGURES`). Adding them gives the information the
    attributes would carry together **if they were independent**. They are not: a user
    agent that says "iPhone" already tells you the platform, the touch support and most
    of the screen size, so those attributes share information and the true joint
    entropy of the set is lower. The sum is therefore an upper bound (and each figure
    is a population average, not the rarity of one particular browser's value).
    :func:`measure_entropy` shows the gap on data.

    Parameters
    ----------
    attributes : iterable of str, or str
        Attribute names, e.g. ``["user_agent", "timezone"]``; one name may be given as
        a plain string. Repeated names count once. An empty selection is 0 bits.

    Returns
    -------
    EntropyEstimate
        Per-attribute figures and their sum, in bits.

    Raises
    ------
    ValueError
        For a name with no published figure; the message lists the names there are.

    Examples
    --------
    >>> estimate_bits(["user_agent", "timezone"]).bits
    13.04
    """
    chosen = _names(attributes)
    unknown = [name for name in chosen if name not in FIGURES]
    if unknown:
        known = ", ".join(sorted(FIGURES))
        raise ValueError(
            f"{', '.join(map(repr, unknown))}: no published entropy figure; choose from {known}"
        )
    per = tuple((name, FIGURES[name].bits, FIGURES[name].source) for name in chosen)
    return EntropyEstimate(chosen, per, round(math.fsum(bits for _, bits, _ in per), 3))


# --------------------------------------------------------------------------------------
# What bits mean in a crowd
# --------------------------------------------------------------------------------------


def one_in(bits: float) -> float:
    """How many browsers, at best, share one fingerprint: ``2**bits``.

    Parameters
    ----------
    bits : float
        Identifying information, in bits (>= 0).

    Returns
    -------
    float
        ``2**bits`` (18.1 bits: about 1 in 280,000).

    Raises
    ------
    ValueError
        For negative, infinite or non-numeric bits.
    """
    return 2.0 ** _check_bits(bits)


def anonymity_set(bits: float, population: float) -> float:
    """Expected number of browsers that share your fingerprint, yourself included.

    With ``bits`` of identifying information the population splits into about
    ``2**bits`` equally likely fingerprints, so each holds ``population / 2**bits``
    browsers on average. Below one the answer is 1: you are always in your own set.

    Parameters
    ----------
    bits : float
        Identifying information, in bits (>= 0).
    population : float
        Number of browsers, at least 1.

    Returns
    -------
    float
        ``max(1, population / 2**bits)``, in browsers.

    Raises
    ------
    ValueError
        For negative bits or a population below one browser.
    """
    bits = _check_bits(bits)
    population = _check_population(population)
    return max(1.0, population / 2.0**bits)


def unique_probability(bits: float, population: float) -> float:
    """Chance that no other browser in the population has your fingerprint.

    Uniform model: ``2**bits`` fingerprints, each browser draws one independently and
    with equal probability. Each of the other ``population - 1`` browsers then misses
    yours with probability ``1 - 2**-bits``, so the chance of being unique is
    ``(1 - 2**-bits) ** (population - 1)``. Real fingerprints are far from uniform
    (many people share the most common configurations, a few are rare), so read this
    as an illustration, not a measurement.

    Parameters
    ----------
    bits : float
        Identifying information, in bits (>= 0).
    population : float
        Number of browsers, at least 1 (yours).

    Returns
    -------
    float
        A probability between 0 and 1.

    Raises
    ------
    ValueError
        For negative bits or a population below one browser.
    """
    bits = _check_bits(bits)
    population = _check_population(population)
    others = population - 1
    if others == 0:
        return 1.0
    if bits == 0:
        return 0.0
    # exp and log1p keep the precision when 2**-bits is tiny and the population huge.
    return math.exp(others * math.log1p(-(2.0**-bits)))


def bits_to_single_out(population: float) -> float:
    """Bits needed for an expected anonymity set of one: ``log2(population)``.

    Parameters
    ----------
    population : float
        Number of browsers (or people), at least 1.

    Returns
    -------
    float
        In bits; about 32.9 for 8.2 billion.

    Raises
    ------
    ValueError
        For a population below one.
    """
    return math.log2(_check_population(population))


@dataclass(frozen=True)
class CrowdEstimate:
    """What some bits of fingerprint mean for one browser among many.

    Attributes
    ----------
    bits : float
        Identifying information, in bits.
    population : float
        Number of browsers.
    one_in : float
        ``2**bits``.
    anonymity_set : float
        Expected browsers sharing the fingerprint, yourself included (>= 1).
    unique_probability : float
        Chance that no other browser shares it (uniform model).
    bits_to_single_out : float
        ``log2(population)``: the bits at which the expected set shrinks to one.
    """

    bits: float
    population: float
    one_in: float
    anonymity_set: float
    unique_probability: float
    bits_to_single_out: float

    @property
    def singled_out(self) -> bool:
        """True when the bits are enough to expect a set of one in this population."""
        return self.bits >= self.bits_to_single_out


def crowd(bits: float | EntropyEstimate, population: float) -> CrowdEstimate:
    """Everything :mod:`this module <cloudlab.web.fingerprint>` says about bits in a crowd.

    Parameters
    ----------
    bits : float or EntropyEstimate
        Identifying information, in bits, or an estimate from :func:`estimate_bits`.
    population : float
        Number of browsers, at least 1.

    Returns
    -------
    CrowdEstimate

    Raises
    ------
    ValueError
        For negative bits or a population below one browser.

    Examples
    --------
    >>> round(crowd(10, 1_000_000).anonymity_set, 1)
    976.6
    """
    value = bits.bits if isinstance(bits, EntropyEstimate) else bits
    return CrowdEstimate(
        bits=_check_bits(value),
        population=_check_population(population),
        one_in=one_in(value),
        anonymity_set=anonymity_set(value, population),
        unique_probability=unique_probability(value, population),
        bits_to_single_out=bits_to_single_out(population),
    )


# --------------------------------------------------------------------------------------
# Measured data
# --------------------------------------------------------------------------------------


def _freeze(value: object) -> Hashable:
    """Turn a JSON-like value into something hashable that compares like it."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        # Sort on the keys alone (with their type: 1 and "1" differ), never on the values,
        # which need not be comparable (None and 3).
        items = (((type(key).__name__, str(key)), _freeze(item)) for key, item in value.items())
        return tuple(sorted(items, key=lambda pair: pair[0]))
    if isinstance(value, set | frozenset):
        return tuple(sorted(json.dumps(item, sort_keys=True, default=str) for item in value))
    try:
        hash(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)
    return value  # type: ignore[return-value]  # hash() just succeeded: it is Hashable


def shannon_entropy(values: Iterable[Hashable]) -> float:
    """Shannon entropy of the observed values, in bits.

    ``H = -sum(p * log2(p))`` over the distinct values, where ``p`` is each value's
    share of the observations. Two equally common values give 1 bit; one value only
    gives 0; ``n`` observations can never give more than ``log2(n)``.

    Parameters
    ----------
    values : iterable of hashable
        One observation per item.

    Returns
    -------
    float
        Entropy in bits (0.0 for no observations).
    """
    if isinstance(values, Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"values={show(values)}: expected the observations, one per item")
    try:
        counts = Counter(values)
    except TypeError:
        raise ValueError(
            "each observation must be hashable (text, a number, a tuple), not a list or a dict"
        ) from None
    total = sum(counts.values())
    if total == 0:
        return 0.0
    entropy = -math.fsum(count / total * math.log2(count / total) for count in counts.values())
    return abs(entropy)  # -0.0 -> 0.0


@dataclass(frozen=True)
class MeasuredEntropy:
    """Entropy measured on a set of observed fingerprints.

    Attributes
    ----------
    count : int
        Number of fingerprints observed.
    attributes : tuple of str
        The attributes measured.
    per_attribute : dict
        Attribute -> its entropy over the observations, in bits.
    joint : float
        Entropy of the whole fingerprint (all the attributes together), in bits.
    distinct : int
        Number of different fingerprints seen.
    unique : int
        Number of fingerprints seen exactly once (browsers alone in their set).
    """

    count: int
    attributes: tuple[str, ...]
    per_attribute: dict[str, float] = field(hash=False)
    joint: float
    distinct: int
    unique: int

    @property
    def sum_of_parts(self) -> float:
        """Sum of the per-attribute entropies, in bits: what the independence model says."""
        return math.fsum(self.per_attribute.values())

    @property
    def shared(self) -> float:
        """How much the sum overstates the joint entropy, in bits (never negative).

        Information theory calls it the *total correlation* of the attributes: zero
        only when they are independent.
        """
        return max(0.0, self.sum_of_parts - self.joint)

    @property
    def max_bits(self) -> float:
        """``log2(count)``: the most entropy this many observations can show, in bits."""
        return math.log2(self.count)

    @property
    def unique_share(self) -> float:
        """Share of the observed browsers whose fingerprint nobody else had."""
        return self.unique / self.count


def measure_entropy(
    fingerprints: Sequence[Mapping[str, object]], attributes: Iterable[str] | None = None
) -> MeasuredEntropy:
    """Measure the entropy of each attribute and of the joint fingerprint on real data.

    Parameters
    ----------
    fingerprints : sequence of dict
        One dict per observed browser, attribute name -> value (text, numbers, lists
        such as the languages, or None). A missing attribute counts as the value None.
    attributes : iterable of str, optional
        Which attributes to measure; by default every name that appears in any
        fingerprint, in order of first appearance.

    Returns
    -------
    MeasuredEntropy
        Per-attribute and joint entropies in bits, and how many fingerprints were
        distinct and unique. ``joint <= sum_of_parts`` always, with equality only for
        independent attributes.

    Raises
    ------
    ValueError
        For no fingerprints, an entry that is not a dict, no attributes, or an
        attribute that appears in none of the fingerprints.
    """
    if isinstance(fingerprints, Mapping | str | bytes):
        raise ValueError("give a list of fingerprints (one dict per browser), not a single one")
    rows = items("fingerprints", fingerprints, what="a list of fingerprints (one dict each)")
    if not rows:
        raise ValueError("no fingerprints: give at least one dict of attributes")
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(
                f"fingerprint {index} is a {type(row).__name__}, not a dict of attributes"
            )
    seen = tuple(dict.fromkeys(name for row in rows for name in row))
    if attributes is None:
        names = seen
    else:
        names = _names(attributes)
        missing = [name for name in names if name not in seen]
        if missing:
            raise ValueError(
                f"{', '.join(map(repr, missing))}: in none of the {len(rows)} fingerprints"
            )
    if not names:
        raise ValueError("no attributes to measure: the fingerprints are all empty")
    columns = {name: [_freeze(row.get(name)) for row in rows] for name in names}
    per = {name: shannon_entropy(column) for name, column in columns.items()}
    joint_values = list(zip(*columns.values(), strict=True))
    counts = Counter(joint_values)
    return MeasuredEntropy(
        count=len(rows),
        attributes=names,
        per_attribute=per,
        joint=shannon_entropy(joint_values),
        distinct=len(counts),
        unique=sum(1 for n in counts.values() if n == 1),
    )


# A small, made-up population in which attributes go together the way they do in life:
# the kind of device fixes the platform and the touch support and narrows down the
# browser and the screen; the time zone has nothing to do with the device.
_DEVICES: tuple[tuple[str, float, str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    # kind, share, platform, touch points, user agents, screens
    ("iPhone", 0.30, "iPhone", 5, ("Mobile Safari 18", "Mobile Safari 17"),
     ("390x844x24", "393x852x24", "430x932x24")),
    ("Android phone", 0.25, "Linux armv81", 5, ("Chrome Mobile 130", "Samsung Internet 26"),
     ("412x915x24", "360x800x24", "384x854x24")),
    ("Windows PC", 0.30, "Win32", 0, ("Chrome 130 Windows", "Edge 130 Windows",
     "Firefox 132 Windows"), ("1920x1080x24", "1366x768x24", "1536x864x24")),
    ("Mac", 0.15, "MacIntel", 0, ("Safari 18 macOS", "Chrome 130 macOS"),
     ("1440x900x30", "1512x982x30")),
)  # fmt: skip
_TIMEZONES = ("Europe/Paris", "Europe/London", "America/New_York", "Asia/Tokyo")


def example_fingerprints(count: int = 2000, seed: int = 7) -> list[dict[str, object]]:
    """Make a reproducible population of made-up fingerprints with correlated attributes.

    The device kind (iPhone, Android phone, Windows PC, Mac) decides the ``platform``
    and ``touch_points`` and narrows the ``user_agent`` and ``screen``; ``timezone`` is
    drawn independently. Useful to see :func:`measure_entropy` find a joint entropy well
    below the sum of the parts.

    Parameters
    ----------
    count : int, default 2000
        Number of fingerprints (1 to 1,000,000).
    seed : int, default 7
        Seed of the random generator: the same seed gives the same list.

    Returns
    -------
    list of dict
        Attributes ``user_agent``, ``platform``, ``touch_points``, ``screen``,
        ``timezone``.

    Raises
    ------
    ValueError
        For a count outside 1 to 1,000,000.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1_000_000:
        raise ValueError(f"count={count!r}: make between 1 and 1,000,000 fingerprints")
    rng = random.Random(seed)
    kinds = list(_DEVICES)
    weights = [device[1] for device in _DEVICES]
    population = []
    for _ in range(count):
        _, _, platform, touch, agents, screens = rng.choices(kinds, weights)[0]
        population.append(
            {
                "user_agent": rng.choice(agents),
                "platform": platform,
                "touch_points": touch,
                "screen": rng.choice(screens),
                "timezone": rng.choice(_TIMEZONES),
            }
        )
    return population
