"""The site's board for today: who was screened and waits for the dose, doses, observations.

The console of every device at a site reads this, so that a second device sees the person in
observation the first one recorded. Only staff of the site read it; anyone else's site id is
answered as an unknown one. It carries ids, not names: the console shows a name only for people
it checked in itself, and the queue number each got at check-in (from CitizenCheckedIn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from vaxflow_injection.domain.errors import NotFound
from vaxflow_injection.handlers.components import Components
from vaxflow_servicekit.auth import SITE_ROLES, Principal
from vaxflow_servicekit.mongo import Document

OBSERVATION_MINUTES = 30
"""How long a citizen is observed after the dose (Decision 3802/QĐ-BYT)."""
CLEARED = frozenset({"eligible", "caution"})
"""Screening outcomes after which the dose may be given at the site."""


@dataclass(frozen=True)
class ReadBoard:
    """Who reads which site's board, and at most how many entries per list."""

    staff: Principal
    site_id: UUID
    limit: int


@dataclass(frozen=True)
class SiteDay:
    """The board: each list at most `limit` entries, each total the full count."""

    site_id: UUID
    day: date
    screened: list[Document]
    screened_total: int
    doses: list[Document]
    doses_total: int
    observations_open: list[Document]
    observations_open_total: int
    observations_closed: list[Document]
    observations_closed_total: int


async def site_day(query: ReadBoard, c: Components) -> SiteDay:
    """Today's board of the caller's own site; NotFound for any other site id."""
    staff = query.staff
    if staff.role not in SITE_ROLES or staff.scope.site_id != str(query.site_id):
        raise NotFound
    day = c.local_date(c.now())
    screenings = await c.board.screenings(query.site_id, day)
    doses = [d for d in await c.board.doses(query.site_id, day) if d["status"] != "voided"]
    observations = await c.board.observations(query.site_id, day)
    closed_by_dose = {o["dose_id"]: o for o in observations}
    dosed = {d["citizen_id"] for d in doses}

    latest: dict[str, Document] = {}
    for s in sorted(screenings, key=lambda s: _at(s["screened_at"])):
        latest[s["citizen_id"]] = s
    waiting = sorted(
        (s for s in latest.values() if s["citizen_id"] not in dosed),
        key=lambda s: _at(s["screened_at"]),
    )
    by_time = sorted(doses, key=lambda d: _at(d["vaccination"]["administered_at"]))
    # Newest first, so that the people still within their 30 minutes are always in the list.
    open_ = [d for d in reversed(by_time) if d["_id"] not in closed_by_dose]
    closed = sorted(observations, key=lambda o: _at(o["recorded_at"]), reverse=True)
    n = query.limit
    screened = [_screened(s) for s in waiting[:n]]
    given = [_dose(d, d["_id"] in closed_by_dose) for d in list(reversed(by_time))[:n]]
    watched = [_open(d) for d in open_[:n]]
    ended = [_closed(o) for o in closed[:n]]
    entries = [*screened, *given, *watched, *ended]
    numbers = await c.board.queue_numbers(query.site_id, day, {e["citizen_id"] for e in entries})
    for entry in entries:
        entry["queue_number"] = numbers.get(entry["citizen_id"])
    return SiteDay(
        site_id=query.site_id,
        day=day,
        screened=screened,
        screened_total=len(waiting),
        doses=given,
        doses_total=len(doses),
        observations_open=watched,
        observations_open_total=len(open_),
        observations_closed=ended,
        observations_closed_total=len(closed),
    )


def _at(value: Any) -> datetime:
    """A stored instant (the client reads them back aware, in UTC)."""
    at: datetime = value
    return at


def _screened(s: Document) -> Document:
    return {
        "citizen_id": s["citizen_id"],
        "screening_id": s["_id"],
        "appointment_id": s.get("appointment_id"),
        "product_code": s.get("product_code"),
        "outcome": s["outcome"],
        # Screenings recorded before the proposal was kept carry the outcome alone.
        "proposed_outcome": s.get("proposed_outcome") or s["outcome"],
        "cleared": s["outcome"] in CLEARED,
        "screened_at": _at(s["screened_at"]),
    }


def _dose(d: Document, observed: bool) -> Document:
    v = d["vaccination"]
    return {
        "dose_id": d["_id"],
        "citizen_id": d["citizen_id"],
        "product_code": v["product_code"],
        "lot_number": v["lot_number"],
        "dose_number": v["dose_number"],
        "administered_at": _at(v["administered_at"]),
        "observation": "closed" if observed else "open",
    }


def _open(d: Document) -> Document:
    at = _at(d["vaccination"]["administered_at"])
    return {
        "dose_id": d["_id"],
        "citizen_id": d["citizen_id"],
        "started_at": at,
        "due_at": at + timedelta(minutes=OBSERVATION_MINUTES),
    }


def _closed(o: Document) -> Document:
    return {
        "dose_id": o["dose_id"],
        "citizen_id": o["citizen_id"],
        "closed_at": _at(o["recorded_at"]),
        "observed_minutes": o.get("observed_minutes"),
        "reactions": [r["code"] for r in o.get("reactions") or ()],
        "serious": bool(o.get("serious")),
    }
