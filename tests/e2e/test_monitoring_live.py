"""The response centre's live picture through the gateway, fed by the real services' streams.

A dose recorded through the API shows in the summary; check-ins at a site of the test's own
(a crowding threshold of 2 set for that site alone) open a crowding alert an operator
acknowledges, the server-sent stream pushes the change, and the alert closes once the two
people are vaccinated.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from httpx_sse import aconnect_sse

from tests.e2e.gateway import (
    gateway_client,
    screen_and_vaccinate,
    seeded_staff,
    vaccinate_walk_in,
)
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.registration.people import person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

COMIRNATY = "EU/1/20/1528"  # the seed stocks lot FF2587 of it at every demo site


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", "monitoring", request_timeout_s=30
    ) as client:
        yield client


async def _staff(gateway: httpx.AsyncClient, role: str, site_id: str | None = None) -> Any:
    entry = next(
        e
        for e in await seeded_staff()
        if e["role"] == role and (site_id is None or e.get("site_id") == site_id)
    )
    return await staff_headers(gateway, entry)


async def _citizen(gateway: httpx.AsyncClient) -> str:
    headers = await citizen_headers(gateway)
    registered = await gateway.post("/citizens", json=person(relationship="self"), headers=headers)
    assert registered.status_code == 201, registered.text
    citizen_id: str = registered.json()["citizen_id"]
    return citizen_id


async def _summary(gateway: httpx.AsyncClient, operator: Any) -> dict[str, Any]:
    response = await gateway.get("/dashboard/summary", headers=operator)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_dose_recorded_through_the_api_shows_in_the_summary(
    gateway: httpx.AsyncClient,
) -> None:
    operator = await _staff(gateway, "mcc_operator")
    vaccinator = await _staff(gateway, "vaccinator", DEMO_SITE.site_id)
    before = (await _summary(gateway, operator))["doses"]["total"]
    await vaccinate_walk_in(gateway, vaccinator, await _citizen(gateway))

    summary = await poll_until(
        lambda: _summary(gateway, operator),
        accept=lambda s: s["doses"]["total"] >= before + 1,
        what="the dose in the summary",
    )
    site = next(s for s in summary["sites"] if s["site_id"] == DEMO_SITE.site_id)
    assert site["doses_today"] >= 1
    assert summary["doses"]["today"] >= 1


@contextlib.asynccontextmanager
async def _stream(gateway: httpx.AsyncClient, operator: Any) -> AsyncIterator[list[dict[str, Any]]]:
    """The summaries the dashboard stream pushes, collected as they arrive."""
    received: list[dict[str, Any]] = []

    async def read() -> None:
        async with aconnect_sse(gateway, "GET", "/dashboard/stream", headers=operator) as source:
            assert source.response.status_code == 200
            async for event in source.aiter_sse():
                assert event.event == "summary"
                received.append(json.loads(event.data))

    reader = asyncio.create_task(read())

    async def count() -> int:
        if reader.done():
            reader.result()  # the stream failed: say why
        return len(received)

    try:
        await poll_until(count, accept=lambda n: n >= 1, what="the summary sent on connect")
        yield received
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _pushed(received: list[dict[str, Any]], what: str, accept: Any) -> dict[str, Any]:
    """Wait until the stream pushed a summary `accept` holds for."""

    async def latest() -> dict[str, Any] | None:
        return next((s for s in reversed(received) if accept(s)), None)

    found = await poll_until(latest, accept=lambda s: s is not None, timeout_s=15, what=what)
    assert found is not None
    return found


async def _own_site(gateway: httpx.AsyncClient, admin: Any) -> tuple[str, str, Any]:
    """A site of the test's own with a lot in stock and a vaccinator: (site, lot, headers)."""
    site_id = str(uuid.uuid4())
    site = {
        "site_id": site_id,
        "name": f"Test site {site_id[:8]}",
        "area": {"province_code": "79", "district_code": "770", "ward_code": "27139"},
        "opens": "00:00",
        "closes": "23:59",
        "slot_minutes": 30,
        "daily_capacity": 100,
    }
    created = await gateway.post("/sites", json=site, headers=admin)
    assert created.status_code == 201, created.text
    lot_number = f"E2E{uuid.uuid4().hex[:8].upper()}"
    receipt = {
        "site_id": site_id,
        "product_code": COMIRNATY,
        "lot_number": lot_number,
        "expiry_date": (date.today() + timedelta(days=180)).isoformat(),
        "doses_per_vial": 6,
        "doses_received": 60,
    }
    received = await gateway.post("/stock/receipts", json=receipt, headers=admin)
    assert received.status_code == 201, received.text
    login = {"username": f"vacc.{site_id[:8]}", "password": f"pw-{uuid.uuid4().hex}"}
    staff = await gateway.post(
        "/auth/staff", json={**login, "role": "vaccinator", "site_id": site_id}, headers=admin
    )
    assert staff.status_code == 201, staff.text
    return site_id, lot_number, await staff_headers(gateway, login)


