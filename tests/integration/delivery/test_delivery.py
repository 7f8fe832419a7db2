"""Proof on the real Kafka and database that every event's effect happens exactly once."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY

from tests.integration.delivery.conftest import SampleSystem, consumer_running, relay_running
from tests.integration.delivery.sample import envelope_for
from vaxflow import stack
from vaxflow_servicekit.consumer import dlq_topic
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_servicekit.testing import poll_until

pytestmark = [pytest.mark.stack]
ROOT = Path(__file__).resolve().parents[3]


async def write(system: SampleSystem, count: int, *, prefix: str = "t") -> list[str]:
    """Record `count` increments spread over a few tallies; return their event ids."""
    return [await system.tallies.increment(f"{prefix}{i % 7}", i) for i in range(count)]


async def assert_exactly_once(system: SampleSystem, event_ids: list[str]) -> None:
    """Every event has one effect, and no effect exists without its event."""
    effects = await poll_until(
        system.projection.effect_ids,
        accept=lambda ids: len(ids) >= len(event_ids),
        timeout_s=90,
        what=f"{len(event_ids)} effects",
    )
    assert Counter(effects) == Counter(event_ids)


async def run_consumer_process(
    system: SampleSystem, crash_after: int = 0
) -> asyncio.subprocess.Process:
    """Start the sample consumer as a separate process."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.delivery.sample_consumer",
        "--topic", system.topic,
        "--group", system.group,
        "--database", system.db.name,
        "--crash-after", str(crash_after),
        cwd=ROOT,
    )  # fmt: skip


async def test_sigkill_between_effect_and_commit_redelivers_without_duplicates(
    sample: SampleSystem, kafka_settings: KafkaSettings
) -> None:
    async with relay_running(sample, kafka_settings):
        event_ids = await write(sample, 300)
        await poll_until(sample.pending_events, accept=lambda n: n == 0, what="empty outbox")

    crashed = await run_consumer_process(sample, crash_after=120)
    assert await asyncio.wait_for(crashed.wait(), timeout=120) == -signal.SIGKILL
    before_restart = len(await sample.projection.effect_ids())
    assert 0 < before_restart < len(event_ids)

    survivor = await run_consumer_process(sample)
    try:
        await assert_exactly_once(sample, event_ids)
    finally:
        survivor.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(survivor.wait(), timeout=60) == 0

    invocations = await sample.projection.invocations.count_documents({})
    assert invocations > len(event_ids), "the crash should have caused redelivery"


@pytest.mark.slow
async def test_writes_succeed_while_kafka_is_down_and_arrive_once_after(
    sample: SampleSystem, kafka_settings: KafkaSettings
) -> None:
    async with relay_running(sample, kafka_settings), consumer_running(sample, kafka_settings):
        first = await write(sample, 20, prefix="before")
        await assert_exactly_once(sample, first)

        await asyncio.to_thread(stack.control.stop, "kafka")
        try:
            during = await write(sample, 100, prefix="during")
            waiting = await poll_until(
                sample.pending_events, accept=lambda n: n == 100, what="backlog"
            )
            assert waiting == 100
        finally:
            await asyncio.to_thread(stack.control.start, "kafka")

        await assert_exactly_once(sample, first + during)


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_partition_moves_on(
    sample: SampleSystem, kafka_settings: KafkaSettings, topic_factory
) -> None:
    sample.topic = await topic_factory("poison", partitions=1)
    good = [envelope_for("p", n) for n in (1, 2, 3)]
    negative = envelope_for("p", -5)
    raw = [
        good[0].to_bytes(),
        b'{"event_type": "TallyIncremented", "not": "an envelope"',
        negative.to_bytes(),
    ]
    raw += [good[1].to_bytes(), good[2].to_bytes()]
    await produce_raw(kafka_settings, sample.topic, raw)

    async with consumer_running(sample, kafka_settings):
        await assert_exactly_once(sample, [str(e.event_id) for e in good])
        dead = await read_all(kafka_settings, dlq_topic(sample.group), expected=2)

    reasons = [dict(m.headers)["dlq.reason"].decode() for m in dead]
    assert reasons == ["invalid_message", "permanent"]
    assert b"amount must not be negative" in dict(dead[1].headers)["dlq.error"]
    assert dead[0].value == raw[1]
    assert dict(dead[0].headers)["dlq.offset"] == b"1"


@pytest.mark.slow
async def test_relay_and_consumer_survive_a_database_restart(
    sample: SampleSystem, kafka_settings: KafkaSettings
) -> None:
    async with (
        relay_running(sample, kafka_settings),
        consumer_running(sample, kafka_settings) as consumer,
    ):
        before = await write(sample, 10, prefix="before")
        await assert_exactly_once(sample, before)

        failures_before = await transient_failures(consumer.group, sample.topic)
        await asyncio.to_thread(stack.control.stop, "ferretdb")
        try:
            during = [envelope_for("direct", n) for n in range(10)]
            await produce_raw(kafka_settings, sample.topic, [e.to_bytes() for e in during])
            await poll_until(
                lambda: transient_failures(consumer.group, sample.topic),
                accept=lambda n: n > failures_before,
                what="a transient failure while the database is down",
            )
        finally:
            await asyncio.to_thread(stack.control.start, "ferretdb")

        after = await write(sample, 10, prefix="after")
        await assert_exactly_once(sample, before + [str(e.event_id) for e in during] + after)


async def transient_failures(group: str, topic: str) -> float:
    """How many transient handler failures the consumer has counted."""
    labels = {"group": group, "topic": topic, "kind": "transient"}
    return REGISTRY.get_sample_value("vaxflow_kafka_consume_errors_total", labels) or 0.0


async def produce_raw(settings: KafkaSettings, topic: str, values: list[bytes]) -> None:
    """Send raw bytes, as a buggy or foreign producer might."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"p")
    finally:
        await producer.stop()


async def read_all(settings: KafkaSettings, topic: str, *, expected: int) -> list:
    """Read a topic from the start until `expected` messages arrived."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        messages: list = []
        async with asyncio.timeout(60):
            while len(messages) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                messages += [m for msgs in batch.values() for m in msgs]
        return messages
    finally:
        await consumer.stop()
