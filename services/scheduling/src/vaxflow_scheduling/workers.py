"""Background loops: the availability refresher, the stock entry sweeper."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from vaxflow_scheduling.handlers.components import Components, log
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


class StockEntrySweeper:
    """Finishes the receipts and adjustments a crash left half done (see `finish_open_entries`)."""

    def __init__(self, c: Components) -> None:
        self._c = c
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the round in hand and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Sweep until stopped; failures are logged and retried next round."""
        while not self._stopping.is_set():
            try:
                await finish_open_entries(self._c)
            except Exception as exc:  # the database away: try again next round
                log.warning("stock_sweep_failed", error=type(exc).__name__)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    self._stopping.wait(), timeout=self._c.settings.stock_sweep_s
                )
