"""Free places in Redis, for fast availability reads; the database stays the authority.

Per day, a hash `<prefix>:avail:<date>` maps each session id to its static description (site,
area, product, doses, slots). Per session, a hash `<prefix>:free:<session>` holds the slots'
free places as one JSON object (`f`: one value to parse, not one per slot, which the pure-Python
protocol parser makes slow), the session document's `version` (`_v`) and when the figure was
read (`_at`).
A write only lands if its version is newer than the one stored, so concurrent writers in any
order leave the latest figure; a write of the same version only refreshes `_at`, the time the
figure was last confirmed against the database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from redis.asyncio import Redis

from vaxflow_scheduling.domain.sites import Site
from vaxflow_scheduling.store.sessions import StoredSession
from vaxflow_scheduling.store.sites import area_document

_WRITE_IF_NEWER = """
local written = redis.call('HEXISTS', KEYS[1], 'f') == 1
local current = tonumber(redis.call('HGET', KEYS[1], '_v') or '-1')
local version = tonumber(ARGV[1])
if written and version < current then return 0 end
if written and version == current then
  redis.call('HSET', KEYS[1], '_at', ARGV[2])
  return 1
end
redis.call('HSET', KEYS[1], '_v', ARGV[1], '_at', ARGV[2], 'f', ARGV[3])
redis.call('EXPIRE', KEYS[1], 864000)
return 2
"""
_TTL_S = 10 * 24 * 3600


@dataclass(frozen=True, slots=True)
class SessionAvailability:
    """A session's description and its free places per slot, as cached."""

    session: dict[str, Any]
    free: dict[str, int]
    computed_at: str | None


class RedisAvailability:
    """The availability cache."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_WRITE_IF_NEWER)

    def _day(self, day: date | str) -> str:
        text = day if isinstance(day, str) else day.isoformat()
        return f"{self._prefix}:avail:{text}"

    def _free(self, session_id: str) -> str:
        return f"{self._prefix}:free:{session_id}"

    async def publish_site(self, site: Site) -> None:
        """Describe a site (for the CoWIN-shaped views)."""
        await self._redis.hset(f"{self._prefix}:sites", site.site_id, json.dumps(site_view(site)))

    async def sites(self) -> dict[str, dict[str, Any]]:
        """Every described site by id."""
        raw: dict[Any, Any] = await self._redis.hgetall(f"{self._prefix}:sites")
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def publish(self, stored: StoredSession, now: datetime) -> None:
        """Describe a session and write its free places if newer than what is cached."""
        s = stored.session
        await self._redis.hset(self._day(s.day), s.session_id, json.dumps(session_view(stored)))
        await self._redis.expire(self._day(s.day), _TTL_S)
        await self.write_free(stored, now)

    async def write_free(self, stored: StoredSession, now: datetime) -> None:
        """Write a session's free places, unless a newer version is already there."""
        await self._script(
            keys=[self._free(stored.session.session_id)],
            args=[stored.version, now.isoformat(), json.dumps(stored.free)],
        )

    async def of_days(self, days: Sequence[date]) -> list[SessionAvailability]:
        """Every cached session of these days, with its free places."""
        sessions: list[dict[str, Any]] = []
        for day in days:
            raw: dict[Any, Any] = await self._redis.hgetall(self._day(day))
            sessions += [json.loads(v) for v in raw.values()]
        return await self.with_free(sessions)

    async def with_free(self, sessions: list[dict[str, Any]]) -> list[SessionAvailability]:
        """Attach the free places of each session, in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        for s in sessions:
            pipe.hmget(self._free(s["session_id"]), "f", "_at")
        counters: list[list[bytes | None]] = await pipe.execute()
        return [_joined(s, c) for s, c in zip(sessions, counters, strict=True)]


def _joined(session: dict[str, Any], counters: list[bytes | None]) -> SessionAvailability:
    free, at = counters
    return SessionAvailability(
        session, json.loads(free) if free else {}, at.decode() if at else None
    )


def session_view(stored: StoredSession) -> dict[str, Any]:
    """What availability readers need of a session."""
    s = stored.session
    return {
        "session_id": s.session_id,
        "site_id": s.site_id,
        "area": stored.site_area,
        "date": s.day.isoformat(),
        "product_code": s.product_code,
        "doses": [d.value for d in s.doses],
        "min_age": s.min_age,
        "slots": [
            {
                "key": x.key,
                "start": x.start.isoformat(),
                "end": x.end.isoformat(),
                "capacity": x.capacity,
            }
            for x in s.slots
        ],
    }


def site_view(site: Site) -> dict[str, Any]:
    """What availability readers need of a site."""
    return {
        "site_id": site.site_id,
        "name": site.name,
        "address": site.address or "",
        "area": area_document(site.area),
        "opens": site.opens.strftime("%H:%M"),
        "closes": site.closes.strftime("%H:%M"),
        "latitude": site.latitude,
        "longitude": site.longitude,
    }
