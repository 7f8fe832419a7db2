"""FerretDB and Redis stopped and started through the control API answer again."""

from __future__ import annotations

import uuid

import pytest
import redis
from pymongo import MongoClient

from vaxflow.stack import control
from vaxflow.stack.config import StackSettings

pytestmark = [pytest.mark.stack, pytest.mark.slow]


def test_ferretdb_restarted_keeps_its_documents(running_stack: StackSettings) -> None:
    document: dict[str, object] = {"_id": uuid.uuid4().hex, "lot": "AB1234"}
    with _mongo(running_stack) as client:
        client["stack_tests"]["lots"].insert_one(document)

    control.stop("ferretdb", running_stack)
    control.start("ferretdb", running_stack)

    with _mongo(running_stack) as client:
        assert client["stack_tests"]["lots"].find_one({"_id": document["_id"]}) == document


def _mongo(settings: StackSettings) -> MongoClient[dict[str, object]]:
    return MongoClient(settings.mongo_url, serverSelectionTimeoutMS=5000)


def test_redis_restarted_answers_again(running_stack: StackSettings) -> None:
    control.stop("redis", running_stack)
    control.start("redis", running_stack)

    client = redis.Redis.from_url(running_stack.redis_url, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()
