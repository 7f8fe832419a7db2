"""One vaccination through the gateway, across every service: walk in, screen, dose, certificate.

Nothing is set up behind the services' backs: the citizen registers with a phone login, the site
and its stock come from `vaxflow seed`, and each service learns what it needs from the others'
event streams.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import gateway_client, seeded_staff
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.injection.conftest import NO_TO_EVERYTHING, NORMAL_VITALS
from tests.integration.registration.people import cccd, person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

COMIRNATY = "EU/1/20/1528"  # the seed stocks lot FF2587 of it at every demo site


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", "certificate", request_timeout_s=30
    ) as client:
        yield client


async def test_a_walk_in_is_screened_vaccinated_and_holds_a_certificate_that_verifies(
    gateway: httpx.AsyncClient,
) -> None:
    staff = await seeded_staff()
    entry = next(
        e for e in staff if e["role"] == "vaccinator" and e.get("site_id") == DEMO_SITE.site_id
    )
    vaccinator = await staff_headers(gateway, entry)
    citizen = await citizen_headers(gateway)
    # Under 65, so the proposal is "eligible" (65 and over is "caution" by the screening rules).
    body = person(relationship="self")
    adult = body | {
        "date_of_birth": "1986-03-14",
        "national_id": cccd(1986, body["sex"], uuid.uuid4().int),
    }
    registered = await gateway.post("/citizens", json=adult, headers=citizen)
    assert registered.status_code == 201, registered.text
    citizen_id = registered.json()["citizen_id"]

    checked_in = await poll_until(  # scheduling learns the citizen from the citizen stream
        lambda: gateway.post(
            "/check-ins",
            json={"site_id": DEMO_SITE.site_id, "citizen_id": citizen_id},
            headers=vaccinator,
        ),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the walk-in check-in, once scheduling knows the citizen",
    )
    assert checked_in.status_code == 201, checked_in.text
    screening = {
        "citizen_id": citizen_id,
        "product_code": COMIRNATY,
        "answers": NO_TO_EVERYTHING,
        "vitals": NORMAL_VITALS,
    }
    screened = await poll_until(  # injection learns the citizen and the check-in from the streams
        lambda: gateway.post("/screenings", json=screening, headers=vaccinator),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the screening, once injection knows the citizen",
    )
    assert screened.json()["outcome"] == "eligible"
    dose = {
        "citizen_id": citizen_id,
        "product_code": COMIRNATY,
        "lot_number": "FF2587",
        "body_site": "left_deltoid",
    }
    recorded = await poll_until(
        lambda: gateway.post("/doses", json=dose, headers=vaccinator),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the dose, once injection knows the check-in and the lot",
    )
    assert recorded.json()["dose_number"] == 1

    mine = await poll_until(
        lambda: gateway.get("/certificates/me", headers=citizen),
        accept=lambda r: r.status_code == 200 and bool(r.json()["items"]),
        timeout_s=30,
        what="the certificate of the dose",
    )
    [certificate] = mine.json()["items"]
    assert (certificate["level"], certificate["status"]) == ("partial", "valid")
    assert certificate["dose_id"] == recorded.json()["dose_id"]
    verified = await gateway.post("/certificates/verify", json={"qr": certificate["hc1"]})
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True
