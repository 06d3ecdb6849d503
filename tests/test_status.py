"""cloudlab.status: a skip is one plain sentence plus the fields the status page lists."""

from __future__ import annotations

import html
import json
import re

import pytest

from cloudlab.status import MARKER, skip_html, skipped


def test_skip_html_carries_the_sentence_and_its_fields() -> None:
    text = skip_html('no docker command <here> & "there"', "docker")
    assert text.startswith(f'<p class="{MARKER}" data-skip="')
    data = json.loads(html.unescape(re.search(r'data-skip="([^"]*)"', text)[1]))
    assert data == {"needs": "docker", "reason": 'no docker command <here> & "there"'}
    assert "Skipped: no docker command &lt;here&gt;" in text


def test_without_a_kernel_a_skip_prints_its_sentence(capsys: pytest.CaptureFixture) -> None:
    skipped("no Terraform provider here", needs="terraform-provider")
    assert capsys.readouterr().out == "Skipped: no Terraform provider here\n"


@pytest.mark.parametrize(("reason", "needs"), [("x", "a fridge"), ("  ", "docker")])
def test_bad_input_is_a_one_line_value_error(reason: str, needs: str) -> None:
    with pytest.raises(ValueError, match=r"^[^\n]+$"):
        skipped(reason, needs=needs)
