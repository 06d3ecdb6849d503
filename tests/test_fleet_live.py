"""Integration: a real Caddy in front of real gunicorn copies of the lab app, on loopback.

Short health intervals (0.5 s) keep the whole module to a few tens of seconds; waits
allow generous slack (3 × interval × threshold) for a busy two-core machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from cloudlab.fleet import Fleet, ProxyHealthCheck
from cloudlab.fleet.caddy import check_port_free
from cloudlab.fleet.cli import runtime_dir
from cloudlab.fleet.load import run_load
from cloudlab.procs import start
from cloudlab.web.dualstack import has_ipv6_loopback
from cloudlab.web.labapp import free_port

HEALTH = ProxyHealthCheck(interval_s=0.5, timeout_s=0.3, healthy_threshold=2, unhealthy_threshold=2)
SLACK = 3 * HEALTH.interval_s * HEALTH.unhealthy_threshold


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait(condition, limit: float) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > limit:
            raise AssertionError(f"not within {limit} s")
        time.sleep(0.05)
    return time.monotonic() - start


def test_weights_within_five_points_over_2000_requests() -> None:
    with Fleet(copies=3, green=1, health=HEALTH) as fleet:
        for blue, green in ((80, 20), (50, 50)):
            fleet.set_weights({"blue": blue, "green": green})
            load = run_load(fleet.url + "/healthz", requests=2000, time_limit_s=60, users=4)
            assert len(load) == 2000
            assert load.failed == 0
            shares = load.shares()
            green_pct = sum(v for k, v in shares.items() if k.startswith("green"))
            print(f"weights {blue}/{green}: measured green {green_pct:.1f} %, per copy {shares}")
            assert abs(green_pct - green) <= 5
            assert abs(shares["blue-1"] - shares["blue-2"]) <= 5  # split evenly


def test_kill_then_no_requests_after_unhealthy_and_restart_returns() -> None:
    with Fleet(copies=3, health=HEALTH, retries=0) as fleet:
        pid = fleet.copy("blue-2").pid
        assert pid is not None
        during: list = []
        stop = threading.Event()

        def background() -> None:
            while not stop.is_set():
                during.append(
                    run_load(fleet.url + "/healthz", requests=50, time_limit_s=2, users=2)
                )

        worker = threading.Thread(target=background)
        worker.start()
        time.sleep(0.3)
        fleet.kill("blue-2")
        try:
            eject = _wait(lambda: fleet.healthy("blue-2") is False, SLACK)
        finally:
            stop.set()
            worker.join()
        assert not _alive(pid)
        failed = sum(r.failed for r in during)
        print(
            f"marked unhealthy {eject:.2f} s after the crash; {failed} requests failed (no retries)"
        )
        after = run_load(fleet.url + "/healthz", requests=300, time_limit_s=20, users=3)
        assert "blue-2" not in after.shares()
        assert after.failed == 0
        fleet.start_copy("blue-2")
        back = _wait(lambda: fleet.healthy("blue-2") is True, 3 * HEALTH.seconds_to_return)
        print(f"back {back:.2f} s after the restart (healthy threshold {HEALTH.healthy_threshold})")
        # Caddy's passive check remembers the crash's failed requests for fail_duration_s
        # (2 s), and until they expire it keeps the copy out even though the active check
        # says healthy: wait for that too before measuring its share.
        _wait(
            lambda: (
                "blue-2" in run_load(fleet.url + "/healthz", requests=30, time_limit_s=2).shares()
            ),
            SLACK + 2 * 2.0,
        )
        again = run_load(fleet.url + "/healthz", requests=300, time_limit_s=20, users=3)
        assert again.shares().get("blue-2", 0) > 20


def test_graceful_stop_with_retries_loses_no_request() -> None:
    with Fleet(copies=3, health=HEALTH, retries=2) as fleet:
        results = []
        worker = threading.Thread(
            target=lambda: results.append(
                run_load(fleet.url + "/api/whoami", requests=1500, time_limit_s=8, users=4)
            )
        )
        worker.start()
        time.sleep(0.5)
        fleet.stop_copy("blue-1")
        worker.join()
        load = results[0]
        print(f"graceful stop, retries on: {load.failed} of {len(load)} failed")
        assert len(load) > 100
        assert load.failed == 0
        assert fleet.status()["copies"][0]["running"] is False


def test_crash_failures_are_counted_with_and_without_retries() -> None:
    counts = {}
    for retries in (0, 2):
        with Fleet(copies=3, health=HEALTH, retries=retries) as fleet:
            results = []
            worker = threading.Thread(
                target=lambda f=fleet, out=results: out.append(
                    run_load(f.url + "/api/whoami", requests=2000, time_limit_s=4, users=4)
                )
            )
            worker.start()
            time.sleep(0.5)
            fleet.kill("blue-1")
            worker.join()
            counts[retries] = (results[0].failed, len(results[0]))
    print(f"crash: failed/sent without retries {counts[0]}, with 2 retries {counts[2]}")
    assert all(sent > 0 for _, sent in counts.values())


def test_cookie_keeps_a_client_on_one_copy_and_forwarded_for() -> None:
    with Fleet(copies=3, policy="cookie", health=HEALTH) as fleet:
        load = run_load(
            fleet.url + "/healthz", requests=300, time_limit_s=20, users=6, cookies=True
        )
        per_user: dict[int, Counter] = {}
        for sample in load.samples:
            per_user.setdefault(sample.user, Counter())[sample.served_by] += 1
        assert all(len(c) == 1 for c in per_user.values()), per_user
        assert len({next(iter(c)) for c in per_user.values()}) > 1  # users spread over copies
        if has_ipv6_loopback():
            with urllib.request.urlopen(fleet.url6 + "/api/whoami", timeout=5) as response:
                seen = json.load(response)
            assert seen["ip"] == "::1"
            assert seen["peer"] == "127.0.0.1"
            assert seen["served_by"] == response.headers["X-Served-By"]


def test_cli_up_status_kill_down_leaves_nothing() -> None:
    port = free_port()
    command = [sys.executable, "-m", "cloudlab", "fleet"]
    up = start(
        [*command, "up", "--port", str(port), "--copies", "2", "--green", "0", "--interval", "0.5"]
    )
    try:
        _wait(lambda: (runtime_dir(port) / "state.json").exists() or not up.running, 30)
        status = subprocess.run(
            [*command, "status", "--port", str(port), "--json"], capture_output=True, text=True
        )
        assert status.returncode == 0, status.stderr
        data = json.loads(status.stdout)
        pids = [row["pid"] for row in data["copies"]] + [data["caddy_pid"]]
        assert {row["id"] for row in data["copies"]} == {"blue-1", "blue-2"}
        assert all(row["healthy"] for row in data["copies"])
        bad = subprocess.run(
            [*command, "kill", "--port", str(port), "nope"], capture_output=True, text=True
        )
        assert bad.returncode == 2
        assert "no copy 'nope'" in bad.stderr
        kill = subprocess.run(
            [*command, "kill", "--port", str(port), "blue-1"], capture_output=True, text=True
        )
        assert kill.returncode == 0, kill.stderr
        down = subprocess.run(
            [*command, "down", "--port", str(port)], capture_output=True, text=True
        )
        assert down.returncode == 0, down.stderr
        assert up.process.wait(timeout=30) == 0
    finally:
        up.stop(timeout=30)
    assert not any(_alive(pid) for pid in pids if pid)
    assert not runtime_dir(port).exists()
    check_port_free(port, has_ipv6_loopback())  # raises if anything still listens


@pytest.fixture(autouse=True)
def _nothing_left_behind(monkeypatch):
    # Caddy's temporary folders go to this test's own folder (this process, and any
    # `fleet up` it starts), so another test or book build running at the same time
    # cannot be mistaken for a leftover. A short path: `fleet up` binds a Unix socket
    # there, and those paths are limited to about 100 bytes.
    own = Path(tempfile.mkdtemp(prefix="fl-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(own))
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    yield
    leftovers = [p.name for p in own.iterdir() if p.name.startswith("cloudlab-caddy-")]
    shutil.rmtree(own, ignore_errors=True)
    assert not leftovers
