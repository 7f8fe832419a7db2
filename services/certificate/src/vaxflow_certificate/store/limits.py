"""Per-identity download counts in Redis: one counter per caller and fixed window."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True)
class Usage:
    """Downloads counted in the current window and seconds until it ends."""

    count: int
    resets_in_s: int


class RedisDownloadCounter:
    """Counts a caller's certificate downloads (PDF, QR code, list) per window."""

    def __init__(self, redis: Redis, *, prefix: str = "certificate:downloads") -> None:
        self._redis = redis
        self._prefix = prefix

    async def count(self, who: str, window_s: int) -> Usage:
        """Count one download by `who`; the window starts with their first download in it."""
        key = f"{self._prefix}:{who}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_s, nx=True)
            pipe.ttl(key)
            count, _, ttl = await pipe.execute()
        return Usage(count=int(count), resets_in_s=max(int(ttl), 1))
