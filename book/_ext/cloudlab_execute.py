"""Execute each chapter's notebook once, three at a time, into the book's jupyter-cache.

The book builds with ``execute_notebooks: cache``: myst-nb takes each notebook's outputs
from jupyter-cache (``_build/.jupyter_cache``) when its code cells are unchanged, and
executes it otherwise. Three things are added here, in one place:

- ``python book/_ext/cloudlab_execute.py`` (``make notebooks``, which ``make book`` runs
  first) executes every notebook of ``_toc.yml`` that has no cached result, three in
  parallel (myst-nb alone would run them one after another), with the same timeout
  rules as the build, and prints how long each took. A failing cell stops it with the
  notebook, the cell and the error. So does a notebook that leaves a process or a
  listening port behind after its last cell (:func:`left_running`).
- jupyter-cache keys on a notebook's code cells only, so a change to ``src/``, ``labs/``
  or a lock file would otherwise leave yesterday's numbers on the page. The files the
  chapters run against are hashed; when the hash changes the cache is cleared and every
  notebook runs again. With ``CI=true`` the cache is always cleared first.
- The Sphinx side (this module is also an extension, set up by ``cloudlab_site``), so that
  an incremental build is never stale: each notebook's page depends on a stamp file
  touched when that notebook executes, so the build re-reads exactly the pages whose
  outputs changed; and when a static file changed (the site's JavaScript and CSS) while no
  page did, one page is re-read, because Sphinx 7.4 stops before copying static files when
  no page is out of date (that, not a failure to overwrite, is why builds used to wipe
  ``_build/html`` and run with ``--all``).

:func:`report` reads the cache back (the tests use it): for each notebook, whether its
current code has a successful execution and how long it took.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "_build" / ".jupyter_cache"
STAMPS = CACHE / "cloudlab-stamps"
#: How long each notebook took last time (kept when the cache is cleared), so the longest
#: start first and the two workers finish together.
TIMES_FILE = ROOT / "_build" / "notebook-seconds.json"
INPUTS_FILE = CACHE / "cloudlab-inputs.sha256"
#: What every chapter runs against: the package, the labs and the locks. A change to any
#: of these re-executes every notebook.
INPUTS = ("src", "labs", "requirements.txt", "tools/checkov/requirements.txt", "_config.yml")
#: Three on two cores, because the chapters mostly wait (on a real fleet under a paced
#: load, on the emulator, on checkov): a clean run used about a third of two cores with
#: two at a time, and three cut its wall time by a quarter (74 s against 101 s, one run
#: each on the same busy machine).
WORKERS = 3


@dataclass(frozen=True)
class Execution:
    """One notebook's state in the cache."""

    path: Path
    cached: bool
    seconds: float | None
    executed_at: float | None

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def toc_files(root: Path = ROOT) -> list[str]:
    """Every page named in ``_toc.yml`` (its root first), in the book's order, no suffix."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return files


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks named in ``_toc.yml``, in the book's order."""
    return [
        root / f"{name}.ipynb" for name in toc_files(root) if (root / f"{name}.ipynb").is_file()
    ]


def _input_files(root: Path) -> Iterable[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *INPUTS],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the folders
        listed = [
            str(path.relative_to(root))
            for name in INPUTS
            for path in ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ]
    return (root / name for name in sorted(set(listed)))


def inputs_digest(root: Path = ROOT) -> str:
    """SHA-256 over the names and contents of the files every chapter runs against."""
    digest = hashlib.sha256()
    for path in _input_files(root):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cell_timeout(root: Path = ROOT) -> int:
    """Seconds a cell may run: ``execute.timeout`` in _config.yml, as in the build.

    Kept short on purpose: with several notebooks at a time, a cell that shows widgets
    sometimes gets its reply only when the timeout runs out, and then passes
    (jupyter/nbclient#312). The lab chapters (Docker, Terraform, real AWS where present)
    allow longer in their own ``mystnb.execution_timeout``.
    """
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    return int(config["execute"]["timeout"])


def _timeout(nb: Any, default: int) -> int:
    return int(nb.metadata.get("mystnb", {}).get("execution_timeout", default))


def stamp_path(notebook: Path) -> Path:
    """The file touched when ``notebook`` executes (the page depends on it)."""
    return STAMPS / (notebook.relative_to(ROOT).as_posix().replace("/", "__") + ".stamp")


#: Seconds of one wait for a kernel's reply, repeated until the cell's own timeout.
REPLY_POLL = 1.0


