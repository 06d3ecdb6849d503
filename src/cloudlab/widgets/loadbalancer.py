"""Pictures and a widget for the load balancer simulation (:mod:`cloudlab.sim.loadbalancer`)."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from cloudlab.figures import (
    BLACK,
    DARK_VERMILION,
    ORANGE,
    PALETTE,
    PURPLE,
    VERMILION,
    ShownFigure,
    binned,
    run_seconds,
    tidy,
    time_axis,
)
from cloudlab.sim.loadbalancer import (
    ALGORITHMS,
    ERROR_REASONS,
    Deregistration,
    Failure,
    HealthCheck,
    LoadBalancerRun,
    Target,
    simulate_load_balancer,
)
from cloudlab.widgets.common import Calculator, show_figure

__all__ = [
    "COLOURS",
    "LoadBalancerUI",
    "binned",
    "load_figure",
    "make_load_balancer_ui",
]

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
COLOURS = PALETTE
_ERROR_COLOURS = {
    "target_down": VERMILION,
    "timed_out": PURPLE,
    "drain_cutoff": ORANGE,
    "no_targets": BLACK,
}


_SHORT_REASONS = {
    "target_down": "sent to a failed target",
    "timed_out": "queue too long",
    "drain_cutoff": "cut off by draining",
    "no_targets": "no target left",
}


def load_figure(run: LoadBalancerRun, *, width: float = 9.0) -> Figure:
    """Per-target load over time, and the errors users saw, with detection windows shaded.

    Parameters
    ----------
    run : LoadBalancerRun
        Output of :func:`cloudlab.sim.loadbalancer.simulate_load_balancer`.
    width : float, optional
        Figure width, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Top: requests per second sent to each target. Bottom: failed requests per
        second by reason. Shaded red: a target has failed but the health checks have
        not yet taken it out; shaded grey: it is out of service.
    """
    t_end = run_seconds(run.t_s, run.step_s)
    alt = (
        f"Two charts over {t_end:.0f} s: requests per second sent "
        f"to each of {', '.join(run.names)} (top) and failed requests per second by reason "
        f"(bottom). {run.summary}"
    )
    fig = ShownFigure(figsize=(width, 6.0), layout="constrained", alt=alt)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    scale = time_axis(bottom, t_end)
    tb, load = binned(run.t_s, run.routed, run.step_s, max_points=150)
    top.stackplot(
        tb / scale,
        load.T,
        labels=run.names,
        colors=[COLOURS[i % len(COLOURS)] for i in range(len(run.names))],
        alpha=0.85,
        step="post",
    )
    top.set_ylabel("requests per second\n(stacked by target)")
    top.set_title(run.summary, fontsize=9, loc="left", wrap=True)
    errors = np.stack([run.errors[r] for r in ERROR_REASONS], axis=1)
    t_err, err = binned(run.t_s, errors, run.step_s, max_points=150)
    bottom_stack = np.zeros(len(t_err))
    for j, reason in enumerate(ERROR_REASONS):
        if err[:, j].any():
            bottom.fill_between(
                t_err / scale,
                bottom_stack,
                bottom_stack + err[:, j],
                step="post",
                color=_ERROR_COLOURS[reason],
                alpha=0.8,
                label=_SHORT_REASONS[reason],
            )
            bottom_stack = bottom_stack + err[:, j]
    if not errors.any():
        bottom.text(0.5, 0.5, "no errors", transform=bottom.transAxes, ha="center", color="grey")
    bottom.set_ylabel("failed requests\nper second")
    for d in run.detections:
        end = d.out_s if d.out_s is not None else t_end
        for ax in (top, bottom):
            ax.axvspan(d.failed_s / scale, end / scale, color=VERMILION, alpha=0.25, lw=0, zorder=3)
            if d.out_s is not None:
                back = d.back_s if d.back_s is not None else t_end
                ax.axvspan(d.out_s / scale, back / scale, color="grey", alpha=0.2, lw=0, zorder=3)
        label = (
            f"{d.target} failed; out after {d.detection_s:.0f} s"
            if d.out_s is not None
            else f"{d.target} failed; never taken out"
        )
        top.annotate(
            label,
            (d.failed_s / scale, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color=DARK_VERMILION,
            zorder=5,
            bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1},
        )
    for i, name in enumerate(run.names):  # dotted line: deregistration finished
        gone = np.nonzero(~run.registered[:, i])[0]
        if gone.size:
            top.axvline(run.t_s[gone[0]] / scale, color="black", ls=":", lw=1, zorder=4)
            top.annotate(
                f"{name} deregistered",
                (run.t_s[gone[0]] / scale, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -24),
                textcoords="offset points",
                fontsize=8,
                zorder=5,
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1},
            )
    handles, labels = top.get_legend_handles_labels()
    if run.detections:
        from matplotlib.patches import Patch

        handles += [
            Patch(color=VERMILION, alpha=0.25, label="failed, not yet detected"),
            Patch(color="grey", alpha=0.25, label="out of service"),
        ]
        labels += ["failed, not yet detected", "out of service"]
    top.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if errors.any():
        bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    tidy(top, bottom)
    for ax in (top, bottom):
        ax.set_ylim(bottom=0)
    bottom.set_xlim(0, t_end / scale)
    return fig


class LoadBalancerUI(Calculator):
    """Load balancer explorer: targets, algorithm, health checks, a failure, a drain.

    Attributes
    ----------
    controls : dict of str to widget
        Set ``.value`` to change a setting.
    outcome : ipywidgets.HTML
        The summary line and per-target totals.
    error : ipywidgets.HTML
        A one-line error for impossible settings; empty otherwise.
    plot : ipywidgets.Output
        The picture (drawn only with a live kernel).
    result : LoadBalancerRun or None
        The latest run (None while the settings are impossible).
    """

    texts = ("outcome",)
    pictures = ("plot",)

    def __init__(self, **kwargs: Any) -> None:
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="360px")

        def slider(description: str, value: int, low: int, high: int, step: int = 1):
            return widgets.IntSlider(
                value=value,
                min=low,
                max=high,
                step=step,
                description=description,
                style=style,
                layout=wide,
                continuous_update=False,
            )

        self.controls: dict[str, widgets.ValueWidget] = {
            "algorithm": widgets.Dropdown(
                options=[(label, key) for key, label in ALGORITHMS.items()],
                value="round_robin",
                description="Routing algorithm",
                style=style,
            ),
            "targets": slider("Targets (tasks)", 3, 1, 6),
            "rps": slider("Requests per second", 150, 10, 600, 10),
            "capacity": slider("Capacity of one task (req/s)", 100, 10, 300, 10),
            "interval_s": slider("Health check interval (s)", 30, 5, 300, 5),
            "timeout_s": slider("Health check timeout (s)", 5, 2, 120),
            "unhealthy_threshold": slider("Unhealthy threshold", 2, 2, 10),
            "healthy_threshold": slider("Healthy threshold", 5, 2, 10),
            "fail_at_s": slider("task-b fails at (s; 0 = never)", 120, 0, 900, 10),
            "fail_for_s": slider("…and is down for (s)", 300, 10, 900, 10),
            "deregister_at_s": slider("Deregister the last task at (s; 0 = never)", 0, 0, 900, 10),
            "deregistration_delay_s": slider("Deregistration delay (s)", 300, 0, 900, 10),
            "seed": slider("Random seed", 1, 0, 99),
        }
        self.outcome = widgets.HTML()
        self.error = widgets.HTML()
        self.plot = widgets.Output()
        self.result: LoadBalancerRun | None = None
        c = self.controls
        left = widgets.VBox(
            [
                widgets.HTML("<b>Traffic and targets</b>"),
                c["algorithm"],
                c["targets"],
                c["rps"],
                c["capacity"],
                c["seed"],
            ]
        )
        middle = widgets.VBox(
            [
                widgets.HTML("<b>Health checks (path /healthz)</b>"),
                c["interval_s"],
                c["timeout_s"],
                c["unhealthy_threshold"],
                c["healthy_threshold"],
            ]
        )
        right = widgets.VBox(
            [
                widgets.HTML("<b>Things going wrong</b>"),
                c["fail_at_s"],
                c["fail_for_s"],
                c["deregister_at_s"],
                c["deregistration_delay_s"],
            ]
        )
        super().__init__(
            [widgets.HBox([left, middle]), right, self.outcome, self.error, self.plot], **kwargs
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def run(self) -> LoadBalancerRun:
        """Simulate 15 minutes with the current settings (may raise ValueError)."""
        v = {name: w.value for name, w in self.controls.items()}
        names = [f"task-{chr(ord('a') + i)}" for i in range(v["targets"])]
        failures = []
        if v["fail_at_s"] and "task-b" in names:
            failures.append(Failure("task-b", v["fail_at_s"], v["fail_at_s"] + v["fail_for_s"]))
        elif v["fail_at_s"]:
            raise ValueError("there is no task-b to fail: use at least 2 targets")
        deregistrations = []
        if v["deregister_at_s"]:
            deregistrations.append(Deregistration(names[-1], v["deregister_at_s"]))
        return simulate_load_balancer(
            v["rps"],
            duration_s=900,
            targets=[Target(n, capacity_rps=v["capacity"]) for n in names],
            algorithm=v["algorithm"],
            health=HealthCheck(
                interval_s=v["interval_s"],
                timeout_s=v["timeout_s"],
                healthy_threshold=v["healthy_threshold"],
                unhealthy_threshold=v["unhealthy_threshold"],
            ),
            failures=failures,
            deregistrations=deregistrations,
            deregistration_delay_s=v["deregistration_delay_s"],
            seed=v["seed"],
        )

    def compute(self) -> LoadBalancerRun:
        """:meth:`run`."""
        return self.run()

    def render(self, result: LoadBalancerRun) -> None:
        """The summary, the totals per target and the picture (drawn where it shows)."""
        totals = ", ".join(f"{n}: {v:,}" for n, v in result.per_target().items())
        self.outcome.value = (
            f"<b>{escape(result.summary)}</b><br>Requests per target: {escape(totals)}"
        )
        show_figure(self.plot, lambda: load_figure(result))  # drawn only where it shows


def make_load_balancer_ui() -> LoadBalancerUI:
    """Build the load balancer explorer (returned, not displayed).

    Returns
    -------
    LoadBalancerUI
        A VBox with ``.controls``, ``.outcome``, ``.error`` and ``.result``.
    """
    return LoadBalancerUI()
