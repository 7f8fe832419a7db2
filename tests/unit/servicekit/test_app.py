"""The app factory's shared behaviour: ids, metrics by route template, health and readiness."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from vaxflow_servicekit.app import LifespanHook, create_app
from vaxflow_servicekit.models import schemas_without_examples
from vaxflow_servicekit.problems import PROBLEM_BASE_URI, PROBLEM_MEDIA_TYPE
from vaxflow_servicekit.readiness import ReadinessCheck, readiness_of
from vaxflow_servicekit.settings import ServiceSettings

from .conftest import SERVICE

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def requests_counted(method: str, route: str, status: int) -> float:
    labels = {"service": SERVICE, "method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("vaxflow_http_requests_total", labels) or 0.0


async def test_well_formed_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/citizens/c-1", headers={"X-Request-ID": "gw-1234.abcd_EF"})

    assert response.headers["x-request-id"] == "gw-1234.abcd_EF"
    assert response.json()["request_id"] == "gw-1234.abcd_EF"


@pytest.mark.parametrize("incoming", [None, "short", "has space in it", "x" * 129, "semi;colon1"])
async def test_missing_or_malformed_request_id_is_replaced(
    client: httpx.AsyncClient, incoming: str | None
) -> None:
    headers = {"X-Request-ID": incoming} if incoming else {}

    response = await client.get("/api/v1/citizens/c-1", headers=headers)

    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])
    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_correlation_id_is_kept_or_defaults_to_request_id(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.get("/healthz", headers={"X-Correlation-ID": "booking-0001"})
    defaulted = await client.get("/healthz")

    assert kept.headers["x-correlation-id"] == "booking-0001"
    assert defaulted.headers["x-correlation-id"] == defaulted.headers["x-request-id"]


async def test_requests_are_counted_by_route_template(client: httpx.AsyncClient) -> None:
    template = "/api/v1/citizens/{citizen_id}"
    before = requests_counted("GET", template, 200)

    await client.get("/api/v1/citizens/c-0042")
    await client.get("/api/v1/citizens/c-0043")

    assert requests_counted("GET", template, 200) == before + 2
    assert requests_counted("GET", "/api/v1/citizens/c-0042", 200) == 0


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", "/no/such/thing", "unmatched", 404),
        ("DELETE", "/api/v1/citizens", "/api/v1/citizens", 405),
        ("GET", "/openapi.json", "/openapi.json", 200),
        ("GET", "/api/v1/sites/s-9/queue", "/api/v1/sites/{site_id}/queue", 401),
        ("BREW", "/api/v1/citizens", "/api/v1/citizens", 405),
    ],
)
async def test_every_answer_is_counted_under_a_bounded_label(
    client: httpx.AsyncClient, method: str, path: str, route: str, status: int
) -> None:
    label = method if method != "BREW" else "OTHER"
    before = requests_counted(label, route, status)

    response = await client.request(method, path)

    assert response.status_code == status
    assert requests_counted(label, route, status) == before + 1


async def test_latency_is_observed_by_route_template(client: httpx.AsyncClient) -> None:
    labels = {"service": SERVICE, "method": "GET", "route": "/api/v1/citizens/{citizen_id}"}
    before = REGISTRY.get_sample_value("vaxflow_http_request_duration_seconds_count", labels) or 0

    await client.get("/api/v1/citizens/c-7")

    after = REGISTRY.get_sample_value("vaxflow_http_request_duration_seconds_count", labels)
    assert after == before + 1


async def test_metrics_endpoint_exposes_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/citizens/c-1")

    response = await client.get("/metrics")

    assert response.headers["content-type"].startswith("text/plain")
    assert 'route="/api/v1/citizens/{citizen_id}"' in response.text


async def test_healthz_answers_while_the_process_lives(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def _ok() -> None:
    return None


async def _refused() -> None:
    raise ConnectionRefusedError("redis://:hunter2@cache.internal:6380")


async def _hangs() -> None:
    await asyncio.sleep(10)


def app_with_checks(settings: ServiceSettings, *checks: ReadinessCheck) -> FastAPI:
    return create_app(settings, title="Kit test", version="0.0.1", checks=checks)


async def get_readyz(app: FastAPI) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://kit.test"
    ) as client:
        return await client.get("/readyz")


async def test_readyz_is_200_with_each_check_when_all_pass(settings: ServiceSettings) -> None:
    app = app_with_checks(settings, ReadinessCheck("mongo", _ok), ReadinessCheck("kafka", _ok))

    response = await get_readyz(app)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "mongo": "ok",
        "kafka": "ok",
    }


async def test_readyz_is_503_problem_naming_the_failing_checks(settings: ServiceSettings) -> None:
    app = app_with_checks(
        settings,
        ReadinessCheck("mongo", _ok),
        ReadinessCheck("redis", _refused),
        ReadinessCheck("kafka", _hangs, timeout_s=0.05),
    )

    response = await get_readyz(app)

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE_URI + "not-ready"
    assert sorted(problem["failing"]) == ["kafka", "redis"]
    assert "redis" in problem["detail"]
    assert "kafka" in problem["detail"]
    assert problem["checks"]["redis"] == {
        "status": "error",
        "error": "ConnectionRefusedError",
        "duration_ms": problem["checks"]["redis"]["duration_ms"],
    }
    assert problem["checks"]["kafka"]["status"] == "timeout"
    assert problem["checks"]["mongo"]["status"] == "ok"
    assert "hunter2" not in response.text


async def test_checks_registered_after_creation_are_run(settings: ServiceSettings) -> None:
    app = app_with_checks(settings)
    readiness_of(app).add("redis", _refused)

    response = await get_readyz(app)

    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]


async def test_every_documented_schema_carries_an_example(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    assert schemas_without_examples(document) == []
    assert {"CitizenCreate", "CitizenRead", "Problem"} <= set(document["components"]["schemas"])


async def test_ops_routes_stay_out_of_the_public_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    assert not {"/healthz", "/readyz", "/metrics"} & set(document["paths"])
    assert "/api/v1/citizens/{citizen_id}" in document["paths"]


async def test_lifespan_hooks_open_in_order_close_in_reverse_and_register_checks(
    settings: ServiceSettings,
) -> None:
    events: list[str] = []

    def hook(name: str) -> LifespanHook:
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            events.append(f"open {name}")
            readiness_of(app).add(name, _ok)
            yield
            events.append(f"close {name}")

        return lifespan

    app = create_app(
        settings, title="Kit test", version="0.0.1", lifespan=[hook("mongo"), hook("kafka")]
    )
    async with app.router.lifespan_context(app):
        response = await get_readyz(app)

    assert events == ["open mongo", "open kafka", "close kafka", "close mongo"]
    assert set(response.json()["checks"]) == {"mongo", "kafka"}
