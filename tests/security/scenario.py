"""The objects the authorisation matrix talks about, made through the gateway as users would.

Citizen A (phone account `citizen`) walks in at site A, is screened and vaccinated and holds a
certificate; citizen B (`other_citizen`) has an appointment at site A; `district_admin_a` imported
a CSV file. Fresh objects (a new family member, a dose, an appointment) are made on demand for the
calls that consume them, so every allowed write can succeed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from tests.integration.injection.conftest import NO_TO_EVERYTHING, NORMAL_VITALS
from tests.integration.registration.people import csv_file, person
from tests.security.principals import Principals
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

COMIRNATY = "EU/1/20/1528"  # the seed stocks lot FF2587 of it at every demo site
LOT = "FF2587"
QUAN_1 = {"province_code": "79", "ward_code": "26743", "line": "12 Lê Lợi"}  # district 760


def unique_name(family_and_given: str) -> str:
    """The name with a middle name no one else in this run has ("Trần Bdhc Thị Hoa").

    The leak tests look for one person's name in answers to another account: two people of
    the run sharing a name from the small pool would read as a leak.
    """
    letters = "".join("bcdfghklmnpqrstv"[int(d, 16)] for d in uuid.uuid4().hex[:8])
    family, _, given = family_and_given.partition(" ")
    return f"{family} {letters.capitalize()} {given}"


def resident(**overrides: Any) -> dict[str, Any]:
    """A registration body for a new adult living in district 760 (site A's), uniquely named."""
    body = person(address=QUAN_1, **overrides)
    year = int(body["date_of_birth"][:4])
    if year > date.today().year - 19:  # adults only: every product of the seed takes them
        return resident(**overrides)
    return body | {"full_name": overrides.get("full_name") or unique_name(body["full_name"])}


@dataclass
class World:
    """The principals, the shared objects, and factories of fresh ones."""

    gateway: httpx.AsyncClient
    principals: Principals
    citizen_a: str = ""
    citizen_b: str = ""
    appointment_b: str = ""
    session_id: str = ""
    slot: str = ""
    dose_a: str = ""
    certificate_a: str = ""
    hc1_a: str = ""
    import_id: str = ""
    lot_id: str = ""
    campaign_id: str = ""
    claimable: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # citizen id -> what was sent
    caller: str = ""  # who the next recipe is for (set by the tests)
    started_at_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    shared: dict[str, Any] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return self.principals[who]

    async def register(
        self, account: str | None = None, relationship: str = "family_member"
    ) -> str:
        """A new person registered by this phone account (default: a new one); their id."""
        account = account or self.principals.new_phone_account()
        body = resident(relationship=relationship)
        created = await self.gateway.post("/citizens", json=body, headers=self.headers(account))
        assert created.status_code == 201, created.text
        citizen_id: str = created.json()["citizen_id"]
        self.people[citizen_id] = body
        return citizen_id

    async def check_in(self, citizen_id: str, who: str = "vaccinator_a") -> httpx.Response:
        """Walk the citizen in at site A (once scheduling has learnt of them)."""
        body = {"site_id": DEMO_SITE.site_id, "citizen_id": citizen_id}
        return await until(
            lambda: self.gateway.post("/check-ins", json=body, headers=self.headers(who)),
            {201},
            "a walk-in check-in",
        )

    def screening(self, citizen_id: str) -> dict[str, Any]:
        return {
            "citizen_id": citizen_id,
            "product_code": COMIRNATY,
            "answers": NO_TO_EVERYTHING,
            "vitals": NORMAL_VITALS,
        }

    def dose(self, citizen_id: str) -> dict[str, Any]:
        return {
            "citizen_id": citizen_id,
            "product_code": COMIRNATY,
            "lot_number": LOT,
            "body_site": "left_deltoid",
        }

    async def ready(self) -> str:
        """A new citizen checked in at site A and screened eligible: ready for a dose."""
        citizen_id = await self.register()
        await self.check_in(citizen_id)
        vaccinator = self.headers("vaccinator_a")
        await until(
            lambda: self.gateway.post(
                "/screenings", json=self.screening(citizen_id), headers=vaccinator
            ),
            {201},
            "a screening, once injection knows the citizen",
        )
        return citizen_id

    async def dosed(self) -> tuple[str, str]:
        """A new citizen with a dose at site A: (citizen id, dose id)."""
        citizen_id = await self.ready()
        recorded = await until(
            lambda: self.gateway.post(
                "/doses", json=self.dose(citizen_id), headers=self.headers("vaccinator_a")
            ),
            {201},
            "a dose, once injection knows the check-in",
        )
        return citizen_id, str(recorded.json()["dose_id"])

    async def appointment(self, account: str) -> tuple[str, str]:
        """A new family member of the account booked at site A: (citizen id, appointment id)."""
        citizen_id = await self.register(account)
        body = {"citizen_id": citizen_id, "session_id": self.session_id, "slot": self.slot}
        booked = await until(
            lambda: self.gateway.post("/appointments", json=body, headers=self.headers(account)),
            {201},
            "a booking, once scheduling knows the citizen",
        )
        return citizen_id, str(booked.json()["appointment_id"])

    async def known_to_scheduling_as(self, account: str, citizen_id: str) -> None:
        """Wait until scheduling has consumed the registration of this account's citizen."""
        await until(
            lambda: self.gateway.get(
                "/appointments", params={"citizen_id": citizen_id}, headers=self.headers(account)
            ),
            {200},
            "scheduling learning of a citizen",
        )


async def until(
    call: Callable[[], Awaitable[httpx.Response]], statuses: set[int], what: str
) -> httpx.Response:
    """Repeat a call until its status is one of `statuses` (services learn from event streams)."""
    response = await poll_until(
        call, accept=lambda r: r.status_code in statuses, timeout_s=45, what=what
    )
    assert response is not None
    return response


async def build_world(gateway: httpx.AsyncClient, principals: Principals) -> World:
    """Make the shared objects."""
    world = World(gateway, principals)
    admin = world.headers("admin")
    world.citizen_a = await world.register("citizen", relationship="self")
    world.citizen_b = await world.register("other_citizen", relationship="self")

    sessions = await gateway.get(f"/sites/{DEMO_SITE.site_id}/sessions", headers=admin)
    assert sessions.status_code == 200, sessions.text
    session = next(
        s
        for s in sessions.json()["items"]
        if s["product_code"] == COMIRNATY
        and s["free"] > 20
        and date.fromisoformat(s["date"]) > date.today()
    )
    world.session_id = session["session_id"]
    world.slot = next(slot["slot"] for slot in session["slots"] if slot["free"] > 5)
    body = {"citizen_id": world.citizen_b, "session_id": world.session_id, "slot": world.slot}
    booked = await until(
        lambda: gateway.post("/appointments", json=body, headers=world.headers("other_citizen")),
        {201},
        "citizen B's booking",
    )
    world.appointment_b = booked.json()["appointment_id"]

    await world.check_in(world.citizen_a)
    vaccinator = world.headers("vaccinator_a")
    screening = world.screening(world.citizen_a)
    await until(
        lambda: gateway.post("/screenings", json=screening, headers=vaccinator), {201}, "screening"
    )
    dose = await until(
        lambda: gateway.post("/doses", json=world.dose(world.citizen_a), headers=vaccinator),
        {201},
        "citizen A's dose",
    )
    world.dose_a = dose.json()["dose_id"]
    mine = await poll_until(
        lambda: gateway.get("/certificates/me", headers=world.headers("citizen")),
        accept=lambda r: r.status_code == 200 and bool(r.json()["items"]),
        timeout_s=45,
        what="citizen A's certificate",
    )
    certificate = mine.json()["items"][0]
    world.certificate_a, world.hc1_a = certificate["id"], certificate["hc1"]

    world.claimable = [resident(relationship="self") for _ in range(2)]
    importer = world.headers("district_admin_a")
    imported = await gateway.post(
        "/registration/imports",
        content=csv_file(world.claimable),
        headers=importer | {"Content-Type": "text/csv"},
    )
    assert imported.status_code == 202, imported.text
    world.import_id = imported.json()["import_id"]
    await poll_until(
        lambda: gateway.get(f"/registration/imports/{world.import_id}", headers=importer),
        accept=lambda r: r.status_code == 200 and r.json()["state"] == "completed",
        timeout_s=45,
        what="the import",
    )

    stock = await gateway.get(f"/sites/{DEMO_SITE.site_id}/stock", headers=admin)
    assert stock.status_code == 200, stock.text
    world.lot_id = next(i["lot_id"] for i in stock.json()["items"] if i["lot_number"] == LOT)
    campaigns = await gateway.get("/campaigns", headers=admin)
    world.campaign_id = campaigns.json()["items"][0]["campaign_id"]
    return world


def unknown_id() -> str:
    return str(uuid.uuid4())


def future(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def gather(*calls: Awaitable[Any]) -> list[Any]:
    return list(await asyncio.gather(*calls))
