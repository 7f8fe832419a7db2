"""Lots monitoring knows (from stock receipts and doses), their suspension state and signals.

A lot document is created the first time a receipt or a dose names it. Suspension and release
are updates conditioned on the current state, with their history entry and event in the same
update, so a second suspension of a suspended lot changes nothing and publishes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events, with_events

LOTS = "lots"
SIGNALS = "lot_signals"
_NO_OUTBOX = {"outbox": 0}
_KNOWN_CACHE_MAX = 50_000


class MongoLotStore:
    """The `lots` and `lot_signals` collections."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._lots = db[LOTS]
        self._signals = db[SIGNALS]
        # Lots this process has already recorded: a dose of a known lot writes nothing here.
        self._known: set[str] = set()

    async def learn(self, lot_id: UUID, product_code: str, lot_number: str, now: datetime) -> None:
        """Record that the lot exists (idempotent)."""
        key = str(lot_id)
        if key in self._known:
            return
        await self._lots.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "product_code": product_code,
                    "lot_number": lot_number,
                    "suspended": False,
                    "episode": 0,
                    "history": [],
                    "first_seen_at": now,
                }
            },
            upsert=True,
        )
        if len(self._known) >= _KNOWN_CACHE_MAX:
            self._known.clear()
        self._known.add(key)

    async def get(self, lot_id: UUID) -> Document | None:
        """The lot, if monitoring knows it."""
        return await self._lots.find_one({"_id": str(lot_id)}, _NO_OUTBOX)

    async def change(
        self,
        lot_id: UUID,
        *,
        suspended_before: bool,
        fields: Document,
        entry: Document,
        events: Sequence[Document],
        now: datetime,
        new_episode: bool = False,
    ) -> bool:
        """Suspend or release the lot if it is in the state expected; False otherwise."""
        update: Document = {"$set": fields, "$push": {"history": entry}}
        if new_episode:
            update["$inc"] = {"episode": 1}
        result = await self._lots.update_one(
            {"_id": str(lot_id), "suspended": suspended_before},
            with_events(update, events, now),
        )
        return result.modified_count == 1

    async def count_suspended(self) -> int:
        """Lots suspended now."""
        return await self._lots.count_documents({"suspended": True})

    async def add_signal(
        self, document: Document, events: Sequence[Document], now: datetime
    ) -> bool:
        """Insert a signal with LotSignalRaised; False when this signal was raised already."""
        try:
            await self._signals.insert_one(new_document_with_events(document, events, now))
        except DuplicateKeyError:
            return False
        return True

    async def signals_page(
        self, where: Document, offset: int, limit: int
    ) -> tuple[list[Document], bool]:
        """One page of signals, newest first; True when more follow."""
        cursor = (
            self._signals.find(where, _NO_OUTBOX)
            .sort([("raised_at", -1), ("_id", 1)])
            .skip(offset)
            .limit(limit + 1)
        )
        docs = [d async for d in cursor]
        return docs[:limit], len(docs) > limit

    async def signal(self, signal_id: UUID) -> Document | None:
        """A signal, if raised."""
        return await self._signals.find_one({"_id": str(signal_id)}, _NO_OUTBOX)

    async def open_signals(self, lot_id: UUID, episode: int) -> list[Document]:
        """The signals raised on the lot in an episode."""
        cursor = self._signals.find({"lot_id": str(lot_id), "episode": episode}, _NO_OUTBOX)
        return [d async for d in cursor]
