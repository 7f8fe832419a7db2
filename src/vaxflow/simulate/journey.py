"""One citizen's campaign day through the gateway: log in, register, book (or walk in), come,
be screened, vaccinated and observed, then fetch, download and present the certificate."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from vaxflow.simulate.actors import Citizen, SimSite
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.gateway import LOST, Answer, Gateway
from vaxflow.simulate.metrics import Recorder
from vaxflow.simulate.otp import OtpInbox
from vaxflow.simulate.people import People

NO_TO_EVERYTHING = {
    "anaphylaxis_to_covid_vaccine": False,
    "severe_allergy_history": False,
    "other_allergy_history": False,
    "acute_illness": False,
    "covid19_last_6_months": False,
    "other_vaccine_last_14_days": False,
    "chronic_disease_uncontrolled": False,
    "chronic_disease_controlled": False,
    "immunodeficiency_or_immunosuppression": False,
    "pregnant_under_13_weeks": False,
    "pregnant_13_weeks_or_more": False,
    "breastfeeding": False,
    "clotting_disorder_or_anticoagulants": False,
}
# Refusals that mean injection has not yet read the citizen, check-in, screening or lot from
# the event streams: the step is tried again until the configured deadline.
NOT_YET_SCREENING = frozenset({"citizen_unknown"})
NOT_YET_DOSE = frozenset(
    {"citizen_unknown", "not_checked_in", "site_area_unknown", "no_screening", "lot_not_at_site"}
)
MILD = ("injection_site_pain", "fatigue", "headache", "myalgia", "fever")


@dataclass
class Context:
    """What every journey shares."""

    config: SimulationConfig
    gateway: Gateway
    recorder: Recorder
    otp: OtpInbox
    people: People
    sites: list[SimSite]
    today: date
    rng: random.Random
    verifier_source: str

    async def until(self, at_s: float) -> None:
        """Sleep until this many seconds after the run started."""
        delay = at_s - self.recorder.elapsed()
        if delay > 0:
            await asyncio.sleep(delay)


async def login(ctx: Context, citizen: Citizen) -> bool:
    """The phone login: ask for a code, read it from the SMS outbox, verify it."""
    gw = ctx.gateway
    asked = await gw.expect(
        gw.call(
            citizen.source,
            "POST /auth/otp/request",
            "POST",
            "/auth/otp/request",
            json={"phone": citizen.phone},
        ),
        "POST /auth/otp/request",
        202,
    )
    if asked is None:
        return False
    code = await ctx.otp.code_for(citizen.phone)
    if code is None:
        ctx.recorder.error("POST /auth/otp/request", "no code in the SMS outbox")
        return False
    verified = await gw.expect(
        gw.call(
            citizen.source,
            "POST /auth/otp/verify",
            "POST",
            "/auth/otp/verify",
            json={"phone": citizen.phone, "code": code},
        ),
        "POST /auth/otp/verify",
        200,
    )
    if verified is None:
        return False
    citizen.token = str(verified.body["access_token"])
    citizen.refresh_token = str(verified.body["refresh_token"])
    citizen.logged_in_at = time.monotonic()
    return True


async def bearer(ctx: Context, citizen: Citizen) -> str:
    """The citizen's access token, renewed with the refresh token when it is getting old."""
    if time.monotonic() - citizen.logged_in_at < 600:
        return citizen.token
    answer = await ctx.gateway.call(
        citizen.source,
        "POST /auth/refresh",
        "POST",
        "/auth/refresh",
        json={"refresh_token": citizen.refresh_token},
    )
    if answer.status == 200:
        citizen.token = str(answer.body["access_token"])
        citizen.refresh_token = str(answer.body["refresh_token"])
        citizen.logged_in_at = time.monotonic()
    else:
        ctx.recorder.error("POST /auth/refresh", f"{answer.status} {answer.text}")
    return citizen.token