def _kernel_manager_class() -> type:
    """A kernel manager whose clients wait for shell replies in short slices.

    With several notebooks executing at a time, a cell that shows widgets sometimes gets its
    execute reply only when the whole cell timeout has run out, and then passes
    (jupyter/nbclient#312, open): one long poll of the shell socket misses the wake-up.
    Waiting in slices of :data:`REPLY_POLL` seconds finds the reply within a second. Only
    this executor uses it; the cell's timeout is unchanged.
    """
    from queue import Empty
    from time import monotonic

    from jupyter_client.asynchronous.client import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Type, default

    class SlicedChannel(AsyncZMQSocketChannel):
        async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                left = None if deadline is None else max(0.0, deadline - monotonic())
                wait = REPLY_POLL if left is None else min(REPLY_POLL, left)
                try:
                    return await super().get_msg(timeout=wait)
                except Empty:
                    if left is not None and left <= REPLY_POLL:
                        raise

    class SlicedClient(AsyncKernelClient):
        shell_channel_class = Type(SlicedChannel)
        manager: Any = None

        def execute(self, *args: Any, **kwargs: Any) -> str:
            # The kernel is ready when the first cell is sent: what it listens on now
            # (its ZeroMQ channels, its output pipe) is its own.
            if self.manager is not None and self.manager.baseline is None:
                self.manager.baseline = listening_ports([self.manager.provisioner.pid])
            return str(super().execute(*args, **kwargs))

    class Manager(AsyncKernelManager):
        baseline: set[int] | None = None

        @default("client_factory")
        def _sliced_client(self) -> type:
            return SlicedClient

        def client(self, **kwargs: Any) -> Any:
            client = super().client(**kwargs)
            client.manager = self
            return client

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            pid = getattr(self.provisioner, "pid", None)
            if pid is not None and not restart:
                LEFT_RUNNING.extend(left_running(pid, self.baseline or set()))
            await super().shutdown_kernel(now=now, restart=restart)

    return Manager


#: What the last notebook's kernel left running when its last cell had finished.
LEFT_RUNNING: list[str] = []


def _processes() -> dict[int, tuple[int, str]]:
    """Every live process (zombies left out): its parent's id and its name."""
    from cloudlab.procs import process_table

    return {
        pid: (int(fields[1]), name)
        for pid, (name, fields) in process_table().items()
        if fields[0] != "Z"
    }


