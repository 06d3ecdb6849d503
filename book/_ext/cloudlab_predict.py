"""Sphinx extension: predict-then-check exercises.

A ``{predict}`` directive placed just before an exercise's folded solution asks the
reader to commit to an answer first, a number or one of a few choices::

    :::{predict} How many addresses does a /21 hold?
    :answer: 2048
    :unit: addresses
    :::

    :::{predict} Is 10.0.16.5 inside 10.0.0.0/20?
    :choices: yes | no
    :answer: no
    :calculator: ip
    :values: {"address": "10.0.0.0/20"}
    :::

On the site it becomes a small form (``book/_assets/predict/predict.js``): the solution
that follows stays folded, and will not open, until the reader has answered; the check
then says whether the answer was right. ``:tolerance:`` accepts an absolute margin or a
percentage (``1%``). Where the page has a live calculator named by ``:calculator:``, the
check offers to fill it with ``:values:`` (a JSON object of its fields) so that the
reader confirms the answer there. Nothing leaves the page: no request, no storage. Without
JavaScript the form is hidden and the solution opens as before.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

_KEY = "cloudlab_predict"


def _number(text: str) -> float:
    value = float(text.replace(",", "").replace("_", ""))
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def form_html(
    form_id: str,
    question: str,
    answer: str,
    choices: list[str],
    tolerance: str = "",
    unit: str = "",
    calculator: str = "",
    values: dict[str, Any] | None = None,
) -> str:
    """The form of one prediction (checked by predict.js)."""
    if choices and answer not in choices:
        raise ValueError(f"the answer {answer!r} is not one of the choices {choices}")
    if not choices:
        _number(answer)
        if tolerance:
            _number(tolerance.removesuffix("%"))
    # Not data-calculator: live.js takes every form[data-calculator] for a live calculator.
    attrs = {
        "class": "cl-predict pst-js-only",
        "id": form_id,
        "data-answer": answer,
        "data-kind": "choice" if choices else "number",
        "data-tolerance": tolerance,
        "data-unit": unit,
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
            + (f" {html.escape(unit)}" if unit else "")
            + "</label>"
        )
    return (
        f"<form {opening}><fieldset>{legend}{fields}"
        '<button type="submit">Check my answer</button>'
        '<p class="cl-predict-status" role="status" aria-live="polite"></p>'
        "</fieldset></form>"
    )


class Predict(SphinxDirective):
    """``{predict}``: commit to an answer before the next solution opens."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {  # noqa: RUF012 (docutils reads it from the class)
        "answer": directives.unchanged_required,
        "choices": directives.unchanged,
        "tolerance": directives.unchanged,
        "unit": directives.unchanged,
        "calculator": directives.unchanged,
        "values": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        if "answer" not in self.options:
            raise self.error("predict needs an :answer:")
        choices = [c.strip() for c in self.options.get("choices", "").split("|") if c.strip()]
        try:
            values = json.loads(self.options.get("values") or "{}")
            markup = form_html(
                f"predict-{self.env.new_serialno(_KEY)}",
                self.arguments[0],
                self.options["answer"].strip(),
                choices,
                self.options.get("tolerance", "").strip(),
                self.options.get("unit", "").strip(),
                self.options.get("calculator", "").strip(),
                values,
            )
        except ValueError as error:  # json.JSONDecodeError is a ValueError too
            raise self.error(f"predict: {error}") from error
        return [nodes.raw("", markup, format="html")]


def _add_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if 'class="cl-predict ' in context.get("body", ""):
        app.add_js_file("predict/predict.js")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("predict", Predict)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
