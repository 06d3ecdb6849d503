"""One place that checks numbers typed or passed by a reader: a value or a one-line ValueError.

Every public function that takes a number from a reader uses :func:`number` or
:func:`whole`, so NaN, infinities, huge integers (``10**400`` overflows a float), text and
``None`` all end as the same kind of message: ``"hours=None: expected a number"``.
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["digits", "number", "whole"]

_DIGITS = re.compile(r"[0-9]{1,4000}")  # ASCII only: "²".isdigit() and "٦٤".isdigit() are True


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _figure(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return f"{value:,}"


def _bounds(name: str, value: float, low: float | None, high: float | None, hint: str) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            span = f"from {_figure(low)} to {_figure(high)}"
        elif low is not None:
            span = f"at least {_figure(low)}"
        else:
            assert high is not None
            span = f"at most {_figure(high)}"
        raise ValueError(f"{name}={_show(value)}: must be {span}{hint}")


def number(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    hint: str = "",
) -> float:
    """Return ``value`` as a finite float within ``[low, high]``, else raise ValueError.

    Parameters
    ----------
    name : str
        What the reader calls the value (a parameter or a control label).
    value : object
        The value to check; bools, text and None are refused.
    low, high : float, optional
        Inclusive bounds.
    hint : str
        Appended to the message, e.g. ``" (a month has 744 hours at most)"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}={_show(value)}: expected a number")
    # An Integral compares with a float at run time; numbers' stubs do not say so.
    if isinstance(value, numbers.Integral) and high is not None and value > high:  # type: ignore[operator]  # an Integral compares with a float; numbers has no stubs saying so
        _bounds(name, int(value), low, high, hint)  # before float() can overflow
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{name}={_show(value)}: the number is too large") from None
    if not math.isfinite(result):
        raise ValueError(f"{name}={_show(value)}: expected a finite number")
    _bounds(name, result, low, high, hint)
    return result


def whole(
    name: str,
    value: object,
    low: int | None = None,
    high: int | None = None,
    hint: str = "",
) -> int:
    """Return ``value`` as an int within ``[low, high]``, else raise ValueError.

    A float with no fractional part (``2.0``) is accepted; ``2.5``, NaN and text are not.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}={_show(value)}: expected a whole number")
    if not isinstance(value, numbers.Integral):
        checked = number(name, value)
        if not checked.is_integer():
            raise ValueError(f"{name}={_show(value)}: expected a whole number")
        value = int(checked)
    result = int(value)
    _bounds(name, result, low, high, hint)
    return result


def digits(text: object) -> int | None:
    """Return the int that ``text`` spells in ASCII digits 0-9, or None for anything else.

    ``str.isdigit`` is True for "²" and "٦٤", which ``int()`` then refuses (or reads as an
    Arabic-Indic 64): parsers of typed numbers use this instead.
    """
    return int(text) if isinstance(text, str) and _DIGITS.fullmatch(text) else None
