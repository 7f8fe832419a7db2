"""More members of the sink's consumer group, each a process of its own.

One sink process validates, shapes and writes on one core. With `sink_processes` above one,
the warehouse's process starts that many less one further processes, each running the same
sink in the same group: Kafka shares the partitions out among them, and each stores its own
partitions' ranges by the same exactly-once protocol (rebalances are part of it, see
sink.py). Unlike shaping workers (ingest.py), members exchange nothing with the first
process: no messages or tables cross a pipe, which on a small machine costs about a quarter
of the work.

A member ends when the warehouse's process asks (SIGTERM: it stores what it holds and leaves
the group) or within a second of that process dying (a SIGKILL gives it no time to ask). The
warehouse's process ends if a member dies, so that its supervisor restarts the whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

import structlog
from aiokafka import AIOKafkaProducer

from vaxflow_servicekit.kafka import create_producer
from vaxflow_servicekit.logging import configure_logging
from vaxflow_warehouse.handlers.ingest import end_with_parent, settle_collector
from vaxflow_warehouse.workers.sink import WarehouseSink

if TYPE_CHECKING:
    from vaxflow_warehouse.settings import WarehouseSettings

log = structlog.get_logger()

PARENT_CHECK_SECONDS = 1.0
"""How often a member looks whether the warehouse's process is still there."""

STOP_SECONDS = 30.0
"""How long a member may take to store what it holds once asked to stop."""


SinkBuilder = Callable[["WarehouseSettings", AIOKafkaProducer], WarehouseSink]
"""Makes a member's sink (a module-level function: it is sent to the new process by name)."""


def member_process(settings: WarehouseSettings, build: SinkBuilder) -> BaseProcess:
    """A process (not yet started) running one member of the sink's group."""
    return get_context("spawn").Process(
        target=_member_main,
        args=(settings, build, os.getpid()),
        name="warehouse-member",
        daemon=False,
    )


class Members:
    """Further members of the group, as child processes; `run` fails if one of them ends."""

    def __init__(self, settings: WarehouseSettings, count: int, build: SinkBuilder) -> None:
        self._settings = settings
        self._count = count
        self._build = build
        self._stopping = asyncio.Event()
        self.processes: list[BaseProcess] = []

    async def run(self) -> None:
        """Start the members and watch them until `stop`; then have them end, and wait."""
        self.processes = [member_process(self._settings, self._build) for _ in range(self._count)]
        for process in self.processes:
            process.start()
        log.info("warehouse_members_started", members=len(self.processes))
        try:
            while not self._stopping.is_set():
                ended = [p for p in self.processes if not p.is_alive()]
                if ended:
                    raise RuntimeError(
                        f"a warehouse member ended with exit code {ended[0].exitcode}"
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), PARENT_CHECK_SECONDS)
        finally:
            await asyncio.to_thread(_end, self.processes)

    def stop(self) -> None:
        """Ask the members to store what they hold and end."""
        self._stopping.set()


def _end(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0.1))
        if process.is_alive():
            process.kill()
            process.join()


def _member_main(settings: WarehouseSettings, build: SinkBuilder, parent: int) -> None:
    configure_logging(settings.service_name, settings.log_level)
    end_with_parent(parent)
    asyncio.run(_run_member(settings, build))


async def _run_member(settings: WarehouseSettings, build: SinkBuilder) -> None:
    producer = create_producer(settings.kafka)
    await producer.start()
    try:
        sink = build(settings, producer)
        settle_collector()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, sink.stop)
        loop.add_signal_handler(signal.SIGINT, sink.stop)
        await sink.run()
    finally:
        await producer.stop()
