"""Rate limits and the staff lockout rule, as values the Redis adapter enforces atomically."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` events per fixed window of `window_s` seconds."""

    limit: int
    window_s: int


@dataclass(frozen=True, slots=True)
class Usage:
    """How many events the current window has counted, and when it ends."""

    count: int
    resets_in_s: int

    def exceeds(self, rate: RateLimit) -> bool:
        """True when this event is over the limit."""
        return self.count > rate.limit


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """`max_failures` failed logins within `window_s` lock the username for `lockout_s`."""

    max_failures: int
    window_s: int
    lockout_s: int

    def locks_after(self, failures: int) -> bool:
        """True when this many failures lock the username."""
        return failures >= self.max_failures


class LimitExceeded(Exception):
    """A limit was hit; the caller may retry after `retry_after_s` seconds."""

    def __init__(self, what: str, retry_after_s: int) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after_s = max(1, retry_after_s)
