"""The outbox inside the aggregate, and the relay that publishes it.

A service never writes to its database and then publishes. It writes the changed document
together with its pending events (the document's `outbox` array) in one single-document
write, which every MongoDB-compatible store makes atomic. The relay publishes pending events
with the idempotent producer and removes them only after Kafka acknowledged them, so a crash
can cause a re-publish (which consumers absorb) but never a loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from typing import Any, Protocol

import structlog
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_servicekit import faultpoints
from vaxflow_servicekit.metrics import (
    KAFKA_PRODUCE_ERRORS,
    KAFKA_PRODUCED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISHED,
)
from vaxflow_servicekit.mongo import Document, IndexSpec

log = structlog.get_logger(__name__)

OUTBOX_FIELD = "outbox"
PENDING_SINCE_FIELD = "outbox_since"
# Looked up by equality, which FerretDB's PostgreSQL backend and MongoDB answer from an index;
# `outbox_since: {$ne: null}` would scan the collection.
PENDING_FLAG_FIELD = "outbox_pending"
LEASES_COLLECTION = "outbox_leases"
# Counting every pending document of a large import on each metrics round would cost more
# than publishing them; past this many the gauge stays at the cap.
BACKLOG_COUNT_CAP = 10_000
# Documents emptied by one bulk write: one round trip for many, while each write holds the
# local store's per-collection write gate only briefly (other writers of the collection wait).
REMOVALS_PER_WRITE = 50
_CLEAR_PENDING = {"$unset": {PENDING_SINCE_FIELD: "", PENDING_FLAG_FIELD: ""}}


class OutgoingEvent(Protocol):
    """What the outbox needs of an event envelope."""

    @property
    def key(self) -> str: ...

    def to_bytes(self) -> bytes: ...

    def headers(self) -> list[tuple[str, bytes]]: ...


class Producer(Protocol):
    """The part of aiokafka's producer the relay uses."""

    async def send(
        self, topic: str, *, value: bytes, key: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]: ...


def outbox_entry(topic: str, event: OutgoingEvent) -> Document:
    """The stored form of one pending event: what to send, where, with which key."""
    headers = event.headers()
    event_id = next((v.decode() for k, v in headers if k == "event_id"), None)
    return {
        "event_id": event_id,
        "topic": topic,
        "key": event.key,
        "value": event.to_bytes().decode(),
        # A sub-document, not a list of pairs: FerretDB stores no nested arrays.
        "headers": {k: v.decode() for k, v in headers},
    }


def with_events(update: Document, entries: Sequence[Document], now: datetime) -> Document:
    """Add pending events to a MongoDB update so the change and its events are one write."""
    merged = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})[OUTBOX_FIELD] = {"$each": list(entries)}
    merged.setdefault("$min", {})[PENDING_SINCE_FIELD] = now
    merged.setdefault("$set", {})[PENDING_FLAG_FIELD] = True
    return merged


def new_document_with_events(
    document: Document, entries: Sequence[Document], now: datetime
) -> Document:
    """A document to insert, carrying its pending events."""
    return {
        **document,
        OUTBOX_FIELD: list(entries),
        PENDING_SINCE_FIELD: now,
        PENDING_FLAG_FIELD: True,
    }


class Wakeup:
    """Lets handlers wake the outbox relays running in the same process (role `all`)."""

    def __init__(self) -> None:
        self._targets: list[Callable[[], None]] = []

    def connect(self, target: Callable[[], None]) -> None:
        """Call `target` on each notification."""
        self._targets.append(target)

    def notify(self) -> None:
        """Events were written."""
        for target in self._targets:
            target()


def outbox_indexes(collection: str) -> list[IndexSpec]:
    """The index the relay's scan needs on an aggregate collection."""
    return [IndexSpec(collection, [(PENDING_FLAG_FIELD, 1)], name="outbox_pending_flag")]


@dataclass(frozen=True)
class RelaySettings:
    """How often and how much the relay publishes; a lease keeps one relay per collection."""

    poll_interval_s: float = 0.05
    batch_size: int = 500
    lease_s: float = 10.0
    metrics_interval_s: float = 5.0
    backoff_max_s: float = 5.0
    idle_max_s: float = 0.25


