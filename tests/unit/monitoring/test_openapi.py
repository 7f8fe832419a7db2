"""The OpenAPI document describes every core endpoint, its errors as problem+json, with examples."""

from __future__ import annotations

from typing import Any

from vaxflow_monitoring.main import build_app
from vaxflow_monitoring.settings import MonitoringSettings

from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.models import schemas_without_examples

CORE_PATHS = {
    "/api/v1/aefi",
    "/api/v1/aefi/symptoms",
    "/api/v1/aefi/{aefi_id}",
    "/api/v1/aefi/{aefi_id}/investigation",
    "/api/v1/aefi/{aefi_id}/classification",
    "/api/v1/aefi/{aefi_id}/closure",
    "/api/v1/signals",
    "/api/v1/lots/{lot_id}",
    "/api/v1/lots/{lot_id}/suspend",
    "/api/v1/lots/{lot_id}/release",
}


CORE_SCHEMAS = {
    "AefiCreate",
    "AefiCaseRead",
    "AefiCasePage",
    "HistoryRead",
    "SymptomList",
    "SymptomRead",
    "InvestigationCreate",
    "ClassificationCreate",
    "ClosureCreate",
    "LotSignalRead",
    "LotSignalPage",
    "SuspensionCreate",
    "ReleaseCreate",
    "SuspensionRead",
    "LotRead",
}


def _openapi() -> dict[str, Any]:
    settings = MonitoringSettings(environment="test")
    return build_app(settings, verifier=LocalTokenIssuer().verifier()).openapi()


def test_every_core_endpoint_is_documented() -> None:
    assert set(_openapi()["paths"]) >= CORE_PATHS


def test_every_core_schema_is_there_with_an_example() -> None:
    assert set(_openapi()["components"]["schemas"]) >= CORE_SCHEMAS
    missing = set(schemas_without_examples(_openapi()))
    assert missing.isdisjoint(CORE_SCHEMAS)


def test_every_core_operation_documents_its_errors_as_problems() -> None:
    paths = _openapi()["paths"]
    for path in CORE_PATHS:
        for method, operation in paths[path].items():
            responses = operation["responses"]
            assert {"401", "403", "500"} <= set(responses), (method, path)
            if "requestBody" in operation:
                problem = responses["422"]["content"]["application/problem+json"]
                assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
