"""Suspending a lot through the gateway stops it at the sites: the time from the suspend call to
a dose on that lot being refused for it.

The test receives a lot of its own at a demo site (so no other test's lot is touched), waits
until monitoring and injection both know it, suspends it as the MCC operator and retries a dose
of it until injection refuses it with `lot_suspended`. The dose is for a person not checked in,
so nothing is recorded before the suspension arrives: every attempt is refused, and the clock
stops at the first refusal that names the suspension. The measured seconds are printed (run
with `-s`) and recorded in docs/benchmarks.md; the target (under 2 s) is not asserted here.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import gateway_client, seeded_staff
from tests.e2e.test_registration_flows import staff_headers
from vaxflow.seed import DEMO_SITE
from vaxflow_events import lot_id_for
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

COMIRNATY = "EU/1/20/1528"


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "scheduling", "injection", "monitoring", request_timeout_s=30
    ) as client:
        yield client


async def demo_staff(gateway: httpx.AsyncClient, role: str) -> dict[str, str]:
    """A seeded staff member of the main demo site (or a national one), logged in."""
    entry = next(
        e
        for e in await seeded_staff()
        if e["role"] == role and e.get("site_id") in (None, DEMO_SITE.site_id)
    )
    return await staff_headers(gateway, entry)


async def own_lot(gateway: httpx.AsyncClient, operator: dict[str, str]) -> tuple[str, str]:
    """A fresh lot received at the main demo site, known to monitoring: (lot id, lot number)."""
    lot_number = f"E2E{uuid.uuid4().hex[:8].upper()}"
    receipt = {
        "site_id": DEMO_SITE.site_id,
        "product_code": COMIRNATY,
        "lot_number": lot_number,
        "expiry_date": (date.today() + timedelta(days=120)).isoformat(),
        "doses_per_vial": 6,
        "doses_received": 60,
    }
    manager = await demo_staff(gateway, "site_manager")
    received = await gateway.post("/stock/receipts", json=receipt, headers=manager)
    assert received.status_code == 201, received.text
    lot_id = str(lot_id_for(COMIRNATY, lot_number))
    await poll_until(
        lambda: gateway.get(f"/lots/{lot_id}", headers=operator),
        accept=lambda r: r.status_code == 200,
        timeout_s=30,
        what="monitoring knows the received lot",
    )
    return lot_id, lot_number


def rules_of(response: httpx.Response) -> set[str]:
    """The rules a refusal names."""
    body: dict[str, Any] = response.json()
    return {e["rule"] for e in body.get("errors", [])}


async def test_a_suspended_lot_is_refused_at_the_site_seconds_after_the_suspend_call(
    gateway: httpx.AsyncClient,
) -> None:
    operator = await demo_staff(gateway, "mcc_operator")
    vaccinator = await demo_staff(gateway, "vaccinator")
    lot_id, lot_number = await own_lot(gateway, operator)
    dose = {
        "citizen_id": str(uuid.uuid4()),
        "product_code": COMIRNATY,
        "lot_number": lot_number,
        "body_site": "left_deltoid",
    }

    def attempt() -> Any:
        return gateway.post("/doses", json=dose, headers=vaccinator)

    before = await poll_until(  # injection learns the lot from scheduling's stock stream
        attempt,
        accept=lambda r: r.status_code == 422 and "lot_not_at_site" not in rules_of(r),
        timeout_s=30,
        what="injection knows the lot",
    )
    assert "lot_suspended" not in rules_of(before)

    started = time.monotonic()
    suspended = await gateway.post(
        f"/lots/{lot_id}/suspend",
        json={"reason": "quality_defect", "note": "End-to-end test of the suspension path."},
        headers=operator,
    )
    assert suspended.status_code == 200, suspended.text
    refused = await poll_until(
        attempt,
        accept=lambda r: "lot_suspended" in rules_of(r),
        timeout_s=30,
        interval_s=0.02,
        what="the dose refused for the suspended lot",
    )
    elapsed = time.monotonic() - started
    print(f"\nsuspend call -> dose on the lot refused (lot_suspended): {elapsed:.3f} s")

    assert refused.status_code == 422
    problem = next(e for e in refused.json()["errors"] if e["rule"] == "lot_suspended")
    assert problem["field"] == "body.lot_number"
    state = await gateway.get(f"/lots/{lot_id}", headers=operator)
    assert state.json()["status"] == "suspended"
    again = await gateway.post(
        f"/lots/{lot_id}/suspend",
        json={"reason": "quality_defect", "note": "Twice."},
        headers=operator,
    )
    assert again.status_code == 409
    released = await gateway.post(
        f"/lots/{lot_id}/release",
        json={"reason": "suspended_in_error", "note": "End of the test."},
        headers=operator,
    )
    assert released.json()["status"] == "in_use"
