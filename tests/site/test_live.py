"""The live calculators on the built site: Python in the browser says what the CLI says.

Each live form (``<form data-calculator="NAME">``) is filled in headless Chromium, and
its ``<output data-result>`` is compared, parsed, with the JSON that ``python -m cloudlab
NAME ... --json`` prints natively for the same input; bad input must show the command
line's one-line message in the form's ``role="alert"`` element and clear the result.
Pyodide is served by the site; no request may leave 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cloudlab import cli
from cloudlab.live import BROWSER_MODULES, CALCULATORS

SUBNETS = "notebooks/subnets-and-cidr.html"
#: The check boxes of every live form.
FLAGS = frozenset(flag for calc in CALCULATORS.values() for flag in calc.flags)
# Pyodide starts in a few seconds; a busy two-core machine may take several times that.
START_MS = 120_000


def native(argv: list[str]) -> tuple[Any, str]:
    """The CLI run natively: (parsed JSON or None, its one-line error or "")."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    if status == 0:
        return json.loads(out.getvalue()), ""
    return None, err.getvalue().strip().split(": error: ", 1)[-1]


@dataclass
class Watch:
    """What the page did: requests off the site, console errors, Pyodide downloads."""

    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


@contextlib.contextmanager
def open_page(
    browser: Any, url: str, viewport: dict[str, int] | None = None
) -> Iterator[tuple[Any, Watch]]:
    watch = Watch()
    own = urlsplit(url).netloc
    context = browser.new_context(**({"viewport": viewport} if viewport else {}))
    page = context.new_page()

    def route(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == own:
            route.continue_()
        else:
            watch.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", route)  # the context's route also sees the Web Worker's requests
    context.on("request", lambda r: watch.requested.append(r.url))
    page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.goto(url, wait_until="load")
    try:
        yield page, watch
    finally:
        context.close()


def compute(page: Any, form_id: str, fields: dict[str, str]) -> tuple[Any, str, str]:
    """Type ``fields`` into a form as a reader would; return (result JSON, alert, view)."""
    form = page.locator(f"#{form_id}")
    for name, value in fields.items():
        box = form.locator(f'input[name="{name}"]')
        if box.get_attribute("type") == "checkbox":
            box.set_checked(value == "on")
        else:
            box.fill(value)
    form.locator(".cl-live-run").click()
    expected = {i: ("on" if v == "on" else "") if i in FLAGS else v for i, v in fields.items()}
    page.wait_for_function(
        """([id, want]) => {
            const form = document.getElementById(id);
            if (!form.dataset.fields) return false;
            const got = JSON.parse(form.dataset.fields);
            return Object.entries(want).every(([k, v]) => got[k] === v);
        }""",
        arg=[form_id, expected],
        timeout=START_MS,
    )
    page.wait_for_timeout(0)
    result = form.locator("output[data-result]").text_content() or ""
    alert = form.locator("[role=alert]").text_content() or ""
    view = form.locator(".cl-live-view").inner_html()
    return (json.loads(result) if result.strip() else None), alert.strip(), view


IP_INPUTS = [
    "10.1.2.3/20",
    "192.168.1.10",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "10.0.0.0/31",
    "100.64.0.1/10",
    "169.254.10.20/16",
    "224.0.0.251",
    "203.0.113.7/24",
    "  172.16.5.4/12  ",
    "2001:db8::1/64",
    "2001:db8::/32",
    "::/0",
    "::1",
    "fe80::1/64",
    "fd00::abcd/48",
    "::ffff:10.0.0.1",
    "::ffff:0:0/96",
    "2001:DB8:0:0:0:0:0:1/128",
    "64:ff9b::192.0.2.33",
    # bad input
    "10.0.0.256",
    "10.0.0.0/33",
    "2001:db8::/129",
    "hello",
    "",
    "010.0.0.1",
    "2001:db8:::1",
]

SPLIT_INPUTS = [
    {"network": "10.0.0.0/24", "prefix": "28", "page": "1", "per_page": "16"},
    {"network": "10.0.0.0/24", "prefix": "/26", "page": "", "per_page": ""},
    {"network": "10.0.0.0/8", "prefix": "24", "page": "-1", "per_page": "16"},
    {"network": "10.0.0.0/8", "prefix": "30", "page": "1000", "per_page": "64"},
    {"network": "192.168.0.0/16", "prefix": "16", "page": "1", "per_page": "1"},
    {"network": "0.0.0.0/0", "prefix": "32", "page": "-1", "per_page": "16"},
    {"network": "172.16.0.0/12", "prefix": "20", "page": "2", "per_page": "100"},
    {"network": "2001:db8::/32", "prefix": "64", "page": "-1", "per_page": "16"},
    {"network": "2001:db8::/32", "prefix": "48", "page": "1", "per_page": "16"},
    {"network": "2001:db8::/56", "prefix": "64", "page": "2", "per_page": "128"},
    {"network": "::/0", "prefix": "128", "page": "-1", "per_page": "16"},
    {"network": "fd00::/8", "prefix": "64", "page": "12345678", "per_page": "16"},
    {"network": "::ffff:0:0/96", "prefix": "120", "page": "1", "per_page": "4"},
    {"network": "10.0.0.0/16", "prefix": "24", "page": "3", "per_page": "8"},
    # bad input
    {"network": "10.0.0.0/24", "prefix": "20", "page": "1", "per_page": "16"},
    {"network": "10.0.0.0/24", "prefix": "abc", "page": "1", "per_page": "16"},
    {"network": "10.0.0.0/24", "prefix": "28", "page": "99", "per_page": "16"},
    {"network": "10.0.0.0/24", "prefix": "28", "page": "1", "per_page": "0"},
    {"network": "10.0.0.1/24", "prefix": "28", "page": "1", "per_page": "16"},
    {"network": "nonsense", "prefix": "28", "page": "1", "per_page": "16"},
    {"network": "10.0.0.0/24", "prefix": "", "page": "1", "per_page": "16"},
]

VLSM_INPUTS = [
    {"hosts": "500,120,60", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "500,120,60", "network": "10.0.0.0/22", "aws": "on"},
    {"hosts": "2", "network": "10.0.0.0/30", "aws": ""},
    {"hosts": "1,1,1,1", "network": "192.168.1.0/24", "aws": ""},
    {"hosts": "100", "network": "10.0.0.0/24", "aws": "on"},
    {"hosts": "1000,500,250,125,60,30,14,6,2", "network": "10.0.0.0/20", "aws": ""},
    {"hosts": "11", "network": "10.0.0.0/24", "aws": "on"},
    {"hosts": "254", "network": "10.0.0.0/24", "aws": ""},
    {"hosts": "4000, 2000", "network": "10.0.0.0/19", "aws": "on"},
    {"hosts": "60,60,60,60", "network": "172.16.0.0/24", "aws": ""},
    {"hosts": "1000", "network": "2001:db8::/64", "aws": ""},
    {"hosts": "10,20", "network": "2001:db8::/120", "aws": ""},
    {"hosts": "65000", "network": "10.0.0.0/16", "aws": "on"},
    {"hosts": "3,3", "network": "10.0.0.0/29", "aws": ""},
    # bad input
    {"hosts": "255", "network": "10.0.0.0/24", "aws": ""},
    {"hosts": "500,500,500", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "a,b", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "0", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "-5", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "", "network": "10.0.0.0/22", "aws": ""},
    {"hosts": "10", "network": "10.0.0.0/33", "aws": ""},
    {"hosts": "100000", "network": "10.0.0.0/16", "aws": "on"},
]


def split_argv(fields: dict[str, str]) -> list[str]:
    argv = ["split", fields["network"].strip()]
    for name, flag in (("prefix", "--prefix"), ("page", "--page"), ("per_page", "--per-page")):
        if fields.get(name, "").strip():
            argv += [flag, fields[name].strip()]
    if "hosts" in fields and fields["hosts"].strip():
        argv += ["--hosts", fields["hosts"].strip()]
    if fields.get("aws") == "on":
        argv.append("--aws")
    return [*argv, "--json"]


@pytest.fixture(scope="module")
def live(browser: Any, site_url: str) -> Iterator[tuple[Any, Watch]]:
    with open_page(browser, f"{site_url}/{SUBNETS}") as opened:
        yield opened


def _form_id(page: Any, name: str, has: str) -> str:
    forms = page.locator(f'form[data-calculator="{name}"]:has(input[name="{has}"])')
    return forms.first.get_attribute("id")


def _check(page: Any, form_id: str, fields: dict[str, str], argv: list[str]) -> str | None:
    got, alert, view = compute(page, form_id, fields)
    want, message = native(argv)
    if got != want or alert != message:
        return f"{fields}: browser {got!r} / {alert!r}, CLI {want!r} / {message!r}"
    if want is None and view.strip():
        return f"{fields}: an error left an answer on screen"
    return None


def test_pages_without_a_calculator_never_load_pyodide(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/book/intro.html") as (page, watch):
        page.wait_for_load_state("networkidle")
        assert page.locator("form[data-calculator]").count() == 0
        assert not [u for u in watch.requested if "/live/" in u]


def test_pyodide_waits_for_the_first_edit(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/{SUBNETS}") as (page, watch):
        page.wait_for_load_state("networkidle")
        assert page.locator("form[data-calculator]").count() >= 3
        assert not [u for u in watch.requested if "pyodide" in u or u.endswith(".zip")]
        # The answer computed at build time is on the page already.
        result = page.locator("#live-ip-1 output[data-result]").text_content()
        assert json.loads(result) == native(["ip", "10.1.2.3/20", "--json"])[0]
        # A keyboard passing through a form's fields is not an edit: still nothing loads.
        page.locator("#live-ip-1 input").first.focus()
        for _ in range(4):
            page.keyboard.press("Tab")
        page.wait_for_timeout(500)
        assert not [u for u in watch.requested if "pyodide" in u or u.endswith(".zip")]
        # The first edit starts Python.
        page.locator("#live-ip-1 input").first.fill("10.9.8.7/24")
        page.wait_for_function(
            "() => document.querySelector('#live-ip-1').dataset.computed !== undefined"
        )
        assert [u for u in watch.requested if "pyodide" in u]


def test_every_browser_module_imports_inside_pyodide(live: tuple[Any, Watch]) -> None:
    page, _ = live
    report = page.evaluate("() => window.cloudlabLive.importCheck()")
    assert report["type"] == "import-check", report
    assert report["modules"] == list(BROWSER_MODULES)
    assert report["failures"] == []


def test_ip_calculator_says_what_the_cli_says(live: tuple[Any, Watch]) -> None:
    page, _ = live
    form_id = _form_id(page, "ip", "address")
    problems = [
        _check(page, form_id, {"address": value}, ["ip", value.strip(), "--json"])
        for value in IP_INPUTS
    ]
    assert [p for p in problems if p] == []


def test_subnet_splitter_says_what_the_cli_says(live: tuple[Any, Watch]) -> None:
    page, _ = live
    form_id = _form_id(page, "split", "prefix")
    problems = [_check(page, form_id, fields, split_argv(fields)) for fields in SPLIT_INPUTS]
    assert [p for p in problems if p] == []


def test_vlsm_planner_says_what_the_cli_says(live: tuple[Any, Watch]) -> None:
    page, _ = live
    form_id = _form_id(page, "split", "hosts")
    problems = [_check(page, form_id, fields, split_argv(fields)) for fields in VLSM_INPUTS]
    assert [p for p in problems if p] == []


def test_bad_input_alerts_and_clears_the_answer(live: tuple[Any, Watch]) -> None:
    page, _ = live
    form_id = _form_id(page, "ip", "address")
    compute(page, form_id, {"address": "10.0.0.1/24"})
    got, alert, view = compute(page, form_id, {"address": "10.0.0.999"})
    assert got is None
    assert view == ""
    assert alert == native(["ip", "10.0.0.999", "--json"])[1]
    assert "10.0.0.999" in alert


def test_the_page_stayed_on_the_site_without_console_errors(live: tuple[Any, Watch]) -> None:
    page, watch = live
    compute(page, _form_id(page, "ip", "address"), {"address": "2001:db8::7/64"})
    assert watch.foreign == []
    assert watch.errors == []


def test_share_by_url_round_trip(browser: Any, site_url: str, live: tuple[Any, Watch]) -> None:
    page, _ = live
    ip_id = _form_id(page, "ip", "address")
    split_id = _form_id(page, "split", "prefix")
    compute(page, ip_id, {"address": "2001:db8:abcd::5/48"})
    compute(
        page, split_id, {"network": "10.0.0.0/16", "prefix": "20", "page": "2", "per_page": "4"}
    )
    link = page.url
    assert f"#{ip_id}?" in link
    assert f"{split_id}?" in link
    with open_page(browser, link) as (other, watch):
        for form_id, argv in (
            (ip_id, ["ip", "2001:db8:abcd::5/48", "--json"]),
            (
                split_id,
                [
                    "split",
                    "10.0.0.0/16",
                    "--prefix",
                    "20",
                    "--page",
                    "2",
                    "--per-page",
                    "4",
                    "--json",
                ],
            ),
        ):
            other.wait_for_function(
                "id => document.getElementById(id).dataset.computed",
                arg=form_id,
                timeout=START_MS,
            )
            text = other.locator(f"#{form_id} output[data-result]").text_content()
            assert json.loads(text) == native(argv)[0]
        assert other.locator(f"#{ip_id} input[name=address]").input_value() == (
            "2001:db8:abcd::5/48"
        )
        assert watch.foreign == []
        assert watch.errors == []


def test_heading_anchors_still_work(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/{SUBNETS}") as (page, watch):
        anchor = page.locator("section[id]").nth(1).get_attribute("id")
    with open_page(browser, f"{site_url}/{SUBNETS}#{anchor}") as (page, watch):
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => location.hash") == f"#{anchor}"
        assert not [u for u in watch.requested if "pyodide" in u]


def test_forms_are_labelled_and_announce_results(live: tuple[Any, Watch]) -> None:
    page, _ = live
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('form[data-calculator] input')]
            .filter(i => !i.labels || i.labels.length === 0).map(i => i.name)"""
    )
    assert unlabelled == []
    for form in page.locator("form[data-calculator]").all():
        assert form.locator("[aria-live]").count() >= 1
        assert form.locator("[role=alert]").count() == 1


COMPUTE = "notebooks/fargate-ecs-eks.html"

DECIDE_INPUTS = [
    {"kubernetes": k, "portable": p, "services": s, "node_control": n, "load": ld, "ops_people": o}
    for k, p, s, n, ld, o in [
        ("none", "no", "1", "no", "bursty", "0"),
        ("strong", "no", "6", "no", "bursty", "0"),
        ("strong", "no", "6", "no", "steady", "2"),
        ("some", "yes", "2", "no", "bursty", "0"),
        ("some", "yes", "2", "no", "steady", "3"),
        ("none", "no", "12", "no", "steady", "1"),
        ("none", "no", "12", "no", "bursty", "1"),
        ("none", "no", "12", "no", "steady", "0"),
        ("none", "no", "1", "yes", "bursty", "0"),
        ("strong", "no", "1", "yes", "steady", "4"),
        ("some", "yes", "1", "yes", "steady", "1"),
        ("strong", "no", "4", "no", "bursty", "0"),
        ("strong", "no", "5", "no", "bursty", "0"),
        ("none", "y", "9", "n", "steady", "1"),
        ("none", "no", "10", "no", "steady", "1"),
        # bad input
        ("expert", "no", "1", "no", "bursty", "0"),
        ("none", "maybe", "1", "no", "bursty", "0"),
        ("none", "no", "0", "no", "bursty", "0"),
        ("none", "no", "two", "no", "bursty", "0"),
        ("none", "no", "1", "no", "spiky", "0"),
        ("none", "no", "1", "no", "bursty", "-1"),
    ]
]

_COST = CALCULATORS["cost"].options
_COST_DEFAULT = ("2", "256", "512", "730", "100", "1", "2", "1", "x86", "t3.medium", "0.1")
COST_INPUTS = [
    dict(zip(_COST, _COST_DEFAULT, strict=True)) | change | {"extended": change.get("extended", "")}
    for change in [
        {},
        {"tasks": "10"},
        {"tasks": "50", "cpu": "1024", "memory": "2048"},
        {"cpu": "4096", "memory": "8192"},
        {"arch": "arm", "instance_type": "m7g.large"},
        {"arch": "arm"},
        {"hours": "0"},
        {"hours": "200.5", "traffic_gb": "0"},
        {"nat_gateways": "0"},
        {"azs": "3", "nat_gateways": "3"},
        {"lcus": "12.5"},
        {"extended": "on"},
        {"instance_type": "t3.large", "reserve": "0.25"},
        {"cpu": "16384", "memory": "122880"},
        {"tasks": "1", "memory": "1024"},
        # bad input
        {"cpu": "300"},
        {"tasks": "0"},
        {"tasks": "many"},
        {"azs": "1"},
        {"instance_type": "x9.huge"},
        {"reserve": "1.5"},
        {"hours": "900"},
        {"arch": "mips"},
        {"traffic_gb": "-1"},
    ]
]


def options_argv(command: str, fields: dict[str, str], flags: tuple[str, ...] = ()) -> list[str]:
    argv = [command]
    for name, value in fields.items():
        if name in flags:
            argv += [f"--{name.replace('_', '-')}"] if value == "on" else []
        elif value.strip():
            argv += [f"--{name.replace('_', '-')}", value.strip()]
    return [*argv, "--json"]


@pytest.fixture(scope="module")
def compute_page(browser: Any, site_url: str) -> Iterator[tuple[Any, Watch]]:
    with open_page(browser, f"{site_url}/{COMPUTE}") as opened:
        yield opened


def test_decision_helper_says_what_the_cli_says(compute_page: tuple[Any, Watch]) -> None:
    page, watch = compute_page
    form_id = _form_id(page, "decide", "kubernetes")
    problems = [
        _check(page, form_id, fields, options_argv("decide", fields)) for fields in DECIDE_INPUTS
    ]
    assert [p for p in problems if p] == []
    assert watch.foreign == []


def test_cost_calculator_says_what_the_cli_says(compute_page: tuple[Any, Watch]) -> None:
    page, watch = compute_page
    form_id = _form_id(page, "cost", "tasks")
    problems = [
        _check(page, form_id, fields, options_argv("cost", fields, ("extended",)))
        for fields in COST_INPUTS
    ]
    assert [p for p in problems if p] == []
    assert watch.foreign == []
    assert watch.errors == []


def test_practice_accepts_the_right_answer_and_explains_a_wrong_one(
    live: tuple[Any, Watch],
) -> None:
    from cloudlab.practice import exercise

    page, _ = live
    form_id = _form_id(page, "practice", "seed")
    page.evaluate("() => localStorage.removeItem('cloudlab-practice-streak')")
    item = exercise(42, 2, "next-subnet")
    base = {"seed": "42", "level": "2", "kind": "next-subnet"}
    for name, value in base.items():
        page.locator(f"#{form_id} input[name={name}]").fill(value)
    for reply, right in ((item.answer, True), (item.answer.upper(), True), ("10.0.0.0/8", False)):
        got, alert, view = compute(page, form_id, base | {"answer": reply})
        want, _ = native(options_argv("practice", base | {"answer": reply}))
        assert got == want
        assert got["correct"] is right
        assert alert == ""
        if not right:
            assert f"the answer is {item.answer}" in view
            assert all(step.split(":")[0] in view for step in item.steps)
    # Two right answers, then a wrong one resets the streak.
    page.wait_for_function(
        "id => document.querySelector(`#${id} .cl-live-streak`).textContent === 'Streak: 0'",
        arg=form_id,
    )
    assert page.evaluate("() => localStorage.getItem('cloudlab-practice-streak')") == "0"
    got, alert, _ = compute(page, form_id, base | {"level": "7", "answer": "x"})
    assert got is None
    assert alert == "level 7: choose 1, 2 or 3"


FINGERPRINT = "notebooks/browser-fingerprinting.html"

ENTROPY_INPUTS = [
    {"attributes": a, "population": p}
    for a, p in [
        ("user_agent,screen,timezone,languages", "1000000"),
        ("user_agent", "1000000"),
        ("timezone", "1000"),
        ("user_agent,timezone", "8000000000"),
        ("canvas,fonts,plugins", "470161"),
        ("canvas,fonts,plugins,webgl_renderer,webgl_vendor", "1e10"),
        ("cookies_enabled", "1"),
        ("do_not_track,http_accept", "2.5e6"),
        ("platform, screen ,languages", "1000000"),
        ("user_agent,user_agent", "1000000"),
        ("", "1000000"),
        ("fonts", "1e9"),
        ("webgl_renderer", "100"),
        ("screen,timezone", "12345.5"),
        ("plugins,fonts,canvas,user_agent,screen,timezone,languages,platform", "1000000"),
        # bad input
        ("user-agent", "1000000"),
        ("user_agent", "0"),
        ("user_agent", "-5"),
        ("user_agent", "lots"),
        ("user_agent", "nan"),
        ("shoe_size", "10"),
    ]
]


def test_entropy_calculator_says_what_the_cli_says(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/{FINGERPRINT}") as (page, watch):
        form_id = _form_id(page, "entropy", "attributes")
        problems = [
            _check(page, form_id, fields, options_argv("entropy", fields))
            for fields in ENTROPY_INPUTS
        ]
        assert [p for p in problems if p] == []
        assert watch.foreign == []
        assert watch.errors == []


VPC = "notebooks/designing-a-vpc.html"
BOOK_TIERS = "public public /24; app private 1000; data isolated /24"
_PLAN = {"cidr": "10.0.0.0/16", "azs": "2", "tiers": BOOK_TIERS, "nat": "single", "ipv6": ""}

PLAN_INPUTS = [
    _PLAN | {"spare": "1", "alb": "yes"} | change
    for change in [
        {},
        {"azs": "3"},
        {"azs": "6", "nat": "per-az"},
        {"ipv6": "on"},
        {"ipv6": "on", "azs": "3", "nat": "per-az"},
        {"cidr": "172.16.0.0/20", "tiers": "web public 100; app private 500"},
        {"cidr": "192.168.0.0/24", "tiers": "lb public /28; app private 20", "spare": "0"},
        {
            "cidr": "10.20.0.0/16",
            "tiers": "app private 4000",
            "nat": "none",
            "alb": "no",
            "azs": "1",
        },
        {"tiers": "public, public, /24; app, private, 1000"},
        {"spare": "0"},
        {"spare": "3"},
        {"nat": "none", "tiers": "data isolated /20"},
        {
            "cidr": "10.0.0.0/28",
            "tiers": "tiny isolated /28",
            "nat": "none",
            "alb": "no",
            "azs": "1",
            "spare": "0",
        },
        {"tiers": "a-b public 1, c private 2, d isolated 3"},
        {"azs": "2", "alb": "no"},
        # bad input
        {"azs": "1"},
        {"azs": "7"},
        {"azs": "x"},
        {"cidr": "10.0.0.0/8"},
        {"cidr": "2001:db8::/56"},
        {"tiers": "app private"},
        {"tiers": ""},
        {"nat": "double"},
        {"alb": "perhaps"},
        {"cidr": "10.0.0.0/24", "tiers": "app private 4000", "nat": "none"},
    ]
]

ROUTE_INPUTS = [
    _PLAN
    | {"subnet": "app-a", "destination": "198.51.100.7", "public_ip": "yes", "what_if": ""}
    | change
    for change in [
        {},
        {"subnet": "app-b"},
        {"subnet": "public-a"},
        {"subnet": "public-b", "public_ip": "no"},
        {"subnet": "data-a"},
        {"destination": "10.0.12.9"},
        {"destination": "10.0.1.1", "subnet": "data-b"},
        {"destination": "10.99.0.1"},
        {"what_if": "10.0.12.0/24 blackhole", "destination": "10.0.12.9"},
        {"what_if": "198.51.100.0/24 blackhole"},
        {"subnet": ""},
        {"ipv6": "on", "destination": "2001:db8:ffff::1"},
        {"ipv6": "on", "subnet": "public-a", "destination": "2606:4700::1111"},
        {"ipv6": "on", "destination": "2001:db8:0:1::5"},
        {"nat": "per-az", "subnet": "app-b"},
        {"nat": "none", "destination": "8.8.8.8"},
        {"destination": "::ffff:10.0.0.1"},
        {"destination": "169.254.169.254"},
        # bad input
        {"subnet": "nowhere"},
        {"destination": "10.0.0.999"},
        {"destination": ""},
        {"what_if": "10.0.0.0/24"},
        {"public_ip": "perhaps"},
        {"azs": "0"},
    ]
]

FLOW_INPUTS = [
    _PLAN
    | {
        "source": "internet",
        "destination": "alb",
        "protocol": "tcp",
        "port": "443",
        "version": "4",
        "nacl": "default",
        "deny": "",
    }
    | change
    for change in [
        {},
        {"port": "80"},
        {"source": "alb", "destination": "app", "port": "5000"},
        {"source": "alb", "destination": "app", "port": "22"},
        {"destination": "app", "port": "5000"},
        {"source": "app", "destination": "internet"},
        {"nacl": "web"},
        {"nacl": "web-no-return"},
        {"nacl": "web", "source": "alb", "destination": "app", "port": "5000"},
        {"deny": "90 inbound tcp 443 203.0.113.0/24"},
        {"deny": "90 inbound tcp 443 198.51.100.0/24"},
        {"protocol": "udp", "port": "53"},
        {"protocol": "icmp", "port": ""},
        {"source": "192.0.2.50", "destination": "10.0.14.20", "port": "5432"},
        {"ipv6": "on", "version": "6"},
        {"ipv6": "on", "version": "6", "nacl": "web"},
        {"source": "10.0.0.10", "destination": "alb"},
        # bad input
        {"port": "70000"},
        {"port": ""},
        {"protocol": "icmp"},
        {"protocol": "sctp"},
        {"version": "5"},
        {"version": "6"},
        {"nacl": "strict"},
        {"deny": "90 inbound tcp 443"},
        {"source": "2001:db8::1"},
        {"source": "nowhere"},
    ]
]


@pytest.fixture(scope="module")
def vpc_page(browser: Any, site_url: str) -> Iterator[tuple[Any, Watch]]:
    with open_page(browser, f"{site_url}/{VPC}") as opened:
        yield opened


@pytest.mark.parametrize(
    ("name", "inputs"), [("plan", PLAN_INPUTS), ("route", ROUTE_INPUTS), ("flow", FLOW_INPUTS)]
)
def test_vpc_calculators_say_what_the_cli_says(
    vpc_page: tuple[Any, Watch], name: str, inputs: list[dict[str, str]]
) -> None:
    page, watch = vpc_page
    form_id = _form_id(page, name, "cidr")
    problems = [
        _check(page, form_id, fields, options_argv(name, fields, ("ipv6",))) for fields in inputs
    ]
    assert [p for p in problems if p] == []
    bad = [f for f in inputs if native(options_argv(name, f, ("ipv6",)))[0] is None]
    assert len(inputs) >= 20
    assert len(bad) >= 5  # the bad inputs above really are bad
    assert watch.foreign == []
    assert watch.errors == []


def test_vpc_planner_draws_the_table_and_the_address_map_in_python(
    vpc_page: tuple[Any, Watch],
) -> None:
    page, _ = vpc_page
    form_id = _form_id(page, "plan", "cidr")
    got, alert, view = compute(page, form_id, _PLAN | {"azs": "3", "ipv6": "on"})
    assert alert == ""
    names = [s["name"] for s in got["subnets"]]
    assert names[:3] == ["public-a", "public-b", "public-c"]
    drawings = page.locator(f"#{form_id} .cl-live-view svg[role=img]")
    assert drawings.count() == 2  # full width and a phone's, one of them shown
    svg = page.locator(f"#{form_id} .cl-live-view svg[role=img] >> visible=true")
    assert svg.count() == 1
    label = svg.get_attribute("aria-label")
    assert label.startswith("Address map of 10.0.0.0/")
    assert "public-a 10.0.12.0/24" in label or "public-a" in label
    assert all(name in view for name in names)
    assert "2001:db8::/56" in view


def test_vpc_share_by_url_round_trip(
    browser: Any, site_url: str, vpc_page: tuple[Any, Watch]
) -> None:
    page, _ = vpc_page
    plan_id = _form_id(page, "plan", "cidr")
    route_id = _form_id(page, "route", "cidr")
    flow_id = _form_id(page, "flow", "cidr")
    states = {
        plan_id: _PLAN | {"azs": "3", "spare": "0", "alb": "yes", "ipv6": "on"},
        route_id: _PLAN
        | {"subnet": "data-a", "destination": "8.8.8.8", "public_ip": "yes", "what_if": ""},
        flow_id: _PLAN
        | {
            "source": "alb",
            "destination": "app",
            "protocol": "tcp",
            "port": "5000",
            "version": "4",
            "nacl": "web-no-return",
            "deny": "",
        },
    }
    for form_id, fields in states.items():
        compute(page, form_id, fields)
    link = page.url
    with open_page(browser, link) as (other, watch):
        for form_id, fields in states.items():
            name = form_id.split("-")[1]
            other.wait_for_function(
                "id => document.getElementById(id).dataset.computed", arg=form_id, timeout=START_MS
            )
            text = other.locator(f"#{form_id} output[data-result]").text_content()
            assert json.loads(text) == native(options_argv(name, fields, ("ipv6",)))[0], form_id
            box = other.locator(f"#{form_id} input[name=cidr]")
            assert box.input_value() == fields["cidr"]
        assert other.locator(f"#{plan_id} input[name=ipv6]").is_checked()
        assert watch.foreign == []
        assert watch.errors == []


#: What a form's address map looks like on screen: the drawing shown (of the two in the
#: figure), each of its texts and blocks as laid out (CSS pixels), and its key and caption.
_MAP_ON_SCREEN = """id => {
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, width: r.width, height: r.height,
                x: r.left + r.width / 2, y: r.top + r.height / 2, top: r.top, bottom: r.bottom}; };
    const figure = document.getElementById(id).querySelector('figure.cl-address-map');
    const shown = [...figure.querySelectorAll('svg')].filter(s => s.getClientRects().length);
    const svg = shown[0], items = [...svg.parentElement.querySelectorAll('.cl-address-map-key li')];
    const caption = figure.querySelector('figcaption');
    return {
        drawings: shown.length, width: innerWidth,
        overflow: figure.scrollWidth - figure.clientWidth,
        figure: box(figure), svg: box(svg),
        texts: [...svg.querySelectorAll('text')].map(t => ({text: t.textContent, ...box(t)})),
        blocks: [...svg.querySelectorAll('rect[height="44"]')].map(box),
        key: items.map(li => li.textContent),
        fonts: [caption, ...items].map(e => parseFloat(getComputedStyle(e).fontSize)),
        caption: caption.textContent,
    };
}"""


def map_problems(seen: dict[str, Any], smallest: float) -> list[str]:
    """What is wrong with an address map on screen (:data:`_MAP_ON_SCREEN`): a text of
    the drawing under ``smallest`` pixels high, running out of the drawing or out of its
    block, a number missing from the key, small text in the key, or running out of the
    column (the page would scroll sideways)."""
    problems = [] if seen["drawings"] == 1 else [f"{seen['drawings']} drawings shown"]
    svg = seen["svg"]
    for t in seen["texts"]:
        if t["height"] < smallest:
            problems.append(f"{t['text']!r} is {t['height']:.1f} px high")
        if t["left"] < svg["left"] - 1 or t["right"] > svg["right"] + 1:
            problems.append(f"{t['text']!r} runs out of the drawing")
        inside = [
            b for b in seen["blocks"]
            if b["left"] <= t["x"] <= b["right"] and b["top"] <= t["y"] <= b["bottom"]
        ]  # fmt: skip
        block = min(inside, key=lambda b: b["width"], default=None)
        if block and t["width"] > block["width"] + 1:
            problems.append(f"{t['text']!r} ({t['width']:.0f} px) overflows its block")
    key_numbers = [entry.split(":")[0] for entry in seen["key"]]
    if key_numbers != [str(n) for n in range(1, len(key_numbers) + 1)]:
        problems.append(f"key numbered {key_numbers}")
    for t in seen["texts"]:
        drawn = re.fullmatch(r"(\d+)(?:–(\d+))?", t["text"])
        if drawn and not {drawn[1], drawn[2] or drawn[1]} <= set(key_numbers):
            problems.append(f"number {t['text']} is not in the key")
    if min(seen["fonts"]) < 12:
        problems.append(f"caption or key in {min(seen['fonts'])} px text")
    if seen["figure"]["right"] > seen["width"] or seen["overflow"] > 0:
        problems.append(f"the map runs {seen['overflow']} px out of its column")
    return problems


PHONE = {"width": 360, "height": 800}
#: Maps of each kind at a phone's width: a plan (named blocks, spare ones), a VLSM plan
#: (many named /28s and /30s), a zoomed page of IPv6 /64s (long ends under the bar).
PHONE_MAPS = [
    (VPC, "plan", "cidr", _PLAN | {"azs": "3", "spare": "1", "alb": "yes", "ipv6": "on"}),
    (SUBNETS, "split", "hosts", VLSM_INPUTS[5]),
    (SUBNETS, "split", "prefix", SPLIT_INPUTS[7]),
]


def on_a_phone(
    browser: Any, site_url: str, cases: list[tuple[str, str, str, dict[str, str]]], measure: str
) -> Iterator[tuple[str, dict[str, str], Any]]:
    """Each case computed on a 360 px screen: its name, its fields and ``measure``'s result.

    ``cases`` are (page, calculator, field it has, fields); a page opens once for all of
    its cases, and no page may log an error.
    """
    for path in dict.fromkeys(p for p, *_ in cases):
        with open_page(browser, f"{site_url}/{path}", PHONE) as (page, watch):
            for _, name, has, fields in (c for c in cases if c[0] == path):
                form_id = _form_id(page, name, has)
                got, alert, _ = compute(page, form_id, fields)
                assert got is not None, alert
                seen = page.evaluate(measure, form_id)
                assert seen["width"] == PHONE["width"]
                yield name, fields, seen
            assert watch.errors == []


def test_address_maps_can_be_read_on_a_phone(browser: Any, site_url: str) -> None:
    problems = []
    for name, fields, seen in on_a_phone(browser, site_url, PHONE_MAPS, _MAP_ON_SCREEN):
        problems += [f"{name} {fields}: {p}" for p in map_problems(seen, 10)]
    assert problems == []


def test_the_full_width_address_map_keys_what_the_figure_keys(
    vpc_page: tuple[Any, Watch],
) -> None:
    from cloudlab.vpc.pictures import address_map
    from cloudlab.vpc.plan import NetworkPlan

    page, _ = vpc_page
    form_id = _form_id(page, "plan", "cidr")
    got, _, _ = compute(page, form_id, _PLAN | {"azs": "3", "spare": "1", "alb": "yes"})
    seen = page.evaluate(_MAP_ON_SCREEN, form_id)
    assert seen["width"] >= 1280
    assert seen["svg"]["width"] > 600  # the full-width drawing, not the phone's
    assert map_problems(seen, 8) == []
    figure = address_map(NetworkPlan.from_dict(got))
    assert seen["key"] == figure.axes[-1].get_xlabel().replace("\n", "   ").split("   ")
    assert seen["caption"] == figure.get_suptitle().replace("\n", "")


def test_progress_line_counts_the_bytes(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/{VPC}") as (page, watch):
        form = page.locator('form[data-calculator="plan"]').first
        page.evaluate(
            """() => {
                window.progressSeen = [];
                const box = document.querySelector('form[data-calculator] .cl-live-status');
                new MutationObserver((records) => {
                    for (const r of records)
                        for (const node of r.addedNodes) window.progressSeen.push(node.textContent);
                }).observe(box, {childList: true});
            }"""
        )
        form.locator("input[name=azs]").fill("3")
        page.wait_for_function(
            "id => document.getElementById(id).dataset.computed",
            arg=form.get_attribute("id"),
            timeout=START_MS,
        )
        seen = page.evaluate("() => window.progressSeen")
        counts = [
            re.fullmatch(r"Starting Python in your browser, (\d+) of (\d+) MB", s) for s in seen
        ]
        pairs = [(int(m[1]), int(m[2])) for m in counts if m]
        assert pairs, seen
        total = pairs[-1][1]
        assert 15 <= total <= 30  # Pyodide, its memory snapshot and the package: about 21 MB
        assert {t for _, t in pairs} == {total}
        assert pairs[0][0] < total  # it counted up while downloading
        assert [n for n, _ in pairs] == sorted(n for n, _ in pairs)
        assert seen[-1] == "Python is running in your browser"
        assert watch.errors == []


def test_a_page_opened_from_a_file_says_to_use_make_serve(browser: Any, site_dir: Path) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((site_dir / VPC).as_uri(), wait_until="load")
        forms = page.locator("form[data-calculator]")
        assert forms.count() >= 3
        for form in forms.all():
            assert "make serve" in (form.locator(".cl-live-status").text_content() or "")
            assert form.locator(".cl-live-run").is_disabled()
    finally:
        context.close()


def test_practice_streak_survives_a_reload(browser: Any, site_url: str) -> None:
    from cloudlab.practice import exercise

    item = exercise(5, 1, "hosts")
    with open_page(browser, f"{site_url}/{SUBNETS}") as (page, _):
        form_id = _form_id(page, "practice", "seed")
        page.evaluate("() => localStorage.setItem('cloudlab-practice-streak', '2')")
        got, _, _ = compute(
            page,
            form_id,
            {"seed": "5", "level": "1", "kind": "hosts", "answer": item.answer},
        )
        assert got["correct"] is True
        page.wait_for_function(
            "id => document.querySelector(`#${id} .cl-live-streak`).textContent === 'Streak: 3'",
            arg=form_id,
        )
        page.reload(wait_until="load")
        streak = page.locator(f"#{form_id} .cl-live-streak").text_content()
        assert streak == "Streak: 3"
        assert page.evaluate("() => localStorage.getItem('cloudlab-practice-streak')") == "3"


COOKIES = "notebooks/cookies-sessions-device-ids.html"
NOW = "1764763200"  # 2025-12-03 12:00 UTC: headers with Expires are read as if they came then

COOKIE_INPUTS = [
    {"header": h, "now": n}
    for h, n in [
        ("device_id=MjFM_MTxOBkgysTUfItAZA; Max-Age=31536000; HttpOnly; Path=/; SameSite=Lax", ""),
        ("sid=abc", ""),
        ("sid=abc; Max-Age=3600; Secure; HttpOnly; SameSite=Strict", ""),
        ("sid=abc; Max-Age=0", ""),
        ("sid=abc; Max-Age=-1", ""),
        ("track=1; SameSite=None; Secure; Partitioned", ""),
        ("track=1; SameSite=None", ""),
        ("a=b; Expires=Wed, 21 Oct 2015 07:28:00 GMT", NOW),
        ("a=b; Expires=Fri, 01 Jan 2027 00:00:00 GMT", NOW),
        ("a=b; Expires=Fri, 01 Jan 2027 00:00:00 GMT; Max-Age=60", NOW),
        ("pref=dark; Domain=example.org; Path=/docs", ""),
        ("pref=dark; Domain=.example.org", ""),
        ("x=1; Priority=High; Foo=bar", ""),
        ("long=" + "v" * 200, ""),
        ("__Host-id=1; Secure; Path=/", ""),
        ("__Secure-id=1; Secure", ""),
        ("empty=", ""),
        ('q="quoted value"; Max-Age=10', ""),
        ("unicode=café; Max-Age=10", ""),
        ("  spaced = yes ; Max-Age = 100 ; HttpOnly ", ""),
        # bad input
        ("", ""),
        ("=novalue", ""),
        ("x=1; SameSite=Maybe", ""),
        ("x=1; Expires=tomorrow", NOW),
        ("x=1; Max-Age=10", "soon"),
    ]
]


def test_cookie_explainer_says_what_the_cli_says(browser: Any, site_url: str) -> None:
    with open_page(browser, f"{site_url}/{COOKIES}") as (page, watch):
        form_id = _form_id(page, "cookie", "header")
        problems = [
            _check(page, form_id, fields, options_argv("cookie", fields))
            for fields in COOKIE_INPUTS
        ]
        assert [p for p in problems if p] == []
        assert sum(native(options_argv("cookie", f))[0] is None for f in COOKIE_INPUTS) >= 4
        assert watch.foreign == []
        assert watch.errors == []


RACE = "notebooks/ipv4-and-ipv6.html"
#: The race's form as the chapter fills it (a healthy dual-stack network).
_RACE = {
    "device_ipv6": "yes",
    "router_ipv6": "yes",
    "isp_ipv6": "yes",
    "site_aaaa": "yes",
    "site_a": "yes",
    "device_ipv4": "yes",
    "ipv6_state": "ok",
    "ipv4_state": "ok",
    "ipv6_latency_ms": "30",
    "ipv4_latency_ms": "30",
    "aaaa_ms": "20",
    "a_ms": "20",
    "connection_attempt_delay_ms": "250",
    "resolution_delay_ms": "50",
    "jitter_ms": "0",
    "give_up_ms": "5000",
    "seed": "0",
}

RACE_INPUTS = [
    _RACE | changes
    for changes in [
        {},
        # IPv4 only: the device, the router or the provider lacks IPv6, or the site
        {"device_ipv6": "no"},
        {"router_ipv6": "no"},
        {"isp_ipv6": "no"},
        {"site_aaaa": "no"},
        # IPv6 only
        {"device_ipv4": "no"},
        {"site_a": "no"},
        {"site_a": "no", "ipv6_state": "blackholed", "give_up_ms": "2000"},
        # a broken or slow IPv6 path
        {"ipv6_state": "blackholed"},
        {"ipv6_state": "refused"},
        {"ipv6_latency_ms": "330"},
        {"ipv6_state": "blackholed", "connection_attempt_delay_ms": "100"},
        {"ipv6_state": "blackholed", "ipv4_state": "blackholed", "give_up_ms": "1500"},
        {"ipv4_state": "refused", "ipv6_state": "refused"},
        # slow AAAA: the Resolution Delay
        {"a_ms": "10", "aaaa_ms": "100"},
        {"a_ms": "10", "aaaa_ms": "40"},
        {"a_ms": "10", "aaaa_ms": "300", "resolution_delay_ms": "0"},
        # jitter with seeds (the same seed, the same race: a result of the Mersenne Twister)
        {"jitter_ms": "40", "seed": "1"},
        {"jitter_ms": "40", "seed": "2"},
        {"jitter_ms": "300", "seed": "12345", "ipv6_latency_ms": "260"},
        {"jitter_ms": "25.5", "seed": "7", "ipv6_state": "blackholed"},
        {"ipv6_latency_ms": "", "seed": "", "jitter_ms": ""},  # empty: the defaults
        # bad input
        {"device_ipv6": "no", "device_ipv4": "no"},
        {"device_ipv6": "maybe"},
        {"ipv6_latency_ms": "-3"},
        {"ipv4_latency_ms": "fast"},
        {"ipv6_state": "up"},
        {"connection_attempt_delay_ms": "5"},
        {"seed": "1.5"},
        {"give_up_ms": "0"},
    ]
]


@pytest.fixture(scope="module")
def race_page(browser: Any, site_url: str) -> Iterator[tuple[Any, Watch]]:
    with open_page(browser, f"{site_url}/{RACE}") as opened:
        yield opened


def test_happy_eyeballs_race_says_what_the_cli_says(race_page: tuple[Any, Watch]) -> None:
    page, watch = race_page
    form_id = _form_id(page, "race", "ipv6_state")
    problems = [
        _check(page, form_id, fields, options_argv("race", fields)) for fields in RACE_INPUTS
    ]
    assert [p for p in problems if p] == []
    bad = [f for f in RACE_INPUTS if native(options_argv("race", f))[0] is None]
    assert len(RACE_INPUTS) - len(bad) >= 20
    assert len(bad) == 8  # the bad inputs above really are bad, and only they
    families = {native(options_argv("race", f))[0]["family"] for f in RACE_INPUTS if f not in bad}
    assert families == {"IPv6", "IPv4", None}
    assert watch.foreign == []
    assert watch.errors == []


def test_happy_eyeballs_timeline_is_svg_drawn_by_python(race_page: tuple[Any, Watch]) -> None:
    page, _ = race_page
    form_id = _form_id(page, "race", "ipv6_state")
    got, alert, _ = compute(page, form_id, _RACE | {"ipv6_state": "blackholed"})
    assert alert == ""
    assert got["family"] == "IPv4"
    svg = page.locator(f"#{form_id} .cl-live-view svg[role=img]")
    assert svg.count() == 1
    label = svg.get_attribute("aria-label")
    assert "IPv6 attempt to 2001:db8:80::10 started at 20 ms, was cancelled at 300 ms" in label
    assert "IPv4 attempt to 203.0.113.10 started at 270 ms, won at 300 ms" in label
    # the command line shown is the one just run, not the one of the build
    command = page.locator(f"#{form_id} .cl-live-command").text_content()
    assert command == "python -m cloudlab " + shlex.join(
        options_argv("race", _RACE | {"ipv6_state": "blackholed"})
    )
    # bad input: the alert, and neither the picture nor the JSON of the last answer
    got, alert, view = compute(page, form_id, _RACE | {"ipv6_state": "up"})
    assert got is None
    assert view == ""
    assert "unknown IPv6 path state 'up'" in alert
    assert page.locator(f"#{form_id} [role=alert]").count() == 1


def test_happy_eyeballs_share_by_url_round_trip(
    browser: Any, site_url: str, race_page: tuple[Any, Watch]
) -> None:
    page, _ = race_page
    form_id = _form_id(page, "race", "ipv6_state")
    fields = _RACE | {"ipv6_state": "refused", "jitter_ms": "30", "seed": "9", "a_ms": "5"}
    compute(page, form_id, fields)
    link = page.url
    assert f"#{form_id}?" in link
    with open_page(browser, link) as (other, watch):
        other.wait_for_function(
            "id => document.getElementById(id).dataset.computed", arg=form_id, timeout=START_MS
        )
        text = other.locator(f"#{form_id} output[data-result]").text_content()
        assert json.loads(text) == native(options_argv("race", fields))[0]
        for name in ("ipv6_state", "jitter_ms", "seed", "a_ms"):
            assert other.locator(f"#{form_id} input[name={name}]").input_value() == fields[name]
        assert watch.foreign == []
        assert watch.errors == []


#: Each live calculator with a wide answer, as typed on a phone: the plan with IPv6 (eight
#: columns), each splitter's page of long addresses, the route and flow tables, the cost
#: options, the race's attempts and order, and the other forms as the book fills them.
PHONE_ANSWERS = [
    (VPC, "plan", "cidr", _PLAN | {"azs": "3", "spare": "1", "alb": "yes", "ipv6": "on"}),
    (VPC, "route", "cidr", _PLAN | {"subnet": "app-a", "destination": "198.51.100.7"}),
    (VPC, "flow", "cidr", _PLAN | {"source": "alb", "destination": "app", "port": "5000"}),
    (SUBNETS, "ip", "address", {"address": "2001:db8:0:0:0:0:0:1/128"}),
    (SUBNETS, "split", "prefix", SPLIT_INPUTS[7]),
    (SUBNETS, "split", "hosts", VLSM_INPUTS[5]),
    (SUBNETS, "practice", "seed", {"seed": "3", "level": "3", "answer": "1"}),
    (COMPUTE, "cost", "tasks", {"tasks": "4", "extended": "on"}),
    (COMPUTE, "decide", "kubernetes", {"kubernetes": "strong", "services": "12"}),
    (FINGERPRINT, "entropy", "attributes", ENTROPY_INPUTS[0]),
    (COOKIES, "cookie", "header", {"header": COOKIE_INPUTS[0]["header"]}),
    (RACE, "race", "ipv6_state", _RACE | {"ipv6_state": "blackholed", "jitter_ms": "40"}),
]

#: What of a form's answer lies outside a phone's screen: elements running past its edges
#: (they would make the page scroll sideways; not those a box hides, such as the headings
#: of a stacked table), how far the answer runs past its box or the form past the screen,
#: and the smallest text of the answer outside its drawings (CSS pixels; the address maps'
#: test measures theirs).
_ANSWER_ON_SCREEN = """id => {
    const form = document.getElementById(id), view = form.querySelector('.cl-live-view');
    const shown = [...form.querySelectorAll('*')].filter(e => e.getClientRects().length);
    const clipped = e => { for (let a = e.parentElement; a !== form; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
    const out = shown.filter(e => { const r = e.getBoundingClientRect();
        return (r.right > innerWidth + 0.5 || r.left < -0.5) && !clipped(e); });
    const texts = shown.filter(e => view.contains(e) && !e.closest('svg') && [...e.childNodes].some(
        n => n.nodeType === 3 && n.textContent.trim()));
    return {width: innerWidth, overflow: Math.max(view.scrollWidth - view.clientWidth,
                                                  form.getBoundingClientRect().right - innerWidth),
            out: out.map(e => `${e.tagName.toLowerCase()} ${(e.textContent || '').slice(0, 30)}`
                              + ` to ${Math.round(e.getBoundingClientRect().right)} px`),
            font: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize)))};
}"""


def _roles(page: Any, selector: str) -> dict[str, int]:
    """How many nodes of each table role Chromium's accessibility tree holds under the
    first element ``selector`` matches (what a screen reader is given)."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    counts = {}
    for role in ("table", "row", "columnheader", "cell"):
        found = cdp.send("Accessibility.queryAXTree", {"nodeId": node, "role": role})["nodes"]
        counts[role] = len(found)
    cdp.detach()
    return counts


