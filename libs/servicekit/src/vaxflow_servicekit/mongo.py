"""The service's database: one async PyMongo client per process, created in the lifespan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from vaxflow_servicekit.settings import MongoSettings

Document = dict[str, Any]


def create_mongo_client(settings: MongoSettings) -> AsyncMongoClient[Document]:
    """Create the process's client with explicit timeouts and aware UTC datetimes."""
    return AsyncMongoClient(
        settings.url,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
        connectTimeoutMS=settings.connect_timeout_ms,
        socketTimeoutMS=settings.socket_timeout_ms,
        maxPoolSize=settings.max_pool_size,
        retryWrites=False,
    )


@dataclass(frozen=True)
class IndexSpec:
    """One index a collection needs; created at start, idempotently."""

    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False
    name: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[IndexSpec]) -> None:
    """Create every index the service declares (a no-op for those that exist)."""
    for spec in specs:
        await db[spec.collection].create_index(
            list(spec.keys), unique=spec.unique, name=spec.name, **dict(spec.options)
        )


async def ping(client: AsyncMongoClient[Document]) -> None:
    """Raise unless the database answers."""
    await client.admin.command("ping")


async def insert_once(collection: AsyncCollection[Document], document: Document) -> bool:
    """Insert an effect keyed by a deterministic `_id`; False if it was already there.

    This is the idempotent-consumer pattern: a redelivered event computes the same `_id`
    and finds its effect already recorded.
    """
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


DUPLICATE_KEY = 11000


async def insert_all_once(
    collection: AsyncCollection[Document], documents: Sequence[Document]
) -> list[bool]:
    """Insert effects keyed by deterministic `_id`s in one round trip; for each, whether it was
    new (False: it was already there). Any other write error is raised.

    `insert_once` for many documents: unordered, so one duplicate does not stop the others.
    """
    if not documents:
        return []
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors) or exc.details.get(
            "writeConcernErrors"
        ):
            raise
        duplicates = {e["index"] for e in errors}
        return [i not in duplicates for i in range(len(documents))]
    return [True] * len(documents)


def utc_now() -> datetime:
    """The current time, aware UTC: the default clock of a service's components."""
    return datetime.now(UTC)


def as_stored(at: datetime) -> datetime:
    """The time as the database keeps it: cut to milliseconds, so what is read back is equal."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
