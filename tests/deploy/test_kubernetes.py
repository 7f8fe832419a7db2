"""deploy/k8s: every overlay builds with kustomize, every resource validates against the
Kubernetes schemas (kubernetes-validate) or its vendored CRD, and the properties issue 9 asks
for hold for every Deployment."""

from __future__ import annotations

import json
import subprocess
import tomllib
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_validate import validate

from tests.deploy.conftest import OVERLAYS, ROOT, SCHEMAS, SERVICE_PORTS, build
from vaxflow_events.topics import TOPICS

KUBERNETES_VERSION = "1.32.0"
STRIMZI = {"Kafka", "KafkaNodePool", "KafkaTopic"}


def of_kind(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["kind"] == kind]


def deployments(overlay: str) -> Iterator[dict[str, Any]]:
    yield from of_kind(build(overlay), "Deployment")


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector (matchLabels and In/Exists expressions) matching the labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        if expression["operator"] == "In" and value not in expression["values"]:
            return False
        if expression["operator"] == "Exists" and value is None:
            return False
    return True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_resource_validates_against_its_schema(overlay: str) -> None:
    scaled_object = yaml.safe_load(
        (SCHEMAS / "keda/keda.sh_scaledobjects.yaml").read_text(encoding="utf-8")
    )
    keda_schema = scaled_object["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for resource in build(overlay):
        kind = resource["kind"]
        if kind == "ScaledObject":
            jsonschema.validate(resource, keda_schema)
        elif kind not in STRIMZI:
            validate(resource, KUBERNETES_VERSION, strict=True)
    strimzi = [r for r in build(overlay) if r["kind"] in STRIMZI]
    assert {r["kind"] for r in strimzi} == STRIMZI
    assert strimzi_failures(strimzi) == []


def strimzi_failures(resources: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Strimzi resources checked against Strimzi's CRD schemas (tests/deploy/strimzi, npm)."""
    folder = ROOT / "tests/deploy/strimzi"
    assert (folder / "node_modules").is_dir(), "run `make setup` (npm ci in tests/deploy/strimzi)"
    result = subprocess.run(
        ["node", str(folder / "validate.mjs")],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    failures: list[dict[str, str]] = json.loads(result.stdout)
    return failures


def test_the_strimzi_schemas_refuse_a_bad_topic() -> None:
    bad = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": "injection.dose.v1"},
        "spec": {"partitions": "twelve", "replicas": 3},
    }

    [failure] = strimzi_failures([bad])

    assert "partitions must be integer" in failure["error"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_an_api_and_a_worker_deployment_on_its_port(overlay: str) -> None:
    found = {d["metadata"]["name"]: d for d in deployments(overlay)}
    for name, port in SERVICE_PORTS.items():
        roles = ("worker",) if name == "warehouse" else ("api", "worker")
        for role in roles:
            deployment = found[f"{name}-{role}"]
            container = deployment["spec"]["template"]["spec"]["containers"][0]
            assert container["args"] == [name, "--role", role]
            assert container["ports"][0]["containerPort"] == port
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["VAXFLOW_PORT"] == str(port)
            refs = [e.get("secretRef", {}).get("name") for e in container["envFrom"]]
            assert f"vaxflow-{name}-secrets" in refs


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_probes_limits_and_a_locked_down_security_context(
    overlay: str,
) -> None:
    for deployment in deployments(overlay):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["topologySpreadConstraints"], name
        for container in pod["containers"]:
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), name
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_a_network_policy(overlay: str) -> None:
    resources = build(overlay)
    budgets = of_kind(resources, "PodDisruptionBudget")
    policies = of_kind(resources, "NetworkPolicy")
    deny = [p for p in policies if p["spec"]["podSelector"] == {}]
    assert any(
        set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and "ingress" not in p["spec"]
        for p in deny
    )
    for deployment in deployments(overlay):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        name = deployment["metadata"]["name"]
        assert [b for b in budgets if selects(b["spec"]["selector"], labels)], name
        ingress = [
            p
            for p in policies
            if p["spec"]["podSelector"]
            and selects(p["spec"]["podSelector"], labels)
            and "Ingress" in p["spec"]["policyTypes"]
        ]
        egress = [
            p
            for p in policies
            if p["spec"]["podSelector"]
            and selects(p["spec"]["podSelector"], labels)
            and "Egress" in p["spec"]["policyTypes"]
        ]
        assert ingress, name
        assert egress, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apis_scale_on_cpu_and_consumers_on_kafka_lag(overlay: str) -> None:
    resources = build(overlay)
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in of_kind(resources, "HorizontalPodAutoscaler")
    }
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(resources, "ScaledObject")}
    for deployment in deployments(overlay):
        name = deployment["metadata"]["name"]
        if name.endswith("-api"):
            metric = hpas[name]["spec"]["metrics"][0]["resource"]
            assert metric["name"] == "cpu"
            assert hpas[name]["spec"]["minReplicas"] >= 1
    topic_partitions = min(t["spec"]["partitions"] for t in of_kind(resources, "KafkaTopic"))
    for name in ("registration", "scheduling", "injection", "certificate", "monitoring"):
        scaler = scaled[f"{name}-worker"]["spec"]
        assert scaler["triggers"]
        assert all(t["type"] == "kafka" for t in scaler["triggers"])
        for trigger in scaler["triggers"]:
            assert trigger["metadata"]["allowIdleConsumers"] == "false"
        assert scaler["maxReplicaCount"] <= max(24, topic_partitions)


