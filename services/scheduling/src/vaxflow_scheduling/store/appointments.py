"""Appointments, and the claims that keep one active appointment per citizen and dose.

A claim is a document whose `_id` is `<citizen>#<dose>`: taking it is an insert, so the unique
`_id` decides between concurrent bookings of one citizen. The appointment document carries its
own `AppointmentBooked` / `AppointmentCancelled` in its outbox, written in the same operation
as the change it announces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_scheduling.domain.appointments import AppointmentStatus
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events, with_events

APPOINTMENTS = "appointments"
CLAIMS = "appointment_claims"


@dataclass(frozen=True, slots=True)
class Appointment:
    """A stored appointment."""

    appointment_id: str
    citizen_id: str
    site_id: str
    session_id: str
    slot_key: str
    slot_start: datetime
    slot_end: datetime
    dose_number: int
    booster: bool
    product_code: str
    channel: str
    status: AppointmentStatus
    booked_at: datetime

    def document(self) -> Document:
        """The stored form (without outbox)."""
        return {
            "_id": self.appointment_id,
            "citizen_id": self.citizen_id,
            "site_id": self.site_id,
            "session_id": self.session_id,
            "slot_key": self.slot_key,
            "slot_start": self.slot_start,
            "slot_end": self.slot_end,
            "dose_number": self.dose_number,
            "booster": self.booster,
            "product_code": self.product_code,
            "channel": self.channel,
            "status": self.status.value,
            "booked_at": self.booked_at,
        }


@dataclass(frozen=True, slots=True)
class Claimed:
    """The outcome of a claim: the appointment already holding it (None: ours now), and the
    place (session, slot) of an abandoned claim taken over, to be given back."""

    holder: str | None
    freed: tuple[str, str] | None = None


class MongoAppointmentStore:
    """Appointments and their claims."""

    def __init__(self, db: AsyncDatabase[Document], *, stale_after: timedelta) -> None:
        self._appointments = db[APPOINTMENTS]
        self._claims = db[CLAIMS]
        self._stale_after = stale_after

    async def claim(
        self, key: str, appointment_id: str, now: datetime, place: tuple[str, str]
    ) -> Claimed:
        """Take the citizen's place for a dose: who holds it, and any place to give back.

        The claim records the place (session, slot) its booking took. A claim left by a
        process that died before writing its appointment is taken over once it is older than
        `stale_after`, and the place it recorded is returned to be given back.
        """
        freed: tuple[str, str] | None = None
        for _ in range(2):
            try:
                await self._claims.insert_one(
                    {
                        "_id": key,
                        "appointment_id": appointment_id,
                        "at": now,
                        "session_id": place[0],
                        "slot": place[1],
                    }
                )
                return Claimed(None, freed)
            except DuplicateKeyError:
                holder = await self._claims.find_one({"_id": key})
                if holder is None:
                    continue
                if not await self._abandoned(holder, now):
                    return Claimed(str(holder["appointment_id"]), freed)
                if await self.release(key, holder["appointment_id"]) and "session_id" in holder:
                    freed = (str(holder["session_id"]), str(holder["slot"]))
        return Claimed("unknown", freed)

    async def _abandoned(self, claim: Document, now: datetime) -> bool:
        if now - claim["at"] < self._stale_after:
            return False
        return await self._appointments.find_one({"_id": claim["appointment_id"]}) is None

    async def release(self, key: str, appointment_id: str) -> bool:
        """Give a claim back (only the appointment holding it can); False if it did not hold it."""
        result = await self._claims.delete_one({"_id": key, "appointment_id": appointment_id})
        return result.deleted_count == 1

    async def add(self, appointment: Appointment, events: Sequence[Document]) -> None:
        """Store a booked appointment with its event."""
        doc = new_document_with_events(appointment.document(), events, appointment.booked_at)
        await self._appointments.insert_one(doc)

    async def get(self, appointment_id: str) -> Appointment | None:
        """The appointment, or None."""
        doc = await self._appointments.find_one({"_id": appointment_id})
        return from_document(doc) if doc else None

    async def settle(
        self,
        appointment_id: str,
        status: AppointmentStatus,
        now: datetime,
        events: Sequence[Document] = (),
    ) -> bool:
        """Move a booked appointment to cancelled or completed, with events; False if not booked."""
        update: Document = {"$set": {"status": status.value, "settled_at": now}}
        if events:
            update = with_events(update, events, now)
        result = await self._appointments.update_one(
            {"_id": appointment_id, "status": AppointmentStatus.BOOKED.value}, update
        )
        return result.modified_count == 1

    async def of_citizen(self, citizen_id: str) -> list[Appointment]:
        """A citizen's appointments, newest first."""
        cursor = self._appointments.find({"citizen_id": citizen_id}).sort("booked_at", -1)
        return [from_document(d) async for d in cursor.limit(50)]


def from_document(doc: Document) -> Appointment:
    """An appointment from its stored form."""
    fields: dict[str, Any] = {k: doc[k] for k in _FIELDS}
    return Appointment(appointment_id=doc["_id"], status=AppointmentStatus(doc["status"]), **fields)


_FIELDS = (
    "citizen_id",
    "site_id",
    "session_id",
    "slot_key",
    "slot_start",
    "slot_end",
    "dose_number",
    "booster",
    "product_code",
    "channel",
    "booked_at",
)
