"""Who acts in a run: the sites (with their session, staff and lot) and the citizens' plans."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.gateway import Answer, Gateway

TOKEN_REFRESH_S = 600.0  # access tokens live 15 minutes: renew well before
DOSES_PER_VIAL = {"EU/1/20/1528": 6, "EU/1/21/1529": 10}


@dataclass
class Staff:
    """A staff login of the run (a site's vaccinator or manager, or the admin)."""

    username: str
    password: str
    source: str
    token: str = ""
    logged_in_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def bearer(self, gateway: Gateway) -> str:
        """A fresh access token (one login at a time, again when the last one is old)."""
        async with self._lock:
            if self.token and time.monotonic() - self.logged_in_at < TOKEN_REFRESH_S:
                return self.token
            body = {"username": self.username, "password": self.password}

            async def send() -> Answer:
                return await gateway.call(
                    self.source, "POST /auth/staff/login", "POST", "/auth/staff/login", json=body
                )

            answer = await gateway.until_ready(send, "POST /auth/staff/login", 200, 120, ())
            if answer is None:
                raise RuntimeError(f"staff login of {self.username} failed")
            self.token = str(answer.body["access_token"])
            self.logged_in_at = time.monotonic()
            return self.token


@dataclass
class SimSite:
    """A site taking part: today's session, its staff, the run's own lot."""

    site_id: str
    session_id: str
    product_code: str
    district: str
    vaccinator: Staff
    manager: Staff
    lot_number: str
    lot_id: str = ""
    received: int = 0
    wasted: int = 0
    doses: int = 0
    bookings: dict[str, int] = field(default_factory=dict)  # slot -> places the run holds


@dataclass(frozen=True, slots=True)
class Plan:
    """What one citizen will do, drawn before the run from the seeded random stream."""

    index: int
    site: int
    start_s: float  # registration and booking, seconds after the run starts
    arrival_s: float  # arrival at the site
    books: bool
    cancels: bool
    no_show: bool
    screening: str  # eligible | postpone | refer
    reaction: str  # none | mild | serious
    downloads: bool
    verifies: bool


@dataclass
class Citizen:
    """A citizen during the run: their login, record, appointment and dose."""

    plan: Plan
    phone: str
    source: str
    token: str = ""
    refresh_token: str = ""
    logged_in_at: float = 0.0
    citizen_id: str = ""
    appointment: dict[str, Any] | None = None
    dose_id: str = ""
    dose_recorded_at: str = ""
    certificate_id: str = ""


def arrival_profile(rng: random.Random, span_s: float) -> float:
    """An arrival time in [0, span): busier mid-morning and early afternoon, as sites see it."""
    while True:
        x = rng.random()
        # two humps (morning peak higher) over a flat base
        weight = 0.5 + 0.9 * _hump(x, 0.3, 0.15) + 0.6 * _hump(x, 0.7, 0.15)
        if rng.random() * 2.0 < weight:
            return x * span_s


def _hump(x: float, centre: float, width: float) -> float:
    return max(0.0, 1 - ((x - centre) / width) ** 2)


def plans(config: SimulationConfig, sites: int, rng: random.Random) -> list[Plan]:
    """Every citizen's plan, in order of arrival."""
    s = config.shares
    span = config.wall_seconds
    lead = config.booking_lead_minutes * 60 / config.speedup
    drawn = []
    for i in range(config.citizens()):
        arrival = arrival_profile(rng, span)
        books = rng.random() < s.self_booking
        fate = rng.random()
        cancels = books and fate < s.cancellation
        no_show = books and not cancels and fate < s.cancellation + s.no_show
        roll = rng.random()
        screening = (
            "refer"
            if roll < s.referral
            else "postpone"
            if roll < s.referral + s.postponement
            else "eligible"
        )
        roll = rng.random()
        reaction = (
            "serious"
            if roll < s.serious_reaction
            else "mild"
            if roll < s.serious_reaction + s.mild_reaction
            else "none"
        )
        drawn.append(
            Plan(
                index=i,
                site=i % sites,
                start_s=max(0.0, arrival - rng.uniform(0.2, 1.0) * lead),
                arrival_s=arrival,
                books=books,
                cancels=cancels,
                no_show=no_show,
                screening=screening,
                reaction=reaction,
                downloads=rng.random() < s.certificate_download,
                verifies=rng.random() < s.certificate_verification,
            )
        )
    return sorted(drawn, key=lambda p: p.start_s)
