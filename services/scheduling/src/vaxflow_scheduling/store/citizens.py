"""The citizens scheduling knows, learnt from the citizen and dose streams (a read model).

One document per citizen, by id: the phone account holding them (who may book for them),
their birth year (age limits), priority group and residence (invitations), and their doses
keyed by dose id, so that a redelivered event sets the same values again and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_scheduling.domain.doses import NextDose, PastDose, next_dose
from vaxflow_servicekit.mongo import Document

CITIZENS = "citizens"


@dataclass(frozen=True, slots=True)
class KnownCitizen:
    """A citizen as scheduling knows them."""

    citizen_id: str
    account_id: str | None
    birth_year: int | None
    priority_group: int | None
    residence: Document | None
    doses: list[PastDose]

    @property
    def next_dose(self) -> NextDose:
        """The dose due next, from the history."""
        return next_dose(self.doses)


class MongoCitizenDirectory:
    """The citizen read model."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._citizens = db[CITIZENS]

    async def get(self, citizen_id: str) -> KnownCitizen | None:
        """The citizen, or None while the citizen stream has not told us about them."""
        doc = await self._citizens.find_one({"_id": citizen_id})
        return _known(doc) if doc and doc.get("registered") else None

    async def history(self, citizen_id: str) -> list[PastDose]:
        """The citizen's doses (voided ones marked), known or not yet from the citizen stream."""
        doc = await self._citizens.find_one({"_id": citizen_id}, {"doses": 1})
        return _known(doc).doses if doc else []

    async def learn(self, citizen_id: str, details: Document) -> None:
        """Record a citizen's details (registration or change)."""
        await self._citizens.update_one(
            {"_id": citizen_id}, {"$set": details | {"registered": True}}, upsert=True
        )

    async def record_dose(self, citizen_id: str, dose: PastDose) -> KnownCitizen:
        """Record (or re-record, when corrected or voided) one dose; the citizen after."""
        fields = {
            f"doses.{dose.dose_id}": {
                "product_code": dose.product_code,
                "administered_on": dose.administered_on.isoformat(),
                "voided": dose.voided,
            }
        }
        await self._citizens.update_one({"_id": citizen_id}, {"$set": fields}, upsert=True)
        doc = await self._citizens.find_one({"_id": citizen_id})
        assert doc is not None
        return _known(doc)

    async def of_priority(self, *, limit: int, born_by: int | None = None) -> list[KnownCitizen]:
        """Registered citizens in priority order (group 1 first, none last), then by id.

        `born_by` keeps only those born in that year or before (a session's minimum age).
        """
        query: Document = {"registered": True}
        if born_by is not None:
            query["birth_year"] = {"$lte": born_by}
        cursor = self._citizens.find(query).sort([("priority_rank", 1), ("_id", 1)])
        return [_known(d) async for d in cursor.limit(limit)]


def details_of(
    account_id: str | None, date_of_birth: date, priority_group: int | None, residence: Document
) -> Document:
    """The fields kept from a citizen event: no name, no full date of birth."""
    return {
        "account_id": account_id,
        "birth_year": date_of_birth.year,
        "priority_group": priority_group,
        "priority_rank": priority_group if priority_group is not None else 999,
        "residence": residence,
    }


def _known(doc: Document) -> KnownCitizen:
    doses: dict[str, Any] = doc.get("doses", {})
    return KnownCitizen(
        citizen_id=doc["_id"],
        account_id=doc.get("account_id"),
        birth_year=doc.get("birth_year"),
        priority_group=doc.get("priority_group"),
        residence=doc.get("residence"),
        doses=[
            PastDose(
                dose_id,
                d["product_code"],
                date.fromisoformat(d["administered_on"]),
                d.get("voided", False),
            )
            for dose_id, d in doses.items()
        ],
    )
