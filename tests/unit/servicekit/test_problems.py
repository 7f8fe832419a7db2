"""Every error a caller can meet comes back as RFC 9457 problem+json, and says nothing internal."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from vaxflow_servicekit.problems import PROBLEM_BASE_URI, PROBLEM_MEDIA_TYPE

from .conftest import INTERNAL_SECRET, MAX_BODY_BYTES

VALID = {"full_name": "Nguyễn Văn An", "phone": "+84912345678", "date_of_birth": "1990-04-30"}


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body["type"] == PROBLEM_BASE_URI + slug
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def errors_by_field(body: dict[str, object]) -> dict[str, str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return {error["field"]: error["rule"] for error in errors}


async def test_valid_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/citizens", json=VALID)

    assert response.status_code == 201


async def test_validation_error_names_each_field_and_rule(client: httpx.AsyncClient) -> None:
    body = VALID | {"phone": "0912345678", "nickname": "An"}
    del body["full_name"]

    response = await client.post("/api/v1/citizens", json=body)

    problem = assert_problem(response, 422, "validation-error")
    assert problem["instance"] == "/api/v1/citizens"
    assert errors_by_field(problem) == {
        "body.phone": "string_pattern_mismatch",
        "body.full_name": "missing",
        "body.nickname": "extra_forbidden",
    }
    assert all(error["message"] for error in response.json()["errors"])


async def test_validation_error_never_echoes_the_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/citizens", json=VALID | {"phone": "+1-555-SECRET"})

    assert "SECRET" not in response.text


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("date_of_birth", 0, "iso_date"),
        ("date_of_birth", "0", "iso_date"),
        ("dose_count", "2", "int_type"),
        ("dose_count", 2.0, "int_type"),
        ("full_name", 42, "string_type"),
    ],
)
async def test_no_silent_coercion(
    client: httpx.AsyncClient, field: str, value: object, rule: str
) -> None:
    response = await client.post("/api/v1/citizens", json=VALID | {field: value})

    assert errors_by_field(assert_problem(response, 422, "validation-error")) == {
        f"body.{field}": rule
    }


async def test_malformed_json_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/citizens", content=b'{"full_name": ', headers={"content-type": "application/json"}
    )

    assert errors_by_field(assert_problem(response, 422, "validation-error")) == {
        "body": "json_invalid"
    }


async def test_a_body_that_is_not_even_text_is_the_same_validation_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/citizens",
        content=b"\x80\x81 not UTF-8",
        headers={"Content-Type": "application/json"},
    )

    assert errors_by_field(assert_problem(response, 422, "validation-error")) == {
        "body": "json_invalid"
    }


async def test_domain_problem_keeps_its_type_and_detail(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/citizens", json=VALID | {"full_name": "Already Registered"}
    )

    problem = assert_problem(response, 409, "citizen-exists")
    assert problem["detail"] == "This citizen is already registered."


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")


async def test_wrong_method_is_a_405_problem_listing_allowed_methods(
    client: httpx.AsyncClient,
) -> None:
    response = await client.delete("/api/v1/citizens")

    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


async def test_oversized_body_by_content_length_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/uploads", content=b"x" * (MAX_BODY_BYTES + 1))

    problem = assert_problem(response, 413, "content-too-large")
    assert str(MAX_BODY_BYTES) in str(problem["detail"])


async def test_oversized_streamed_body_is_refused(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000

    response = await client.post("/api/v1/uploads", content=chunks())

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "content-too-large")


async def test_body_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/uploads", content=b"x" * MAX_BODY_BYTES)

    assert response.json() == {"received": MAX_BODY_BYTES}


async def test_unexpected_error_is_a_500_problem_without_internals(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/api/v1/boom")

    problem = assert_problem(response, 500, "internal-error")
    assert "s3cr3t" not in response.text
    assert "RuntimeError" not in response.text
    logged = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    crash = next(line for line in logged if line["event"] == "unhandled_error")
    assert crash["request_id"] == problem["request_id"]
    assert crash["level"] == "error"
    assert INTERNAL_SECRET in crash["exception"]


async def test_openapi_documents_errors_as_problems(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    responses = document["paths"]["/api/v1/citizens"]["post"]["responses"]
    for status in ("409", "413", "422", "500"):
        content = responses[status]["content"]
        assert list(content) == [PROBLEM_MEDIA_TYPE]
        assert content[PROBLEM_MEDIA_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "401" in document["paths"]["/api/v1/me"]["get"]["responses"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
