"""Read models built by the consumers: the health book and each citizen's whereabouts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_registration.domain.health_book import Entry, Mark
from vaxflow_servicekit.mongo import Document, insert_once

HEALTH_BOOK = "health_book"
APPOINTMENTS = "current_appointments"
SITE_AREAS = "site_areas"


class MongoHealthBook:
    """The citizen's timeline: one entry per event, keyed by the event id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._entries = db[HEALTH_BOOK]

    async def record(self, entry: Entry) -> bool:
        """Add the entry once; False when this event is already in the book."""
        return await insert_once(self._entries, _entry_document(entry))

    async def mark(self, citizen_id: UUID, mark: Mark) -> None:
        """Set the status of earlier entries about one thing (a dose voided, ...); idempotent."""
        await self._entries.update_many(
            {"citizen_id": str(citizen_id), "ref_id": str(mark.ref_id), "kind": mark.kind},
            {"$set": {"status": mark.status}},
        )

    async def timeline(
        self, citizen_id: UUID, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[Entry]:
        """Entries in the order they happened, after a keyset position."""
        query: Document = {"citizen_id": str(citizen_id)}
        if after is not None:
            at, last_id = after
            query["$or"] = [
                {"occurred_at": {"$gt": at}},
                {"occurred_at": at, "_id": {"$gt": last_id}},
            ]
        cursor = self._entries.find(query).sort([("occurred_at", 1), ("_id", 1)]).limit(limit)
        return [_entry(d) async for d in cursor]


def _entry_document(entry: Entry) -> Document:
    return {
        "_id": str(entry.event_id),
        "citizen_id": str(entry.citizen_id),
        "occurred_at": entry.occurred_at,
        "kind": entry.kind,
        "ref_id": str(entry.ref_id),
        "status": entry.status,
        "details": entry.details,
    }


def _entry(doc: Document) -> Entry:
    return Entry(
        event_id=UUID(doc["_id"]),
        citizen_id=UUID(doc["citizen_id"]),
        occurred_at=doc["occurred_at"],
        kind=doc["kind"],
        ref_id=UUID(doc["ref_id"]),
        status=doc.get("status"),
        details=doc.get("details") or {},
    )


@dataclass(frozen=True)
class CurrentAppointment:
    """Where a citizen is currently booked, for the staff scope check."""

    appointment_id: UUID
    site_id: UUID
    site_district: str | None


class MongoWhereabouts:
    """Each citizen's current appointment, and the district of each site seen on the streams."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._appointments = db[APPOINTMENTS]
        self._sites = db[SITE_AREAS]

    async def booked(
        self, citizen_id: UUID, appointment_id: UUID, site_id: UUID, at: datetime
    ) -> None:
        """Make this the current appointment unless a later booking is already known."""
        newer_or_same = {"$or": [{"booked_at": {"$lte": at}}, {"booked_at": None}]}
        try:
            await self._appointments.update_one(
                {"_id": str(citizen_id), **newer_or_same},
                {
                    "$set": {
                        "appointment_id": str(appointment_id),
                        "site_id": str(site_id),
                        "booked_at": at,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return  # a later booking is already current: this one is history

    async def cancelled(self, citizen_id: UUID, appointment_id: UUID) -> None:
        """Forget the current appointment if it is the one cancelled."""
        await self._appointments.update_one(
            {"_id": str(citizen_id), "appointment_id": str(appointment_id)},
            {"$set": {"appointment_id": None, "site_id": None}},
        )

    async def current(self, citizen_id: UUID) -> CurrentAppointment | None:
        """The current appointment and its site's district, if any."""
        doc = await self._appointments.find_one({"_id": str(citizen_id)})
        if not doc or not doc.get("site_id"):
            return None
        site = await self._sites.find_one({"_id": doc["site_id"]}) or {}
        return CurrentAppointment(
            UUID(doc["appointment_id"]), UUID(doc["site_id"]), site.get("district_code")
        )

    async def remember_site(self, site_id: UUID, area: dict[str, Any]) -> None:
        """Record a site's administrative units (idempotent)."""
        await self._sites.update_one({"_id": str(site_id)}, {"$set": area}, upsert=True)
