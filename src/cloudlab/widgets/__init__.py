"""Interactive views over the book's pure functions; each ``make_*_ui()`` returns a widget.

The widgets compute only with a live Python kernel (Binder, Colab or ``make lab``); on
the static site they show the state they were saved with.
"""

from cloudlab.widgets.ip import make_ip_calculator_ui
from cloudlab.widgets.subnets import make_subnet_splitter_ui, make_vlsm_planner_ui

__all__ = ["make_ip_calculator_ui", "make_subnet_splitter_ui", "make_vlsm_planner_ui"]
