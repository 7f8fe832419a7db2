"""The database keeps single-document updates atomic under concurrency, as the invariants need.

FerretDB 1.24 runs an update as a query followed by a separate write; the stack's write gate
(deploy/stack/ferretdb/gate.go) serialises those commands. These tests fail without it.
"""

from __future__ import annotations

import asyncio

import pytest
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_servicekit.mongo import Document

pytestmark = [pytest.mark.stack]


async def test_concurrent_increments_and_pushes_on_one_document_are_all_kept(
    mongo_db: AsyncDatabase[Document],
) -> None:
    coll = mongo_db["counters"]
    await coll.insert_one({"_id": "c", "n": 0, "seen": []})

    async def increment(times: int) -> None:
        for _ in range(times):
            await coll.update_one({"_id": "c"}, {"$inc": {"n": 1}})

    async def push(worker: int, times: int) -> None:
        for i in range(times):
            await coll.update_one({"_id": "c"}, {"$push": {"seen": f"{worker}-{i}"}})

    await asyncio.gather(*(increment(40) for _ in range(5)), *(push(w, 40) for w in range(3)))

    doc = await coll.find_one({"_id": "c"})
    assert doc is not None
    assert doc["n"] == 200
    assert sorted(doc["seen"]) == sorted(f"{w}-{i}" for w in range(3) for i in range(40))


async def test_increments_of_two_collections_at_once_are_all_kept(
    mongo_db: AsyncDatabase[Document],
) -> None:
    # The gate locks per collection: two collections' updates interleave, each stays exact.
    sessions, stock = mongo_db["sessions"], mongo_db["stock"]
    await sessions.insert_one({"_id": "s", "n": 0})
    await stock.insert_one({"_id": "s", "n": 0})

    async def increment(coll: AsyncCollection[Document], times: int) -> None:
        for _ in range(times):
            await coll.update_one({"_id": "s"}, {"$inc": {"n": 1}})

    await asyncio.gather(*(increment(c, 30) for c in (sessions, stock) for _ in range(4)))

    assert [(await c.find_one({"_id": "s"}) or {}).get("n") for c in (sessions, stock)] == [
        120,
        120,
    ]


async def test_a_conditional_update_never_goes_past_its_limit(
    mongo_db: AsyncDatabase[Document],
) -> None:
    coll = mongo_db["slots"]
    await coll.insert_one({"_id": "slot", "booked": 0, "capacity": 10})

    async def book() -> bool:
        result = await coll.update_one(
            {"_id": "slot", "booked": {"$lt": 10}}, {"$inc": {"booked": 1}}
        )
        return result.modified_count == 1

    outcomes = await asyncio.gather(*(book() for _ in range(60)))

    assert outcomes.count(True) == 10
    assert (await coll.find_one({"_id": "slot"}) or {})["booked"] == 10


async def test_find_one_and_update_hands_each_token_to_one_caller(
    mongo_db: AsyncDatabase[Document],
) -> None:
    coll = mongo_db["tokens"]
    await coll.insert_one({"_id": "t", "used_by": None})

    async def claim(caller: int) -> bool:
        doc = await coll.find_one_and_update(
            {"_id": "t", "used_by": None},
            {"$set": {"used_by": caller}},
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None

    winners = await asyncio.gather(*(claim(i) for i in range(20)))
    assert winners.count(True) == 1


async def test_one_update_command_with_more_statements_than_the_database_has_connections(
    mongo_db: AsyncDatabase[Document],
) -> None:
    # FerretDB 1.24 kept every statement's query open to the end of the command: an update of
    # more statements than its PostgreSQL pool (50 connections) waited forever and stopped the
    # whole database. The stack builds it with deploy/stack/ferretdb/patches/.
    coll = mongo_db["many"]
    await coll.insert_many([{"_id": i, "n": 0} for i in range(120)])

    result = await coll.bulk_write([UpdateOne({"_id": i}, {"$inc": {"n": 1}}) for i in range(120)])

    assert result.modified_count == 120
    assert await coll.count_documents({"n": 1}) == 120
