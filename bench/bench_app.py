"""Benchmark the Flask lab against its peer, httpbin, under the same gunicorn; and through Caddy.

httpbin (a Flask app that echoes what the server sees) is the peer that does the same
job as the lab's JSON routes. Both run under the lab's own production worker settings
(``labs/flask_app/gunicorn.conf.py``, ``WEB_CONCURRENCY`` workers, access log off for
both) on free ports of 127.0.0.1, side by side, and the routes take turns in short
slices. httpbin runs from the bench's own environment (``.venv-bench``, from
``bench/requirements.txt``), never the lab's. Load comes from ``wrk`` when it is
installed, otherwise from a small Python load generator; either way the run is bounded
and talks to 127.0.0.1 only.

Pairs compared (ratio = lab requests per second / httpbin requests per second, goal
at least 1.0 with 0 errors):

- lab ``/api/whoami`` vs httpbin ``/anything`` (both describe the request as JSON);
- lab ``/healthz`` vs httpbin ``/status/200`` (both answer a fixed status).

Also reported: lab ``/`` (an HTML page that signs a session cookie, more work than any
httpbin route), and lab ``/healthz`` and ``/api/whoami`` through Caddy (the fleet's
proxy, ``cloudlab.fleet``): the proxy's cost per request, direct vs proxied.

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
import timeit
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudlab.web.labapp import free_port as labapp_free_port

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "flask_app"
HOST = "127.0.0.1"  # never anything else
TARGET_RATIO = 1.0
#: The bench's own environment, where httpbin is installed.
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
HTTPBIN = "httpbin:app"
LAB_APP = "flask_app:create_app()"
SECRET_KEY = "bench-only-secret-key"  # the same in the servers and in this process
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


def lab_app():
    """The lab app as its gunicorn runs it, with the bench's secret key."""
    from flask_app import create_app  # the lab is an installed package (make installs it)

    return create_app({"SECRET_KEY": SECRET_KEY})


@dataclass(frozen=True)
class Route:
    """One thing to load: a route of an app, with the headers every request carries."""

    label: str
    app: str  # gunicorn's APP_MODULE
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """One route's measurements."""

    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    in_app_us: float = float("nan")

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the book's one port finder)."""
    return labapp_free_port(ipv6=False)


