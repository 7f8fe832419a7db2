"""The dashboard's routes are documented: statuses, problem+json errors, examples."""

from __future__ import annotations

from typing import Any

from vaxflow_monitoring.live import build_live
from vaxflow_monitoring.settings import MonitoringSettings

from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.models import schemas_without_examples

LIVE_PATHS = {
    "/api/v1/dashboard/summary",
    "/api/v1/dashboard/stream",
    "/api/v1/alerts",
    "/api/v1/alerts/{alert_id}/acknowledge",
    "/api/v1/alert-rules",
    "/api/v1/alert-rules/{rule}",
}


def _openapi() -> dict[str, Any]:
    settings = MonitoringSettings(environment="test")
    app = create_app(settings, title="t", version="t", routers=build_live(settings).routers)
    return app.openapi()


def test_every_dashboard_operation_documents_its_errors_as_problems() -> None:
    paths = _openapi()["paths"]
    assert set(paths) == LIVE_PATHS
    for path in LIVE_PATHS:
        for method, operation in paths[path].items():
            assert {"401", "403", "500"} <= set(operation["responses"]), (method, path)
    acknowledge = paths["/api/v1/alerts/{alert_id}/acknowledge"]["post"]["responses"]
    assert {"404", "409"} <= set(acknowledge)
    assert (
        "text/event-stream"
        in paths["/api/v1/dashboard/stream"]["get"]["responses"]["200"]["content"]
    )


def test_every_dashboard_schema_has_an_example() -> None:
    assert schemas_without_examples(_openapi()) == []
