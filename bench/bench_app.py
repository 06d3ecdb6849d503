"""Benchmark the Flask lab against its peer, httpbin, under the same gunicorn; and Caddy's cost.

httpbin (a Flask app that echoes what the server sees) is the peer that does the same
job as the lab's JSON routes. Both run side by side on free ports of 127.0.0.1 under one
and the same server: ``gunicorn -c labs/flask_app/gunicorn.conf.py``, the lab's own
production settings (its worker class ``flask_app.worker.ThreadWorker``, gunicorn's
threaded worker with a deadline per request, ``WEB_CONCURRENCY`` workers of 4 threads,
keep-alive, the app preloaded), with the access log off for both. The worker class each
server really ran is read back from its own log and printed. httpbin runs from the
bench's own environment (``.venv-bench``, from ``bench/requirements.txt``, the same
gunicorn, Flask and Werkzeug versions as the lab's), never the lab's.

Load comes from ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install
wrk``) with keep-alive connections, or, without it, from a small Python generator (one
connection per request: slower, and it says so). The routes take turns in short slices,
so that a burst of other work on a shared machine hits all of them alike. Every run is
bounded and talks to 127.0.0.1 only.

Pairs compared (ratio = lab requests per second / httpbin requests per second, goal at
least 1.0 with 0 errors):

- lab ``/api/whoami`` vs httpbin ``/anything`` (both describe the request as JSON); the
  client sends no cookie, so each request is a first visit (the lab's JSON route reports
  a session but never starts one, so it signs nothing here either);
- the same two for a returning browser: the same ``Cookie`` header (a session the lab
  signed) sent to both, so the lab checks a signature, work httpbin never does (it has no
  secret key, so Flask ignores the cookie there): reported, not judged against the target;
- lab ``/healthz`` vs httpbin ``/status/200`` (both answer a fixed status).

Also reported: lab ``/`` (an HTML page that signs a session cookie), next to
``/api/whoami``; for every route the servers' CPU time per request (from ``/proc``, all
processes of the server's group: less sensitive to other work on the machine than
requests per second) and the app's own time per request without a server (a direct
WSGI call, best of several); and Caddy's cost per request (:func:`proxy_cost`).

    python bench/bench_app.py                      # wrk if present, 18 s per route
    python bench/bench_app.py --generator python --duration 3 --max-requests 3000
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import timeit
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
WRK_INSTALL = "install wrk (apt-get install wrk, brew install wrk) or use --generator python"

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


def load_app(spec: str):
    """The WSGI app that gunicorn's ``APP_MODULE`` names (``module:name`` or ``module:call()``)."""
    if spec == LAB_APP:
        return lab_app()
    import importlib
    import logging

    logging.disable(logging.WARNING)  # httpbin's notice that flasgger is missing
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Route:
    """One thing to load: a route of an app, with the headers every request carries."""

    label: str
    app: str  # gunicorn's APP_MODULE, or "caddy"
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
    cpu_s: float = float("nan")  # the server's CPU seconds over these requests
    in_app_us: float = float("nan")
    proxy_cpu_s: float = float("nan")  # Caddy's own CPU seconds (proxied routes)

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float:
        """The server's CPU microseconds per request (all its processes)."""
        return self.cpu_s / self.requests * 1e6 if self.requests else float("nan")

    @property
    def proxy_cpu_us(self) -> float:
        """Caddy's CPU microseconds per request."""
        return self.proxy_cpu_s / self.requests * 1e6 if self.requests else float("nan")


def group_cpu(pgid: int) -> float:
    """CPU seconds the processes of group ``pgid`` have used so far (NaN without ``/proc``)."""
    from cloudlab.procs import group_cpu_s

    used = group_cpu_s(pgid)
    return float("nan") if used is None else used


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the book's one port finder)."""
    from cloudlab.web.labapp import free_port as labapp_free_port

    return labapp_free_port(ipv6=False)


@dataclass
class Server:
    """A server under test: its port, its process group, and its log."""

    port: int
    pgid: int
    log: Path

    def cpu_s(self) -> float:
        """CPU seconds its processes have used so far (NaN without ``/proc``)."""
        return group_cpu(self.pgid)

    def worker_class(self) -> str:
        """The worker class gunicorn says it uses (``Using worker: ...`` in its log)."""
        found = re.search(r"Using worker: (\S+)", self.log.read_text(errors="replace"))
        return found.group(1) if found else "unknown"