class OutboxRelay:
    """Publishes the pending events of one aggregate collection, then removes them."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        collection: str,
        producer: Producer,
        settings: RelaySettings | None = None,
    ) -> None:
        self._db = db
        self._coll: AsyncCollection[Document] = db[collection]
        self._name = collection
        self._producer = producer
        self._settings = settings or RelaySettings()
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._last_metrics = 0.0
        self._lease_until: datetime | None = None  # the end of the lease this relay last wrote

    def notify(self) -> None:
        """Wake the relay now (a handler just wrote events) instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the relay to finish its current round and return."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Publish until stopped; failures are retried with backoff.

        An idle relay polls less and less often (up to `idle_max_s`), so that an idle service
        does not keep querying its database; `notify()` wakes it at once.
        """
        delay = self._settings.poll_interval_s
        while not self._stopping.is_set():
            try:
                published = await self.publish_pending() if await self.hold_lease() else 0
                delay = self._settings.poll_interval_s if published else self._idle(delay)
            except Exception as exc:  # the relay outlives any failure: it retries
                published = 0
                log.warning("outbox_relay_failed", collection=self._name, error=repr(exc))
                delay = min(delay * 2, self._settings.backoff_max_s)
            if published == 0:
                await self._sleep(delay)

    def _idle(self, delay: float) -> float:
        return min(delay * 2, max(self._settings.idle_max_s, self._settings.poll_interval_s))

    async def publish_pending(self) -> int:
        """One round: publish a batch of pending events, each document's in order; return how many.

        Within a document only the acknowledged prefix is removed, so a failed event and the
        ones after it are published again, in order, next round.
        """
        docs = await self._pending_documents()
        sent = [(doc["_id"], await self._send_all(doc[OUTBOX_FIELD])) for doc in docs]
        count = 0
        published: list[tuple[Any, list[Document]]] = []
        for doc_id, entries in sent:
            results = await asyncio.gather(*(e.wait() for e in entries), return_exceptions=True)
            acked = [e.entry for e, _ in zip(entries, takewhile(_ok, results), strict=False)]
            if acked:
                published.append((doc_id, acked))
            count += len(acked)
            self._log_failures(results)
        if published:
            await faultpoints.hit("relay.after_publish")
        await self._remove_published(published)
        OUTBOX_PUBLISHED.labels(self._name).inc(count)
        await self._report_backlog(docs)
        return count

    def _log_failures(self, results: list[BaseException | None]) -> None:
        errors = [r for r in results if r is not None]
        if errors:
            log.warning("outbox_publish_failed", collection=self._name, error=repr(errors[0]))

    async def _pending_documents(self) -> list[Document]:
        # No sort: FerretDB sorts in memory after reading every pending document (14 s for
        # 30,000 after a bulk import), while a plain limit stops early. Each round removes what
        # it published, so every pending document is reached; only the order is not the oldest
        # first (events of one document stay in order, whatever the order of documents).
        cursor = self._coll.find(
            self._pending_filter(), {OUTBOX_FIELD: 1, PENDING_SINCE_FIELD: 1}
        ).limit(self._settings.batch_size)
        found = [d async for d in cursor]
        pending = [d for d in found if d.get(OUTBOX_FIELD)]
        if len(pending) < len(found):  # flags left by a relay that stopped between its writes
            await self._coll.update_many(
                {PENDING_FLAG_FIELD: True, OUTBOX_FIELD: {"$size": 0}}, _CLEAR_PENDING
            )
        return pending

    def _pending_filter(self) -> Document:
        """Which documents a round reads (a subclass may leave some out)."""
        return {PENDING_FLAG_FIELD: True}

    async def _send_all(self, entries: list[Document]) -> list[_Sent]:
        """Hand a document's events to the producer in order; stop at the first refusal."""
        sent: list[_Sent] = []
        for entry in entries:
            try:
                sent.append(await self._send(entry))
            except Exception as exc:
                log.warning("outbox_send_refused", collection=self._name, error=repr(exc))
                break
        return sent

    async def _send(self, entry: Document) -> _Sent:
        headers = [(k, v.encode()) for k, v in entry["headers"].items()]
        topic = entry["topic"]
        try:
            future = await self._producer.send(
                topic, value=entry["value"].encode(), key=entry["key"].encode(), headers=headers
            )
        except Exception:
            KAFKA_PRODUCE_ERRORS.labels(topic).inc()
            raise
        return _Sent(entry, topic, future)

    async def _remove_published(self, published: list[tuple[Any, list[Document]]]) -> None:
        """Remove what Kafka acknowledged; events added meanwhile stay pending.

        Usually each outbox still holds exactly what was published: one bulk write (one round
        trip, the documents' updates one after the other in the store) empties them and clears
        their flags. If any outbox changed meanwhile, each document is then settled on its own
        with `$pullAll` of the exact stored entries (FerretDB's `$pull` takes no conditions),
        clearing the flag if nothing is left; for a document already emptied that changes
        nothing.
        """
        for start in range(0, len(published), REMOVALS_PER_WRITE):
            await self._remove_chunk(published[start : start + REMOVALS_PER_WRITE])

    async def _remove_chunk(self, published: list[tuple[Any, list[Document]]]) -> None:
        emptied = await self._coll.bulk_write(
            [
                UpdateOne(
                    {"_id": doc_id, OUTBOX_FIELD: entries},
                    {"$set": {OUTBOX_FIELD: []}, **_CLEAR_PENDING},
                )
                for doc_id, entries in published
            ],
            ordered=False,
        )
        if emptied.modified_count == len(published):
            return
        for doc_id, entries in published:
            await self._coll.update_one({"_id": doc_id}, {"$pullAll": {OUTBOX_FIELD: entries}})
            await self._coll.update_one({"_id": doc_id, OUTBOX_FIELD: {"$size": 0}}, _CLEAR_PENDING)

    async def hold_lease(self) -> bool:
        """Take or renew this collection's lease; only its holder publishes.

        The holder renews only once half of its lease has run: until then no other relay can
        take it, so each round need not write to the database (an idle relay polls four times
        a second, and every write of the lease waits behind the store's other writes).
        """
        now = datetime.now(UTC)
        held = self._lease_until
        if held is not None and now < held - timedelta(seconds=self._settings.lease_s / 2):
            return True
        self._lease_until = None
        until = now + timedelta(seconds=self._settings.lease_s)
        leases = self._db[LEASES_COLLECTION]
        query = {"_id": self._name, "$or": [{"until": {"$lt": now}}, {"owner": self._owner}]}
        try:
            doc = await leases.find_one_and_update(
                query,
                {"$set": {"owner": self._owner, "until": until}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False
        holding = doc is not None and doc.get("owner") == self._owner
        self._lease_until = until if holding else None
        return holding

    async def _report_backlog(self, seen: list[Document]) -> None:
        """The backlog (counted up to a cap) and the oldest wait among this round's documents."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_metrics < self._settings.metrics_interval_s:
            return
        self._last_metrics = loop.time()
        pending = {PENDING_FLAG_FIELD: True}
        backlog = await self._coll.count_documents(pending, limit=BACKLOG_COUNT_CAP)
        OUTBOX_BACKLOG.labels(self._name).set(backlog)
        since = [d[PENDING_SINCE_FIELD] for d in seen if d.get(PENDING_SINCE_FIELD)]
        age = (datetime.now(UTC) - min(since)).total_seconds() if since else 0.0
        OUTBOX_OLDEST_AGE.labels(self._name).set(age)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()


@dataclass(frozen=True)
class _Sent:
    entry: Document
    topic: str
    future: asyncio.Future[Any]

    async def wait(self) -> None:
        """Wait for Kafka's acknowledgement."""
        try:
            await self.future
        except Exception:
            KAFKA_PRODUCE_ERRORS.labels(self.topic).inc()
            raise
        KAFKA_PRODUCED.labels(self.topic).inc()


def _ok(result: BaseException | None) -> bool:
    return result is None
