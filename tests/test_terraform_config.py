"""Offline review of labs/terraform: parse every .tf file and check the wiring.

No Terraform binary or AWS provider is available here, so these tests read the
configuration with python-hcl2 and check what a reviewer would: the resources exist, the
subnets come from the network plan and sit inside the VPC, the routes, security groups,
listeners and services are wired as the book's architecture says, and every variable and
output is documented.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cloudlab import terraform
from cloudlab.net import aws as net_aws
from cloudlab.net import find_overlaps
from cloudlab.vpc.plan import plan_network

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "terraform"
MODULES = ("network", "load_balancer", "service")
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf")

#: Fargate's valid task sizes: CPU units -> memory (MiB), from AWS's "Amazon ECS task
#: definition parameters for Fargate" (Task size), read 2026-11-28.
AWS_FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


# --------------------------------------------------------------------------- helpers


class Module(terraform.Module):
    """The lab's module as the package reads it, with asserting look-ups for tests."""

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        key = (rtype, name)
        assert key in self.resources, f"{self.folder.name}: no resource {rtype}.{name}"
        return self.resources[key]


@cache
def module(name: str = "root") -> Module:
    return Module(LAB if name == "root" else LAB / "modules" / name)


def expr(value: Any) -> str:
    """The expression text of an attribute ("${var.x}" -> "var.x"; literals as text)."""
    text = value if isinstance(value, str) else json.dumps(value)
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1]
    return text


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block ``name`` of a resource body."""
    found = body.get(name)
    assert isinstance(found, list), f"no {name} block"
    assert len(found) == 1, f"expected one {name} block"
    return found[0]


def example_tfvars() -> dict[str, Any]:
    return json.loads((LAB / "terraform.tfvars.json.example").read_text(encoding="utf-8"))


def load_generator():
    spec = importlib.util.spec_from_file_location("tf_generate", LAB / "generate_example.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("name", MODULES)
def test_each_module_has_the_four_files(name):
    folder = LAB / "modules" / name
    missing = [f for f in MODULE_FILES if not (folder / f).is_file()]
    assert not missing, f"modules/{name} lacks {missing}"


def test_root_module_files_exist():
    for name in (*MODULE_FILES, "README.md", "terraform.tfvars.json.example", "architecture.png"):
        assert (LAB / name).is_file(), name


def test_root_composes_the_three_local_modules():
    assert {m: body["source"] for m, body in module().modules.items()} == {
        m: f"./modules/{m}" for m in MODULES
    }


@pytest.mark.parametrize("name", ["root", *MODULES])
def test_versions_pin_terraform_and_the_current_aws_major(name):
    (settings,) = module(name).terraform
    assert settings["required_version"].startswith(">= 1.9")
    (providers,) = settings["required_providers"]
    assert providers["aws"] == {"source": "hashicorp/aws", "version": "~> 6.0"}


@pytest.mark.parametrize("name", ["root", *MODULES])
def test_every_variable_has_description_type_and_default(name):
    variables = module(name).variables
    assert variables
    for var, body in variables.items():
        for field in ("description", "type", "default"):
            assert field in body, f"{name}: variable {var} has no {field}"
        assert body["description"].strip(), f"{name}: variable {var} has an empty description"


@pytest.mark.parametrize("name", ["root", *MODULES])
def test_every_output_has_a_description(name):
    outputs = module(name).outputs
    assert outputs
    for out, body in outputs.items():
        assert body.get("description", "").strip(), f"{name}: output {out} has no description"


def test_root_outputs_what_the_reader_needs():
    outputs = module().outputs
    for name in ("alb_dns_name", "app_url", "ecr_repository_url", "ecs_cluster_name"):
        assert name in outputs
    assert "module.service.service_names" in expr(outputs["ecs_service_names"]["value"])


# --------------------------------------------------------------------------- the plan


def test_example_tfvars_is_current():
    generator = load_generator()
    current = (LAB / "terraform.tfvars.json.example").read_text(encoding="utf-8")
    assert current == generator.example_text(), "run labs/terraform/generate_example.py"


def test_variables_accept_exactly_the_plans_export():
    variables = set(module().variables)
    for plan in (
        plan_network(name="cloudlab"),
        plan_network(ipv6=True, nat="per-az", azs=("a", "b", "c"), name="dual"),
    ):
        missing = set(plan.to_tfvars()) - variables
        assert not missing, f"the root module has no variable for {sorted(missing)}"


def test_root_defaults_are_the_books_default_plan():
    variables = module().variables
    for key, value in example_tfvars().items():
        if key == "tags":
            continue
        assert variables[key]["default"] == value, key


def test_plan_keys_reach_the_network_module():
    network = module().modules["network"]
    for key in example_tfvars():
        if key in ("name", "tags"):
            continue
        assert expr(network[key]) == f"var.{key}", key
    for key in ("public", "private", "isolated"):
        assert expr(network[f"{key}_subnet_ipv6_netnums"]) == f"var.{key}_subnet_ipv6_netnums"


def test_example_subnets_fit_the_vpc_without_overlaps():
    tfvars = example_tfvars()
    vpc = ipaddress.ip_network(tfvars["vpc_cidr"])
    net_aws.check_aws_vpc(vpc)
    subnets = [
        ipaddress.ip_network(c)
        for kind in ("public", "private", "isolated")
        for c in tfvars[f"{kind}_subnet_cidrs"]
    ]
    assert len(subnets) == 3 * tfvars["az_count"]
    for subnet in subnets:
        net_aws.check_aws_subnet(subnet)
        assert subnet.subnet_of(vpc), f"{subnet} is outside {vpc}"
    assert find_overlaps(subnets) == []
    for kind in ("public", "private", "isolated"):
        assert len(tfvars[f"{kind}_subnet_cidrs"]) == len(tfvars[f"{kind}_subnet_names"])


def test_subnets_are_built_from_the_plan_variables():
    network = module("network")
    subnets = expr(network.locals["subnets"])
    for kind in ("public", "private", "isolated"):
        assert f"var.{kind}_subnet_names" in subnets
        assert f"cidr = var.{kind}_subnet_cidrs[i]" in subnets
        assert f"var.{kind}_subnet_ipv6_netnums[i]" in subnets
    assert "az = var.azs[i % var.az_count]" in subnets
    subnet = network.resource("aws_subnet", "this")
    assert expr(subnet["for_each"]) == "local.subnets"
    assert expr(subnet["cidr_block"]) == "each.value.cidr"
    assert expr(subnet["vpc_id"]) == "aws_vpc.this.id"
    assert subnet["map_public_ip_on_launch"] is False
    assert "cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, each.value.netnum)" in expr(
        subnet["ipv6_cidr_block"]
    )


def test_zone_names_come_from_the_provider_not_the_code():
    network = module("network")
    assert ("aws_availability_zones", "available") in network.data
    assert "data.aws_availability_zones.available.names" in expr(network.locals["zone_names"])
    subnet = network.resource("aws_subnet", "this")
    assert expr(subnet["availability_zone"]) == "local.az_name[each.value.az]"


def test_vpc_has_optional_ipv6_and_dns():
    vpc = module("network").resource("aws_vpc", "this")
    assert expr(vpc["cidr_block"]) == "var.vpc_cidr"
    assert expr(vpc["assign_generated_ipv6_cidr_block"]) == "var.enable_ipv6"
    assert vpc["enable_dns_hostnames"] is True


# --------------------------------------------------------------------------- resources

REQUIRED = {
    "network": {
        "aws_vpc",
        "aws_subnet",
        "aws_internet_gateway",
        "aws_egress_only_internet_gateway",
        "aws_eip",
        "aws_nat_gateway",
        "aws_route_table",
        "aws_route",
        "aws_route_table_association",
        "aws_flow_log",
        "aws_security_group",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_default_security_group",
    },
    "load_balancer": {"aws_lb", "aws_lb_target_group", "aws_lb_listener"},
    "service": {
        "aws_ecr_repository",
        "aws_ecr_lifecycle_policy",
        "aws_cloudwatch_log_group",
        "aws_iam_role",
        "aws_iam_role_policy_attachment",
        "aws_ecs_cluster",
        "aws_ecs_task_definition",
        "aws_ecs_service",
        "aws_appautoscaling_target",
        "aws_appautoscaling_policy",
    },
}


@pytest.mark.parametrize("name", MODULES)
def test_every_resource_the_architecture_needs_exists(name):
    present = {rtype for rtype, _ in module(name).resources}
    assert not REQUIRED[name] - present, f"modules/{name} lacks {REQUIRED[name] - present}"


def test_security_group_rules_are_separate_resources():
    for body in module("network").of_type("aws_security_group").values():
        assert "ingress" not in body
        assert "egress" not in body


# --------------------------------------------------------------------------- routes


def test_public_route_table_sends_default_route_to_the_internet_gateway():
    network = module("network")
    routes = network.of_type("aws_route")
    public = [r for r in routes.values() if "aws_route_table.public" in expr(r["route_table_id"])]
    v4 = [r for r in public if r.get("destination_cidr_block") == "0.0.0.0/0"]
    assert len(v4) == 1
    assert expr(v4[0]["gateway_id"]) == "aws_internet_gateway.this.id"
    for route in public:
        assert "nat_gateway_id" not in route


def test_private_route_tables_send_default_route_to_a_nat_gateway():
    network = module("network")
    routes = network.of_type("aws_route")
    private = [r for r in routes.values() if "aws_route_table.private" in expr(r["route_table_id"])]
    v4 = [r for r in private if r.get("destination_cidr_block") == "0.0.0.0/0"]
    assert len(v4) == 1
    assert expr(v4[0]["nat_gateway_id"]).startswith("aws_nat_gateway.this[")
    assert 'var.nat_mode == "per-az" ? each.key : var.azs[0]' in expr(v4[0]["nat_gateway_id"])
    for route in private:
        assert "gateway_id" not in route, "a private table must not route to the internet gateway"
    v6 = [r for r in private if r.get("destination_ipv6_cidr_block") == "::/0"]
    assert [expr(r["egress_only_gateway_id"]) for r in v6] == [
        "aws_egress_only_internet_gateway.this[0].id"
    ]


def test_isolated_route_table_has_no_way_out():
    network = module("network")
    for route in network.of_type("aws_route").values():
        assert "aws_route_table.isolated" not in expr(route["route_table_id"])
    for table in network.of_type("aws_route_table").values():
        assert "route" not in table, "routes are separate aws_route resources"


def test_each_subnet_kind_is_associated_with_its_table():
    associations = module("network").of_type("aws_route_table_association")
    for kind in ("public", "private", "isolated"):
        body = associations[kind]
        assert f's.kind == "{kind}"' in expr(body["for_each"])
        assert expr(body["route_table_id"]).startswith(f"aws_route_table.{kind}")


def test_nat_gateways_sit_in_public_subnets_with_an_elastic_ip():
    network = module("network")
    nat = network.resource("aws_nat_gateway", "this")
    assert "local.public_by_az" in expr(nat["subnet_id"])
    assert 's.kind == "public"' in expr(network.locals["public_by_az"])
    assert expr(nat["allocation_id"]) == "aws_eip.nat[each.key].id"
    nat_azs = expr(network.locals["nat_azs"])
    assert '"per-az" ? var.azs' in nat_azs
    assert '"single" ? [var.azs[0]]' in nat_azs


def test_flow_logs_are_optional():
    network = module("network")
    assert expr(network.resource("aws_flow_log", "this")["count"]) == "var.enable_flow_logs ? 1 : 0"
    assert module().variables["enable_flow_logs"]["default"] is False


# --------------------------------------------------------------------------- security


def _rules(kind: str, group: str) -> list[dict[str, Any]]:
    rules = module("network").of_type(f"aws_vpc_security_group_{kind}_rule")
    return [r for r in rules.values() if expr(r["security_group_id"]) == f"{group}.id"]


def test_task_group_admits_the_app_port_only_from_the_alb_group():
    (rule,) = _rules("ingress", "aws_security_group.app")
    assert expr(rule["referenced_security_group_id"]) == "aws_security_group.alb.id"
    assert expr(rule["from_port"]) == expr(rule["to_port"]) == "var.app_port"
    assert rule["ip_protocol"] == "tcp"
    assert "cidr_ipv4" not in rule
    assert "cidr_ipv6" not in rule
    assert module().modules["network"]["app_port"] == 5000


def test_alb_group_opens_80_and_443_only_with_a_certificate():
    network = module("network")
    (rule,) = _rules("ingress", "aws_security_group.alb")
    assert expr(rule["for_each"]) == "local.alb_ingress"
    assert expr(network.locals["alb_ports"]) == (
        "var.https_enabled ? {http = 80, https = 443} : {http = 80}"
    )
    assert expr(module().modules["network"]["https_enabled"]) == "var.certificate_arn != null"


def test_egress_rules_are_explicit_and_narrow():
    (alb_out,) = _rules("egress", "aws_security_group.alb")
    assert expr(alb_out["referenced_security_group_id"]) == "aws_security_group.app.id"
    (app_out,) = _rules("egress", "aws_security_group.app")
    assert app_out["from_port"] == app_out["to_port"] == 443
    assert app_out["ip_protocol"] == "tcp"


# --------------------------------------------------------------------------- load balancer


def test_alb_is_public_in_the_public_subnets_without_deletion_protection():
    lb = module("load_balancer").resource("aws_lb", "this")
    assert lb["internal"] is False
    assert lb["load_balancer_type"] == "application"
    assert expr(lb["subnets"]) == "var.public_subnet_ids"
    assert lb["enable_deletion_protection"] is False
    root = module().modules["load_balancer"]
    assert expr(root["public_subnet_ids"]) == "module.network.public_subnet_ids"
    assert expr(root["security_group_id"]) == "module.network.alb_security_group_id"


def test_target_groups_use_ip_targets_and_check_healthz():
    tg = module("load_balancer").resource("aws_lb_target_group", "this")
    assert expr(tg["for_each"]) == "toset(local.colours)"
    assert module("load_balancer").locals["colours"] == ["blue", "green"]
    assert tg["target_type"] == "ip"
    assert expr(block(tg, "health_check")["path"]) == "var.health_check_path"
    assert module().modules["load_balancer"]["health_check_path"] == "/healthz"


def _forward_weights(listener: dict[str, Any]) -> dict[str, str]:
    action = block(listener, "default_action")
    assert action["type"] == "forward"
    groups = block(action, "forward")["target_group"]
    return {expr(g["arn"]): expr(g["weight"]) for g in groups}


@pytest.mark.parametrize("listener", ["http_forward", "https"])
def test_listener_weights_come_from_green_weight(listener):
    body = module("load_balancer").resource("aws_lb_listener", listener)
    assert _forward_weights(body) == {
        'aws_lb_target_group.this["blue"].arn': "100 - var.green_weight",
        'aws_lb_target_group.this["green"].arn': "var.green_weight",
    }
    assert expr(module().modules["load_balancer"]["green_weight"]) == "var.green_weight"


def test_http_redirects_to_https_when_a_certificate_is_given():
    lb = module("load_balancer")
    assert expr(lb.locals["https"]) == "var.certificate_arn != null"
    redirect = lb.resource("aws_lb_listener", "http_redirect")
    assert expr(redirect["count"]) == "local.https ? 1 : 0"
    action = block(redirect, "default_action")
    assert action["type"] == "redirect"
    assert block(action, "redirect")["protocol"] == "HTTPS"
    assert expr(lb.resource("aws_lb_listener", "http_forward")["count"]) == "local.https ? 0 : 1"
    assert expr(lb.resource("aws_lb_listener", "https")["count"]) == "local.https ? 1 : 0"


# --------------------------------------------------------------------------- service


def test_ecr_repository_defaults():
    service = module("service")
    assert module().variables["ecr_repository_name"]["default"] == "flask_deployment-prod-ecr"
    repo = service.resource("aws_ecr_repository", "this")
    assert block(repo, "image_scanning_configuration")["scan_on_push"] is True
    assert repo["force_delete"] is True
    policy = service.resource("aws_ecr_lifecycle_policy", "this")
    assert expr(policy["repository"]) == "aws_ecr_repository.this.name"


def test_log_group_has_a_retention():
    group = module("service").resource("aws_cloudwatch_log_group", "this")
    assert expr(group["retention_in_days"]) == "var.log_retention_days"


def test_cluster_has_container_insights():
    cluster = module("service").resource("aws_ecs_cluster", "this")
    assert block(cluster, "setting") == {"name": "containerInsights", "value": "enabled"}


def test_task_definition_is_fargate_with_awslogs_on_port_5000():
    task = module("service").resource("aws_ecs_task_definition", "this")
    assert task["requires_compatibilities"] == ["FARGATE"]
    assert task["network_mode"] == "awsvpc"
    assert expr(task["cpu"]) == "var.task_cpu"
    assert expr(task["memory"]) == "var.task_memory"
    assert expr(task["execution_role_arn"]) == "aws_iam_role.execution.arn"
    containers = expr(task["container_definitions"])
    assert 'logDriver = "awslogs"' in containers
    assert "containerPort = var.app_port" in containers
    assert "var.image_tags[each.key]" in containers
    variables = module().variables
    assert (variables["task_cpu"]["default"], variables["task_memory"]["default"]) == (256, 512)
    assert module().modules["service"]["app_port"] == 5000


def test_service_runs_in_private_subnets_without_public_ips():
    service = module("service").resource("aws_ecs_service", "this")
    network = block(service, "network_configuration")
    assert expr(network["subnets"]) == "var.private_subnet_ids"
    assert network["assign_public_ip"] is False
    assert network["security_groups"] == ["${var.security_group_id}"]
    root = module().modules["service"]
    assert expr(root["private_subnet_ids"]) == "module.network.private_subnet_ids"
    assert expr(root["security_group_id"]) == "module.network.app_security_group_id"
    outputs = module("network").outputs
    assert "var.private_subnet_names" in expr(outputs["private_subnet_ids"]["value"])


def test_service_rolls_back_failed_deployments():
    service = module("service").resource("aws_ecs_service", "this")
    assert block(service, "deployment_circuit_breaker") == {"enable": True, "rollback": True}
    assert service["launch_type"] == "FARGATE"
    lb = block(service, "load_balancer")
    assert expr(lb["target_group_arn"]) == "var.target_group_arns[each.key]"


def test_autoscaling_tracks_cpu_and_requests_per_target():
    service = module("service")
    target = service.resource("aws_appautoscaling_target", "this")
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert "var.min_tasks" in expr(target["min_capacity"])
    assert expr(target["max_capacity"]) == "var.max_tasks"
    metrics = set()
    for policy in service.of_type("aws_appautoscaling_policy").values():
        assert policy["policy_type"] == "TargetTrackingScaling"
        config = block(policy, "target_tracking_scaling_policy_configuration")
        metrics.add(block(config, "predefined_metric_specification")["predefined_metric_type"])
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}


# --------------------------------------------------------------------------- validation


def _memory_table() -> dict[int, tuple[int, ...]]:
    """Evaluate the task_memory validation's CPU -> memory table (lists and range())."""
    (rule,) = module().variables["task_memory"]["validation"]
    condition = expr(rule["condition"])
    table: dict[int, tuple[int, ...]] = {}
    for cpu, value in re.findall(r'"(\d+)" = (\[[\d, ]+\]|range\(\d+, \d+, \d+\))', condition):
        if value.startswith("range"):
            start, limit, step = map(int, re.findall(r"\d+", value))
            table[int(cpu)] = tuple(range(start, limit, step))
        else:
            table[int(cpu)] = tuple(json.loads(value))
    return table


