"""Redis: one-time codes, fixed-window rate limits and staff login lockouts.

Every check-and-change is one atomic Redis operation (a MULTI pipeline or a Lua script), so the
limits hold whatever the number of concurrent requests and service replicas.
"""

from __future__ import annotations

from typing import Any, cast

from redis.asyncio import Redis

from vaxflow_identity.domain.limits import LimitExceeded, LockoutPolicy, RateLimit, Usage
from vaxflow_identity.domain.otp import Outcome, Verdict

# KEYS[1] the challenge; ARGV[1] the candidate's hash, ARGV[2] the attempts allowed.
_CHECK_CODE = """
local stored = redis.call('HGET', KEYS[1], 'hash')
if not stored then return {'missing', 0} end
if stored == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'accepted', 0}
end
local left = tonumber(ARGV[2]) - redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'burnt', 0}
end
return {'wrong', left}
"""

# KEYS[1] the failure counter, KEYS[2] the lock; ARGV[1] the counter's window in seconds.
# Returns minus the lock's remaining seconds when locked, else the attempt's number in the window.
_BEGIN_LOGIN = """
local locked_for = redis.call('TTL', KEYS[2])
if locked_for > 0 then return -locked_for end
local attempt = redis.call('INCR', KEYS[1])
if attempt == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return attempt
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisGuard:
    """Codes, counters and locks under one key prefix (tests use a prefix of their own)."""

    def __init__(self, redis: Redis, *, prefix: str = "identity") -> None:
        self._redis = redis
        self._prefix = prefix
        self._check_code = redis.register_script(_CHECK_CODE)
        self._begin_login = redis.register_script(_BEGIN_LOGIN)

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, *parts))

    async def count(self, what: str, who: str, rate: RateLimit) -> Usage:
        """Count one event of `what` by `who` in the current window."""
        key = self._key("rate", what, who)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, rate.window_s, nx=True)
            pipe.ttl(key)
            count, _, ttl = await pipe.execute()
        return Usage(count=int(count), resets_in_s=max(int(ttl), 1))

    async def admit(self, what: str, who: str, rate: RateLimit) -> None:
        """Count the event; raise LimitExceeded if it is over the limit."""
        usage = await self.count(what, who, rate)
        if usage.exceeds(rate):
            raise LimitExceeded(what, usage.resets_in_s)

    async def put_code(self, phone_index: str, code_hash: str, *, ttl_s: int) -> None:
        """Store a phone's challenge, replacing any earlier one, with its expiry."""
        key = self._key("otp", phone_index)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping={"hash": code_hash, "attempts": 0})
            pipe.expire(key, ttl_s)
            await pipe.execute()

    async def check_code(self, phone_index: str, code_hash: str, *, max_attempts: int) -> Verdict:
        """Compare a candidate with the challenge: use it up if right, count it if wrong."""
        keys = [self._key("otp", phone_index)]
        raw = cast(list[Any], await self._check_code(keys=keys, args=[code_hash, max_attempts]))
        return Verdict(Outcome(_text(raw[0])), int(raw[1]))

    async def begin_login(self, user_index: str, policy: LockoutPolicy) -> int:
        """Count a login attempt before checking its password; raise LimitExceeded if locked.

        Counting first means concurrent guesses cannot all slip in before the lock is set.
        """
        keys = [self._key("login", "failures", user_index), self._key("login", "lock", user_index)]
        answer = int(cast(int, await self._begin_login(keys=keys, args=[policy.window_s])))
        if answer < 0:
            raise LimitExceeded("login-locked", -answer)
        if answer > policy.max_failures:
            raise LimitExceeded("login-locked", policy.lockout_s)
        return answer

    async def lock_login(self, user_index: str, policy: LockoutPolicy) -> None:
        """Lock the username for the lockout period and start its failure count afresh."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("login", "lock", user_index), 1, ex=policy.lockout_s)
            pipe.delete(self._key("login", "failures", user_index))
            await pipe.execute()

    async def clear_login_failures(self, user_index: str) -> None:
        """A successful login forgets the earlier failures."""
        await self._redis.delete(self._key("login", "failures", user_index))