async def register(ctx: Context, citizen: Citizen) -> bool:
    """Register the account holder (a new national ID when one is taken already)."""
    for _ in range(3):
        body = ctx.people.person(citizen.phone)
        answer = await ctx.gateway.call(
            citizen.source, "POST /citizens", "POST", "/citizens", json=body, token=citizen.token
        )
        if answer.status == 201:
            citizen.citizen_id = str(answer.body["citizen_id"])
            ctx.recorder.count("registered")
            return True
        if answer.status != 409:
            break
    ctx.recorder.error("POST /citizens", f"{answer.status} {answer.text}")
    return False


async def book(ctx: Context, citizen: Citizen, site: SimSite) -> bool:
    """Look at today's free places at the site and book one; False when none is left."""
    gw = ctx.gateway
    for _ in range(3):
        free = await gw.expect(
            gw.call(
                citizen.source,
                "GET /availability",
                "GET",
                "/availability",
                params={"site_id": site.site_id, "date": ctx.today.isoformat()},
            ),
            "GET /availability",
            200,
        )
        if free is None:
            return False
        now = datetime.now().astimezone()
        slots = [
            s["slot"]
            for item in free.body["items"]
            if item["session_id"] == site.session_id
            for s in item["slots"]
            if s["free"] > 0 and datetime.fromisoformat(s["end"]) > now
        ]
        if not slots:
            return False
        slot = ctx.rng.choice(slots[:4])
        body = {"citizen_id": citizen.citizen_id, "session_id": site.session_id, "slot": slot}

        async def send(body: dict[str, Any] = body) -> Answer:
            return await gw.call(
                citizen.source,
                "POST /appointments",
                "POST",
                "/appointments",
                json=body,
                token=citizen.token,
            )

        booked = await gw.until_ready(
            send,
            "POST /appointments",
            201,
            ctx.config.ready_timeout_s,
            not_yet=(403, 404, 422),
            refused=(409,),  # the slot filled up since the availability was read: try again
        )
        if booked is not None:
            citizen.appointment = booked.body
            site.bookings[slot] = site.bookings.get(slot, 0) + 1
            ctx.recorder.count("booked")
            return True
    return False


async def cancel(ctx: Context, citizen: Citizen, site: SimSite) -> None:
    """Cancel the appointment from the portal, again when the answer was lost."""
    assert citizen.appointment is not None
    appointment_id = citizen.appointment["appointment_id"]
    gw = ctx.gateway
    statuses: list[int] = []

    async def send() -> Answer:
        answer = await gw.call(
            citizen.source,
            "DELETE /appointments/{id}",
            "DELETE",
            f"/appointments/{appointment_id}",
            token=citizen.token,
            ids={"appointment_id": appointment_id, "citizen_id": citizen.citizen_id},
        )
        statuses.append(answer.status)
        return answer

    done = await gw.until_ready(
        send,
        "DELETE /appointments/{id}",
        200,
        ctx.config.ready_timeout_s,
        not_yet=(),
        refused=(409,),
    )
    # A 409 "no longer booked" after an attempt whose answer was lost: that attempt cancelled it.
    lost_then_done = statuses[-1:] == [409] and any(s in LOST for s in statuses[:-1])
    if done is not None or lost_then_done:
        slot = citizen.appointment["slot"]
        site.bookings[slot] -= 1
        ctx.recorder.count("cancelled")
    elif statuses[-1:] == [409]:
        ctx.recorder.error("DELETE /appointments/{id}", "409: the appointment was not booked")


