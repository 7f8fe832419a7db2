"""Read models built from other services' topics: citizens (by account) and doses.

Every write is keyed by a natural `_id` and idempotent, so a redelivered event changes nothing
and the read models can be rebuilt by reading the topics again under a new consumer group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document, insert_once

CITIZENS = "core_citizens"
DOSES = "core_doses"


@dataclass(frozen=True, slots=True)
class KnownDose:
    """A dose as monitoring knows it: who, where, which lot, when, and whether voided."""

    dose_id: UUID
    citizen_id: UUID
    site_id: UUID
    district_code: str | None
    lot_id: UUID
    product_code: str
    lot_number: str
    administered_at: datetime
    voided: bool


def _dose(doc: Document) -> KnownDose:
    return KnownDose(
        dose_id=UUID(doc["_id"]),
        citizen_id=UUID(doc["citizen_id"]),
        site_id=UUID(doc["site_id"]),
        district_code=doc.get("district_code"),
        lot_id=UUID(doc["lot_id"]),
        product_code=doc["product_code"],
        lot_number=doc["lot_number"],
        administered_at=doc["administered_at"],
        voided=bool(doc.get("voided")),
    )


class MongoReadModels:
    """The `core_citizens` and `core_doses` read models."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._citizens = db[CITIZENS]
        self._doses = db[DOSES]

    async def save_account(self, citizen_id: UUID, account_id: str | None, as_of: datetime) -> None:
        """Keep the phone account holding the citizen, newest event wins."""
        older = {"$or": [{"as_of": {"$lte": as_of}}, {"as_of": None}]}
        try:
            await self._citizens.update_one(
                {"_id": str(citizen_id), **older},
                {"$set": {"account_id": account_id, "as_of": as_of}},
                upsert=True,
            )
        except DuplicateKeyError:
            return  # a newer event is already applied

    async def account_of(self, citizen_id: UUID) -> str | None:
        """The phone account holding the citizen, if registration said."""
        doc = await self._citizens.find_one({"_id": str(citizen_id)})
        return doc.get("account_id") if doc else None

    async def save_dose(self, dose: KnownDose) -> bool:
        """Remember a dose (idempotent); False when it was known."""
        return await insert_once(
            self._doses,
            {
                "_id": str(dose.dose_id),
                "citizen_id": str(dose.citizen_id),
                "site_id": str(dose.site_id),
                "district_code": dose.district_code,
                "lot_id": str(dose.lot_id),
                "product_code": dose.product_code,
                "lot_number": dose.lot_number,
                "administered_at": dose.administered_at,
                "voided": dose.voided,
            },
        )

    async def correct_dose(self, dose_id: UUID, fields: dict[str, Any]) -> None:
        """Apply a correction of the lot or time (idempotent: the same values again)."""
        await self._doses.update_one({"_id": str(dose_id)}, {"$set": fields})

    async def void_dose(self, dose_id: UUID) -> None:
        """The dose was recorded in error: it no longer counts."""
        await self._doses.update_one({"_id": str(dose_id)}, {"$set": {"voided": True}})

    async def dose(self, dose_id: UUID) -> KnownDose | None:
        """A dose, if injection published it."""
        doc = await self._doses.find_one({"_id": str(dose_id)})
        return _dose(doc) if doc else None

    async def doses_of_citizen_on_lot(self, citizen_id: UUID, lot_id: UUID) -> list[KnownDose]:
        """The citizen's doses of a lot."""
        cursor = self._doses.find({"citizen_id": str(citizen_id), "lot_id": str(lot_id)})
        return [_dose(d) async for d in cursor]

    async def doses_of_lot(self, lot_id: UUID) -> int:
        """Doses of the lot given and not voided."""
        return await self._doses.count_documents({"lot_id": str(lot_id), "voided": False})
