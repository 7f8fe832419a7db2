"""Injection behind the gateway, with real staff tokens from identity.

The route table sends a citizen's doses (`/api/v1/citizens/{id}/doses`, under registration's
prefix) to injection by a regular-expression location; everything else under `/citizens`
stays with registration.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import gateway_client, seeded_staff

pytestmark = pytest.mark.stack


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, once identity and injection answer behind it."""
    async with gateway_client("injection") as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def vaccinator(gateway: httpx.AsyncClient) -> dict[str, str]:
    """The main demo site's vaccinator, logged in."""
    entry = next(e for e in await seeded_staff() if e["role"] == "vaccinator")
    body = {"username": entry["username"], "password": entry["password"]}
    response = await gateway.post("/auth/staff/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_citizens_doses_are_answered_by_injection_through_the_gateway(
    gateway: httpx.AsyncClient, vaccinator: dict[str, str]
) -> None:
    path = f"/citizens/{uuid.uuid4()}/doses"

    doses = await gateway.get(path, headers=vaccinator)
    fhir = await gateway.get(
        "/fhir/Immunization", params={"patient": str(uuid.uuid4())}, headers=vaccinator
    )

    # Injection's own 404 for a citizen out of scope (registration's would be citizen-not-found).
    assert doses.status_code == 404
    assert doses.json()["type"].endswith("/not-found")
    assert doses.json()["instance"] == f"/api/v1{path}"
    assert fhir.status_code == 404


async def test_a_dose_without_its_scene_is_refused_with_the_rules_it_breaks(
    gateway: httpx.AsyncClient, vaccinator: dict[str, str]
) -> None:
    body = {
        "citizen_id": str(uuid.uuid4()),
        "product_code": "EU/1/20/1528",
        "lot_number": "NOSUCHLOT",
        "body_site": "left_deltoid",
    }

    response = await gateway.post("/doses", json=body, headers=vaccinator)

    assert response.status_code == 422
    rules = {e["rule"] for e in response.json()["errors"]}
    assert {"citizen_unknown", "not_checked_in", "no_screening", "lot_not_at_site"} <= rules


async def test_the_openapi_document_lists_every_injection_endpoint(
    gateway: httpx.AsyncClient,
) -> None:
    paths = (await gateway.get("/injection/openapi.json")).json()["paths"]

    assert {
        "/api/v1/screenings",
        "/api/v1/screenings/proposal",
        "/api/v1/doses",
        "/api/v1/doses/batch",
        "/api/v1/doses/{dose_id}/corrections",
        "/api/v1/doses/{dose_id}/void",
        "/api/v1/observations",
        "/api/v1/citizens/{citizen_id}/doses",
        "/api/v1/fhir/Immunization",
    } <= set(paths)
