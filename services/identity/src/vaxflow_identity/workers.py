"""Background work of identity: keeping the signing key ring rotated on schedule."""

from __future__ import annotations

import asyncio
import contextlib

from vaxflow_identity.handlers.keyring import KeyRingCache
from vaxflow_servicekit.logging import get_logger

log = get_logger(__name__)


class KeyRotationWorker:
    """Every interval, stages a new key when the current one is old and promotes it when due."""

    def __init__(self, keys: KeyRingCache, *, interval_s: float) -> None:
        self._keys = keys
        self._interval_s = interval_s
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Loop until stopped; a failed round is logged and retried at the next interval."""
        while not self._stopping.is_set():
            try:
                await self._keys.maintain()
            except Exception as exc:  # the database may be restarting; the next round retries
                log.warning("key_maintenance_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval_s)

    def stop(self) -> None:
        """Finish the current round and return."""
        self._stopping.set()