@contextlib.contextmanager
def gunicorn(app: str, port: int, log: Path, python: str = sys.executable):
    """Run ``gunicorn -c labs/flask_app/gunicorn.conf.py APP`` on 127.0.0.1:PORT, no access log."""
    env = dict(os.environ)
    env.update(
        {"PORT": str(port), "SECRET_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1", "ACCESS_LOG": "0"}
    )
    for name in ("BIND_ALL", "APP_ENV", "FLASK_ENV", "TRUSTED_PROXY_HOPS"):
        env.pop(name, None)
    command = [
        python, "-m", "gunicorn",
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
        health = "/healthz" if "flask_app" in app else "/status/200" if "httpbin" in app else None
        wait_until_up(process, f"http://{HOST}:{port}{health}" if health else None, port, log)
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


def warm_up(port: int, route: Route, count: int = 50) -> None:
    """Send a few requests first, so imports and template compilation are not timed."""
    for _ in range(count):
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", route.path, headers=dict(route.headers))
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status != 200:
            sys.exit(f"{route.label}: warm-up got HTTP {response.status}, not 200")


def returning_cookie(app: Any) -> str:
    """The ``Cookie`` header of a browser that has visited ``/`` once (signed with our key)."""
    client = app.test_client()
    client.get("/")
    cookie = client.get_cookie("session")
    if cookie is None:
        sys.exit("the lab's / set no session cookie: nothing to send back")
    return f"session={cookie.value}"


def in_app_us(app: Any, route: Route, repeat: int = 7) -> float:
    """Microseconds the app spends on one request: a direct WSGI call, best of ``repeat``."""
    from werkzeug.test import EnvironBuilder

    base = EnvironBuilder(
        path=route.path, base_url=f"http://{HOST}:5000", headers=dict(route.headers)
    ).get_environ()
    base["REMOTE_ADDR"] = HOST

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        if not status.startswith("200"):
            sys.exit(f"{route.label}: HTTP {status} in the direct call")

    def one_request() -> None:
        body = app(dict(base), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    timer = timeit.Timer(one_request)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def run_wrk(wrk: str, port: int, route: Route, args: argparse.Namespace) -> Result:
    """Load the route with wrk for ``args.duration`` seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    headers = [
        option for name, value in route.headers.items() for option in ("-H", f"{name}: {value}")
    ]
    try:
        threads = min(2, args.connections)
        completed = subprocess.run(
            [wrk, f"-t{threads}", f"-c{args.connections}", f"-d{args.duration}s",
             f"--timeout={int(REQUEST_TIMEOUT)}s", "-s", script.name, *headers,
             f"http://{HOST}:{port}{route.path}"],
            capture_output=True, text=True, timeout=args.duration + 30, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    # gunicorn's sync workers close every connection after the response, so wrk's "read"
    # count includes those orderly closes; count only connect/write/timeout/non-2xx.
    errors = summary["connect"] + summary["write"] + summary["status"] + summary["timeout"]
    return Result(
        route.label,
        summary["requests"],
        summary["duration_us"] / 1e6,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        errors,
    )


def run_python(port: int, route: Route, args: argparse.Namespace) -> Result:
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
                connection.request("GET", route.path, headers=dict(route.headers))
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
        return Result(route.label, 0, seconds, float("nan"), float("nan"), errors)
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Result(route.label, len(latencies), seconds, p50 * 1000, p99 * 1000, errors)


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


@contextlib.contextmanager
def caddy_in_front(upstream_port: int):
    """The fleet's Caddy (``cloudlab.fleet``) in front of one gunicorn; yields the proxy's port."""
    from cloudlab.fleet.caddy import Caddy, Passive, ProxyHealthCheck, Upstream, caddy_config

    caddy = Caddy(admin_port=free_port()).start()
    try:
        port = free_port()
        caddy.load(
            caddy_config(
                port=port,
                admin_port=caddy.admin_port,
                upstreams=[Upstream(upstream_port)],
                health=ProxyHealthCheck(interval_s=5, timeout_s=2),
                passive=Passive(0),
                ipv6=False,
            )
        )
        yield port
    finally:
        caddy.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the comparison; return 1 only with --strict and a miss."""
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
    parser.add_argument("--no-caddy", action="store_true", help="skip the routes through Caddy")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 60 or not 1 <= args.connections <= 64:
        parser.error("use --duration 1-60 and --connections 1-64")
    if not 1 <= args.rounds <= args.duration:
        parser.error("use --rounds between 1 and --duration")
    if not BENCH_PYTHON.exists():
        parser.error(f"{BENCH_PYTHON} is missing: run `make bench` (it installs httpbin there)")

    wrk = shutil.which("wrk") if args.generator in ("auto", "wrk") else None
    if args.generator == "wrk" and wrk is None:
        parser.error("wrk is not installed (apt-get install wrk), or use --generator python")
    generator = "wrk" if wrk else "python"
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

    lab = lab_app()
    pairs = [
        (Route("httpbin /anything", HTTPBIN, "/anything"),
         Route("lab /api/whoami", LAB_APP, "/api/whoami")),
        (Route("httpbin /status/200", HTTPBIN, "/status/200"),
         Route("lab /healthz", LAB_APP, "/healthz")),
    ]  # fmt: skip
    page = Route("lab / first visit", LAB_APP, "/")
    routes = [r for pair in pairs for r in pair] + [page]
    proxied = [
        (Route("lab /healthz", LAB_APP, "/healthz"),
         Route("Caddy → lab /healthz", "caddy", "/healthz")),
        (Route("lab /api/whoami", LAB_APP, "/api/whoami"),
         Route("Caddy → lab /api/whoami", "caddy", "/api/whoami")),
    ]  # fmt: skip
    if not args.no_caddy:
        routes += [via for _, via in proxied]
    in_app = {r.label: in_app_us(lab, r) if r.app == LAB_APP else float("nan") for r in routes}

    # The servers run side by side and the routes take turns in short slices, so that a
    # burst of other work on the machine hits all of them alike instead of skewing one.
    slices: dict[str, list[Result]] = {route.label: [] for route in routes}
    slice_args = argparse.Namespace(**vars(args))
    slice_args.duration = max(1, args.duration // args.rounds)
    slice_args.max_requests = max(1, args.max_requests // args.rounds)
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp, contextlib.ExitStack() as stack:
        ports: dict[str, int] = {}
        for app, python in ((HTTPBIN, str(BENCH_PYTHON)), (LAB_APP, sys.executable)):
            port = free_port()
            stack.enter_context(gunicorn(app, port, Path(tmp) / f"{port}.log", python))
            ports[app] = port
        if not args.no_caddy:
            ports["caddy"] = stack.enter_context(caddy_in_front(ports[LAB_APP]))
        for route in routes:
            warm_up(ports[route.app], route)
        for _ in range(args.rounds):
            for route in routes:
                if wrk:
                    slices[route.label].append(run_wrk(wrk, ports[route.app], route, slice_args))
                else:
                    slices[route.label].append(run_python(ports[route.app], route, slice_args))
    results = {route.label: combine(route.label, slices[route.label]) for route in routes}
    for label, result in results.items():
        result.in_app_us = in_app[label]

    errors = sum(result.errors for result in results.values())
    print(
        f"Flask lab vs httpbin: gunicorn -c labs/flask_app/gunicorn.conf.py, {workers} worker(s), "
        f"access log off, {generator}, {args.connections} connections, {args.duration} s per "
        f"route in {args.rounds} alternating slices, {HOST} only"
    )
    print(
        f"{'route':<24} {'requests/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7} "
        f"{'in-app us':>10}"
    )
    for result in results.values():
        print(
            f"{result.label:<24} {result.rps:>11.1f} {result.p50_ms:>7.2f} "
            f"{result.p99_ms:>7.2f} {result.errors:>7d} {result.in_app_us:>10.0f}"
        )
    ratios = {}
    for peer, mine in pairs:
        a, b = results[mine.label], results[peer.label]
        ratios[f"{mine.label} / {peer.label}"] = a.rps / b.rps if b.rps else 0.0
    whoami = results["lab /api/whoami"]
    print(
        f"lab / (signs a session cookie, renders HTML) {results[page.label].rps:.1f} requests/s, "
        f"{results[page.label].rps / whoami.rps if whoami.rps else 0:.2f} of /api/whoami"
    )
    proxy_cost = {}
    if not args.no_caddy:
        for direct, via in proxied:
            d, v = results[direct.label], results[via.label]
            if d.rps and v.rps:
                # wall time per request at this concurrency, all cores: what the hop adds
                cost = (1 / v.rps - 1 / d.rps) * 1e6
                proxy_cost[via.label] = cost
                print(
                    f"{via.label}: {v.rps:.1f} vs {d.rps:.1f} requests/s direct "
                    f"({v.rps / d.rps:.2f}); the proxy adds {cost:.0f} us per request"
                )
        if any(cost < 0 for cost in proxy_cost.values()):
            print(
                "(a negative cost: wrk keeps its connections to Caddy open, while gunicorn's "
                "sync workers close every connection, so direct runs pay a new TCP connection "
                "per request; the hop itself is not free)"
            )
    ok = True
    for name, value in ratios.items():
        good = value >= TARGET_RATIO
        ok &= good
        print(f"ratio {name} = {value:.2f} (target >= {TARGET_RATIO}): {'OK' if good else 'MISS'}")
    print(f"errors = {errors} (target 0): {'OK' if errors == 0 else 'MISS'}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "generator": generator,
                    "workers": workers,
                    "routes": [r.__dict__ | {"rps": r.rps} for r in results.values()],
                    "ratios": ratios,
                    "proxy_cost_us": proxy_cost,
                    "errors": errors,
                },
                indent=2,
            )
        )
    return 1 if args.strict and not (ok and errors == 0) else 0


if __name__ == "__main__":
    sys.exit(main())
