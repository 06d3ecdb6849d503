"""The built book in a headless browser: every page loads offline, cleanly and privately.

For each page in the table of contents (plus the landing, search and index pages) this
checks that it loads with no console error, no uncaught exception, no failed request and
no request to any host but the site itself, and that any embedded widgets render.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cloudlab_execute import toc_files

PAGES = ["index.html", *(f"{name}.html" for name in toc_files()), "search.html", "genindex.html"]


@dataclass
class PageVisit:
    """Everything a page did while loading."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    widget_views: int = 0
    rendered_widgets: int = 0


@contextlib.contextmanager
def visit_page(browser: Any, site_url: str, page_path: str) -> Iterator[tuple[object, PageVisit]]:
    """Load one page (blocking and recording any request that would leave the site), wait
    for its widgets to render, and yield the live page with what it did."""
    result = PageVisit()
    own = urlsplit(site_url).netloc
    context = browser.new_context()
    page = context.new_page()

    def route(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.netloc == own:
            route.continue_()
        else:
            result.foreign.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("request", lambda r: result.requested.append(r.url))
    page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
    page.on("pageerror", lambda e: result.page_errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: urlsplit(r.url).netloc == own and result.failed.append(f"{r.url}: {r.failure}"),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and result.failed.append(f"{r.url}: HTTP {r.status}"),
    )
    try:
        page.goto(f"{site_url}/{page_path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        result.widget_views = page.locator(
            'script[type="application/vnd.jupyter.widget-view+json"]'
        ).count()
        if result.widget_views:
            # The runtime loads when a reader comes near a widget (lazy-runtime.js): go to
            # the first one; html-manager then renders each view into a .jupyter-widgets
            # element beside its script.
            page.evaluate(
                "document.querySelector('script[type=\"application/vnd.jupyter.widget-view"
                "+json\"]').parentElement.scrollIntoView()"
            )
            page.wait_for_function(
                "n => document.querySelectorAll('.jupyter-widgets').length >= n",
                arg=result.widget_views,
                timeout=20_000,
            )
            result.rendered_widgets = page.locator(".jupyter-widgets").count()
        page.wait_for_timeout(300)
        yield page, result
    finally:
        context.close()


def visit(browser: Any, site_url: str, page_path: str) -> PageVisit:
    """Load one page and return everything it did."""
    with visit_page(browser, site_url, page_path) as (_, result):
        return result


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_offline_without_errors(
    browser: Any, site_url: str, site_dir: Path, page_path: str
) -> None:
    assert (site_dir / page_path).is_file(), f"{page_path} was not built"
    result = visit(browser, site_url, page_path)
    assert result.foreign == [], "requests to other hosts"
    assert result.failed == [], "failed requests"
    assert result.page_errors == [], "uncaught exceptions"
    assert result.console_errors == [], "console errors"
    if result.widget_views:
        assert result.rendered_widgets >= result.widget_views
    # Light pages (bench/bench_pages.py): icons are CSS masks, never Font Awesome's fonts,
    # and the widget runtime (0.9 MB) loads only where a static widget is shown.
    assert [url for url in result.requested if "/webfonts/" in url] == [], "icon fonts"
    runtime = any("embed-amd.js" in url for url in result.requested)
    assert runtime == bool(result.widget_views), (
        f"widget runtime loaded: {runtime}, static widgets: {result.widget_views}"
    )


def test_simulation_chapters_embed_widgets(browser: Any, site_url: str) -> None:
    # The simulations need NumPy, so they stay static widgets on the site: those chapters
    # must carry their widgets into the page. (Every calculator is a live form now:
    # tests/site/test_live.py.)
    for page_path in (
        "notebooks/application-load-balancer.html",
        "notebooks/scaling-and-shipping.html",
    ):
        result = visit(browser, site_url, page_path)
        assert result.widget_views > 0, f"{page_path} has no embedded widget"
        assert result.rendered_widgets >= result.widget_views


def test_no_page_names_another_host_in_a_script_or_stylesheet(site_dir: Path) -> None:
    # Belt and braces beside the browser check: no page even asks for a remote asset.
    offenders = []
    for html in site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for marker in ('src="http', "src='http", 'href="//', "@import url(http"):
            if marker in text:
                offenders.append(f"{html.relative_to(site_dir)}: {marker}")
        for line in text.splitlines():
            if "<link" in line and 'rel="stylesheet"' in line and 'href="http' in line:
                offenders.append(f"{html.relative_to(site_dir)}: {line.strip()[:120]}")
    assert offenders == []


def test_site_root_serves_a_favicon(site_url: str) -> None:
    # Browsers ask for /favicon.ico by themselves (e.g. on the redirecting index page).
    import urllib.request

    with urllib.request.urlopen(f"{site_url}/favicon.ico", timeout=5) as response:
        assert response.status == 200
        assert response.read(4) == b"\x00\x00\x01\x00"  # the ICO signature


def test_no_page_shows_a_figure_as_text(site_dir: Path) -> None:
    # A matplotlib Figure that failed to render prints as "<Figure size 900x600 ...>".
    offenders = [
        str(html.relative_to(site_dir))
        for html in site_dir.rglob("*.html")
        if "&lt;Figure size" in html.read_text(encoding="utf-8")
    ]
    assert offenders == []
