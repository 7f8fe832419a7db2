"""Bulk imports on `imports` (one document per distinct file) and `import_issues` (the report)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_registration.domain.imports import Issue
from vaxflow_servicekit.mongo import Document

IMPORTS = "imports"
IMPORT_ISSUES = "import_issues"


class ImportState(StrEnum):
    """Where an import is."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass
class Counts:
    """What happened to the rows so far."""

    rows: int = 0
    registered: int = 0
    already_registered: int = 0
    duplicate_in_file: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class ImportRecord:
    """One imported file, as stored."""

    import_id: UUID
    file_sha256: str
    size_bytes: int
    total_rows: int
    state: ImportState
    counts: Counts
    created_by: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    attempt: int = 1
    error: str | None = None


class MongoImportStore:
    """Import records, their progress, and their row-level report."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._imports = db[IMPORTS]
        self._issues = db[IMPORT_ISSUES]

    async def create(self, record: ImportRecord) -> ImportRecord | None:
        """Store a new import; None if this file was imported before (same SHA-256)."""
        try:
            await self._imports.insert_one(_document(record))
        except DuplicateKeyError:
            return None
        return record

    async def by_file(self, sha256: str) -> ImportRecord | None:
        """The import of a file, by its hash."""
        doc = await self._imports.find_one({"file_sha256": sha256})
        return _record(doc) if doc else None

    async def get(self, import_id: UUID) -> ImportRecord | None:
        """An import, or None."""
        doc = await self._imports.find_one({"_id": str(import_id)})
        return _record(doc) if doc else None

    async def take_over(self, import_id: UUID, now: datetime, stale_after: timedelta) -> bool:
        """Restart an import that failed or whose runner went silent; True if this caller won."""
        doc = await self._imports.find_one_and_update(
            {
                "_id": str(import_id),
                "$or": [
                    {"state": ImportState.FAILED.value},
                    {
                        "state": {"$in": [ImportState.QUEUED.value, ImportState.PROCESSING.value]},
                        "updated_at": {"$lt": now - stale_after},
                    },
                ],
            },
            {
                "$set": {"state": ImportState.QUEUED.value, "updated_at": now, "error": None}
                | {f"counts.{k}": 0 for k in asdict(Counts())},
                "$inc": {"attempt": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            await self._issues.delete_many({"import_id": str(import_id)})
        return doc is not None

    async def progress(
        self, import_id: UUID, state: ImportState, counts: Counts, now: datetime
    ) -> None:
        """Record the counts so far (also the runner's heartbeat)."""
        update: Document = {"state": state.value, "counts": asdict(counts), "updated_at": now}
        if state in (ImportState.COMPLETED, ImportState.FAILED):
            update["finished_at"] = now
        await self._imports.update_one({"_id": str(import_id)}, {"$set": update})

    async def failed(self, import_id: UUID, error: str, now: datetime) -> None:
        """Mark the import failed with a reason for the uploader (no personal data)."""
        await self._imports.update_one(
            {"_id": str(import_id)},
            {"$set": {"state": ImportState.FAILED.value, "error": error, "updated_at": now}},
        )

    async def add_issues(self, import_id: UUID, issues: Sequence[Issue]) -> None:
        """Append report lines."""
        if issues:
            docs = [{"import_id": str(import_id), **asdict(i)} for i in issues]
            await self._issues.insert_many(docs, ordered=False)

    async def issues(self, import_id: UUID) -> AsyncIterator[Issue]:
        """The report lines in line order."""
        cursor = self._issues.find({"import_id": str(import_id)}, {"_id": 0, "import_id": 0})
        async for doc in cursor.sort([("line", 1), ("_id", 1)]):
            yield Issue(**doc)


def _document(record: ImportRecord) -> Document:
    doc = asdict(record)
    doc["_id"] = str(doc.pop("import_id"))
    doc["state"] = record.state.value
    return doc


def _record(doc: Document) -> ImportRecord:
    return ImportRecord(
        import_id=UUID(doc["_id"]),
        file_sha256=doc["file_sha256"],
        size_bytes=doc["size_bytes"],
        total_rows=doc["total_rows"],
        state=ImportState(doc["state"]),
        counts=Counts(**doc["counts"]),
        created_by=doc["created_by"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        finished_at=doc.get("finished_at"),
        attempt=doc.get("attempt", 1),
        error=doc.get("error"),
    )
