"""The one list of cloudlab's public functions that take user input, for the fuzz tests.

Every public function (named in a module's ``__all__``) is either in :data:`ENTRY_POINTS`
or in :data:`EXEMPT` with the reason; ``test_fuzz_library`` checks that nothing is missed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import cloudlab

#: Functions fuzzed with hostile values for each required argument.
ENTRY_POINTS = [
    "cloudlab.checks.digits",
    "cloudlab.checks.fields",
    "cloudlab.checks.finite",
    "cloudlab.checks.instance",
    "cloudlab.checks.items",
    "cloudlab.checks.number",
    "cloudlab.checks.one_line",
    "cloudlab.checks.series",
    "cloudlab.checks.show",
    "cloudlab.checks.text",
    "cloudlab.checks.whole",
    "cloudlab.compute.prices.check_fargate_size",
    "cloudlab.compute.prices.fargate_memory_text",
    "cloudlab.compute.prices.smallest_fargate_size",
    "cloudlab.net.addresses.classify",
    "cloudlab.net.addresses.describe",
    "cloudlab.net.parse.overlap",
    "cloudlab.net.parse.parse_address",
    "cloudlab.net.parse.parse_network",
    "cloudlab.net.parse.split_prefix",
    "cloudlab.net.parse.within",
    "cloudlab.net.aws.aws_reserved",
    "cloudlab.net.aws.aws_usable",
    "cloudlab.net.aws.check_aws_subnet",
    "cloudlab.net.aws.check_aws_vpc",
    "cloudlab.net.subnets.contains",
    "cloudlab.net.subnets.free_blocks",
    "cloudlab.net.subnets.nth_subnet",
    "cloudlab.net.subnets.overlaps",
    "cloudlab.net.subnets.parse_host_counts",
    "cloudlab.net.subnets.range_to_cidrs",
    "cloudlab.net.subnets.subnet_count",
    "cloudlab.net.subnets.subnet_page",
    "cloudlab.net.subnets.vlsm",
    "cloudlab.vpc.firewall.parse_peer",
    "cloudlab.vpc.firewall.parse_port",
    "cloudlab.vpc.firewall.parse_ports",
    "cloudlab.vpc.firewall.parse_protocol",
    "cloudlab.vpc.plan.parse_tiers",
    "cloudlab.vpc.plan.plan_network",
    "cloudlab.web.fingerprint.anonymity_set",
    "cloudlab.web.fingerprint.bits_to_single_out",
    "cloudlab.web.fingerprint.crowd",
    "cloudlab.web.fingerprint.estimate_bits",
    "cloudlab.web.fingerprint.measure_entropy",
    "cloudlab.web.fingerprint.one_in",
    "cloudlab.web.fingerprint.unique_probability",
    "cloudlab.widgets.fingerprint.parse_population",
    "cloudlab.sim.autoscaling.target_tracking_step",
    "cloudlab.sim.bluegreen.alarm_fires_after",
    "cloudlab.sim.bluegreen.error_rates",
    "cloudlab.compute.costs.compare",
    "cloudlab.compute.costs.cost_curve",
    "cloudlab.compute.costs.crossovers",
    "cloudlab.compute.costs.ecs_ec2",
    "cloudlab.compute.costs.ecs_fargate",
    "cloudlab.compute.costs.eks_ec2",
    "cloudlab.compute.costs.eks_fargate",
    "cloudlab.compute.costs.pack",
    "cloudlab.compute.costs.shared_costs",
    "cloudlab.compute.decide.recommend",
    "cloudlab.net.selection.address_of",
    "cloudlab.net.selection.addresses_of",
    "cloudlab.net.selection.common_prefix_len",
    "cloudlab.net.selection.compare_destinations",
    "cloudlab.net.selection.family_of",
    "cloudlab.net.selection.interface_of",
    "cloudlab.net.selection.interfaces_of",
    "cloudlab.net.selection.order_destinations",
    "cloudlab.net.selection.policy_for",
    "cloudlab.net.selection.scope_of",
    "cloudlab.net.selection.select_source",
    "cloudlab.sim.happy_eyeballs.client_addresses",
    "cloudlab.sim.happy_eyeballs.interleave",
    "cloudlab.sim.happy_eyeballs.race",
    "cloudlab.sim.happy_eyeballs.simulate",
    "cloudlab.net.subnets.find_overlaps",
    "cloudlab.net.subnets.summarise",
    "cloudlab.sim.autoscaling.simulate_autoscaling",
    "cloudlab.sim.bluegreen.all_at_once",
    "cloudlab.sim.bluegreen.canary_schedule",
    "cloudlab.sim.bluegreen.simulate_blue_green",
    "cloudlab.sim.loadbalancer.simulate_load_balancer",
    "cloudlab.sim.traffic.arrivals",
    "cloudlab.sim.traffic.daily_cycle",
    "cloudlab.sim.traffic.make_traffic",
    "cloudlab.sim.traffic.ramp",
    "cloudlab.sim.traffic.spike",
    "cloudlab.sim.traffic.steady",
    "cloudlab.sim.traffic.times",
    "cloudlab.sim.traffic.with_noise",
    "cloudlab.vpc.firewall.default_nacl",
    "cloudlab.vpc.firewall.evaluate_flow",
    "cloudlab.vpc.firewall.nacl_rule",
    "cloudlab.vpc.firewall.sg_rule",
    "cloudlab.vpc.firewall.web_nacl",
    "cloudlab.vpc.plan.check_plan",
    "cloudlab.vpc.prices.nat_costs",
    "cloudlab.vpc.routes.describe_target",
    "cloudlab.vpc.routes.inbound_from_internet",
    "cloudlab.vpc.routes.lookup",
    "cloudlab.vpc.routes.parse_route",
    "cloudlab.vpc.routes.route_table_of",
    "cloudlab.vpc.routes.target_kind",
    "cloudlab.vpc.routes.trace",
    "cloudlab.web.cookies.cookie_table",
    "cloudlab.web.cookies.explain_set_cookie",
    "cloudlab.web.cookies.human_duration",
    "cloudlab.web.cookies.jar_table",
    "cloudlab.web.cookies.parse_set_cookie",
    "cloudlab.web.cookies.set_cookie_headers",
    "cloudlab.web.fingerprint.shannon_entropy",
    "cloudlab.widgets.fingerprint.format_count",
    # the live calculators' bridge and practice mode (issue 12): the page sends them what a
    # reader typed
    "cloudlab.live.argv_for",
    "cloudlab.live.run",
    "cloudlab.live.run_json",
    "cloudlab.net.addressmap.address_map_html",
    "cloudlab.net.addressmap.address_map_layout",
    "cloudlab.net.addressmap.address_map_svg",
    "cloudlab.net.addresses.text",
    "cloudlab.practice.check",
    "cloudlab.practice.exercise",
    "cloudlab.sim.race_timeline.ms_text",
    "cloudlab.sim.race_timeline.race_alt",
    "cloudlab.sim.race_timeline.race_svg",
]

_AWS = "calls AWS through a boto3 session (tests/test_*_build.py and deploy tests use stubs)"
_PICTURE = "draws a figure from a result object the library built, not from user input"
_HTML = "renders a result object the library built as HTML, not user input"
_WIDGET = "builds a widget: fuzzed through its controls in test_fuzz_widgets.py"
_NETWORK = "opens sockets or starts processes on this machine (tests/test_web_dualstack.py)"

#: Public functions not fuzzed here, each with the reason.
EXEMPT: dict[str, str] = {
    "cloudlab.live.form_html": "renders a calculator's form from the package's own table",
    "cloudlab.live.view_html": _HTML,
    "cloudlab.web.fingerprint_data.load_bundled": "reads the JSON the site's build bundled",
    "cloudlab.net.addressmap.address_map_alt": "writes alt text for networks the map parsed",
    "cloudlab.net.addressmap.mark_text": "words for a MapLayout the library built",
    "cloudlab.net.addressmap.key_lines": "lays out a MapRow's key, which the library built",
    "cloudlab.net.addressmap.key_entry": "words for a block of a MapRow the library built",
    "cloudlab.vpc.flows.book_plan": "takes no input: plans the book's default VPC",
    **{
        f"cloudlab.vpc.flows.{n}": "takes a NetworkPlan the library built (plan_network, "
        "fuzzed above); the CLI's route and flow subcommands are its user-input entry"
        for n in ("check_flow", "endpoint", "first_subnet", "look_up", "network_acls")
    },
    **{
        f"cloudlab.vpc.flows.{n}": _HTML.replace("as HTML", "as a dictionary")
        for n in ("inbound_dict", "routing_note", "trace_dict", "verdict_dict")
    },
    "cloudlab.compute.eks.deploy_eks": _AWS,
    **{
        f"cloudlab.{n}": "runs Caddy, gunicorns or load on this machine (tests/test_fleet_*.py)"
        for n in (
            "fleet.caddy.caddy_config",
            "fleet.caddy.caddy_health",
            "fleet.caddy.check_port_free",
            "fleet.caddy.copy_weights",
            "fleet.caddy.find_caddy",
            "fleet.cli.add_fleet_parser",
            "fleet.cli.run_fleet",
            "fleet.cli.runtime_dir",
            "fleet.controllers.run_autoscaling",
            "fleet.controllers.run_canary",
            "fleet.load.run_load",
            "fleet.scenes.autoscaling_ramp",
            "fleet.scenes.blue_green",
            "fleet.scenes.failover",
            "fleet.scenes.slow_copy",
            "fleet.scenes.stickiness",
        )
    },
    **{
        f"cloudlab.procs.{n}": "starts, signals or reads processes on this machine "
        "(tests/test_procs.py)"
        for n in ("die_with_parent", "group_cpu_s", "group_members", "process_table", "start")
    },
    "cloudlab.web.chromium.find_chromium": "looks for a browser on this machine",
    "cloudlab.web.chromium.provide_chromium": "looks for or installs a browser on this machine",
    "cloudlab.cli.main": "argv is parsed by argparse; CLI cases are in tests/test_cli.py",
    **{
        name: _AWS
        for name in (
            [
                f"cloudlab.compute.eks.{n}"
                for n in (
                    "create_cluster",
                    "create_fargate_profile",
                    "create_roles",
                    "describe",
                    "leftovers",
                    "teardown",
                    "temporary_eks",
                )
            ]
        )
    },
    **{
        f"cloudlab.{n}": _PICTURE
        for n in (
            "compute.costs.cost_figure",
            "net.pictures.address_map",
            "net.scale.address_counts_figure",
            "net.scale.exhaustion_figure",
            "vpc.pictures.address_map",
            "vpc.pictures.architecture_diagram",
            "widgets.fingerprint.anonymity_figure",
            "widgets.happy_eyeballs.race_figure",
            "widgets.loadbalancer.load_figure",
            "widgets.scaling.blue_green_figure",
            "widgets.scaling.scaling_figure",
        )
    },
    **{
        f"cloudlab.{n}": _HTML
        for n in (
            "widgets.compute.comparison_html",
            "widgets.compute.recommendation_html",
            "widgets.cookies.explanation_table",
            "widgets.fingerprint.summary_html",
            "widgets.vpc.plan_table_html",
            "widgets.vpc_flows.decision_table",
        )
    },
    **{
        f"cloudlab.widgets.{n}": _WIDGET
        for n in (
            "compute.make_cost_comparison_ui",
            "compute.make_decision_helper_ui",
            "cookies.make_cookie_explainer_ui",
            "fingerprint.make_entropy_calculator_ui",
            "happy_eyeballs.make_happy_eyeballs_ui",
            "ip.make_ip_calculator_ui",
            "loadbalancer.make_load_balancer_ui",
            "scaling.make_autoscaling_ui",
            "scaling.make_blue_green_ui",
            "subnets.make_subnet_splitter_ui",
            "subnets.make_vlsm_planner_ui",
            "vpc.make_vpc_planner_ui",
            "vpc_flows.make_flow_checker_ui",
            "vpc_flows.make_route_lookup_ui",
        )
    },
    **{
        f"cloudlab.{n}": _NETWORK
        for n in (
            "web.dualstack.connect",
            "web.dualstack.has_ipv6_loopback",
            "web.dualstack.local_families",
            "web.dualstack.resolve",
            "web.dualstack.run_demo",
            "web.browser.run_fingerprint_demo",
            "web.browser.skip_reason",
            "web.cookies.close_browser",
            "web.fingerprint.example_fingerprints",
        )
    },
}


#: Entry points the fuzz still breaks (a TypeError or AttributeError for a wrong type).
#: Their tests are strict xfails: fixing one makes its test pass, and strict then asks for
#: its removal from this list. None is left; a newly found one goes here with its fix due.
STILL_FAILING: frozenset[str] = frozenset()


def _public(wanted) -> list[str]:
    """Every object named in a cloudlab module's ``__all__``, defined there, that ``wanted``."""
    names = []
    for info in pkgutil.walk_packages(cloudlab.__path__, "cloudlab."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if getattr(obj, "__module__", None) == module.__name__ and wanted(obj):
                names.append(f"{module.__name__}.{name}")
    return sorted(names)


def public_functions() -> list[str]:
    """Every function named in the ``__all__`` of a cloudlab module and defined there."""
    return _public(inspect.isfunction)


def resolve(name: str):
    """The function called ``name`` (module path and function name)."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)


#: A valid value for each required field of the public classes that check their fields
#: (every other field keeps its default); the class fuzz replaces one field at a time.
CLASS_SAMPLES: dict[str, dict[str, object]] = {
    "cloudlab.sim.bluegreen.Shift": {"at_s": 0, "blue": 100, "green": 0},
    "cloudlab.sim.loadbalancer.Deregistration": {"target": "task-a", "at_s": 10},
    "cloudlab.sim.loadbalancer.Failure": {"target": "task-a", "start_s": 10},
    "cloudlab.sim.loadbalancer.Target": {"name": "task-a"},
    "cloudlab.vpc.firewall.Endpoint": {"name": "web", "address": "10.0.0.10"},
    "cloudlab.vpc.firewall.NetworkAcl": {"name": "public"},
    "cloudlab.vpc.firewall.NaclRule": {
        "number": 100,
        "action": "allow",
        "protocol": "tcp",
        "ports": (80, 80),
        "cidr": "0.0.0.0/0",
    },
    "cloudlab.vpc.firewall.SecurityGroupRule": {
        "protocol": "tcp",
        "ports": (443, 443),
        "peer": "0.0.0.0/0",
    },
}

#: Public classes with checks that take no reader's values, and why.
CLASS_EXEMPT: dict[str, str] = {
    "cloudlab.fleet.scenes.Scene": "holds a figure the scenes drew; nobody types one",
    "cloudlab.vpc.plan.SubnetPlan": "the planner's output, built by plan_network only",
    "cloudlab.vpc.firewall.Flow": "built from two Endpoints, each fuzzed on its own",
}


def public_classes() -> list[str]:
    """Every dataclass in a cloudlab module's ``__all__``, defined there, with its own checks."""
    import dataclasses

    return _public(
        lambda obj: (
            inspect.isclass(obj) and dataclasses.is_dataclass(obj) and "__post_init__" in vars(obj)
        )
    )
