"""Every built page passes axe-core's WCAG 2.1 A and AA rules with no serious violation.

axe-core is pinned in package.json (``make site-js`` installs it into node_modules); the
test injects it into each page of the built site in headless Chromium and fails with one
line per rule, page and element for every critical or serious violation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_site import PAGES, visit_page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}


def axe_violations(browser: object, site_url: str, page_path: str) -> list[dict]:
    """axe-core's violations on one page, after its widgets have rendered."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run `make site-js` (npm ci)", pytrace=False)
    with visit_page(browser, site_url, page_path) as (page, _):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        return page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact}))})))",
            TAGS,
        )


def report(page_path: str, violations: list[dict]) -> list[str]:
    """One line per failing node: rule, page, element."""
    return [
        f"{v['id']} ({node['impact'] or v['impact']}) on {page_path}: {node['target']}"
        for v in violations
        for node in v["nodes"]
        if (node["impact"] or v["impact"]) in FAILING_IMPACTS
    ]


@pytest.mark.parametrize("page_path", PAGES)
def test_page_has_no_serious_accessibility_violation(
    browser: object, site_url: str, page_path: str
) -> None:
    lines = report(page_path, axe_violations(browser, site_url, page_path))
    assert lines == [], "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(lines)
