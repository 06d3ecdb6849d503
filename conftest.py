"""The skips `make test` allows, for every test under this folder (book and labs alike).

Some things truly cannot exist on a machine: a Docker engine, Terraform (its CLI or its
AWS provider), a real AWS account, an IPv6 loopback address. A test that needs one of
them skips and says which. Any other skip (a missing browser, a missing tool the project
installs itself) hides a missing feature: it is listed at the end of the run, and with
``CI=true`` it fails the run.
"""

from __future__ import annotations

import os
import re

import pytest

#: What a skip's reason must name to be an honest skip.
HONEST_SKIP = re.compile(r"docker|terraform|real aws|aws account|ipv6 loopback|::1", re.I)

_unexpected: list[str] = []


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _reason(report)
        if not HONEST_SKIP.search(reason):
            _unexpected.append(f"{report.nodeid}: {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _unexpected:
        terminalreporter.section("skips that hide a missing feature")
        for line in _unexpected:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller decides
        return
    if _unexpected and os.environ.get("CI", "").lower() == "true" and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
