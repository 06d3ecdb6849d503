"""Predict-then-check exercises (book/_ext/cloudlab_predict.py), in JupyterLab and in Sphinx.

In JupyterLab (jupyterlab-myst) a chapter's question must read as a question with its
choices, and its answer must stay in the folded solution: every notebook's questions are
checked at the source, the way MyST splits them into blocks. The Sphinx side turns a
small project's questions into forms, and refuses each malformed one with one line.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from cloudlab_execute import ROOT
from cloudlab_predict import ANSWER, CLASS, TITLE, parse_answer, parse_calculator
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from sphinx.application import Sphinx

_MD = create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML)
_OPTION = re.compile(r":(?P<key>[\w-]+):[ \t]*(?P<value>.*)")


def _directive(info: str, content: str) -> tuple[str, str, dict[str, str], list[str]]:
    """A colon fence's name, argument, options and body lines."""
    name, _, argument = info.partition(" ")
    lines = content.splitlines()
    options = {}
    while lines and (match := _OPTION.fullmatch(lines[0])):
        options[match["key"]] = match["value"]
        lines.pop(0)
    return name.strip("{}"), argument.strip(), options, lines


def jupyterlab_problems(markdown: str) -> list[str]:
    """What a JupyterLab reader of this markdown would see wrong in its questions."""
    found = []
    tokens = [t for t in _MD.parse(markdown) if t.nesting >= 0 and t.type != "inline"]
    for number, token in enumerate(tokens):
        if token.type != "colon_fence":
            continue
        name, argument, options, body = _directive(token.info, token.content)
        if name == "predict":
            found.append(f"{{predict}} {argument}: an unknown directive in JupyterLab")
            continue
        if name != "admonition" or CLASS not in options.get("class", "").split():
            # Questions nested in another directive are checked the same way.
            found += jupyterlab_problems("\n".join(body)) if name != "dropdown" else []
            continue
        following = tokens[number + 1] if number + 1 < len(tokens) else None
        solution = following and _directive(following.info, following.content)
        try:
            found += _question_problems(argument, options, body, solution)
        except ValueError as error:
            found.append(f"{argument}: {error}")
    return found


def _question_problems(
    argument: str,
    options: dict[str, str],
    body: list[str],
    solution: tuple[str, str, dict[str, str], list[str]] | None,
) -> list[str]:
    found = []
    if not argument.startswith(TITLE):
        found.append(f"{argument}: the question's title starts with {TITLE!r}")
    if set(options) != {"class"}:
        found.append(f"{argument}: options {sorted(options)} (only :class: shows or hides)")
    comments = [line.lstrip()[1:] for line in body if line.lstrip().startswith("%")]
    for comment in comments:
        parse_calculator(comment)
    visible = [line for line in body if not line.lstrip().startswith("%")]
    choices = [line[2:].strip() for line in visible if line.startswith("- ")]
    if not solution or solution[0] != "dropdown":
        return [*found, f"{argument}: not followed by its folded solution, a {{dropdown}}"]
    if "open" in solution[2]:
        found.append(f"{argument}: its solution is open")
    first = solution[3][0] if solution[3] else ""
    if not first.startswith(f"**{ANSWER}**"):
        return [*found, f"{argument}: the solution's first line is not '**{ANSWER}** ...'"]
    answer = parse_answer(first.removeprefix(f"**{ANSWER}**"), choices).answer
    in_view = rf"(?<![\w.]){re.escape(answer)}(?!\w|\.\d)"
    if not choices and re.search(in_view, " ".join([argument, *visible])):
        found.append(f"{argument}: the answer {answer} is in plain view")
    return found


def _markdown_cells() -> list[tuple[str, str]]:
    cells = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] == "markdown":
                cells.append((f"{path.name} cell {index}", "".join(cell["source"])))
    return cells


