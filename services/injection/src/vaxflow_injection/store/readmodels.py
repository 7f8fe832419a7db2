"""Read models built from other services' topics: citizens, check-ins, lots, suspensions, areas.

Every write is keyed by a natural `_id` and idempotent; the snapshots that change over time
(citizens, lot suspensions) are replaced only by a newer event, so a replay leaves the newest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_events import AdminArea, Holder
from vaxflow_injection.domain.doses import SiteLot
from vaxflow_servicekit.mongo import Document

CITIZENS = "citizens"
CHECK_INS = "check_ins"
SITE_LOTS = "site_lots"
LOT_STATUS = "lot_status"
SITE_AREAS = "site_areas"


@dataclass(frozen=True, slots=True)
class CitizenSnapshot:
    """What injection knows of a citizen: the holder snapshot, residence and holding account."""

    citizen_id: UUID
    holder: Holder
    residence: AdminArea
    account_id: str | None


def check_in_key(citizen_id: UUID, site_id: UUID, day: date) -> str:
    """The `_id` of a citizen's check-in at a site on a day."""
    return f"{citizen_id}|{site_id}|{day.isoformat()}"


class MongoReadModels:
    """The read models of injection, one collection each."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._citizens = db[CITIZENS]
        self._check_ins = db[CHECK_INS]
        self._lots = db[SITE_LOTS]
        self._lot_status = db[LOT_STATUS]
        self._areas = db[SITE_AREAS]

    async def save_citizen(self, snapshot: CitizenSnapshot, as_of: datetime) -> None:
        """Keep the citizen's newest snapshot."""
        fields = {
            "holder": snapshot.holder.model_dump(mode="json"),
            "residence": snapshot.residence.model_dump(mode="json"),
            "account_id": snapshot.account_id,
        }
        await _set_if_newer(self._citizens, str(snapshot.citizen_id), fields, as_of)

    async def citizen(self, citizen_id: UUID) -> CitizenSnapshot | None:
        """The citizen's snapshot, if registration published it."""
        doc = await self._citizens.find_one({"_id": str(citizen_id)})
        if doc is None:
            return None
        return CitizenSnapshot(
            citizen_id=citizen_id,
            holder=Holder.model_validate_json(_json(doc["holder"])),
            residence=AdminArea.model_validate_json(_json(doc["residence"])),
            account_id=doc.get("account_id"),
        )

    async def citizens_of_account(self, account_id: str) -> set[UUID]:
        """The citizens a phone account holds."""
        cursor = self._citizens.find({"account_id": account_id}, {"_id": 1})
        return {UUID(d["_id"]) async for d in cursor}

    async def save_check_in(
        self,
        citizen_id: UUID,
        site_id: UUID,
        day: date,
        appointment_id: UUID | None,
        queue_number: int | None = None,
    ) -> None:
        """Remember that the citizen arrived at the site that day, and their number (idempotent)."""
        fields = {
            "appointment_id": str(appointment_id) if appointment_id else None,
            "queue_number": queue_number,
        }
        await self._check_ins.update_one(
            {"_id": check_in_key(citizen_id, site_id, day)}, {"$set": fields}, upsert=True
        )

    async def check_in(self, citizen_id: UUID, site_id: UUID, day: date) -> Document | None:
        """The citizen's check-in at the site that day, if any."""
        return await self._check_ins.find_one({"_id": check_in_key(citizen_id, site_id, day)})

    async def save_lot(self, site_id: UUID, lot_id: UUID, lot: SiteLot) -> None:
        """Remember a lot the site received (idempotent)."""
        fields = {
            "product_code": lot.product_code,
            "manufacturer_code": lot.manufacturer_code,
            "lot_number": lot.lot_number,
            "expiry_date": lot.expiry_date.isoformat(),
        }
        await self._lots.update_one({"_id": f"{site_id}|{lot_id}"}, {"$set": fields}, upsert=True)

    async def lot(self, site_id: UUID, lot_id: UUID) -> SiteLot | None:
        """A lot the site holds, if it received one."""
        doc = await self._lots.find_one({"_id": f"{site_id}|{lot_id}"})
        if doc is None:
            return None
        return SiteLot(
            product_code=doc["product_code"],
            manufacturer_code=doc["manufacturer_code"],
            lot_number=doc["lot_number"],
            expiry_date=date.fromisoformat(doc["expiry_date"]),
        )

    async def save_lot_status(self, lot_id: UUID, *, suspended: bool, as_of: datetime) -> None:
        """Keep the lot's newest suspension state."""
        await _set_if_newer(self._lot_status, str(lot_id), {"suspended": suspended}, as_of)

    async def lot_suspended(self, lot_id: UUID) -> bool:
        """True while monitoring has the lot suspended."""
        doc = await self._lot_status.find_one({"_id": str(lot_id)})
        return bool(doc and doc.get("suspended"))

    async def save_site_area(self, site_id: UUID, area: AdminArea) -> None:
        """Remember a site's administrative units (idempotent)."""
        await self._areas.update_one(
            {"_id": str(site_id)}, {"$set": area.model_dump(mode="json")}, upsert=True
        )

    async def site_area(self, site_id: UUID) -> AdminArea | None:
        """The site's administrative units, if an event named them."""
        doc = await self._areas.find_one({"_id": str(site_id)})
        if doc is None:
            return None
        doc.pop("_id")
        return AdminArea.model_validate_json(_json(doc))


async def _set_if_newer(collection: Any, key: str, fields: Document, as_of: datetime) -> None:
    older = {"$or": [{"as_of": {"$lte": as_of}}, {"as_of": None}]}
    try:
        await collection.update_one(
            {"_id": key, **older}, {"$set": {**fields, "as_of": as_of}}, upsert=True
        )
    except DuplicateKeyError:
        return  # a newer event is already applied: this one is history


def _json(value: Any) -> str:
    return json.dumps(value)
