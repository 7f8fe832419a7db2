"""Invitations end to end: a site manager allocates places, the invited citizens get an SMS.

Scheduling allocates the places; registration, which holds the phone numbers, texts each
invited citizen the time and the place when `AppointmentBooked` (channel `invitation`) arrives.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from vaxflow_registration.domain.invitations import plain

from tests.e2e.gateway import gateway_client, outbox_path, seeded_staff
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.registration.people import cccd, person
from vaxflow_servicekit.sms import SmsMessage, read_outbox
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
AZ = "EU/1/21/1529"


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, once identity, registration and scheduling answer behind it."""
    async with gateway_client("registration", "scheduling", request_timeout_s=30) as client:
        yield client


async def test_invited_citizens_get_an_sms_with_the_time_and_the_place(
    gateway: httpx.AsyncClient,
) -> None:
    admin_entry = next(e for e in await seeded_staff() if e["role"] == "admin")
    admin = await staff_headers(gateway, admin_entry)
    # A session for people of 90 and over, and someone of 95 for it to invite.
    body = person(relationship="self")
    elder = body | {
        "date_of_birth": "1931-05-17",
        "national_id": cccd(1931, body["sex"], uuid.uuid4().int),
    }
    registered = await gateway.post("/citizens", json=elder, headers=await citizen_headers(gateway))
    assert registered.status_code == 201, registered.text
    phone = registered.json()["phone"]
    name = f"Trạm Y tế thử {uuid.uuid4().hex[:8]}"
    site = await gateway.post(
        "/sites",
        json={
            "name": name,
            "address": "2 Nguyễn Văn Trỗi, Phường 8",
            "area": {"province_code": "79", "district_code": "770", "ward_code": "27139"},
            "opens": "08:00",
            "closes": "09:00",
            "slot_minutes": 60,
            "daily_capacity": 50,
        },
        headers=admin,
    )
    assert site.status_code == 201, site.text
    day = datetime.now(LOCAL).date() + timedelta(days=2)
    session = await gateway.post(
        f"/sites/{site.json()['site_id']}/sessions",
        json={
            "date": day.isoformat(),
            "product_code": AZ,
            "doses": ["first"],
            "slot_capacity": 50,
            "min_age": 90,
        },
        headers=admin,
    )
    assert session.status_code == 201, session.text
    started = time.time() - 1

    citizen_id = registered.json()["citizen_id"]

    def invites_the_elder(response: httpx.Response) -> bool:
        given = response.json().get("appointments", []) if response.status_code == 201 else []
        return response.status_code != 201 or any(a["citizen_id"] == citizen_id for a in given)

    async def invite() -> httpx.Response:
        body = {"session_id": session.json()["session_id"], "count": 50}
        return await gateway.post("/invitations", json=body, headers=admin)

    # Until scheduling learns the citizen from registration.citizen.v1; elders left by earlier
    # runs on the same stack may be invited too.
    invited = await poll_until(invite, accept=invites_the_elder, what="the elder invited")

    assert invited.status_code == 201, invited.text

    async def texts() -> list[SmsMessage]:
        sent = read_outbox(outbox_path())
        return [m for m in sent if m.to == phone and m.sent_at.timestamp() >= started]

    [message] = await poll_until(texts, accept=lambda found: len(found) > 0, what="the SMS")
    assert f"mui 1 luc 08:00 ngay {day:%d/%m/%Y}" in message.text
    assert f"tai {plain(name)}, 2 Nguyen Van Troi, Phuong 8." in message.text
