"""Waitlists per session: people waiting for a freed place, in the order they joined.

An entry's `_id` is session and citizen, so joining twice is refused by the unique `_id`. Taking
the first waiting entry is one conditional update (`status: waiting` to `placing`), so two
processes freeing places at once never hand the same entry out twice.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document

WAITLIST = "waitlist"


class MongoWaitlist:
    """Waitlist entries."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._entries = db[WAITLIST]

    async def join(self, session_id: str, citizen_id: str, account_id: str, now: datetime) -> bool:
        """Add a citizen to a session's waitlist; False if already on it."""
        doc = {
            "_id": f"{session_id}#{citizen_id}",
            "session_id": session_id,
            "citizen_id": citizen_id,
            "account_id": account_id,
            "joined_at": now,
            "status": "waiting",
        }
        try:
            await self._entries.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def take_next(self, session_id: str, now: datetime) -> Document | None:
        """The first waiting entry of a session, now marked as being placed; None if none."""
        return await self._entries.find_one_and_update(
            {"session_id": session_id, "status": "waiting"},
            {"$set": {"status": "placing", "taken_at": now}},
            sort=[("joined_at", 1), ("_id", 1)],
            return_document=ReturnDocument.AFTER,
        )

    async def settle(self, entry_id: str, status: str, appointment_id: str | None = None) -> None:
        """Record how a taken entry ended: placed, or skipped (not eligible any more)."""
        await self._entries.update_one(
            {"_id": entry_id}, {"$set": {"status": status, "appointment_id": appointment_id}}
        )

    async def give_back(self, entry_id: str) -> None:
        """Put a taken entry back in line (the place went to someone else)."""
        await self._entries.update_one({"_id": entry_id}, {"$set": {"status": "waiting"}})

    async def position(self, session_id: str) -> int:
        """How many are waiting for a session."""
        return await self._entries.count_documents({"session_id": session_id, "status": "waiting"})
