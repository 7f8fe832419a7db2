"""The vaccine stock ledger: lots held at each site, and an append-only ledger of entries.

Each entry has a deterministic `_id` (the receipt or adjustment id, `dose:<dose id>` for a
dose given, `void:<dose id>`, `correct:<correction id>:<out|in>`), so a replayed event finds its
entry there and changes nothing. The balance of a lot is the sum of its entries' deltas,
recomputed from the ledger on every read; the lot's `on_hand` counter follows each entry and
tells a dose on an empty lot (a discrepancy, recorded, never refused).

An entry is three writes: `record`, `apply` (the counter), `announce` (its balance and events).
An entry found without its balance was interrupted by a crash: the retry or redelivery resumes
it, and `apply` recognises an entry it already counted (see there), so it counts once. An entry
is `open` from `record` to `announce`; the sweeper finishes staff entries (receipts,
adjustments) left open by a crash that no retry came back for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import with_events

LOTS = "stock_lots"
LEDGER = "stock_ledger"
ALERTS = "stock_alerts"
LOT_STATUS = "lot_status"
RATES = "stock_rates"
PENDING = "pending_entries"  # on a lot: entries applied to its counter, not yet announced
OPEN = "open"  # on an entry: recorded, not yet announced (an equality the index answers)


def lot_key(site_id: str, lot_id: str) -> str:
    """The `_id` of a lot held at a site."""
    return f"{site_id}#{lot_id}"


class MongoStockLedger:
    """Lots per site and their ledger."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._lots = db[LOTS]
        self._ledger = db[LEDGER]
        self._alerts = db[ALERTS]
        self._status = db[LOT_STATUS]
        self._rates = db[RATES]

    async def hold_lot(self, site_id: str, lot: Document) -> None:
        """Record that a site holds a lot (its description set once, suspended if it is)."""
        status = await self._status.find_one({"_id": lot["lot_id"]})
        suspended = bool(status and status.get("suspended"))
        await self._lots.update_one(
            {"_id": lot_key(site_id, lot["lot_id"])},
            {"$setOnInsert": lot | {"site_id": site_id, "on_hand": 0, "suspended": suspended}},
            upsert=True,
        )

    async def set_suspended(self, lot_id: str, suspended: bool) -> list[Document]:
        """Record a lot's suspension everywhere: for sites holding it now and those to come."""
        await self._status.update_one(
            {"_id": lot_id}, {"$set": {"suspended": suspended}}, upsert=True
        )
        holdings = [d async for d in self._lots.find({"lot_id": lot_id})]
        for holding in holdings:
            await self._lots.update_one({"_id": holding["_id"]}, {"$set": {"suspended": suspended}})
        return holdings

    async def lot(self, site_id: str, lot_id: str) -> Document | None:
        """A lot at a site, or None."""
        return await self._lots.find_one({"_id": lot_key(site_id, lot_id)})

    async def record(self, entry: Document) -> bool:
        """Append an entry; False when an entry with its id is already in the ledger."""
        try:
            await self._ledger.insert_one(entry | {OPEN: True})
        except DuplicateKeyError:
            return False
        return True

    async def left_open(self, before: datetime, limit: int) -> list[Document]:
        """Staff entries (no dose behind them) recorded before `before` and never announced."""
        # Few entries are open at any moment (those in flight and those a crash left).
        cursor = self._ledger.find({OPEN: True}, {"outbox": 0})
        found = [
            doc
            async for doc in cursor
            if doc["at"] < before and not doc.get("dose_id") and "balance_after" not in doc
        ]
        return found[:limit]

    async def unfinished(self, entry_id: str) -> bool:
        """True when the entry is in the ledger but was never announced (a crash in between)."""
        doc = await self._ledger.find_one({"_id": entry_id}, {"balance_after": 1})
        return doc is not None and "balance_after" not in doc

    async def apply(self, site_id: str, lot_id: str, delta: int, entry_id: str) -> tuple[int, bool]:
        """Move the lot's on-hand counter by an entry's delta, once; the balance after, and
        whether this call moved it.

        The lot remembers the entries applied but not yet announced (`pending`), in the same
        single-document update as the counter, so an entry resumed after a crash between
        here and `announce` does not move the counter twice.
        """
        key = lot_key(site_id, lot_id)
        doc = await self._lots.find_one_and_update(
            {"_id": key, PENDING: {"$ne": entry_id}},
            {"$inc": {"on_hand": delta}, "$push": {PENDING: entry_id}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            return int(doc["on_hand"]), True
        held = await self._lots.find_one({"_id": key}, {"on_hand": 1})
        if held is not None:  # applied before the crash
            return int(held.get("on_hand", 0)), False
        await self._lots.update_one({"_id": key}, {"$setOnInsert": {"on_hand": 0}}, upsert=True)
        return await self.apply(site_id, lot_id, delta, entry_id)

    async def announce(
        self,
        entry_id: str,
        lot: tuple[str, str],
        balance_after: int,
        events: Sequence[Document],
        now: datetime,
    ) -> None:
        """Store an entry's balance and its events (the relay publishes them), once; then the
        lot forgets the entry (`apply` no longer needs to recognise it)."""
        update = {"$set": {"balance_after": balance_after}, "$unset": {OPEN: ""}}
        await self._ledger.update_one(
            {"_id": entry_id, "balance_after": {"$exists": False}},
            with_events(update, events, now) if events else update,
        )
        await self._lots.update_one({"_id": lot_key(*lot)}, {"$pull": {PENDING: entry_id}})

    async def count_dose(self, site_id: str, product_code: str, day: date) -> None:
        """Count one dose of a product given at a site on a day (for the recent rate)."""
        await self._rates.update_one(
            {"_id": f"{site_id}#{product_code}#{day.isoformat()}"},
            {"$inc": {"doses": 1}},
            upsert=True,
        )

    async def doses_between(self, site_id: str, product_code: str, days: list[date]) -> int:
        """Doses of a product given at a site on these days."""
        ids = [f"{site_id}#{product_code}#{d.isoformat()}" for d in days]
        return sum([int(d.get("doses", 0)) async for d in self._rates.find({"_id": {"$in": ids}})])

    async def became_low(self, site_id: str, product_code: str, low: bool) -> bool:
        """Record whether a site is low on a product; True only when it just became low."""
        key = f"{site_id}#{product_code}"
        if not low:
            await self._alerts.update_one({"_id": key}, {"$set": {"low": False}})
            return False
        try:
            result = await self._alerts.update_one(
                {"_id": key, "low": {"$ne": True}}, {"$set": {"low": True}}, upsert=True
            )
        except DuplicateKeyError:  # the document exists and is already low
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def flag(self, site_id: str, lot_id: str, field: str, value: object) -> None:
        """Set a flag on a lot (suspended, discrepancy)."""
        await self._lots.update_one({"_id": lot_key(site_id, lot_id)}, {"$set": {field: value}})

    async def lots_of(self, site_id: str) -> list[Document]:
        """Every lot a site holds."""
        return [d async for d in self._lots.find({"site_id": site_id}).sort("_id", 1)]

    async def lots_with(self, lot_id: str) -> list[Document]:
        """Every site's holding of one lot."""
        return [d async for d in self._lots.find({"lot_id": lot_id})]

    async def entries_of(self, site_id: str) -> list[Document]:
        """A site's ledger entries (for the balance, recomputed on each read)."""
        cursor = self._ledger.find({"site_id": site_id}, {"outbox": 0})
        return [d async for d in cursor]
