"""The OpenAPI document: every endpoint, status and error documented, with examples."""

from __future__ import annotations

from typing import Any

from vaxflow_registration.main import build_app
from vaxflow_registration.settings import RegistrationSettings

from vaxflow_servicekit.models import schemas_without_examples

EXPECTED = {
    ("post", "/api/v1/citizens"): {"201", "401", "403", "409", "413", "422", "500"},
    ("post", "/api/v1/citizens/claims"): {
        "200",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
        "429",
        "500",
    },
    ("get", "/api/v1/citizens/me"): {"200", "401", "403", "404", "422", "500"},
    ("get", "/api/v1/citizens/me/people"): {"200", "401", "403", "422", "500"},
    ("patch", "/api/v1/citizens/me"): {"200", "401", "403", "404", "409", "413", "422", "500"},
    ("get", "/api/v1/citizens/me/health-book"): {"200", "401", "403", "404", "422", "500"},
    ("get", "/api/v1/citizens/{citizen_id}"): {"200", "401", "403", "404", "422", "500"},
    ("post", "/api/v1/registration/imports"): {
        "200",
        "202",
        "401",
        "403",
        "413",
        "415",
        "422",
        "500",
        "503",
    },
    ("get", "/api/v1/registration/imports/{import_id}"): {
        "200",
        "401",
        "403",
        "404",
        "422",
        "500",
    },
    ("get", "/api/v1/registration/imports/{import_id}/report.csv"): {
        "200",
        "401",
        "403",
        "404",
        "422",
        "500",
    },
    ("get", "/api/v1/audit/reads"): {"200", "401", "403", "422", "500"},
}
# Every operation also documents 503: a dependency (database, Redis, Kafka) unavailable.
EXPECTED = {operation: statuses | {"503"} for operation, statuses in EXPECTED.items()}


def openapi() -> dict[str, Any]:
    app = build_app(RegistrationSettings(environment="test"), "api")
    document: dict[str, Any] = app.openapi()
    return document


def test_every_endpoint_documents_its_statuses() -> None:
    paths = openapi()["paths"]

    documented = {
        (method, path): set(operation["responses"])
        for path, item in paths.items()
        for method, operation in item.items()
    }

    assert documented == EXPECTED


def test_errors_are_problem_json_and_every_schema_has_an_example() -> None:
    document = openapi()

    assert schemas_without_examples(document) == []
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"]


def test_the_import_body_documents_the_csv_header() -> None:
    operation = openapi()["paths"]["/api/v1/registration/imports"]["post"]

    body = operation["requestBody"]
    assert "national_id" in body["description"]
    assert body["content"]["text/csv"]["example"].startswith("id_type,national_id")
