"""Sites on the `sites` collection, by their id."""

from __future__ import annotations

from datetime import time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_scheduling.domain.sites import Area, Site, SiteKind
from vaxflow_servicekit.mongo import Document

SITES = "sites"


class MongoSiteStore:
    """Injection sites."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sites = db[SITES]

    async def add(self, site: Site, created_by: str) -> bool:
        """Store a new site; False if its id is taken."""
        try:
            await self._sites.insert_one(to_document(site) | {"created_by": created_by})
        except DuplicateKeyError:
            return False
        return True

    async def get(self, site_id: str) -> Site | None:
        """The site, or None."""
        doc = await self._sites.find_one({"_id": site_id})
        return from_document(doc) if doc else None

    async def page(self, *, district: str | None, after: str | None, limit: int) -> list[Site]:
        """Sites in id order after a cursor, optionally of one district."""
        query: Document = {}
        if district is not None:
            query["area.district_code"] = district
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self._sites.find(query).sort("_id", 1).limit(limit)
        return [from_document(d) async for d in cursor]

    async def all(self) -> list[Site]:
        """Every site (for the availability cache)."""
        return [from_document(d) async for d in self._sites.find({})]


def to_document(site: Site) -> Document:
    """The stored form of a site."""
    return {
        "_id": site.site_id,
        "name": site.name,
        "kind": site.kind.value,
        "area": area_document(site.area),
        "address": site.address,
        "opens": site.opens.strftime("%H:%M"),
        "closes": site.closes.strftime("%H:%M"),
        "slot_minutes": site.slot_minutes,
        "daily_capacity": site.daily_capacity,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "created_at": site.created_at,
    }


def area_document(area: Area) -> Document:
    """Administrative unit codes as stored and published."""
    return {
        "province_code": area.province_code,
        "district_code": area.district_code,
        "ward_code": area.ward_code,
    }


def from_document(doc: Document) -> Site:
    """A site from its stored form."""
    area: dict[str, Any] = doc["area"]
    return Site(
        site_id=doc["_id"],
        name=doc["name"],
        kind=SiteKind(doc["kind"]),
        area=Area(area["province_code"], area["district_code"], area["ward_code"]),
        address=doc.get("address"),
        opens=time.fromisoformat(doc["opens"]),
        closes=time.fromisoformat(doc["closes"]),
        slot_minutes=doc["slot_minutes"],
        daily_capacity=doc["daily_capacity"],
        latitude=doc.get("latitude"),
        longitude=doc.get("longitude"),
        created_at=doc["created_at"],
    )
