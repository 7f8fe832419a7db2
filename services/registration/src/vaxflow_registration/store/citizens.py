"""Citizens on the `citizens` collection: each document carries its pending events (outbox).

The national ID is stored only as its blind index (unique) and its ciphertext, with the last
four characters for display. A new citizen and its `CitizenRegistered` are one insert; a change
and its `CitizenUpdated` are one conditional update on the version read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from vaxflow_events import RegistrationChannel, Sex
from vaxflow_registration.domain.citizen import (
    Citizen,
    PersonDetails,
    Relationship,
    Residence,
)
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.domain.people import PersonName
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events, with_events

CITIZENS = "citizens"
_DUPLICATE_KEY = 11000
_SUMMARY = {"outbox": 0, "history": 0}


@dataclass(frozen=True)
class ProtectedId:
    """A national ID as stored: blind index and ciphertext."""

    index: str
    sealed: str


@dataclass(frozen=True)
class StoredCitizen:
    """A citizen as read back, with the sealed national ID only its owner may open."""

    citizen: Citizen
    sealed_national_id: str


class MongoCitizenStore:
    """The citizen aggregate on MongoDB-wire storage."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._citizens = db[CITIZENS]

    async def add(self, citizen: Citizen, nid: ProtectedId, events: Sequence[Document]) -> bool:
        """Insert the citizen with its events; False if the national ID is already registered."""
        doc = new_document_with_events(to_document(citizen, nid), events, citizen.registered_at)
        try:
            await self._citizens.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def add_many(self, documents: Sequence[Document]) -> set[int]:
        """Insert prepared documents (unordered); return the positions refused as duplicates."""
        try:
            await self._citizens.insert_many(list(documents), ordered=False)
        except BulkWriteError as error:
            return _duplicate_positions(error)
        return set()

    async def imports_of(self, indexes: Sequence[str]) -> dict[str, str | None]:
        """For registered blind indexes: the import each came from (None outside imports)."""
        cursor = self._citizens.find(
            {"national_id_index": {"$in": list(indexes)}}, {"national_id_index": 1, "import_id": 1}
        )
        return {d["national_id_index"]: d.get("import_id") async for d in cursor}

    async def get(self, citizen_id: UUID) -> StoredCitizen | None:
        """The citizen, or None."""
        doc = await self._citizens.find_one({"_id": str(citizen_id)}, _SUMMARY)
        return _stored(doc) if doc else None

    async def of_account(
        self, account_id: str, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[StoredCitizen]:
        """The account's citizens in registration order, after a keyset position."""
        query: Document = {"account_id": account_id}
        if after is not None:
            at, last_id = after
            query["$or"] = [
                {"registered_at": {"$gt": at}},
                {"registered_at": at, "_id": {"$gt": last_id}},
            ]
        cursor = self._citizens.find(query, _SUMMARY).sort([("registered_at", 1), ("_id", 1)])
        return [_stored(d) async for d in cursor.limit(limit)]

    async def first_of_account(self, account_id: str) -> StoredCitizen | None:
        """The account's earliest registered citizen."""
        found = await self.of_account(account_id, after=None, limit=1)
        return found[0] if found else None

    async def unclaimed(self, index: str) -> StoredCitizen | None:
        """The record with this blind index that no phone account holds (a bulk import's)."""
        doc = await self._citizens.find_one(
            {"national_id_index": index, "account_id": None}, _SUMMARY
        )
        return _stored(doc) if doc else None

    async def save_claim(
        self, citizen: Citizen, record: Document, events: Sequence[Document]
    ) -> bool:
        """Give the record to its account, if nobody claimed or changed it since it was read."""
        update: Document = {
            "$set": {
                "account_id": citizen.account_id,
                "relationship": citizen.relationship.value if citizen.relationship else None,
                "updated_at": citizen.updated_at,
                "version": citizen.version,
            },
            "$push": {"history": record},
        }
        result = await self._citizens.update_one(
            {"_id": str(citizen.citizen_id), "account_id": None, "version": citizen.version - 1},
            with_events(update, events, citizen.updated_at),
        )
        return result.modified_count == 1

    async def save_change(
        self, citizen: Citizen, record: Document, events: Sequence[Document]
    ) -> bool:
        """Store the changed citizen, its history record and events, if nobody changed it since.

        `citizen.version` is the version after the change; the write applies only to the
        version before it, so two concurrent changes cannot overwrite each other.
        """
        update: Document = {
            "$set": _details_fields(citizen.details)
            | {"updated_at": citizen.updated_at, "version": citizen.version},
            "$push": {"history": record},
        }
        if events:
            update = with_events(update, events, citizen.updated_at)
        result = await self._citizens.update_one(
            {"_id": str(citizen.citizen_id), "version": citizen.version - 1}, update
        )
        return result.modified_count == 1


class MongoSealedIds:
    """The national ID ciphertexts, for the re-encryption job after a key rotation."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._citizens = db[CITIZENS]

    def _sealed_with(self, key_id: str) -> Document:
        return {"national_id_sealed": {"$regex": f"^{re.escape(key_id)}:"}}

    async def count_sealed_with(self, key_id: str) -> int:
        """How many ciphertexts the key still seals."""
        return await self._citizens.count_documents(self._sealed_with(key_id))

    async def sealed_with(self, key_id: str, limit: int) -> list[tuple[UUID, str]]:
        """Up to `limit` citizens whose ciphertext the key seals (any order)."""
        cursor = self._citizens.find(self._sealed_with(key_id), {"national_id_sealed": 1})
        return [(UUID(d["_id"]), d["national_id_sealed"]) async for d in cursor.limit(limit)]

    async def replace_sealed(self, citizen_id: UUID, old: str, new: str) -> bool:
        """Store the new ciphertext if the old one is still there; False otherwise."""
        result = await self._citizens.update_one(
            {"_id": str(citizen_id), "national_id_sealed": old},
            {"$set": {"national_id_sealed": new}},
        )
        return result.modified_count == 1


def to_document(citizen: Citizen, nid: ProtectedId) -> Document:
    """The stored form of a new citizen (without its outbox)."""
    return {
        "_id": str(citizen.citizen_id),
        "account_id": citizen.account_id,
        "relationship": citizen.relationship.value if citizen.relationship else None,
        "channel": citizen.channel.value,
        "import_id": str(citizen.import_id) if citizen.import_id else None,
        "id_type": citizen.id_type.value,
        "id_country": citizen.id_country,
        "national_id_index": nid.index,
        "national_id_sealed": nid.sealed,
        "national_id_last4": citizen.id_last4,
        **_details_fields(citizen.details),
        "registered_at": citizen.registered_at,
        "updated_at": citizen.updated_at,
        "version": citizen.version,
        "history": [],
    }


def _details_fields(d: PersonDetails) -> Document:
    return {
        "full_name": d.name.full_name,
        "family_name": d.name.family_name,
        "given_name": d.name.given_name,
        "date_of_birth": d.date_of_birth.isoformat(),
        "sex": d.sex.value,
        "phone": d.phone,
        "residence": {
            "province_code": d.residence.province_code,
            "ward_code": d.residence.ward_code,
        },
        "address_line": d.address_line,
        "priority_group": d.priority_group,
        "health_insurance_number": d.health_insurance_number,
    }


def _stored(doc: Document) -> StoredCitizen:
    return StoredCitizen(_citizen(doc), doc["national_id_sealed"])


def _citizen(doc: Document) -> Citizen:
    return Citizen(
        citizen_id=UUID(doc["_id"]),
        account_id=doc.get("account_id"),
        relationship=Relationship(doc["relationship"]) if doc.get("relationship") else None,
        channel=RegistrationChannel(doc["channel"]),
        import_id=UUID(doc["import_id"]) if doc.get("import_id") else None,
        id_type=IdType(doc["id_type"]),
        id_last4=doc["national_id_last4"],
        id_country=doc.get("id_country"),
        details=_details(doc),
        registered_at=doc["registered_at"],
        updated_at=doc["updated_at"],
        version=doc["version"],
    )


def _details(doc: Document) -> PersonDetails:
    residence: dict[str, Any] = doc["residence"]
    return PersonDetails(
        name=PersonName(doc["full_name"], doc["family_name"], doc.get("given_name")),
        date_of_birth=date.fromisoformat(doc["date_of_birth"]),
        sex=Sex(doc["sex"]),
        phone=doc["phone"],
        residence=Residence(residence["province_code"], residence["ward_code"]),
        address_line=doc.get("address_line"),
        priority_group=doc.get("priority_group"),
        health_insurance_number=doc.get("health_insurance_number"),
    )


def _duplicate_positions(error: BulkWriteError) -> set[int]:
    """Positions refused by the unique index; any other write error is raised again."""
    errors: list[Document] = error.details.get("writeErrors", [])
    if any(e.get("code") != _DUPLICATE_KEY for e in errors):
        raise error
    return {int(e["index"]) for e in errors}
