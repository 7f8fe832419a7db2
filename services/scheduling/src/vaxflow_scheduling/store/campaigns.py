"""Campaigns on the `campaigns` collection: name, dates, dose target, sites, who is eligible."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document

CAMPAIGNS = "campaigns"


class MongoCampaignStore:
    """Campaigns, stored as given (validated by the API)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._campaigns = db[CAMPAIGNS]

    async def add(self, campaign: Document) -> bool:
        """Store a new campaign; False if its id is taken."""
        try:
            await self._campaigns.insert_one(campaign)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, campaign_id: str) -> Document | None:
        """A campaign, or None."""
        return await self._campaigns.find_one({"_id": campaign_id})

    async def mark(self, campaign_id: str, fields: Document) -> None:
        """Set fields of a campaign."""
        await self._campaigns.update_one({"_id": campaign_id}, {"$set": fields})

    async def page(self, *, after: str | None, limit: int) -> list[Document]:
        """Campaigns in id order after a cursor."""
        query: Document = {"_id": {"$gt": after}} if after else {}
        return [d async for d in self._campaigns.find(query).sort("_id", 1).limit(limit)]
