"""Which phone account holds which citizen, learnt from the citizen stream."""

from __future__ import annotations

from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_servicekit.mongo import Document

HOLDERS = "holders"


class MongoHolders:
    """citizen id -> account id, on `holders`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._holders = db[HOLDERS]

    async def hold(self, citizen_id: UUID, account_id: str | None) -> None:
        """Record who holds the citizen now (None: nobody)."""
        await self._holders.update_one(
            {"_id": str(citizen_id)}, {"$set": {"account_id": account_id}}, upsert=True
        )

    async def citizens_of(self, account_id: str) -> list[UUID]:
        """The citizens this account holds."""
        cursor = self._holders.find({"account_id": account_id}, {"_id": 1}).limit(100)
        return [UUID(d["_id"]) async for d in cursor]

    async def holds(self, account_id: str, citizen_id: UUID) -> bool:
        """True when this account holds the citizen."""
        doc = await self._holders.find_one({"_id": str(citizen_id)})
        return doc is not None and doc.get("account_id") == account_id
