"""labs/kubernetes: each manifest valid against the Kubernetes schemas, and wired together."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

LAB = Path(__file__).resolve().parent.parent / "labs" / "kubernetes"
#: The Kubernetes version the manifests are checked against (kubernetes-validate's schemas).
KUBERNETES = "1.37.0"
FILES = sorted(LAB.glob("*.yaml"))


def _load() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in FILES:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                assert doc["kind"] not in found, f"two {doc['kind']} objects"
                found[doc["kind"]] = doc
    return found


OBJECTS = _load()


def test_every_kind_is_there() -> None:
    assert set(OBJECTS) == {
        "Namespace",
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_valid_against_the_schema_strictly(kind: str) -> None:
    kubernetes_validate.validate(OBJECTS[kind], KUBERNETES, strict=True)


def test_the_validator_can_fail() -> None:
    broken = copy.deepcopy(OBJECTS["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "5000"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)
    extra = copy.deepcopy(OBJECTS["Service"])
    extra["spec"]["colour"] = "blue"  # unknown field: only strict mode refuses it
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(extra, KUBERNETES, strict=True)


def _container() -> dict[str, Any]:
    return OBJECTS["Deployment"]["spec"]["template"]["spec"]["containers"][0]


def test_everything_is_in_one_namespace() -> None:
    name = OBJECTS["Namespace"]["metadata"]["name"]
    for kind, obj in OBJECTS.items():
        if kind != "Namespace":
            assert obj["metadata"]["namespace"] == name, kind


def test_selectors_match_the_pod_labels() -> None:
    deployment = OBJECTS["Deployment"]["spec"]
    labels = deployment["template"]["metadata"]["labels"]
    selector = deployment["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    assert OBJECTS["Service"]["spec"]["selector"].items() <= labels.items()
    pdb = OBJECTS["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
    assert pdb.items() <= labels.items()


def test_port_5000_and_health_route() -> None:
    container = _container()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 5000}
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/healthz"
        assert get["port"] in ("http", 5000)
    service_port = OBJECTS["Service"]["spec"]["ports"][0]
    assert service_port["targetPort"] in ("http", 5000)


def test_environment_and_secret() -> None:
    env = {e["name"]: e for e in _container()["env"]}
    assert env["TRUSTED_PROXY_HOPS"]["value"] == "1"
    assert {"COLOR", "VERSION"} <= env.keys()
    assert "value" not in env["SECRET_KEY"]  # never written in: a reference only
    assert env["SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "cloudlab-web",
        "key": "SECRET_KEY",
    }


def test_resources_fit_fargate_and_run_unprivileged() -> None:
    container = _container()
    resources = container["resources"]
    assert resources["requests"] == resources["limits"]  # Fargate needs requests == limits
    pod = OBJECTS["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's user (labs/flask_app)
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_ingress_reaches_the_service_through_the_alb_controller() -> None:
    ingress = OBJECTS["Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert annotations["alb.ingress.kubernetes.io/healthcheck-path"] == "/healthz"
    assert ingress["spec"]["ingressClassName"] == "alb"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = OBJECTS["Service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_autoscaler_targets_the_deployment() -> None:
    hpa = OBJECTS["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    deployment = OBJECTS["Deployment"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        deployment["apiVersion"],
        "Deployment",
        deployment["metadata"]["name"],
    )
    metric = hpa["spec"]["metrics"][0]["resource"]
    assert metric["name"] == "cpu"
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert OBJECTS["PodDisruptionBudget"]["apiVersion"] == "policy/v1"
    assert OBJECTS["PodDisruptionBudget"]["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]


def test_no_account_region_or_secret_in_the_lab() -> None:
    import re

    for path in [*FILES, LAB / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b\d{12}\b", text), path  # no account id
        assert not re.search(r"\b(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central)-\d", text)
    assert _container()["image"].startswith("registry.example/")  # a placeholder
