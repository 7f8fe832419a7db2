"""AEFI through the gateway: a serious reaction seen at the site opens a case the MCC operator
sees; a citizen reports about their own dose; reports they may not make are refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import gateway_client, vaccinate_walk_in
from tests.e2e.test_monitoring_lots import demo_staff, own_lot, rules_of
from tests.e2e.test_registration_flows import citizen_headers
from tests.integration.registration.people import person
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", "monitoring", request_timeout_s=30
    ) as client:
        yield client


async def vaccinated(
    gateway: httpx.AsyncClient, vaccinator: dict[str, str], lot_number: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """A new phone account whose person walked in and got a dose of the lot: (headers, dose)."""
    citizen = await citizen_headers(gateway)
    registered = await gateway.post("/citizens", json=person(relationship="self"), headers=citizen)
    assert registered.status_code == 201, registered.text
    citizen_id = registered.json()["citizen_id"]
    recorded = await vaccinate_walk_in(gateway, vaccinator, citizen_id, lot_number=lot_number)
    return citizen, recorded.json()


async def test_a_serious_observation_opens_a_case_the_operator_sees(
    gateway: httpx.AsyncClient,
) -> None:
    operator = await demo_staff(gateway, "mcc_operator")
    vaccinator = await demo_staff(gateway, "vaccinator")
    lot_id, lot_number = await own_lot(gateway, operator)
    _, dose = await vaccinated(gateway, vaccinator, lot_number)
    observation = {
        "dose_id": dose["dose_id"],
        "observed_minutes": 30,
        "reactions": [{"code": "anaphylaxis", "severity": "severe", "onset_minutes": 6}],
    }

    observed = await gateway.post("/observations", json=observation, headers=vaccinator)
    assert observed.status_code == 201, observed.text
    page = await poll_until(
        lambda: gateway.get("/aefi", params={"lot_id": lot_id}, headers=operator),
        accept=lambda r: r.status_code == 200 and bool(r.json()["items"]),
        timeout_s=30,
        what="the AEFI case opened from the observation",
    )

    [case] = page.json()["items"]
    assert case["dose_id"] == dose["dose_id"]
    assert (case["source"], case["status"], case["serious"]) == (
        "site_observation",
        "reported",
        True,
    )
    read = await gateway.get(f"/aefi/{case['aefi_id']}", headers=operator)
    assert read.json()["symptom_codes"] == ["anaphylaxis"]


async def test_a_citizen_reports_about_their_own_dose_and_bad_reports_are_refused(
    gateway: httpx.AsyncClient,
) -> None:
    operator = await demo_staff(gateway, "mcc_operator")
    vaccinator = await demo_staff(gateway, "vaccinator")
    _, lot_number = await own_lot(gateway, operator)
    citizen, dose = await vaccinated(gateway, vaccinator, lot_number)
    stranger = await citizen_headers(gateway)
    given = datetime.fromisoformat(dose["administered_at"])
    report = {
        "dose_id": dose["dose_id"],
        "onset_at": (given + timedelta(minutes=1)).isoformat(),
        "symptom_codes": ["fever", "headache"],
        "severity": "mild",
        "outcome": "recovering",
        "description": "Felt feverish after the dose.",
    }

    made = await poll_until(  # monitoring learns the dose and the account from the streams
        lambda: gateway.post("/aefi", json=report, headers=citizen),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the citizen's report, once monitoring knows the dose",
    )
    not_theirs = await gateway.post("/aefi", json=report, headers=stranger)
    before_dose = await gateway.post(
        "/aefi",
        json=report | {"onset_at": (given - timedelta(hours=1)).isoformat()},
        headers=citizen,
    )
    in_future = await gateway.post(
        "/aefi",
        json=report | {"onset_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()},
        headers=citizen,
    )
    by_lot = {k: v for k, v in report.items() if k != "dose_id"}
    unknown_lot = await gateway.post(
        "/aefi",
        json=by_lot
        | {"lot_id": "00000000-0000-4000-8000-000000000000", "citizen_id": dose["citizen_id"]},
        headers=citizen,
    )

    assert made.json()["source"] == "citizen_report"
    assert (
        await gateway.get(f"/aefi/{made.json()['aefi_id']}", headers=citizen)
    ).status_code == 200
    assert (
        await gateway.get(f"/aefi/{made.json()['aefi_id']}", headers=stranger)
    ).status_code == 404
    assert not_theirs.status_code == 403
    assert before_dose.status_code == 422
    assert "onset_before_dose" in rules_of(before_dose)
    assert in_future.status_code == 422
    assert "onset_in_future" in rules_of(in_future)
    assert unknown_lot.status_code == 422
    assert "unknown_lot" in rules_of(unknown_lot)
