"""Warehouse ingest rate on this machine: events per second from Kafka into Parquet files.

Prints one JSON document. First it produces `--events` realistic events (each person:
registered, booked, checked in, screened, vaccinated, observed, certified; all on one day) to
a 6-partition topic of its own (not timed). Then:

- `sink`: the warehouse sink in this process (shaping in process, then with `--shaping-processes`
  worker processes), then as `--sink-processes` member processes of one group (each shaping
  its own partitions), each run with a fresh group and data directory, from its
  start until the range records cover every offset: events per second ingested end to end
  (Kafka fetch, validation against the contracts, pseudonymisation, Parquet, fsync, commit);
- `pipeline`: the same messages through validation, shaping and Parquet without Kafka;
- `validation_only`: the contracts' validation by pydantic alone (`EventRegistry.parse`);
- `compiled_validation_only`: the same by the compiled contracts (`FastRegistry.check_many`),
  the floor of the sink as it is; the few messages they leave to pydantic (a time at midnight
  exactly) are parsed by it, as in the sink.

Each sink run gives the rate over the whole run (the group's join at the start, and at the end
the last batch waiting out its one second) and the steady rate, from 10% to 90% of the events
stored.

Needs the running stack (`make up`). Each figure is measured over a fixed count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from cpu import family_seconds, snapshot, spent
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.layout import RANGES_DIR, parse_record
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import RowShaper
from vaxflow_warehouse.handlers.ingest import (
    CHECK_BLOCK,
    Ingest,
    PartitionBatch,
    settle_collector,
    shaping_pool,
)
from vaxflow_warehouse.main import sink_for
from vaxflow_warehouse.settings import WarehouseSettings
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.workers.members import member_process
from vaxflow_warehouse.workers.sink import WarehouseSink

from vaxflow.service import SERVICES
from vaxflow.stack.config import StackSettings
from vaxflow.stack.supervisor import Supervisor
from vaxflow_events import REGISTRY, Envelope, Event
from vaxflow_events.examples import EXAMPLES
from vaxflow_events.fast import FastRegistry
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.kafka import create_producer, ensure_topics
from vaxflow_servicekit.settings import KafkaSettings

FLOW = (
    "CitizenRegistered",
    "AppointmentBooked",
    "CitizenCheckedIn",
    "ScreeningRecorded",
    "DoseAdministered",
    "ObservationCompleted",
    "CertificateIssued",
)
KEY = b"bench-warehouse-pseudonym-key-0001"


@dataclass(frozen=True)
class Raw:
    topic: str
    partition: int
    offset: int
    value: bytes


def events(count: int) -> Iterator[Envelope[Event]]:
    """People going through the whole flow on one day, one event after another."""
    start = datetime(2021, 8, 10, 1, 0, tzinfo=UTC)
    for i in range(count):
        person = i // len(FLOW)
        example = EXAMPLES[FLOW[i % len(FLOW)]]
        update: dict[str, Any] = {"citizen_id": uuid.UUID(int=person + 1)}
        if "holder" in type(example).model_fields:
            born = date(1940, 1, 1) + timedelta(days=person % 25_000)
            update["holder"] = example.holder.model_copy(update={"date_of_birth": born})  # type: ignore[attr-defined]
        yield Envelope.new(
            example.model_copy(update=update),
            producer="bench",
            occurred_at=start + timedelta(milliseconds=200 * i),
        )


async def produce(settings: KafkaSettings, topic: str, values: list[tuple[bytes, bytes]]) -> float:
    producer = create_producer(settings)
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(topic, value, key=key) for key, value in values]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - started


def stored(root: Path, topic: str) -> int:
    folder = root / RANGES_DIR / topic
    total = 0
    for path in folder.glob("*/*.json") if folder.exists() else ():
        offsets = parse_record(path.name)
        total += 0 if offsets is None else offsets.last - offsets.first + 1
    return total


async def sink_rate(
    settings: KafkaSettings, topic: str, count: int, root: Path, processes: int = 0
) -> dict[str, Any]:
    """The sink from its start until every offset is in a stored range."""
    store = RangeStore(root)
    group = f"bench.warehouse-{uuid.uuid4().hex[:8]}"
    producer = create_producer(settings)
    await producer.start()
    ingest = Ingest(RowShaper(Pseudonymiser(KEY)), store, pool=shaping_pool(processes, KEY))
    sink = WarehouseSink(
        kafka=settings,
        group=group,
        topics=[topic],
        ingest=ingest,
        store=store,
        policy=BatchPolicy(max_rows=50_000, max_seconds=1.0),
        producer=producer,
        fetch_max_records=5000,
    )
    await ingest.start()  # worker processes, if any, up before the clock starts
    settle_collector()  # as the service's process does before its sink starts
    parts = snapshot()
    own = time.process_time()
    cpu, started = family_seconds(os.getpid()), time.perf_counter()
    task = asyncio.create_task(sink.run())
    samples: list[tuple[float, int, float]] = []
    while (done := stored(root, topic)) < count:
        samples.append((time.perf_counter(), done, family_seconds(os.getpid())))
        if task.done():
            task.result()
        await asyncio.sleep(0.1)
    samples.append((time.perf_counter(), count, family_seconds(os.getpid())))
    seconds, cpu = time.perf_counter() - started, family_seconds(os.getpid()) - cpu
    own = time.process_time() - own
    broker = spent(parts, snapshot()).get("kafka", 0.0)
    sink.stop()
    await task
    await producer.stop()
    await _delete_topics(settings, [dlq_topic(group)])
    return (
        _figure(count, seconds, cpu)
        | _steady(samples, count)
        | {
            "shaping_processes": processes,
            "sink_process_cpu_seconds": round(own, 3),
            "worker_cpu_seconds": round(cpu - own, 3),
            "kafka_broker_cpu_seconds": round(broker, 3),
            "per_cpu_second_with_broker": round(count / (cpu + broker), 1),
        }
    )


async def members_rate(topic: str, count: int, root: Path, members: int) -> dict[str, Any]:
    """The sink as `members` processes of one group (as `VAXFLOW_WAREHOUSE_SINK_PROCESSES`)."""
    settings = WarehouseSettings(
        data_dir=root,
        group=f"bench.warehouse-{uuid.uuid4().hex[:8]}",
        topics=(topic,),
        pseudonym_key=KEY.decode(),
        batch_max_rows=50_000,
        batch_max_seconds=1.0,
        fetch_max_records=5000,
        log_level="warning",
    )
    processes = [member_process(settings, sink_for) for _ in range(members)]
    parts = snapshot()
    cpu, started = family_seconds(os.getpid()), time.perf_counter()
    for process in processes:
        process.start()
    samples: list[tuple[float, int, float]] = []
    while (done := stored(root, topic)) < count:
        samples.append((time.perf_counter(), done, family_seconds(os.getpid())))
        if not all(p.is_alive() for p in processes):
            raise RuntimeError("a member ended before every event was stored")
        await asyncio.sleep(0.1)
    samples.append((time.perf_counter(), count, family_seconds(os.getpid())))
    seconds, cpu = time.perf_counter() - started, family_seconds(os.getpid()) - cpu
    broker = spent(parts, snapshot()).get("kafka", 0.0)
    for process in processes:
        process.terminate()  # SIGTERM: the member stores what it holds and leaves the group
    for process in processes:
        process.join(60)
    await _delete_topics(KafkaSettings(), [dlq_topic(settings.group)])
    return (
        _figure(count, seconds, cpu)
        | _steady(samples, count)
        | {
            "sink_processes": members,
            "shaping_processes": 0,
            "kafka_broker_cpu_seconds": round(broker, 3),
            "per_cpu_second_with_broker": round(count / (cpu + broker), 1),
        }
    )


def _steady(samples: list[tuple[float, int, float]], count: int) -> dict[str, Any]:
    """The rate while the sink runs full: from 10% to 90% of the events stored.

    The whole run also counts the group's join at the start and, at the end, the last batch
    waiting out `max_seconds` because no more events come to fill it."""
    start = next(s for s in samples if s[1] >= count // 10)
    end = next(s for s in samples if s[1] >= count * 9 // 10)
    rows, seconds, cpu = end[1] - start[1], end[0] - start[0], end[2] - start[2]
    return {
        "steady_per_second": round(rows / seconds, 1),
        "steady_cores_busy": round(cpu / seconds, 2),
        "steady_cpu_us_per_event": round(cpu / rows * 1e6, 1),
    }


def compiled_validation_rate(raws: list[Raw]) -> dict[str, Any]:
    fast = FastRegistry()
    values = [raw.value for raw in raws]
    left = 0
    cpu, started = time.process_time(), time.perf_counter()
    for first in range(0, len(values), CHECK_BLOCK):
        block = values[first : first + CHECK_BLOCK]
        for raw, found in zip(block, fast.check_many(block), strict=True):
            if found is None:  # not vouched for (a time at midnight exactly): as the sink does
                REGISTRY.parse(raw)
                left += 1
    figure = _figure(len(raws), time.perf_counter() - started, time.process_time() - cpu)
    return figure | {"left_to_pydantic": left}


def pipeline_rate(raws: list[Raw], root: Path) -> dict[str, Any]:
    ingest = Ingest(RowShaper(Pseudonymiser(KEY)), RangeStore(root))
    cpu, started = time.process_time(), time.perf_counter()
    for first in range(0, len(raws), 50_000):
        batch = PartitionBatch(raws[0].topic, 0)
        ingest.add(batch, raws[first : first + 50_000])
        ingest.store(batch)
    return _figure(len(raws), time.perf_counter() - started, time.process_time() - cpu)


def validation_rate(raws: list[Raw]) -> dict[str, Any]:
    cpu, started = time.process_time(), time.perf_counter()
    for raw in raws:
        REGISTRY.parse(raw.value)
    return _figure(len(raws), time.perf_counter() - started, time.process_time() - cpu)


def _figure(count: int, seconds: float, cpu: float) -> dict[str, Any]:
    return {
        "count": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "cpu_seconds": round(cpu, 3),
        "per_cpu_second": round(count / cpu, 1) if cpu else None,
    }


async def _delete_topics(settings: KafkaSettings, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


@contextlib.contextmanager
def services_stopped(enabled: bool) -> Iterator[list[str]]:
    """VaxFlow's services stopped for the block (Kafka and the databases left running)."""
    if not enabled:
        yield []
        return
    supervisor = Supervisor(StackSettings())
    running = [
        info["name"]
        for info in supervisor.all_info()
        if info["name"] in SERVICES and info["statename"] == "RUNNING"
    ]
    for name in running:
        supervisor.stop(name)
    try:
        yield running
    finally:
        for name in running:
            supervisor.start(name)


