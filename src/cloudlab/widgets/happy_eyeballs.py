"""Widget and timeline picture for the Happy Eyeballs race (:mod:`cloudlab.sim.happy_eyeballs`)."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.figures import ERROR_RED, ShownFigure
from cloudlab.sim.happy_eyeballs import (
    CONNECTION_ATTEMPT_DELAY_MS,
    MAX_CONNECTION_ATTEMPT_DELAY_MS,
    MIN_CONNECTION_ATTEMPT_DELAY_MS,
    Conditions,
    Event,
    Race,
    simulate,
)
from cloudlab.sim.race_timeline import FAMILY_COLOURS
from cloudlab.widgets.common import Calculator, cell, html_table, show_figure

__all__ = ["FAMILY_COLOURS", "HappyEyeballsUI", "make_happy_eyeballs_ui", "race_figure"]


_RESULT_STYLE: dict[str, dict[str, Any]] = {
    "connected": {"alpha": 1.0, "hatch": None},
    "cancelled": {"alpha": 0.35, "hatch": "//"},
    "failed": {"alpha": 0.6, "hatch": "xx"},
    "timed out": {"alpha": 0.35, "hatch": ".."},
}


def race_figure(race: Race, *, width: float = 8.0) -> Figure:
    """Draw the timeline of a race: DNS answers, each attempt, and the winner.

    Parameters
    ----------
    race : Race
        Output of :func:`cloudlab.sim.happy_eyeballs.race` or ``simulate``.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        One lane per DNS answer and one per connection attempt; time in ms on the
        x axis. Solid bars connected, hatched bars were cancelled, crossed bars
        failed, dotted bars timed out.
    """
    answers = [e for e in race.events if e.kind == "answer"]
    lanes = len(answers) + len(race.attempts)
    fig = ShownFigure(
        figsize=(width, 1.2 + 0.5 * lanes), layout="constrained", alt=_race_alt(race, answers)
    )
    ax = fig.add_subplot()
    last_event = max((e.time_ms for e in race.events), default=0.0)
    horizon = max(race.end_ms, last_event, 1.0) * 1.3 + 10
    labels = _draw_answers(ax, answers)
    _draw_resolution_delay(ax, race, lanes)
    labels += _draw_attempts(ax, race, len(answers), horizon)
    if race.connected_ms is not None:
        ax.axvline(race.connected_ms, color="black", linewidth=1)
    ax.set_yticks(range(lanes), labels)
    ax.set_ylim(lanes - 0.4, -0.6)
    ax.set_xlim(0, horizon)
    ax.set_xlabel("time since the DNS queries were sent (ms)")
    ax.set_title(race.summary, fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _note(ax: Any, text: str, x: float, lane: int, dx: float) -> None:
    """A lane's label, ``dx`` points right of ``x``."""
    ax.annotate(
        text, (x, lane), xytext=(dx, 0), textcoords="offset points", va="center", fontsize=8
    )


def _caption(ax: Any, text: str, xy: tuple[float, float]) -> None:
    """A small grey caption centred above ``xy`` (the delays the RFC names)."""
    ax.annotate(text, xy, ha="center", va="bottom", fontsize=7, color="dimgrey")


def _race_alt(race: Race, answers: list[Event]) -> str:
    """The race in words, for the picture's alternative text."""
    attempts = "; ".join(
        f"{a.family} {a.address} from {a.start_ms:g} to {a.end_ms:g} ms, {a.outcome}"
        for a in race.attempts
    )
    return (
        f"Time line of a Happy Eyeballs race: {len(answers)} DNS answers and "
        f"{len(race.attempts)} connection attempts"
        + (f" ({attempts})" if attempts else "")
        + f". {race.summary}"
    )


