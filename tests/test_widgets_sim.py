"""Widget tests for the load balancer, auto scaling and blue/green explorers."""

from __future__ import annotations

from cloudlab.widgets.loadbalancer import make_load_balancer_ui
from cloudlab.widgets.scaling import make_autoscaling_ui, make_blue_green_ui


def test_load_balancer_ui_reports_detection_and_moves_traffic():
    ui = make_load_balancer_ui()
    assert ui.result is not None
    assert "task-b taken out" in ui.outcome.value
    ui.controls["interval_s"].value = 10
    (d,) = ui.result.detections
    assert d.detection_s <= 20
    ui.controls["fail_at_s"].value = 0
    assert ui.result.total_errors == 0
    assert "no errors" in ui.outcome.value


def test_load_balancer_ui_algorithm_and_drain():
    ui = make_load_balancer_ui()
    ui.controls["algorithm"].value = "least_outstanding_requests"
    assert ui.result.algorithm == "least_outstanding_requests"
    ui.controls["deregister_at_s"].value = 600
    assert not ui.result.registered[-1, -1]


def test_load_balancer_ui_shows_errors_inline():
    ui = make_load_balancer_ui()
    ui.controls["timeout_s"].value = 40  # longer than the 30 s interval
    assert ui.result is None
    assert "shorter than the interval" in ui.error.value
    assert ui.outcome.value == ""
    ui.controls["timeout_s"].value = 5
    assert ui.error.value == ""
    ui.controls["targets"].value = 1
    assert "no task-b" in ui.error.value


def test_autoscaling_ui():
    ui = make_autoscaling_ui()
    assert ui.result is not None
    assert "Tasks" in ui.outcome.value
    ui.controls["max_tasks"].value = 4
    assert ui.result.running.max() <= 4
    ui.controls["metric"].value = "requests"
    assert ui.result.policy.metric == "requests"
    assert ui.result.policy.target_value == ui.controls["requests_target"].value
    ui.controls["min_tasks"].value = 10
    assert ui.result is None
    assert "more than the maximum" in ui.error.value


def test_blue_green_ui_rollback_and_comparison():
    ui = make_blue_green_ui()
    assert ui.result.rollback_s is not None
    assert ui.comparison.errors > ui.result.errors
    assert "All at once" in ui.outcome.value
    ui.controls["green_error_pct"].value = 1.0
    assert ui.result.rollback_s is None
    ui.controls["rollback"].value = False
    ui.controls["green_error_pct"].value = 20.0
    assert ui.result.rollback_s is None
    ui.controls["strategy"].value = "all"
    assert ui.result.green_pct[-1] == 100


def test_autoscaling_ui_shows_only_the_tracked_metrics_target():
    ui = make_autoscaling_ui()
    assert ui.controls["cpu_target"].layout.display is None
    assert ui.controls["requests_target"].layout.display == "none"
    ui.controls["metric"].value = "requests"
    assert ui.controls["cpu_target"].layout.display == "none"
    assert ui.controls["requests_target"].layout.display is None
    # The traffic column's heading is not repeated as its dropdown's label.
    assert ui.controls["shape"].description != "Traffic"


def test_autoscaling_summary_counts_one_scale_in_in_the_singular():
    ui = make_autoscaling_ui()
    ins = sum(1 for e in ui.result.events if e.kind != "scale out")
    word = "scale-in" if ins == 1 else "scale-ins"
    assert f"{ins} {word};" in ui.result.summary
    assert " 1 scale-ins" not in ui.result.summary
    assert " 1 scale-outs" not in ui.result.summary


def test_blue_green_all_at_once_has_no_comparison_line_with_itself():
    ui = make_blue_green_ui()
    ui.controls["strategy"].value = "all"
    assert ui.comparison is None
    assert "All at once, same alarm" not in ui.outcome.value
    assert "staged shift to compare" in ui.outcome.value
    ui.controls["strategy"].value = "staged"
    assert ui.comparison is not None
    assert "All at once, same alarm" in ui.outcome.value