def test_production_kafka_is_three_brokers_with_replication_three_and_two_in_sync() -> None:
    resources = build("prod")
    (pool,) = of_kind(resources, "KafkaNodePool")
    (kafka,) = of_kind(resources, "Kafka")
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"broker", "controller"}
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["auto.create.topics.enable"] is False
    shared = next(
        c for c in of_kind(resources, "ConfigMap") if c["metadata"]["name"] == "vaxflow-shared"
    )
    assert shared["data"]["VAXFLOW_KAFKA_REPLICATION_FACTOR"] == "3"
    assert "w=majority" in shared["data"]["VAXFLOW_MONGO_URL"]
    (mongo,) = [
        s for s in of_kind(resources, "StatefulSet") if s["metadata"]["name"] == "vaxflow-mongo"
    ]
    assert mongo["spec"]["replicas"] == 3


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_are_the_contracts_registry(overlay: str) -> None:
    topics = of_kind(build(overlay), "KafkaTopic")
    assert sorted(t["spec"]["topicName"] for t in topics) == sorted(t.name for t in TOPICS)
    for topic in topics:
        if overlay == "prod":
            assert topic["spec"]["replicas"] == 3
            assert topic["spec"]["config"]["min.insync.replicas"] == "2"
        assert int(topic["spec"]["config"]["retention.ms"]) > 0


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_routes_the_gateways_table(overlay: str) -> None:
    with (ROOT / "deploy/gateway/routes.toml").open("rb") as f:
        routes = tomllib.load(f)
    paths = {
        (p["path"], p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
        for ingress in of_kind(build(overlay), "Ingress")
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    for row in routes["service"]:
        for prefix in row.get("prefixes", []):
            assert (prefix, row["name"], row["port"]) in paths
        for path in row.get("paths", []):
            assert (path.strip("^$"), row["name"], row["port"]) in paths


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_body_limits_follow_the_route_table(overlay: str) -> None:
    with (ROOT / "deploy/gateway/routes.toml").open("rb") as f:
        routes = tomllib.load(f)
    body_size = {
        p["path"]: ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
        for ingress in of_kind(build(overlay), "Ingress")
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    larger = {
        rule["prefix"]: rule["max_body_size"]
        for row in routes["service"]
        for rule in row.get("locations", [])
        if "max_body_size" in rule
    }
    assert larger, "the route table gives some prefix a larger body limit"
    for path, size in body_size.items():
        assert size == larger.get(path, "1m"), path


def test_production_ships_no_secret_values_and_the_observability_config() -> None:
    resources = build("prod")
    assert not of_kind(resources, "Secret")
    names = {c["metadata"]["name"].rsplit("-", 1)[0] for c in of_kind(resources, "ConfigMap")}
    assert {
        "vaxflow-prometheus-config",
        "vaxflow-prometheus-rules",
        "vaxflow-grafana-dashboards",
    } <= names
    for service in SERVICE_PORTS:
        config = next(
            c
            for c in of_kind(resources, "ConfigMap")
            if c["metadata"]["name"] == f"vaxflow-{service}"
        )
        assert config["data"][f"VAXFLOW_{service.upper()}_ENVIRONMENT"] == "production"
