"""Sessions on the `sessions` collection; each holds its slots' free and booked counters.

The capacity rule lives here: a place is taken by one conditional update of the session
document (`free.<slot> > 0` in the filter, `$inc` of -1 in the update), so however many
bookings race, a slot's counter never goes below zero and a slot is never overbooked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_scheduling.domain.doses import DoseSlot
from vaxflow_scheduling.domain.sessions import Session, Slot
from vaxflow_scheduling.domain.sites import Area
from vaxflow_scheduling.store.sites import area_document
from vaxflow_servicekit.mongo import Document

SESSIONS = "sessions"


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session with its site's area and the live counters."""

    session: Session
    site_area: Document
    free: dict[str, int]
    booked: dict[str, int]
    version: int
    # What the site is called, for events (sessions stored before it was kept have none).
    site_label: str | None = None

    @property
    def free_places(self) -> int:
        """Free places over all slots."""
        return sum(self.free.values())


class MongoSessionStore:
    """Sessions and their counters."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db[SESSIONS]

    async def add(
        self, session: Session, area: Area, now: datetime, *, site_label: str | None = None
    ) -> StoredSession:
        """Store a new session with every place free."""
        doc = to_document(session, area) | {"created_at": now, "site_label": site_label}
        await self._sessions.insert_one(doc)
        return from_document(doc)

    async def get(self, session_id: str) -> StoredSession | None:
        """The session, or None."""
        doc = await self._sessions.find_one({"_id": session_id})
        return from_document(doc) if doc else None

    async def take_place(self, session_id: str, slot: str) -> StoredSession | None:
        """Take one place of a slot if one is free; the session after, or None when full."""
        doc = await self._sessions.find_one_and_update(
            {"_id": session_id, f"free.{slot}": {"$gt": 0}},
            {"$inc": {f"free.{slot}": -1, f"booked.{slot}": 1, "version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return from_document(doc) if doc else None

    async def give_back(self, session_id: str, slot: str) -> StoredSession | None:
        """Free one place of a slot (a cancelled appointment's)."""
        doc = await self._sessions.find_one_and_update(
            {"_id": session_id, f"booked.{slot}": {"$gt": 0}},
            {"$inc": {f"free.{slot}": 1, f"booked.{slot}": -1, "version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return from_document(doc) if doc else None

    async def of_site(
        self, site_id: str, *, since: date, after: str | None, limit: int
    ) -> list[StoredSession]:
        """A site's sessions from a day on, by date then id, after a `date|id` cursor."""
        query: Document = {"site_id": site_id, "date": {"$gte": since.isoformat()}}
        if after is not None:
            day, last = after.split("|", 1)
            query["$or"] = [{"date": {"$gt": day}}, {"date": day, "_id": {"$gt": last}}]
        cursor = self._sessions.find(query).sort([("date", 1), ("_id", 1)]).limit(limit)
        return [from_document(d) async for d in cursor]

    async def between(self, first: date, last: date) -> list[StoredSession]:
        """Every session from `first` to `last` (for the availability cache)."""
        query = {"date": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
        return [from_document(d) async for d in self._sessions.find(query)]


def to_document(session: Session, area: Area) -> Document:
    """The stored form of a new session: every place free."""
    return {
        "_id": session.session_id,
        "site_id": session.site_id,
        "site_area": area_document(area),
        "date": session.day.isoformat(),
        "product_code": session.product_code,
        "doses": [d.value for d in session.doses],
        "slots": [
            {"key": s.key, "start": s.start, "end": s.end, "capacity": s.capacity}
            for s in session.slots
        ],
        "free": {s.key: s.capacity for s in session.slots},
        "booked": {s.key: 0 for s in session.slots},
        "campaign_id": session.campaign_id,
        "min_age": session.min_age,
        "version": 0,
    }


def from_document(doc: Document) -> StoredSession:
    """A session and its counters from the stored form."""
    slots: list[dict[str, Any]] = doc["slots"]
    session = Session(
        session_id=doc["_id"],
        site_id=doc["site_id"],
        day=date.fromisoformat(doc["date"]),
        product_code=doc["product_code"],
        doses=tuple(DoseSlot(d) for d in doc["doses"]),
        slots=tuple(Slot(s["key"], s["start"], s["end"], s["capacity"]) for s in slots),
        campaign_id=doc.get("campaign_id"),
        min_age=doc.get("min_age", 0),
    )
    return StoredSession(
        session,
        doc["site_area"],
        dict(doc["free"]),
        dict(doc["booked"]),
        doc["version"],
        doc.get("site_label"),
    )
