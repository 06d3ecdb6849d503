"""Helpers for the Flask lab's tests: free loopback ports and real gunicorn processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_app.serving import ipv6_available
from flask_app.settings import VARIABLES

APP_DIR = Path(__file__).resolve().parents[1]

#: Variables the app reads; cleared so the developer's shell cannot change test results.
APP_ENV_VARS = VARIABLES
TEST_SECRET = "test-secret-key-not-for-production"
HAS_IPV6_LOOPBACK = ipv6_available("::1")
START_TIMEOUT = 20.0  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 10.0  # seconds for a graceful stop before SIGKILL
ATTEMPTS = 3  # fresh ports to try if another process grabs the chosen one first


# The book's rules for finding a browser (cloudlab.web.chromium), copied small: the lab must
# stand alone. CHROMIUM first, then the usual commands, then a Chromium Playwright installed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    """Return a Chromium executable's path, or None."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else shutil.which(chosen)
    for command in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(command):
            return found
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # no Playwright, or its driver cannot start
        return None
    return path if os.access(path, os.X_OK) else None


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 (and on ::1 when IPv6 loopback exists)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock4:
            sock4.bind(("127.0.0.1", 0))
            port = sock4.getsockname()[1]
            if not HAS_IPV6_LOOPBACK:
                return port
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock6:
                    sock6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found on the loopback addresses")


@dataclass
class Server:
    """A gunicorn running the lab app; ``url(path, family)`` builds loopback URLs."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def url(self, path: str = "/", family: int = 4) -> str:
        host = "127.0.0.1" if family == 4 else "[::1]"
        return f"http://{host}:{self.port}{path}"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: SIGTERM to the group, then SIGKILL if needed."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def start_gunicorn(
    tmp_path: Path,
    env: dict[str, str],
    args: Callable[[int], list[str]] | None = None,
    wait: bool = True,
) -> Server:
    """Start ``gunicorn -c gunicorn.conf.py`` in the app folder on a free port.

    Parameters
    ----------
    tmp_path : Path
        Folder for the log file and the database.
    env : dict
        Extra environment variables (PORT is chosen here unless given).
    args : callable, optional
        Given the port, returns extra gunicorn arguments (e.g. ``["--bind", ...]``).
    wait : bool
        Wait until this gunicorn listens and ``/healthz`` answers (False to watch a
        failing start). If another process took the port in the meantime, try another.
    """
    for _ in range(ATTEMPTS):
        port = int(env.get("PORT") or free_port())
        server = _launch(tmp_path, port, env, args(port) if args else [])
        if not wait:
            return server
        if _wait_until_up(server):
            return server
        stop(server.process)
        if "PORT" in env or "Connection in use" not in server.log.read_text(errors="replace"):
            break
    raise RuntimeError(f"gunicorn did not start:\n{server.log_tail()}")


def _launch(tmp_path: Path, port: int, env: dict[str, str], args: list[str]) -> Server:
    environ = {k: v for k, v in os.environ.items() if k not in APP_ENV_VARS}
    environ.update(
        {
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "ACCESS_LOG": "0",
            "SECRET_KEY": TEST_SECRET,
            "DATABASE": str(tmp_path / f"fingerprints-{port}.sqlite"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    environ.update(env)
    log = tmp_path / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=APP_DIR,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches the workers
        )
    return Server(process, port, log)


def _wait_until_up(server: Server) -> bool:
    """Wait for *this* gunicorn: its log says it listens, then /healthz answers."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        log = server.log.read_text(errors="replace")
        if "Connection in use" in log:
            return False
        if "Listening at:" in log:
            try:
                with urllib.request.urlopen(server.url("/healthz"), timeout=1) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(0.1)
    return False
