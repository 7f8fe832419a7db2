"""Prometheus (scrape config, alert rules) and Grafana (provisioning, dashboards): parsed and
checked against the metrics the code defines (promtool is not needed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.conftest import ROOT, SERVICE_PORTS, dashboards, defined_metrics, load_yaml

# Monitoring's metrics, defined by the monitoring engineers; the dashboards name them. Listed
# here so that a dashboard's reference to one still missing from the code is reported as such.
EXPECTED_FROM_MONITORING = {
    "vaxflow_monitoring_aefi_reports_total",
    "vaxflow_monitoring_lot_signals_total",
    "vaxflow_monitoring_site_waiting",
    "vaxflow_monitoring_alerts_open",
    "vaxflow_monitoring_doses_today",
    "vaxflow_monitoring_consumer_lag",
}
_SERIES = re.compile(r"\b(vaxflow_[a-z0-9_]+)")
_PROMQL_WORDS = re.compile(r"\b(rate|increase|sum|max|min|histogram_quantile|topk|bottomk|by)\b")
RULES = ROOT / "deploy/prometheus/rules/vaxflow.yml"
REQUIRED_ALERTS = {
    "VaxflowServiceDown",
    "VaxflowConsumerLag",
    "VaxflowOutboxBacklog",
    "VaxflowOutboxStale",
    "VaxflowDeadLetters",
    "VaxflowHttp5xxRate",
    "VaxflowHttpLatencyP99",
    "VaxflowSiteCrowding",
    "VaxflowStockLow",
    "VaxflowLotSignal",
}


def series_in(expr: str) -> set[str]:
    return set(_SERIES.findall(expr))


def rules() -> list[dict[str, Any]]:
    data = load_yaml(RULES)
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_monitorings_metrics_exist_in_the_code() -> None:
    missing = EXPECTED_FROM_MONITORING - defined_metrics()
    assert not missing, f"expected from monitoring, not defined yet: {sorted(missing)}"


def test_business_metrics_of_the_services_exist() -> None:
    defined = defined_metrics()
    for name in (
        "vaxflow_injection_doses_recorded_total",
        "vaxflow_injection_dose_refusals_total",
        "vaxflow_injection_screenings_total",
        "vaxflow_injection_observations_total",
        "vaxflow_certificate_issued_total",
        "vaxflow_certificate_revoked_total",
        "vaxflow_certificate_dose_to_certificate_seconds_bucket",
        "vaxflow_certificate_verifications_total",
        "vaxflow_registration_citizens_registered_total",
        "vaxflow_scheduling_bookings_total",
    ):
        assert name in defined, name


def test_rule_groups_have_unique_names_and_every_rule_is_complete() -> None:
    data = load_yaml(RULES)
    names = [g["name"] for g in data["groups"]]
    assert len(names) == len(set(names))
    alerts = [r["alert"] for r in rules()]
    assert len(alerts) == len(set(alerts))
    assert set(alerts) >= REQUIRED_ALERTS
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
        if "for" in rule:
            assert re.fullmatch(r"[0-9]+[smh]", rule["for"])


def test_every_rule_expression_is_promql_over_metrics_the_code_defines() -> None:
    defined = defined_metrics() | {"up"}
    for rule in rules():
        expr = rule["expr"]
        assert expr.count("(") == expr.count(")"), rule["alert"]
        assert expr.count("{") == expr.count("}"), rule["alert"]
        names = series_in(expr) or ({"up"} if re.search(r"\bup\{", expr) else set())
        assert names, f"{rule['alert']} names no metric"
        assert names <= defined, f"{rule['alert']}: {sorted(names - defined)} not in the code"


def test_compose_scrapes_every_service_on_its_port() -> None:
    config = load_yaml(ROOT / "deploy/prometheus/prometheus.yml")
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "vaxflow"]
    targets = {
        static["labels"]["service"]: static["targets"][0] for static in job["static_configs"]
    }
    assert targets == {name: f"{name}:{port}" for name, port in SERVICE_PORTS.items()}
    k8s = load_yaml(ROOT / "deploy/prometheus/prometheus-k8s.yml")
    (pods,) = k8s["scrape_configs"]
    assert pods["kubernetes_sd_configs"] == [{"role": "pod"}]


def test_grafana_is_provisioned_with_prometheus_and_the_dashboards_folder(
    compose: dict[str, Any],
) -> None:
    provisioning = ROOT / "deploy/grafana/provisioning"
    (source,) = load_yaml(provisioning / "datasources/prometheus.yml")["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    (provider,) = load_yaml(provisioning / "dashboards/vaxflow.yml")["providers"]
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert set(dashboards()) == {"campaign-overview.json", "pipeline-health.json"}


@pytest.mark.parametrize("name", ["campaign-overview.json", "pipeline-health.json"])
def test_each_dashboard_is_well_formed_and_queries_metrics_the_code_defines(name: str) -> None:
    dashboard = dashboards()[name]
    source_uid = load_yaml(ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml")[
        "datasources"
    ][0]["uid"]
    assert dashboard["uid"]
    assert dashboard["title"].startswith("VaxFlow")
    assert isinstance(dashboard["schemaVersion"], int)
    defined = defined_metrics() | {"up"}
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["type"] in {"stat", "timeseries", "bargauge", "table", "gauge"}
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["gridPos"]["w"] <= 24
        assert panel["datasource"]["uid"] == source_uid
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            expr = target["expr"]
            names = series_in(expr) or ({"up"} if "up{" in expr else set())
            assert names, f"{panel['title']}: no metric in {expr}"
            missing = names - defined
            assert not missing, f"{name} / {panel['title']}: {sorted(missing)} not in the code"
            assert expr.count("(") == expr.count(")")


def test_the_dashboards_cover_doses_certificates_queues_stock_aefi_and_the_pipeline() -> None:
    exprs = " ".join(
        t["expr"] for d in dashboards().values() for p in d["panels"] for t in p["targets"]
    )
    for metric in (
        "vaxflow_injection_doses_recorded_total",
        "vaxflow_certificate_issued_total",
        "vaxflow_monitoring_site_waiting",
        "vaxflow_monitoring_site_days_of_supply",
        "vaxflow_monitoring_aefi_reports_total",
        "vaxflow_kafka_consumer_lag",
        "vaxflow_outbox_backlog",
        "vaxflow_dlq_messages_total",
        "vaxflow_http_request_duration_seconds_bucket",
    ):
        assert metric in exprs, metric
    assert _PROMQL_WORDS.search(exprs)
