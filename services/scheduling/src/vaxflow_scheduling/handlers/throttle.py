"""A booking bot is throttled without hurting others: each identity (a citizen's phone account,
a staff member) may make so many booking changes (bookings, cancellations) per window.

A change that is refused (full slot, unknown citizen, ...) is not counted, so a citizen waiting
for registration to reach scheduling may retry; a change over the limit is refused with 429 and
Retry-After before any work is done. Redis unavailable: the change goes ahead (logged), as a
booking must not fail because a counter cannot be reached.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from vaxflow_scheduling.domain.limits import ChangeLimit, Usage
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.problems import too_many_changes
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.logging import get_logger

log = get_logger(__name__)


def limit_for(caller: Principal, c: Components) -> ChangeLimit:
    """The caller's limit: a citizen's phone account, or a staff member."""
    s = c.settings
    per = s.booking_changes_per_citizen if caller.role == "citizen" else s.booking_changes_per_staff
    return ChangeLimit(limit=per, window_s=s.booking_changes_window_s)


@contextlib.asynccontextmanager
async def booking_change(caller: Principal, c: Components) -> AsyncIterator[None]:
    """Count one booking change of the caller around the block; 429 over the limit."""
    if c.changes is None:
        yield
        return
    limit = limit_for(caller, c)
    usage = await _take(caller.subject, limit, c)
    if usage is not None and usage.exceeds(limit):
        raise too_many_changes(usage.resets_in_s)
    try:
        yield
    except BaseException:
        if usage is not None:
            await _give_back(caller.subject, c)
        raise


async def _take(subject: str, limit: ChangeLimit, c: Components) -> Usage | None:
    assert c.changes is not None
    try:
        return await c.changes.take(subject, limit.window_s)
    except Exception as exc:  # Redis down must not stop bookings
        log.warning("booking_change_count_failed", error=type(exc).__name__)
        return None


async def _give_back(subject: str, c: Components) -> None:
    assert c.changes is not None
    try:
        await c.changes.give_back(subject)
    except Exception as exc:
        log.warning("booking_change_uncount_failed", error=type(exc).__name__)
