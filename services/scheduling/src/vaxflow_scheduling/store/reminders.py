"""Reminders of a next dose, one document per citizen and dose (`<citizen>#<dose>`).

A reminder waits as `pending` under the day it is due (`remind_on`, an ISO date, so the
announcer finds a day's reminders with equality filters only). Announcing it is one
conditional update that marks it `announced` and carries `NextDoseDue` in its outbox, so two
announcers can never both announce it, and the event leaves with the change that records it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_scheduling.domain.reminders import Reminder
from vaxflow_servicekit.mongo import Document, insert_once
from vaxflow_servicekit.outbox import with_events

REMINDERS = "reminders"
PENDING = "pending"
DROPPED = "dropped"


class MongoReminderStore:
    """Reminders and their announcements."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._reminders = db[REMINDERS]

    async def add(self, reminder: Reminder, source_dose_id: str, now: datetime) -> bool:
        """Keep a reminder unless a live one exists for that citizen and dose; True if kept.

        A reminder dropped on its day (a void made another dose next) is owed again once a
        new dose makes its dose next again: it becomes pending with the new window. One
        already announced stays announced: the citizen was told of that dose once.
        """
        fields = {
            "citizen_id": reminder.citizen_id,
            "dose_number": reminder.dose_number,
            "product_code": reminder.product_code,
            "due_from": reminder.due_from.isoformat(),
            "due_until": reminder.due_until.isoformat() if reminder.due_until else None,
            "remind_on": reminder.remind_on.isoformat(),
            "status": PENDING,
            "after_dose_id": source_dose_id,
        }
        if await insert_once(self._reminders, {"_id": reminder.key, **fields, "created_at": now}):
            return True
        revived = await self._reminders.update_one(
            {"_id": reminder.key, "status": DROPPED},
            {
                "$set": {**fields, "revived_at": now},
                "$unset": {"dropped_reason": "", "dropped_at": ""},
            },
        )
        return revived.modified_count == 1

    async def get(self, key: str) -> Document | None:
        """A reminder by its key (without its outbox)."""
        return await self._reminders.find_one({"_id": key}, {"outbox": 0})

    async def due_on(self, day: date, *, limit: int) -> list[Reminder]:
        """Pending reminders of one day."""
        cursor = self._reminders.find(
            {"remind_on": day.isoformat(), "status": PENDING}, {"outbox": 0}
        ).limit(limit)
        return [_reminder(d) async for d in cursor]

    async def announce(self, key: str, events: Sequence[Document], now: datetime) -> bool:
        """Mark a pending reminder announced, with its event; False if it was not pending."""
        update = with_events({"$set": {"status": "announced", "announced_at": now}}, events, now)
        result = await self._reminders.update_one({"_id": key, "status": PENDING}, update)
        return result.modified_count == 1

    async def put_off(self, key: str, day: date) -> None:
        """Move a pending reminder to a later day."""
        await self._reminders.update_one(
            {"_id": key, "status": PENDING}, {"$set": {"remind_on": day.isoformat()}}
        )

    async def drop(self, key: str, reason: str, now: datetime) -> None:
        """A pending reminder that no longer applies is kept, dropped, with the reason."""
        await self._reminders.update_one(
            {"_id": key, "status": PENDING},
            {"$set": {"status": DROPPED, "dropped_reason": reason, "dropped_at": now}},
        )


def _reminder(doc: Document) -> Reminder:
    until = doc.get("due_until")
    return Reminder(
        doc["citizen_id"],
        int(doc["dose_number"]),
        doc["product_code"],
        date.fromisoformat(doc["due_from"]),
        date.fromisoformat(until) if until else None,
        date.fromisoformat(doc["remind_on"]),
    )