def test_fargate_pairs_match_aws():
    assert _memory_table() == AWS_FARGATE_SIZES
    (rule,) = module().variables["task_cpu"]["validation"]
    assert str(sorted(AWS_FARGATE_SIZES)).replace(" ", "") in expr(rule["condition"]).replace(
        " ", ""
    )


def test_fargate_pairs_match_the_compute_chapter():
    from cloudlab.compute.prices import FARGATE_SIZES

    ours = {cpu: set(memory) for cpu, memory in _memory_table().items()}
    if isinstance(FARGATE_SIZES, Mapping):
        theirs = {int(cpu): {int(m) for m in memory} for cpu, memory in FARGATE_SIZES.items()}
    else:
        theirs = {}
        for cpu, memory in FARGATE_SIZES:
            theirs.setdefault(int(cpu), set()).add(int(memory))
    assert ours == theirs


@pytest.mark.parametrize("name", ["vpc_cidr", "public_subnet_cidrs", "private_subnet_cidrs"])
def test_cidr_validations_teach_the_aws_size_limits(name):
    (rule,) = module().variables[name]["validation"]
    condition = expr(rule["condition"])
    assert "can(cidrnetmask(" in condition
    assert 'tonumber(split("/",' in condition
    assert ">= 16" in condition
    assert "<= 28" in condition
    assert "/16" in rule["error_message"]
    assert "/28" in rule["error_message"]


