"""Issue 12, a booking bot is throttled without hurting others, through the gateway: scheduling
limits booking changes (bookings and cancellations) per phone account, and the gateway limits
booking writes per client address. Each side sends from a loopback address of its own, so the
suite's other requests (from 127.0.0.9) and other tests (from 127.0.0.1) keep their budgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from vaxflow_scheduling.settings import SchedulingSettings

from tests.e2e.gateway import STACK
from tests.security.scenario import World

pytestmark = pytest.mark.stack

PER_ACCOUNT = SchedulingSettings().booking_changes_per_citizen
GATEWAY_REFUSAL = "from this client; retry later"


@asynccontextmanager
async def sending_from(address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway client whose requests come from this loopback address (no retries)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(
        base_url=f"{STACK.gateway_url}/api/v1", timeout=30, transport=transport
    ) as client:
        yield client


async def known_citizen(world: World) -> tuple[str, str]:
    """A new phone account with one person scheduling already knows: (account, citizen id)."""
    account = world.principals.new_phone_account()
    citizen_id = await world.register(account)
    await world.known_to_scheduling_as(account, citizen_id)
    return account, citizen_id


def booking(world: World, citizen_id: str) -> dict[str, Any]:
    return {"citizen_id": citizen_id, "session_id": world.session_id, "slot": world.slot}


async def test_an_account_that_keeps_booking_and_cancelling_is_refused_and_others_book(
    world: World,
) -> None:
    bot, bots_person = await known_citizen(world)
    someone, their_person = await known_citizen(world)
    answers: list[int] = []

    async with sending_from("127.0.0.61") as client:
        headers = world.headers(bot)
        for _ in range(PER_ACCOUNT // 2):
            booked = await client.post(
                "/appointments", json=booking(world, bots_person), headers=headers
            )
            answers.append(booked.status_code)
            if booked.status_code != 201:
                break
            cancelled = await client.delete(
                f"/appointments/{booked.json()['appointment_id']}", headers=headers
            )
            answers.append(cancelled.status_code)
        over = await client.post("/appointments", json=booking(world, bots_person), headers=headers)
        appointments = await client.get(
            "/appointments", params={"citizen_id": bots_person}, headers=headers
        )
    async with sending_from("127.0.0.62") as other:
        theirs = await other.post(
            "/appointments", json=booking(world, their_person), headers=world.headers(someone)
        )

    assert answers == [201, 200] * (PER_ACCOUNT // 2)
    assert over.status_code == 429, over.text
    assert over.headers["content-type"] == "application/problem+json"
    assert over.json()["type"].endswith("/too-many-booking-changes")
    assert 0 < int(over.headers["retry-after"]) <= 3600
    # The refused booking took no place.
    assert [a["status"] for a in appointments.json()["items"]] == ["cancelled"] * (PER_ACCOUNT // 2)
    assert theirs.status_code == 201, theirs.text


async def test_an_address_that_floods_bookings_is_refused_at_the_gateway_and_others_book(
    world: World,
) -> None:
    someone, their_person = await known_citizen(world)
    burst = STACK.gateway_write_burst

    async with sending_from("127.0.0.63") as bot:
        flood = await asyncio.gather(
            *(bot.post("/appointments", json={}) for _ in range(2 * burst))
        )
        reads = await bot.get("/availability", params={"district": "760"})
    async with sending_from("127.0.0.64") as other:
        theirs = await other.post(
            "/appointments", json=booking(world, their_person), headers=world.headers(someone)
        )

    refused = [r for r in flood if r.status_code == 429]
    assert refused, [r.status_code for r in flood]
    assert all(GATEWAY_REFUSAL in r.text and r.headers["retry-after"] for r in refused)
    # The first of them reached scheduling (which refused the anonymous, empty booking).
    assert {r.status_code for r in flood} - {429} <= {401, 422}
    assert len(refused) < len(flood)
    # Reads from the same address are not writes: not limited by it.
    assert reads.status_code == 200, reads.text
    assert theirs.status_code == 201, theirs.text
