"""Sphinx extension: predict-then-check exercises.

An exercise's question, written just before its folded solution, asks the reader to
commit to an answer first, a number or one of a few choices. It is written in plain MyST
that JupyterLab (jupyterlab-myst) renders too: an admonition of class ``predict`` for the
question, and the answer named on the first line of the folded solution, so that in
JupyterLab as on the site the answer stays hidden until the reader opens the solution::

    :::{admonition} Predict first: How many addresses does a /21 hold?
    :class: predict

    Your answer, in addresses.
    :::

    :::{dropdown} Solution
    **Answer:** 2048 addresses

    A `/21` leaves 11 host bits ...
    :::

    :::{admonition} Predict first: Is 10.0.16.5 inside 10.0.0.0/20?
    :class: predict

    - yes
    - no
    % live calculator: ip {"address": "10.0.0.0/20"}
    :::

    :::{dropdown} Solution
    **Answer:** no

    ...
    :::

A list in the question makes it a choice, and the answer must be one of its items;
otherwise the answer is a number, optionally followed by its unit and ``(within 5 %)`` or
``(within 0.02)``, the margin the check accepts. A ``% live calculator: NAME {JSON}``
comment (hidden in both places) names a live calculator on the page and the values of its
fields, which the check offers to fill in so that the reader confirms the answer there.

On the site the question becomes a small form (``book/_assets/predict/predict.js``): the
solution that follows stays folded, and will not open, until the reader has answered; the
check then says whether the answer was right. Nothing leaves the page: no request, no
storage. Without JavaScript the form is hidden and the solution opens as before.
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any, NamedTuple

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

_KEY = "cloudlab_predict"
#: The class that makes an admonition a question, and how its title and its solution's
#: first line begin.
CLASS = "predict"
TITLE = "Predict first:"
ANSWER = "Answer:"
_NUMBER_ANSWER = re.compile(
    r"(?P<answer>\S+)(?:\s+(?P<unit>.*?))?(?:\s*\(within (?P<tol>[^)]+)\))?"
)
_CALCULATOR = re.compile(r"live calculator:\s*(?P<name>[\w-]+)\s*(?P<values>\{.*\})?", re.S)

logger = logging.getLogger(__name__)


class Answer(NamedTuple):
    """What the check compares with: the answer, its unit and the margin it accepts."""

    answer: str
    unit: str = ""
    tolerance: str = ""


def _number(text: str) -> float:
    value = float(text.replace(",", "").replace("_", ""))
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def parse_answer(text: str, choices: list[str]) -> Answer:
    """The answer named by a solution's first line (the text after ``Answer:``).

    Raises ``ValueError`` when a choice is not one of ``choices`` or a number is none.
    """
    text = text.strip().removesuffix(".").strip()
    if choices:
        if text not in choices:
            raise ValueError(f"the answer {text!r} is not one of the choices {choices}")
        return Answer(text)
    match = _NUMBER_ANSWER.fullmatch(text)
    if not match:
        raise ValueError("no answer after 'Answer:'")
    tolerance = (match["tol"] or "").replace(" ", "")
    try:
        _number(match["answer"])
        if tolerance:
            _number(tolerance.removesuffix("%"))
    except ValueError:
        raise ValueError(
            f"not a number: {text!r} (a number, its unit, then '(within 5 %)' if need be)"
        ) from None
    return Answer(match["answer"], (match["unit"] or "").strip(), tolerance)


def parse_calculator(comment: str) -> tuple[str, dict[str, Any]]:
    """The live calculator and its values named by a ``% live calculator:`` comment."""
    match = _CALCULATOR.fullmatch(comment.strip())
    if not match:
        raise ValueError(
            f"a comment in a question is 'live calculator: NAME {{JSON}}', not {comment!r}"
        )
    values = json.loads(match["values"] or "{}")  # json.JSONDecodeError is a ValueError
    if not isinstance(values, dict):
        raise ValueError(f"the calculator's values are a JSON object, not {match['values']}")
    return match["name"], values


def form_html(
    form_id: str,
    question: str,
    answer: Answer,
    choices: list[str],
    calculator: str = "",
    values: dict[str, Any] | None = None,
) -> str:
    """The form of one prediction (checked by predict.js)."""
    # Not data-calculator: live.js takes every form[data-calculator] for a live calculator.
    attrs = {
        "class": "cl-predict pst-js-only",
        "id": form_id,
        "data-answer": answer.answer,
        "data-kind": "choice" if choices else "number",
        "data-tolerance": answer.tolerance,
        "data-unit": answer.unit,
        "data-check-with": calculator,
        "data-values": json.dumps(values or {}),
    }
    opening = " ".join(f'{key}="{html.escape(value)}"' for key, value in attrs.items() if value)
    tag = '<span class="cl-predict-tag">Predict first:</span>'
    legend = f"<legend>{tag} {html.escape(question)}</legend>"
    if choices:
        fields = "".join(
            f'<label class="cl-predict-choice"><input type="radio" name="{form_id}-choice" '
            f'value="{html.escape(choice)}"> {html.escape(choice)}</label>'
            for choice in choices
        )
    else:
        fields = (
            f'<label class="cl-predict-number">Your answer <input type="text" '
            f'inputmode="decimal" autocomplete="off" name="{form_id}-number">'
            + (f" {html.escape(answer.unit)}" if answer.unit else "")
            + "</label>"
        )
    return (
        f"<form {opening}><fieldset>{legend}{fields}"
        '<button type="submit">Check my answer</button>'
        '<p class="cl-predict-status" role="status" aria-live="polite"></p>'
        "</fieldset></form>"
    )


def _solution(question: nodes.Element) -> nodes.Element:
    """The folded solution (a sphinx-design dropdown) right after a question."""
    parent = question.parent
    siblings = parent.children[parent.index(question) + 1 :]
    following = [n for n in siblings if not isinstance(n, nodes.Invisible | nodes.comment)]
    if not following or not (
        isinstance(following[0], nodes.container)
        and following[0].get("design_component") == "dropdown"
    ):
        raise ValueError("a question is followed by its folded solution, a {dropdown}")
    if following[0].get("opened"):
        raise ValueError("the solution after a question stays folded (no :open:)")
    return following[0]


def _answer_text(solution: nodes.Element) -> str:
    body = [n for n in solution.children if not isinstance(n, nodes.rubric | nodes.comment)]
    first = body[0] if body else None
    # myst-parser opens a paragraph with an empty text node.
    lead = [n for n in first.children if n.astext().strip()][:1] if first else []
    if not (
        isinstance(first, nodes.paragraph)
        and isinstance(lead[0] if lead else None, nodes.strong)
        and lead[0].astext().strip() == ANSWER
    ):
        raise ValueError(f"the solution's first line is '**{ANSWER}** ...'")
    return first.astext().strip().removeprefix(ANSWER)


def form_for(question: nodes.Element, form_id: str) -> str:
    """The form of the question admonition ``question`` (raises ``ValueError``)."""
    title = question.next_node(nodes.title)
    text = title.astext().strip() if title else ""
    if not text.startswith(TITLE):
        raise ValueError(f"a question's title starts with {TITLE!r}: {text!r}")
    lists = [n for n in question.children if isinstance(n, nodes.bullet_list)]
    choices = [item.astext().strip() for item in lists[0].children] if lists else []
    calculator, values = "", {}
    for comment in question.findall(nodes.comment):
        calculator, values = parse_calculator(comment.astext())
    answer = parse_answer(_answer_text(_solution(question)), choices)
    return form_html(form_id, text.removeprefix(TITLE).strip(), answer, choices, calculator, values)


class PredictForms(SphinxTransform):
    """Each ``predict`` admonition becomes the form that locks the solution after it."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        for question in list(self.document.findall(nodes.admonition)):
            if CLASS not in question["classes"]:
                continue
            try:
                markup = form_for(question, f"predict-{self.env.new_serialno(_KEY)}")
            except ValueError as error:
                logger.warning("predict: %s", error, location=question)
                continue
            # Not replace_self: it hands the admonition's classes to the raw node, which
            # the HTML writer then wraps in a <div>, and the form would no longer be the
            # solution's sibling.
            question.parent.replace(question, nodes.raw("", markup, format="html"))


def _add_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if 'class="cl-predict ' in context.get("body", ""):
        app.add_js_file("predict/predict.js")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(PredictForms)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