def _alert_of(summary: dict[str, Any], site_id: str) -> dict[str, Any] | None:
    return next((a for a in summary["alerts"] if a["subject"] == site_id), None)


async def test_crowding_opens_an_alert_the_stream_pushes_an_operator_acknowledges_and_it_closes(
    gateway: httpx.AsyncClient,
) -> None:
    operator = await _staff(gateway, "mcc_operator")
    admin = await _staff(gateway, "admin")
    site_id, lot_number, vaccinator = await _own_site(gateway, admin)
    override = await gateway.put(
        "/alert-rules/crowding", json={"threshold": 2, "site_id": site_id}, headers=operator
    )
    assert override.status_code == 200, override.text
    citizens = [await _citizen(gateway), await _citizen(gateway)]

    async with _stream(gateway, operator) as received:
        for citizen_id in citizens:
            body = {"site_id": site_id, "citizen_id": citizen_id}
            checked_in = await poll_until(
                functools.partial(gateway.post, "/check-ins", json=body, headers=vaccinator),
                accept=lambda r: r.status_code == 201,
                what="the check-in, once scheduling knows the citizen",
            )
            assert checked_in.status_code == 201

        pushed = await _pushed(
            received,
            "a pushed summary with the crowding alert",
            lambda s: _alert_of(s, site_id) is not None,
        )
        alert = _alert_of(pushed, site_id)
        assert alert is not None
        row = next(s for s in pushed["sites"] if s["site_id"] == site_id)
        assert row["waiting"] == 2
        assert (alert["rule"], alert["status"], alert["value"]) == ("crowding", "open", 2)
        assert alert["message"] == "2 people waiting (threshold 2)"

        path = f"/alerts/{alert['alert_id']}/acknowledge"
        acknowledged = await gateway.post(path, json={"note": "e2e"}, headers=operator)
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json()["status"] == "acknowledged"
        again = await gateway.post(path, headers=operator)
        assert again.json()["acknowledged_at"] == acknowledged.json()["acknowledged_at"]
        await _pushed(
            received,
            "a pushed summary with the alert acknowledged",
            lambda s: (_alert_of(s, site_id) or {}).get("status") == "acknowledged",
        )

        for citizen_id in citizens:
            await screen_and_vaccinate(gateway, vaccinator, citizen_id, lot_number=lot_number)

        cleared = await _pushed(
            received,
            "a pushed summary without the alert, both people vaccinated",
            lambda s: (
                _alert_of(s, site_id) is None
                and any(r["site_id"] == site_id and r["doses_today"] == 2 for r in s["sites"])
            ),
        )
    assert next(r for r in cleared["sites"] if r["site_id"] == site_id)["waiting"] == 0
    closed = await gateway.get("/alerts", params={"status": "closed"}, headers=operator)
    assert any(a["alert_id"] == alert["alert_id"] for a in closed.json()["items"])
    late = await gateway.post(path, headers=operator)
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
