"""Report what each built page costs a first-time visitor: bytes over the wire, gzipped.

Headless Chromium loads every page of the built site (``_build/html``, or
``CLOUDLAB_SITE``) in a fresh context, so nothing is cached, from a local server; every
response the page asks for (HTML, CSS, scripts, fonts, images) is counted at its gzip
size (level 6, what a static host sends), or its own size where gzip would not shrink it.
Then the goals: a median chapter (``notebooks/``) of at most 0.5 MB, and at most 0.3 MB
for a page with no widget and no maths. A page with static widgets loads their runtime
(0.9 MB) only when the reader comes near one (``book/_assets/widgets/lazy-runtime.js``),
so each page is also measured after scrolling to its end: what a reader who reaches
every widget has downloaded.

    python bench/bench_pages.py
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import statistics
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("CLOUDLAB_SITE") or ROOT / "_build" / "html")
MEDIAN_GOAL_MB = 0.5
TEXT_ONLY_GOAL_MB = 0.3


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def wire_bytes(body: bytes) -> int:
    """Bytes a static host sends for ``body``: gzipped, unless gzip does not help."""
    return min(len(body), len(gzip.compress(body, compresslevel=6)))


def pages(site: Path) -> list[str]:
    """Every HTML page of the site but the redirecting index and the generated index."""
    return sorted(
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if p.name not in ("genindex.html",) and "_static" not in p.parts
    )


def measure(browser: Any, base: str, page_path: str) -> tuple[int, int, bool, bool]:
    """First-visit bytes of one page, on opening it and after scrolling to its end, and
    whether it shows static widgets and loaded maths."""
    context = browser.new_context()
    page = context.new_page()
    seen: dict[str, int] = {}

    def on_response(response: Any) -> None:
        url = response.url
        if url.startswith(base) and url not in seen:
            try:
                seen[url] = wire_bytes(response.body())
            except Exception:  # a redirect or an aborted request has no body
                seen[url] = 0

    page.on("response", on_response)
    page.goto(f"{base}/{page_path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    opened = sum(seen.values())
    widgets = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
                window.scrollTo(0, y);
                await new Promise((done) => setTimeout(done, 50));
            }
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    context.close()
    maths = any("tex-mml-chtml" in url for url in seen)
    return opened, sum(seen.values()), bool(widgets), maths


def main() -> int:
    from playwright.sync_api import sync_playwright

    from cloudlab.web.chromium import CHROMIUM_ARGS, NOT_FOUND, find_chromium

    if not (SITE / "index.html").is_file():
        print(f"no built site in {SITE}: run `make book` first", file=sys.stderr)
        return 1
    chromium = find_chromium()
    if chromium is None:
        print(NOT_FOUND, file=sys.stderr)
        return 1
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS)
            )
            try:
                for page_path in pages(SITE):
                    rows.append((page_path, *measure(browser, base, page_path)))
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"{'page':46} {'first visit':>11} {'scrolled':>11}  widgets  maths")
    for page_path, size, scrolled, widgets, maths in rows:
        flags = f"{'yes' if widgets else '':>7}  {'yes' if maths else '':>5}"
        print(f"{page_path:46} {size / 1e6:8.2f} MB {scrolled / 1e6:8.2f} MB  {flags}")
    chapters = [row for row in rows if row[0].startswith("notebooks/")]
    median = statistics.median(size for _, size, _, _, _ in chapters) / 1e6
    median_scrolled = statistics.median(scrolled for _, _, scrolled, _, _ in chapters) / 1e6
    text_only = [size for _, size, _, widgets, maths in rows if not widgets and not maths]
    worst_text = max(text_only, default=0) / 1e6
    print()
    print(f"median chapter {median:.2f} MB (goal <= {MEDIAN_GOAL_MB} MB): ", end="")
    print("met" if median <= MEDIAN_GOAL_MB else "NOT met")
    print(f"median chapter after scrolling to its end {median_scrolled:.2f} MB")
    print(f"largest text-only page {worst_text:.2f} MB (goal <= {TEXT_ONLY_GOAL_MB} MB): ", end="")
    print("met" if worst_text <= TEXT_ONLY_GOAL_MB else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