async def main(
    count: int, shaping: list[int], members: list[int], stop_services: bool
) -> dict[str, Any]:
    with services_stopped(stop_services) as stopped:
        return await _measure(count, shaping, members) | {"services_stopped": stopped}


async def _measure(count: int, shaping: list[int], members: list[int]) -> dict[str, Any]:
    settings = KafkaSettings()
    topic = f"bench.warehouse-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(settings, [topic], partitions=6)
    envelopes = list(events(count))
    values = [(e.key.encode(), e.to_bytes()) for e in envelopes]
    del envelopes
    produce_seconds = await produce(settings, topic, values)
    work = Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
    try:
        sinks = [
            await sink_rate(settings, topic, count, work / f"sink-{n}", processes=n)
            for n in shaping
        ]
        sinks += [
            await members_rate(topic, count, work / f"members-{n}", n) for n in members if n > 1
        ]
        raws = [Raw(topic, 0, i, value) for i, (_, value) in enumerate(values)]
        pipeline = pipeline_rate(raws, work / "pipeline")
        validation = validation_rate(raws)
        compiled = compiled_validation_rate(raws)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        await _delete_topics(settings, [topic])
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": count,
        "mean_event_bytes": round(sum(len(v) for _, v in values) / count),
        "produce_seconds": round(produce_seconds, 3),
        "sink": sinks,
        "pipeline": pipeline,
        "validation_only": validation,
        "compiled_validation_only": compiled,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--shaping-processes",
        default="0,2",
        help="sink runs to measure, by worker processes shaping (0: in the sink's process)",
    )
    parser.add_argument(
        "--stop-services",
        action="store_true",
        help="stop VaxFlow's services during the run (their idle polling takes CPU), restart after",
    )
    parser.add_argument(
        "--sink-processes",
        default="2",
        help="further runs with that many sink processes (group members), each shaping itself",
    )
    args = parser.parse_args()
    shaping = [int(n) for n in args.shaping_processes.split(",") if n]
    members = [int(n) for n in args.sink_processes.split(",") if n]
    result = asyncio.run(main(args.events, shaping, members, args.stop_services))
    print(json.dumps(result, indent=2))
