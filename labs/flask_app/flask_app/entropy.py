"""Published entropy figures for browser-fingerprint attributes, as data.

Each figure is the entropy (in bits) that one attribute had over the browsers a study
collected: the average surprise of that attribute's value, not the surprise of *your*
value. Adding the figures of several attributes assumes they are independent; they are
not (an iPhone user agent predicts the platform and the touch support), so the sum is an
upper bound on what the attributes together reveal.

Sources (bibliography keys in ``book/references.bib``):

- ``eckersley2010``: P. Eckersley, "How Unique Is Your Web Browser?", Privacy Enhancing
  Technologies (PETS 2010), LNCS 6205, pp. 1-18, Springer. Panopticlick, 470,161
  browsers; Table 1, "mean surprisal" of each variable in isolation.
- ``laperdrix2016``: P. Laperdrix, W. Rudametkin, B. Baudry, "Beauty and the Beast:
  Diverting modern web browsers to build unique browser fingerprints", IEEE Symposium on
  Security and Privacy (S&P 2016), pp. 878-894. AmIUnique, 118,934 fingerprints;
  the entropy column of its attribute table.

The book's entropy calculator imports :data:`FIGURES` (or :data:`BITS`) from here, so the
app and the book show the same cited numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

SOURCES: dict[str, str] = {
    "eckersley2010": (
        'P. Eckersley, "How Unique Is Your Web Browser?", PETS 2010, LNCS 6205, pp. 1-18'
    ),
    "laperdrix2016": (
        'P. Laperdrix, W. Rudametkin, B. Baudry, "Beauty and the Beast: Diverting modern '
        'web browsers to build unique browser fingerprints", IEEE S&P 2016, pp. 878-894'
    ),
}

#: Number of browsers each study's figures were measured on. No entropy measured on a
#: sample of N browsers can exceed log2(N) bits.
SAMPLE_SIZES: dict[str, int] = {"eckersley2010": 470_161, "laperdrix2016": 118_934}


@dataclass(frozen=True)
class EntropyFigure:
    """One published per-attribute entropy.

    Attributes
    ----------
    attribute : str
        The key the fingerprint page sends, e.g. ``"user_agent"``.
    label : str
        Human-readable name.
    bits : float
        Entropy of the attribute in the study's population, in bits.
    source : str
        Bibliography key of the study (see :data:`SOURCES`).
    measured_as : str
        What the study measured, in our words.
    """

    attribute: str
    label: str
    bits: float
    source: str
    measured_as: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return asdict(self)


_FIGURES = (
    # Eckersley 2010, Table 1 (Panopticlick).
    EntropyFigure("user_agent", "User agent", 10.0, "eckersley2010", "User-Agent header"),
    EntropyFigure(
        "plugins", "Browser plugins", 15.4, "eckersley2010", "list of plugins and their versions"
    ),
    EntropyFigure(
        "fonts", "System fonts", 13.9, "eckersley2010", "installed fonts (via Flash/Java)"
    ),
    EntropyFigure(
        "http_accept", "HTTP Accept headers", 6.09, "eckersley2010", "Accept-* request headers"
    ),
    EntropyFigure(
        "screen",
        "Screen size and colour depth",
        4.83,
        "eckersley2010",
        "screen size and colour depth",
    ),
    EntropyFigure("timezone", "Time zone", 3.04, "eckersley2010", "time zone offset"),
    EntropyFigure(
        "cookies_enabled", "Cookies enabled", 0.353, "eckersley2010", "whether cookies are enabled"
    ),
    # Laperdrix et al. 2016 (AmIUnique): attributes Panopticlick did not collect.
    EntropyFigure(
        "languages", "Languages", 5.92, "laperdrix2016", "Accept-Language (content language)"
    ),
    EntropyFigure("platform", "Platform", 2.31, "laperdrix2016", "navigator.platform"),
    EntropyFigure("do_not_track", "Do Not Track", 0.94, "laperdrix2016", "Do Not Track setting"),
    EntropyFigure("canvas", "Canvas", 8.28, "laperdrix2016", "hash of a rendered canvas image"),
    EntropyFigure("webgl_vendor", "WebGL vendor", 2.14, "laperdrix2016", "WebGL vendor string"),
    EntropyFigure(
        "webgl_renderer", "WebGL renderer", 3.41, "laperdrix2016", "WebGL renderer string"
    ),
)

#: One figure per attribute, keyed by the attribute name the fingerprint page sends.
FIGURES: dict[str, EntropyFigure] = {figure.attribute: figure for figure in _FIGURES}

#: The same figures, attribute -> bits, for quick use.
BITS: dict[str, float] = {name: figure.bits for name, figure in FIGURES.items()}

#: AmIUnique's figures for attributes both studies measured, to compare with Panopticlick's.
#: By 2016 plugins were being phased out and font lists came from JavaScript, not Flash.
LATER_FIGURES: dict[str, EntropyFigure] = {
    figure.attribute: figure
    for figure in (
        EntropyFigure("user_agent", "User agent", 9.78, "laperdrix2016", "User-Agent header"),
        EntropyFigure("plugins", "Browser plugins", 11.06, "laperdrix2016", "list of plugins"),
        EntropyFigure("fonts", "System fonts", 8.38, "laperdrix2016", "list of fonts (Flash)"),
    )
}

INDEPENDENCE_NOTE = (
    "The total adds per-attribute entropies, which assumes the attributes are independent. "
    "They are correlated, so the total is an upper bound, and each figure is a population "
    "average, not the rarity of your particular value."
)


@dataclass(frozen=True)
class BitsEstimate:
    """Per-attribute and total bits for a set of attributes.

    Attributes
    ----------
    attributes : dict
        Attribute name -> ``{"bits": float or None, "source": str or None}``; ``None``
        where no cited study published a figure for that attribute.
    total : float
        Sum of the known figures, in bits (an upper bound, see :data:`INDEPENDENCE_NOTE`).
    """

    attributes: dict[str, dict[str, object]]
    total: float

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict, with the independence caveat."""
        return {
            "attributes": self.attributes,
            "total": self.total,
            "total_is_upper_bound": True,
            "note": INDEPENDENCE_NOTE,
        }


def estimate_bits(attributes: Iterable[str]) -> BitsEstimate:
    """Look up the published entropy of each attribute and add them up.

    Parameters
    ----------
    attributes : iterable of str
        Attribute names, e.g. ``["user_agent", "timezone", "hardware_concurrency"]``.

    Returns
    -------
    BitsEstimate
        Known attributes carry their figure and source; unknown ones carry ``None``.

    Examples
    --------
    >>> estimate_bits(["user_agent", "timezone"]).total
    13.04
    """
    per: dict[str, dict[str, object]] = {}
    total = 0.0
    for name in sorted(set(attributes)):
        figure = FIGURES.get(name)
        if figure is None:
            per[name] = {"bits": None, "source": None}
        else:
            per[name] = {"bits": figure.bits, "source": figure.source}
            total += figure.bits
    return BitsEstimate(per, round(total, 3))


def anonymity_set(bits: float, population: float) -> float:
    """Expected number of people sharing a fingerprint worth ``bits`` in a population.

    Parameters
    ----------
    bits : float
        Identifying information, in bits (>= 0).
    population : float
        Number of people or browsers (> 0).

    Returns
    -------
    float
        ``population / 2**bits``, never below 1 (you are always in your own set).
    """
    if bits < 0 or math.isnan(bits):
        raise ValueError(f"bits={bits}: must be zero or more")
    if not population > 0:
        raise ValueError(f"population={population}: must be more than zero")
    return max(1.0, population / 2.0**bits)