def test_every_answer_fits_a_phone(browser: Any, site_url: str) -> None:
    assert {name for _, name, *_ in PHONE_ANSWERS} == set(CALCULATORS)
    problems = []
    for name, _, seen in on_a_phone(browser, site_url, PHONE_ANSWERS, _ANSWER_ON_SCREEN):
        problems += [f"{name}: {e} runs off the screen" for e in seen["out"]]
        if seen["overflow"] > 0:
            problems.append(f"{name}: the answer is {seen['overflow']} px too wide")
        if seen["font"] < 12:
            problems.append(f"{name}: text of {seen['font']} px")
    assert problems == []


def test_a_stacked_answer_table_is_still_a_table(browser: Any, site_url: str) -> None:
    from cloudlab.vpc.plan import NetworkPlan

    with open_page(browser, f"{site_url}/{VPC}", PHONE) as (page, _):
        form_id = _form_id(page, "plan", "cidr")
        got, _, _ = compute(page, form_id, _PLAN | {"ipv6": "on"})
        table = f"#{form_id} table.cl-live-stack"
        assert page.evaluate(f"getComputedStyle(document.querySelector('{table} tr')).display") == (
            "block"
        )  # stacked on a phone
        header = page.locator(f"{table} th").all_text_contents()
        assert "IPv6" in header
        rows = len(NetworkPlan.from_dict(got).to_rows())
        cells = page.locator(f"{table} td")
        assert cells.count() == page.locator(f"{table} tbody tr").count() * len(header)
        assert cells.first.get_attribute("data-label") == header[0]
        assert _roles(page, table) == {
            "table": 1,
            "row": rows + 1,
            "columnheader": len(header),
            "cell": cells.count(),
        }
