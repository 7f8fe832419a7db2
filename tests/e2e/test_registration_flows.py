"""Registration end to end: through the gateway, with real tokens from identity.

The stack runs registration (deploy/gateway/routes.toml); a citizen logs in with the code the
local SMS gateway wrote, staff with the seeded demo credentials, and every request goes
through nginx to the service, which verifies the tokens against identity's JWKS.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.e2e.gateway import gateway_client, outbox_path, seeded_staff
from tests.integration.registration.people import csv_file, person
from vaxflow_servicekit.sms import read_outbox
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

CODE = re.compile(r"\b(\d{6})\b")


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway, once identity and registration answer behind it."""
    async with gateway_client("registration") as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def staff() -> dict[str, dict[str, str]]:
    """The seeded demo staff by role (the first of each)."""
    by_role: dict[str, dict[str, str]] = {}
    for entry in await seeded_staff():
        by_role.setdefault(entry["role"], entry)
    return by_role


async def citizen_headers(gateway: httpx.AsyncClient) -> dict[str, str]:
    """Log a new phone account in with the code from the SMS outbox; its bearer header."""
    phone = "09" + f"{uuid.uuid4().int % 10**8:08d}"
    started = time.time() - 1
    assert (await gateway.post("/auth/otp/request", json={"phone": phone})).status_code == 202

    async def code() -> str | None:
        sent = [m for m in read_outbox(outbox_path())
                if m.to == "+84" + phone[1:] and m.sent_at.timestamp() >= started]  # fmt: skip
        return CODE.findall(sent[-1].text)[0] if sent else None

    verified = await gateway.post(
        "/auth/otp/verify", json={"phone": phone, "code": await poll_until(code, timeout_s=10)}
    )
    assert verified.status_code == 200, verified.text
    return {"Authorization": f"Bearer {verified.json()['access_token']}"}


async def staff_headers(gateway: httpx.AsyncClient, entry: dict[str, str]) -> dict[str, str]:
    """Log a demo staff member in; their bearer header."""
    body = {"username": entry["username"], "password": entry["password"]}
    response = await gateway.post("/auth/staff/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_citizen_registers_reads_and_corrects_their_record(
    gateway: httpx.AsyncClient,
) -> None:
    headers = await citizen_headers(gateway)
    body = person(relationship="self", full_name="Trần Thị Bình")

    created = await gateway.post("/citizens", json=body, headers=headers)
    me = await gateway.get("/citizens/me", headers=headers)
    corrected = await gateway.patch(
        "/citizens/me", json={"full_name": "Trần Thị Bính", "reason": "typo"}, headers=headers
    )
    book = await gateway.get("/citizens/me/health-book", headers=headers)

    assert created.status_code == 201, created.text
    assert me.json()["national_id"]["number"] == body["national_id"]
    assert corrected.json()["given_name"] == "Thị Bính"
    assert book.status_code == 200
    assert book.json()["items"] == []


async def test_a_citizen_cannot_read_another_accounts_citizen(gateway: httpx.AsyncClient) -> None:
    owner, intruder = await citizen_headers(gateway), await citizen_headers(gateway)
    created = await gateway.post("/citizens", json=person(), headers=owner)

    read = await gateway.get(
        "/citizens/me", params={"citizen_id": created.json()["citizen_id"]}, headers=intruder
    )

    assert read.status_code == 404
    assert read.headers["content-type"] == "application/problem+json"


async def test_a_registered_national_id_answers_409_through_the_gateway(
    gateway: httpx.AsyncClient,
) -> None:
    body = person()
    await gateway.post("/citizens", json=body, headers=await citizen_headers(gateway))

    again = await gateway.post("/citizens", json=body, headers=await citizen_headers(gateway))

    assert again.status_code == 409
    assert "recovery_url" in again.json()


async def test_staff_lookups_follow_scope_and_need_a_reason(
    gateway: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    created = await gateway.post("/citizens", json=person(), headers=await citizen_headers(gateway))
    citizen_id = created.json()["citizen_id"]
    operator = await staff_headers(gateway, staff["mcc_operator"])
    vaccinator = await staff_headers(gateway, staff["vaccinator"])

    seen = await gateway.get(
        f"/citizens/{citizen_id}", params={"reason": "hotline"}, headers=operator
    )
    unbooked = await gateway.get(
        f"/citizens/{citizen_id}", params={"reason": "desk"}, headers=vaccinator
    )
    no_reason = await gateway.get(f"/citizens/{citizen_id}", headers=operator)

    assert seen.status_code == 200
    assert seen.json()["national_id"]["number"] is None
    assert unbooked.status_code == 404
    assert no_reason.status_code == 422


async def test_a_district_admin_imports_a_csv_file(
    gateway: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    headers = await staff_headers(gateway, staff["district_admin"])
    people = [person() for _ in range(20)] + [person(phone="12345")]

    response = await gateway.post(
        "/registration/imports",
        content=csv_file(people, bom=True),
        headers=headers | {"Content-Type": "text/csv"},
    )

    assert response.status_code == 202, response.text
    location = response.headers["location"].removeprefix("/api/v1")

    async def state() -> Any:
        return (await gateway.get(location, headers=headers)).json()

    done = await poll_until(state, accept=lambda s: s["state"] == "completed", what="import")
    assert (done["counts"]["registered"], done["counts"]["rejected"]) == (20, 1)
    report = await gateway.get(f"{location}/report.csv", headers=headers)
    assert "phone_format" in report.text
