"""An outbox relay that publishes its next round while the last round's entries are removed.

On the local store, removing published entries is most of a relay's time: one transaction
per document, one after the other (the write gate holds the collection's updates in turn),
against a single query for reading a round. With the plain relay, events written meanwhile
wait for that removal before they are even read; here they are read and published while it
runs, so a busy collection's events go out at the rate of the removal alone, not of reading,
publishing and removing in turn.

The guarantees are the plain relay's: entries are removed only once Kafka acknowledged them
(a crash at most re-publishes), each document's entries go out in order. The documents whose
removal is under way are left out of the next round; an event added to one of them meanwhile
stays pending (the removal takes only what was published) and goes out in a later round.
One removal runs at a time, so a round's removal starts only when the previous one is done.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import OutboxRelay

log = structlog.get_logger(__name__)


class PipelinedOutboxRelay(OutboxRelay):
    """Publishes pending events while the previous round's are being removed."""

    _removal: asyncio.Task[None] | None = None
    _removing: frozenset[Any] = frozenset()

    async def run(self) -> None:
        """Publish until stopped; the removal under way is finished before returning."""
        try:
            await super().run()
        finally:
            await self.drain()

    async def drain(self) -> None:
        """Wait for the removal under way, if any (its failure leaves entries to re-publish)."""
        removal, self._removal = self._removal, None
        if removal is not None:
            with contextlib.suppress(Exception):  # logged by the task; re-published later
                await removal
        self._removing = frozenset()

    def _pending_filter(self) -> Document:
        pending = super()._pending_filter()
        return {**pending, "_id": {"$nin": list(self._removing)}} if self._removing else pending

    async def _remove_published(self, published: list[tuple[Any, list[Document]]]) -> None:
        """Start removing this round's entries once the previous round's are removed."""
        await self.drain()
        if published:
            self._removing = frozenset(doc_id for doc_id, _ in published)
            self._removal = asyncio.create_task(self._remove(published))

    async def _remove(self, published: list[tuple[Any, list[Document]]]) -> None:
        try:
            await super()._remove_published(published)
        except Exception as exc:
            log.warning("outbox_removal_failed", collection=self._name, error=repr(exc))
            raise
