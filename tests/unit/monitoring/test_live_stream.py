"""Open dashboards share one summary read per change (no I/O: the read is counted, not done)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from vaxflow_monitoring.live.handlers import Live
from vaxflow_monitoring.live.schemas import SummaryRead


class CountingLive(Live):
    """The handlers with a summary that counts how often it is read."""

    reads = 0

    async def summary(self, *, all_sites: bool = False) -> SummaryRead:
        self.reads += 1
        await asyncio.sleep(0.01)
        return cast(SummaryRead, object())


def _live() -> CountingLive:
    return CountingLive(store=cast(Any, None), summarizer=cast(Any, None), max_sites=200)


async def test_streams_that_heard_the_same_change_share_one_read() -> None:
    live = _live()

    await asyncio.gather(*(live.shared_summary(3) for _ in range(100)))

    assert live.reads == 1


async def test_a_newer_change_or_an_old_summary_is_read_again() -> None:
    live = _live()
    await live.shared_summary(3)

    await live.shared_summary(4)
    await live.shared_summary(4, max_age_s=0)

    assert live.reads == 3
