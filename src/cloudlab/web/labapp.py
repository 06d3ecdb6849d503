"""Start and stop the Flask lab (labs/flask_app) under gunicorn, from a notebook or a test.

The app runs as a real gunicorn server on free loopback ports of both families
(``http://127.0.0.1:PORT`` and ``http://[::1]:PORT``), in its own process group
(:mod:`cloudlab.procs`), and :class:`LabApp` stops it when the ``with`` block ends,
leaving no process and no open port behind, even when the block raised.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import flask_app
from flask_app.settings import VARIABLES

from cloudlab.procs import ProcessGroup, start
from cloudlab.web.dualstack import has_ipv6_loopback

#: The lab's folder (``labs/flask_app``): gunicorn.conf.py, the Dockerfile. The lab is an
#: installed package (``pip install -e labs/flask_app``, as ``make book`` does); the book
#: imports it and never loads its files by path.
APP_DIR = Path(flask_app.__file__).resolve().parents[1]

#: Settings the app reads (its own list); the reader's shell never leaks into a lab run.
APP_VARIABLES: tuple[str, ...] = VARIABLES


def free_port(ipv6: bool | None = None) -> int:
    """Return a TCP port that is free on 127.0.0.1 and, when used, on ``::1`` too."""
    ipv6 = has_ipv6_loopback() if ipv6 is None else ipv6
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock4:
            sock4.bind(("127.0.0.1", 0))
            port = int(sock4.getsockname()[1])
            if not ipv6:
                return port
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock6:
                    sock6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no TCP port is free on both loopback addresses")


def port_is_open(host: str, port: int) -> bool:
    """Tell whether something accepts TCP connections on ``host``:``port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass
class LabApp:
    """The Flask lab running under gunicorn on the loopback addresses.

    Parameters
    ----------
    env
        App settings, e.g. ``{"TRUSTED_PROXY_HOPS": "1", "COLOR": "blue"}``. Anything not
        given takes the app's development default.
    port
        TCP port; by default a free one is chosen.
    workers
        gunicorn worker processes.
    start_timeout
        Seconds to wait for ``/healthz`` to answer.
    """

    env: Mapping[str, str] = field(default_factory=dict)
    port: int | None = None
    workers: int = 1
    start_timeout: float = 20.0
    app_dir: Path = APP_DIR
    ipv6: bool = field(default_factory=has_ipv6_loopback)
    #: Stop the server when the process that started it dies
    #: (:func:`cloudlab.procs.die_with_parent`).
    tied_to_parent: bool = False
    _process: ProcessGroup | None = field(default=None, repr=False)
    _log: Path | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The IPv4 address of the running app, e.g. ``http://127.0.0.1:5000``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url6(self) -> str | None:
        """The IPv6 address of the running app, or None on a machine without ``::1``."""
        return f"http://[::1]:{self.port}" if self.ipv6 else None

    def start(self) -> LabApp:
        """Start gunicorn and wait until the app answers its health check."""
        if self._process is not None:
            raise RuntimeError("the lab app is already running")
        unknown = sorted(set(self.env) - set(APP_VARIABLES))
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a setting of the lab app")
        if not (self.app_dir / "gunicorn.conf.py").is_file():
            raise FileNotFoundError(
                f"{self.app_dir}: no gunicorn.conf.py: install the lab from its folder "
                "(pip install -e labs/flask_app)"
            )
        self.port = self.port or free_port(self.ipv6)
        environment = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
        environment.update(
            {"PORT": str(self.port), "WEB_CONCURRENCY": str(self.workers), "ACCESS_LOG": "0"}
        )
        environment.update(self.env)
        log = self.app_dir / "instance" / f"gunicorn-{self.port}.log"
        log.parent.mkdir(exist_ok=True)
        self._log = log
        self._process = start(  # its own process group: stop() ends every worker
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=self.app_dir,
            env=environment,
            log=log,
            tied_to_parent=self.tied_to_parent,
        )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if not self._process.running:
                raise RuntimeError(f"the lab app stopped at start-up: {self.last_log_line()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the lab app did not answer /healthz within {self.start_timeout} s")

    def last_log_line(self) -> str:
        """The last line gunicorn printed (why it stopped, usually)."""
        if self._log is None or not self._log.exists():
            return "no log"
        lines = self._log.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        """Stop gunicorn and its workers; wait until the port is free again."""
        process, self._process = self._process, None
        if process is None:
            return
        process.stop(timeout=10)
        if self._log is not None:
            self._log.unlink(missing_ok=True)

    def kill(self) -> None:
        """Crash the app: SIGKILL to gunicorn and every worker at once, no draining."""
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        if self._log is not None:
            self._log.unlink(missing_ok=True)

    @property
    def pid(self) -> int | None:
        """The gunicorn master's process id while it runs."""
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._process is not None and self._process.running

    def __enter__(self) -> LabApp:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