def listening_ports(pids: Iterable[int]) -> set[int]:
    """The TCP ports on which any of ``pids`` has a listening socket (from ``/proc``)."""
    proc = Path("/proc")
    listening = {}
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for row in (proc / "net" / table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A":  # LISTEN; fields[9] is the socket's inode
                    listening[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    ports = set()
    for pid in pids:
        for fd in (proc / str(pid) / "fd").glob("*"):
            with contextlib.suppress(OSError):
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in listening:
                    ports.add(listening[link[8:-1]])
    return ports


def left_running(pid: int, own_ports: set[int]) -> list[str]:
    """The processes started under ``pid`` that still run, and new ports any of them hold.

    A chapter must stop what it starts (a fleet, a moto server, a copy of the app): in
    JupyterLab the kernel lives on after the last cell, and so would they. Read from
    ``/proc``; on a system without it (macOS) nothing is reported. ``own_ports`` are the
    kernel's own, listening before its first cell ran.
    """
    if not Path("/proc/self/stat").is_file():
        return []
    processes = _processes()
    tree, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, (ppid, _) in processes.items() if ppid == parent]
        tree.extend(children)
        frontier.extend(children)
    ports = listening_ports([pid, *tree]) - own_ports
    found = [f"{processes[child][1]} (pid {child})" for child in sorted(tree)]
    return found + [f"a socket listening on port {port}" for port in sorted(ports)]


def _execute(path: str, default_timeout: int) -> tuple[str, str | None, float, str | None]:
    """Run one notebook in its folder (in a worker process); return it as JSON."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(
        notebook,
        cwd=str(Path(path).parent),
        timeout=_timeout(notebook, default_timeout),
        allow_errors=False,
        meta_override=True,
        kernel_manager_class=_kernel_manager_class(),
    )
    left, LEFT_RUNNING[:] = list(LEFT_RUNNING), []
    if result.err is not None:
        return path, None, result.time, _one_line(result.err)
    if left:
        return path, None, result.time, "still running after the last cell: " + ", ".join(left)
    return path, nbformat.writes(result.nb), result.time, None


def _one_line(error: BaseException) -> str:
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def _cache(path: Path = CACHE) -> Any:
    from jupyter_cache import get_cache

    return get_cache(str(path))


def report(root: Path = ROOT, cache_path: Path = CACHE) -> list[Execution]:
    """For each notebook of the book: is its current code cached, how long it ran."""
    import nbformat

    cache = _cache(cache_path)
    states = []
    for path in toc_notebooks(root):
        record = None
        with contextlib.suppress(KeyError):
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        states.append(
            Execution(
                path=path,
                cached=record is not None,
                seconds=None if record is None else record.data.get("execution_seconds"),
                executed_at=None if record is None else record.created.timestamp(),
            )
        )
    return states


def inputs_are_current(root: Path = ROOT) -> bool:
    """True when the cache was filled against today's ``src/``, ``labs/`` and locks."""
    return INPUTS_FILE.is_file() and INPUTS_FILE.read_text().strip() == inputs_digest(root)


def execute_outdated(
    root: Path = ROOT, workers: int = WORKERS, fresh: bool = False, say: Any = print
) -> list[Execution]:
    """Execute every notebook without a current cached result; return the report.

    Raises
    ------
    RuntimeError
        Naming each notebook that failed and its error, after the others finished.
    """
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    cache = _cache()
    digest = inputs_digest(root)
    if fresh or not inputs_are_current(root):
        why = "asked to start fresh" if fresh else "src/, labs/ or a lock changed"
        if any(state.cached for state in report(root)):
            say(f"notebooks: {why}: every notebook runs again")
        cache.clear_cache()
        cache = _cache()
    CACHE.mkdir(parents=True, exist_ok=True)
    INPUTS_FILE.write_text(digest + "\n")
    last = json.loads(TIMES_FILE.read_text()) if TIMES_FILE.is_file() else {}
    todo = [state.path for state in report(root) if not state.cached]
    todo.sort(key=lambda path: -float(last.get(path.relative_to(root).as_posix(), 0)))
    if not todo:
        say("notebooks: all outputs are current (jupyter-cache)")
        return report(root)
    say(f"notebooks: executing {len(todo)} of {len(toc_notebooks(root))}, {workers} at a time")
    failures = []
    STAMPS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        timeout = cell_timeout(root)
        futures = [pool.submit(_execute, str(path), timeout) for path in todo]
        for future in as_completed(futures):
            path, text, seconds, error = future.result()
            name = Path(path).relative_to(root).as_posix()
            if error is not None:
                failures.append(f"{name}: {error}")
                say(f"  FAILED {name} after {seconds:.1f} s: {error}")
                continue
            stage = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    nbformat.reads(text, as_version=4),
                    stage.uri,
                    data={"execution_seconds": seconds},
                ),
                check_validity=False,
                overwrite=True,
            )
            stamp_path(Path(path)).touch()
            last[name] = round(seconds, 1)
            say(f"  {seconds:6.1f} s  {name}")
    TIMES_FILE.write_text(json.dumps(last, indent=1, sort_keys=True) + "\n")
    say(f"notebooks: done in {time.monotonic() - started:.0f} s")
    if failures:
        raise RuntimeError("notebooks failed: " + "; ".join(failures))
    return report(root)


# ------------------------------------------------------------------ the Sphinx side


def _depend_on_stamp(app: Any, docname: str, source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if path.suffix == ".ipynb":
        stamp = stamp_path(path.resolve())
        if stamp.exists():
            app.env.note_dependency(str(stamp))


def _static_stamp(app: Any) -> Path:
    return Path(app.outdir) / ".cloudlab-static-copied"


def _newest_static_file(app: Any) -> float:
    newest = 0.0
    for folder in [*app.config.html_static_path, *app.config.html_extra_path]:
        root = Path(app.confdir, folder)
        files = [root] if root.is_file() else root.rglob("*")
        for path in files:
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def _reread_for_static(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    if added or changed or removed or app.builder.name != "html":
        return []  # pages are re-read anyway, and the static files copied after them
    stamp = _static_stamp(app)
    if stamp.is_file() and _newest_static_file(app) <= stamp.stat().st_mtime:
        return []
    return [app.config.root_doc]


def _note_static_copied(app: Any, exception: BaseException | None) -> None:
    if exception is None and app.builder.name == "html":
        _static_stamp(app).touch()


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _depend_on_stamp)
    app.connect("env-get-outdated", _reread_for_static)
    app.connect("build-finished", _note_static_copied)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="clear the cache first")
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args(argv)
    fresh = args.fresh or os.environ.get("CI", "").lower() == "true"
    try:
        execute_outdated(workers=args.workers, fresh=fresh)
    except RuntimeError as error:
        print(f"cloudlab: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
