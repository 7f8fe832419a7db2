"""The append-only staff-read audit log (`staff_reads`): registration's reads and every other
service's, as reported on their staff-read topics.

Nothing here updates or deletes an entry. An entry is keyed by its read id, so an event
delivered twice is recorded once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_registration.domain.audit import AuditEntry, AuditFilter, Reader
from vaxflow_servicekit.mongo import Document, insert_once

STAFF_READS = "staff_reads"


class MongoAuditLog:
    """Append-only record of every staff read of a citizen's personal data."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._reads = db[STAFF_READS]

    async def append(self, entry: AuditEntry) -> bool:
        """Add one entry; False when this read is already recorded. Never updated or removed."""
        return await insert_once(self._reads, _document(entry))

    async def of_citizen(self, citizen_id: UUID) -> list[Document]:
        """The reads of one citizen, oldest first."""
        cursor = self._reads.find({"citizen_id": str(citizen_id)}, {"_id": 0}).sort("at", 1)
        return [d async for d in cursor]

    async def page(
        self, wanted: AuditFilter, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[AuditEntry]:
        """Entries matching the filter, newest first, after a keyset position."""
        cursor = (
            self._reads.find(_query(wanted, after)).sort([("at", -1), ("_id", -1)]).limit(limit)
        )
        return [_entry(d) async for d in cursor]


def _query(wanted: AuditFilter, after: tuple[datetime, str] | None) -> Document:
    query: Document = {"service": {"$exists": True}}
    if wanted.district is not None:
        query["districts"] = wanted.district
    if wanted.reader_id is not None:
        query["who.subject"] = wanted.reader_id
    if wanted.citizen_id is not None:
        query["citizen_id"] = str(wanted.citizen_id)
    at: dict[str, Any] = {}
    if wanted.since is not None:
        at["$gte"] = wanted.since
    if wanted.until is not None:
        at["$lt"] = wanted.until
    if at:
        query["at"] = at
    if after is not None:
        last_at, last_id = after
        query["$or"] = [{"at": {"$lt": last_at}}, {"at": last_at, "_id": {"$lt": last_id}}]
    return query


def _document(entry: AuditEntry) -> Document:
    r = entry.reader
    return {
        "_id": str(entry.read_id),
        "at": entry.at,
        "citizen_id": str(entry.citizen_id),
        "service": entry.service,
        "what": entry.resource_kind,
        "resource_id": str(entry.resource_id) if entry.resource_id else None,
        "why": entry.reason,
        "outcome": entry.outcome,
        "who": {"subject": r.subject, "role": r.role, "site_id": r.site_id, "district": r.district},
        "districts": list(entry.districts),
        "request_id": entry.request_id,
    }


def _entry(doc: Document) -> AuditEntry:
    who: Document = doc["who"]
    return AuditEntry(
        read_id=UUID(doc["_id"]),
        at=doc["at"],
        citizen_id=UUID(doc["citizen_id"]),
        service=doc["service"],
        resource_kind=doc["what"],
        resource_id=UUID(doc["resource_id"]) if doc.get("resource_id") else None,
        reason=doc["why"],
        outcome=doc["outcome"],
        reader=Reader(who["subject"], who["role"], who.get("site_id"), who.get("district")),
        districts=tuple(doc.get("districts") or ()),
        request_id=doc.get("request_id"),
    )
