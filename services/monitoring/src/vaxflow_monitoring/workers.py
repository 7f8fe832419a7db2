"""Loops of the worker role besides consumers and relays: the gauges of open cases and
suspended lots, read from the database so every process agrees after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from vaxflow_monitoring import metrics
from vaxflow_monitoring.handlers.components import Components

log = structlog.get_logger(__name__)


class GaugeRefresher:
    """Sets the open-case and suspended-lot gauges every `gauges_interval_s`."""

    def __init__(self, c: Components) -> None:
        self._c = c
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        """Finish after the current round."""
        self._stopped.set()

    async def refresh(self) -> None:
        """One round: count and set."""
        metrics.AEFI_OPEN_CASES.set(await self._c.cases.count_open())
        metrics.LOTS_SUSPENDED.set(await self._c.lots.count_suspended())

    async def run(self) -> None:
        """Refresh until stopped; a failed round is logged and retried next time."""
        while not self._stopped.is_set():
            try:
                await self.refresh()
            except Exception as exc:  # the next round tries again
                log.warning("gauge_refresh_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stopped.wait(), timeout=self._c.settings.gauges_interval_s
                )
