"""AEFI cases, each document carrying its history and its pending events.

A case is inserted under its id with AefiReported (a case opened from a site observation under
an id derived from the observation, so a redelivery leaves one case). Each workflow step is an
update conditioned on the status and version read, with its history entry and event in the
same update.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_monitoring.domain.cases import OPEN_STATUSES
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events, with_events

CASES = "aefi_cases"
_NO_OUTBOX = {"outbox": 0}


class MongoCaseStore:
    """The `aefi_cases` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db[CASES]

    async def add(self, document: Document, events: Sequence[Document], now: datetime) -> bool:
        """Insert the case with AefiReported; False when its id is already there."""
        try:
            await self._cases.insert_one(new_document_with_events(document, events, now))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, aefi_id: UUID) -> Document | None:
        """The case, if any."""
        return await self._cases.find_one({"_id": str(aefi_id)}, _NO_OUTBOX)

    async def step(
        self,
        case: Document,
        fields: Document,
        entry: Document,
        events: Sequence[Document],
        now: datetime,
    ) -> bool:
        """Apply a workflow step to the version read; False if the case changed meanwhile."""
        update: Document = {
            "$set": {**fields, "version": case["version"] + 1},
            "$push": {"history": entry},
        }
        if events:
            update = with_events(update, events, now)
        result = await self._cases.update_one(
            {"_id": case["_id"], "version": case["version"], "status": case["status"]}, update
        )
        return result.modified_count == 1

    async def page(self, where: Document, offset: int, limit: int) -> tuple[list[Document], bool]:
        """One page of cases, newest report first; True when more follow."""
        cursor = (
            self._cases.find(where, _NO_OUTBOX)
            .sort([("reported_at", -1), ("_id", 1)])
            .skip(offset)
            .limit(limit + 1)
        )
        docs = [d async for d in cursor]
        return docs[:limit], len(docs) > limit

    async def serious_onsets(self, lot_id: UUID) -> list[datetime]:
        """The onsets of the lot's serious cases (as currently judged)."""
        cursor = self._cases.find(
            {"lot_id": str(lot_id), "serious": True}, {"onset_at": 1, "_id": 0}
        )
        return [d["onset_at"] async for d in cursor]

    async def count_open(self) -> int:
        """Cases not yet closed."""
        total = 0
        for status in OPEN_STATUSES:  # equality filters only: answered from the index
            total += await self._cases.count_documents({"status": status.value})
        return total


def stored(value: Any) -> Any:
    """A value as stored in a case document (enums by value, UUIDs as text)."""
    if isinstance(value, UUID):
        return str(value)
    return getattr(value, "value", value)
