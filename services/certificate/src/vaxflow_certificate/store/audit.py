"""Staff reads of certificates (`staff_reads`), each with its CertificateReadByStaff (outbox).

Append-only: nothing here updates or deletes an entry; the relay only marks its event sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events

STAFF_READS = "staff_reads"


class MongoStaffReads:
    """The certificate service's own audit log of staff reads."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._reads = db[STAFF_READS]

    async def append(self, record: Document, events: Sequence[Document], now: datetime) -> None:
        """Append one read and its event as one insert."""
        await self._reads.insert_one(new_document_with_events(record, events, now))

    async def of_citizen(self, citizen_id: UUID) -> list[Document]:
        """The reads of one citizen's certificates, oldest first (without the outbox)."""
        cursor = self._reads.find({"citizen_id": str(citizen_id)}, {"outbox": 0}).sort("at", 1)
        return [d async for d in cursor]