def _draw_answers(ax: Any, answers: list[Event]) -> list[str]:
    """One lane per DNS answer, from 0 to its arrival (hollow: no record); the lanes' labels."""
    labels = []
    for lane, answer in enumerate(answers):
        record = "AAAA" if answer.family == "IPv6" else "A"
        empty = ": no " in answer.text
        labels.append(f"DNS {record} answer")
        colour = FAMILY_COLOURS.get(answer.family or "", "grey")
        ax.plot([0, answer.time_ms], [lane, lane], color="lightgrey", linewidth=2, zorder=1)
        ax.plot(
            [answer.time_ms],
            [lane],
            marker="o",
            markersize=8,
            color=colour,
            markerfacecolor="white" if empty else colour,
            zorder=3,
        )
        _note(
            ax, f"{answer.time_ms:.0f} ms{' (no record)' if empty else ''}", answer.time_ms, lane, 6
        )
    return labels


def _draw_resolution_delay(ax: Any, race: Race, lanes: int) -> None:
    """Shade the Resolution Delay, when the race waited for the AAAA answer."""
    waits = [e.time_ms for e in race.events if e.kind == "wait"]
    if len(waits) >= 2 and waits[-1] > waits[0]:
        ax.axvspan(waits[0], waits[-1], color="grey", alpha=0.12, linewidth=0)
        _caption(ax, "Resolution\nDelay", ((waits[0] + waits[-1]) / 2, lanes - 0.5))


def _draw_attempts(ax: Any, race: Race, first_lane: int, horizon: float) -> list[str]:
    """One bar per connection attempt, styled by its result, the delays between them marked."""
    labels = []
    previous = None
    for lane, attempt in enumerate(race.attempts, start=first_lane):
        labels.append(f"{attempt.family} {attempt.address}")
        style = _RESULT_STYLE[attempt.result]
        length = max(attempt.end_ms - attempt.start_ms, horizon * 0.004)
        ax.barh(
            lane,
            length,
            left=attempt.start_ms,
            height=0.5,
            color=FAMILY_COLOURS[attempt.family],
            alpha=style["alpha"],
            hatch=style["hatch"],
            edgecolor=FAMILY_COLOURS[attempt.family],
        )
        _note(ax, f"{attempt.result} at {attempt.end_ms:.0f} ms", attempt.end_ms, lane, 4)
        if previous is not None and attempt.trigger == "attempt delay":
            ax.annotate(
                "",
                (attempt.start_ms, lane - 0.4),
                xytext=(previous.start_ms, lane - 0.4),
                arrowprops={"arrowstyle": "<->", "color": "dimgrey", "linewidth": 0.8},
            )
            _caption(
                ax,
                f"Connection Attempt Delay {attempt.start_ms - previous.start_ms:.0f} ms",
                ((attempt.start_ms + previous.start_ms) / 2, lane - 0.42),
            )
        previous = attempt
    return labels


_STATES = [
    ("works", "ok"),
    ("blackholed (no answer)", "blackholed"),
    ("refused (fails fast)", "refused"),
]


