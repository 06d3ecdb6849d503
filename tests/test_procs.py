"""cloudlab.procs: a child in its own process group is stopped with all it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cloudlab.procs import ProcessGroup, die_with_parent, group_cpu_s, group_members, start

#: Prints "ready" once its SIGTERM handler is in place (the handler ignores the signal).
STUBBORN = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("ready", flush=True)
    time.sleep(120)
    """
)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def wait_for_line(log: Path, count: int = 1, timeout: float = 20.0) -> list[str]:
    """The log's lines once it has ``count`` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = log.read_text().split() if log.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.02)
    raise AssertionError(f"{log} has {lines!r} after {timeout} s")


def pid_in(lines: list[str]) -> int:
    """The pid a leader printed (its child's "ready" may come first on a busy machine)."""
    return next(int(line) for line in lines if line.isdigit())


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended: it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def groups():
    """Every group a test starts; stopped afterwards even when the test failed."""
    started: list[ProcessGroup] = []
    yield started
    for group in started:
        group.kill()


@pytest.fixture
def launch(tmp_path, groups):
    """``launch(code, lines=1)``: start Python code in a group; its first output lines."""

    def run(code: str, lines: int = 1) -> tuple[ProcessGroup, list[str]]:
        log = tmp_path / f"out-{len(groups)}.log"
        group = start(python(code), log=log)
        groups.append(group)
        return group, wait_for_line(log, lines)

    return run


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_time(launch):
    group, _ = launch(STUBBORN)
    began = time.monotonic()
    assert group.stop(timeout=0.5) == -signal.SIGKILL
    assert time.monotonic() - began >= 0.5
    assert not alive(group.pid)
    assert group.members() == []


def test_a_polite_child_stops_on_sigterm_without_waiting(launch):
    group, _ = launch("import time; print('ready', flush=True); time.sleep(120)")
    began = time.monotonic()
    assert group.stop(timeout=10) == -signal.SIGTERM
    assert time.monotonic() - began < 5


def test_what_the_child_started_goes_too_even_when_it_ignores_sigterm(launch):
    # The leader exits on SIGTERM at once; its own child ignores SIGTERM and would be
    # left running (re-parented to init) by a stop that only waits for the leader.
    code = textwrap.dedent(
        f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", {STUBBORN!r}])
        print(child.pid, flush=True)
        time.sleep(120)
        """
    )
    group, lines = launch(code, 2)
    grandchild = pid_in(lines)
    assert sorted(group.members()) == sorted([group.pid, grandchild])
    group.stop(timeout=0.5)
    assert not alive(grandchild)
    assert group_members(group.pid) == []


def test_a_leader_that_already_exited_still_has_its_children_stopped(launch):
    code = textwrap.dedent(
        f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", {STUBBORN!r}])
        print(child.pid, flush=True)
        """
    )
    group, lines = launch(code, 2)
    orphan = pid_in(lines)
    group.process.wait(timeout=20)
    assert group.members() == [orphan]
    group.stop(timeout=0.5)
    assert not alive(orphan)


def test_kill_is_immediate_for_the_whole_group(launch):
    group, _ = launch(STUBBORN)
    began = time.monotonic()
    assert group.kill() == -signal.SIGKILL
    assert time.monotonic() - began < 3
    assert not group.running


def test_zombies_are_not_counted_as_members(launch):
    # The leader starts a child that exits at once and never reaps it.
    code = textwrap.dedent(
        """
        import os, time
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        print(pid, flush=True)
        time.sleep(120)
        """
    )
    group, lines = launch(code)
    zombie = int(lines[0])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert group.members() == [group.pid]


def test_the_log_gets_both_streams_and_the_group_is_its_own(tmp_path, groups):
    log = tmp_path / "out.log"
    code = "import os, sys; print(os.getpgid(0), os.getsid(0)); print('err', file=sys.stderr)"
    group = start(python(code), log=log, env={**os.environ, "X": "1"}, cwd=tmp_path)
    groups.append(group)
    assert group.process.wait(timeout=20) == 0
    pgid, sid, err = log.read_text().split()
    assert int(pgid) == int(sid) == group.pid != os.getpgid(0)
    assert err == "err"
    assert group.stop() == 0  # nothing left to stop: returns at once


def test_tied_to_parent_ends_the_child_when_its_starter_is_killed(tmp_path):
    assert die_with_parent(), "setpriv (util-linux) is missing: install util-linux"
    log = tmp_path / "out.log"
    starter_code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from cloudlab.procs import start
        group = start([sys.executable, "-c", {STUBBORN.replace("SIG_IGN", "SIG_DFL")!r}],
                      log=Path({str(log)!r}), tied_to_parent=True)
        print(group.pid, flush=True)
        time.sleep(120)
        """
    )
    starter = subprocess.Popen(python(starter_code), stdout=subprocess.PIPE, text=True)
    try:
        child = int(starter.stdout.readline())
        wait_for_line(log)
    finally:
        starter.kill()  # no clean-up runs in the starter
        starter.wait(timeout=20)
        starter.stdout.close()
    deadline = time.monotonic() + 10
    while alive(child):
        if time.monotonic() > deadline:
            os.killpg(child, signal.SIGKILL)
            raise AssertionError("the child outlived the process that started it")
        time.sleep(0.05)


def test_group_cpu_counts_the_work_of_every_member(launch):
    spin = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    code = textwrap.dedent(
        f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", {spin!r} + "time.sleep(120)"])
        exec({spin!r})
        print("spun", flush=True)
        time.sleep(120)
        """
    )
    group, lines = launch(code)
    assert lines == ["spun"]
    deadline = time.monotonic() + 20
    while (group_cpu_s(group.pid) or 0) < 0.55:  # 0.3 s each, minus a tick of rounding
        assert time.monotonic() < deadline, group_cpu_s(group.pid)
        time.sleep(0.05)
    group.stop(timeout=0.5)
    assert group_cpu_s(group.pid) == 0
