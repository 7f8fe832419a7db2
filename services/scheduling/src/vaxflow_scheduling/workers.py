"""Background loops: the availability refresher, the stock entry sweeper, the queue metrics and
the reminders of a next dose."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from vaxflow_scheduling.handlers.checkins import export_queues
from vaxflow_scheduling.handlers.components import Components, log
from vaxflow_scheduling.handlers.reminders import announce_due
from vaxflow_scheduling.handlers.stock import finish_open_entries


class AvailabilityRefresher:
    """Rewrites every coming session (and every site) to Redis every few seconds.

    Bookings write their slot's figure at once; this heals a figure a crashed process never
    wrote and fills an emptied Redis. A newer figure in Redis is never overwritten by an older one.
    """

    def __init__(self, c: Components) -> None:
        self._c = c
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the round in hand and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Refresh until stopped; failures are logged and retried next round."""
        while not self._stopping.is_set():
            try:
                await self.refresh()
            except Exception as exc:  # Redis or the database away: try again next round
                log.warning("availability_refresh_failed", error=type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    self._stopping.wait(), timeout=self._c.settings.availability_refresh_s
                )

    async def refresh(self) -> int:
        """One round; returns how many sessions were written."""
        c = self._c
        if c.availability is None:
            return 0
        today = c.today()
        last = today + timedelta(days=c.settings.availability_days)
        for site in await c.sites.all():
            await c.availability.publish_site(site)
        sessions = await c.sessions.between(today, last)
        for stored in sessions:
            await c.availability.publish(stored, c.now())
        return len(sessions)


class Periodic:
    """Runs one round of `work` every `interval_s` until stopped; a failed round is logged."""

    def __init__(self, name: str, work: Callable[[], Awaitable[object]], interval_s: float) -> None:
        self._name = name
        self._work = work
        self._interval_s = interval_s
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the round in hand and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Work until stopped; a failed round (the database or Redis away) is tried again."""
        while not self._stopping.is_set():
            try:
                await self._work()
            except Exception as exc:
                log.warning("round_failed", loop=self._name, error=type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval_s)


def queue_metrics_exporter(c: Components) -> Periodic:
    """Every site's queue written to the metrics every `queue_metrics_refresh_s`."""
    return Periodic("queue_metrics", lambda: export_queues(c), c.settings.queue_metrics_refresh_s)


def reminder_announcer(c: Components) -> Periodic:
    """Reminders of a next dose announced when their day comes, looked for every
    `reminder_interval_s`."""
    return Periodic("reminders", lambda: announce_due(c), c.settings.reminder_interval_s)


def stock_entry_sweeper(c: Components) -> Periodic:
    """Receipts and adjustments a crash left half done, finished every `stock_sweep_s` (see
    `finish_open_entries`)."""
    return Periodic("stock_sweep", lambda: finish_open_entries(c), c.settings.stock_sweep_s)
