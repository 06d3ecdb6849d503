"""Benchmark the Flask lab's ``/`` page against a bare Flask "hello" route.

Both apps run under the same gunicorn settings (``labs/flask_app/gunicorn.conf.py``:
sync workers, ``WEB_CONCURRENCY`` of them, access log on) on a free port of 127.0.0.1,
one after the other. Load comes from ``wrk`` when it is installed, otherwise from a small
Python load generator; either way the run is bounded in time (and, for the Python one, in
requests) and talks to 127.0.0.1 only.

Reported: requests per second, median and 99th-percentile latency (milliseconds), and
errors (failed connections, timeouts, non-200 answers) for each route, then the ratio of
the lab's throughput to the bare route's (target: at least 0.8) and the total error count
(target: 0).

    python bench/bench_app.py                      # wrk if present, 6 s per route
    python bench/bench_app.py --generator python --duration 3 --max-requests 3000
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "flask_app"
HOST = "127.0.0.1"  # never anything else
TARGET_RATIO = 0.8
START_TIMEOUT = 20.0  # seconds for gunicorn to answer
REQUEST_TIMEOUT = 5.0  # seconds per request

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def hello_app():
    """The baseline: a bare Flask app with one route that returns a short text."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/hello")
    def hello() -> str:
        return "Hello, world!"

    return app


