"""The signing key ring in Mongo: one document per version, the newest in force.

A change inserts the next version under its number as `_id`. The unique `_id` makes that the
compare-and-set: of two replicas changing the same version, exactly one insert succeeds. (An
update filtered on the version is not enough: FerretDB does not apply concurrent conditional
updates of one document atomically, while its unique-key inserts are.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_identity.domain.keys import KeyRing, KeySealer, RetiredKey, SigningKey
from vaxflow_servicekit.mongo import Document

KEYS = "signing_keys"
_VERSIONS_KEPT = 20


class MongoKeyStore:
    """Loads and adds ring versions; private keys are sealed before they reach the database."""

    def __init__(self, db: AsyncDatabase[Document], sealer: KeySealer) -> None:
        self._keys = db[KEYS]
        self._sealer = sealer

    async def load(self) -> KeyRing | None:
        """The newest ring, or None before the first key was made."""
        document = await self._keys.find_one({}, sort=[("_id", -1)])
        return self._ring(document) if document else None

    async def create(self, ring: KeyRing) -> bool:
        """Store the first ring; False if another process stored one first."""
        return await self._insert(0, ring)

    async def replace(self, ring: KeyRing, *, expected_version: int) -> bool:
        """Store `ring` as the version after `expected_version`; False if another did first."""
        version = expected_version + 1
        if not await self._insert(version, ring):
            return False
        await self._keys.delete_many({"_id": {"$lt": version - _VERSIONS_KEPT}})
        return True

    async def _insert(self, version: int, ring: KeyRing) -> bool:
        try:
            await self._keys.insert_one({"_id": version, **self._document(ring)})
        except DuplicateKeyError:
            return False
        return True

    def _sealed(self, key: SigningKey) -> Document:
        sealed = self._sealer.seal(key)
        return {"kid": key.kid, "sealed": sealed, "created_at": key.created_at, "jwk": key.jwk}

    def _key(self, document: dict[str, Any]) -> SigningKey:
        created_at: datetime = document["created_at"]
        return self._sealer.unseal(document["kid"], bytes(document["sealed"]), created_at)

    def _document(self, ring: KeyRing) -> Document:
        return {
            "current": self._sealed(ring.current),
            "activated_at": ring.activated_at,
            "next": self._sealed(ring.next) if ring.next else None,
            "previous": [
                {"kid": key.kid, "jwk": key.jwk, "retired_at": key.retired_at}
                for key in ring.previous
            ],
        }

    def _ring(self, document: dict[str, Any]) -> KeyRing:
        following = document.get("next")
        return KeyRing(
            current=self._key(document["current"]),
            activated_at=document["activated_at"],
            next=self._key(following) if following else None,
            previous=tuple(
                RetiredKey(item["kid"], dict(item["jwk"]), item["retired_at"])
                for item in document.get("previous", [])
            ),
            version=int(document["_id"]),
        )
