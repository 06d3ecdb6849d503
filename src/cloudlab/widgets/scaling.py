"""Pictures and widgets for service auto scaling and blue/green shifts (:mod:`cloudlab.sim`)."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from cloudlab.figures import (
    BLUE,
    GREEN,
    PURPLE,
    VERMILION,
    ShownFigure,
    binned,
    run_seconds,
    tidy,
    time_axis,
)
from cloudlab.sim.autoscaling import (
    METRICS,
    ScalingPolicy,
    ScalingRun,
    Service,
    simulate_autoscaling,
)
from cloudlab.sim.bluegreen import (
    Alarm,
    BlueGreenRun,
    all_at_once,
    canary_schedule,
    simulate_blue_green,
)
from cloudlab.sim.traffic import SHAPES, make_traffic
from cloudlab.widgets.common import Calculator, show_figure

__all__ = [
    "AutoscalingUI",
    "BlueGreenUI",
    "blue_green_figure",
    "make_autoscaling_ui",
    "make_blue_green_ui",
    "scaling_figure",
]


def scaling_figure(run: ScalingRun, *, width: float = 9.0) -> Figure:
    """Demand against capacity, task counts, and the metric the policy tracks.

    Parameters
    ----------
    run : ScalingRun
        Output of :func:`cloudlab.sim.autoscaling.simulate_autoscaling`.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Top: requests per second arriving and the running tasks' capacity, with the
        overload (requests that met no free capacity) in red. Middle: desired and
        running tasks between the minimum and maximum. Bottom: the tracked metric per
        period against its target, and the modelled response time.
    """
    t_end = run_seconds(run.t_s, run.step_s)
    alt = (
        f"Three charts over {t_end:.0f} s: requests per second "
        "against the running tasks' capacity, desired and running tasks, and the tracked "
        f"metric against its target. {run.summary}"
    )
    fig = ShownFigure(figsize=(width, 7.0), layout="constrained", alt=alt)
    top, middle, bottom = fig.subplots(3, 1, sharex=True, height_ratios=(3, 2, 2))
    scale = time_axis(bottom, t_end)
    tb, demand = binned(run.t_s, run.demand, run.step_s)
    _, capacity = binned(
        run.t_s, run.running * run.service.task_capacity_rps * run.step_s, run.step_s
    )
    _, over = binned(run.t_s, run.overloaded, run.step_s)
    top.plot(tb / scale, demand, color="black", lw=1.2, label="requests arriving")
    top.plot(
        tb / scale,
        capacity,
        color=BLUE,
        lw=1.5,
        drawstyle="steps-post",
        label="capacity of running tasks",
    )
    if over.any():
        top.fill_between(
            tb / scale,
            0,
            over,
            color=VERMILION,
            alpha=0.6,
            step="post",
            label="met no free capacity",
        )
    top.set_ylabel("requests per second")
    top.set_title(run.summary, fontsize=9, loc="left")
    top.legend(loc="upper left", fontsize=8)
    top.set_ylim(bottom=0)
    t = run.t_s / scale
    middle.plot(
        t, run.desired, color=BLUE, ls="--", lw=1.2, drawstyle="steps-post", label="desired count"
    )
    middle.plot(t, run.running, color=BLUE, lw=1.8, drawstyle="steps-post", label="running")
    for bound, text in ((run.policy.min_tasks, "min"), (run.policy.max_tasks, "max")):
        middle.axhline(bound, color="grey", lw=0.8, ls=":")
        middle.annotate(
            text,
            (1.0, bound),
            xycoords=("axes fraction", "data"),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="grey",
        )
    for event in run.events:
        colour = VERMILION if event.kind == "scale out" else GREEN
        middle.plot(
            [event.t_s / scale],
            [event.after],
            marker="^" if event.kind == "scale out" else "v",
            color=colour,
            ms=6,
            ls="none",
        )
    middle.set_ylabel("tasks")
    middle.set_ylim(0, run.policy.max_tasks + 1)
    middle.legend(loc="upper left", fontsize=8)
    per = "minute" if run.policy.period_s == 60 else f"{run.policy.period_s:g} s"
    label = "CPU (%)" if run.policy.metric == "cpu" else f"requests per task\nper {per}"
    if run.metric.size:
        bottom.plot(
            run.period_end_s / scale,
            run.metric,
            color="black",
            lw=1.0,
            drawstyle="steps-pre",
            label=METRICS[run.policy.metric],
        )
    bottom.axhline(run.policy.target_value, color=VERMILION, lw=1, ls="--", label="target value")
    bottom.set_ylabel(label)
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper left", fontsize=8)
    latency_axis = bottom.twinx()
    _, latency = binned(run.t_s, run.latency_ms * run.step_s, run.step_s)
    latency_axis.plot(tb / scale, latency, color=PURPLE, lw=0.8, alpha=0.8)
    latency_axis.set_ylabel("modelled response\ntime (ms)", color=PURPLE)
    latency_axis.set_ylim(bottom=0)
    latency_axis.spines[["top"]].set_visible(False)
    tidy(top, middle, bottom)
    bottom.set_xlim(0, t_end / scale)
    return fig


def blue_green_figure(
    run: BlueGreenRun,
    compare: BlueGreenRun | None = None,
    *,
    compare_label: str = "all at once",
    width: float = 9.0,
) -> Figure:
    """Traffic per colour and the errors users saw, optionally against another run.

    Parameters
    ----------
    run : BlueGreenRun
        Output of :func:`cloudlab.sim.bluegreen.simulate_blue_green`.
    compare : BlueGreenRun, optional
        Another run (for example an all-at-once switch) whose errors are drawn dashed.
    compare_label : str, optional
        Legend label of the other run.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Top: requests per second to blue and to green (stacked), with the weight
        changes marked. Bottom: failed requests per second, with the alarm's breaching
        periods shaded and the rollback marked.
    """
    t_end = run_seconds(run.t_s, run.step_s)
    alt = (
        f"Two charts over {t_end:.0f} s: requests per second to "
        f"blue and to green (top) and failed requests per second (bottom). {run.summary}"
        + (f" Dashed, {compare_label}: {compare.summary}" if compare is not None else "")
    )
    fig = ShownFigure(figsize=(width, 5.5), layout="constrained", alt=alt)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    scale = time_axis(bottom, t_end)
    per = max(1, round(run.alarm.period_s / run.step_s))
    points = max(1, len(run.t_s) // per)
    tb, blue = binned(run.t_s, run.blue_requests, run.step_s, max_points=points)
    _, green = binned(run.t_s, run.green_requests, run.step_s, max_points=points)
    top.stackplot(
        tb / scale,
        blue,
        green,
        colors=[BLUE, GREEN],
        labels=["blue (old)", "green (new)"],
        step="post",
        alpha=0.85,
    )
    for shift in run.schedule:
        if shift.at_s > 0 and (run.rollback_s is None or shift.at_s < run.rollback_s):
            top.axvline(shift.at_s / scale, color="white", lw=1)
            top.annotate(
                f"{shift.blue}/{shift.green}",
                (shift.at_s / scale, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -10),
                textcoords="offset points",
                fontsize=8,
            )
    top.set_ylabel("requests per second")
    top.set_title(run.summary, fontsize=9, loc="left")
    top.legend(loc="lower left", fontsize=8)
    _, errors = binned(run.t_s, run.blue_errors + run.green_errors, run.step_s, max_points=points)
    bottom.plot(
        tb / scale,
        errors,
        color=VERMILION,
        lw=1.5,
        drawstyle="steps-post",
        label=f"this run: {run.errors:,} errors",
    )
    if compare is not None:
        tc, other = binned(
            compare.t_s,
            compare.blue_errors + compare.green_errors,
            compare.step_s,
            max_points=points,
        )
        bottom.plot(
            tc / scale,
            other,
            color="black",
            lw=1.0,
            ls="--",
            drawstyle="steps-post",
            label=f"{compare_label}: {compare.errors:,} errors",
        )
    for end, breach in zip(run.period_end_s, run.breaching, strict=True):
        if breach:
            bottom.axvspan(
                (end - run.alarm.period_s) / scale, end / scale, color=VERMILION, alpha=0.12, lw=0
            )
    if run.rollback_s is not None:
        for ax in (top, bottom):
            ax.axvline(run.rollback_s / scale, color="black", lw=1.2)
        bottom.annotate(
            "alarm → rollback to 100/0",
            (run.rollback_s / scale, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
        )
    bottom.set_ylabel("errors users saw\nper second")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper left", fontsize=8)
    tidy(top, bottom)
    bottom.set_xlim(0, t_end / scale)
    return fig


def _slider(
    description: str, value: float, low: float, high: float, step: float = 1, *, floating=False
):
    cls = widgets.FloatSlider if floating else widgets.IntSlider
    return cls(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="360px"),
        continuous_update=False,
    )


class AutoscalingUI(Calculator):
    """Service auto scaling explorer: a traffic curve against a target tracking policy.

    Attributes
    ----------
    controls : dict of str to widget
        Set ``.value`` to change a setting.
    outcome : ipywidgets.HTML
        The summary line and the first scaling events.
    error : ipywidgets.HTML
        A one-line error for impossible settings; empty otherwise.
    plot : ipywidgets.Output
        The picture (drawn only with a live kernel).
    result : ScalingRun or None
        The latest run.
    """

    texts = ("outcome",)
    pictures = ("plot",)

    def __init__(self, **kwargs: Any) -> None:
        self.controls: dict[str, widgets.ValueWidget] = {
            "shape": widgets.Dropdown(
                options=[(label, key) for key, label in SHAPES.items()],
                value="spike",
                description="Shape",
                style={"description_width": "initial"},
            ),
            "hours": _slider("Hours simulated", 4, 1, 24),
            "low_rps": _slider("Quiet traffic (req/s)", 30, 0, 1000, 10),
            "high_rps": _slider("Busy traffic (req/s)", 400, 10, 2000, 10),
            "metric": widgets.Dropdown(
                options=[("average CPU (%)", "cpu"), ("requests per task per minute", "requests")],
                value="cpu",
                description="Track",
                style={"description_width": "initial"},
            ),
            "cpu_target": _slider("CPU target (%)", 50, 10, 90, 5),
            "requests_target": _slider("Requests per task per minute", 1500, 100, 6000, 100),
            "min_tasks": _slider("Minimum tasks", 2, 1, 20),
            "max_tasks": _slider("Maximum tasks", 10, 1, 50),
            "scale_out_cooldown_s": _slider("Scale-out cooldown (s)", 300, 0, 1800, 30),
            "scale_in_cooldown_s": _slider("Scale-in cooldown (s)", 300, 0, 1800, 30),
            "startup_s": _slider("Task start-up time (s)", 60, 0, 600, 10),
            "task_capacity_rps": _slider("Capacity of one task (req/s)", 50, 5, 500, 5),
            "seed": _slider("Random seed", 1, 0, 99),
        }
        self.outcome = widgets.HTML()
        self.error = widgets.HTML()
        self.plot = widgets.Output()
        self.result: ScalingRun | None = None
        c = self.controls
        left = widgets.VBox(
            [widgets.HTML("<b>Traffic</b>")]
            + [c[k] for k in ("shape", "hours", "low_rps", "high_rps", "seed")]
            + [widgets.HTML("<b>Tasks</b>"), c["task_capacity_rps"], c["startup_s"]]
        )
        right = widgets.VBox(
            [widgets.HTML("<b>Target tracking policy</b>")]
            + [
                c[k]
                for k in (
                    "metric",
                    "cpu_target",
                    "requests_target",
                    "min_tasks",
                    "max_tasks",
                    "scale_out_cooldown_s",
                    "scale_in_cooldown_s",
                )
            ]
        )
        super().__init__(
            [widgets.HBox([left, right]), self.outcome, self.error, self.plot], **kwargs
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        c["metric"].observe(self._show_target, names="value")
        self._show_target()
        self.update()

    def _show_target(self, _change: object = None) -> None:
        # Only the target of the metric being tracked is a setting that matters.
        tracked = self.controls["metric"].value
        for metric, name in (("cpu", "cpu_target"), ("requests", "requests_target")):
            self.controls[name].layout.display = None if metric == tracked else "none"

    def run(self) -> ScalingRun:
        """Simulate with the current settings (may raise ValueError)."""
        v = {name: w.value for name, w in self.controls.items()}
        if v["high_rps"] < v["low_rps"]:
            raise ValueError("busy traffic must be at least the quiet traffic")
        duration = v["hours"] * 3600.0
        rates = make_traffic(
            v["shape"],
            low_rps=v["low_rps"],
            high_rps=v["high_rps"],
            duration_s=duration,
            noise=0.05,
            seed=v["seed"],
        )
        target = v["cpu_target"] if v["metric"] == "cpu" else v["requests_target"]
        policy = ScalingPolicy(
            metric=v["metric"],
            target_value=target,
            min_tasks=v["min_tasks"],
            max_tasks=v["max_tasks"],
            scale_out_cooldown_s=v["scale_out_cooldown_s"],
            scale_in_cooldown_s=v["scale_in_cooldown_s"],
        )
        service = Service(task_capacity_rps=v["task_capacity_rps"], startup_s=v["startup_s"])
        return simulate_autoscaling(rates, policy, service, seed=v["seed"])

    def compute(self) -> ScalingRun:
        """:meth:`run`."""
        return self.run()

    def render(self, result: ScalingRun) -> None:
        """The summary, the first scaling events and the picture (drawn where it shows)."""
        events = "<br>".join(escape(e.text(result.metric_unit)) for e in result.events[:6])
        more = f"<br>… and {len(result.events) - 6} more" if len(result.events) > 6 else ""
        self.outcome.value = f"<b>{escape(result.summary)}</b><br>{events}{more}"
        show_figure(self.plot, lambda: scaling_figure(result))  # drawn only where it shows


class BlueGreenUI(Calculator):
    """Blue/green explorer: a staged or all-at-once shift, a faulty green, an alarm.

    Attributes
    ----------
    controls : dict of str to widget
        Set ``.value`` to change a setting.
    outcome : ipywidgets.HTML
        This run's summary and the all-at-once comparison.
    error : ipywidgets.HTML
        A one-line error for impossible settings; empty otherwise.
    plot : ipywidgets.Output
        The picture (drawn only with a live kernel).
    result : BlueGreenRun or None
        The latest run.
    comparison : BlueGreenRun or None
        The same traffic switched all at once, with the same alarm.
    """

    texts = ("outcome",)
    pictures = ("plot",)

    def __init__(self, **kwargs: Any) -> None:
        self.controls: dict[str, widgets.ValueWidget] = {
            "strategy": widgets.Dropdown(
                options=[
                    ("staged: 100/0 → 80/20 → 50/50 → 0/100", "staged"),
                    ("all at once: 100/0 → 0/100", "all"),
                ],
                value="staged",
                description="Shift",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            ),
            "stage_min": _slider("Minutes per stage", 10, 1, 30),
            "rps": _slider("Requests per second", 100, 10, 1000, 10),
            "green_error_pct": _slider(
                "Green's error rate (%)", 10.0, 0.0, 50.0, 0.5, floating=True
            ),
            "threshold_pct": _slider("Alarm threshold (%)", 5.0, 0.5, 50.0, 0.5, floating=True),
            "evaluation_periods": _slider("Alarm periods in a row (1 min each)", 2, 1, 10),
            "rollback": widgets.Checkbox(
                value=True, description="Roll back when the alarm fires", indent=False
            ),
            "seed": _slider("Random seed", 1, 0, 99),
        }
        self.outcome = widgets.HTML()
        self.error = widgets.HTML()
        self.plot = widgets.Output()
        self.result: BlueGreenRun | None = None
        self.comparison: BlueGreenRun | None = None
        super().__init__(
            [
                widgets.HBox(
                    [
                        widgets.VBox(
                            [self.controls[k] for k in ("strategy", "stage_min", "rps", "seed")]
                        ),
                        widgets.VBox(
                            [
                                self.controls[k]
                                for k in (
                                    "green_error_pct",
                                    "threshold_pct",
                                    "evaluation_periods",
                                    "rollback",
                                )
                            ]
                        ),
                    ]
                ),
                self.outcome,
                self.error,
                self.plot,
            ],
            **kwargs,
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def run(self) -> tuple[BlueGreenRun, BlueGreenRun]:
        """Simulate the chosen shift and an all-at-once switch (may raise ValueError; the
        same run twice when the chosen shift is all at once)."""
        v = {name: w.value for name, w in self.controls.items()}
        stage = v["stage_min"] * 60.0
        duration = 4 * stage + 10 * 60.0
        alarm = Alarm(
            threshold=v["threshold_pct"] / 100.0, evaluation_periods=v["evaluation_periods"]
        )
        common = {
            "duration_s": duration,
            "green_error_rate": v["green_error_pct"] / 100.0,
            "alarm": alarm,
            "rollback": v["rollback"],
            "seed": v["seed"],
        }
        switch = simulate_blue_green(v["rps"], all_at_once(stage), **common)
        if v["strategy"] != "staged":
            return switch, switch
        return simulate_blue_green(v["rps"], canary_schedule(every_s=stage), **common), switch

    def compute(self) -> BlueGreenRun:
        """:meth:`run`: the chosen shift (its all-at-once comparison kept in ``comparison``,
        None when the chosen shift is itself all at once)."""
        result, comparison = self.run()
        self.comparison = comparison if self.controls["strategy"].value == "staged" else None
        return result

    def clear(self, message: str) -> None:
        """No run: no comparison, the error shown."""
        self.comparison = None
        super().clear(message)

    def render(self, result: BlueGreenRun) -> None:
        """The two summaries and the picture (drawn where it shows)."""
        comparison = self.comparison
        line = (
            f"All at once, same alarm: {escape(comparison.summary)}"
            if comparison is not None
            else "(This is the all-at-once switch; choose the staged shift to compare the two.)"
        )
        self.outcome.value = f"<b>{escape(result.summary)}</b><br>{line}"
        show_figure(self.plot, lambda: blue_green_figure(result, comparison))


def make_autoscaling_ui() -> AutoscalingUI:
    """Build the service auto scaling explorer (returned, not displayed).

    Returns
    -------
    AutoscalingUI
        A VBox with ``.controls``, ``.outcome``, ``.error`` and ``.result``.
    """
    return AutoscalingUI()


def make_blue_green_ui() -> BlueGreenUI:
    """Build the blue/green explorer (returned, not displayed).

    Returns
    -------
    BlueGreenUI
        A VBox with ``.controls``, ``.outcome``, ``.error``, ``.result`` and ``.comparison``.
    """
    return BlueGreenUI()