@contextlib.contextmanager
def gunicorn(app: str, port: int, log: Path, python: str = sys.executable) -> Iterator[Server]:
    """Run ``gunicorn -c labs/flask_app/gunicorn.conf.py APP`` on 127.0.0.1:PORT, no access log."""
    from cloudlab.procs import start

    env = dict(os.environ)
    env.update(
        {"PORT": str(port), "SECRET_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1", "ACCESS_LOG": "0"}
    )
    for name in ("BIND_ALL", "APP_ENV", "FLASK_ENV", "TRUSTED_PROXY_HOPS", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    command = [
        python, "-m", "gunicorn",
        "-c", str(LAB / "gunicorn.conf.py"),
        "--bind", f"{HOST}:{port}",
        app,
    ]  # fmt: skip
    group = start(command, cwd=LAB, env=env, log=log)
    try:
        health = "/healthz" if app == LAB_APP else "/status/200" if app == HTTPBIN else None
        wait_until_up(group.process, f"http://{HOST}:{port}{health or '/'}", log)
        yield Server(port, group.pid, log)
    finally:
        group.stop(timeout=15)


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait until the server answers ``url``."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    sys.exit(f"gunicorn did not answer {url} within {START_TIMEOUT} s; see {log}")


def fetch(connection: http.client.HTTPConnection, route: Route) -> int | None:
    """GET the route on ``connection`` and read the answer: its status, None on an error.

    After an error the connection is closed (``http.client`` opens it again on next use).
    """
    try:
        connection.request("GET", route.path, headers=dict(route.headers))
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        return None
    return response.status


def warm_up(port: int, route: Route, count: int = 50) -> None:
    """Send a few requests first, so imports and template compilation are not timed."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(count):
            status = fetch(connection, route)
            if status != 200:
                sys.exit(f"{route.label}: warm-up got {status or 'no answer'}, not HTTP 200")
    finally:
        connection.close()


def returning_cookie(app: Any) -> str:
    """The ``Cookie`` header of a browser that has visited ``/`` once (signed with our key)."""
    client = app.test_client()
    client.get("/")
    cookie = client.get_cookie("session")
    if cookie is None:
        sys.exit("the lab's / set no session cookie: nothing to send back")
    return f"session={cookie.value}"


def in_app_us(app: Any, route: Route, repeat: int = 7) -> float:
    """Microseconds the app spends on one request: a direct WSGI call, best of ``repeat``.

    CPU time of this process (``time.process_time``), so time spent waiting for a core
    that other work holds is not counted.
    """
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

    for _ in range(50):  # warm: first requests compile templates and fill caches
        one_request()
    timer = timeit.Timer(one_request, timer=time.process_time)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def in_app_elsewhere(python: str, routes: list[Route]) -> dict[str, float]:
    """:func:`in_app_us` for each route, run by another Python (httpbin's environment)."""
    spec = [
        {"label": r.label, "app": r.app, "path": r.path, "headers": dict(r.headers)} for r in routes
    ]
    completed = subprocess.run(
        [python, str(Path(__file__).resolve()), "--in-app", json.dumps(spec)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        sys.exit(f"timing the apps in {python} failed: {completed.stderr.strip()[-500:]}")
    return json.loads(completed.stdout)


def run_wrk(wrk: str, port: int, route: Route, args: argparse.Namespace) -> Result:
    """Load the route with wrk, keep-alive, for ``args.duration`` seconds."""
    connections = args.connections
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    headers = [
        option for name, value in route.headers.items() for option in ("-H", f"{name}: {value}")
    ]
    try:
        threads = min(2, connections)
        completed = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{args.duration}s",
             f"--timeout={int(REQUEST_TIMEOUT)}s", "-s", script.name, *headers,
             f"http://{HOST}:{port}{route.path}"],
            capture_output=True, text=True, timeout=args.duration + 30, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    # gunicorn's threaded workers keep connections open (keep-alive), so a closed
    # connection ("read") is an error like the others.
    errors = sum(summary[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Result(
        route.label,
        summary["requests"],
        summary["duration_us"] / 1e6,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        errors,
    )


def run_python(port: int, route: Route, args: argparse.Namespace) -> Result:
    """Load the route from ``connections`` threads, bounded by time and request count."""
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
                ok = fetch(connection, route) == 200
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
        sum(part.cpu_s for part in parts),
        proxy_cpu_s=sum(part.proxy_cpu_s for part in parts),
    )


def paired_ratios(mine: list[Result], peer: list[Result]) -> list[float]:
    """Requests per second of ``mine`` over ``peer``, slice by slice (each pair back to back)."""
    return [a.rps / b.rps for a, b in zip(mine, peer, strict=True) if b.rps]


@dataclass(frozen=True)
class Latency:
    """Paired latencies of one route, direct and through the proxy (milliseconds)."""

    direct_ms: list[float]
    proxied_ms: list[float]
    errors: int = 0

    def added_ms(self) -> list[float]:
        """Proxied minus direct, pair by pair (each pair ran back to back)."""
        return [b - a for a, b in zip(self.direct_ms, self.proxied_ms, strict=False)]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0 to 1) percentile of ``values``, nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def paired_latency(direct_port: int, proxied_port: int, route: Route, pairs: int) -> Latency:
    """Time ``pairs`` requests each way, alternating, on one keep-alive connection per way.

    One request at a time, so nothing queues and each time is the round trip itself;
    alternating request by request, so a burst of other work on a shared machine hits
    both ways alike. The client's own time is in both and drops out of the difference.
    """
    connections = {
        port: http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        for port in (direct_port, proxied_port)
    }
    times: dict[int, list[float]] = {port: [] for port in connections}
    errors = 0
    try:
        for _ in range(pairs):
            for port, connection in connections.items():
                began = time.perf_counter()
                if fetch(connection, route) == 200:
                    times[port].append((time.perf_counter() - began) * 1000)
                else:
                    errors += 1
    finally:
        for connection in connections.values():
            connection.close()
    return Latency(times[direct_port], times[proxied_port], errors)


@dataclass(frozen=True)
class ProxyCost:
    """What Caddy adds to one route: throughput ratio, latency added, its own CPU time."""

    route: str
    rps_ratio: float  # proxied / direct requests per second, same connections
    added_p50_ms: float  # one request at a time: no queueing, only the extra hop
    added_p99_ms: float
    caddy_cpu_us: float  # Caddy's CPU time per request
    errors: int


def proxy_cost(direct: Result, proxied: Result, latency: Latency) -> ProxyCost:
    """Caddy's cost per request for one route.

    ``direct``/``proxied`` ran with the same number of keep-alive connections (wrk to
    gunicorn, wrk to Caddy and Caddy to gunicorn all keep theirs open, so TCP set-up is
    in neither): their ratio is what the hop costs a full machine, where on two cores
    the proxy takes CPU from the app and the load generator. ``latency`` is paired and
    sequential (:func:`paired_latency`): the median of the pairs' differences is the time
    the hop itself adds to a typical request (robust to a burst that slows both of a
    pair), and the difference of the two 99th percentiles what it adds to the slow tail.
    """
    return ProxyCost(
        route=proxied.label,
        rps_ratio=proxied.rps / direct.rps if direct.rps else 0.0,
        added_p50_ms=percentile(latency.added_ms(), 0.5),
        added_p99_ms=percentile(latency.proxied_ms, 0.99) - percentile(latency.direct_ms, 0.99),
        caddy_cpu_us=proxied.proxy_cpu_us,
        errors=direct.errors + proxied.errors + latency.errors,
    )


@contextlib.contextmanager
def caddy_in_front(upstream_port: int) -> Iterator[tuple[int, int]]:
    """The fleet's Caddy (``cloudlab.fleet``) in front of one gunicorn; yields (port, pgid)."""
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
        assert caddy.pid is not None
        yield port, caddy.pid
    finally:
        caddy.stop()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, e.g. ``0.52 0.61 0.70`` (n/a without them)."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the comparison; return 1 only with --strict and a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=18, help="seconds of load per route (default 18)"
    )
    parser.add_argument(
        "--rounds", type=int, default=6, help="slices per route, alternating (default 6)"
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
    parser.add_argument("--in-app", help=argparse.SUPPRESS)  # JSON routes: time them here
    args = parser.parse_args(argv)
    if args.in_app:
        routes = [
            Route(r["label"], r["app"], r["path"], r["headers"]) for r in json.loads(args.in_app)
        ]
        print(json.dumps({r.label: in_app_us(load_app(r.app), r) for r in routes}))
        return 0
    if not 1 <= args.duration <= 60 or not 1 <= args.connections <= 64:
        parser.error("use --duration 1-60 and --connections 1-64")
    if not 1 <= args.rounds <= args.duration:
        parser.error("use --rounds between 1 and --duration")
    if not BENCH_PYTHON.exists():
        parser.error(f"{BENCH_PYTHON} is missing: run `make bench` (it installs httpbin there)")

    wrk = shutil.which("wrk") if args.generator in ("auto", "wrk") else None
    if args.generator == "wrk" and wrk is None:
        parser.error(f"wrk is not installed: {WRK_INSTALL}")
    generator = "wrk, keep-alive" if wrk else "Python (no wrk: one connection per request)"
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

    lab = lab_app()
    cookie = {"Cookie": returning_cookie(lab)}
    pairs = [
        (Route("httpbin /anything", HTTPBIN, "/anything"),
         Route("lab /api/whoami", LAB_APP, "/api/whoami")),
        (Route("httpbin /anything +cookie", HTTPBIN, "/anything", cookie),
         Route("lab /api/whoami +cookie", LAB_APP, "/api/whoami", cookie)),
        (Route("httpbin /status/200", HTTPBIN, "/status/200"),
         Route("lab /healthz", LAB_APP, "/healthz")),
    ]  # fmt: skip
    # The targets. The returning browser is reported beside them, not judged: the
    # lab checks its session cookie's signature, while httpbin, which has no secret key,
    # ignores the cookie (Flask gives it a null session), so the two do different work.
    targets = {f"{mine.label} / {peer.label}" for peer, mine in (pairs[0], pairs[2])}
    page = Route("lab / first visit", LAB_APP, "/")
    routes = [r for pair in pairs for r in pair] + [page]
    # Caddy's cost: each route direct and through Caddy, with --connections and with one.
    proxied = []
    if not args.no_caddy:
        for label, path in (("/healthz", "/healthz"), ("/api/whoami", "/api/whoami")):
            proxied.append(
                (Route(f"lab {label}", LAB_APP, path), Route(f"Caddy → lab {label}", "caddy", path))
            )
        routes += [
            r for group in proxied for r in group if r.label not in {x.label for x in routes}
        ]
    compared = [r for pair in pairs for r in pair] + [page]
    in_app = {r.label: in_app_us(lab, r) for r in compared if r.app == LAB_APP}
    in_app |= in_app_elsewhere(str(BENCH_PYTHON), [r for r in compared if r.app == HTTPBIN])

    # The servers run side by side and the routes take turns in short slices, so that a
    # burst of other work on the machine hits all of them alike instead of skewing one.
    slices: dict[str, list[Result]] = {route.label: [] for route in routes}
    slice_args = argparse.Namespace(**vars(args))
    slice_args.duration = max(1, args.duration // args.rounds)
    slice_args.max_requests = max(1, args.max_requests // args.rounds)
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp, contextlib.ExitStack() as stack:
        servers: dict[str, Server] = {}
        for app, python in ((HTTPBIN, str(BENCH_PYTHON)), (LAB_APP, sys.executable)):
            port = free_port()
            servers[app] = stack.enter_context(
                gunicorn(app, port, Path(tmp) / f"{port}.log", python)
            )
        caddy: tuple[int, int] | None = None
        if not args.no_caddy:
            caddy = stack.enter_context(caddy_in_front(servers[LAB_APP].port))
        classes = {app: server.worker_class() for app, server in servers.items()}

        def port_of(route: Route) -> int:
            return caddy[0] if route.app == "caddy" and caddy else servers[route.app].port

        for route in routes:
            warm_up(port_of(route), route)
        for _ in range(args.rounds):
            for route in routes:
                server = servers[LAB_APP if route.app == "caddy" else route.app]
                cpu_before = server.cpu_s()
                proxy_before = group_cpu(caddy[1]) if route.app == "caddy" and caddy else 0.0
                if wrk:
                    result = run_wrk(wrk, port_of(route), route, slice_args)
                else:
                    result = run_python(port_of(route), route, slice_args)
                result.cpu_s = server.cpu_s() - cpu_before
                if route.app == "caddy" and caddy:
                    result.proxy_cpu_s = group_cpu(caddy[1]) - proxy_before
                slices[route.label].append(result)
        latencies = {
            via.label: paired_latency(
                port_of(direct), port_of(via), direct, max(200, 300 * args.duration)
            )
            for direct, via in proxied
        }
    load_after = load_average()
    results = {route.label: combine(route.label, slices[route.label]) for route in routes}
    for label, result in results.items():
        result.in_app_us = in_app.get(label, float("nan"))

    errors = sum(result.errors for result in results.values())
    print(
        "Flask lab vs httpbin, side by side on 127.0.0.1, the same server for both: gunicorn "
        "-c labs/flask_app/gunicorn.conf.py"
    )
    print(
        f"  worker class (from each server's log): httpbin {classes[HTTPBIN]}, lab "
        f"{classes[LAB_APP]}; {workers} worker(s) x 4 threads, keep-alive, app preloaded, "
        "access log off"
    )
    print(
        f"  load: {generator}, {args.connections} connections, {args.duration} s per route "
        f"in {args.rounds} alternating slices"
    )
    print(f"  load average (1, 5, 15 min) before: {load_before}; after: {load_after}")
    print(
        f"{'route':<28} {'requests/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'CPU us/req':>10} {'in-app us':>9}"
    )
    for result in results.values():
        print(
            f"{result.label:<28} {result.rps:>10.1f} {result.p50_ms:>7.2f} "
            f"{result.p99_ms:>7.2f} {result.errors:>6d} {result.cpu_us:>10.0f} "
            f"{result.in_app_us:>9.0f}"
        )
    print(
        "(CPU us/req: all of the server's processes, gunicorn and the app, the lab's for the "
        "routes through Caddy; in-app us: the app alone, a direct WSGI call)"
    )
    ratios = {}
    slice_ratios = {}
    for peer, mine in pairs:
        a, b = results[mine.label], results[peer.label]
        name = f"{mine.label} / {peer.label}"
        ratios[name] = a.rps / b.rps if b.rps else 0.0
        slice_ratios[name] = paired_ratios(slices[mine.label], slices[peer.label])
    whoami = results["lab /api/whoami"]
    print(
        f"lab / (signs a session cookie, renders HTML): {results[page.label].rps:.1f} "
        f"requests/s, {results[page.label].rps / whoami.rps if whoami.rps else 0:.2f} of "
        "/api/whoami"
    )
    costs = []
    for direct_route, via_route in proxied:
        direct, via = results[direct_route.label], results[via_route.label]
        latency = latencies[via_route.label]
        cost = proxy_cost(direct, via, latency)
        costs.append(cost)
        errors += latency.errors
        print(
            f"{cost.route}: {via.rps:.1f} vs {direct.rps:.1f} requests/s direct with "
            f"{args.connections} keep-alive connections ({cost.rps_ratio:.2f}); one request at "
            f"a time ({len(latency.direct_ms)} pairs, alternating): p50 "
            f"{percentile(latency.direct_ms, 0.5):.2f} -> {percentile(latency.proxied_ms, 0.5):.2f}"
            f" ms, median added {cost.added_p50_ms:+.2f} ms, p99 {cost.added_p99_ms:+.2f} ms; "
            f"Caddy's own CPU {cost.caddy_cpu_us:.0f} us per request"
        )
    ok = True
    for name, value in ratios.items():
        good = value >= TARGET_RATIO
        if name in targets:
            ok &= good
            verdict = f"(target >= {TARGET_RATIO}): {'OK' if good else 'MISS'}"
        else:
            verdict = "(not a target: the lab checks the cookie's signature, httpbin ignores it)"
        mine_cpu, peer_cpu = (results[label].cpu_us for label in name.split(" / "))
        cpu_ratio = peer_cpu / mine_cpu if mine_cpu else float("nan")
        each = slice_ratios[name]
        print(
            f"ratio {name} = {value:.2f} {verdict}"
            f"; slice by slice {min(each):.2f}-{max(each):.2f}, median "
            f"{percentile(each, 0.5):.2f}; CPU per request, httpbin / lab = {cpu_ratio:.2f}"
        )
    print(f"errors = {errors} (target 0): {'OK' if errors == 0 else 'MISS'}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "generator": generator,
                    "workers": workers,
                    "worker_classes": classes,
                    "load_average": {"before": load_before, "after": load_after},
                    "routes": [
                        r.__dict__ | {"rps": r.rps, "cpu_us": r.cpu_us} for r in results.values()
                    ],
                    "ratios": ratios,
                    "slice_ratios": slice_ratios,
                    "proxy_cost": [cost.__dict__ for cost in costs],
                    "errors": errors,
                },
                indent=2,
            )
        )
    return 1 if args.strict and not (ok and errors == 0) else 0


if __name__ == "__main__":
    sys.exit(main())