class HappyEyeballsUI(Calculator):
    """The Happy Eyeballs explorer: conditions in, outcome line and timeline out.

    Attributes
    ----------
    controls : dict of str to widget
        One widget per :class:`~cloudlab.sim.happy_eyeballs.Conditions` field shown,
        keyed by the field name. Set ``.value`` to change a condition.
    outcome : ipywidgets.HTML
        The outcome line, for example "Connected over IPv6 after 50 ms."
    error : ipywidgets.HTML
        A one-line error for impossible conditions; empty otherwise.
    details : ipywidgets.HTML
        A table of the connection attempts.
    plot : ipywidgets.Output
        The timeline picture (drawn only when a kernel is running).
    result : Race or None
        The latest simulation result (None while the conditions are impossible).
    """

    texts = ("outcome", "details")
    pictures = ("plot",)

    def __init__(self, **kwargs: Any) -> None:
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="340px")

        def box(description: str, value: bool) -> widgets.Checkbox:
            return widgets.Checkbox(value=value, description=description, indent=False)

        def slider(description: str, value: float, low: float, high: float, step: float = 5):
            return widgets.IntSlider(
                value=int(value),
                min=int(low),
                max=int(high),
                step=int(step),
                description=description,
                style=style,
                layout=wide,
                continuous_update=False,
            )

        self.controls: dict[str, widgets.ValueWidget] = {
            "device_ipv6": box("Device has IPv6 turned on", True),
            "router_ipv6": box("Home router offers IPv6", True),
            "isp_ipv6": box("Internet provider offers IPv6", True),
            "site_aaaa": box("Site publishes an AAAA (IPv6) record", True),
            "site_a": box("Site publishes an A (IPv4) record", True),
            "device_ipv4": box("Device has IPv4 turned on", True),
            "ipv6_state": widgets.Dropdown(
                options=_STATES, value="ok", description="IPv6 path", style=style
            ),
            "ipv4_state": widgets.Dropdown(
                options=_STATES, value="ok", description="IPv4 path", style=style
            ),
            "ipv6_latency_ms": slider("IPv6 handshake (ms)", 30, 0, 1000),
            "ipv4_latency_ms": slider("IPv4 handshake (ms)", 30, 0, 1000),
            "aaaa_ms": slider("AAAA answer at (ms)", 20, 0, 300),
            "a_ms": slider("A answer at (ms)", 20, 0, 300),
            "connection_attempt_delay_ms": slider(
                "Connection Attempt Delay (ms)",
                CONNECTION_ATTEMPT_DELAY_MS,
                MIN_CONNECTION_ATTEMPT_DELAY_MS,
                MAX_CONNECTION_ATTEMPT_DELAY_MS,
                10,
            ),
        }
        self.outcome = widgets.HTML()
        self.error = widgets.HTML()
        self.details = widgets.HTML()
        self.plot = widgets.Output()
        self.result: Race | None = None
        c = self.controls
        toggles = widgets.VBox(
            [
                widgets.HTML("<b>Who supports IPv6?</b>"),
                c["device_ipv6"],
                c["router_ipv6"],
                c["isp_ipv6"],
                c["site_aaaa"],
                c["site_a"],
                c["device_ipv4"],
            ]
        )
        network = widgets.VBox(
            [
                widgets.HTML("<b>How do the paths behave?</b>"),
                c["ipv6_state"],
                c["ipv6_latency_ms"],
                c["ipv4_state"],
                c["ipv4_latency_ms"],
                c["aaaa_ms"],
                c["a_ms"],
                c["connection_attempt_delay_ms"],
            ]
        )
        super().__init__(
            [
                widgets.HBox([toggles, network]),
                self.outcome,
                self.error,
                self.plot,
                self.details,
            ],
            **kwargs,
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def conditions(self) -> Conditions:
        """Build :class:`Conditions` from the current control values (may raise ValueError)."""
        return Conditions(**{name: w.value for name, w in self.controls.items()})

    def compute(self) -> Race:
        """Race under the conditions the controls set."""
        return simulate(self.conditions())

    def render(self, result: Race) -> None:
        """The outcome line, the attempts table and the timeline (drawn where it shows)."""
        colour = FAMILY_COLOURS.get(result.family or "", ERROR_RED)
        self.outcome.value = (
            f'<b style="font-size:1.1em;color:{colour}">{escape(result.summary)}</b>'
        )
        self.details.value = _attempts_table(result)
        show_figure(self.plot, lambda: race_figure(result))


def _attempts_table(result: Race) -> str:
    if not result.attempts:
        return ""
    rows = (
        [
            cell(str(i)),
            cell(a.family),
            cell(escape(a.address)),
            cell(f"{a.start_ms:.0f}"),
            cell(f"{a.end_ms:.0f}"),
            cell(a.result),
        ]
        for i, a in enumerate(result.attempts, start=1)
    )
    return html_table(
        rows,
        head=["#", "family", "address", "start (ms)", "end (ms)", "result"],
        head_style=None,
        sections=True,
    )


def make_happy_eyeballs_ui() -> HappyEyeballsUI:
    """Build the Happy Eyeballs explorer (returned, not displayed).

    Returns
    -------
    HappyEyeballsUI
        A VBox with ``.controls``, ``.outcome``, ``.error``, ``.result``.

    Examples
    --------
    >>> ui = make_happy_eyeballs_ui()
    >>> ui.controls["ipv6_state"].value = "blackholed"
    >>> ui.result.family
    'IPv4'
    """
    return HappyEyeballsUI()
