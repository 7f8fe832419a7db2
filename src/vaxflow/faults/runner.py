"""A fault run: the simulated day at a steady rate, the seeded faults during it, then the proof.

1. Every part of the stack answers (anything left down by an earlier run is started).
2. The simulator runs its day; once the day starts, the planned faults are injected one after
   the other at their seconds; a watchdog starts again any part the supervisor gave up on.
3. Every fault is undone and every part answers again; the system drains (outboxes empty,
   no consumer lag); the checker compares what the system holds with what it answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vaxflow.faults.checker import Checker, RunFacts
from vaxflow.faults.config import FaultsConfig
from vaxflow.faults.drain import drain, idle_groups
from vaxflow.faults.injectors import Injector, Stack
from vaxflow.faults.report import result_document
from vaxflow.faults.schedule import Planned, plan
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.metrics import Recorder
from vaxflow.stack.config import StackSettings
from vaxflow.stack.routes import load_routes

INFRASTRUCTURE = ("kafka", "ferretdb", "redis")


def say(text: str) -> None:
    """A line of progress on stderr (the report goes to stdout at the end)."""
    print(f"faults: {text}", file=sys.stderr, flush=True)


async def run(
    config: FaultsConfig, settings: StackSettings, simulation: SimulationConfig
) -> dict[str, Any]:
    """One fault run against the running stack; the result document (see report)."""
    from vaxflow.simulate.runner import simulate

    stack = Stack(settings)
    parts = (*INFRASTRUCTURE, *config.services)
    started_at = datetime.now(UTC)
    before = await stack.restore(parts, config.recover_timeout_s)
    missing = [name for name, seconds in before.items() if seconds is None]
    if missing:
        raise RuntimeError(f"parts of the stack do not answer before the run: {missing}")
    idle_before = await idle_groups(settings.kafka_bootstrap)
    if idle_before:
        say(f"consumer groups no process serves, left out: {sorted(idle_before)}")
    recorder = Recorder()
    schedule = plan(config)
    say(f"{len(schedule)} faults planned over a {config.wall_seconds:.0f} s day; setting up")
    day = asyncio.create_task(simulate(simulation, recorder))
    injector: Injector | None = None
    records: list[dict[str, Any]] = []
    watchdog: asyncio.Task[None] | None = None
    try:
        day_start = await _day_start(recorder, day)
        injector = Injector(stack, config, day_start)
        say("the day started")
        watchdog = asyncio.create_task(stack.watchdog(parts, day_start))
        records = await _inject_all(injector, schedule, day)
        simulated = await asyncio.wait_for(day, timeout=config.wall_seconds + 600)
        say("the day ended; waiting for the restarted parts")
        await injector.finish()
    finally:
        if watchdog is not None:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        if not day.done():
            day.cancel()
            with contextlib.suppress(BaseException):
                await day
        restored = await stack.restore(parts, config.recover_timeout_s)
    say("every fault undone; draining (outboxes, consumer lag)")
    settled = await drain(
        settings.mongo_url, settings.kafka_bootstrap, config.drain_timeout_s, idle_before
    )
    say(f"drained: {settled.get('drained')} in {settled.get('seconds')} s; checking")
    # Idle before the run and still after it: no process of this stack reads for the group.
    idle = idle_before & await idle_groups(settings.kafka_bootstrap)
    settled["idle_groups"] = sorted(idle)
    verdict = await Checker(
        settings.mongo_url, settings.kafka_bootstrap, _warehouse_dir(settings)
    ).check(
        RunFacts(recorder.history, simulated["sites"], injector.poison if injector else [], idle)
    )
    return result_document(
        config=config,
        started_at=started_at,
        recorder=recorder,
        simulated=simulated,
        faults=records,
        probes=injector.probes if injector else [],
        watchdog=stack.watchdog_starts,
        restored=restored,
        drained=settled,
        verdict=verdict,
    )


async def _day_start(recorder: Recorder, day: asyncio.Task[dict[str, Any]]) -> float:
    """When the simulated day starts (the simulator resets its recorder's clock then)."""
    setup = recorder.started
    while recorder.started == setup:
        if day.done():
            day.result()  # raises the setup's error
            raise RuntimeError("the simulated day ended before it started")
        await asyncio.sleep(0.1)
    return recorder.started


async def _inject_all(
    injector: Injector, schedule: list[Planned], day: asyncio.Task[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Inject each planned fault at its second (or as soon as the one before is over)."""
    records = []
    for planned in schedule:
        delay = planned.at_s - (time.monotonic() - injector.started)
        if delay > 0:
            await asyncio.sleep(delay)
        if day.done():
            break
        say(f"{planned.at_s:>6.1f} s: {planned.kind} {planned.target}")
        records.append(await injector.inject(planned))
    return records


def _warehouse_dir(settings: StackSettings) -> Path:
    """Where the stack's warehouse writes its Parquet files (its route's environment)."""
    routes = load_routes(settings.deploy_dir / "gateway" / "routes.toml")
    env = next((r.env for r in routes.service if r.name == "warehouse"), {})
    path = Path(env.get("VAXFLOW_WAREHOUSE_DATA_DIR", ".stack/warehouse/data"))
    return path if path.is_absolute() else settings.root / path
