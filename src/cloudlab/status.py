"""Say that a cell skipped part of its work on this machine, and why, in a form the book collects.

Chapter: the execution status page (book/execution-status.md). A lab cell that cannot do
a step here (no Docker engine, no Terraform provider, no real AWS account, no IPv6
loopback, no browser) calls :func:`skipped` instead of printing its own sentence. The
reader sees the same plain sentence; the built book also gets a marked-up copy that the
book's Sphinx extension (``book/_ext/cloudlab_site.py``) reads from every page to list
each skip, with its chapter and reason, on the execution status page.
"""

from __future__ import annotations

import json
from html import escape

#: What a skip can be waiting for: the key is recorded, the value is shown.
NEEDS = {
    "docker": "a Docker engine",
    "terraform-provider": "the Terraform AWS provider",
    "aws": "a real AWS account",
    "ipv6-loopback": "an IPv6 loopback address (::1)",
    "browser": "a headless browser",
    "tool": "an optional tool",
}

#: The class of the HTML element that carries a skip; the Sphinx extension looks for it.
MARKER = "cloudlab-skipped"


def skip_html(reason: str, needs: str) -> str:
    """The HTML a skip shows in the built book: the sentence, with its fields as data."""
    data = escape(json.dumps({"needs": needs, "reason": reason}), quote=True)
    return f'<p class="{MARKER}" data-skip="{data}">Skipped: {escape(reason)}</p>'


def skipped(reason: str, *, needs: str) -> None:
    """Show that this cell skipped a step, and why.

    Parameters
    ----------
    reason : str
        One sentence a learner understands, e.g. "no docker command on this machine".
    needs : str
        What the step needs that this machine lacks: a key of :data:`NEEDS`.

    Raises
    ------
    ValueError
        If ``needs`` is not a key of :data:`NEEDS` or ``reason`` is empty.
    """
    if needs not in NEEDS:
        raise ValueError(f"needs={needs!r}: use one of {', '.join(NEEDS)}")
    if not reason.strip():
        raise ValueError("a skip needs a reason")
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:  # a script or a test: the sentence is all there is
        print(f"Skipped: {reason}")
        return
    display({"text/plain": f"Skipped: {reason}", "text/html": skip_html(reason, needs)}, raw=True)
