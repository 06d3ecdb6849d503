"""The chapters' "see it for real" runs: a real fleet measured, drawn next to the simulation.

Each function starts its own fleet (short health checks: 0.5 s interval, so a few
seconds show what the ALB's 30 s defaults take minutes to show), runs a bounded load,
stops everything and returns a :class:`Scene`: a figure and a few lines of text.
Times in the figures are in *health check intervals*, so the measurement (0.5 s
intervals) and the simulation (the ALB's 30 s) share one axis.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from cloudlab.figures import ShownFigure
from cloudlab.fleet.caddy import ProxyHealthCheck
from cloudlab.fleet.controllers import run_autoscaling, run_canary
from cloudlab.fleet.fleet import Fleet
from cloudlab.fleet.load import LoadResult, run_load
from cloudlab.sim.autoscaling import ScalingPolicy, Service, simulate_autoscaling
from cloudlab.sim.bluegreen import Alarm, all_at_once, canary_schedule, simulate_blue_green
from cloudlab.sim.loadbalancer import Failure, HealthCheck, Target, simulate_load_balancer
from cloudlab.sim.traffic import ramp

__all__ = [
    "HEALTH",
    "Scene",
    "autoscaling_ramp",
    "blue_green",
    "failover",
    "slow_copy",
    "stickiness",
]

#: The local health check: the ALB's names, thresholds 2/2, a 0.5 s interval.
HEALTH = ProxyHealthCheck(interval_s=0.5, timeout_s=0.3, healthy_threshold=2, unhealthy_threshold=2)


@dataclass
class Scene:
    """What one run showed: a figure, and its findings in words."""

    figure: ShownFigure
    lines: list[str]

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def __post_init__(self) -> None:
        # The alt text says what was measured, not only what is drawn.
        self.figure.alt = f"{self.figure.alt} Findings: {'; '.join(self.lines)}."

    def _repr_html_(self) -> str:
        return self.figure._repr_html_()


def _figure(
    grid: tuple[int, int], height: float, alt: str, **share: bool
) -> tuple[ShownFigure, Any]:
    """A 9-inch-wide figure with a grid of axes sharing one axis, and its alt text."""
    figure = ShownFigure(figsize=(9, height), layout="constrained", alt=alt)
    return figure, figure.subplots(*grid, **share)


def slow_copy(seconds: float = 2.5, slow_ms: int = 60) -> Scene:
    """Round robin vs least_conn when one of three copies answers ``slow_ms`` later."""
    policies = (("round_robin", "round_robin"), ("least_conn", "least_outstanding_requests"))
    measured: dict[str, LoadResult] = {}
    with Fleet(copies=3, health=HEALTH, env={"blue-3": {"SLOW_MS": str(slow_ms)}}) as fleet:
        for policy, _ in policies:
            fleet.set_policy(policy)
            measured[policy] = run_load(
                fleet.url + "/api/whoami",
                requests=20_000,
                time_limit_s=seconds,
                users=6,
            )
    copies = ["blue-1", "blue-2", "blue-3"]
    targets = [Target("task-a"), Target("task-b"), Target("task-c", capacity_rps=25, latency_ms=80)]
    figure, axes = _figure(
        (1, 2), 3.4, sharey=True,
        alt=(
            "Bar charts of the share of requests each of three copies got, measured on "
            "Caddy and simulated, under round robin and least_conn, one copy slow."
        ),
    )  # fmt: skip
    lines = []
    for ax, (policy, algorithm) in zip(axes, policies, strict=True):
        shares = measured[policy].shares()
        sim = simulate_load_balancer(150, targets=targets, algorithm=algorithm, duration_s=120)
        routed = sim.routed.sum(axis=0)
        sim_pct = 100 * routed / routed.sum()
        x = np.arange(3)
        ax.bar(x - 0.2, [shares.get(c, 0) for c in copies], 0.4, label="measured (Caddy)")
        ax.bar(x + 0.2, sim_pct, 0.4, label="simulated (model)", hatch="//", alpha=0.6)
        ax.set_xticks(x, ["copy 1", "copy 2", "copy 3 (slow)"])
        ax.set_title(policy)
        ax.set_ylabel("share of requests, %")
        data = measured[policy].arrays()
        med = [np.median(data["latency_ms"][data["served_by"] == c]) for c in copies]
        lines.append(
            f"{policy}: measured shares "
            + ", ".join(f"{c} {shares.get(c, 0):.0f} %" for c in copies)
            + "; median latency "
            + ", ".join(f"{m:.0f} ms" for m in med)
            + f"; simulated shares {', '.join(f'{p:.0f} %' for p in sim_pct)}"
        )
    axes[0].legend(loc="upper left", fontsize="small")
    return Scene(figure, lines)


def _bins(result: LoadResult, copy_id: str, width: float, end: float) -> tuple[np.ndarray, ...]:
    data = result.arrays()
    edges = np.arange(0, end + width, width)
    to_copy = np.histogram(data["t_s"][data["served_by"] == copy_id], edges)[0]
    failed = np.histogram(data["t_s"][(data["status"] < 200) | (data["status"] >= 500)], edges)[0]
    return edges[:-1], to_copy / width, failed


def failover(kill_at: float = 1.0, restart_at: float = 2.5, seconds: float = 4.5) -> Scene:
    """Kill a copy under load, then restart it: with and without retries, and the model."""
    figure, axes = _figure(
        (3, 1), 5.6, sharex=True,
        alt=(
            "Charts of a copy killed under load and restarted, with and without retries: "
            "requests per copy and errors over time, measured and modelled."
        ),
    )  # fmt: skip
    lines = []
    interval = HEALTH.interval_s
    for ax, retries in zip(axes[:2], (0, 2), strict=True):
        with Fleet(copies=3, health=HEALTH, retries=retries) as fleet:
            marks: dict[str, float] = {}

            def tick(now: float, _result: LoadResult, fleet: Fleet = fleet, marks=marks) -> None:
                if "kill" not in marks and now >= kill_at:
                    fleet.kill("blue-2")
                    marks["kill"] = now
                elif "kill" in marks and "down" not in marks and not fleet.healthy("blue-2"):
                    marks["down"] = now
                elif "down" in marks and "start" not in marks and now >= restart_at:
                    fleet.start_copy("blue-2")
                    marks["start"] = now
                elif "start" in marks and "up" not in marks and fleet.healthy("blue-2"):
                    marks["up"] = now

            load = run_load(
                fleet.url + "/api/whoami", requests=10_000, time_limit_s=seconds, users=4,
                rps=120, on_tick=tick,
            )  # fmt: skip
        t, rate, failed = _bins(load, "blue-2", 0.1, seconds)
        ax.plot(t / interval, rate, label="requests/s to the killed copy")
        ax.bar(t / interval, failed, width=0.2, color="tab:red", label="failed requests")
        for key in marks:
            ax.axvline(marks[key] / interval, color="grey", lw=0.8, ls=":")
        ax.set_title(f"measured, Caddy, {retries} retries", fontsize="medium")
        down = marks.get("down", float("nan")) - marks.get("kill", float("nan"))
        back = marks.get("up", float("nan")) - marks.get("start", float("nan"))
        lines.append(
            f"{retries} retries: Caddy marked the copy down {down:.2f} s after the crash "
            f"({down / interval:.1f} intervals); {load.failed} of {len(load)} requests failed; "
            f"back in service {back:.2f} s after the restart"
        )
    sim = simulate_load_balancer(
        90, duration_s=400, health=HealthCheck(), failures=[Failure("task-b", 90, 240)]
    )
    step_intervals = sim.t_s / sim.health.interval_s
    axes[2].plot(step_intervals, sim.routed[:, 1], label="requests/s to the failed target")
    failed_sim = sum(sim.errors.values())
    axes[2].bar(step_intervals, failed_sim, width=0.05, color="tab:red", label="failed requests")
    axes[2].set_title("simulated ALB, 30 s interval, 2 unhealthy / 5 healthy", fontsize="medium")
    axes[2].set_xlabel("time, health check intervals")
    axes[0].legend(loc="upper right", fontsize="small")
    for ax in axes:
        ax.set_xlim(0, seconds / interval)
    for d in sim.detections:
        lines.append(
            f"simulated ALB: {d.target} out of service {d.detection_s:.0f} s after failing "
            f"({d.detection_s / sim.health.interval_s:.1f} intervals)"
            + (f", back {d.back_s - d.recovered_s:.0f} s after recovering" if d.back_s else "")
        )
    return Scene(figure, lines)


def stickiness(users: int = 6, per_user: int = 20) -> Scene:
    """The cookie policy: each user (with its cookies) stays on one copy; without, it moves."""
    with Fleet(copies=3, policy="cookie", health=HEALTH) as fleet:
        kept = run_load(fleet.url + "/healthz", requests=users * per_user, time_limit_s=20,
                        users=users, cookies=True)  # fmt: skip
        plain = run_load(fleet.url + "/healthz", requests=users * per_user, time_limit_s=20,
                         users=users, cookies=False)  # fmt: skip
    figure, axes = _figure(
        (1, 2), 2.8, sharey=True,
        alt=(
            "Charts of which copy served each user's requests, with the stickiness cookie"
            " and without."
        ),
    )  # fmt: skip
    lines = []
    for ax, result, title in ((axes[0], kept, "with the cookie"), (axes[1], plain, "without")):
        per: dict[int, Counter] = {}
        for s in result.samples:
            per.setdefault(s.user, Counter())[s.served_by] += 1
        copies = sorted({c for counter in per.values() for c in counter if c})
        matrix = np.array([[per.get(u, Counter())[c] for c in copies] for u in range(users)])
        ax.imshow(matrix.T, aspect="auto", cmap="Blues")
        ax.set_xticks(range(users), [f"user {u + 1}" for u in range(users)], fontsize="small")
        ax.set_yticks(range(len(copies)), copies)
        ax.set_title(title, fontsize="medium")
        spread = [len([c for c in counter if c]) for counter in per.values()]
        lines.append(f"{title}: copies seen per user {spread}")
    return Scene(figure, lines)


def blue_green(fail_rate: float = 0.3, every_s: float = 1.5, rps: float = 80.0) -> Scene:
    """100/0 → 80/20 → 50/50 → 0/100 measured; then a faulty green rolled back; the model."""
    alarm = Alarm(threshold=0.05, evaluation_periods=2, period_s=1.0)
    steps = ((100, 0), (80, 20), (50, 50), (0, 100))
    with Fleet(copies=2, green=1, health=HEALTH) as fleet:
        healthy = run_canary(fleet, steps, every_s=every_s, alarm=alarm, rps=rps)
    env = {"green": {"FAIL_RATE": str(fail_rate)}}
    runs = {}
    for name, schedule in (("canary", steps), ("all at once", ((100, 0), (0, 100)))):
        with Fleet(copies=2, green=1, health=HEALTH, env=env) as fleet:
            runs[name] = run_canary(
                fleet, schedule, every_s=every_s, alarm=alarm, rps=rps,
                duration_s=every_s * len(steps),
            )  # fmt: skip
    figure, axes = _figure(
        (2, 1), 5.2, sharex=True,
        alt=(
            "Charts of requests per second to blue and to green through the weight "
            "shifts, then a faulty green rolled back, measured and modelled."
        ),
    )  # fmt: skip
    lines = []
    data = healthy.load.arrays()
    edges = np.arange(0, every_s * len(steps) + 0.5, 0.5)
    green = np.histogram(
        data["t_s"][np.char.startswith(data["served_by"].astype(str), "green")], edges
    )[0]
    total = np.maximum(np.histogram(data["t_s"], edges)[0], 1)
    axes[0].plot(edges[:-1], 100 * green / total, label="measured green share")
    planned = [steps[min(int(t // every_s), len(steps) - 1)][1] for t in edges[:-1]]
    axes[0].step(edges[:-1], planned, where="post", ls="--", label="weights set")
    axes[0].set_ylabel("green, %")
    axes[0].legend(fontsize="small")
    axes[0].set_title("weights shifted through Caddy's admin API (no faults)", fontsize="medium")
    per_stage = []
    for i, (_, g) in enumerate(steps):
        part = healthy.load.between(i * every_s + 0.3, (i + 1) * every_s)
        share = sum(v for k, v in part.shares().items() if k.startswith("green"))
        per_stage.append(f"{100 - g}/{g} → measured green {share:.0f} %")
    lines.append("; ".join(per_stage))
    for name, run in runs.items():
        d = run.load.arrays()
        errs = np.histogram(d["t_s"][d["status"] >= 500], edges)[0]
        axes[1].plot(edges[:-1], errs / 0.5, label=f"{name}: errors/s (measured)")
        sim_schedule = canary_schedule(steps, every_s) if name == "canary" else all_at_once(every_s)
        sim = simulate_blue_green(
            rps, sim_schedule, green_error_rate=fail_rate, alarm=alarm,
            duration_s=every_s * len(steps), step_s=0.5, seed=1,
        )  # fmt: skip
        axes[1].plot(sim.t_s, sim.green_errors / 0.5, ls="--", label=f"{name}: simulated")
        rolled = f"rolled back at {run.rollback_s:.1f} s" if run.rollback_s else "no rollback"
        sim_rolled = f"{sim.rollback_s:.1f} s" if sim.rollback_s is not None else "never"
        lines.append(
            f"{name}, green FAIL_RATE={fail_rate}: {rolled}; users saw {run.load.failed} errors "
            f"in {len(run.load)} requests; the simulation rolls back at {sim_rolled} with "
            f"{sim.errors} errors in {sim.requests}"
        )
    axes[1].set_ylabel("errors per second")
    axes[1].set_xlabel("seconds")
    axes[1].legend(fontsize="small")
    axes[1].set_title(
        f"green fails {fail_rate:.0%} of requests; alarm: > 5 % in 2 one-second periods",
        fontsize="medium",
    )
    return Scene(figure, lines)


def autoscaling_ramp(seconds: float = 14.0, peak_rps: float = 160.0) -> Scene:
    """Requests per copy drive ``fleet.scale`` through the book's target tracking step."""
    policy = ScalingPolicy(
        metric="requests", target_value=30.0, min_tasks=1, max_tasks=4,
        scale_out_cooldown_s=1.0, scale_in_cooldown_s=2.0, period_s=1.0,
        scale_out_periods=1, scale_in_periods=3, scale_in_margin=0.9,
    )  # fmt: skip
    step = 0.5
    half = int(seconds / 2 / step)
    curve = np.concatenate(
        [ramp(20, peak_rps, half * step, step_s=step), ramp(peak_rps, 20, half * step, step_s=step)]
    )

    def rate(t: float) -> float:
        return float(curve[min(int(t / step), curve.size - 1)])

    with Fleet(copies=1, health=HEALTH) as fleet:
        trace = run_autoscaling(fleet, rate, policy, duration_s=seconds)
    sim = simulate_autoscaling(
        curve, policy, Service(task_capacity_rps=120, startup_s=1.5, base_latency_ms=3),
        step_s=step, seed=0,
    )  # fmt: skip
    figure, axes = _figure(
        (3, 1), 5.6, sharex=True,
        alt=(
            "Charts of target tracking driving the fleet: demand and requests sent per "
            "second, copies running, and the tracked metric over time."
        ),
    )  # fmt: skip
    data = trace.load.arrays()
    edges = np.arange(0, seconds + 1, 1.0)
    axes[0].plot(np.arange(curve.size) * step, curve, ls="--", label="demand asked for")
    axes[0].plot(edges[:-1], np.histogram(data["t_s"], edges)[0], label="requests/s sent")
    axes[0].set_ylabel("requests/s")
    axes[0].legend(fontsize="small")
    axes[1].step(trace.period_end_s, trace.copies, where="post", label="copies (measured)")
    axes[1].step(sim.t_s, sim.desired, where="post", ls="--", label="desired (simulated)")
    axes[1].set_ylabel("copies")
    axes[1].legend(fontsize="small")
    which = np.digitize(data["t_s"], edges) - 1
    p90 = [
        np.percentile(data["latency_ms"][which == i], 90) if (which == i).any() else np.nan
        for i in range(edges.size - 1)
    ]
    axes[2].plot(edges[:-1], p90, label="p90 latency (measured)")
    axes[2].set_ylabel("ms")
    axes[2].set_xlabel("seconds")
    axes[2].legend(fontsize="small")
    lines = [
        "measured: " + "; ".join(f"t={t:.0f} s {k} {a} → {b}" for t, k, a, b in trace.events),
        "simulated: "
        + "; ".join(e.text("{:.0f} requests per copy per period") for e in sim.events),
    ]
    return Scene(figure, lines)
