"""Booking changes per identity in Redis: one counter `<prefix>:changes:<subject>` per window."""

from __future__ import annotations

from redis.asyncio import Redis

from vaxflow_scheduling.domain.limits import Usage

# Count, and start the window with the first change (EXPIRE NX keeps a running window's end).
_TAKE = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('TTL', KEYS[1])}
"""


class RedisChangeCounter:
    """Counts each identity's booking changes per fixed window."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)

    def _key(self, subject: str) -> str:
        return f"{self._prefix}:changes:{subject}"

    async def take(self, subject: str, window_s: int) -> Usage:
        """Count one change of the subject; the window's count so far and when it ends."""
        count, ttl = await self._take(keys=[self._key(subject)], args=[window_s])
        return Usage(count=int(count), resets_in_s=max(int(ttl), 1))

    async def give_back(self, subject: str) -> None:
        """Uncount a change that did not happen (it was refused)."""
        await self._redis.decr(self._key(subject))
