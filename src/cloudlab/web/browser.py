"""Drive the lab's /fingerprint page in headless Chromium: recognised again with no cookies.

:func:`run_fingerprint_demo` starts the Flask lab (:class:`~cloudlab.web.labapp.LabApp`,
with a fingerprint store of its own in a temporary folder), then opens the page three
times, each time in a brand-new browser context, which is what a browser with every
cookie and all site data cleared looks like to a server:

1. first visit: not seen before; press "Remember this browser";
2. fresh context, no cookies at all: the server answers ``returning: true`` with the same
   fingerprint id, because the id is computed from what the browser reveals, not from
   anything stored in it; press "Forget me";
3. another fresh context: no longer recognised.

It returns a :class:`FingerprintRun` report. Where no Chromium (or no Python
``playwright``) is installed, the report says it was skipped and why, instead of failing.
Every context, the browser, the Playwright driver and the app are closed on every path.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudlab.web.chromium import CHROMIUM_ARGS, find_chromium
from cloudlab.web.labapp import LabApp

__all__ = [
    "CHROMIUM_ARGS",
    "NO_CHROMIUM",
    "NO_PLAYWRIGHT",
    "FingerprintRun",
    "Visit",
    "find_chromium",
    "run_fingerprint_demo",
    "skip_reason",
]

NO_CHROMIUM = "skipped: no Chromium on this machine (`make browser` provides one)"
NO_PLAYWRIGHT = "skipped: Python playwright is not installed (pip install playwright)"

#: How long to wait for each step of the page, in milliseconds.
TIMEOUT_MS = 15_000

_COLLECTING = "Collecting…"
#: What the page's status line starts with once each button has done its work.
_DONE = {"remember": "^Remembered", "forget": "^Forgotten"}


def skip_reason(chromium: str | None = None) -> str | None:
    """Say why the browser demo cannot run here, or None when it can.

    Parameters
    ----------
    chromium : str, optional
        A Chromium executable to check instead of looking for one.
    """
    path = chromium if chromium is not None else find_chromium()
    if path is None or not Path(path).is_file():
        return NO_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return NO_PLAYWRIGHT
    return None


@dataclass(frozen=True)
class Visit:
    """What the page showed after one step.

    Attributes
    ----------
    context : int
        Which browser context (1, 2, 3): each new one starts with no cookies.
    action : str
        "visit", "remember" or "forget".
    cookies_before : tuple of str
        Names of the cookies the context held before this step.
    fingerprint_id : str
        The id the server computed (SHA-256 of the attributes, 64 hex digits).
    returning : bool
        The server's answer: had this fingerprint asked to be remembered before?
    remembered : bool
        Whether the server stores the fingerprint after this step.
    status : str
        The page's status line.
    """

    context: int
    action: str
    cookies_before: tuple[str, ...]
    fingerprint_id: str
    returning: bool
    remembered: bool
    status: str


@dataclass(frozen=True)
class FingerprintRun:
    """Report of :func:`run_fingerprint_demo`.

    Attributes
    ----------
    skipped : str or None
        Why nothing ran (no Chromium, no playwright), or None.
    visits : tuple of Visit
        Each step, in order.
    attributes : tuple of (str, str, str)
        What the first visit collected: attribute, value as JSON, published bits.
    total_bits : float or None
        The page's "identifying information (upper bound)" on the first visit, in bits.
    problems : tuple of str
        Script errors, console errors and HTTP errors seen (expected: none).
    browser : str
        Chromium's version.
    """

    skipped: str | None = None
    visits: tuple[Visit, ...] = ()
    attributes: tuple[tuple[str, str, str], ...] = ()
    total_bits: float | None = None
    problems: tuple[str, ...] = ()
    browser: str = ""

    @property
    def fingerprint_id(self) -> str | None:
        """The id of the first visit."""
        return self.visits[0].fingerprint_id if self.visits else None

    @property
    def recognised(self) -> bool:
        """True when the demo showed what it should.

        The fresh second context was recognised (same id, ``returning``), and neither the
        first visit nor the third one (after "forget") was.
        """
        visits = {(v.context, v.action): v for v in self.visits}
        first = visits.get((1, "visit"))
        second = visits.get((2, "visit"))
        third = visits.get((3, "visit"))
        if first is None or second is None or third is None:
            return False
        same = first.fingerprint_id == second.fingerprint_id == third.fingerprint_id
        return same and not first.returning and second.returning and not third.returning

    def text(self) -> str:
        """The report as lines of text for a notebook."""
        if self.skipped:
            return self.skipped
        lines = [f"headless Chromium {self.browser}".rstrip()]
        for visit in self.visits:
            cookies = ", ".join(visit.cookies_before) or "none"
            lines.append(
                f"context {visit.context}  {visit.action:<8} cookies before: {cookies:<14} "
                f"id {visit.fingerprint_id[:16]}…  returning: {_yes(visit.returning):<3}  "
                f"stored: {_yes(visit.remembered)}"
            )
        lines.append("recognised after its cookies were cleared: " + _yes(self.recognised).upper())
        if self.problems:
            lines.append("problems: " + "; ".join(self.problems))
        return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def run_fingerprint_demo(
    url: str | None = None, *, chromium: str | None = None, timeout_ms: int = TIMEOUT_MS
) -> FingerprintRun:
    """Show a browser recognised by its fingerprint after all its cookies are gone.

    Parameters
    ----------
    url : str, optional
        Base URL of a running lab app, e.g. ``http://127.0.0.1:5000``. By default the
        lab app is started here (with an empty fingerprint store of its own, in a
        temporary folder) and stopped at the end.
    chromium : str, optional
        Chromium executable; by default :func:`find_chromium` looks for one.
    timeout_ms : int, default 15000
        How long to wait for each step, in milliseconds.

    Returns
    -------
    FingerprintRun
        With ``skipped`` set (and nothing else) when Chromium or playwright is missing.

    Raises
    ------
    RuntimeError
        When the page does not answer in time or shows an error.
    """
    executable = chromium if chromium is not None else find_chromium()
    reason = skip_reason(executable)
    if reason is not None:
        return FingerprintRun(skipped=reason)
    assert executable is not None
    if url is not None:
        return _in_worker_thread(lambda: _drive(url, executable, timeout_ms))
    with tempfile.TemporaryDirectory(prefix="cloudlab-fp-") as folder:
        store = str(Path(folder) / "fingerprints.sqlite")
        with LabApp(env={"DATABASE": store}) as app:
            return _in_worker_thread(lambda: _drive(app.url, executable, timeout_ms))


def _in_worker_thread(job: Callable[[], FingerprintRun]) -> FingerprintRun:
    # Playwright's synchronous API refuses to run inside a running asyncio loop, and a
    # Jupyter kernel has one in its main thread; a worker thread has none.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fingerprint-demo") as pool:
        return pool.submit(job).result()


def _drive(base_url: str, executable: str, timeout_ms: int) -> FingerprintRun:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    page_url = base_url.rstrip("/") + "/fingerprint"
    problems: list[str] = []
    visits: list[Visit] = []
    attributes: tuple[tuple[str, str, str], ...] = ()
    total_bits: float | None = None

    def wait_for(page: Any, pattern: str, what: str) -> None:
        status = page.locator("#status")
        try:
            if pattern == _COLLECTING:
                expect(status).not_to_have_text(_COLLECTING, timeout=timeout_ms)
            else:
                expect(status).to_have_text(re.compile(pattern), timeout=timeout_ms)
        except AssertionError:
            shown = status.text_content() or ""
            raise RuntimeError(
                f"the fingerprint page did not {what} within {timeout_ms / 1000:g} s "
                f"(status: {shown!r})"
            ) from None

    def record(page: Any, context: int, action: str, cookies: tuple[str, ...]) -> None:
        visits.append(
            Visit(
                context=context,
                action=action,
                cookies_before=cookies,
                fingerprint_id=page.text_content("#fingerprint-id") or "",
                returning=page.text_content("#returning") == "yes",
                remembered=page.text_content("#remembered") == "yes",
                status=page.text_content("#status") or "",
            )
        )

    def watch(page: Any) -> None:
        page.set_default_timeout(timeout_ms)
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
                problems.append(f"HTTP {response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
            )
            try:
                version = browser.version
                for number, action in ((1, "remember"), (2, "forget"), (3, None)):
                    context = browser.new_context()  # no cookies, no storage
                    try:
                        cookies = tuple(c["name"] for c in context.cookies())
                        page = context.new_page()
                        watch(page)
                        page.goto(page_url)
                        wait_for(page, _COLLECTING, "answer")
                        if page.text_content("#status") != "Done.":
                            raise RuntimeError(
                                f"the fingerprint page says {page.text_content('#status')!r}"
                            )
                        record(page, number, "visit", cookies)
                        if number == 1:
                            attributes = _read_attributes(page)
                            total_bits = float(page.text_content("#total-bits") or "nan")
                        if action is not None:
                            cookies = tuple(c["name"] for c in context.cookies())
                            page.click(f"#{action}")
                            wait_for(page, _DONE[action], f"confirm {action!r}")
                            record(page, number, action, cookies)
                    finally:
                        context.close()
            finally:
                browser.close()
    except PlaywrightError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "error"
        raise RuntimeError(f"headless Chromium failed: {first_line}") from None
    return FingerprintRun(
        visits=tuple(visits),
        attributes=attributes,
        total_bits=total_bits,
        problems=tuple(problems),
        browser=version,
    )


def _read_attributes(page: Any) -> tuple[tuple[str, str, str], ...]:
    rows = []
    for row in page.locator("#attributes tbody tr").all():
        cells = [cell.text_content() or "" for cell in row.locator("td").all()]
        if len(cells) >= 3:
            rows.append((cells[0], cells[1], cells[2]))
    return tuple(rows)