@dataclass
class Result:
    """One route's measurements."""

    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, port: int, log: Path):
    """Run ``gunicorn -c labs/flask_app/gunicorn.conf.py APP`` on 127.0.0.1:PORT."""
    env = dict(os.environ)
    env.update({"PORT": str(port), "SECRET_KEY": "bench-only-secret-key", "PYTHONUNBUFFERED": "1"})
    for name in ("BIND_ALL", "APP_ENV", "FLASK_ENV", "TRUSTED_PROXY_HOPS"):
        env.pop(name, None)
    command = [
        sys.executable, "-m", "gunicorn",
        "-c", str(LAB / "gunicorn.conf.py"),
        "--bind", f"{HOST}:{port}",
        "--pythonpath", str(Path(__file__).resolve().parent),
        app,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=LAB, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_up(process, f"http://{HOST}:{port}/healthz" if "flask_app" in app else None,
                      port, log)  # fmt: skip
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_until_up(process: subprocess.Popen[bytes], url: str | None, port: int, log: Path) -> None:
    """Wait until the server accepts connections (and answers ``url`` if given)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            if url:
                with urllib.request.urlopen(url, timeout=1):
                    return
            else:
                with socket.create_connection((HOST, port), timeout=1):
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    sys.exit(f"gunicorn did not start within {START_TIMEOUT} s; see {log}")


def warm_up(port: int, path: str, count: int = 50) -> None:
    """Send a few requests first, so imports and template compilation are not timed."""
    for _ in range(count):
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        finally:
            connection.close()


def run_wrk(wrk: str, port: int, path: str, label: str, args: argparse.Namespace) -> Result:
    """Load the route with wrk for ``args.duration`` seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        threads = min(2, args.connections)
        completed = subprocess.run(
            [wrk, f"-t{threads}", f"-c{args.connections}", f"-d{args.duration}s",
             f"--timeout={int(REQUEST_TIMEOUT)}s", "-s", script.name,
             f"http://{HOST}:{port}{path}"],
            capture_output=True, text=True, timeout=args.duration + 30, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    # gunicorn's sync workers close every connection after the response, so wrk's "read"
    # count includes those orderly closes; count only connect/write/timeout/non-2xx.
    errors = summary["connect"] + summary["write"] + summary["status"] + summary["timeout"]
    return Result(
        label,
        summary["requests"],
        summary["duration_us"] / 1e6,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        errors,
    )


def run_python(port: int, path: str, label: str, args: argparse.Namespace) -> Result:
    """Load the route from ``args.connections`` threads, bounded by time and request count."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def worker() -> None:
        nonlocal errors, issued
        while time.monotonic() < deadline:
            with lock:
                if issued >= args.max_requests:
                    return
                issued += 1
            start = time.perf_counter()
            connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            finally:
                connection.close()
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    latencies.sort()
    if not latencies:
        return Result(label, 0, seconds, float("nan"), float("nan"), errors)
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Result(label, len(latencies), seconds, p50 * 1000, p99 * 1000, errors)


def combine(label: str, parts: list[Result]) -> Result:
    """Merge the slices of one route: total requests over total time; median latencies."""
    p50s = sorted(part.p50_ms for part in parts)
    p99s = sorted(part.p99_ms for part in parts)
    return Result(
        label,
        sum(part.requests for part in parts),
        sum(part.seconds for part in parts),
        p50s[len(p50s) // 2],
        p99s[len(p99s) // 2],
        sum(part.errors for part in parts),
    )


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the comparison; return 1 only with --strict and a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=6, help="seconds of load per route (default 6)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="slices per route, alternating (default 3)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument(
        "--generator", choices=("auto", "wrk", "python"), default="auto", help="load generator"
    )
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="cap per route (Python generator)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 60 or not 1 <= args.connections <= 64:
        parser.error("use --duration 1-60 and --connections 1-64")
    if not 1 <= args.rounds <= args.duration:
        parser.error("use --rounds between 1 and --duration")

    wrk = shutil.which("wrk") if args.generator in ("auto", "wrk") else None
    if args.generator == "wrk" and wrk is None:
        parser.error("wrk is not installed (apt-get install wrk), or use --generator python")
    generator = "wrk" if wrk else "python"
    workers = os.environ.get("WEB_CONCURRENCY", "2")

    routes = [
        ("bare Flask /hello", "bench_app:hello_app()", "/hello"),
        ("lab /", "flask_app:create_app()", "/"),
    ]
    # Both servers run side by side and the routes take turns in short slices, so that a
    # burst of other work on the machine hits both alike instead of skewing one of them.
    slices: dict[str, list[Result]] = {label: [] for label, _, _ in routes}
    slice_args = argparse.Namespace(**vars(args))
    slice_args.duration = max(1, args.duration // args.rounds)
    slice_args.max_requests = max(1, args.max_requests // args.rounds)
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp, contextlib.ExitStack() as stack:
        ports = {}
        for label, app, path in routes:
            port = free_port()
            stack.enter_context(gunicorn(app, port, Path(tmp) / f"{port}.log"))
            warm_up(port, path)
            ports[label] = port
        for _ in range(args.rounds):
            for label, _, path in routes:
                if wrk:
                    slices[label].append(run_wrk(wrk, ports[label], path, label, slice_args))
                else:
                    slices[label].append(run_python(ports[label], path, label, slice_args))
    results = [combine(label, slices[label]) for label, _, _ in routes]

    hello, lab = results
    ratio = lab.rps / hello.rps if hello.rps else 0.0
    errors = sum(result.errors for result in results)
    print(
        f"Flask lab vs bare Flask: gunicorn {workers} sync worker(s), {generator}, "
        f"{args.connections} connections, {args.duration} s per route in {args.rounds} "
        f"alternating slices, {HOST} only"
    )
    print(f"{'route':<20} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results:
        print(
            f"{result.label:<20} {result.rps:>11.1f} {result.p50_ms:>8.2f} "
            f"{result.p99_ms:>8.2f} {result.errors:>7d}"
        )
    ratio_ok = ratio >= TARGET_RATIO
    print(
        f"ratio lab/bare = {ratio:.2f} (target >= {TARGET_RATIO}): {'OK' if ratio_ok else 'MISS'}"
    )
    print(f"errors = {errors} (target 0): {'OK' if errors == 0 else 'MISS'}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "generator": generator,
                    "workers": workers,
                    "routes": [r.__dict__ | {"rps": r.rps} for r in results],
                    "ratio": ratio,
                    "errors": errors,
                },
                indent=2,
            )
        )
    return 1 if args.strict and not (ratio_ok and errors == 0) else 0


if __name__ == "__main__":
    sys.exit(main())
