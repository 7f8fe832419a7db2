"""A dependency that does not answer: 503 with Retry-After naming it, never a 500 (issue 11)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import APIRouter, FastAPI
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError

from vaxflow_servicekit.app import create_app
from vaxflow_servicekit.auth_testing import LocalTokenIssuer
from vaxflow_servicekit.problems import PROBLEM_BASE_URI, PROBLEM_MEDIA_TYPE
from vaxflow_servicekit.settings import ServiceSettings

SECRET = "redis://:hunter2@cache.internal:6379"
ERRORS: dict[str, Exception] = {
    "database": ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused"),
    "redis": RedisConnectionError(f"Error 111 connecting to {SECRET}. Connection refused."),
    "kafka": KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]"),
}

router = APIRouter(prefix="/api/v1")


@router.get("/down/{dependency}")
async def down(dependency: str) -> None:
    raise ERRORS[dependency]


@router.get("/wrapped")
async def wrapped() -> None:
    try:
        raise ERRORS["redis"]
    except RedisConnectionError as exc:
        raise RuntimeError("could not read availability") from exc


@router.get("/bad-query")
async def bad_query() -> None:
    raise OperationFailure("unknown operator: $foo", code=2)


@pytest.fixture
def app() -> FastAPI:
    settings = ServiceSettings(service_name="kit-unavailable", environment="test")
    verifier = LocalTokenIssuer(settings.auth).verifier()
    return create_app(settings, title="Kit", version="0", routers=[router], verifier=verifier)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit.test") as client:
        yield client


@pytest.mark.parametrize("dependency", sorted(ERRORS))
async def test_a_dependency_down_is_a_503_naming_it(
    client: httpx.AsyncClient, dependency: str
) -> None:
    response = await client.get(f"/api/v1/down/{dependency}")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "dependency-unavailable"
    assert body["dependency"] == dependency
    assert "hunter2" not in response.text
    assert "Errno" not in response.text


async def test_the_dependency_is_found_behind_a_wrapping_error(
    client: httpx.AsyncClient, log_stream: io.StringIO
) -> None:
    response = await client.get("/api/v1/wrapped")

    assert response.status_code == 503
    assert response.json()["dependency"] == "redis"
    logged = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    line = next(x for x in logged if x["event"] == "dependency_unavailable")
    assert line["level"] == "warning"
    assert "exception" not in line  # an outage is not a bug: no stack trace in the log


async def test_a_database_error_that_is_not_an_outage_stays_a_500(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/bad-query")

    assert response.status_code == 500
    assert response.json()["type"] == PROBLEM_BASE_URI + "internal-error"


async def test_openapi_documents_the_503(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    assert "503" in document["paths"]["/api/v1/bad-query"]["get"]["responses"]
