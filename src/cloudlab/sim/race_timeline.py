"""The timeline of a Happy Eyeballs race as SVG, with the standard library only.

The book's live race calculator draws this in the browser (Pyodide has no matplotlib);
the matplotlib figure of the same race, for the notebook, is
:func:`cloudlab.widgets.happy_eyeballs.race_figure`. One lane per DNS answer, one per
connection attempt, time in ms across; the alt text is written from the same data.
Input is a :class:`~cloudlab.sim.happy_eyeballs.Race` or its ``to_dict()`` (the JSON of
``python -m cloudlab race --json``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

from cloudlab import palette
from cloudlab.checks import show
from cloudlab.sim.happy_eyeballs import Race

__all__ = ["FAMILY_COLOURS", "ms_text", "race_alt", "race_svg"]

#: The two families' colours (Okabe–Ito; the matplotlib figure uses the same).
FAMILY_COLOURS = {"IPv6": palette.BLUE, "IPv4": palette.ORANGE}
#: What each result of an attempt is called in the alt text and on the picture.
_RESULT_WORDS = {
    "connected": "won",
    "failed": "failed",
    "cancelled": "was cancelled",
    "timed out": "timed out",
}
_OPACITY = {"connected": 1.0, "failed": 0.6, "cancelled": 0.35, "timed out": 0.35}

_WIDTH = 720
_LEFT = 190  # the lane labels
_RIGHT = 150  # room for the label after the last bar
_LANE = 28
_TOP = 16  # room for the Resolution Delay caption
_AXIS = 40  # the time axis and its caption


def _data(race: Race | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(race, Race):
        return race.to_dict()
    if not isinstance(race, Mapping) or not {"attempts", "events", "summary"} <= set(race):
        raise ValueError(
            "expected a Race or its to_dict() (the JSON of python -m cloudlab race --json)"
        )
    return race


def ms_text(value: float) -> str:
    """A time for people, to a tenth of a ms: ``ms_text(287.4321)`` is ``'287.4 ms'``."""
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise ValueError(f"a time must be a number of ms (got {show(value)})") from None
    return f"{round(number, 1):g} ms"


def _answers(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in data["events"] if e["kind"] == "answer"]


def _record(answer: Mapping[str, Any]) -> str:
    return "AAAA" if answer["family"] == "IPv6" else "A"


def race_alt(race: Race | Mapping[str, Any]) -> str:
    """The picture in words: when each answer came and what each attempt did.

    >>> from cloudlab.sim.happy_eyeballs import simulate
    >>> print(race_alt(simulate(ipv6_state="blackholed")))  # doctest: +NORMALIZE_WHITESPACE
    Timeline of a Happy Eyeballs race. DNS: AAAA answer at 20 ms, A answer at 20 ms.
    IPv6 attempt to 2001:db8:80::10 started at 20 ms, was cancelled at 300 ms;
    IPv4 attempt to 203.0.113.10 started at 270 ms, won at 300 ms.
    IPv6 blackholed: fell back to IPv4, connected after 300 ms.
    """
    data = _data(race)
    answers = ", ".join(
        f"{_record(a)} answer at {ms_text(a['time_ms'])}"
        + (" (no record)" if ": no " in a["text"] else "")
        for a in _answers(data)
    )
    attempts = "; ".join(
        f"{a['family']} attempt to {a['address']} started at {ms_text(a['start_ms'])}, "
        f"{_RESULT_WORDS[a['result']]} at {ms_text(a['end_ms'])}"
        for a in data["attempts"]
    )
    parts = ["Timeline of a Happy Eyeballs race."]
    if answers:
        parts.append(f"DNS: {answers}.")
    parts.append(f"{attempts}." if attempts else "No connection attempt.")
    parts.append(data["summary"])
    return " ".join(parts)


def _step(horizon: float) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving at most 8 ticks."""
    raw = horizon / 8
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def race_svg(race: Race | Mapping[str, Any]) -> str:
    """Draw a race's timeline as an SVG string (``role="img"``, alt text from the data).

    Parameters
    ----------
    race : Race or dict
        A race, or its ``to_dict()``.

    Returns
    -------
    str
        ``<svg ...>...</svg>``, scaling to the width of its container. Solid bars
        connected, faint dashed bars were cancelled or timed out, a cross ends a failed
        attempt; a black line marks the moment of the connection.
    """
    data = _data(race)
    answers = _answers(data)
    attempts = list(data["attempts"])
    lanes = len(answers) + len(attempts)
    last = max((float(e["time_ms"]) for e in data["events"]), default=0.0)
    horizon = max(float(data["end_ms"]), last, 1.0) * 1.1
    step = _step(horizon)
    horizon = math.ceil(horizon / step) * step
    span = _WIDTH - _LEFT - _RIGHT

    def x(ms: float) -> float:
        return round(_LEFT + span * float(ms) / horizon, 1)

    height = _TOP + _LANE * lanes + _AXIS
    alt = race_alt(data)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cl-race-timeline" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" aria-label="{escape(alt)}">',
        f"<title>{escape(alt)}</title>",
    ]
    bottom = _TOP + _LANE * lanes
    tick = 0.0
    while tick <= horizon + 1e-9:
        tx = x(tick)
        out.append(
            f'<line x1="{tx}" y1="{_TOP}" x2="{tx}" y2="{bottom}" stroke="#ddd" />'
            f'<text x="{tx}" y="{bottom + 14}" font-size="11" text-anchor="middle" '
            f'fill="#333">{tick:g}</text>'
        )
        tick += step
    out.append(
        f'<text x="{_LEFT + span / 2}" y="{bottom + 32}" font-size="11" text-anchor="middle" '
        'fill="#333">time since the DNS queries were sent (ms)</text>'
    )
    waits = [float(e["time_ms"]) for e in data["events"] if e["kind"] == "wait"]
    if len(waits) >= 2 and waits[-1] > waits[0]:
        out.append(
            f'<rect x="{x(waits[0])}" y="{_TOP}" width="{round(x(waits[-1]) - x(waits[0]), 1)}" '
            f'height="{_LANE * lanes}" fill="#888" fill-opacity="0.15" />'
            f'<text x="{x(waits[0]) + 2}" y="{_TOP - 3}" font-size="10" fill="#555">'
            "Resolution Delay</text>"
        )
    for lane, answer in enumerate(answers):
        y = _TOP + _LANE * lane + _LANE / 2
        colour = FAMILY_COLOURS.get(answer["family"] or "", "#777")
        empty = ": no " in answer["text"]
        at = x(answer["time_ms"])
        out.append(
            f'<text x="{_LEFT - 8}" y="{y + 4}" font-size="12" text-anchor="end" fill="#222">'
            f"DNS {_record(answer)} answer</text>"
            f'<line x1="{_LEFT}" y1="{y}" x2="{at}" y2="{y}" stroke="#ccc" stroke-width="2" />'
            f'<circle cx="{at}" cy="{y}" r="5" stroke="{colour}" stroke-width="2" '
            f'fill="{"white" if empty else colour}" />'
            f'<text x="{at + 9}" y="{y + 4}" font-size="11" fill="#222">'
            f"{ms_text(answer['time_ms'])}{' (no record)' if empty else ''}</text>"
        )
    for lane, attempt in enumerate(attempts, start=len(answers)):
        y = _TOP + _LANE * lane + _LANE / 2
        colour = FAMILY_COLOURS[attempt["family"]]
        result = attempt["result"]
        start, end = x(attempt["start_ms"]), x(attempt["end_ms"])
        dashed = ' stroke-dasharray="4 3"' if result in ("cancelled", "timed out") else ""
        out.append(
            f'<text x="{_LEFT - 8}" y="{y + 4}" font-size="12" text-anchor="end" fill="#222">'
            f"{escape(attempt['family'])} {escape(attempt['address'])}</text>"
            f'<rect x="{start}" y="{y - 8}" width="{max(round(end - start, 1), 2)}" height="16" '
            f'fill="{colour}" fill-opacity="{_OPACITY[result]}" stroke="{colour}"{dashed} />'
        )
        if result == "failed":
            out.append(
                f'<path d="M{end - 5} {y - 5} L{end + 5} {y + 5} M{end - 5} {y + 5} '
                f'L{end + 5} {y - 5}" stroke="{palette.BLACK}" stroke-width="2" />'
            )
        out.append(
            f'<text x="{max(end, start + 2) + 8}" y="{y + 4}" font-size="11" fill="#222">'
            f"{_RESULT_WORDS[result]} at {ms_text(attempt['end_ms'])}</text>"
        )
    if data.get("connected_ms") is not None:
        cx = x(data["connected_ms"])
        out.append(
            f'<line x1="{cx}" y1="{_TOP}" x2="{cx}" y2="{bottom}" stroke="{palette.BLACK}" />'
        )
    out.append("</svg>")
    return "".join(out)
