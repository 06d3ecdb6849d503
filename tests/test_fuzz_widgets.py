"""Hostile values in every input control of every widget: no exception escapes.

The control itself may refuse a value (a traitlets TraitError, as when the front end
could never send it); anything else must end as the widget's one-line error, which then
says something. Derandomized under CI=true; ``make fuzz`` runs many more examples.
"""

from __future__ import annotations

import math
import os
import re

import ipywidgets as widgets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from traitlets import TraitError

import cloudlab.widgets as ui_module

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUILDERS = sorted(name for name in ui_module.__all__ if name.startswith("make_"))
#: A Python parameter at the start of an error line, as the library words it: "hours=None".
PARAMETER = re.compile(r"&#9888; [A-Za-z_][A-Za-z0-9_]*=")

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "10.0.0.0/33",
            "10.0.0.0/²",
            "2001:db8::/+64",
            ",".join(["1"] * 5000),
            "app private ²",
            "nan",
            "-1",
            "\ud800",
            "<script>",
            "1e999",
        ]
    ),
)
numbers = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 10**400, -(10**9), 0, -1, 2.5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
)


def controls(widget):
    """Every value-holding input control inside ``widget``."""
    stack, found = [widget], []
    while stack:
        item = stack.pop()
        if isinstance(item, widgets.Box):
            stack.extend(item.children)
        elif isinstance(item, widgets.ValueWidget) and not isinstance(
            item, widgets.HTML | widgets.Label | widgets.HTMLMath | widgets.Output
        ):
            found.append(item)
    return found


def error_line(widget) -> str:
    error = getattr(widget, "error", None)
    return error.value if isinstance(error, widgets.HTML) else ""


@pytest.mark.parametrize("builder", BUILDERS)
def test_hostile_values_in_every_control(builder):
    ui = getattr(ui_module, builder)()
    inputs = [c for c in controls(ui) if not isinstance(c, widgets.Button)]
    assert inputs, f"{builder}: no controls found"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("CI") == "true",
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(index=st.integers(0, len(inputs) - 1), text=texts, number=numbers)
    def check(index, text, number):
        control = inputs[index]
        value = text if isinstance(control, widgets.Text | widgets.Textarea) else number
        if isinstance(control, widgets.Checkbox | widgets.ToggleButton):
            value = not control.value
        if hasattr(control, "options") and control.options:
            value = control.options[number % len(control.options) if isinstance(number, int) else 0]
            value = value[1] if isinstance(value, tuple) else value
        try:
            control.value = value
        except TraitError:
            return  # the control refuses it, as it would in the browser
        line = error_line(ui)
        if line:
            assert "&#9888; " in line
            assert line.split("&#9888; ", 1)[1].strip(" </span>"), f"{builder}: empty error"
            # the words the reader sees (a control's label), not a parameter ("traffic_gb=")
            assert not PARAMETER.search(line), f"{builder}: {line}"

    check()
