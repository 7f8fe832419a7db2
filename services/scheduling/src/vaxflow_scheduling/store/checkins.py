"""Check-ins and the day's queue of each site.

A queue number comes from one `$inc` on the site's counter for the day; the check-in is then an
insert whose `_id` is site, day and citizen, so a second check-in of the same person that day is
refused by the unique `_id` (its number stays unused) and carries `CitizenCheckedIn` in its outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events

CHECK_INS = "check_ins"
QUEUES = "queues"


def check_in_key(site_id: str, day: date, citizen_id: str) -> str:
    """The `_id` of a citizen's check-in at a site on a day."""
    return f"{site_id}#{day.isoformat()}#{citizen_id}"


class MongoCheckInStore:
    """Check-ins and queue counters."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._check_ins = db[CHECK_INS]
        self._queues = db[QUEUES]

    async def next_number(self, site_id: str, day: date) -> int:
        """The next queue number of the site's day (1, 2, ...)."""
        doc = await self._queues.find_one_and_update(
            {"_id": f"{site_id}#{day.isoformat()}"},
            {"$inc": {"last": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return int(doc["last"])

    async def add(self, doc: Document, events: Sequence[Document], now: datetime) -> bool:
        """Store a check-in with its event; False if the citizen already checked in that day."""
        try:
            await self._check_ins.insert_one(new_document_with_events(doc, events, now))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, key: str) -> Document | None:
        """A check-in by its key."""
        return await self._check_ins.find_one({"_id": key})

    async def mark_vaccinated(self, key: str, now: datetime) -> bool:
        """The citizen of a waiting check-in was vaccinated; False if not waiting."""
        result = await self._check_ins.update_one(
            {"_id": key, "status": "waiting"}, {"$set": {"status": "vaccinated", "done_at": now}}
        )
        return result.modified_count == 1

    async def waiting_on(self, day: date) -> list[Document]:
        """Everyone checked in on a day and still waiting, at every site (site and arrival)."""
        cursor = self._check_ins.find(
            {"date": day.isoformat(), "status": "waiting"}, {"site_id": 1, "checked_in_at": 1}
        )
        return [d async for d in cursor]

    async def of_day(self, site_id: str, day: date) -> list[Document]:
        """The site's check-ins of a day, in queue order."""
        cursor = self._check_ins.find(
            {"site_id": site_id, "date": day.isoformat()},
            {"outbox": 0},
        ).sort("queue_number", 1)
        return [d async for d in cursor]
