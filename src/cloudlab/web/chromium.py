"""Find, or provide, the headless Chromium that every browser step of the book uses.

One set of rules for the site tests, :mod:`cloudlab.web.browser` (the fingerprinting
chapter drives a browser) and ``make book`` / ``make test``:

1. ``CHROMIUM`` from the environment (a path, or a command on the ``PATH``);
2. ``chromium``, ``chromium-browser`` or ``google-chrome`` on the ``PATH``;
3. a Chromium that Playwright installed (``playwright install chromium``).

When none is found, ``python -m cloudlab.web.chromium --provide`` (the ``browser`` make
target) gets one: first ``playwright install chromium`` with a short timeout (it works
wherever Playwright's download host is reachable, e.g. an ordinary laptop), then, on
Debian or Ubuntu as root (or with a sudo that needs no password), ``apt-get update`` and
``apt-get install -y chromium``; otherwise it stops with one line naming exactly what to
install.

Chapter: the browser-fingerprinting chapter, and the site's own browser tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "NOT_FOUND", "find_chromium", "provide_chromium"]

#: Flags for a quiet, offline, headless Chromium in a container or on a CI machine: no
#: sandbox (root in a container), and none of the background calls home, which this
#: machine's closed network (and a reader's privacy) would refuse anyway.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
)

#: Commands looked for on the PATH, in this order.
COMMANDS = ("chromium", "chromium-browser", "google-chrome")

NOT_FOUND = (
    "no Chromium found: set CHROMIUM=/path/to/chromium, or install one "
    "(`playwright install chromium`, or on Debian/Ubuntu `apt-get install chromium`), "
    "or run `make browser`"
)

#: Seconds `playwright install chromium` may take before we try the next way.
PLAYWRIGHT_TIMEOUT = 180
#: Seconds apt-get may take (update, then install).
APT_TIMEOUT = 900


def _executable(candidate: str | None) -> str | None:
    """Return ``candidate`` as an executable path (a path or a command), or None."""
    if not candidate:
        return None
    path = Path(candidate).expanduser()
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    return shutil.which(candidate)


def playwright_chromium() -> str | None:
    """Return the Chromium that Playwright installed for its own version, or None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            return _executable(playwright.chromium.executable_path)
    except Exception:  # the driver could not start: treat as "no Playwright browser"
        return None


def find_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    """Return the path of a Chromium executable, or None when there is none.

    Parameters
    ----------
    environ : dict, optional
        Environment to read ``CHROMIUM`` from (default: this process's).

    Raises
    ------
    ValueError
        When ``CHROMIUM`` is set but names nothing executable: a wrong explicit choice
        is an error, not a reason to pick another browser silently.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    chosen = env.get("CHROMIUM")
    if chosen:
        found = _executable(chosen)
        if found is None:
            raise ValueError(f"CHROMIUM={chosen}: no executable there")
        return found
    for command in COMMANDS:
        if found := shutil.which(command):
            return found
    return playwright_chromium()


def _is_debian() -> bool:
    return Path("/etc/debian_version").is_file() and shutil.which("apt-get") is not None


def _as_root() -> list[str] | None:
    """The prefix that runs a command as root here: none for root, sudo if it needs no
    password, or None when neither works."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def _run(
    command: Sequence[str],
    timeout: float,
    say: Callable[[str], None],
    env: dict[str, str] | None = None,
) -> bool:
    say("$ " + " ".join(command))
    try:
        return subprocess.run(command, timeout=timeout, check=False, env=env).returncode == 0
    except subprocess.TimeoutExpired:
        say(f"gave up after {timeout:.0f} s")
    except OSError as error:
        say(f"could not run {command[0]}: {error.strerror}")
    return False


def provide_chromium(say: Callable[[str], None] = print) -> str:
    """Return a Chromium, installing one when none is found.

    Raises
    ------
    RuntimeError
        With one line naming what to install, when no way worked on this machine.
    """
    found = find_chromium()
    if found:
        return found
    playwright = shutil.which("playwright")
    if playwright:
        say("no Chromium found: trying `playwright install chromium`")
        if _run([playwright, "install", "chromium"], PLAYWRIGHT_TIMEOUT, say):
            found = playwright_chromium()
            if found:
                return found
    root = _as_root()
    if _is_debian() and root is not None:
        say("trying Debian's chromium package")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if _run([*root, "apt-get", "update", "-qq"], APT_TIMEOUT, say, env) and _run(
            [*root, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            APT_TIMEOUT,
            say,
            env,
        ):
            found = find_chromium()
            if found:
                return found
    if _is_debian():
        raise RuntimeError(
            "no Chromium, and `playwright install chromium` failed: "
            "run `sudo apt-get install chromium`, or set CHROMIUM=/path/to/chromium"
        )
    raise RuntimeError(
        "no Chromium, and `playwright install chromium` failed: install Chromium or Google "
        "Chrome, or set CHROMIUM=/path/to/chromium"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cloudlab.web.chromium [--provide]``: print the browser's path."""
    parser = argparse.ArgumentParser(prog="python -m cloudlab.web.chromium", description=__doc__)
    parser.add_argument(
        "--provide", action="store_true", help="install a Chromium when none is found"
    )
    args = parser.parse_args(argv)
    try:
        path = provide_chromium() if args.provide else find_chromium()
    except (ValueError, RuntimeError) as error:
        print(f"cloudlab: {error}", file=sys.stderr)
        return 1
    if path is None:
        print(f"cloudlab: {NOT_FOUND}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