def test_green_weight_is_a_percentage():
    (rule,) = module().variables["green_weight"]["validation"]
    condition = expr(rule["condition"])
    assert "var.green_weight >= 0" in condition
    assert "var.green_weight <= 100" in condition
    assert module().variables["green_weight"]["default"] == 0


# --------------------------------------------------------------------------- provider


def test_provider_reads_the_region_from_a_variable_or_the_environment():
    (aws,) = [module().providers["aws"]]
    assert expr(aws["region"]) == "var.aws_region"
    assert module().variables["aws_region"]["default"] is None


def test_one_variable_points_every_service_at_the_emulator():
    aws = module().providers["aws"]
    assert module().variables["aws_endpoint_url"]["default"] is None
    assert expr(module().locals["emulated"]) == "var.aws_endpoint_url != null"
    for flag in (
        "skip_credentials_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "s3_use_path_style",
    ):
        assert expr(aws[flag]) == "local.emulated", flag
    endpoints = block(aws, "endpoints")
    services = {"ec2", "elbv2", "ecs", "ecr", "iam", "logs", "appautoscaling", "sts"}
    assert services <= set(endpoints)
    assert {expr(v) for v in endpoints.values()} == {"var.aws_endpoint_url"}


# --------------------------------------------------------------------------- hygiene

ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
REGION = re.compile(
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-"
    r"(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d\b"
)


