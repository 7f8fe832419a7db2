"""Screenings: each one a document with its ScreeningRecorded in the same insert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import ScreeningOutcome
from vaxflow_injection.domain.doses import ScreeningSeen
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events

SCREENINGS = "screenings"


class MongoScreeningStore:
    """The `screenings` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._screenings = db[SCREENINGS]

    async def add(self, document: Document, events: Sequence[Document], now: datetime) -> None:
        """Insert the screening with its pending events: one write."""
        await self._screenings.insert_one(new_document_with_events(document, events, now))

    async def get(self, screening_id: UUID) -> Document | None:
        """The stored screening, outbox excluded."""
        return await self._screenings.find_one({"_id": str(screening_id)}, {"outbox": 0})

    async def latest_of_day(self, citizen_id: UUID, day: date) -> ScreeningSeen | None:
        """The citizen's last screening that day: a later screening replaces an earlier one."""
        cursor = (
            self._screenings.find(
                {"citizen_id": str(citizen_id), "local_date": day.isoformat()}, {"outbox": 0}
            )
            .sort("screened_at", -1)
            .limit(1)
        )
        async for doc in cursor:
            return ScreeningSeen(
                screening_id=UUID(doc["_id"]),
                outcome=ScreeningOutcome(doc["outcome"]),
                product_code=doc.get("product_code"),
                contraindicated_products=tuple(doc.get("contraindicated_products") or ()),
            )
        return None
