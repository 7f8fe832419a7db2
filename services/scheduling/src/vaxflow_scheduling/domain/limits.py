"""How many booking changes (bookings and cancellations) one identity may make per window."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChangeLimit:
    """At most `limit` changes per fixed window of `window_s` seconds."""

    limit: int
    window_s: int


@dataclass(frozen=True, slots=True)
class Usage:
    """The changes the current window has counted, this one included, and when it ends."""

    count: int
    resets_in_s: int

    def exceeds(self, limit: ChangeLimit) -> bool:
        """True when this change is over the limit."""
        return self.count > limit.limit
