"""'The picture changed' across processes: Redis pub/sub from the workers to the API's streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from vaxflow_servicekit.logging import get_logger

log = get_logger(__name__)


class Notifier:
    """Publishes a change notice on the group's channel; a lost notice only delays the page."""

    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self.channel = channel

    async def changed(self) -> None:
        try:
            await self._redis.publish(self.channel, b"changed")
        except (RedisError, OSError) as exc:
            log.warning("live_notify_failed", error=repr(exc))


class Changes:
    """Counts change notices heard on the channel; streams wait for the count to move."""

    def __init__(self) -> None:
        self.version = 0
        self._moved = asyncio.Condition()

    async def bump(self) -> None:
        async with self._moved:
            self.version += 1
            self._moved.notify_all()

    async def after(self, version: int, timeout_s: float) -> int:
        """Wait until the version passes `version` (or the timeout); the version then."""
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._moved.wait_for(lambda: self.version > version), timeout_s
                )
            return self.version


async def listen(redis: Redis, channel: str, changes: Changes) -> None:
    """Bump `changes` on every notice, resubscribing after a lost connection, until cancelled."""
    while True:
        try:
            async for _ in _messages(redis, channel):
                await changes.bump()
        except (RedisError, OSError) as exc:
            log.warning("live_listen_failed", error=repr(exc))
            await changes.bump()  # something may have changed while we were away
            await asyncio.sleep(1.0)


async def _messages(redis: Redis, channel: str) -> AsyncIterator[object]:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    try:
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is not None:
                yield message
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