def _text_files():
    for path in sorted(LAB.rglob("*")):
        if path.is_file() and path.suffix != ".png" and ".terraform" not in path.parts:
            yield path


def test_no_account_id_or_region_is_written_in():
    for path in _text_files():
        text = path.read_text(encoding="utf-8")
        assert not ACCOUNT_ID.search(text), f"{path.relative_to(ROOT)}: looks like an account id"
        assert not REGION.search(text), f"{path.relative_to(ROOT)}: names a region"


def test_hygiene_patterns_can_fail():
    made_up = "1234567890" + "12"  # built here so that no account-like number is written in
    assert ACCOUNT_ID.search(f"arn:aws:iam::{made_up}:role/x")
    assert ACCOUNT_ID.search(f"docker push {made_up}.dkr.ecr.example")
    assert REGION.search("provider region = eu-west-1")


def test_state_and_variables_are_ignored_by_git():
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("*.tfstate", "*.tfvars", "*.tfvars.json", ".terraform/"):
        assert pattern in ignore
    assert "!labs/terraform/terraform.tfvars.json.example" in ignore


def test_terraform_fmt():
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no terraform binary on this machine: `terraform fmt -check` runs in CI")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff"],
        cwd=LAB,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- README


def test_readme_cost_table_matches_the_price_tables():
    readme = (LAB / "README.md").read_text(encoding="utf-8")
    assert load_generator().cost_table() in readme, "run generate_example.py --costs"


