"""The OpenAPI document: every endpoint, its statuses and errors, with examples everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from vaxflow_identity.main import build_app
from vaxflow_identity.settings import IdentitySettings

from vaxflow_servicekit.models import schemas_without_examples

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    document: dict[str, Any] = build_app(IdentitySettings(environment="test"), "api").openapi()
    return document


def statuses(openapi: dict[str, Any], method: str, path: str) -> set[str]:
    return set(openapi["paths"][path][method]["responses"])


def test_every_endpoint_of_the_architecture_is_documented(openapi: dict[str, Any]) -> None:
    operations = {(method, path) for path, item in openapi["paths"].items() for method in item}

    assert operations >= {
        ("post", "/api/v1/auth/otp/request"),
        ("post", "/api/v1/auth/otp/verify"),
        ("post", "/api/v1/auth/staff/login"),
        ("post", "/api/v1/auth/refresh"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/auth/jwks.json"),
        ("post", "/api/v1/auth/staff"),
        ("get", "/api/v1/auth/staff"),
    }


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("post", "/api/v1/auth/otp/request", {"202", "422", "429"}),
        ("post", "/api/v1/auth/otp/verify", {"200", "401", "422", "429"}),
        ("post", "/api/v1/auth/staff/login", {"200", "401", "422", "429"}),
        ("post", "/api/v1/auth/refresh", {"200", "401", "422"}),
        ("post", "/api/v1/auth/logout", {"204", "422"}),
        ("post", "/api/v1/auth/staff", {"201", "401", "403", "409", "422"}),
        ("get", "/api/v1/auth/staff", {"200", "401", "403", "422"}),
    ],
)
def test_each_endpoint_documents_its_statuses(
    openapi: dict[str, Any], method: str, path: str, expected: set[str]
) -> None:
    assert statuses(openapi, method, path) >= expected


def test_every_error_is_documented_as_problem_json(openapi: dict[str, Any]) -> None:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert PROBLEM in response["content"], (method, path, status)


def test_every_schema_carries_an_example(openapi: dict[str, Any]) -> None:
    assert schemas_without_examples(openapi) == []


def test_admin_endpoints_declare_the_bearer_token(openapi: dict[str, Any]) -> None:
    assert openapi["paths"]["/api/v1/auth/staff"]["post"]["security"]
    assert "security" not in openapi["paths"]["/api/v1/auth/otp/request"]["post"]
