"""The sink in process against the real Kafka: rows, dead letters, tampering, rebuild."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.layout import OffsetRange
from vaxflow_warehouse.workers.rebuild import Rebuild

from tests.integration.warehouse.conftest import (
    Streams,
    event_ids,
    running_sink,
    sorted_rows,
    store_ingest,
)
from tests.unit.warehouse.factory import envelopes
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack


async def _ingested(root: Path, count: int) -> None:
    async def probe() -> int:
        return len(event_ids(root))

    await poll_until(probe, accept=lambda n: n >= count, timeout_s=30, what=f"{count} rows")


@pytest.mark.parametrize("shaping_processes", [0, 2], ids=["in-process", "2-workers"])
async def test_every_event_becomes_one_row_and_garbage_goes_to_the_dead_letter_topic(
    streams: Streams, tmp_path: Path, shaping_processes: int
) -> None:
    sent = list(envelopes(300, seed=21))
    await streams.send(sent[:150])
    await streams.send_raw(b"{not an event")
    await streams.send(sent[150:])

    async with running_sink(streams, tmp_path, shaping_processes=shaping_processes):
        await _ingested(tmp_path, 300)
        dead = await _dead_letters(streams, 1)

    assert sorted(event_ids(tmp_path)) == sorted(str(e.event_id) for e in sent)
    assert dead[0][0] == b"{not an event"
    assert dead[0][1]["dlq.reason"] == b"invalid_message"
    assert dead[0][1]["dlq.topic"] == streams.topics[0].encode()


async def test_a_part_deleted_while_the_sink_was_down_is_reported_at_start(
    streams: Streams, tmp_path: Path
) -> None:
    await streams.send(list(envelopes(200, seed=22)))
    async with running_sink(streams, tmp_path, max_rows=60):
        await _ingested(tmp_path, 200)
    store, _ = store_ingest(tmp_path)
    victim = store.data_files()[len(store.data_files()) // 2]
    topic, partition, offsets = victim.name.removesuffix(".parquet").split("+")
    victim.unlink()

    async with running_sink(streams, tmp_path) as sink:
        await poll_until(_plan_of(sink), what="the start plan")

    assert sink.last_plan is not None
    reported = {(s.topic, s.partition): s.missing for s in sink.last_plan.missing}
    first, last = (int(x) for x in offsets.split("-"))
    assert reported == {(topic, int(partition)): (OffsetRange(first, last),)}
    assert sink.last_plan.report is not None
    report = json.loads(sink.last_plan.report.read_text())
    assert report["partitions"][0]["missing"] == [{"first": first, "last": last}]


async def test_a_rebuild_into_a_fresh_directory_equals_the_incremental_warehouse(
    streams: Streams, tmp_path: Path
) -> None:
    sent = list(envelopes(400, seed=23))
    await streams.send(sent[:200])
    await streams.send_raw(b"\x00garbage")
    incremental = tmp_path / "incremental"
    async with running_sink(streams, incremental, max_rows=70):
        await streams.send(sent[200:])
        await _ingested(incremental, 400)

    fresh = tmp_path / "rebuilt"
    _, ingest = store_ingest(fresh, shaping_processes=2)  # the sink above shaped in process
    result = await Rebuild(
        kafka=streams.kafka,
        topics=streams.topics,
        ingest=ingest,
        policy=BatchPolicy(max_rows=1000),
    ).run()

    assert (result.messages, result.rejected) == (401, 1)
    assert sorted_rows(fresh) == sorted_rows(incremental)
    assert len(sorted_rows(fresh)) == 400


def _plan_of(sink: object):  # type: ignore[no-untyped-def]
    async def probe() -> bool:
        return getattr(sink, "last_plan", None) is not None

    return probe


async def _dead_letters(streams: Streams, count: int) -> list[tuple[bytes, dict[str, bytes]]]:
    consumer = AIOKafkaConsumer(
        dlq_topic(streams.group),
        bootstrap_servers=streams.kafka.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[bytes, dict[str, bytes]]] = []
    try:
        async with asyncio.timeout(20):
            while len(found) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    found += [(r.value or b"", dict(r.headers)) for r in records]
    finally:
        await consumer.stop()
    return found


async def test_two_members_and_their_rebalances_store_every_event_once(
    streams: Streams, tmp_path: Path
) -> None:
    sent = list(envelopes(900, seed=24))
    await streams.send(sent[:300])
    async with running_sink(streams, tmp_path, max_rows=40):
        await streams.send(sent[300:500])
        async with running_sink(streams, tmp_path, max_rows=40) as second:
            await poll_until(_plan_of(second), timeout_s=30, what="the second member's start")
            await streams.send(sent[500:700])
            await asyncio.sleep(1.0)
        # the second member left: the first takes its partitions back
        await streams.send(sent[700:])
        await _ingested(tmp_path, 900)
        await asyncio.sleep(0.5)

    assert sorted(event_ids(tmp_path)) == sorted(str(e.event_id) for e in sent)
    assert not (tmp_path / "_reports").exists()


async def test_offsets_moved_back_are_committed_past_what_the_files_hold_without_new_events(
    streams: Streams, tmp_path: Path
) -> None:
    sent = list(envelopes(120, seed=24))
    await streams.send(sent)
    async with running_sink(streams, tmp_path):
        await _ingested(tmp_path, 120)
    # An operator (or the fault suite's rewind) moves the stopped group's offsets back to 0.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=streams.kafka.bootstrap,
        group_id=streams.group,
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        parts = [TopicPartition(t, p) for t in streams.topics for p in range(3)]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        await consumer.commit(dict.fromkeys(parts, 0))

        async with running_sink(streams, tmp_path):

            async def lag() -> int:
                committed = {tp: await consumer.committed(tp) or 0 for tp in parts}
                return sum(ends[tp] - committed[tp] for tp in parts)

            await poll_until(lag, accept=lambda n: n == 0, timeout_s=30, what="no lag")
    finally:
        await consumer.stop()

    assert sorted(event_ids(tmp_path)) == sorted(str(e.event_id) for e in sent)