async def check_in(ctx: Context, citizen: Citizen, site: SimSite) -> bool:
    """At the desk: the QR code of the appointment, or the citizen id for a walk-in."""
    body: dict[str, Any] = {"site_id": site.site_id}
    if citizen.appointment is not None:
        body["token"] = citizen.appointment["check_in_token"]
    else:
        body["citizen_id"] = citizen.citizen_id
    gw = ctx.gateway
    token = await site.vaccinator.bearer(gw)

    statuses: list[int] = []

    async def send() -> Answer:
        answer = await gw.call(
            site.vaccinator.source,
            "POST /check-ins",
            "POST",
            "/check-ins",
            json=body,
            token=token,
            ids={"citizen_id": citizen.citizen_id},
        )
        statuses.append(answer.status)
        return answer

    done = await gw.until_ready(
        send,
        "POST /check-ins",
        201,
        ctx.config.ready_timeout_s,
        not_yet=(404, 422),
        refused=(409,),
    )
    if done is None and statuses[-1:] == [409]:
        if any(s in LOST for s in statuses):  # a retry after a request that went through
            ctx.recorder.count("checked_in_on_retry")
            return True
        ctx.recorder.error("POST /check-ins", "409: checked in twice")
    if done is not None:
        ctx.recorder.count("checked_in")
    return done is not None


async def screen(ctx: Context, citizen: Citizen, site: SimSite) -> str | None:
    """The screening with the doctor; the outcome recorded, or None when it failed."""
    answers = dict(NO_TO_EVERYTHING)
    vitals: dict[str, Any] = {
        "temperature_c": round(ctx.rng.uniform(36.2, 37.2), 1),
        "pulse_per_min": ctx.rng.randrange(62, 96),
        "systolic_mmhg": ctx.rng.randrange(105, 138),
        "diastolic_mmhg": ctx.rng.randrange(65, 88),
        "spo2_percent": ctx.rng.randrange(96, 100),
    }
    if citizen.plan.screening == "postpone":
        answers["acute_illness"] = True
        vitals["temperature_c"] = 38.1
    elif citizen.plan.screening == "refer":
        answers["severe_allergy_history"] = True
    body = {
        "citizen_id": citizen.citizen_id,
        "site_id": site.site_id,
        "product_code": site.product_code,
        "answers": answers,
        "vitals": vitals,
    }
    gw = ctx.gateway
    token = await site.vaccinator.bearer(gw)

    async def send() -> Answer:
        return await gw.call(
            site.vaccinator.source,
            "POST /screenings",
            "POST",
            "/screenings",
            json=body,
            token=token,
        )

    done = await gw.until_ready(
        send,
        "POST /screenings",
        201,
        ctx.config.ready_timeout_s,
        not_yet=(422,),
        rules=NOT_YET_SCREENING,
    )
    if done is None:
        return None
    outcome = str(done.body["outcome"])
    ctx.recorder.count(f"screened_{outcome}")
    return outcome


async def vaccinate(ctx: Context, citizen: Citizen, site: SimSite) -> bool:
    """The injection, recorded at once."""
    body = {
        "citizen_id": citizen.citizen_id,
        "site_id": site.site_id,
        "product_code": site.product_code,
        "lot_number": site.lot_number,
        "body_site": ctx.rng.choice(("left_deltoid", "right_deltoid")),
    }
    gw = ctx.gateway
    token = await site.vaccinator.bearer(gw)

    async def send() -> Answer:
        return await gw.call(
            site.vaccinator.source, "POST /doses", "POST", "/doses", json=body, token=token
        )

    done = await gw.until_ready(
        send, "POST /doses", 201, ctx.config.ready_timeout_s, not_yet=(422,), rules=NOT_YET_DOSE
    )
    if done is None:
        return False
    citizen.dose_id = str(done.body["dose_id"])
    citizen.dose_recorded_at = str(done.body["recorded_at"])
    site.doses += 1
    ctx.recorder.dose()
    return True


