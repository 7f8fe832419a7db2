"""Phone accounts and their places: at most N people per account, one of them `self`.

A place is a document whose `_id` is the account and a place number (`acct#3`), and the
holder's own record takes one more, `acct#self`. Taking a place is an insert, so the unique
`_id` decides between concurrent registrations with no conditional update (which the local
store makes atomic only through its write gate, and makes slow on large collections). A place is
taken before the citizen is inserted and given back if that insert is refused; a place whose
citizen never appeared (the process died in between) is reclaimed after `stale_after`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_registration.domain.citizen import Relationship
from vaxflow_servicekit.mongo import Document, insert_once

ACCOUNT_PLACES = "account_places"
_HOLDER = "self"


class PlaceRefused(StrEnum):
    """Why an account cannot take one more person."""

    FULL = "full"
    SELF_TAKEN = "self_taken"


@dataclass(frozen=True)
class Place:
    """A place on an account asked for by one citizen."""

    account_id: str
    citizen_id: UUID
    relationship: Relationship
    reserved_at: datetime

    def document(self, number: str) -> Document:
        """The stored place `number` (1..N, or `self`) held by this citizen."""
        return {
            "_id": f"{self.account_id}#{number}",
            "account_id": self.account_id,
            "number": number,
            "citizen_id": str(self.citizen_id),
            "at": self.reserved_at,
        }


class MongoAccountStore:
    """Places on phone accounts, on the `account_places` collection."""

    def __init__(self, db: AsyncDatabase[Document], *, stale_after: timedelta) -> None:
        self._places = db[ACCOUNT_PLACES]
        self._citizens = db["citizens"]
        self._stale_after = stale_after

    async def reserve(self, place: Place, max_people: int) -> PlaceRefused | None:
        """Take a place for the citizen; None when taken, else why not."""
        refused = await self._try_reserve(place, max_people)
        if refused is not None and await self._reclaim_stale(place.account_id, place.reserved_at):
            refused = await self._try_reserve(place, max_people)
        return refused

    async def release(self, place: Place) -> None:
        """Give back the places this citizen holds (their registration was refused)."""
        await self._places.delete_many(
            {"account_id": place.account_id, "citizen_id": str(place.citizen_id)}
        )

    async def self_citizen(self, account_id: str) -> str | None:
        """The id of the account holder's own record, if registered."""
        doc = await self._places.find_one({"_id": f"{account_id}#{_HOLDER}"})
        return doc["citizen_id"] if doc else None

    async def _try_reserve(self, place: Place, max_people: int) -> PlaceRefused | None:
        is_holder = place.relationship is Relationship.SELF
        if is_holder and not await insert_once(self._places, place.document(_HOLDER)):
            return PlaceRefused.SELF_TAKEN
        taken = {d["number"] async for d in self._places.find({"account_id": place.account_id})}
        for number in (str(n) for n in range(1, max_people + 1)):
            if number not in taken and await insert_once(self._places, place.document(number)):
                return None
        await self.release(place)
        return PlaceRefused.FULL

    async def _reclaim_stale(self, account_id: str, now: datetime) -> bool:
        """Free places taken long ago whose citizen does not exist; True if any."""
        cursor = self._places.find(
            {"account_id": account_id, "at": {"$lt": now - self._stale_after}}
        )
        old = [d async for d in cursor]
        ids = [d["citizen_id"] for d in old]
        found = {d["_id"] async for d in self._citizens.find({"_id": {"$in": ids}}, {"_id": 1})}
        orphans = [d for d in old if d["citizen_id"] not in found]
        for doc in orphans:
            await self._places.delete_one({"_id": doc["_id"], "citizen_id": doc["citizen_id"]})
        return bool(orphans)


class MongoClaimAttempts:
    """Failed claims of imported records per phone account and day, on `claim_attempts`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._attempts = db["claim_attempts"]

    async def failures(self, account_id: str, day: date) -> int:
        """How many claims the account got wrong that day."""
        doc = await self._attempts.find_one({"_id": f"{account_id}#{day.isoformat()}"})
        return int(doc["failures"]) if doc else 0

    async def failed(self, account_id: str, day: date) -> None:
        """Count one more wrong claim."""
        await self._attempts.update_one(
            {"_id": f"{account_id}#{day.isoformat()}"}, {"$inc": {"failures": 1}}, upsert=True
        )
