"""Benchmark: the live calculators in headless Chromium, next to the same call natively.

Run with ``.venv/bin/python bench/bench_live.py`` (or ``make bench``) after ``make book``
(or with ``CLOUDLAB_SITE=path/to/html``). The built site is served from 127.0.0.1; each
cold start uses a fresh browser context (empty cache and storage). For each live
calculator it reports the cold start (first edit to first answer, Pyodide's download
and start included), the warm recompute (median and p95 of the round trip to the Web
Worker) and the same computation in native Python (:func:`cloudlab.live.run`). It also
compares, in the browser, one page of 2001:db8::/32 into /64s near its end with a page
of a /24 (goal: at most 1.5x), and counts the bytes a calculator page loads before the
first edit and after it. Goals from issue 12: cold start <= 3 s on a quiet machine,
warm median <= 30 ms. Nothing here asserts on time: it only reports.
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from cloudlab.live import run

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("CLOUDLAB_SITE") or ROOT / "_build" / "html")
sys.path.insert(0, str(ROOT / "tests" / "site"))
from conftest import CHROMIUM_ARGS, _chromium_path  # noqa: E402

WARM = 40
# (page, form, calculator, fields for the timed edit)
CASES = (
    ("notebooks/subnets-and-cidr.html", "ip", {"address": "2001:db8::1/64"}),
    (
        "notebooks/subnets-and-cidr.html",
        "split",
        {"network": "2001:db8::/32", "prefix": "64", "page": "-1", "per_page": "16"},
    ),
    (
        "notebooks/subnets-and-cidr.html",
        "split",
        {"network": "10.0.0.0/22", "hosts": "500,120,60", "aws": "on"},
    ),
    ("notebooks/subnets-and-cidr.html", "practice", {"seed": "7", "level": "2", "answer": "1"}),
    (
        "notebooks/browser-fingerprinting.html",
        "entropy",
        {"attributes": "user_agent,canvas,fonts", "population": "1e9"},
    ),
    ("notebooks/fargate-ecs-eks.html", "decide", {"kubernetes": "strong", "services": "6"}),
    ("notebooks/fargate-ecs-eks.html", "cost", {"tasks": "10", "cpu": "1024", "memory": "2048"}),
    ("notebooks/designing-a-vpc.html", "plan", {"azs": "3", "ipv6": "on"}),
    ("notebooks/designing-a-vpc.html", "route", {"destination": "10.0.12.9"}),
    ("notebooks/designing-a-vpc.html", "flow", {"destination": "app", "port": "5000"}),
    (
        "notebooks/cookies-sessions-device-ids.html",
        "cookie",
        {"header": "sid=1; Max-Age=3600; Secure; SameSite=Strict"},
    ),
    (
        "notebooks/ipv4-and-ipv6.html",
        "race",
        {"ipv6_state": "blackholed", "jitter_ms": "20", "seed": "3"},
    ),
)
#: A page like the calculator pages but without a live calculator, for the bytes
#: a page loads before the first edit.
PLAIN_PAGE = "notebooks/deploy-the-service.html"
PAGE_V6 = {"network": "2001:db8::/32", "prefix": "64", "page": "-1", "per_page": "16"}
PAGE_V4 = {"network": "10.0.0.0/24", "prefix": "28", "page": "-1", "per_page": "16"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def native_ms(name: str, fields: dict[str, str], n: int = WARM) -> tuple[float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        run(name, fields)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), _p95(times)


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def browser_ms(page: Any, name: str, fields: dict[str, str], n: int = WARM) -> list[float]:
    return page.evaluate(
        """async ([name, fields, n]) => {
            const times = [];
            for (let i = 0; i < n; i++) {
                const t = performance.now();
                await window.cloudlabLive.run(name, fields);
                times.push(performance.now() - t);
            }
            return times;
        }""",
        [name, fields, n],
    )


def interleaved_ms(
    page: Any, first: dict[str, str], second: dict[str, str], n: int = 2 * WARM
) -> tuple[float, float]:
    """Median ms of two split pages measured in turns (a busy machine slows both alike)."""
    a, b = page.evaluate(
        """async ([first, second, n]) => {
            const a = [], b = [];
            for (let i = 0; i < n; i++) {
                let t = performance.now();
                await window.cloudlabLive.run("split", first);
                a.push(performance.now() - t);
                t = performance.now();
                await window.cloudlabLive.run("split", second);
                b.push(performance.now() - t);
            }
            return [a, b];
        }""",
        [first, second, n],
    )
    return statistics.median(a), statistics.median(b)


def cold_start(browser: Any, url: str, name: str, fields: dict[str, str]) -> tuple:
    """Fresh context: (seconds from the first edit to the answer, bytes before, after)."""
    context, page, loaded = _counting(browser, url)
    before = loaded[0]
    form = page.locator(f'form[data-calculator="{name}"]').first
    if name == "split" and "hosts" in fields:
        form = page.locator('form[data-calculator="split"]:has(input[name="hosts"])').first
    form_id = form.get_attribute("id")
    start = time.perf_counter()
    first = next(iter(fields))
    box = form.locator(f'input[name="{first}"]')
    if box.get_attribute("type") == "checkbox":
        box.set_checked(fields[first] == "on")
    else:
        box.fill(fields[first])
    form.locator(".cl-live-run").click()
    page.wait_for_function(
        "id => document.getElementById(id).dataset.computed", arg=form_id, timeout=300_000
    )
    seconds = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    after = loaded[0]
    stages = page.evaluate("() => window.cloudlabLive.timings()")
    return context, page, seconds, before, after, stages


def page_bytes(browser: Any, url: str) -> int:
    """Bytes a fresh browser loads for a page, up to network idle (nothing edited)."""
    context, _, loaded = _counting(browser, url)
    context.close()
    return loaded[0]


def _counting(browser: Any, url: str) -> tuple[Any, Any, list[int]]:
    """A fresh context on ``url`` (loaded, network idle) and its running byte count."""
    context = browser.new_context()
    page = context.new_page()
    loaded: list[int] = [0]
    page.on("requestfinished", lambda r: loaded.__setitem__(0, loaded[0] + _size(r)))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, loaded


def _size(request: Any) -> int:
    try:
        sizes = request.sizes()
    except Exception:  # a request the page abandoned
        return 0
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def main() -> None:
    if not (SITE / "index.html").is_file():
        sys.exit(f"no built site in {SITE}: run `make book` first")
    server, base = serve()
    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    live_assets = sum(
        (SITE / "_static" / "live" / n).stat().st_size for n in ("live.js", "live.css")
    )
    print("Live calculators in headless Chromium (Pyodide in a Web Worker) vs native Python")
    print(
        f"{'calculator':<30} {'cold s':>7} {'warm med ms':>12} {'p95':>7} "
        f"{'native med ms':>14} {'p95':>7} {'ratio':>6}"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
            )
            sizes = None
            colds: list[tuple[str, float, dict]] = []
            plain = page_bytes(browser, f"{base}/{PLAIN_PAGE}")
            for path, name, fields in CASES:
                context, page, cold, before, after, stages = cold_start(
                    browser, f"{base}/{path}", name, fields
                )
                if sizes is None:
                    sizes = (path, before, after)
                colds.append((name, cold, stages))
                warm = browser_ms(page, name, fields)
                nat_med, nat_p95 = native_ms(name, fields)
                label = f"{name} {' '.join(fields.values())}"[:30]
                med = statistics.median(warm)
                print(
                    f"{label:<30} {cold:>7.2f} {med:>12.2f} {_p95(warm):>7.2f} "
                    f"{nat_med:>14.3f} {nat_p95:>7.3f} {med / nat_med:>6.1f}"
                )
                if name == "split" and "prefix" in fields:
                    paging = interleaved_ms(page, PAGE_V6, PAGE_V4)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    v6, v4 = paging
    print(
        f"\nIn the browser, one page of 2001:db8::/32 -> /64 near its end: {v6:.2f} ms; "
        f"of 10.0.0.0/24 -> /28: {v4:.2f} ms; ratio {v6 / v4:.2f} (goal <= 1.5)"
    )
    path, before, after = sizes
    print(
        f"{path}: {before / 1e3:,.0f} KB before the first edit, of which the live "
        f"calculators' script and style are {live_assets / 1e3:.1f} KB (goal: <= 50 KB more "
        f"than without them; {PLAIN_PAGE}, without a calculator: {plain / 1e3:,.0f} KB); "
        f"{after / 1e6:.1f} MB after the first answer "
        "(Pyodide and the package, cached by the browser afterwards)"
    )
    print("\nWhere a cold start goes (ms since the Web Worker started; a fresh profile each):")
    print(
        f"{'calculator':<10} {'cold s':>7} {'Pyodide':>8} {'package':>8} {'import':>7} "
        f"{'answer':>7}"
    )
    for name, cold, stages in colds:
        print(
            f"{name:<10} {cold:>7.2f} {stages.get('pyodide', 0):>8} "
            f"{stages.get('bundle', 0):>8} {stages.get('import', 0):>7} "
            f"{stages.get('first-answer', 0):>7}"
        )
    load = os.getloadavg()
    print(
        f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
        f"{os.cpu_count()} CPUs"
        + (" (a busy machine)" if load[0] > 0.5 * (os.cpu_count() or 1) else "")
    )


if __name__ == "__main__":
    main()
