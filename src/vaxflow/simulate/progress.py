"""The progress display while a run goes: rich when it is installed and the output is a
terminal, else one plain line every few seconds."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.metrics import Recorder


class Progress:
    """Shows doses, requests, rates and errors against the simulated clock."""

    def __init__(self, recorder: Recorder, config: SimulationConfig, citizens: int) -> None:
        self._recorder = recorder
        self._config = config
        self._citizens = citizens

    def line(self) -> str:
        """One status line."""
        r = self._recorder
        elapsed = r.elapsed()
        simulated_h = min(elapsed * self._config.speedup / 3600, self._config.hours)
        return (
            f"t={elapsed:6.1f}s day {simulated_h:4.1f}/{self._config.hours:g}h  "
            f"registered {r.outcomes['registered']}/{self._citizens}  "
            f"doses {r.outcomes['doses']}/{self._config.doses} "
            f"({r.recent_rate('doses'):.1f}/s)  "
            f"certificates {r.outcomes['certificates_seen']}  "
            f"requests {r.total_requests()} ({r.recent_rate('requests'):.0f}/s)  "
            f"errors {r.total_errors()}"
        )

    async def run(self) -> None:
        """Update until cancelled."""
        rich = _rich_live() if sys.stdout.isatty() else None
        if rich is None:
            while True:
                await asyncio.sleep(5)
                print(self.line(), flush=True)
        live_class, text_class = rich
        with live_class(text_class(self.line()), refresh_per_second=2) as live:
            while True:
                await asyncio.sleep(0.5)
                live.update(text_class(self.line()))


def _rich_live() -> tuple[Any, Any] | None:
    try:
        from rich.live import Live
        from rich.text import Text
    except ImportError:  # rich is optional: plain lines then
        return None
    return Live, Text
