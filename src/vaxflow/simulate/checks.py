"""After the day: the outcome checked through the public API; any failure is named.

- every dose recorded has exactly one current (valid) certificate, and it verifies;
- no slot of a session the run booked into holds more than its capacity;
- the run's lot at every site balances: received - administered - wasted + adjusted, with
  received, administered and wasted equal to what the run did.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from vaxflow.simulate.actors import Citizen, SimSite
from vaxflow.simulate.gateway import Gateway
from vaxflow.simulate.journey import Context, bearer


@dataclass
class Check:
    """One after-run check: passed, what it looked at, and the first problems found."""

    name: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)
        else:
            self.problems[-1] = f"... and more ({text})"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "checked": self.checked,
            "problems": self.problems,
        }


async def certificates(ctx: Context, citizens: list[Citizen]) -> Check:
    """Every dose: exactly one valid certificate for it, which the public verifier accepts."""
    check = Check("one current certificate per dose, and it verifies")
    gate = asyncio.Semaphore(ctx.config.check_concurrency)
    gw = ctx.gateway

    async def one(citizen: Citizen) -> None:
        async with gate:
            found: list[dict[str, Any]] = []
            give_up = time.monotonic() + ctx.config.certificate_timeout_s
            while True:
                mine = await gw.call(
                    citizen.source,
                    "GET /certificates/me",
                    "GET",
                    "/certificates/me",
                    token=await bearer(ctx, citizen),
                    timeout_s=ctx.config.slow_request_timeout_s,
                    params={"limit": 100},
                )
                if mine.status != 200:
                    check.problem(f"dose {citizen.dose_id}: GET /certificates/me {mine.status}")
                    return
                items = mine.body["items"]
                found = [c for c in items if c["dose_id"] == citizen.dose_id]
                current = [c for c in found if c["status"] == "valid"]
                if current or time.monotonic() > give_up:
                    break
                await asyncio.sleep(1.0)
            check.checked += 1
            if len(current) != 1:
                check.problem(f"dose {citizen.dose_id}: {len(current)} current certificates")
                return
            verified = await gw.call(
                ctx.verifier_source,
                "POST /certificates/verify",
                "POST",
                "/certificates/verify",
                json={"qr": current[0]["hc1"]},
            )
            if verified.status != 200 or not verified.body["valid"]:
                reason = verified.body.get("reason") if verified.body else verified.status
                check.problem(f"dose {citizen.dose_id}: certificate does not verify ({reason})")

    await asyncio.gather(*(one(c) for c in citizens if c.dose_id))
    return check


async def slots(gw: Gateway, sites: list[SimSite]) -> Check:
    """No slot holds more than its capacity: in the session, and counting the run's bookings."""
    check = Check("no slot over capacity")
    for site in sites:
        answer = await gw.call(
            site.manager.source,
            "GET /sessions/{id}",
            "GET",
            f"/sessions/{site.session_id}",
            token=await site.manager.bearer(gw),
        )
        if answer.status != 200:
            check.problem(f"session {site.session_id}: GET answered {answer.status}")
            continue
        for slot in answer.body["slots"]:
            check.checked += 1
            held = site.bookings.get(slot["slot"], 0)
            if slot["free"] < 0 or slot["free"] > slot["capacity"]:
                check.problem(f"{site.session_id} {slot['slot']}: free {slot['free']}")
            if held > slot["capacity"]:
                check.problem(
                    f"{site.session_id} {slot['slot']}: the run holds {held} places "
                    f"of {slot['capacity']}"
                )
    return check


async def stock(gw: Gateway, sites: list[SimSite], timeout_s: float) -> Check:
    """The run's lot at each site: the ledger adds up, and it counted every dose of the run."""
    check = Check("stock balances: received - administered - wasted + adjusted")
    for site in sites:
        give_up = time.monotonic() + timeout_s
        while True:
            lot = await _lot(gw, site)
            if (
                lot is not None
                and lot["administered"] == site.doses
                and lot["wasted"] == site.wasted
            ):
                break
            if time.monotonic() > give_up:
                break
            await asyncio.sleep(1.0)  # scheduling counts doses from injection's events
        check.checked += 1
        if lot is None:
            check.problem(f"site {site.site_id}: the run's lot {site.lot_number} is not listed")
            continue
        expected = {"received": site.received, "administered": site.doses, "wasted": site.wasted}
        for key, value in expected.items():
            if lot[key] != value:
                check.problem(f"site {site.site_id}: {key} {lot[key]}, the run made {value}")
        balance = lot["received"] - lot["administered"] - lot["wasted"] + lot["adjusted"]
        if lot["balance"] != balance:
            check.problem(f"site {site.site_id}: balance {lot['balance']}, ledger says {balance}")
    return check


async def _lot(gw: Gateway, site: SimSite) -> dict[str, Any] | None:
    answer = await gw.call(
        site.manager.source,
        "GET /sites/{id}/stock",
        "GET",
        f"/sites/{site.site_id}/stock",
        token=await site.manager.bearer(gw),
    )
    if answer.status != 200:
        return None
    lots: list[dict[str, Any]] = answer.body["items"]
    return next((lot for lot in lots if lot["lot_id"] == site.lot_id), None)
