"""Check-in at the site (QR token or walk-in) and the day's queue of each site."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vaxflow_events import AdminArea, CheckInMethod, CitizenCheckedIn
from vaxflow_scheduling.domain.appointments import AppointmentStatus
from vaxflow_scheduling.domain.tokens import read_token
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.problems import forbidden, invalid_field, not_active
from vaxflow_scheduling.handlers.sites import site_of
from vaxflow_scheduling.metrics import QUEUE_LONGEST_WAIT, QUEUE_WAITING
from vaxflow_scheduling.store.checkins import check_in_key
from vaxflow_scheduling.store.sites import area_document
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.problems import ProblemError


@dataclass(frozen=True)
class CheckIn:
    """A citizen arrives: by scanned token, or by citizen id as a walk-in."""

    site_id: str
    token: str | None
    citizen_id: str | None
    correlation_id: str


async def check_in(cmd: CheckIn, caller: Principal, c: Components) -> dict[str, Any]:
    """Mark the arrival and give a queue number; 409 for a second check-in the same day."""
    site = await site_of(cmd.site_id, c)
    if caller.role == "mcc_operator" or not caller.covers_site(
        cmd.site_id, district=site.area.district_code
    ):
        raise forbidden("You may check people in only at your site.")
    citizen_id, appointment_id = await _who(cmd, c)
    key = check_in_key(cmd.site_id, c.today(), citizen_id)
    if (earlier := await c.check_ins.get(key)) is not None:
        raise _twice(earlier)
    number = await c.check_ins.next_number(cmd.site_id, c.today())
    doc = _document(key, cmd.site_id, citizen_id, appointment_id, number, c)
    event = CitizenCheckedIn(
        check_in_id=uuid.UUID(doc["check_in_id"]),
        citizen_id=uuid.UUID(citizen_id),
        site_id=uuid.UUID(cmd.site_id),
        appointment_id=uuid.UUID(appointment_id) if appointment_id else None,
        method=CheckInMethod(doc["method"]),
        queue_number=number,
        # Injection names the site's area on the dose from this, walk-ins included.
        site_area=AdminArea.model_validate(area_document(site.area)),
        site_label=site.label,
    )
    if not await c.check_ins.add(doc, [c.outbox(event, cmd.correlation_id)], c.now()):
        raise _twice(await c.check_ins.get(key) or doc)
    c.events_written()
    return doc


async def _who(cmd: CheckIn, c: Components) -> tuple[str, str | None]:
    if cmd.token is None:
        assert cmd.citizen_id is not None
        return cmd.citizen_id, None
    appointment_id = read_token(c.check_in_key, cmd.token)
    appointment = await c.appointments.get(str(appointment_id)) if appointment_id else None
    if appointment is None:
        raise invalid_field("token", "valid_token", "The QR code is not a VaxFlow check-in code.")
    if appointment.site_id != cmd.site_id:
        raise invalid_field("token", "this_site", "The appointment is at another site.")
    day = appointment.slot_start.astimezone(c.zone).date()
    if day < c.today():  # a code kept from a missed appointment does not jump today's queue
        raise invalid_field(
            "token", "appointment_day", f"The appointment was on {day.isoformat()}, not today."
        )
    if appointment.status is not AppointmentStatus.BOOKED:
        raise not_active(appointment.appointment_id, appointment.status.value)
    return appointment.citizen_id, appointment.appointment_id


def _document(
    key: str, site_id: str, citizen_id: str, appointment_id: str | None, number: int, c: Components
) -> dict[str, Any]:
    return {
        "_id": key,
        "check_in_id": str(uuid.uuid4()),
        "site_id": site_id,
        "date": c.today().isoformat(),
        "citizen_id": citizen_id,
        "appointment_id": appointment_id,
        "method": (CheckInMethod.QR_CODE if appointment_id else CheckInMethod.WALK_IN).value,
        "queue_number": number,
        "checked_in_at": c.now(),
        "status": "waiting",
    }


def _twice(earlier: dict[str, Any]) -> ProblemError:
    return ProblemError(
        409,
        "The citizen already checked in here today.",
        title="Already checked in",
        slug="already-checked-in",
        extensions={"queue_number": earlier["queue_number"]},
    )


async def queue_of(site_id: str, caller: Principal, c: Components) -> dict[str, Any]:
    """People checked in today and not yet vaccinated, their waits and the expected wait."""
    site = await site_of(site_id, c)
    if not caller.covers_site(site_id, district=site.area.district_code):
        raise forbidden("Your scope does not cover this site.")
    today, now = c.today(), c.now()
    day = await c.check_ins.of_day(site_id, today)
    waiting = [d for d in day if d["status"] == "waiting"]
    pace = _minutes_per_person(day, c.settings.default_minutes_per_person)
    people = [
        {
            "queue_number": d["queue_number"],
            "method": d["method"],
            "checked_in_at": d["checked_in_at"],
            "waiting_s": int((now - d["checked_in_at"]).total_seconds()),
        }
        for d in waiting
    ]
    longest = max((p["waiting_s"] for p in people), default=0)
    _export(site_id, len(people), longest)
    return {
        "site_id": site_id,
        "date": today,
        "waiting": len(people),
        "longest_wait_s": longest,
        "minutes_per_person": pace,
        "expected_wait_s": int(len(people) * pace * 60),
        "people": people,
    }


def _minutes_per_person(day: list[dict[str, Any]], default: float) -> float:
    """The site's pace today: minutes between the last vaccinations, or the default."""
    done: list[datetime] = sorted(d["done_at"] for d in day if d.get("done_at"))[-20:]
    if len(done) < 2:
        return default
    return round((done[-1] - done[0]).total_seconds() / 60 / (len(done) - 1), 2) or default


def _export(site_id: str, waiting: int, longest_wait_s: float) -> None:
    QUEUE_WAITING.labels(site_id).set(waiting)
    QUEUE_LONGEST_WAIT.labels(site_id).set(longest_wait_s)


async def export_queues(c: Components) -> int:
    """Write every site's queue of today to the metrics (zero where nobody waits); sites written.

    Run by a background loop, so the response centre sees crowding without anyone reading a
    queue. One read of today's waiting check-ins serves every site.
    """
    now = c.now()
    waiting: dict[str, list[datetime]] = {site.site_id: [] for site in await c.sites.all()}
    for d in await c.check_ins.waiting_on(c.today()):
        waiting.setdefault(d["site_id"], []).append(d["checked_in_at"])
    for site_id, arrivals in waiting.items():
        longest = max(((now - at).total_seconds() for at in arrivals), default=0)
        _export(site_id, len(arrivals), int(longest))
    return len(waiting)
