"""The append-only audit log of security events (logins, failures, lockouts, staff creation).

Entries never hold passwords, codes or phone numbers: usernames that match no account are kept
only as a keyed hash, since people sometimes type a password into the username field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_servicekit.mongo import Document, IndexSpec

AUDIT = "audit"


class MongoAuditLog:
    """Appends audit entries; nothing here updates or deletes one."""

    INDEXES = (IndexSpec(AUDIT, [("at", -1)], name="at"),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._audit = db[AUDIT]

    async def record(self, action: str, *, at: datetime, **details: Any) -> None:
        """Append one entry: what happened, when, and the non-personal details."""
        entry = {"_id": uuid.uuid4().hex, "action": action, "at": at, **details}
        await self._audit.insert_one(entry)

    async def entries(self, **match: Any) -> list[Document]:
        """Entries matching the given fields, oldest first (for operators and tests)."""
        return [entry async for entry in self._audit.find(match).sort("at", 1)]
