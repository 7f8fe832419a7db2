"""Refresh tokens and their families in Mongo.

A family is one login's chain of rotated refresh tokens. Using a token records its use under
the token's hash as a unique key, so of concurrent uses exactly one wins (FerretDB applies
concurrent conditional updates of one document non-atomically; unique-key inserts are atomic).
Presenting a used or revoked token again revokes the whole family, which every refresh checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_identity.domain.tokens import RefreshToken, Subject
from vaxflow_servicekit.mongo import Document, IndexSpec

TOKENS = "refresh_tokens"
USES = "refresh_token_uses"
FAMILIES = "refresh_families"


def _subject_document(subject: Subject) -> Document:
    return {
        "id": subject.subject_id,
        "kind": subject.kind,
        "role": subject.role,
        "site_id": subject.site_id,
        "district": subject.district,
    }


def _subject(document: dict[str, Any]) -> Subject:
    return Subject(
        subject_id=document["id"],
        kind=document["kind"],
        role=document["role"],
        site_id=document.get("site_id"),
        district=document.get("district"),
    )


def _token(document: dict[str, Any]) -> RefreshToken:
    return RefreshToken(
        token_hash=document["_id"],
        family_id=document["family_id"],
        subject=_subject(document["subject"]),
        issued_at=document["issued_at"],
        expires_at=document["expires_at"],
        revoked_at=document.get("revoked_at"),
    )


class MongoSessionStore:
    """Refresh tokens by hash, and the revocation state of their families."""

    INDEXES = (
        IndexSpec(TOKENS, [("family_id", 1)], name="family"),
        IndexSpec(FAMILIES, [("subject_id", 1)], name="subject"),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._tokens = db[TOKENS]
        self._uses = db[USES]
        self._families = db[FAMILIES]

    async def start_family(self, token: RefreshToken) -> None:
        """Record a new login's family and its first token."""
        await self._families.insert_one(
            {
                "_id": token.family_id,
                "subject_id": token.subject.subject_id,
                "created_at": token.issued_at,
                "revoked_at": None,
            }
        )
        await self.add(token)

    async def add(self, token: RefreshToken) -> None:
        """Store a token (its hash only)."""
        await self._tokens.insert_one(
            {
                "_id": token.token_hash,
                "family_id": token.family_id,
                "subject": _subject_document(token.subject),
                "issued_at": token.issued_at,
                "expires_at": token.expires_at,
                "revoked_at": token.revoked_at,
            }
        )

    async def get(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, used or not."""
        document = await self._tokens.find_one({"_id": token_hash})
        return _token(document) if document else None

    async def use(self, token_hash: str, *, now: datetime) -> bool:
        """Record the token's one use; False if it was used before (a reuse)."""
        try:
            await self._uses.insert_one({"_id": token_hash, "used_at": now})
        except DuplicateKeyError:
            return False
        await self._tokens.update_one({"_id": token_hash}, {"$set": {"revoked_at": now}})
        return True

    async def is_family_revoked(self, family_id: str) -> bool:
        """True once the family was revoked (logout or reuse); unknown families count as revoked."""
        family = await self._families.find_one({"_id": family_id}, {"revoked_at": 1})
        return family is None or family.get("revoked_at") is not None

    async def revoke_family(self, family_id: str, *, now: datetime, reason: str) -> None:
        """Revoke every token of the family, now and for any successor added concurrently."""
        await self._families.update_one(
            {"_id": family_id, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoked_reason": reason}},
        )
        await self._tokens.update_many(
            {"family_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
