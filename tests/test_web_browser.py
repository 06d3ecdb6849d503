"""The lab's /fingerprint page in real headless Chromium: recognised with every cookie gone."""

from __future__ import annotations

import re

import pytest

from cloudlab.web.browser import (
    NO_CHROMIUM,
    FingerprintRun,
    Visit,
    run_fingerprint_demo,
    skip_reason,
)
from cloudlab.web.labapp import free_port

HEX64 = re.compile(r"[0-9a-f]{64}")


def visit(context: int, action: str, fid: str = "a" * 64, returning: bool = False) -> Visit:
    return Visit(context, action, (), fid, returning, action == "remember", "Done.")


def test_without_chromium_the_run_is_skipped_with_the_reason() -> None:
    report = run_fingerprint_demo(chromium="/nonexistent/chromium")
    assert report.skipped == NO_CHROMIUM
    assert report.text() == "skipped: no Chromium on this machine (`make browser` provides one)"
    assert not report.recognised
    assert report.visits == ()


def test_recognised_needs_all_three_visits_to_agree() -> None:
    good = FingerprintRun(
        visits=(visit(1, "visit"), visit(2, "visit", returning=True), visit(3, "visit"))
    )
    assert good.recognised
    not_back = FingerprintRun(visits=(visit(1, "visit"), visit(2, "visit"), visit(3, "visit")))
    assert not not_back.recognised
    other_id = FingerprintRun(
        visits=(
            visit(1, "visit"),
            visit(2, "visit", fid="b" * 64, returning=True),
            visit(3, "visit"),
        )
    )
    assert not other_id.recognised
    assert not FingerprintRun(visits=(visit(1, "visit"),)).recognised


def test_a_fresh_browser_context_is_recognised_until_forgotten() -> None:
    # `make test` provides a browser first (`make browser`): a missing one fails here.
    assert skip_reason() is None, skip_reason()
    report = run_fingerprint_demo()
    assert report.skipped is None
    assert report.problems == ()  # no script error, no CSP violation, no HTTP error
    steps = [(v.context, v.action) for v in report.visits]
    assert steps == [(1, "visit"), (1, "remember"), (2, "visit"), (2, "forget"), (3, "visit")]
    first, remembered, second, forgotten, third = report.visits
    assert HEX64.fullmatch(first.fingerprint_id)
    assert not first.returning
    assert remembered.remembered
    assert second.cookies_before == ()  # a brand-new context: no cookies at all
    assert second.fingerprint_id == first.fingerprint_id
    assert second.returning
    assert not forgotten.remembered
    assert third.fingerprint_id == first.fingerprint_id
    assert not third.returning
    assert report.recognised
    assert report.total_bits is not None
    assert report.total_bits > 10
    names = {name for name, _, _ in report.attributes}
    assert {"user_agent", "canvas", "timezone", "screen"} <= names
    assert "recognised after its cookies were cleared: YES" in report.text()


def test_an_app_that_is_not_there_is_a_clear_error() -> None:
    assert skip_reason() is None, skip_reason()
    url = f"http://127.0.0.1:{free_port(ipv6=False)}"
    with pytest.raises(RuntimeError, match=r"headless Chromium failed: .*ERR_CONNECTION_REFUSED"):
        run_fingerprint_demo(url, timeout_ms=5_000)
