"""Which invitations and reminders were already sent by SMS, so a redelivered event sends
nothing twice."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_servicekit.mongo import Document, insert_once

INVITATION_NOTICES = "invitation_notices"


class MongoInvitationNotices:
    """One document per appointment whose invitation SMS left, keyed by the appointment id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._notices = db[INVITATION_NOTICES]

    async def sent(self, appointment_id: UUID) -> bool:
        """True when this appointment's invitation already went out."""
        return await self._notices.find_one({"_id": str(appointment_id)}, {"_id": 1}) is not None

    async def record(self, appointment_id: UUID, at: datetime) -> None:
        """Remember that the invitation went out (idempotent)."""
        await insert_once(self._notices, {"_id": str(appointment_id), "sent_at": at})


REMINDER_NOTICES = "reminder_notices"


class MongoReminderNotices:
    """One document per reminder of a next dose whose SMS left, keyed by the reminder id (one
    per citizen and dose)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._notices = db[REMINDER_NOTICES]

    async def sent(self, reminder_id: UUID) -> bool:
        """True when this reminder already went out."""
        return await self._notices.find_one({"_id": str(reminder_id)}, {"_id": 1}) is not None

    async def record(self, reminder_id: UUID, citizen_id: UUID, at: datetime) -> None:
        """Remember that the reminder went out (idempotent)."""
        await insert_once(
            self._notices, {"_id": str(reminder_id), "citizen_id": str(citizen_id), "sent_at": at}
        )