def test_readme_covers_the_lab():
    readme = (LAB / "README.md").read_text(encoding="utf-8")
    for needed in (
        "](architecture.png)",
        "terraform init",
        "terraform plan -out=tfplan",
        "terraform apply tfplan",
        "green_weight",
        "plan -destroy",
        "docker push",
        "read 2026-",
    ):
        assert needed in readme, needed


# --------------------------------------------------------------------------- the chapter

CHAPTER = ROOT / "notebooks" / "terraform-lab.ipynb"


def _chapter_markdown() -> str:
    notebook = json.loads(CHAPTER.read_text(encoding="utf-8"))
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def test_chapter_includes_point_at_existing_lines():
    includes = re.findall(
        r"```\{literalinclude\} \.\./(\S+)\n:language: (?:terraform|text)\n:start-at: (.+)\n"
        r":end-before: (.+)\n```",
        _chapter_markdown(),
    )
    assert len(includes) == 3
    for path, start, end in includes:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert start in text, f"{path}: no line {start!r}"
        assert end in text[text.index(start) :], f"{path}: no {end!r} after {start!r}"


def test_chapter_names_no_account_or_region():
    text = CHAPTER.read_text(encoding="utf-8")
    assert not ACCOUNT_ID.search(text)
    assert not REGION.search(text)
