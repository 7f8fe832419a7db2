"""Staff accounts in Mongo, unique by username."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_identity.domain.staff import Staff, StaffScope
from vaxflow_servicekit.mongo import Document, IndexSpec

STAFF = "staff"


def _document(staff: Staff) -> Document:
    return {
        "_id": staff.staff_id,
        "username": staff.username,
        "role": staff.role,
        "site_id": staff.scope.site_id,
        "district": staff.scope.district,
        "password_hash": staff.password_hash,
        "created_at": staff.created_at,
        "created_by": staff.created_by,
        "disabled": staff.disabled,
    }


def _staff(document: dict[str, Any]) -> Staff:
    return Staff(
        staff_id=document["_id"],
        username=document["username"],
        role=document["role"],
        scope=StaffScope(site_id=document.get("site_id"), district=document.get("district")),
        password_hash=document["password_hash"],
        created_at=document["created_at"],
        created_by=document["created_by"],
        disabled=bool(document.get("disabled", False)),
    )


class MongoStaffStore:
    """Adds, finds and pages staff accounts."""

    INDEXES = (IndexSpec(STAFF, [("username", 1)], unique=True, name="username_unique"),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._staff = db[STAFF]

    async def add(self, staff: Staff) -> bool:
        """Store a new account; False if the username is taken."""
        try:
            await self._staff.insert_one(_document(staff))
        except DuplicateKeyError:
            return False
        return True

    async def by_username(self, username: str) -> Staff | None:
        """The account with this (normalised) username."""
        document = await self._staff.find_one({"username": username})
        return _staff(document) if document else None

    async def by_id(self, staff_id: str) -> Staff | None:
        """The account with this id."""
        document = await self._staff.find_one({"_id": staff_id})
        return _staff(document) if document else None

    async def set_password_hash(self, staff_id: str, password_hash: str) -> None:
        """Replace the stored hash (a new password, or stronger hashing parameters)."""
        await self._staff.update_one({"_id": staff_id}, {"$set": {"password_hash": password_hash}})

    async def page(self, *, skip: int, limit: int) -> tuple[list[Staff], int]:
        """One page of accounts ordered by username, and how many there are in all."""
        cursor = self._staff.find({}).sort("username", 1).skip(skip).limit(limit)
        items = [_staff(document) async for document in cursor]
        return items, await self._staff.count_documents({})
