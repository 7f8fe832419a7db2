"""The OpenAPI document: every endpoint documents its statuses as problem+json, with examples."""

from __future__ import annotations

from typing import Any

from vaxflow_scheduling.main import build_app
from vaxflow_scheduling.settings import SchedulingSettings

from vaxflow_servicekit.models import schemas_without_examples


def openapi() -> dict[str, Any]:
    document: dict[str, Any] = build_app(SchedulingSettings(environment="test"), "api").openapi()
    return document


def test_every_operation_documents_errors_as_problems() -> None:
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "500" in responses, (method, path)
            for status, response in responses.items():
                if path.startswith("/api/v2/") and status == "400":
                    continue  # CoWIN's own error shape, checked below
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path, status)


def test_booking_documents_conflicts_and_validation() -> None:
    booking = openapi()["paths"]["/api/v1/appointments"]["post"]["responses"]

    assert {"201", "401", "403", "409", "422"} <= set(booking)


def test_every_schema_has_an_example() -> None:
    assert schemas_without_examples(openapi()) == []


def test_cowin_endpoints_document_cowin_errors() -> None:
    for path, item in openapi()["paths"].items():
        if path.startswith("/api/v2/"):
            schema = item["get"]["responses"]["400"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/CowinErrorBody")
