"""One place that checks values typed or passed by a reader: a value or a one-line ValueError.

Every public function that takes a number from a reader uses :func:`number` or
:func:`whole`, so NaN, infinities, huge integers (``10**400`` overflows a float), text and
``None`` all end as the same kind of message: ``"hours=None: expected a number"``.
:func:`series` does the same for every item of a list of numbers, :func:`instance`,
:func:`text` and :func:`items` for the other kinds a public function takes (one of the
book's objects, text, a list). A module that words its own messages (the simulations say
"the duration must be ...") reads a number with :func:`finite` and shows the value it
refuses with :func:`show`; a message that quotes typed text uses :func:`one_line`, so a
line break in the text never splits the message. A dataclass that takes a reader's
values calls :func:`fields` first in its ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

__all__ = [
    "digits",
    "fields",
    "finite",
    "instance",
    "items",
    "number",
    "one_line",
    "series",
    "show",
    "text",
    "whole",
]

T = TypeVar("T")

_DIGITS = re.compile(r"[0-9]{1,4000}")  # ASCII only: "²".isdigit() and "٦٤".isdigit() are True


def show(value: object) -> str:
    """``value`` as a message shows it: one short line (``repr``, cut at 40 characters).

    >>> show(10**400)
    '1000000000000000000000000000000000000...'
    """
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _figure(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return f"{value:,}"


def one_line(text: object) -> str:
    """``text`` as a message quotes what the reader typed: as it is if it is one line,
    else as :func:`show` writes it (a line break inside would split the message).

    >>> one_line("10.0.0.0/33"), one_line("0\\n0")
    ('10.0.0.0/33', "'0\\\\n0'")
    """
    shown = str(text)
    return show(text) if shown and shown.splitlines() != [shown] else shown


def _bounds(name: str, value: float, low: float | None, high: float | None, hint: str) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            span = f"from {_figure(low)} to {_figure(high)}"
        elif low is not None:
            span = f"at least {_figure(low)}"
        else:
            assert high is not None
            span = f"at most {_figure(high)}"
        raise ValueError(f"{one_line(name)}={show(value)}: must be {span}{hint}")


def number(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    hint: str = "",
    *,
    infinite: bool = False,
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
    infinite : bool
        Also accept ``inf`` and ``-inf`` (within the bounds), e.g. for "no cooldown yet".
        NaN is always refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{one_line(name)}={show(value)}: expected a number")
    # An Integral compares with a float at run time; numbers' stubs do not say so.
    if isinstance(value, numbers.Integral) and high is not None and value > high:  # type: ignore[operator]  # an Integral compares with a float; numbers has no stubs saying so
        _bounds(name, int(value), low, high, hint)  # before float() can overflow
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{one_line(name)}={show(value)}: the number is too large") from None
    if math.isnan(result) or (math.isinf(result) and not infinite):
        raise ValueError(f"{one_line(name)}={show(value)}: expected a finite number")
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
        raise ValueError(f"{one_line(name)}={show(value)}: expected a whole number")
    if not isinstance(value, numbers.Integral):
        checked = number(name, value)
        if not checked.is_integer():
            raise ValueError(f"{one_line(name)}={show(value)}: expected a whole number")
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


def finite(value: object) -> float | None:
    """Return ``value`` as a float if it is a finite real number, else None.

    For modules that word their own messages: text, None, bools, NaN, infinities and
    integers too large for a float are all None, never an exception.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        result = float(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def instance(name: str, value: object, kind: type[T], what: str = "") -> T:
    """Return ``value`` if it is a ``kind``, else raise ValueError.

    ``what`` names the kind for the message (default: "a" and the class name), e.g.
    ``instance("workload", None, Workload)`` says ``"workload=None: expected a Workload"``.
    """
    if not isinstance(kind, type):
        raise ValueError(f"kind={show(kind)}: expected a class to check {one_line(name)} against")
    if not isinstance(value, kind):
        raise ValueError(f"{one_line(name)}={show(value)}: expected {what or 'a ' + kind.__name__}")
    return value


def text(name: str, value: object, most: int | None = None) -> str:
    """Return ``value`` if it is a str (of at most ``most`` characters), else raise ValueError."""
    if not isinstance(value, str):
        raise ValueError(f"{one_line(name)}={show(value)}: expected text")
    if most is not None and len(value) > most:
        raise ValueError(
            f"{one_line(name)}: {len(value):,} characters is too long (at most {most:,})"
        )
    return value


def items(name: str, value: object, most: int | None = None, what: str = "a list") -> list[Any]:
    """Return the items of a list, tuple or other iterable as a list, else raise ValueError.

    Text, bytes and mappings are refused (iterating them gives characters or keys, never
    what the caller meant); so are more than ``most`` items.
    """
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise ValueError(f"{one_line(name)}={show(value)}: expected {what}")
    try:
        result = list(value)
    except (TypeError, ValueError):
        raise ValueError(f"{one_line(name)}={show(value)}: expected {what}") from None
    if most is not None and len(result) > most:
        raise ValueError(f"{one_line(name)}: {len(result):,} items is too many (at most {most:,})")
    return result


def series(
    name: str,
    values: object,
    low: float | None = None,
    high: float | None = None,
    *,
    integers: bool = False,
    most: int | None = None,
) -> list[Any]:
    """Return a list of numbers (:func:`number`, or :func:`whole` if ``integers``), checked.

    The message names the first item that fails, e.g. ``"requests[2]='x': expected a whole
    number"``. Accepts any iterable of numbers, NumPy arrays included.
    """
    check = whole if integers else number
    return [
        check(f"{name}[{i}]", v, low, high)  # type: ignore[arg-type]  # whole and number differ in bound types
        for i, v in enumerate(items(name, values, most, "a list of numbers"))
    ]


#: The field annotations :func:`fields` checks, and what each must hold.
_FIELD_KINDS = {"int": "a whole number", "float": "a number", "str": "text"}


def fields(owner: Any) -> None:
    """Refuse, in a dataclass's ``__post_init__``, a field that holds the wrong kind.

    Reads the fields' annotations: a field annotated ``int`` or ``float`` must hold a real
    number (not a bool, text or None) that a float can hold, an ``int`` one a finite
    number; a ``str`` field text. ``X | None`` also allows None. NaN in a ``float`` field
    and every range are left to the class's own checks, which word them. So
    ``Alarm(threshold=None)`` is ``"threshold=None: expected a number"`` rather than a
    TypeError from a comparison.
    """
    if not dataclasses.is_dataclass(owner) or isinstance(owner, type):
        raise ValueError(f"owner={show(owner)}: expected a dataclass instance to check")
    for field in dataclasses.fields(owner):
        kind = str(field.type).replace(" ", "")
        optional = kind.endswith("|None")
        kind = kind.removesuffix("|None")
        if not field.init or kind not in _FIELD_KINDS:
            continue
        value = getattr(owner, field.name)
        if value is None and optional:
            continue
        wrong = f"{field.name}={show(value)}: expected {_FIELD_KINDS[kind]}"
        if kind == "str":
            if not isinstance(value, str):
                raise ValueError(wrong)
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(wrong)
        try:
            as_float = float(value)
        except (OverflowError, ValueError):
            raise ValueError(f"{field.name}={show(value)}: too large") from None
        if kind == "int" and not math.isfinite(as_float):
            raise ValueError(wrong)