def test_no_chapter_shows_an_answer_before_its_solution_is_opened() -> None:
    questions = 0
    for where, markdown in _markdown_cells():
        assert jupyterlab_problems(markdown) == [], where
        questions += len(re.findall(r"^:::+\{admonition\} Predict first:", markdown, re.M))
    assert questions >= 20


GOOD = """\
:::{admonition} Predict first: How many addresses does a /21 hold?
:class: predict

Write down your answer in addresses, then open the solution.
:::

:::{dropdown} Solution
**Answer:** 2048 addresses (within 1 %)

Eleven host bits.
:::

:::{admonition} Predict first: Is 10.0.16.5 inside 10.0.0.0/20?
:class: predict

Pick one:

- yes
- no

% live calculator: ip {"address": "10.0.0.0/20"}
:::

:::{dropdown} Solution
**Answer:** no

It is in the next /20.
:::
"""

#: Each, written in a chapter, is refused, in JupyterLab's view and by the build.
BAD = {
    "old-form": ":::{predict} How many?\n:answer: 2048\n:::\n\n:::{dropdown} Solution\nx\n:::\n",
    "in-view": GOOD.replace("in addresses, then", "(2048 addresses), then"),
    "no-answer-line": GOOD.replace("**Answer:** no\n", "No.\n"),
    "not-a-choice": GOOD.replace("**Answer:** no", "**Answer:** maybe"),
    "open": GOOD.replace("Solution\n**Answer:** no", "Solution\n:open:\n**Answer:** no"),
    "no-solution": GOOD.split(":::{dropdown}")[0],
    "bad-comment": GOOD.replace("% live calculator: ip", "% calculator ip"),
}


def test_the_good_example_passes() -> None:
    assert jupyterlab_problems(GOOD) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_jupyterlab_problems_finds_each_give_away(name: str) -> None:
    assert jupyterlab_problems(BAD[name]), name


def test_the_build_makes_forms_and_refuses_each_malformed_question(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["myst_parser", "sphinx_design", "cloudlab_predict"]\n'
        'myst_enable_extensions = ["colon_fence"]\n',
        encoding="utf-8",
    )
    docs = {"good": GOOD, **{name.replace("-", "_"): text for name, text in BAD.items()}}
    toctree = "\n".join(docs)
    (source / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{toctree}\n```\n", "utf-8")
    for name, text in docs.items():
        (source / f"{name}.md").write_text(f"# {name}\n\n{text}", encoding="utf-8")
    warnings = io.StringIO()
    app = Sphinx(
        str(source), str(source), str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
        status=None, warning=warnings, freshenv=True,
    )  # fmt: skip
    app.build()
    page = (tmp_path / "html" / "good.html").read_text(encoding="utf-8")
    forms = re.findall(r'<form class="cl-predict [^"]*"[^>]*>', page)
    assert len(forms) == 2
    assert 'data-answer="2048"' in forms[0]
    assert 'data-unit="addresses"' in forms[0]
    assert 'data-tolerance="1%"' in forms[0]
    assert 'data-kind="choice"' in forms[1]
    assert 'data-answer="no"' in forms[1]
    assert 'data-check-with="ip"' in forms[1]
    # The form stands where the question stood, right before its solution (predict.js
    # looks for the solution among the form's next siblings).
    assert len(re.findall(r"</form>\s*<details", page)) == 2
    assert 'class="predict' not in page
    assert "predict.js" in page
    lines = warnings.getvalue().splitlines()
    expected = {
        "old_form": "Unknown directive type",
        "no_answer_line": "predict: the solution's first line",
        "not_a_choice": "predict: the answer 'maybe' is not one of the choices",
        "open": "predict: the solution after a question stays folded",
        "no_solution": "predict: a question is followed by its folded solution",
        "bad_comment": "predict: a comment in a question is 'live calculator",
    }
    for doc, message in expected.items():
        assert any(f"{doc}.md" in line and message in line for line in lines), (doc, lines)