async def observe(ctx: Context, citizen: Citizen, site: SimSite) -> None:
    """The end of the observation, with the reactions seen."""
    reactions: list[dict[str, Any]] = []
    if citizen.plan.reaction == "mild":
        code = ctx.rng.choice(MILD)
        reactions = [{"code": code, "severity": "mild", "onset_minutes": ctx.rng.randrange(5, 25)}]
    elif citizen.plan.reaction == "serious":
        reactions = [{"code": "anaphylaxis", "severity": "severe", "onset_minutes": 8}]
    body = {
        "dose_id": citizen.dose_id,
        "observed_minutes": ctx.config.observation_minutes,
        "reactions": reactions,
    }
    gw = ctx.gateway
    token = await site.vaccinator.bearer(gw)

    async def send() -> Answer:
        return await gw.call(
            site.vaccinator.source,
            "POST /observations",
            "POST",
            "/observations",
            json=body,
            token=token,
        )

    done = await gw.until_ready(
        send, "POST /observations", 201, ctx.config.ready_timeout_s, not_yet=(404,)
    )
    if done is not None:
        ctx.recorder.count(f"observed_{citizen.plan.reaction}")


async def certificate(ctx: Context, citizen: Citizen) -> None:
    """Wait for the certificate of the dose in the app; download and present it sometimes."""
    gw = ctx.gateway
    give_up = time.monotonic() + ctx.config.certificate_timeout_s
    found: dict[str, Any] | None = None
    while found is None and time.monotonic() < give_up:
        mine = await gw.call(
            citizen.source,
            "GET /certificates/me",
            "GET",
            "/certificates/me",
            token=await bearer(ctx, citizen),
            timeout_s=ctx.config.slow_request_timeout_s,
        )
        if mine.status == 200:
            found = next((c for c in mine.body["items"] if c["dose_id"] == citizen.dose_id), None)
        elif mine.status:
            ctx.recorder.error("GET /certificates/me", f"{mine.status} {mine.text}")
            return
        if found is None:
            ctx.recorder.retry("GET /certificates/me")
            await asyncio.sleep(0.5)
    if found is None:
        ctx.recorder.error("GET /certificates/me", "no certificate for the dose in time")
        return
    citizen.certificate_id = str(found["id"])
    issued = datetime.fromisoformat(found["issued_at"])
    recorded = datetime.fromisoformat(citizen.dose_recorded_at)
    ctx.recorder.dose_to_certificate.append((issued - recorded).total_seconds())
    ctx.recorder.count("certificates_seen")
    if citizen.plan.downloads:
        await gw.expect(
            gw.call(
                citizen.source,
                "GET /certificates/{id}.pdf",
                "GET",
                f"/certificates/{citizen.certificate_id}.pdf",
                token=await bearer(ctx, citizen),
                raw=True,
            ),
            "GET /certificates/{id}.pdf",
            200,
        )
        ctx.recorder.count("certificates_downloaded")
    if citizen.plan.verifies:
        checked = await gw.expect(
            gw.call(
                ctx.verifier_source,
                "POST /certificates/verify",
                "POST",
                "/certificates/verify",
                json={"qr": found["hc1"]},
            ),
            "POST /certificates/verify",
            200,
        )
        if checked is not None and checked.body["valid"]:
            ctx.recorder.count("certificates_verified")


async def citizen_day(ctx: Context, citizen: Citizen) -> None:
    """The whole day of one citizen, each step when it is due (open loop)."""
    plan = citizen.plan
    site = ctx.sites[plan.site]
    await ctx.until(plan.start_s)
    if not await login(ctx, citizen) or not await register(ctx, citizen):
        return
    if plan.books and not await book(ctx, citizen, site):
        ctx.recorder.count("booking_full_walks_in")
    if citizen.appointment is not None and plan.cancels:
        await cancel(ctx, citizen, site)
        return
    if citizen.appointment is not None and plan.no_show:
        ctx.recorder.count("no_show")
        return
    await ctx.until(plan.arrival_s)
    if not await check_in(ctx, citizen, site):
        return
    await asyncio.sleep(ctx.rng.uniform(2, 10) * 60 / ctx.config.speedup)  # the queue
    outcome = await screen(ctx, citizen, site)
    if outcome not in ("eligible", "caution"):
        return
    if not await vaccinate(ctx, citizen, site):
        return
    await asyncio.sleep(ctx.config.observation_minutes * 60 / ctx.config.speedup)
    await asyncio.gather(observe(ctx, citizen, site), certificate(ctx, citizen))
