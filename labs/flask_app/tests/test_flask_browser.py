"""The /fingerprint page in headless Chromium: the script runs, the id is stable, and
"remember" / "forget me" work across fresh browser contexts (no cookies carried over)."""

from __future__ import annotations

import re

import pytest
from flask_lab_support import CHROMIUM_ARGS, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = find_chromium()
TIMEOUT_MS = 15_000

if CHROMIUM is None:
    pytest.skip(
        "no Chromium found: set CHROMIUM, or install chromium (make browser in the book)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")


@pytest.fixture
def browser():
    """A headless Chromium, closed after the test."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def visit(browser, url, problems):
    """Open the page in a fresh context (no cookies), wait for the script's answer."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.goto(url)
    # Locator checks run in Playwright's own world, so the page's CSP (no eval) allows them.
    sync_api.expect(page.locator("#status")).not_to_have_text("Collecting…", timeout=TIMEOUT_MS)
    return context, page


def test_fingerprint_page_recognises_a_returning_browser(gunicorn_server, browser):
    server = gunicorn_server()
    url = server.url("/fingerprint")
    problems: list[str] = []

    first, page = visit(browser, url, problems)
    assert page.text_content("#status") == "Done."
    fid = page.text_content("#fingerprint-id")
    assert len(fid) == 64
    assert page.text_content("#returning") == "no"
    assert float(page.text_content("#total-bits")) > 10
    assert page.locator("#attributes tbody tr").count() >= 10
    page.click("#remember")
    sync_api.expect(page.locator("#status")).to_have_text(re.compile("^Remembered"))
    assert page.text_content("#remembered") == "yes"
    first.close()

    second, page = visit(browser, url, problems)  # new context: the cookies are gone
    assert all(cookie["name"] != "device_id" for cookie in second.cookies())
    assert page.text_content("#fingerprint-id") == fid
    assert page.text_content("#returning") == "yes"
    page.click("#forget")
    sync_api.expect(page.locator("#status")).to_have_text(re.compile("^Forgotten"))
    assert page.text_content("#remembered") == "no"
    second.close()

    third, page = visit(browser, url, problems)
    assert page.text_content("#fingerprint-id") == fid
    assert page.text_content("#returning") == "no"
    third.close()

    assert problems == []  # no script errors, no Content-Security-Policy violations
