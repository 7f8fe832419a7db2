"""The OpenAPI document describes every endpoint, its errors as problem+json, with examples."""

from __future__ import annotations

from vaxflow_injection.main import build_app
from vaxflow_injection.settings import InjectionSettings

from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.models import schemas_without_examples


def _openapi() -> dict[str, object]:
    settings = InjectionSettings(environment="test")
    return build_app(settings, verifier=LocalTokenIssuer().verifier()).openapi()


def test_every_schema_has_an_example() -> None:
    assert schemas_without_examples(_openapi()) == []


def test_every_operation_documents_its_errors_as_problems() -> None:
    paths = _openapi()["paths"]
    assert isinstance(paths, dict)
    for path, item in paths.items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403", "500"} <= set(responses), (method, path)
            if "requestBody" in operation:
                problem = responses["422"]["content"]["application/problem+json"]
                assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
