"""The signing key ring as the process sees it: cached briefly, created, rotated, promoted."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from vaxflow_identity.domain.keys import KeyRing, SigningKey
from vaxflow_identity.settings import IdentitySettings
from vaxflow_identity.store.keys import MongoKeyStore
from vaxflow_servicekit.logging import get_logger

log = get_logger(__name__)
_CAS_RETRIES = 5


class KeyRingCache:
    """Serves the current ring from memory for `key_cache_s`, reloading (and promoting) after.

    A replica may sign with the old current key for up to `key_cache_s` after another one
    promoted the next key; both keys are published then, so such tokens verify.
    """

    def __init__(
        self, store: MongoKeyStore, settings: IdentitySettings, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._ring: KeyRing | None = None
        self._loaded_at = -math.inf
        self._lock = asyncio.Lock()

    async def ring(self) -> KeyRing:
        """The ring, from memory while fresh."""
        if self._ring is not None and self._is_fresh():
            return self._ring
        async with self._lock:
            # Another task may have reloaded while this one waited.
            if self._ring is None or not self._is_fresh():
                return await self.maintain()
            return self._ring

    def _is_fresh(self) -> bool:
        return time.monotonic() - self._loaded_at < self._settings.key_cache_s

    async def signing_key(self) -> SigningKey:
        """The key that signs now."""
        return (await self.ring()).current

    async def published(self) -> list[dict[str, Any]]:
        """The public keys of the JWKS."""
        ring = await self.ring()
        return ring.published(self._clock(), self._settings.previous_key_kept_s)

    async def maintain(self) -> KeyRing:
        """Load the ring (making the first key if none); stage or promote keys when due."""
        return await self._change(self._due_changes)

    async def rotate(self, *, immediate: bool = False) -> KeyRing:
        """Stage a new next key; with `immediate`, make it sign at once (after a compromise)."""

        def change(ring: KeyRing) -> KeyRing:
            staged = ring.staged(SigningKey.generate(self._clock()))
            return self._promote(staged) if immediate else staged

        return await self._change(change)

    def _due_changes(self, ring: KeyRing) -> KeyRing:
        now, settings = self._clock(), self._settings
        if ring.is_rotation_due(now, settings.signing_key_rotate_every_s):
            ring = ring.staged(SigningKey.generate(now))
        if ring.is_promotion_due(now, settings.signing_key_publish_ahead_s):
            ring = self._promote(ring)
        return ring

    def _promote(self, ring: KeyRing) -> KeyRing:
        if ring.next is None:
            return ring
        return ring.promoted(self._clock(), self._settings.previous_key_kept_s)

    async def _load_or_create(self) -> KeyRing:
        ring = await self._store.load()
        if ring is None:
            first = KeyRing.first(SigningKey.generate(self._clock()))
            if await self._store.create(first):
                log.info("signing_key_created", kid=first.current.kid)
            ring = await self._store.load()
            assert ring is not None
        return self._remember(ring)

    async def _change(self, change: Callable[[KeyRing], KeyRing]) -> KeyRing:
        """Apply a change by compare-and-set, retrying on a concurrent change by another replica."""
        for _ in range(_CAS_RETRIES):
            ring = await self._load_or_create()
            changed = change(ring)
            if changed is ring or await self._store.replace(changed, expected_version=ring.version):
                self._log_change(ring, changed)
                return self._remember(changed)
        raise RuntimeError("the signing key ring kept changing; try again")

    def _remember(self, ring: KeyRing) -> KeyRing:
        self._ring = ring
        self._loaded_at = time.monotonic()
        return ring

    @staticmethod
    def _log_change(before: KeyRing, after: KeyRing) -> None:
        if after.current.kid != before.current.kid:
            log.info("signing_key_promoted", kid=after.current.kid, retired=before.current.kid)
        elif after.next is not None and before.next is None:
            log.info("signing_key_staged", kid=after.next.kid)
