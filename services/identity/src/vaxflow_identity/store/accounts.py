"""Citizens' phone accounts: one VaxFlow account id per phone, created at its first login."""

from __future__ import annotations

import uuid
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit.mongo import Document, IndexSpec

ACCOUNTS = "accounts"


class MongoAccountStore:
    """Accounts keyed by the phone's blind index; the phone number itself is never stored."""

    INDEXES = (IndexSpec(ACCOUNTS, [("phone_index", 1)], unique=True, name="phone_index_unique"),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._accounts = db[ACCOUNTS]

    async def account_for_phone(self, phone_index: str, *, now: datetime) -> str:
        """The phone's account id, creating the account on first use (safe under races)."""
        found = await self._accounts.find_one({"phone_index": phone_index}, {"_id": 1})
        if found is not None:
            return str(found["_id"])
        account_id = "acc_" + uuid.uuid4().hex
        try:
            await self._accounts.insert_one(
                {"_id": account_id, "phone_index": phone_index, "created_at": now}
            )
        except DuplicateKeyError:
            # Another login of the same phone created it first: that account is the one.
            winner = await self._accounts.find_one({"phone_index": phone_index}, {"_id": 1})
            assert winner is not None
            return str(winner["_id"])
        return account_id
