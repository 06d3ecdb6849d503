"""Child processes in a process group of their own: start one, stop it, leave nothing behind.

The one home of the mechanism that the lab-app runner (:class:`cloudlab.web.labapp.LabApp`,
and through it every copy of :class:`cloudlab.fleet.Fleet`), the fleet's proxy
(:class:`cloudlab.fleet.caddy.Caddy`) and the benchmarks use for a server: the child
starts a new session (so its process group is its own and holds whatever it forks, such
as gunicorn's workers), and stopping it signals that whole group, never a process found
by name.

:meth:`ProcessGroup.stop` sends SIGTERM to the group, waits for the child and for every
other member of the group to be gone, and sends SIGKILL to the group once the grace time
is over: a worker that ignores SIGTERM, or that the leader left behind when it exited,
is ended too. :meth:`ProcessGroup.kill` is the crash: SIGKILL to the group at once.

Where ``setpriv`` (util-linux) exists, ``tied_to_parent=True`` also gives the child a
parent-death signal, so that a server started from a notebook stops when the kernel is
killed without running any clean-up.

Chapter: the load balancer's "see it for real" (the fleet) and the Flask lab.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "KILL_WAIT_S",
    "ProcessGroup",
    "die_with_parent",
    "group_cpu_s",
    "group_members",
    "process_table",
    "start",
]

#: Seconds to wait for a group to disappear after SIGKILL (it is immediate; slack for a
#: loaded machine).
KILL_WAIT_S = 5.0
#: How often a stop looks again whether the group's other members are gone (seconds).
POLL_S = 0.02
_PROC = Path("/proc")


def die_with_parent() -> list[str]:
    """A command prefix that makes a child get SIGTERM when this process dies (Linux).

    ``setpriv --pdeathsig TERM`` (util-linux) sets the child's parent-death signal and
    then runs the command in the same process, so the child keeps its pid. Empty where
    ``setpriv`` is missing.
    """
    found = shutil.which("setpriv")
    return [found, "--pdeathsig", "TERM", "--"] if found else []


def process_table() -> dict[int, tuple[str, list[str]]]:
    """Every process in ``/proc``: pid → (its command name, the ``stat`` fields after it).

    The fields start with the state (``"Z"`` for a zombie), the parent's pid and the
    process group. Empty where there is no ``/proc``.
    """
    found: dict[int, tuple[str, list[str]]] = {}
    if not _PROC.is_dir():
        return found
    for entry in os.scandir(_PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[int(entry.name)] = (name, stat[stat.rindex(")") + 2 :].split())
    return found


def _group_stats(pgid: int) -> list[tuple[int, list[str]]]:
    """``(pid, fields after the command name)`` of each process in group ``pgid`` (``/proc``)."""
    return [(pid, fields) for pid, (_, fields) in process_table().items() if int(fields[2]) == pgid]


def group_members(pgid: int) -> list[int]:
    """Pids of the live processes in process group ``pgid`` (zombies are not counted).

    Read from ``/proc`` where there is one (Linux); elsewhere, ``[pgid]`` while
    ``killpg(pgid, 0)`` says the group still exists, else ``[]``.
    """
    if not _PROC.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        except PermissionError:
            return [pgid]
        return [pgid]
    return [pid for pid, fields in _group_stats(pgid) if fields[0] != "Z"]


def group_cpu_s(pgid: int) -> float | None:
    """CPU seconds (user and system) used so far by the live processes of group ``pgid``.

    None without ``/proc``. Processes that have already ended are not counted, so the
    difference over an interval is the group's CPU time in it while its members stay.
    """
    if not _PROC.is_dir():
        return None
    stats = _group_stats(pgid)
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in stats if fields[0] != "Z")
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessGroup:
    """A child started by :func:`start`: the leader of a process group of its own.

    Attributes
    ----------
    process : subprocess.Popen
        The child (its pid is the group's id).
    """

    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """The child's process id, which is also its process group's id."""
        return self.process.pid

    @property
    def running(self) -> bool:
        """True while the child itself runs (see :meth:`members` for the rest of the group)."""
        return self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        """The child's exit status once it has ended (negative: the signal that ended it)."""
        return self.process.poll()

    def members(self) -> list[int]:
        """Pids of the group's live processes: the child and whatever it started."""
        self.process.poll()  # reap the child if it has ended, so it is not counted
        return group_members(self.pid)

    def signal(self, signum: int) -> None:
        """Send ``signum`` to every process of the group (nothing when none is left)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the child and every other member to end."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=max(0.0, timeout))
        while self.members():
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)
        return self.process.poll() is not None

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM to the group; SIGKILL to what is left after ``timeout`` seconds.

        Returns
        -------
        int or None
            The child's exit status.

        Raises
        ------
        RuntimeError
            When a process of the group is still alive after SIGKILL (it cannot be: a
            process stuck in the kernel, or one that left the group is not ours to end).
        """
        if not self.members():
            return self.process.wait()
        self.signal(signal.SIGTERM)
        if not self.wait(timeout):
            self.kill()
        return self.process.returncode

    def kill(self) -> int | None:
        """SIGKILL to the whole group at once (a crash: nothing drains); wait until it is gone."""
        self.signal(signal.SIGKILL)
        if not self.wait(KILL_WAIT_S):
            raise RuntimeError(f"process group {self.pid} still has {self.members()} after SIGKILL")
        return self.process.returncode


def start(
    command: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    tied_to_parent: bool = False,
) -> ProcessGroup:
    """Start ``command`` as the leader of a new process group (a new session).

    Parameters
    ----------
    command
        The program and its arguments.
    cwd, env
        Its working folder and environment (by default this process's).
    log
        A file that receives its standard output and error (created or emptied);
        without one, both are discarded. Its standard input is always empty.
    tied_to_parent
        Also send it SIGTERM when this process dies (:func:`die_with_parent`).
    """
    prefix = die_with_parent() if tied_to_parent else []
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            [*prefix, *command],
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return ProcessGroup(process)
