"""checkov on the Terraform lab and on the Flask lab's Dockerfile: zero failed checks.

checkov lives in its own virtual environment (`.venv-checkov`, pinned by
tools/checkov/requirements.txt) because its dependencies clash with the book's. Every
check the lab does not meet is skipped in the code, next to the resource, with a
``#checkov:skip=CKV_...:reason`` comment; this test also insists each skip has a reason.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
LAB = ROOT / "labs" / "terraform"
DOCKERFILE = ROOT / "labs" / "flask_app" / "Dockerfile"
SKIP = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9_]+)(?::(.*))?")


def run_checkov(*args: str) -> dict:
    """Run checkov offline and return its JSON report (one framework)."""
    if not CHECKOV.exists():
        pytest.fail(
            "checkov is not installed: run `make checkov-venv` (python3 -m venv .venv-checkov "
            "&& .venv-checkov/bin/pip install -r tools/checkov/requirements.txt)"
        )
    result = subprocess.run(
        [str(CHECKOV), *args, "--skip-download", "--quiet", "--compact", "--output", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.stdout.strip(), result.stderr
    report = json.loads(result.stdout)
    if isinstance(report, list):  # one entry per framework
        (report,) = report
    return report


def failures(report: dict) -> list[str]:
    return [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]}): "
        f"{c['check_name']}"
        for c in report.get("results", {}).get("failed_checks", [])
    ]


def test_terraform_lab_passes_checkov():
    report = run_checkov("-d", str(LAB), "--framework", "terraform")
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 50, "checkov found too few resources to check"
    assert failures(report) == []


def test_dockerfile_passes_checkov():
    report = run_checkov("-f", str(DOCKERFILE), "--framework", "dockerfile")
    assert report["summary"]["passed"] > 0
    assert failures(report) == []


def test_every_skip_carries_a_reason():
    skips = []
    for path in sorted(LAB.rglob("*.tf")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = SKIP.search(line)
            if match:
                skips.append((f"{path.relative_to(ROOT)}:{number}", match[1], match[2] or ""))
    assert skips, "no skips found: has the skip syntax changed?"
    for where, check, reason in skips:
        message = f"{where}: the skip of {check} needs a reason"
        assert len(reason.split()) >= 6, message
