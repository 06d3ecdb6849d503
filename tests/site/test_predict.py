"""Predict-then-check exercises on the built site (book/_ext/cloudlab_predict.py).

Every chapter has at least two; each solution stays folded, and will not open by mouse or
keyboard, until the reader has committed to an answer; the check says right or wrong,
and where the page has the named live calculator it fills it in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cloudlab_execute import toc_files

CHAPTERS = [name for name in toc_files() if name.startswith("notebooks/")]


def test_every_chapter_has_two_predictions_each_before_a_folded_solution(site_dir: Path) -> None:
    for name in CHAPTERS:
        html = (site_dir / f"{name}.html").read_text(encoding="utf-8")
        forms = re.findall(r'<form class="cl-predict [^"]*" id="([^"]+)"', html)
        assert len(forms) >= 2, f"{name}: {len(forms)} predict-then-check exercises"
        for form_id in forms:
            after = html[html.index(f'id="{form_id}"') :]
            after = after[after.index("</form>") :]
            assert re.match(r"</form>\s*(<[^>]+>\s*)*<details", after), (
                f"{name}: {form_id} is not followed by a folded solution"
            )
            assert "<details open" not in after[:200]


def test_the_solution_opens_only_after_an_answer(browser: Any, site_url: str) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/notebooks/subnets-and-cidr.html", wait_until="load")
        form = page.locator("form.cl-predict").first
        solution = form.locator("xpath=following-sibling::details[1]")
        summary = solution.locator("summary")
        status = form.locator(".cl-predict-status")
        # Mouse and keyboard both leave it folded, and say why.
        summary.click()
        assert not solution.evaluate("d => d.open")
        summary.focus()
        page.keyboard.press("Enter")
        assert not solution.evaluate("d => d.open")
        assert "first" in status.inner_text()
        # Something that is not a number is refused with one line; nothing opens.
        field = form.locator("input[type=text]")
        field.fill("a lot")
        field.press("Enter")
        assert "Type a number" in status.inner_text()
        summary.click()
        assert not solution.evaluate("d => d.open")
        # A wrong answer is checked, named as wrong, and unlocks the solution.
        field.fill("2,000")
        field.press("Enter")
        assert status.inner_text().startswith("Not quite: the answer is 2048")
        summary.click()
        assert solution.evaluate("d => d.open")

        # A choice, by keyboard only: the second form asks yes or no.
        choice = page.locator("form.cl-predict").nth(1)
        choice.locator("input[value=no]").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Enter")
        assert choice.locator(".cl-predict-status").inner_text().startswith("Right: no")

        # The check uses the page's live calculator: it fills in the form it names.
        form.locator(".cl-predict-calculator").click()
        live = page.locator('form[data-calculator="ip"]').first
        assert live.locator("input[name=address]").input_value() == "172.16.40.0/21"
    finally:
        page.close()
