"""Interactive views over the book's pure functions; each ``make_*_ui()`` returns a widget.

The widgets compute only with a live Python kernel (Binder or ``make lab``); on
the static site they show the state they were saved with.
"""

from cloudlab.widgets.compute import make_cost_comparison_ui, make_decision_helper_ui
from cloudlab.widgets.cookies import make_cookie_explainer_ui
from cloudlab.widgets.fingerprint import make_entropy_calculator_ui
from cloudlab.widgets.happy_eyeballs import make_happy_eyeballs_ui
from cloudlab.widgets.ip import make_ip_calculator_ui
from cloudlab.widgets.loadbalancer import make_load_balancer_ui
from cloudlab.widgets.scaling import make_autoscaling_ui, make_blue_green_ui
from cloudlab.widgets.subnets import make_subnet_splitter_ui, make_vlsm_planner_ui
from cloudlab.widgets.vpc import make_vpc_planner_ui
from cloudlab.widgets.vpc_flows import make_flow_checker_ui, make_route_lookup_ui

__all__ = [
    "make_autoscaling_ui",
    "make_blue_green_ui",
    "make_cookie_explainer_ui",
    "make_cost_comparison_ui",
    "make_decision_helper_ui",
    "make_entropy_calculator_ui",
    "make_flow_checker_ui",
    "make_happy_eyeballs_ui",
    "make_ip_calculator_ui",
    "make_load_balancer_ui",
    "make_route_lookup_ui",
    "make_subnet_splitter_ui",
    "make_vlsm_planner_ui",
    "make_vpc_planner_ui",
]
