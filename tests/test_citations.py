"""Every number the book states as a fact points to its source.

The book promises that each number and claim has a source in its bibliography. This test
reads every paragraph of prose (``book/*.md`` and the notebooks' markdown cells) and
lists those that state a number with no citation. The rule, so that only claims count:

- prose only: fenced code, directive options, headings, HTML comments are not read;
  sections named "Exercises" (the reader's own computations), "Summary" (which
  restates what the chapter cited) and "Try it" (which describes the book's own
  calculator) neither, nor the "What you will learn" list;
- a *number* stands on its own: digits inside a word or a name (``IPv6``, ``t3.medium``,
  ``base64``, ``5xx``), inside inline code or maths, in an address or a prefix
  (``10.0.0.0/16``, ``/24``), in a link target, a list's or an exercise's numbering, and
  after words that name rather than measure ("step 2", "RFC 6724", "section 5.3",
  "port 5000", "Python 3.11", "Safari 16.4") are not claims;
- a paragraph is sourced when it cites (``{cite}``, ``{cite:p}``, ``{cite:t}``) or
  cross-references the page where the claim is cited (``{ref}``, ``{doc}``), or when it
  describes the code cells beside it: at least half of its numbers are in their source
  (the inputs; the rest are the results those cells print), and the cells, which run on
  every build, are the evidence; or when it opens the markdown cell right after a code
  cell, whose output it reads (the numbers there are that output); a list or a table
  belongs to the sourced paragraph that introduces it with a colon; and a paragraph that
  says its number is the book's own (its model's assumption, a heuristic, a figure the
  book measures) claims nothing that has a source;
- but a paragraph that names a default or a recommended value ("the default 300 s", "the
  default settings") states a fact about a product or a standard, which no cell beside it
  proves: it needs its citation even when it reads an output or the code's inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SOURCED = re.compile(r"\{(cite(:[a-z]+)?|ref|doc|numref)\}`")
#: Words with which the text itself says a number is the book's own (its model's
#: assumption, a heuristic, a figure the book measures), not a fact with a source.
OWN = re.compile(
    r"assumptions?\s+of\s+its\s+own|the book's own|heuristic|measured\s+by\s+`make bench`"
)
#: Words with which a paragraph states a product's or a standard's default: a fact that
#: the cells beside it cannot prove, so the exemptions for reading them do not apply.
DEFAULTS = re.compile(r"\bdefaults?\b|\brecommend(s|ed)?\b", re.IGNORECASE)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SKIPPED_SECTIONS = ("exercises", "summary", "try it")
#: Stripped before looking for numbers: code, maths, roles, links, addresses, prefixes.
NOT_PROSE = [
    re.compile(pattern)
    for pattern in (
        r"`[^`]*`",  # inline code (and the targets of roles)
        r"\$\$?[^$]+\$\$?",  # maths
        r"\]\([^)]*\)",  # a link's target
        r"https?://\S+",
        r"<[^>]+>",  # HTML tags
        r"\b[0-9a-fA-F:]*::[0-9a-fA-F:]*(/\d+)?",  # IPv6 addresses
        r"\b\d{1,3}(\.\d{1,3}){3}(/\d+)?",  # IPv4 addresses and blocks
        r"/\d+\b",  # a prefix length
        r"(?m)^\s*(\d+\.|[-*])\s",  # a list item's number
        r"\*\*\d+\.\*\*",  # an exercise's number
        rf"\bread\b[^.:]{{0,40}}?\d{{1,2}} ({MONTHS}) \d{{4}}",  # the date a source was read
    )
]
#: Words after which a number names something (a step, a standard, a version, a port).
NAMING = re.compile(
    r"\b(steps?|parts?|sections?|chapters?|figures?|exercises?|lines?|cells?|rules?|"
    r"RFCs?|BCP|recital|article|version|Python|Safari|Chrome|Firefox|iOS|iPadOS|macOS|"
    r"Android|Windows|HTTP/?|TLS|ports?|protocol|draft-[\w-]+|Flask|Terraform|Django)"
    r"\s+\d[\d.,]*(\s*(and|or|to|–|-)\s*\d[\d.,]*)*",
    re.IGNORECASE,
)
#: A number on its own: not part of a word or a name.
NUMBER = re.compile(r"(?<![\w.\-/])\d[\d,.]*(?![\w])")


#: A page: its file name and its cells, each (cell type, source).
Page = tuple[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class Paragraph:
    where: str
    section: str
    text: str
    code_nearby: str
    #: Whether this paragraph opens a markdown cell that follows a code cell.
    reads_output: bool = False


def _markdown_cells() -> Iterator[Page]:
    """(file name, [(cell type, source), ...]) for each page of the book."""
    for page in sorted((ROOT / "book").glob("*.md")):
        yield page.name, [("markdown", page.read_text(encoding="utf-8"))]
    for page in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(page.read_text(encoding="utf-8"))["cells"]
        yield page.name, [(cell["cell_type"], "".join(cell["source"])) for cell in cells]


def _blocks(source: str, section: str) -> tuple[list[tuple[str, str]], str]:
    """(section, paragraph) for each paragraph of prose in one markdown cell or page, and
    the section the text ends in."""
    found: list[tuple[str, str]] = []
    block: list[str] = []
    fence = ""
    learning = False
    for line in [*source.splitlines(), ""]:
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and stripped.strip("`~") == "":
                fence = ""
            continue
        opening = re.match(r"(`{3,}|~{3,})", stripped)
        heading = stripped.startswith("#")
        ends = (
            opening
            or heading
            or stripped.startswith(("**What you will learn", ":::"))
            or not stripped
            or re.match(r":\w[\w-]*:", stripped)
            or (stripped.startswith(("<!--", "(")) and stripped.endswith((")=", "-->")))
        )
        if ends:
            if block and not learning:
                found.append((section, "\n".join(block)))
            block = []
            if opening:
                fence = opening[1]
            if heading:
                section = stripped.lstrip("#").strip()
                learning = False
            if stripped.startswith("**What you will learn"):
                learning = True
            continue
        if stripped.startswith("**What you need"):
            learning = False
        block.append(line)
    return found, section


def paragraphs(pages: Iterable[Page] | None = None) -> Iterator[Paragraph]:
    """Every paragraph of prose, with the source of the code cells beside its cell."""
    for name, cells in _markdown_cells() if pages is None else pages:
        section = ""
        for index, (kind, source) in enumerate(cells):
            if kind != "markdown":
                continue
            nearby = "\n".join(
                cells[i][1]
                for i in (index - 1, index + 1)
                if 0 <= i < len(cells) and cells[i][0] == "code"
            )
            after_code = index > 0 and cells[index - 1][0] == "code"
            blocks, section = _blocks(source, section)
            for number, (heading, text) in enumerate(blocks):
                yield Paragraph(name, heading, text, nearby, after_code and number == 0)


def claimed_numbers(text: str) -> list[str]:
    """The numbers in ``text`` that state a quantity (the rule in this module's docstring)."""
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return [number.rstrip(".,") for number in NUMBER.findall(NAMING.sub(" ", text))]


def _shown_by_code(numbers: list[str], code: str) -> bool:
    """Whether most of ``numbers`` are the inputs of ``code`` (the rest its results)."""
    found = set(re.findall(r"\d[\d.]*", code.replace("_", "")))
    shown = sum(number.replace(",", "") in found for number in numbers)
    return 2 * shown >= len(numbers)


def uncited(pages: Iterable[Page] | None = None) -> list[Paragraph]:
    """Paragraphs that state a number and point to no source."""
    found = []
    introduced = False  # by a sourced paragraph that ends with a colon
    for paragraph in paragraphs(pages):
        continues = introduced and paragraph.text.lstrip().startswith(("- ", "* ", "1.", "|"))
        introduced = bool(SOURCED.search(paragraph.text)) and paragraph.text.rstrip().endswith(":")
        if paragraph.section.lower().startswith(SKIPPED_SECTIONS):
            continue
        if continues or SOURCED.search(paragraph.text) or OWN.search(paragraph.text):
            continue
        numbers = claimed_numbers(paragraph.text)
        beside = paragraph.reads_output or _shown_by_code(numbers, paragraph.code_nearby)
        if numbers and not (beside and not DEFAULTS.search(paragraph.text)):
            found.append(paragraph)
    return found


# ---------------------------------------------------------------- the tests


def test_every_number_in_the_prose_points_to_its_source() -> None:
    missing = uncited()
    report = "\n\n".join(
        f"{p.where} [{p.section}] numbers {claimed_numbers(p.text)}:\n{p.text}" for p in missing
    )
    assert missing == [], f"{len(missing)} paragraphs state numbers with no citation:\n{report}"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Safari caps them at 7 days.", ["7"]),
        ("A tunnel adds 20 bytes, and 1,500 is the usual MTU.", ["20", "1,500"]),
        ("In step 2 the app listens on port 5000 (RFC 6724, section 5).", []),
        ("`10.0.0.0/16` and 10.0.0.0/16 hold a /24 each, over IPv6 on t3.medium.", []),
        ("$2^{32}$ addresses, as read on 28 November 2026.", []),
    ],
)
def test_the_rule_counts_claims_and_not_names(text: str, numbers: list[str]) -> None:
    assert claimed_numbers(text) == numbers


def test_an_uncited_claim_is_found_and_a_cited_or_computed_one_is_not() -> None:
    page = (
        "chapter.ipynb",
        [
            ("markdown", "# A chapter\n\nA NAT gateway costs 0.045 USD an hour.\n"),
            ("markdown", "It costs 0.045 USD an hour {cite:p}`aws-vpc-pricing`.\n"),
            ("code", "simulate(interval_s=10, threshold=2)"),
            ("markdown", "The output above: 42 requests failed.\n\nWith 10 s and 2 checks, 3.\n"),
            ("code", "simulate(interval_s=30)"),
            ("markdown", "With the default 30 s, slower.\n\nThe default 30 s {cite:p}`x`.\n"),
            ("markdown", "## Exercises\n\n**1.** How many of 256 addresses are left?\n"),
        ],
    )
    assert [p.text for p in uncited([page])] == [
        "A NAT gateway costs 0.045 USD an hour.",
        "With the default 30 s, slower.",  # beside its code, but a default is a fact
    ]
